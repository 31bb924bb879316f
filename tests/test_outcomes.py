"""The post's outcomes, from full-length 10,000-iteration runs of the default trainer.

- The GAN: after 10,000 iterations G's mean output (over 1,000 noise inputs) lies in the
  real ranges at every position, and D's mean loss over the last 1,000 iterations lies in
  [0.2, 0.3] (the post: "approaching an average of 0.25").
- It holds statistically: over several seeds, most runs land on 1010.
- The discriminator-only test ends with D(1010) > 0.85 and D(0101) < 0.15 (the post
  reports 0.94 and 0.05).

Seeds were chosen to succeed with margin; the outcomes were checked to be insensitive
to perturbing the initial weights by 1e-6, so they pin no exact trajectory.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch
from tests.helpers import REAL_1010, d_only_trainer, gen, post_trainer

import tinygan as tg

STEPS = 10_000
GAN_SEED = 7  # G's mean ~[0.89, 0.05, 0.91, 0.04], D's last-1000 loss ~0.265
STATISTICAL_SEEDS = range(8)  # seeds 0..7, unselected: 7 of 8 land on 1010 today
D_ONLY_SEED = 0  # D(1010) ~0.94, D(0101) ~0.04


@functools.cache
def gan_run(seed: int) -> dict:
    log = tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0])
    snaps = tg.Snapshots(every=1000)
    trainer = post_trainer(seed, callbacks=[log, snaps])
    trainer.fit(STEPS)
    z = tg.UniformNoise(4).sample(1000, generator=gen(1_000_000 + seed))
    with torch.no_grad():
        out = trainer.generator(z).double().numpy()
    mean = out.mean(axis=0)
    lows = np.array([lo for lo, _ in REAL_1010])
    highs = np.array([hi for _, hi in REAL_1010])
    return {
        "mean": mean,
        "spread": out.std(axis=0),
        "d_last": float(log.d_loss[-2000:].mean()),  # 2 D steps per iteration
        "g_error": log.g_error,
        "snapshots": snaps.array,
        "success": bool(np.all((mean >= lows) & (mean <= highs))),
    }


@pytest.mark.slow
def test_the_gan_learns_1010():
    run = gan_run(GAN_SEED)
    for j, (low, high) in enumerate(REAL_1010):
        assert low <= run["mean"][j] <= high, (j, run["mean"])
    assert 0.2 <= run["d_last"] <= 0.3


@pytest.mark.slow
def test_the_generators_progress_and_snapshots_look_like_the_posts():
    run = gan_run(GAN_SEED)
    # The post's "progress": G's error to [0.9, 0, 0.9, 0] falls a long way.
    assert run["g_error"].shape == (STEPS,)
    assert run["g_error"][-1000:].mean() < 0.2 * run["g_error"][:1000].mean()
    # One snapshot per 1,000 iterations; the last one is a 1010.
    assert run["snapshots"].shape == (10, 4)
    last = run["snapshots"][-1]
    assert last[0] > 0.5 and last[2] > 0.5 and last[1] < 0.5 and last[3] < 0.5


@pytest.mark.slow
def test_most_seeds_land_on_1010():
    """The must-reach: over several seeds, a clear majority succeed (the post's code too)."""
    runs = [gan_run(seed) for seed in STATISTICAL_SEEDS]
    wins = sum(run["success"] for run in runs)
    assert wins >= 6, [np.round(run["mean"], 3).tolist() for run in runs]
    # Where D settles, on average: the post's 0.25.
    assert 0.22 <= np.mean([run["d_last"] for run in runs]) <= 0.28


@pytest.mark.slow
def test_the_discriminator_only_test():
    trainer = d_only_trainer(D_ONLY_SEED).fit(STEPS)
    D = trainer.discriminator
    with torch.no_grad():
        d_1010 = D(torch.tensor([[1.0, 0.0, 1.0, 0.0]])).item()
        d_0101 = D(torch.tensor([[0.0, 1.0, 0.0, 1.0]])).item()
        fuzzy_real = D(tg.FuzzyPattern("1010").sample(1000, generator=gen(1))).mean().item()
        fuzzy_fake = D(tg.FuzzyPattern("0101").sample(1000, generator=gen(2))).mean().item()
    assert d_1010 > 0.85 and d_0101 < 0.15
    assert fuzzy_real > 0.85 and fuzzy_fake < 0.15
