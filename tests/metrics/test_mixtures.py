"""mode_coverage and mixture_judge: constructed cases with known answers, and a numpy oracle."""

from __future__ import annotations

import csv
import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.strategies import mixtures

import tinygan as tg
from tinygan.metrics import (
    SUCCESS_HIGH_QUALITY,
    ModeCoverage,
    default_judge,
    mixture_judge,
    mode_coverage,
)

PAPER = Path(__file__).resolve().parents[2] / "docs" / "pacgan_table1.csv"
RING = tg.GaussianMixture.ring()
GRID = tg.GaussianMixture.grid()


@pytest.mark.parametrize("mix", [RING, GRID])
def test_all_samples_at_the_means_cover_every_mode(mix):
    k = len(mix.means)
    cover = mode_coverage(mix.means.repeat(4, 1), mix)
    assert cover == ModeCoverage(modes=k, high_quality=1.0, reverse_kl=0.0, counts=(4,) * k)


@pytest.mark.parametrize("mix", [RING, GRID])
def test_all_samples_at_one_mean_give_one_mode_and_log_k(mix):
    k = len(mix.means)
    cover = mode_coverage(mix.means[2:3].repeat(50, 1), mix)
    assert cover.modes == 1 and cover.high_quality == 1.0
    assert cover.reverse_kl == pytest.approx(math.log(k), rel=1e-12)
    assert cover.counts == tuple(50 if i == 2 else 0 for i in range(k))


def test_samples_far_from_every_mode_are_not_high_quality():
    far = torch.full((30, 2), 100.0)
    between = (RING.means[:1] + RING.means[1:2]) / 2  # halfway between two modes
    for samples in (far, between.repeat(5, 1)):
        cover = mode_coverage(samples, RING)
        assert cover.modes == 0 and cover.high_quality == 0.0
        assert cover.reverse_kl == math.inf and cover.counts == (0,) * 8
    empty = mode_coverage(torch.zeros(0, 2), RING)
    assert empty.high_quality == 0.0 and empty.reverse_kl == math.inf


def test_threshold_is_in_standard_deviations():
    at = RING.means[:1] + torch.tensor([[0.0, 0.03]])
    assert mode_coverage(at, RING, threshold=3.01).high_quality == 1.0
    assert mode_coverage(at, RING, threshold=2.9).high_quality == 0.0
    assert mode_coverage(at, RING, threshold=10.0).modes == 1


def test_half_the_samples_good_and_a_known_histogram():
    # 3 at mode 0, 1 at mode 1, 4 far away: q = (3/4, 1/4, 0, ...), p = 1/8 each.
    samples = torch.cat([RING.means[[0, 0, 0, 1]], torch.full((4, 2), 9.0)])
    cover = mode_coverage(samples, RING)
    expected = 0.75 * math.log(0.75 * 8) + 0.25 * math.log(0.25 * 8)
    assert cover.modes == 2 and cover.high_quality == 0.5
    assert cover.reverse_kl == pytest.approx(expected, rel=1e-12)


def test_weights_enter_the_reverse_kl():
    mix = tg.GaussianMixture([[0.0, 0.0], [1.0, 0.0]], 0.01, weights=[0.25, 0.75])
    samples = mix.means[[0, 1, 1, 1]]
    assert mode_coverage(samples, mix).reverse_kl == pytest.approx(0.0, abs=1e-12)
    zero = tg.GaussianMixture([[0.0, 0.0], [1.0, 0.0]], 0.01, weights=[0.0, 1.0])
    assert mode_coverage(samples, zero).reverse_kl == math.inf


def numpy_coverage(x: np.ndarray, means: np.ndarray, std: float, p: np.ndarray, t: float):
    """The definitions, written out sample by sample."""
    counts = np.zeros(len(means), dtype=int)
    for row in x:
        d = [math.sqrt(sum((a - b) ** 2 for a, b in zip(row, mu, strict=True))) for mu in means]
        k = int(np.argmin(d))
        if d[k] <= t * std:
            counts[k] += 1
    total = counts.sum()
    if total == 0:
        kl = math.inf
    else:
        kl = 0.0
        for c, pk in zip(counts, p, strict=True):
            if c:
                kl += math.inf if pk == 0 else c / total * math.log(c / total / pk)
    return int((counts > 0).sum()), total / len(x), kl, tuple(int(c) for c in counts)


