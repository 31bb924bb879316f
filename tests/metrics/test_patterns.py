"""Health metrics: properties over random batches, and exact values on constructed ones."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygan as tg
from tinygan import metrics

LOW = torch.tensor([0.8, 0.0, 0.8, 0.0])
HIGH = torch.tensor([1.0, 0.2, 1.0, 0.2])

_values = st.floats(-2.0, 2.0, allow_nan=False, width=32)


@st.composite
def batches(draw: st.DrawFn, min_n: int = 1) -> np.ndarray:
    n = draw(st.integers(min_n, 40))
    d = draw(st.integers(1, 6))
    return draw(hnp.arrays(np.float32, (n, d), elements=_values))


@st.composite
def batch_and_bounds(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = draw(batches())
    a = draw(hnp.arrays(np.float32, x.shape[1], elements=_values))
    b = draw(hnp.arrays(np.float32, x.shape[1], elements=_values))
    return x, np.minimum(a, b), np.maximum(a, b)


@given(batch_and_bounds())
@settings(deadline=None)
def test_shares_are_fractions_and_all_inside_is_at_most_each(args):
    x, lo, hi = (torch.from_numpy(a) for a in args)
    per = metrics.share_inside(x, lo, hi)
    together = metrics.share_all_inside(x, lo, hi)
    n = x.shape[0]
    assert per.shape == (x.shape[1],) and together.shape == ()
    assert bool(((per >= 0) & (per <= 1)).all()) and 0 <= float(together) <= 1
    assert float(together) <= float(per.min()) + 1e-7
    # Every share is a count over n: an oracle count in numpy.
    inside = (args[0] >= args[1]) & (args[0] <= args[2])
    np.testing.assert_allclose(per.numpy() * n, inside.sum(axis=0), atol=1e-4)
    assert round(float(together) * n) == int(inside.all(axis=1).sum())


@given(st.integers(1, 30), st.integers(0, 30), st.integers(0, 3))
@settings(deadline=None)
def test_share_inside_exact_on_constructed_batches(k_in, k_out, bad_position):
    inside_row = (LOW + HIGH) / 2
    outside_row = inside_row.clone()
    outside_row[bad_position] = HIGH[bad_position] + 0.5
    x = torch.stack([inside_row] * k_in + [outside_row] * k_out)
    per = metrics.share_inside(x, LOW, HIGH)
    expected = torch.ones(4)
    expected[bad_position] = k_in / (k_in + k_out)
    torch.testing.assert_close(per, expected)
    assert float(metrics.share_all_inside(x, LOW, HIGH)) == pytest.approx(k_in / (k_in + k_out))


def test_bounds_are_inclusive_and_real_data_is_all_inside():
    x = torch.stack([LOW, HIGH])
    assert metrics.share_inside(x, LOW, HIGH).tolist() == [1.0] * 4
    real = tg.FuzzyPattern("1010").sample(2000, generator=torch.Generator().manual_seed(0))
    pattern = tg.FuzzyPattern("1010")
    assert float(metrics.share_all_inside(real, pattern.lower, pattern.upper)) == 1.0


@given(batch_and_bounds())
@settings(deadline=None)
def test_centre_distance_against_numpy(args):
    x, lo, hi = args
    got = metrics.centre_distance(torch.from_numpy(x), torch.from_numpy(lo), torch.from_numpy(hi))
    oracle = np.abs(x.astype(np.float64).mean(axis=0) - (lo.astype(np.float64) + hi) / 2)
    assert bool((got >= 0).all())
    np.testing.assert_allclose(got.numpy(), oracle, atol=1e-5)


def test_centre_distance_exact():
    x = torch.tensor([[0.9, 0.0, 0.8, 0.2], [0.9, 0.1, 1.0, 0.2]])
    torch.testing.assert_close(
        metrics.centre_distance(x, LOW, HIGH), torch.tensor([0.0, 0.05, 0.0, 0.1])
    )


@given(batches(), st.floats(-3, 3).filter(lambda a: abs(a) > 1e-2), st.floats(-1, 1))
@settings(deadline=None, max_examples=60)
def test_spread_ratio_of_an_affine_map_is_its_scale(x, a, b):
    real = torch.from_numpy(x).double()
    if bool((metrics.spread(real) < 1e-3).any()):
        return  # a (nearly) constant position: the ratio is 0/0
    ratio = metrics.spread_ratio(a * real + b, real)
    np.testing.assert_allclose(ratio.numpy(), abs(a), rtol=1e-6)


@given(batches())
@settings(deadline=None)
def test_spread_against_numpy(x):
    got = metrics.spread(torch.from_numpy(x))
    assert bool((got >= 0).all())
    np.testing.assert_allclose(got.numpy(), x.astype(np.float64).std(axis=0), atol=1e-5)


def test_spread_exact_values():
    x = torch.tensor([[0.5, 1.0], [0.5, 3.0]])
    assert metrics.spread(x).tolist() == [0.0, 1.0]
    # Uniform on [0.8, 1.0] spreads 0.2 / sqrt(12) = 0.0577: the post's real data.
    real = tg.FuzzyPattern("1010").sample(200_000, generator=torch.Generator().manual_seed(1))
    np.testing.assert_allclose(metrics.spread(real).numpy(), 0.2 / np.sqrt(12), rtol=1e-2)
    # A generator that spreads 0.012 per position, as the post's does: ratio ~0.2.
    fake = 0.9 + 0.012 * np.sqrt(12) * (torch.rand(200_000, 4, generator=torch.Generator()) - 0.5)
    ratio = metrics.spread_ratio(fake, real)
    np.testing.assert_allclose(ratio.numpy(), 0.012 / (0.2 / np.sqrt(12)), rtol=2e-2)


def test_spread_ratio_of_constant_real_data():
    ratio = metrics.spread_ratio(torch.tensor([[0.0, 1.0], [1.0, 1.0]]), torch.ones(2, 2))
    assert ratio[0] == float("inf") and bool(ratio[1].isnan())


def test_mean_score_is_the_mean_output_and_changes_nothing():
    D = tg.mlp([4, 3, 1], generator=torch.Generator().manual_seed(0))
    before = [p.detach().clone() for p in D.parameters()]
    x = torch.rand(5, 4, generator=torch.Generator().manual_seed(1))
    w1, w2 = (layer.weight.detach() for layer in D.linears)
    oracle = torch.sigmoid(torch.sigmoid(x @ w1.T) @ w2.T).mean()
    score = metrics.mean_score(D, x)
    torch.testing.assert_close(score, oracle)
    assert not score.requires_grad
    assert all(torch.equal(a, b) for a, b in zip(before, D.parameters(), strict=True))
    assert all(p.grad is None for p in D.parameters())


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: metrics.share_inside(torch.zeros(4), LOW, HIGH), ValueError, "samples"),
        (lambda: metrics.share_inside(torch.zeros(0, 4), LOW, HIGH), ValueError, "n >= 1"),
        (lambda: metrics.share_inside([[0.0]], 0.0, 1.0), TypeError, "samples"),
        (lambda: metrics.share_inside(torch.zeros(2, 4), HIGH, LOW), ValueError, "low <= high"),
        (lambda: metrics.centre_distance(torch.zeros(2, 4), LOW[:3], HIGH), ValueError, "low"),
        (lambda: metrics.spread_ratio(torch.zeros(2, 4), torch.zeros(2, 3)), ValueError, "width"),
        (lambda: metrics.spread_ratio(torch.zeros(2, 4), torch.zeros(0, 4)), ValueError, "real"),
        (lambda: metrics.mean_score(tg.mlp([4, 1]), torch.zeros(4)), ValueError, "samples"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_scalar_bounds_broadcast():
    x = torch.tensor([[0.5, 2.0]])
    assert metrics.share_inside(x, 0.0, 1.0).tolist() == [1.0, 0.0]
