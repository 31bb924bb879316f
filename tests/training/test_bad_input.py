"""Bad data sources and networks get a clear error naming them, never one from inside torch.

A data source's first batches are checked where the trainer draws them (every backend),
with no extra draw: the same calls, the same numbers. Networks are checked when the
trainer is built: trainable, and of one dtype that the data shares.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
from tests.helpers import Recording, same, weights

import tinygan as tg

REAL, NOISE, FAKE = tg.FuzzyPattern("1010"), tg.UniformNoise(4), tg.FuzzyPattern("0101")


def nets(seed: int = 0) -> tuple[torch.nn.Module, torch.nn.Module]:
    g = torch.Generator().manual_seed(seed)
    return tg.mlp([4, 4, 4], generator=g), tg.mlp([4, 3, 1], generator=g)


class Returns:
    """A data source (inheriting nothing) whose ``sample`` returns ``make(n, generator)``."""

    dim = 4

    def __init__(self, make) -> None:
        self.make = make

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> Any:
        return self.make(n, generator)


BAD = {
    "too wide": (lambda n, g: torch.rand(n, 5, generator=g), ValueError, r"shape \(1, 5\)"),
    "flat": (lambda n, g: torch.rand(n * 4, generator=g), ValueError, r"shape \(4,\)"),
    "a row too many": (lambda n, g: torch.rand(n + 1, 4, generator=g), ValueError, r"\(2, 4\)"),
    "a list": (lambda n, g: [[0.5] * 4] * n, TypeError, r"got a list"),
    "None": (lambda n, g: None, TypeError, r"got None"),
    "float64": (
        lambda n, g: torch.rand(n, 4, generator=g, dtype=torch.float64),
        TypeError,
        r"got a float64 tensor of shape \(1, 4\)",
    ),
}
EXPECTED = r"must return a float32 tensor of shape \(n, dim\) = \(1, 4\), "


@pytest.mark.parametrize("backend", ["autograd", "fused", "native"])
@pytest.mark.parametrize("which", ["real", "noise"])
@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_batch_names_its_source_on_every_backend(backend, which, case):
    make, error, got = BAD[case]
    sources = {"real": REAL, "noise": NOISE, which: Returns(make)}
    t = tg.AdversarialTrainer(*nets(), sources["real"], sources["noise"], seed=0, backend=backend)
    before = weights(t.generator)
    with pytest.raises(error, match=rf"^{which}\.sample\(1, generator=\.\.\.\) {EXPECTED}.*{got}"):
        t.fit(3)
    assert t.iteration == 0 and same(weights(t.generator), before)
    assert getattr(t, which) is sources[which]  # the source is back in its place
    with pytest.raises(error, match=rf"^{which}\.sample"):
        t.step()  # and step() alone checks it too


@pytest.mark.parametrize("backend", ["autograd", "fused"])
@pytest.mark.parametrize("which", ["real", "fake"])
@pytest.mark.parametrize("case", list(BAD))
def test_the_discriminator_trainer_names_its_bad_source(backend, which, case):
    make, error, got = BAD[case]
    sources = {"real": REAL, "fake": FAKE, which: Returns(make)}
    D = nets()[1]
    t = tg.DiscriminatorTrainer(D, sources["real"], sources["fake"], seed=0, backend=backend)
    with pytest.raises(error, match=rf"^{which}\.sample\(1, generator=\.\.\.\) {EXPECTED}.*{got}"):
        t.fit(2)
    assert t.iteration == 0 and getattr(t, which) is sources[which]


def test_a_source_replaced_between_fits_is_checked_at_its_first_draw():
    t = tg.AdversarialTrainer(*nets(), REAL, NOISE, seed=0).fit(3)
    good = t.real
    t.real = Returns(lambda n, g: torch.rand(n, 4, generator=g).tolist())
    with pytest.raises(TypeError, match=r"^real\.sample\(1, generator=\.\.\.\) must return"):
        t.fit(2)
    t.real = good
    assert t.fit(2).iteration == 5


def test_the_check_adds_no_sample_call():
    """The first batch is checked as the trainer draws it: no draw of the check's own."""
    calls = []

    def later(n, g):
        calls.append(n)
        return torch.rand(n, 4, generator=g)

    for backend in ("autograd", "fused", "native"):
        calls.clear()
        tg.AdversarialTrainer(*nets(), Returns(later), NOISE, seed=0, backend=backend).fit(4)
        assert calls == [1] * 4, backend  # one draw per iteration


@pytest.mark.parametrize("backend", ["autograd", "fused", "native"])
def test_the_check_draws_nothing_and_changes_no_number(backend):
    """A user's source (no uniform map, so sampled through the check) gives the numbers of
    the library's own source, with one ``sample`` call per batch the trainer uses."""
    real, noise = Recording(REAL), Recording(NOISE)
    user = tg.AdversarialTrainer(*nets(3), real, noise, seed=5, backend=backend).fit(20)
    own = tg.AdversarialTrainer(*nets(3), REAL, NOISE, seed=5, backend=backend).fit(20)
    if backend == "native":  # the kernel draws the library's sources itself: within tolerance
        for a, b in zip(weights(user.generator), weights(own.generator), strict=True):
            torch.testing.assert_close(a, b)
    else:
        assert same(
            weights(user.generator, user.discriminator), weights(own.generator, own.discriminator)
        )
        assert torch.equal(user.rng.get_state(), own.rng.get_state())
    assert len(real.batches) == 20 and len(noise.batches) == 40
    assert user.real is real and user.noise is noise


