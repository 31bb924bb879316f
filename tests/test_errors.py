"""Bad input: every public constructor, ``sample`` and ``fit`` raise errors naming the argument.

Each case asserts the exception type and that the message names the argument (as a whole
word) and, where it helps, what was expected.
"""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from tests import strategies as s
from tests.helpers import gen, post_nets, post_trainer, same, weights
from torch import nn

import tinygan as tg


def named(name: str) -> str:
    """A regex matching ``name`` as a whole word."""
    return rf"(?<![\w.]){name}(?!\w)"


# --- FuzzyPattern -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern", ["10a0", "", "1 0", "2", "1010\n", "0b10", [1, 2, 0], [], [0.5]]
)
def test_bad_pattern_values(pattern):
    with pytest.raises(ValueError, match=named("pattern")):
        tg.FuzzyPattern(pattern)


@pytest.mark.parametrize("pattern", [[True, False], (1, 0, -1)])
def test_pattern_entries_must_be_0_or_1(pattern):
    with pytest.raises(ValueError, match=named("pattern")):
        tg.FuzzyPattern(pattern)


@pytest.mark.parametrize("pattern", [1010, None, b"1010", 1.0])
def test_bad_pattern_types(pattern):
    with pytest.raises(TypeError, match=named("pattern")):
        tg.FuzzyPattern(pattern)


@settings(deadline=None)
@given(pattern=s.bad_pattern_strings)
def test_any_string_with_other_characters_is_rejected(pattern):
    with pytest.raises(ValueError, match=named("pattern")):
        tg.FuzzyPattern(pattern)


@pytest.mark.parametrize("which", ["high", "low"])
@pytest.mark.parametrize(
    "bad",
    [(1.0, 0.8), (0.2, 0.0), (0.0, math.inf), (-math.inf, 0.0), (math.nan, 1.0), (0.0, math.nan)],
)
def test_bad_pattern_range_values(which, bad):
    with pytest.raises(ValueError, match=named(which)):
        tg.FuzzyPattern("1010", **{which: bad})


@settings(deadline=None)
@given(bad=s.reversed_ranges)
def test_any_reversed_range_is_rejected(bad):
    with pytest.raises(ValueError, match="reversed"):
        tg.FuzzyPattern("10", high=bad)


@pytest.mark.parametrize("which", ["high", "low"])
@pytest.mark.parametrize("bad", [(0.8,), (0.1, 0.2, 0.3), "ab", 0.5, None, ("0", "1"), (True, 1)])
def test_bad_pattern_range_types(which, bad):
    with pytest.raises(TypeError, match=named(which)):
        tg.FuzzyPattern("1010", **{which: bad})


# --- UniformNoise -----------------------------------------------------------------------


@pytest.mark.parametrize("dim", [0, -1, -100])
def test_noise_dim_below_one(dim):
    with pytest.raises(ValueError, match=named("dim") + ".*>= 1"):
        tg.UniformNoise(dim)


@pytest.mark.parametrize("dim", [2.5, 4.0, "4", None, True])
def test_noise_dim_not_an_integer(dim):
    with pytest.raises(TypeError, match=named("dim")):
        tg.UniformNoise(dim)


@pytest.mark.parametrize(
    ("low", "high"), [(1.0, 0.0), (0.0, math.inf), (-math.inf, 1.0), (math.nan, 1.0)]
)
def test_noise_bad_range(low, high):
    with pytest.raises(ValueError, match=named("low")):
        tg.UniformNoise(4, low=low, high=high)


@pytest.mark.parametrize("kwargs", [{"low": "0"}, {"high": None}, {"high": [1.0]}])
def test_noise_range_types(kwargs):
    with pytest.raises(TypeError, match=named("low|high")):
        tg.UniformNoise(4, **kwargs)


# --- sample -----------------------------------------------------------------------------

SOURCES = [tg.FuzzyPattern("1010"), tg.UniformNoise(4)]


@pytest.mark.parametrize("source", SOURCES, ids=["pattern", "noise"])
@pytest.mark.parametrize("n", [-1, -5])
def test_sample_negative_n(source, n):
    with pytest.raises(ValueError, match=named("n") + ".*>= 0"):
        source.sample(n)


