"""The digits recipes: the issue's naive networks, everything random from the seed."""

from __future__ import annotations

from functools import partial

import pytest
import torch
from torch import nn

import tinygan as tg
from tinygan.engine import fused
from tinygan.recipes import DIGITS_NAIVE_STEPS, DIGITS_STEPS, digits, digits_naive
from tinygan.recipes.digits import DIGITS_LADDER, digits_ladder


@pytest.fixture(scope="module")
def small():
    """A tiny labelled stand-in for the digits: 40 random 8x8 images."""
    images = torch.rand(40, 8, 8, generator=torch.Generator().manual_seed(0))
    return tg.ImageData(images, torch.arange(40) % 10)


def test_naive_recipe_is_the_issues_networks(small):
    trainer = digits_naive(0, data=small)
    G, D = trainer.generator, trainer.discriminator
    assert G.sizes == (16, 128, 128, 64) and D.sizes == (64, 128, 1)
    assert [type(m).__name__ for m in G] == [
        "Linear", "LeakyReLU", "Linear", "LeakyReLU", "Linear", "Sigmoid"
    ]  # fmt: skip
    assert [type(m).__name__ for m in D] == ["Linear", "LeakyReLU", "Linear"]
    assert G[1].negative_slope == 0.2 and G.bias and D.bias
    assert isinstance(trainer.loss, nn.BCEWithLogitsLoss)
    for opt in (trainer.g_optimizer, trainer.d_optimizer):
        assert type(opt) is torch.optim.Adam and opt.param_groups[0]["lr"] == 2e-4
    assert trainer.batch_size == 64 and isinstance(trainer.noise, tg.GaussianNoise)
    assert trainer.noise.dim == 16 and DIGITS_NAIVE_STEPS == 4000
    assert fused.net_spec(G) is None and fused.net_spec(D) is None


def test_default_recipe_adds_layernorm_minibatch_std_and_faster_adam(small):
    trainer = digits(0, data=small)
    G, D = trainer.generator, trainer.discriminator
    assert G.norm == "LayerNorm"
    assert [type(m).__name__ for m in D] == [
        "Linear", "LayerNorm", "LeakyReLU", "MinibatchStd", "Linear"
    ]  # fmt: skip
    assert D[-1].in_features == 129
    for opt in (trainer.g_optimizer, trainer.d_optimizer):
        assert opt.param_groups[0]["lr"] == 1e-3 and opt.param_groups[0]["betas"] == (0.5, 0.999)
    assert DIGITS_STEPS >= DIGITS_NAIVE_STEPS


def kinds(net):
    return [type(m).__name__ for m in net]


def test_each_rung_adds_one_change(small):
    plain, bce, modern, adam, default = (digits_ladder(0, r, data=small) for r in DIGITS_LADDER)
    # plain: the post's GAN on images: sigmoids everywhere, MSE, SGD 0.01
    assert kinds(plain.generator) == ["Linear", "Sigmoid"] * 3
    assert kinds(plain.discriminator) == ["Linear", "Sigmoid"] * 2
    assert isinstance(plain.loss, nn.MSELoss) and type(plain.d_optimizer) is torch.optim.SGD
    assert plain.d_optimizer.param_groups[0]["lr"] == 0.01
    # bce: D gives logits to BCE; nothing else changes
    assert kinds(bce.discriminator) == ["Linear", "Sigmoid", "Linear"]
    assert isinstance(bce.loss, nn.BCEWithLogitsLoss) and type(bce.g_optimizer) is torch.optim.SGD
    assert kinds(bce.generator) == kinds(plain.generator)
    # leaky-layernorm: hidden sigmoids become LayerNorm + LeakyReLU
    assert kinds(modern.generator) == ["Linear", "LayerNorm", "LeakyReLU"] * 2 + [
        "Linear",
        "Sigmoid",
    ]
    assert kinds(modern.discriminator) == ["Linear", "LayerNorm", "LeakyReLU", "Linear"]
    assert type(modern.d_optimizer) is torch.optim.SGD
    # adam: the optimiser alone
    assert kinds(adam.discriminator) == kinds(modern.discriminator)
    for opt in (adam.g_optimizer, adam.d_optimizer):
        assert type(opt) is torch.optim.Adam and opt.param_groups[0]["lr"] == 1e-3
        assert opt.param_groups[0]["betas"] == (0.5, 0.999)
    # default: minibatch std before D's last layer; it is digits()
    assert kinds(default.discriminator) == [
        "Linear", "LayerNorm", "LeakyReLU", "MinibatchStd", "Linear"
    ]  # fmt: skip
    again = digits(0, data=small)
    for p, q in zip(default.generator.parameters(), again.generator.parameters(), strict=True):
        assert torch.equal(p, q)
    for trainer in (plain, bce, modern, adam, default):
        assert trainer.batch_size == 64 and trainer.noise.dim == 16
    assert DIGITS_STEPS == 10_000


def test_an_unknown_rung_is_named(small):
    with pytest.raises(ValueError, match="rung must be one of plain, bce"):
        digits_ladder(0, "wgan", data=small)


@pytest.mark.parametrize("recipe", [digits, digits_naive, partial(digits_ladder, rung="plain")])
def test_everything_random_comes_from_the_seed(recipe, small):
    state = torch.random.get_rng_state()
    a, b, c = recipe(3, data=small), recipe(3, data=small), recipe(4, data=small)
    a.fit(5)
    b.fit(5)
    c.fit(5)
    assert torch.equal(state, torch.random.get_rng_state())
    for p, q in zip(a.generator.parameters(), b.generator.parameters(), strict=True):
        assert torch.equal(p, q)
    assert any(
        not torch.equal(p, q)
        for p, q in zip(a.generator.parameters(), c.generator.parameters(), strict=True)
    )


def test_default_data_is_the_digits():
    pytest.importorskip("sklearn")
    trainer = digits(0)
    assert len(trainer.real) == 1797 and trainer.real.shape == (8, 8)
