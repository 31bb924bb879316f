"""The DCGAN-style pair: shapes for 8x8 and 28x28, weights from the generator only,
and a few training steps through the ordinary trainer."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

import tinygan as tg


def gen(seed):
    return torch.Generator().manual_seed(seed)


@settings(max_examples=10, deadline=None)
@given(
    h=st.sampled_from([4, 8, 12, 28]),
    w=st.sampled_from([4, 8, 28]),
    n=st.integers(1, 5),
    noise=st.integers(1, 20),
)
def test_shapes_and_ranges(h, w, n, noise):
    G = tg.conv_generator(noise, (h, w), width=4, generator=gen(0))
    D = tg.conv_discriminator((h, w), width=4, generator=gen(1))
    images = G(torch.randn(n, noise, generator=gen(2)))
    assert images.shape == (n, h * w)
    assert bool(((images > 0) & (images < 1)).all())
    assert D(images).shape == (n, 1)


def test_weights_come_from_the_generator_alone():
    state = torch.random.get_rng_state()
    a = tg.conv_generator(16, generator=gen(5))
    b = tg.conv_generator(16, generator=gen(5))
    assert torch.equal(state, torch.random.get_rng_state())
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)
    weights = torch.cat([m.weight.detach().flatten() for m in a if hasattr(m, "weight")])
    assert abs(float(weights.std()) - 0.02) < 0.002
    biases = [m.bias.detach() for m in a if getattr(m, "bias", None) is not None]
    assert all(float(b.abs().max()) == 0 for b in biases)


def test_the_output_of_one_image_does_not_depend_on_the_batch():
    G = tg.conv_generator(8, generator=gen(0))
    z = torch.randn(6, 8, generator=gen(1))
    assert torch.allclose(G(z)[:1], G(z[:1]), atol=1e-6)


def test_trains_with_the_adversarial_trainer():
    data = tg.ImageData(torch.rand(32, 8, 8, generator=gen(0)))
    trainer = tg.AdversarialTrainer(
        tg.conv_generator(8, width=4, generator=gen(1)),
        tg.conv_discriminator(width=4, generator=gen(2)),
        data,
        tg.GaussianNoise(8),
        batch_size=8,
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-4),
        seed=0,
    )
    first = [p.clone() for p in trainer.generator.parameters()]
    trainer.fit(3)
    after = list(trainer.generator.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(first, after, strict=True))


@pytest.mark.parametrize("shape", [(7, 8), (8,), (1, 2, 8, 8), "88", (8.0, 8.0), (0, 8)])
def test_bad_shapes_are_named(shape):
    with pytest.raises(ValueError, match="shape must be"):
        tg.conv_discriminator(shape)


def test_bad_generator_is_named():
    with pytest.raises(TypeError, match="generator must be"):
        tg.conv_generator(4, generator=3)