@pytest.mark.parametrize("source", SOURCES, ids=["pattern", "noise"])
@pytest.mark.parametrize("n", [2.0, 1.5, "3", None, True])
def test_sample_n_not_an_integer(source, n):
    with pytest.raises(TypeError, match=named("n")):
        source.sample(n)


@pytest.mark.parametrize("source", SOURCES, ids=["pattern", "noise"])
@pytest.mark.parametrize("generator", [0, "seed", torch.tensor(1)])
def test_sample_bad_generator(source, generator):
    with pytest.raises(TypeError, match=named("generator")):
        source.sample(2, generator=generator)


# --- mlp --------------------------------------------------------------------------------


@pytest.mark.parametrize("sizes", [[4], [], (3,), [4, 0], [4, -1, 1], [0, 3]])
def test_mlp_sizes_values(sizes):
    with pytest.raises(ValueError, match=named("sizes")):
        tg.mlp(sizes)


@pytest.mark.parametrize("sizes", [[4, 2.5], [4.0, 3], ["4", "3"], "43", 4, None, [4, True]])
def test_mlp_sizes_types(sizes):
    with pytest.raises(TypeError, match=named("sizes")):
        tg.mlp(sizes)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"activation": 3}, "activation"),
        ({"activation": lambda: 3}, "activation"),
        ({"activation": torch.sigmoid}, "activation"),
        ({"generator": 3}, "generator"),
        ({"bias": "no"}, "bias"),
        ({"bias": 1}, "bias"),
    ],
)
def test_mlp_option_types(kwargs, name):
    with pytest.raises(TypeError, match=named(name)):
        tg.mlp([4, 3, 1], **kwargs)


# --- trainers: numbers ------------------------------------------------------------------


def build_adversarial(**kwargs):
    G, D = post_nets(0)
    args = {
        "generator": G,
        "discriminator": D,
        "real": tg.FuzzyPattern("1010"),
        "noise": tg.UniformNoise(4),
    }
    args.update(kwargs)
    return tg.AdversarialTrainer(
        args.pop("generator"),
        args.pop("discriminator"),
        args.pop("real"),
        args.pop("noise"),
        **args,
    )


def build_discriminator(**kwargs):
    args = {
        "discriminator": tg.mlp([4, 3, 1], generator=gen(0)),
        "real": tg.FuzzyPattern("1010"),
        "fake": tg.FuzzyPattern("0101"),
    }
    args.update(kwargs)
    return tg.DiscriminatorTrainer(
        args.pop("discriminator"), args.pop("real"), args.pop("fake"), **args
    )


BUILDERS = pytest.mark.parametrize(
    "build", [build_adversarial, build_discriminator], ids=["adversarial", "discriminator"]
)


@BUILDERS
@pytest.mark.parametrize("lr", [0, 0.0, -0.01, math.inf, math.nan, 1e300])
def test_lr_must_be_positive(build, lr):
    with pytest.raises(ValueError, match=named("lr")):
        build(lr=lr)


@BUILDERS
@pytest.mark.parametrize("lr", ["0.01", None, [0.01], True])
def test_lr_type(build, lr):
    with pytest.raises(TypeError, match=named("lr")):
        build(lr=lr)


@BUILDERS
@pytest.mark.parametrize("batch_size", [0, -1])
def test_batch_size_at_least_one(build, batch_size):
    with pytest.raises(ValueError, match=named("batch_size") + ".*>= 1"):
        build(batch_size=batch_size)


@BUILDERS
@pytest.mark.parametrize("batch_size", [1.0, 2.5, "2", None])
def test_batch_size_type(build, batch_size):
    with pytest.raises(TypeError, match=named("batch_size")):
        build(batch_size=batch_size)


@BUILDERS
@pytest.mark.parametrize(
    ("seed", "exc"), [(-1, ValueError), (2**64, ValueError), ("0", TypeError), (1.0, TypeError)]
)
def test_seed(build, seed, exc):
    with pytest.raises(exc, match=named("seed")):
        build(seed=seed)


