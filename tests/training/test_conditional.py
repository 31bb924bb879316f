"""The conditional trainer: labels joined to both networks, against a step written by hand."""

from __future__ import annotations

import copy
from functools import partial

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional

import tinygan as tg
from tinygan.training.labels import check_labels, join_labels

CORNERS = torch.tensor([[0.1, 0.1], [0.1, 0.9], [0.9, 0.1], [0.9, 0.9]])


def corners() -> tg.ImageData:
    """Four labelled points, 25 noisy copies of each: label c sits at CORNERS[c]."""
    rng = torch.Generator().manual_seed(5)
    labels = torch.arange(4).repeat(25)
    points = CORNERS[labels] + 0.02 * torch.randn(100, 2, generator=rng)
    return tg.ImageData(points, labels)


def make(seed: int = 0, **kwargs: object) -> tg.ConditionalTrainer:
    init = torch.Generator().manual_seed(seed)
    generator = tg.mlp([3 + 4, 16, 2], bias=True, generator=init)
    discriminator = tg.mlp([2 + 4, 16, 1], bias=True, generator=init)
    settings_: dict[str, object] = {"batch_size": 8, "seed": seed}
    settings_.update(kwargs)
    return tg.ConditionalTrainer(
        generator,
        discriminator,
        corners(),
        tg.GaussianNoise(3),
        **settings_,  # type: ignore[arg-type]
    )


def test_join_labels_appends_one_hot_columns() -> None:
    joined = join_labels(torch.tensor([[5.0], [6.0]]), torch.tensor([1, 0]), 3)
    assert torch.equal(joined, torch.tensor([[5.0, 0.0, 1.0, 0.0], [6.0, 1.0, 0.0, 0.0]]))


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(0, 12),
    width=st.integers(1, 5),
    classes=st.integers(2, 11),
    seed=st.integers(0, 2**31 - 1),
)
def test_join_labels_keeps_inputs_and_reads_back_labels(
    rows: int, width: int, classes: int, seed: int
) -> None:
    rng = torch.Generator().manual_seed(seed)
    inputs = torch.randn(rows, width, generator=rng, dtype=torch.float64)
    labels = torch.randint(classes, (rows,), generator=rng)
    joined = join_labels(inputs, labels, classes)
    assert joined.shape == (rows, width + classes) and joined.dtype == torch.float64
    assert torch.equal(joined[:, :width], inputs)
    assert torch.equal(joined[:, width:].sum(dim=1), torch.ones(rows, dtype=torch.float64))
    if rows:
        assert torch.equal(joined[:, width:].argmax(dim=1), labels)


@pytest.mark.parametrize(
    ("labels", "error", "words"),
    [
        ([0.5, 1.0], TypeError, "labels must be integers in [0, 4)"),
        ([[0, 1]], ValueError, "one-dimensional"),
        ([0, 4], ValueError, "from 0 to 4"),
        ([-1], ValueError, "from -1 to -1"),
        ("ab", TypeError, "labels must be integers"),
    ],
)
def test_check_labels_names_what_is_wrong(labels: object, error: type, words: str) -> None:
    with pytest.raises(error, match=words.replace("[", r"\[").replace(")", r"\)")):
        check_labels(labels, 4)


def test_sample_labelled_draws_the_rows_sample_draws() -> None:
    data = corners()
    plain = data.sample(20, generator=torch.Generator().manual_seed(3))
    rows, labels = data.sample_labelled(20, generator=torch.Generator().manual_seed(3))
    assert torch.equal(plain, rows)
    assert torch.equal(data.labels[labels], labels)  # type: ignore[index]
    assert ((rows - CORNERS[labels]).abs() < 0.1).all()
    assert isinstance(data, tg.LabelledSource)


def test_sample_labelled_without_labels_says_so() -> None:
    with pytest.raises(ValueError, match="labels="):
        tg.ImageData(torch.zeros(3, 2)).sample_labelled(1)


def hand_step(trainer: tg.ConditionalTrainer, rng: torch.Generator) -> None:
    """One iteration by hand: the three steps with plain SGD at lr, MSE, from rng."""
    g, d, lr, n = trainer.generator, trainer.discriminator, trainer.lr, trainer.batch_size
    eye = torch.eye(4)
    real, labels = trainer.real.sample_labelled(n, generator=rng)  # type: ignore[attr-defined]

    def sgd(loss: torch.Tensor, params: list[torch.Tensor]) -> None:
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, grad in zip(params, grads, strict=True):
                p -= lr * grad

    d_params = list(d.parameters())
    sgd(((d(torch.cat([real, eye[labels]], 1)) - 1) ** 2).mean(), d_params)
    with torch.no_grad():
        fake = g(torch.cat([trainer.noise.sample(n, generator=rng), eye[labels]], 1))
    sgd((d(torch.cat([fake, eye[labels]], 1)) ** 2).mean(), d_params)
    z = trainer.noise.sample(n, generator=rng)
    out = d(torch.cat([g(torch.cat([z, eye[labels]], 1)), eye[labels]], 1))
    sgd(((out - 1) ** 2).mean(), list(g.parameters()))


def test_step_is_the_three_steps_on_joined_inputs() -> None:
    trainer = make()
    by_hand = copy.deepcopy(trainer)
    rng = torch.Generator().manual_seed(0)
    for _ in range(3):
        trainer.step()
        hand_step(by_hand, rng)
    for name in ("generator", "discriminator"):
        mine = getattr(trainer, name).state_dict()
        theirs = getattr(by_hand, name).state_dict()
        for key in mine:
            torch.testing.assert_close(mine[key], theirs[key], rtol=0, atol=1e-6)


