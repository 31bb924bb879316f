"""Data sources: shapes, dtypes, ranges, determinism and the uniform distribution."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from tests import strategies as s

import tinygan as tg


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def assert_in_ranges(x: torch.Tensor, ranges: list[tuple[float, float]]) -> None:
    """Every column j of ``x`` lies in ``ranges[j]``, compared as Python floats."""
    for j, (low, high) in enumerate(ranges):
        column = x[:, j].tolist()
        assert all(v >= low for v in column), (j, low, min(column, default=None))
        assert all(v <= high for v in column), (j, high, max(column, default=None))


# --- FuzzyPattern -----------------------------------------------------------------------


def test_post_real_data_is_fuzzy_1010():
    x = tg.FuzzyPattern("1010").sample(1000, generator=gen(0))
    assert x.shape == (1000, 4) and x.dtype == torch.float32
    assert_in_ranges(x, [(0.8, 1.0), (0.0, 0.2), (0.8, 1.0), (0.0, 0.2)])


@settings(deadline=None)
@given(pattern=s.patterns, n=s.sample_counts, seed=s.seeds)
def test_pattern_shape_dtype_and_default_ranges(pattern, n, seed):
    source = tg.FuzzyPattern(pattern)
    x = source.sample(n, generator=gen(seed))
    assert source.dim == len(pattern)
    assert x.shape == (n, len(pattern))
    assert x.dtype == torch.float32
    assert_in_ranges(x, [(0.8, 1.0) if ch == "1" else (0.0, 0.2) for ch in pattern])


@settings(deadline=None)
@given(pattern=s.patterns, high=s.ranges(), low=s.ranges(), n=s.sample_counts, seed=s.seeds)
def test_pattern_samples_stay_in_any_range(pattern, high, low, n, seed):
    x = tg.FuzzyPattern(pattern, high=high, low=low).sample(n, generator=gen(seed))
    assert x.shape == (n, len(pattern))
    assert_in_ranges(x, [high if ch == "1" else low for ch in pattern])


@settings(deadline=None)
@given(pattern=s.patterns, high=s.ranges(), low=s.ranges(), seed=s.seeds)
def test_pattern_is_an_affine_map_of_one_uniform_draw(pattern, high, low, seed):
    """Sampling is ``low + u * (high - low)`` for one vectorised ``torch.rand`` draw."""
    n = 16
    x = tg.FuzzyPattern(pattern, high=high, low=low).sample(n, generator=gen(seed))
    u = torch.rand(n, len(pattern), generator=gen(seed)).double()
    lo = torch.tensor([(high if ch == "1" else low)[0] for ch in pattern], dtype=torch.float64)
    hi = torch.tensor([(high if ch == "1" else low)[1] for ch in pattern], dtype=torch.float64)
    expected = lo + u * (hi - lo)
    scale = torch.maximum(lo.abs(), hi.abs()) + 1.0
    assert torch.all((x.double() - expected).abs() <= 1e-6 * scale)


@settings(deadline=None)
@given(bits=s.pattern_sequences, n=s.sample_counts, seed=s.seeds)
def test_sequence_pattern_equals_string_pattern(bits, n, seed):
    text = "".join(str(b) for b in bits)
    from_seq = tg.FuzzyPattern(bits)
    assert from_seq.pattern == text and from_seq.dim == len(bits)
    assert torch.equal(
        from_seq.sample(n, generator=gen(seed)),
        tg.FuzzyPattern(text).sample(n, generator=gen(seed)),
    )


@settings(deadline=None)
@given(pattern=s.patterns, n=st.integers(1, 32), seed=s.seeds)
def test_same_generator_seed_same_samples(pattern, n, seed):
    source = tg.FuzzyPattern(pattern)
    assert torch.equal(source.sample(n, generator=gen(seed)), source.sample(n, generator=gen(seed)))


def test_different_seeds_give_different_samples():
    source = tg.FuzzyPattern("1010")
    assert not torch.equal(source.sample(8, generator=gen(0)), source.sample(8, generator=gen(1)))


def test_consecutive_draws_differ_and_advance_the_generator():
    g = gen(3)
    source = tg.FuzzyPattern("1010")
    assert not torch.equal(source.sample(4, generator=g), source.sample(4, generator=g))


def test_pattern_is_uniform_over_each_range():
    """Mean, spread and extremes of many samples match uniform on each range."""
    source = tg.FuzzyPattern("1100", high=(0.5, 0.9), low=(-1.0, 0.0))
    x = source.sample(100_000, generator=gen(11)).double().numpy()
    lows = np.array([0.5, 0.5, -1.0, -1.0])
    highs = np.array([0.9, 0.9, 0.0, 0.0])
    width = highs - lows
    np.testing.assert_allclose(x.mean(axis=0), (lows + highs) / 2, atol=0.01 * width.max())
    np.testing.assert_allclose(x.std(axis=0), width / math.sqrt(12), rtol=0.01)
    np.testing.assert_allclose(x.min(axis=0), lows, atol=0.001)
    np.testing.assert_allclose(x.max(axis=0), highs, atol=0.001)
    # Each decile of each range holds about a tenth of the samples.
    for j in range(4):
        counts, _ = np.histogram(x[:, j], bins=10, range=(lows[j], highs[j]))
        assert np.all(np.abs(counts - 10_000) < 500)


def test_a_pattern_may_be_an_array_or_a_tensor_of_bits():
    for bits in (np.array([1, 0, 1, 0]), torch.tensor([1, 0, 1, 0])):
        assert repr(tg.FuzzyPattern(bits)) == repr(tg.FuzzyPattern("1010"))
    with pytest.raises(TypeError, match="pattern must be"):
        tg.FuzzyPattern(torch.tensor([[1, 0]]))  # 2-d: not a sequence of bits
    with pytest.raises(ValueError, match="pattern must be"):
        tg.FuzzyPattern(np.array([1, 2]))


def test_pattern_properties():
    p = tg.FuzzyPattern([1, 0, 1, 0], high=(0.7, 0.9), low=(0.1, 0.2))
    assert p.pattern == "1010"
    assert p.bits == (1, 0, 1, 0)
    assert p.ranges == ((0.7, 0.9), (0.1, 0.2), (0.7, 0.9), (0.1, 0.2))
    torch.testing.assert_close(p.lower, torch.tensor([0.7, 0.1, 0.7, 0.1]))
    torch.testing.assert_close(p.upper, torch.tensor([0.9, 0.2, 0.9, 0.2]))
    torch.testing.assert_close(p.centre, torch.tensor([0.8, 0.15, 0.8, 0.15]))
    flipped = p.opposite()
    assert flipped.pattern == "0101" and flipped.high == p.high and flipped.low == p.low
    assert "1010" in repr(p)


def test_pattern_empty_range_is_constant():
    x = tg.FuzzyPattern("10", high=(0.5, 0.5), low=(0.25, 0.25)).sample(5, generator=gen(0))
    assert torch.equal(x, torch.tensor([[0.5, 0.25]] * 5))


@pytest.mark.parametrize("value", [0.1, 1.6501957099624178, -3.3])
def test_range_without_float32_values_gives_the_nearest_float32(value):
    """A zero-width range at a number float32 cannot hold samples its nearest float32."""
    nearest = torch.tensor(value, dtype=torch.float32)
    x = tg.FuzzyPattern("10", high=(value, value), low=(value, value)).sample(3, generator=gen(0))
    assert torch.equal(x, nearest.expand(3, 2))
    z = tg.UniformNoise(2, low=value, high=value).sample(3, generator=gen(0))
    assert torch.equal(z, nearest.expand(3, 2))


def test_sample_zero_rows():
    assert tg.FuzzyPattern("101").sample(0, generator=gen(0)).shape == (0, 3)
    assert tg.UniformNoise(3).sample(0, generator=gen(0)).shape == (0, 3)


def test_sample_accepts_numpy_integers():
    assert tg.FuzzyPattern("10").sample(np.int64(3), generator=gen(0)).shape == (3, 2)


# --- UniformNoise -----------------------------------------------------------------------


@settings(deadline=None)
@given(dim=s.dims, n=s.sample_counts, seed=s.seeds)
def test_noise_default_is_torch_rand(dim, n, seed):
    z = tg.UniformNoise(dim).sample(n, generator=gen(seed))
    assert z.shape == (n, dim) and z.dtype == torch.float32
    assert torch.equal(z, torch.rand(n, dim, generator=gen(seed)))
    assert all(0.0 <= v < 1.0 for v in z.flatten().tolist())


@settings(deadline=None)
@given(dim=s.dims, bounds=s.ranges(), n=s.sample_counts, seed=s.seeds)
def test_noise_stays_in_half_open_range(dim, bounds, n, seed):
    low, high = bounds
    z = tg.UniformNoise(dim, low=low, high=high).sample(n, generator=gen(seed))
    assert z.shape == (n, dim) and z.dtype == torch.float32
    values = z.flatten().tolist()
    assert all(v >= low for v in values)
    if high > low:
        assert all(v < high for v in values)
    else:
        assert all(v <= high for v in values)


def test_noise_is_uniform():
    z = tg.UniformNoise(3, low=-2.0, high=4.0).sample(100_000, generator=gen(5)).double().numpy()
    np.testing.assert_allclose(z.mean(axis=0), 1.0, atol=0.05)
    np.testing.assert_allclose(z.std(axis=0), 6.0 / math.sqrt(12), rtol=0.01)


@settings(deadline=None, max_examples=20)
@given(dim=s.dims, seed=s.seeds)
def test_noise_reproducible(dim, seed):
    noise = tg.UniformNoise(dim, low=-1.0, high=1.0)
    assert torch.equal(noise.sample(7, generator=gen(seed)), noise.sample(7, generator=gen(seed)))


def test_noise_repr_and_attributes():
    noise = tg.UniformNoise(4, low=-1.0, high=2.0)
    assert (noise.dim, noise.low, noise.high) == (4, -1.0, 2.0)
    assert "UniformNoise(4" in repr(noise)


def test_sources_use_the_global_rng_only_without_a_generator():
    with torch.random.fork_rng():
        torch.manual_seed(123)
        a = tg.FuzzyPattern("1010").sample(4)
        torch.manual_seed(123)
        b = tg.FuzzyPattern("1010").sample(4)
    assert torch.equal(a, b)