@BUILDERS
@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"loss": 3}, "loss"),
        ({"loss": "mse"}, "loss"),
        ({"optimizer": 3}, "optimizer"),
        ({"optimizer": lambda params: "sgd"}, "optimizer"),
        ({"callbacks": 3}, "callbacks"),
        ({"callbacks": [object()]}, "callbacks"),
        ({"callbacks": tg.LossLogger()}, "callbacks"),
        ({"callbacks": [tg.LossLogger]}, "callbacks"),
    ],
)
def test_option_types(build, kwargs, name):
    with pytest.raises(TypeError, match=named(name)):
        build(**kwargs)


def test_a_callback_class_in_place_of_an_instance_is_named():
    with pytest.raises(TypeError, match=r"the class LossLogger: pass an instance, LossLogger"):
        tg.AdversarialTrainer(
            tg.mlp([4, 4, 4]),
            tg.mlp([4, 3, 1]),
            tg.FuzzyPattern("1010"),
            tg.UniformNoise(4),
            callbacks=[tg.LossLogger],
        )


@BUILDERS
def test_loss_must_return_a_scalar(build):
    trainer = build(loss=lambda output, target: (output - target) ** 2, batch_size=3)
    with pytest.raises(TypeError, match=named("loss")):
        trainer.fit(1)


@pytest.mark.parametrize("target", ["1", None, [1.0]])
def test_train_discriminator_target_type(target):
    with pytest.raises(TypeError, match=named("target")):
        post_trainer(0).train_discriminator(torch.zeros(1, 4), target)


# --- fit --------------------------------------------------------------------------------


@BUILDERS
@pytest.mark.parametrize("steps", [-1, -10])
def test_fit_negative_steps(build, steps):
    with pytest.raises(ValueError, match=named("steps") + ".*>= 0"):
        build().fit(steps)


@BUILDERS
@pytest.mark.parametrize("steps", [1.5, 10.0, "10", None])
def test_fit_steps_type(build, steps):
    with pytest.raises(TypeError, match=named("steps")):
        build().fit(steps)


def test_bad_fit_runs_no_callback_and_no_iteration():
    events = []
    trainer = post_trainer(0, callbacks=[tg.LambdaCallback(on_fit_start=events.append)])
    with pytest.raises(ValueError):
        trainer.fit(-1)
    assert events == [] and trainer.iteration == 0


# --- trainers: models and sources ------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"generator": 3}, "generator"),
        ({"generator": "G"}, "generator"),
        ({"discriminator": None}, "discriminator"),
        ({"real": 3}, "real"),
        ({"real": torch.zeros(4)}, "real"),
        ({"noise": object()}, "noise"),
        ({"noise": [0.0, 1.0]}, "noise"),
    ],
)
def test_adversarial_argument_types(kwargs, name):
    with pytest.raises(TypeError, match=named(name)):
        build_adversarial(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"discriminator": 3}, "discriminator"), ({"real": 3}, "real"), ({"fake": None}, "fake")],
)
def test_discriminator_trainer_argument_types(kwargs, name):
    with pytest.raises(TypeError, match=named(name)):
        build_discriminator(**kwargs)


def test_model_without_parameters():
    with pytest.raises(ValueError, match=named("generator")):
        build_adversarial(generator=nn.Sigmoid())


class BadDim:
    def __init__(self, dim):
        self.dim = dim

    def sample(self, n, *, generator=None):
        return torch.zeros(n, 4)


@pytest.mark.parametrize("dim", [0, -1, 2.0, "4"])
def test_source_dim_must_be_a_positive_integer(dim):
    with pytest.raises(ValueError, match=named("real.dim")):
        build_adversarial(real=BadDim(dim))
    with pytest.raises(ValueError, match=named("fake.dim")):
        build_discriminator(fake=BadDim(dim))


# --- size mismatches, found when the trainer is built -------------------------------------


def test_noise_dim_against_the_generators_input():
    with pytest.raises(ValueError, match=named("noise.dim") + ".*generator") as info:
        build_adversarial(noise=tg.UniformNoise(5))
    assert "5" in str(info.value) and "4" in str(info.value)


