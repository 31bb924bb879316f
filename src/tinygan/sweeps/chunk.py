"""Running a sweep's work: judging one trained generator, and training one chunk of seeds.

:func:`run_chunk` is the unit :func:`tinygan.sweep` hands to an executor: one
:class:`tinygan.EnsembleTrainer` for a chunk of seeds, each judged by the same rule as
:func:`evaluate_generator`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from tinygan.callbacks import Callback
from tinygan.data import FuzzyPattern
from tinygan.ensemble import EnsembleTrainer
from tinygan.protocols import DataSource, StepRecord
from tinygan.sweeps.config import EVAL_INPUTS, EVAL_SEED, SeedResult, SweepConfig

__all__ = ["LOSS_WINDOW", "evaluate_generator", "run_chunk"]

LOSS_WINDOW = 1000
"""D's loss is averaged over this many final iterations (fewer if a run is shorter)."""


class _LossWindow(Callback):
    """Sum each member's two D losses over the iterations it sees."""

    reads_records_only = True  # looks at nothing else: compile=True may compute ahead

    def __init__(self) -> None:
        self.total: torch.Tensor | None = None
        self.count = 0

    def on_step_end(self, trainer: Any, step: int, record: StepRecord) -> None:
        assert record.d_loss_real is not None and record.d_loss_fake is not None
        both = record.d_loss_real.double() + record.d_loss_fake.double()
        self.total = both if self.total is None else self.total + both
        self.count += 2


def _judge(seed: int, out: np.ndarray, d_loss: float, real: FuzzyPattern) -> SeedResult:
    lower = np.array([lo for lo, _ in real.ranges])
    upper = np.array([hi for _, hi in real.ranges])
    mean = out.mean(axis=0)
    outside = np.maximum(np.maximum(lower - mean, mean - upper), 0.0)
    return SeedResult(
        seed=seed,
        mean=tuple(float(v) for v in mean),
        spread=tuple(float(v) for v in out.std(axis=0)),
        d_loss=d_loss,
        distance=float(outside.max()),
        success=bool(np.all((mean >= lower) & (mean <= upper))),
    )


def _eval_inputs(noise: DataSource) -> torch.Tensor:
    return noise.sample(EVAL_INPUTS, generator=torch.Generator().manual_seed(EVAL_SEED))


def evaluate_generator(
    generator: Callable[[torch.Tensor], torch.Tensor],
    real: FuzzyPattern,
    noise: DataSource,
    *,
    seed: int,
    d_loss: float = math.nan,
) -> SeedResult:
    """Judge one trained generator as :func:`tinygan.sweep` judges each of its seeds.

    Runs ``generator`` on the :data:`tinygan.sweeps.EVAL_INPUTS` fixed inputs drawn from
    ``noise`` with :data:`tinygan.sweeps.EVAL_SEED`, and compares its mean output with
    ``real``'s ranges.

    Args:
        generator: The trained generator (any model, e.g. one trained by
            :class:`tinygan.AdversarialTrainer` or by the post's own code).
        real: The real data whose ranges define success.
        noise: The generator's input source.
        seed: The seed to label the result with.
        d_loss: The discriminator's recent loss, if known.

    Returns:
        The :class:`tinygan.SeedResult`.

    Example:
        >>> import torch, tinygan as tg
        >>> from tinygan.sweeps.run import evaluate_generator
        >>> G = tg.mlp([4, 4, 4], generator=torch.Generator().manual_seed(0))
        >>> evaluate_generator(G, tg.FuzzyPattern("1010"), tg.UniformNoise(4), seed=0).success
        False
    """
    with torch.no_grad():
        outputs = generator(_eval_inputs(noise))
    return _judge(seed, outputs.double().numpy(), d_loss, real)


def run_chunk(
    config: SweepConfig, seeds: Sequence[int], *, compile: bool = False
) -> list[SeedResult]:
    """Train and judge one chunk of seeds as one ensemble; what :func:`tinygan.sweep` farms out.

    Args:
        config: What every GAN is.
        seeds: The chunk's seeds.
        compile: Train with ``EnsembleTrainer(..., compile=True)``.

    Returns:
        One :class:`tinygan.SeedResult` per seed, in order.
    """
    real = config.real
    noise = config.make_noise()
    dim = real.dim
    trainer = EnsembleTrainer.from_seeds(
        list(seeds),
        real,
        noise,
        generator_sizes=(dim, dim, dim),
        discriminator_sizes=(dim, 3, 1),
        bias=config.bias,
        lr=config.lr,
        batch_size=config.batch_size,
        loss=config.loss,
        optimizer=config.optimizer,
        compile=compile,
    )
    window = min(LOSS_WINDOW, config.steps)
    trainer.fit(config.steps - window)
    losses = _LossWindow()
    trainer.callbacks.append(losses)
    trainer.fit(window)
    outputs = trainer.generate(_eval_inputs(noise)).double().numpy()
    if losses.total is None:
        d_losses = [math.nan] * len(seeds)
    else:
        d_losses = (losses.total / losses.count).tolist()
    return [_judge(int(seed), outputs[k], d_losses[k], real) for k, seed in enumerate(seeds)]
