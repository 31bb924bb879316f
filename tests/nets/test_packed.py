"""Packed: consecutive rows side by side into the wrapped discriminator, checked batch sizes."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

import tinygan as tg


def hand_packed(d: nn.Module, x: torch.Tensor, m: int) -> torch.Tensor:
    """The oracle: build each pack by concatenating its m rows, one pack at a time."""
    packs = [torch.cat([x[j * m + i] for i in range(m)]) for j in range(x.shape[0] // m)]
    return d(torch.stack(packs))


@settings(max_examples=30, deadline=None)
@given(m=st.integers(1, 5), n=st.integers(1, 6), dim=st.integers(1, 4), seed=st.integers(0, 1000))
def test_scores_are_the_discriminator_on_hand_built_packs(m, n, dim, seed):
    d = tg.mlp([m * dim, 3, 1], bias=True, generator=torch.Generator().manual_seed(seed))
    x = torch.randn(n * m, dim, generator=torch.Generator().manual_seed(seed + 1))
    packed = tg.Packed(d, m)
    out = packed(x)
    assert out.shape == (n, 1)
    torch.testing.assert_close(out, hand_packed(d, x, m), rtol=0, atol=0)


def test_pack_lays_consecutive_rows_side_by_side():
    x = torch.arange(12.0).reshape(6, 2)
    assert tg.Packed(nn.Identity(), 3).pack(x).tolist() == [
        [0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
        [6.0, 7.0, 8.0, 9.0, 10.0, 11.0],
    ]


def test_m_equal_one_is_the_discriminator_and_parameters_are_shared():
    d = tg.mlp([2, 3, 1], generator=torch.Generator().manual_seed(0))
    packed = tg.Packed(d, 1)
    x = torch.randn(5, 2, generator=torch.Generator().manual_seed(1))
    assert torch.equal(packed(x), d(x))
    assert [p is q for p, q in zip(packed.parameters(), d.parameters(), strict=True)] == [True] * 2
    assert set(packed.state_dict()) == {f"discriminator.{k}" for k in d.state_dict()}
    assert "m=1" in repr(packed)


def test_gradients_reach_the_wrapped_discriminator():
    d = tg.mlp([4, 1], bias=True, generator=torch.Generator().manual_seed(0))
    tg.Packed(d, 2)(torch.ones(4, 2)).sum().backward()
    assert d[0].weight.grad is not None and d[0].weight.grad.shape == (1, 4)


def test_a_batch_m_does_not_divide_names_the_batch_size_and_m():
    packed = tg.Packed(tg.mlp([6, 1]), 3)
    with pytest.raises(ValueError, match=r"batch of 7 samples.*m=3"):
        packed(torch.zeros(7, 2))
    with pytest.raises(ValueError, match="shape"):
        packed(torch.zeros(6))


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((tg.mlp([2, 1]), 0), ValueError, "m"),
        ((tg.mlp([2, 1]), 1.5), TypeError, "m"),
        ((lambda x: x, 2), TypeError, "discriminator"),
    ],
)
def test_bad_arguments_name_the_argument(args, error, match):
    with pytest.raises(error, match=match):
        tg.Packed(*args)


def test_adversarial_trainer_takes_it_with_a_batch_size_m_divides():
    d = tg.mlp([4, 8, 1], bias=True, generator=torch.Generator().manual_seed(0))
    parts = (tg.mlp([2, 2]), tg.Packed(d, 2), tg.GaussianMixture.ring(), tg.GaussianNoise(2))
    trainer = tg.AdversarialTrainer(*parts, batch_size=6, seed=0).fit(2)
    assert trainer.step().fake.shape == (6, 2)
    with pytest.raises(ValueError, match=r"batch_size.*m=2.*5"):
        tg.AdversarialTrainer(*parts, batch_size=5, seed=0)