def test_d_steps_draws_a_real_batch_per_d_step() -> None:
    trainer = make(d_steps=3)
    calls: list[int] = []
    sample = trainer.real.sample_labelled  # type: ignore[attr-defined]

    def counted(n: int, *, generator: torch.Generator | None = None) -> object:
        calls.append(n)
        return sample(n, generator=generator)

    trainer.real.sample_labelled = counted  # type: ignore[attr-defined]
    trainer.fit(2)
    trainer.step()
    assert calls == [8] * 9  # two iterations by fit, one by step: three D steps each


def test_the_same_seed_gives_the_same_numbers() -> None:
    a, b = make(seed=4).fit(20), make(seed=4).fit(20)
    for pa, pb in zip(a.generator.parameters(), b.generator.parameters(), strict=True):
        assert torch.equal(pa, pb)


def test_it_learns_to_draw_the_label_asked_for() -> None:
    init = torch.Generator().manual_seed(1)
    generator = tg.mlp(
        [3 + 4, 32, 2], bias=True, activation=partial(nn.LeakyReLU, 0.2), generator=init
    )
    discriminator = tg.mlp(
        [2 + 4, 32, 1],
        bias=True,
        activation=partial(nn.LeakyReLU, 0.2),
        output_activation=None,
        generator=init,
    )
    trainer = tg.ConditionalTrainer(
        generator,
        discriminator,
        corners(),
        tg.GaussianNoise(3),
        batch_size=32,
        seed=1,
        loss=nn.BCEWithLogitsLoss(),
        optimizer=partial(torch.optim.Adam, lr=5e-3, betas=(0.5, 0.999)),
    )
    labels = torch.arange(4).repeat_interleave(50)

    def right() -> float:
        drawn = trainer.generate(labels, generator=torch.Generator().manual_seed(0))
        return float((torch.cdist(drawn, CORNERS).argmin(dim=1) == labels).double().mean())

    assert right() < 0.5  # untrained: about chance, a quarter
    trainer.fit(400)
    assert right() >= 0.95


def test_generate_leaves_training_untouched() -> None:
    trainer = make()
    trainer.generator.train()  # type: ignore[attr-defined]
    state = trainer.rng.get_state()
    drawn = trainer.generate([0, 3, 3], generator=torch.Generator().manual_seed(0))
    assert drawn.shape == (3, 2) and not drawn.requires_grad
    assert torch.equal(trainer.rng.get_state(), state)
    assert trainer.generator.training  # type: ignore[attr-defined]
    noise = torch.zeros(2, 3)
    expected = trainer.generator(torch.cat([noise, torch.eye(4)[[1, 2]]], 1)).detach()
    assert torch.equal(trainer.generate(torch.tensor([1, 2]), noise), expected)


@pytest.mark.parametrize(
    ("labels", "noise", "error", "words"),
    [
        ([4], None, ValueError, r"labels must be integers in \[0, 4\)"),
        ([0, 1], torch.zeros(3, 3), ValueError, r"noise must have shape \(2, 3\)"),
        ([0], [[0.0, 0.0, 0.0]], TypeError, "noise must be a tensor"),
    ],
)
def test_generate_names_bad_input(labels: object, noise: object, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        make().generate(labels, noise)  # type: ignore[arg-type]


def test_an_unlabelled_source_is_refused_by_name() -> None:
    init = torch.Generator().manual_seed(0)
    with pytest.raises(TypeError, match="real must be a labelled data source"):
        tg.ConditionalTrainer(
            tg.mlp([4, 4]), tg.mlp([4, 1]), tg.FuzzyPattern("1010"), tg.UniformNoise(4)
        )
    with pytest.raises(ValueError, match=r"real\.classes must be an integer of at least 2"):
        tg.ConditionalTrainer(
            tg.mlp([4, 2], generator=init),
            tg.mlp([2, 1], generator=init),
            tg.ImageData(torch.zeros(3, 2)),
            tg.UniformNoise(4),
        )


def test_widths_that_forget_the_labels_are_named() -> None:
    with pytest.raises(ValueError, match=r"noise.dim \+ classes \(4\) is 7"):
        tg.ConditionalTrainer(tg.mlp([3, 2]), tg.mlp([6, 1]), corners(), tg.GaussianNoise(3))
    with pytest.raises(ValueError, match=r"real.dim \+ classes \(4\) is 6"):
        tg.ConditionalTrainer(tg.mlp([7, 2]), tg.mlp([2, 1]), corners(), tg.GaussianNoise(3))


def test_only_autograd_serves_it_and_the_refusal_says_why() -> None:
    assert make().backend == "autograd"
    assert make(backend="autograd").backend_info() == {"name": "autograd"}
    for name in ("fused", "native"):
        with pytest.raises(ValueError, match="joins labels to its networks' inputs"):
            make(backend=name)


def test_other_objectives_and_a_checkpoint_carry_on_exactly() -> None:
    trainer = make(objective="hinge").fit(5)
    state = copy.deepcopy(trainer.state_dict())
    trainer.fit(5)
    again = make(objective="hinge")
    again.load_state_dict(state)
    again.fit(5)
    assert again.iteration == trainer.iteration == 10
    for pa, pb in zip(trainer.generator.parameters(), again.generator.parameters(), strict=True):
        assert torch.equal(pa, pb)


def test_its_loss_is_computed_on_joined_inputs() -> None:
    trainer = make()
    record = trainer.step()
    assert record.fake is not None and record.fake.shape == (8, 2)
    assert record.g_loss is not None and record.g_loss.shape == ()
    assert functional.mse_loss is trainer.loss
