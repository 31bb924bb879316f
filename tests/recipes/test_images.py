"""The convolutional digits recipe and the MNIST recipe: their parts, all from the seed."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import tinygan as tg
from tinygan.recipes.images import DIGITS_CONV_STEPS, MNIST_NOISE, digits_conv, mnist


@pytest.fixture(scope="module")
def small():
    images = torch.rand(40, 8, 8, generator=torch.Generator().manual_seed(0))
    return tg.ImageData(images, torch.arange(40) % 10)


def test_conv_recipe_is_the_conv_pair_with_its_remedies(small):
    trainer = digits_conv(0, data=small)
    G, D = trainer.generator, trainer.discriminator
    assert [type(m).__name__ for m in G].count("LayerNorm") == 2
    assert [type(m).__name__ for m in D] == [
        "Unflatten", "Conv2d", "LeakyReLU", "Conv2d", "LayerNorm", "LeakyReLU", "_MapStd",
        "Conv2d", "Flatten",
    ]  # fmt: skip
    assert isinstance(trainer.loss, nn.BCEWithLogitsLoss) and trainer.batch_size == 64
    assert trainer.d_optimizer.param_groups[0]["betas"] == (0.5, 0.999)
    assert DIGITS_CONV_STEPS == 5_000


@pytest.mark.parametrize("recipe", [digits_conv, lambda seed, data: mnist(seed, data=data)])
def test_everything_random_comes_from_the_seed(recipe, small):
    state = torch.random.get_rng_state()
    a, b = recipe(3, data=small), recipe(3, data=small)
    a.fit(3)
    b.fit(3)
    assert torch.equal(state, torch.random.get_rng_state())
    for p, q in zip(a.generator.parameters(), b.generator.parameters(), strict=True):
        assert torch.equal(p, q)


def test_mnist_recipe_grows_the_default_recipe(small):
    trainer = mnist(0, data=small)
    assert trainer.generator.sizes == (MNIST_NOISE, 256, 256, 64)  # to the data's width
    assert [type(m).__name__ for m in trainer.discriminator][-2:] == ["MinibatchStd", "Linear"]


def test_mnist_recipe_needs_its_images():
    with pytest.raises(TypeError, match=r"pass data=tinygan\.mnist"):
        mnist(0)
