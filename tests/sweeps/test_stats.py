import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygan as tg
from tinygan.sweeps import wilson_interval


@st.composite
def counts(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(st.integers(min_value=1, max_value=100_000))
    k = draw(st.integers(min_value=0, max_value=n))
    return k, n


# Newcombe (1998), "Two-sided confidence intervals for the single proportion",
# Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score, no correction).
NEWCOMBE = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("k", "n", "low", "high"), NEWCOMBE)
def test_matches_published_values(k, n, low, high):
    got = wilson_interval(k, n)
    assert got[0] == pytest.approx(low, abs=5e-5)
    assert got[1] == pytest.approx(high, abs=5e-5)


def test_hand_computed_8_of_10():
    # p = 0.8, z = 1.959964, z²/n = 0.384146
    # centre = (0.8 + 0.192073) / 1.384146 = 0.716740
    # half = 1.959964 / 1.384146 * sqrt(0.016 + 0.00960365) = 1.416008 * 0.160011 = 0.226577
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.716740 - 0.226577, abs=5e-6)
    assert high == pytest.approx(0.716740 + 0.226577, abs=5e-6)


def test_exact_ends():
    assert wilson_interval(0, 7)[0] == 0.0
    assert wilson_interval(7, 7)[1] == 1.0
    # 0 of n: the upper end solves p = z² / (n + z²)
    z2 = 1.959963984540054**2
    assert wilson_interval(0, 10)[1] == pytest.approx(z2 / (10 + z2), rel=1e-12)


def test_higher_confidence_is_wider():
    low95, high95 = wilson_interval(30, 100)
    low99, high99 = wilson_interval(30, 100, confidence=0.99)
    assert low99 < low95 < 0.3 < high95 < high99


def test_exported():
    assert tg.wilson_interval is wilson_interval


@given(counts())
def test_interval_holds_the_rate_inside_unit_range(kn):
    k, n = kn
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0
    assert low < high


@given(counts())
def test_symmetric_under_swapping_success_and_failure(kn):
    k, n = kn
    low, high = wilson_interval(k, n)
    flow, fhigh = wilson_interval(n - k, n)
    assert low == pytest.approx(1.0 - fhigh, abs=1e-12)
    assert high == pytest.approx(1.0 - flow, abs=1e-12)


@given(st.integers(min_value=1, max_value=5_000))
def test_half_is_centred_on_one_half(n):
    if n % 2:
        n += 1
    low, high = wilson_interval(n // 2, n)
    assert low + high == pytest.approx(1.0, abs=1e-12)


@given(st.integers(min_value=1, max_value=10_000))
def test_narrows_as_n_grows(n):
    low1, high1 = wilson_interval(n, 2 * n)
    low2, high2 = wilson_interval(2 * n, 4 * n)
    assert high2 - low2 < high1 - low1
    # width shrinks like 1/sqrt(n)
    assert (high1 - low1) / (high2 - low2) == pytest.approx(math.sqrt(2), rel=0.02 + 1 / n)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "name"),
    [
        ((1, 0), {}, ValueError, "n"),
        ((-1, 5), {}, ValueError, "successes"),
        ((6, 5), {}, ValueError, "successes"),
        ((1.0, 5), {}, TypeError, "successes"),
        ((1, "5"), {}, TypeError, "n"),
        ((1, 5), {"confidence": 1.0}, ValueError, "confidence"),
        ((1, 5), {"confidence": 0.0}, ValueError, "confidence"),
        ((1, 5), {"confidence": "0.9"}, TypeError, "confidence"),
    ],
)
def test_bad_input(args, kwargs, error, name):
    with pytest.raises(error, match=name):
        wilson_interval(*args, **kwargs)