@settings(max_examples=60, deadline=None)
@given(
    args=mixtures(max_components=5, max_dim=3),
    n=st.integers(1, 60),
    spread=st.floats(0.5, 5.0),
    threshold=st.floats(0.5, 5.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_agrees_with_a_direct_numpy_implementation(args, n, spread, threshold, seed):
    mix = tg.GaussianMixture(args["means"], args["std"], weights=args["weights"])
    rng = torch.Generator().manual_seed(seed)
    # Samples near the modes, some high quality and some not.
    samples = mix.means[torch.randint(len(mix.means), (n,), generator=rng)]
    samples = samples + spread * mix.std * torch.randn(n, mix.dim, generator=rng)
    cover = mode_coverage(samples, mix, threshold=threshold)
    x = samples.double().numpy()
    modes, hq, kl, counts = numpy_coverage(
        x, mix.means.double().numpy(), mix.std, mix.weights.numpy(), threshold
    )
    assert cover.counts == counts
    assert cover.modes == modes
    assert cover.high_quality == pytest.approx(hq, abs=1e-12)
    if math.isinf(kl):
        assert cover.reverse_kl == kl
    else:
        assert cover.reverse_kl == pytest.approx(kl, rel=1e-9, abs=1e-12)


def test_result_is_a_frozen_dataclass():
    cover = mode_coverage(RING.means, RING)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cover.modes = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: mode_coverage(torch.zeros(3), RING), TypeError, "samples"),
        (lambda: mode_coverage(np.zeros((3, 2)), RING), TypeError, "samples"),
        (lambda: mode_coverage(torch.zeros(3, 3), RING), ValueError, "width"),
        (lambda: mode_coverage(torch.zeros(3, 2), "ring"), TypeError, "mixture"),
        (lambda: mode_coverage(torch.zeros(3, 2), RING, threshold=0), ValueError, "threshold"),
        (lambda: mode_coverage(torch.zeros(3, 2), RING, threshold="3"), TypeError, "threshold"),
        (lambda: mode_coverage(torch.full((3, 2), math.nan), RING), ValueError, "finite"),
    ],
)
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_judge_names_and_success_rule():
    good = mixture_judge(RING.means.repeat(2, 1), RING)
    assert good == {"modes": 8.0, "high_quality": 1.0, "reverse_kl": 0.0, "success": True}
    collapsed = mixture_judge(RING.means[:7], RING)
    assert collapsed["modes"] == 7.0 and collapsed["success"] is False
    # Every mode, but too few high-quality samples: not a success.
    blurry = torch.cat([RING.means, torch.full((30, 2), 5.0)])
    verdict = mixture_judge(blurry, RING)
    assert verdict["modes"] == 8.0 and verdict["high_quality"] < SUCCESS_HIGH_QUALITY
    assert verdict["success"] is False
    # Smeared evenly along the circle: every mode touched, about 8% high quality.
    angles = torch.linspace(0, 2 * math.pi, 100_001, dtype=torch.float64)[:-1]
    smeared = torch.stack([angles.cos(), angles.sin()], dim=1)
    verdict = mixture_judge(smeared, RING)
    arc = 8 * 2 * 2 * math.asin(0.03 / 2) / (2 * math.pi)  # the arcs within 0.03 of a mean
    assert verdict["modes"] == 8.0 and verdict["success"] is False
    assert verdict["high_quality"] == pytest.approx(arc, abs=1e-4)


def test_success_asks_for_the_literatures_share_of_high_quality_samples():
    # PacGAN's Table 1 (docs/pacgan_table1.csv): every method 91.3% to 98.2% high quality.
    lines = [line for line in PAPER.read_text().splitlines() if not line.startswith("#")]
    paper = [float(row["high_quality_pct"]) for row in csv.DictReader(lines)]
    assert min(paper) == 91.3 and SUCCESS_HIGH_QUALITY == 0.8 < min(paper) / 100
    on_modes, off = RING.means.repeat(10, 1), torch.full((1, 2), 5.0)  # 80 good samples
    assert mixture_judge(torch.cat([on_modes, off.repeat(20, 1)]), RING)["success"]  # 80%
    assert not mixture_judge(torch.cat([on_modes, off.repeat(21, 1)]), RING)["success"]
    assert mixture_judge.eval_inputs == 2500  # judged on PacGAN's 2,500 samples


def test_default_judge_of_a_mixture_is_the_mixture_judge():
    assert default_judge(GRID) is mixture_judge
    verdict = tg.metrics.check_verdict(default_judge(RING)(RING.means, RING))
    assert verdict["success"] is True