def test_generator_output_against_real_dim():
    with pytest.raises(ValueError, match=named("real.dim")) as info:
        build_adversarial(generator=tg.mlp([4, 4, 3], generator=gen(0)))
    assert "generator" in str(info.value)


def test_generator_output_against_the_discriminators_input():
    for G_sizes, D_sizes in (([4, 4, 3], [4, 3, 1]), ([4, 4, 5], [5, 3, 1])):
        with pytest.raises(ValueError, match=r"generator's output.*discriminator") as info:
            build_adversarial(
                generator=tg.mlp(G_sizes, generator=gen(0)),
                discriminator=tg.mlp(D_sizes, generator=gen(0)),
            )
        assert str(G_sizes[-1]) in str(info.value)


def test_real_dim_against_the_discriminators_input():
    with pytest.raises(ValueError, match=named("real.dim") + ".*discriminator"):
        build_adversarial(
            generator=tg.mlp([4, 4, 6], generator=gen(0)), real=tg.FuzzyPattern("101010")
        )
    with pytest.raises(ValueError, match=named("real.dim") + ".*discriminator"):
        build_discriminator(real=tg.FuzzyPattern("10101"), fake=tg.FuzzyPattern("01010"))


def test_fake_dim_against_real_dim():
    with pytest.raises(ValueError, match=named("fake.dim")):
        build_discriminator(fake=tg.FuzzyPattern("010"))


def test_discriminator_must_output_one_value():
    with pytest.raises(ValueError, match=named("discriminator")):
        build_adversarial(discriminator=tg.mlp([4, 2], generator=gen(0)))
    with pytest.raises(ValueError, match=named("discriminator")):
        build_discriminator(discriminator=tg.mlp([4, 2], generator=gen(0)))


def test_mismatch_in_a_model_that_is_not_an_mlp():
    """A plain nn.Module whose width cannot be read off is probed with a zero batch."""

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.ones(3, 1))

        def forward(self, x):
            return torch.sigmoid(x @ self.w)

    with pytest.raises(ValueError, match=named("real.dim") + ".*discriminator"):
        build_adversarial(discriminator=Net())


def test_a_failed_build_trains_nothing_and_leaves_the_global_rng_alone():
    G, D = post_nets(0)
    before = weights(G, D)
    torch_state = torch.get_rng_state()
    with pytest.raises(ValueError):
        tg.AdversarialTrainer(G, D, tg.FuzzyPattern("1010"), tg.UniformNoise(5), seed=0)
    assert same(weights(G, D), before)
    assert all(p.grad is None for p in [*G.parameters(), *D.parameters()])
    assert torch.equal(torch.get_rng_state(), torch_state)


# --- callbacks --------------------------------------------------------------------------


@pytest.mark.parametrize("every", [0, -1])
def test_snapshots_every(every):
    with pytest.raises(ValueError, match=named("every")):
        tg.Snapshots(every=every)


@pytest.mark.parametrize("every", [1.5, "10", None])
def test_snapshots_every_type(every):
    with pytest.raises(TypeError, match=named("every")):
        tg.Snapshots(every=every)


@pytest.mark.parametrize("reference", [[], [[0.9, 0.0]], [math.nan, 0.0], [0.0, math.inf]])
def test_loss_logger_reference_values(reference):
    with pytest.raises(ValueError, match=named("reference")):
        tg.LossLogger(reference=reference)


@pytest.mark.parametrize("reference", ["abc", object(), {"a": 1}])
def test_loss_logger_reference_types(reference):
    with pytest.raises(TypeError, match=named("reference")):
        tg.LossLogger(reference=reference)


def test_loss_logger_reference_of_the_wrong_length():
    trainer = post_trainer(0, callbacks=[tg.LossLogger(reference=[0.9, 0.0])])
    with pytest.raises(ValueError, match=named("reference")):
        trainer.fit(1)


@pytest.mark.parametrize("hook", ["on_fit_start", "on_step_end", "on_fit_end"])
def test_lambda_callback_hooks_must_be_callable(hook):
    with pytest.raises(TypeError, match=named(hook)):
        tg.LambdaCallback(**{hook: 3})