def test_float64_networks_train_on_float64_data_and_name_float32_data():
    class Float64:
        def __init__(self, source) -> None:
            self.source, self.dim = source, source.dim

        def sample(self, n, *, generator=None):
            return self.source.sample(n, generator=generator).double()

    G, D = (net.double() for net in nets())
    t = tg.AdversarialTrainer(G, D, Float64(REAL), Float64(NOISE), seed=0)
    assert t.fit(5).iteration == 5 and t.backend == "autograd"
    G, D = (net.double() for net in nets())
    t = tg.AdversarialTrainer(G, D, REAL, NOISE, seed=0)  # its parts take float64 batches
    with pytest.raises(
        TypeError,
        match=r"^real\.sample\(1, generator=\.\.\.\) must return a float64 tensor .* got a "
        r"float32 tensor .*; the networks are float64",
    ):
        t.fit(1)


@pytest.mark.parametrize("which", ["generator", "discriminator"])
def test_networks_of_different_dtypes_are_refused_when_built(which):
    G, D = nets()
    if which == "generator":
        G = G.double()
    else:
        D = D.double()
    wrong, right = ("float64", "float32") if which == "generator" else ("float32", "float64")
    with pytest.raises(
        TypeError,
        match=rf"the generator has {wrong} parameters but the discriminator {right}",
    ):
        tg.AdversarialTrainer(G, D, REAL, NOISE, seed=0)


def test_a_network_of_mixed_dtypes_is_refused():
    G, D = nets()
    G[0].double()
    with pytest.raises(TypeError, match=r"^generator has parameters of several dtypes"):
        tg.AdversarialTrainer(G, D, REAL, NOISE, seed=0)


@pytest.mark.parametrize("which", ["generator", "discriminator"])
def test_a_frozen_network_is_refused_when_built(which):
    G, D = nets()
    (G if which == "generator" else D).requires_grad_(False)
    message = rf"^{which} has no trainable parameters \(every requires_grad is False\)"
    with pytest.raises(ValueError, match=message):
        tg.AdversarialTrainer(G, D, REAL, NOISE, seed=0)
    if which == "discriminator":
        with pytest.raises(ValueError, match=message):
            tg.DiscriminatorTrainer(D, REAL, FAKE, seed=0)


def test_a_partly_frozen_network_still_trains():
    G, D = nets()
    G[0].weight.requires_grad_(False)
    frozen = G[0].weight.detach().clone()
    tg.AdversarialTrainer(G, D, REAL, NOISE, seed=0).fit(5)
    assert torch.equal(G[0].weight, frozen)


@pytest.mark.parametrize(
    ("call", "batch", "target", "error", "words"),
    [
        ("d", [[0.5] * 4], 1.0, TypeError, r"train_discriminator\(inputs\) takes a float32 tensor"),
        ("d", torch.rand(2, 5), 1.0, ValueError, "takes 4 columns"),
        ("d", torch.rand(0, 4), 1.0, ValueError, "n >= 1"),
        ("d", torch.rand(4), 1.0, ValueError, r"\(n, width\)"),
        ("d", torch.rand(2, 4).double(), 1.0, TypeError, "float32 tensor"),
        ("d", torch.rand(2, 4), float("nan"), ValueError, "finite target"),
        ("d", torch.rand(2, 4), "real", TypeError, "number or a tensor as target"),
        ("g", torch.rand(2, 3), 1.0, ValueError, r"train_generator\(noise\) takes 4 columns"),
        ("g", torch.rand(2, 4), float("inf"), ValueError, "finite target"),
    ],
)
def test_the_public_step_parts_check_what_they_are_given(call, batch, target, error, words):
    trainer = tg.AdversarialTrainer(*nets(), REAL, NOISE, seed=0)
    before = weights(trainer.generator, trainer.discriminator)
    with pytest.raises(error, match=words):
        if call == "d":
            trainer.train_discriminator(batch, target)
        else:
            trainer.train_generator(batch, target)
    after = weights(trainer.generator, trainer.discriminator)
    assert same(after, before)  # refused before any weight moved


def test_a_packed_discriminator_takes_whole_packs():
    G = nets()[0]
    packed = tg.Packed(tg.mlp([8, 3, 1], generator=torch.Generator().manual_seed(0)), 2)
    trainer = tg.AdversarialTrainer(G, packed, REAL, NOISE, seed=0, batch_size=2)
    with pytest.raises(ValueError, match="whole packs of 2 rows"):
        trainer.train_discriminator(torch.rand(3, 4), 1.0)
    trainer.train_discriminator(torch.rand(4, 4), 1.0)  # two packs: fine
