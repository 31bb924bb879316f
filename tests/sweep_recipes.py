"""Recipes for the sweep tests, importable by worker processes (``tests.sweep_recipes``)."""

from __future__ import annotations

import torch
from torch import nn

import tinygan as tg
from tinygan.recipes import ring8

REAL = tg.FuzzyPattern("1010")
INTERRUPT_AT: set[int] = set()  # seeds whose recipe raises KeyboardInterrupt (a test sets it)


def post(seed: int) -> tg.AdversarialTrainer:
    """The post's GAN, weights and data from ``seed``: the fused path."""
    if seed in INTERRUPT_AT:
        raise KeyboardInterrupt
    init = torch.Generator().manual_seed(seed)
    return tg.AdversarialTrainer(
        tg.mlp([4, 4, 4], generator=init), tg.mlp([4, 3, 1], generator=init), REAL,
        tg.UniformNoise(4), seed=seed,
    )  # fmt: skip


def custom(seed: int) -> tg.AdversarialTrainer:
    """Networks not built by tg.mlp, a loss of our own and AdamW: the vmapped path."""
    g = torch.Generator().manual_seed(seed)
    G = nn.Sequential(nn.Linear(4, 8), nn.LeakyReLU(0.2), nn.Linear(8, 4), nn.Sigmoid())
    D = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1), nn.Sigmoid())
    with torch.no_grad():
        for p in [*G.parameters(), *D.parameters()]:
            p.uniform_(-0.5, 0.5, generator=g)
    return tg.AdversarialTrainer(
        G, D, REAL, tg.UniformNoise(4), seed=seed, batch_size=4,
        loss=lambda out, target: ((out - target) ** 2).mean(),
        optimizer=lambda ps: torch.optim.AdamW(ps, lr=1e-2, weight_decay=0.01),
    )  # fmt: skip


def ring(seed: int) -> tg.AdversarialTrainer:
    """The library's packed ring GAN, small: tg.mlp networks the fused step does not take."""
    return ring8(seed, pack=2, steps=60, width=16, batch_size=8)


def mixed(seed: int) -> tg.AdversarialTrainer:
    """Two kinds of alike trainers and one that trains alone, by seed: a chunk of three kinds."""
    if seed % 5 == 4:
        return two_to_one(seed)
    return post(seed) if seed % 2 else custom(seed)


class TwoToOne(tg.AdversarialTrainer):
    """Two D iterations per G step (DESIGN.md's example): not alike, trained one by one."""

    def step(self) -> tg.StepRecord:
        n = self.batch_size
        for _ in range(2):
            d_real = self.train_discriminator(self.real.sample(n, generator=self.rng), 1.0)
            with torch.no_grad():
                fake = self.generator(self.noise.sample(n, generator=self.rng))
            d_fake = self.train_discriminator(fake, 0.0)
        g_loss, out = self.train_generator(self.noise.sample(n, generator=self.rng))
        return tg.StepRecord(d_loss_real=d_real, d_loss_fake=d_fake, g_loss=g_loss, fake=out)


def two_to_one(seed: int) -> TwoToOne:
    init = torch.Generator().manual_seed(seed)
    return TwoToOne(
        tg.mlp([4, 4, 4], generator=init), tg.mlp([4, 3, 1], generator=init), REAL,
        tg.UniformNoise(4), seed=seed,
    )  # fmt: skip


def mean_judge(samples: torch.Tensor, real: tg.FuzzyPattern) -> dict[str, float | bool]:
    """A judge of our own: the mean output and its distance to the pattern's centre."""
    centre = real.centre.double()
    gap = float((samples.double().mean(0) - centre).abs().max())
    return {"overall_mean": float(samples.double().mean()), "gap": gap, "success": gap < 0.1}


def post_dies_once(seed: int) -> tg.AdversarialTrainer:
    """:func:`post`, but the first call for seed 2 kills its whole worker process.

    The marker file named by ``TINYGAN_TEST_KILL_MARKER`` records that it happened, so the
    retried chunk (on the restarted or another worker) trains normally.
    """
    import os
    from pathlib import Path

    marker = Path(os.environ["TINYGAN_TEST_KILL_MARKER"])
    if seed == 2 and not marker.exists():
        marker.touch()
        os._exit(1)
    return post(seed)
