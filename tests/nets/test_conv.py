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


def test_norm_and_minibatch_std_options():
    G = tg.conv_generator(8, (8, 8), width=4, norm=True, generator=gen(0))
    norms = [m for m in G if isinstance(m, nn.LayerNorm)]
    assert [tuple(m.normalized_shape) for m in norms] == [(8, 2, 2), (4, 4, 4)]
    assert all(m.weight.detach().eq(1).all() and m.bias.detach().eq(0).all() for m in norms)
    D = tg.conv_discriminator((8, 8), width=4, norm=True, minibatch_std=True, generator=gen(1))
    assert D[-2].in_channels == 9  # 8 channels and the batch's standard deviation
    images = torch.rand(6, 64, generator=gen(2))
    assert D(images).shape == (6, 1)


def test_the_minibatch_channel_is_the_batchs_mean_standard_deviation():
    D = tg.conv_discriminator((8, 8), width=2, minibatch_std=True, generator=gen(0))
    maps = torch.randn(5, 4, 2, 2, generator=gen(1))
    out = D[-3](maps)  # the layer that appends the channel
    expected = (maps.var(dim=0, unbiased=False) + 1e-8).sqrt().mean()
    assert out.shape == (5, 5, 2, 2) and torch.equal(out[:, :4], maps)
    assert torch.allclose(out[:, 4], expected.expand(5, 2, 2), atol=1e-6)


def test_a_batch_that_does_not_vary_is_seen():
    D = tg.conv_discriminator((8, 8), width=2, minibatch_std=True, generator=gen(0))
    same = torch.rand(1, 64, generator=gen(1)).repeat(4, 1)
    with torch.no_grad():
        assert float(D[:-2](same)[:, -1].abs().max()) < 1e-3  # the appended channel: ~0


@pytest.mark.parametrize("option", ["norm", "minibatch_std"])
def test_options_must_be_bools(option):
    with pytest.raises(TypeError, match=f"{option} must be a bool"):
        tg.conv_discriminator((8, 8), **{option: 1})
