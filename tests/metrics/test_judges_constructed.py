"""The pattern and mixture judges against failures built on purpose, and the pattern
judge's blind spots, as docs/metrics.rst states them ("What each judge can and cannot
see"). The mixture judge's rule is not settled here: only failures that fail under the
rule in force, whatever its share of high-quality samples (every mode captured), are."""

from __future__ import annotations

import math

import pytest
import torch

import tinygan as tg
from tinygan.metrics import mixture_judge, pattern_judge


def gen(seed):
    return torch.Generator().manual_seed(seed)


# --- the pattern judge ----------------------------------------------------------------


@pytest.fixture(scope="module")
def pattern():
    return tg.FuzzyPattern("1010")


def test_real_patterns_succeed_in_every_draw(pattern):
    for i in range(20):
        assert pattern_judge(pattern.sample(1000, generator=gen(i)), pattern)["success"] is True


def half_and_half(p, g):
    return torch.cat([p.sample(500, generator=g), p.opposite().sample(500, generator=g)])


@pytest.mark.parametrize(
    ("name", "make", "distance"),
    [
        ("the opposite pattern", lambda p, g: p.opposite().sample(1000, generator=g), 0.7),
        ("uniform noise", lambda p, g: torch.rand(1000, 4, generator=g), 0.3),
        ("all 0.5", lambda p, g: torch.full((1000, 4), 0.5), 0.3),
        ("half real, half opposite", lambda p, g: half_and_half(p, g), 0.3),
    ],
)  # fmt: skip
def test_means_outside_the_ranges_fail(pattern, name, make, distance):
    for i in range(20):
        verdict = pattern_judge(make(pattern, gen(i)), pattern)
        assert verdict["success"] is False, name
        assert verdict["distance"] == pytest.approx(distance, abs=0.03), name


def test_blind_spot_one_real_sample_repeated_succeeds_with_no_spread(pattern):
    """Collapse onto one good output: success, but every spread is 0 (the post's flaw)."""
    one = pattern.sample(1, generator=gen(0)).repeat(1000, 1)
    verdict = pattern_judge(one, pattern)
    assert verdict["success"] is True
    assert all(verdict[f"spread_{j}"] == 0.0 for j in range(1, 5))


def test_blind_spot_right_means_from_outputs_outside_the_ranges_succeed(pattern):
    """0 or 1 at each position, in the proportions that put the mean at 0.9 and 0.1."""
    g = gen(1)
    high = (torch.rand(1000, 2, generator=g) < 0.9).float()
    low = (torch.rand(1000, 2, generator=g) < 0.1).float()
    x = torch.stack([high[:, 0], low[:, 0], high[:, 1], low[:, 1]], dim=1)
    verdict = pattern_judge(x, pattern)
    assert verdict["success"] is True
    assert verdict["spread_1"] > 0.25  # real data's spread is 0.058: spread shows it


# --- the mixture judge ----------------------------------------------------------------


@pytest.fixture(scope="module")
def ring():
    return tg.GaussianMixture.ring()


def test_real_ring_samples_succeed_in_every_draw(ring):
    for i in range(20):
        verdict = mixture_judge(ring.sample(2500, generator=gen(i)), ring)
        assert verdict["success"] is True and verdict["modes"] == 8
        assert verdict["high_quality"] > 0.98


def one_sample(ring, g):
    return ring.sample(1, generator=g).repeat(2500, 1)


def seven_modes(ring, g):
    x = ring.sample(5000, generator=g)
    nearest = torch.cdist(x, ring.means).argmin(dim=1)
    return x[nearest != 0][:2500]


def smeared_circle(ring, g):
    angle = 2 * math.pi * torch.rand(2500, generator=g)
    return torch.stack([angle.cos(), angle.sin()], dim=1)


def box_noise(ring, g):
    return 3 * torch.rand(2500, 2, generator=g) - 1.5


@pytest.mark.parametrize(
    ("make", "modes_below", "high_quality_below"),
    [
        (one_sample, 2, 1.01),  # every sample good, one mode
        (seven_modes, 8, 1.01),  # every sample good, a mode missed
        (smeared_circle, 9, 0.12),  # the octagon's limit: all modes touched, few good
        (box_noise, 9, 0.01),
    ],
)
def test_failures_fail_in_every_draw(ring, make, modes_below, high_quality_below):
    for i in range(20):
        verdict = mixture_judge(make(ring, gen(i)), ring)
        assert verdict["success"] is False
        assert verdict["modes"] < modes_below and verdict["high_quality"] < high_quality_below
