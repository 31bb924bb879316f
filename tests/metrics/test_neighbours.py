"""coverage_density and neighbour_radii against plain loops (Naeem et al.'s definitions)."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygan.metrics import CoverageDensity, coverage_density, neighbour_radii


def loops(real, fake, k):
    """The paper's definitions, one distance at a time."""
    r, f = real.double().tolist(), fake.double().tolist()

    def dist(a, b):
        return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)))

    radii = [sorted(dist(a, b) for j, b in enumerate(r) if j != i)[k - 1] for i, a in enumerate(r)]
    inside = [[dist(x, a) <= radii[i] for i, a in enumerate(r)] for x in f]
    coverage = sum(any(row[i] for row in inside) for i in range(len(r))) / len(r)
    density = sum(sum(row) for row in inside) / (k * len(f))
    return radii, coverage, density


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(3, 12),
    m=st.integers(1, 12),
    width=st.integers(1, 3),
    k=st.integers(1, 2),
    seed=st.integers(0, 2**31 - 1),
)
def test_matches_the_definitions(n, m, width, k, seed):
    g = torch.Generator().manual_seed(seed)
    real = torch.randn(n, width, generator=g, dtype=torch.float64)
    fake = torch.randn(m, width, generator=g, dtype=torch.float64) * 1.5
    radii, coverage, density = loops(real, fake, k)
    assert neighbour_radii(real, k).tolist() == pytest.approx(radii, abs=1e-12)
    got = coverage_density(real, fake, neighbours=k)
    assert got.coverage == pytest.approx(coverage, abs=1e-12)
    assert got.density == pytest.approx(density, abs=1e-12)


def test_hand_computed():
    # radii with k = 1: 1, 1, 1, 8 (the last point's nearest neighbour is 8 away)
    real = torch.tensor([[0.0], [1.0], [2.0], [10.0]])
    assert neighbour_radii(real, 1).tolist() == [1.0, 1.0, 1.0, 8.0]
    # five copies of 0 lie in the balls of 0 and 1 (closed balls): coverage 2/4, density 10/5
    assert coverage_density(real, torch.zeros(5, 1), neighbours=1) == CoverageDensity(0.5, 2.0)
    # far away: nothing covered, no density
    assert coverage_density(real, torch.full((3, 1), 100.0), neighbours=1) == CoverageDensity(
        0.0, 0.0
    )


def test_repeating_one_real_sample_covers_only_its_neighbourhood():
    """The failure coverage is made for: one good sample, repeated."""
    real = torch.arange(20.0)[:, None]
    got = coverage_density(real, real[5:6].repeat(100, 1), neighbours=2)
    # inside, the 2nd nearest neighbour is 1 away: only the balls of 4, 5 and 6 hold 5
    assert got.coverage == pytest.approx(3 / 20)
    assert got.density == pytest.approx(3 / 2)


def test_given_radii_are_used():
    real = torch.tensor([[0.0], [1.0], [3.0]])
    radii = neighbour_radii(real, 1)
    fake = torch.tensor([[0.5], [2.5]])
    assert coverage_density(real, fake, neighbours=1, radii=radii) == coverage_density(
        real, fake, neighbours=1
    )


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: neighbour_radii(torch.zeros(2, 1), 2), r"n >= 3"),
        (lambda: neighbour_radii(torch.zeros(5), 1), r"features \(n, width\)"),
        (lambda: coverage_density(torch.zeros(9, 2), torch.zeros(3, 3)), "same width"),
        (lambda: coverage_density(torch.zeros(9, 2), torch.zeros(0, 2)), r"fake must be"),
        (lambda: coverage_density(torch.zeros(9, 1), torch.tensor([[math.nan]])), "finite"),
        (
            lambda: coverage_density(torch.zeros(9, 1), torch.zeros(2, 1), radii=torch.ones(3)),
            "radii must have one entry",
        ),
    ],
)
def test_bad_input_is_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_neighbours_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="neighbours"):
        neighbour_radii(torch.zeros(4, 1), 0)
