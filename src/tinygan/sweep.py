"""Sweeps: train one GAN per seed and count how often the configuration works.

GAN training is unstable, so the first question about any configuration is how often it
works. :func:`tinygan.sweep` trains one GAN per seed, all seeds of a chunk together as one
:class:`tinygan.EnsembleTrainer`, and judges each one at the end.

**Success.** A seed succeeds when its generator's *mean output* lies inside the real
data's range at every position (``[0.8, 1.0]`` for a 1 and ``[0.0, 0.2]`` for a 0 in
the post's ``1010``). The mean is taken over a fixed set of
:data:`tinygan.sweep.EVAL_INPUTS` (1,000) noise inputs drawn from
``torch.Generator().manual_seed(EVAL_SEED)``, the same inputs for every seed. Each seed
also gets its generator's *spread* (the standard deviation of its output over those
inputs, per position; fuzzy real data has about 0.058, a much smaller spread means mode
collapse), its discriminator's mean loss over the last 1,000 iterations (both D steps;
the post's D settles near 0.25), and its *distance*: how far the mean lies outside the
real ranges at the worst position (0 for a success).

**Determinism.** Seed ``s`` gets its initial weights and its data from its own
``torch.Generator`` seeded with ``s`` (see :meth:`tinygan.EnsembleTrainer.from_seeds`),
so its result does not depend on the other seeds in the sweep, nor on how the seeds are
split into chunks, nor on which :class:`concurrent.futures.Executor` runs the chunks.
"""

from __future__ import annotations

import logging
import math
import numbers
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from tinygan._checks import check_int, check_positive_float
from tinygan.callbacks import Callback
from tinygan.data import ConstantNoise, FuzzyPattern, UniformNoise
from tinygan.ensemble import EnsembleTrainer
from tinygan.protocols import DataSource
from tinygan.records import StepRecord
from tinygan.stats import wilson_interval

__all__ = [
    "EVAL_INPUTS",
    "EVAL_SEED",
    "SeedResult",
    "SweepConfig",
    "SweepResult",
    "evaluate_generator",
    "run_chunk",
    "sweep",
]

logger = logging.getLogger(__name__)

EVAL_INPUTS = 1000
"""How many noise inputs a trained generator is judged on."""

EVAL_SEED = 20_251_128
"""The seed of the fixed noise inputs every trained generator is judged on."""

LOSS_WINDOW = 1000
"""D's loss is averaged over this many final iterations (fewer if a run is shorter)."""

_LOSSES = ("mse", "bce")
_OPTIMIZERS = ("sgd", "adam")
_NOISES = ("uniform", "constant")


def _check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


@dataclass(frozen=True)
class SweepConfig:
    """What every GAN of a sweep is: the post's configuration unless told otherwise.

    The networks are the post's shapes for the pattern's length ``L``: the generator
    ``L -> L -> L``, the discriminator ``L -> 3 -> 1``, sigmoid after every layer.

    Attributes:
        pattern: The real data, a string of 0 and 1 (``FuzzyPattern(pattern)``).
        steps: Training iterations per seed.
        lr: The learning rate.
        batch_size: Samples per step.
        bias: Whether the linear layers have biases (the post has none).
        loss: ``"mse"`` (the post's) or ``"bce"``.
        optimizer: ``"sgd"`` (the post's) or ``"adam"``.
        noise: The generator's input: ``"uniform"`` in ``[0, 1)`` (the post's) or
            ``"constant"`` 0.5 (:class:`tinygan.ConstantNoise`).
    """

    pattern: str = "1010"
    steps: int = 10_000
    lr: float = 0.01
    batch_size: int = 1
    bias: bool = False
    loss: str = "mse"
    optimizer: str = "sgd"
    noise: str = "uniform"

    def __post_init__(self) -> None:
        FuzzyPattern(self.pattern)  # raises on a bad pattern
        if not isinstance(self.pattern, str):
            raise TypeError(f"pattern must be a string of 0 and 1, got {self.pattern!r}")
        check_int("steps", self.steps, minimum=0)
        check_positive_float("lr", self.lr)
        check_int("batch_size", self.batch_size, minimum=1)
        if not isinstance(self.bias, bool):
            raise TypeError(f"bias must be a bool, got {self.bias!r}")
        _check_choice("loss", self.loss, _LOSSES)
        _check_choice("optimizer", self.optimizer, _OPTIMIZERS)
        _check_choice("noise", self.noise, _NOISES)

    @property
    def real(self) -> FuzzyPattern:
        """The real data source."""
        return FuzzyPattern(self.pattern)

    def make_noise(self) -> UniformNoise | ConstantNoise:
        """The generator's input source."""
        dim = len(self.pattern)
        return UniformNoise(dim) if self.noise == "uniform" else ConstantNoise(dim)


@dataclass(frozen=True)
class SeedResult:
    """How one seed's GAN ended.

    Attributes:
        seed: The seed.
        mean: The generator's mean output per position over the evaluation inputs.
        spread: The standard deviation of its output per position over those inputs.
        d_loss: The discriminator's mean loss over the last 1,000 iterations (both D
            steps); NaN for a run of no iterations.
        distance: How far ``mean`` lies outside the real range at the worst position
            (0.0 when it lies inside at every position).
        success: Whether ``mean`` lies inside the real range at every position.
    """

    seed: int
    mean: tuple[float, ...]
    spread: tuple[float, ...]
    d_loss: float
    distance: float
    success: bool


@dataclass(frozen=True)
class SweepResult:
    """Every seed's result and the success rate with its 95% Wilson interval.

    Attributes:
        config: What every GAN was.
        rows: One :class:`tinygan.SeedResult` per seed, in the order the seeds were given.
    """

    config: SweepConfig
    rows: tuple[SeedResult, ...] = field(repr=False)

    @property
    def n(self) -> int:
        """How many seeds were trained."""
        return len(self.rows)

    @property
    def successes(self) -> int:
        """How many seeds succeeded."""
        return sum(row.success for row in self.rows)

    @property
    def success_rate(self) -> float:
        """``successes / n``."""
        return self.successes / self.n

    @property
    def interval(self) -> tuple[float, float]:
        """The 95% Wilson score interval of the success rate."""
        return wilson_interval(self.successes, self.n)

    def summary(self) -> dict[str, Any]:
        """The summary as :func:`tinygan.sweep` writes it to ``summary.json``.

        Keys ``n``, ``successes``, ``success_rate``, ``ci_low``, ``ci_high``,
        ``confidence`` (0.95), ``eval_inputs``, ``eval_seed`` and ``config``.
        """
        low, high = self.interval
        return {
            "n": self.n,
            "successes": self.successes,
            "success_rate": self.success_rate,
            "ci_low": low,
            "ci_high": high,
            "confidence": 0.95,
            "eval_inputs": EVAL_INPUTS,
            "eval_seed": EVAL_SEED,
            "config": asdict(self.config),
        }

    def write(self, out: str | os.PathLike[str], *, histogram: bool = True) -> list[Path]:
        """Write ``seeds.csv``, ``summary.json`` and ``histogram.png`` into ``out``.

        The histogram needs matplotlib (``pip install "tinygan[plot]"``); without it, it
        is skipped with a logged warning.

        Returns:
            The paths written.
        """
        from tinygan.sweep_io import write_sweep  # here: sweep_io imports this module

        return write_sweep(self, Path(out), histogram=histogram)

    def __str__(self) -> str:
        low, high = self.interval
        return (
            f"{self.successes}/{self.n} seeds succeeded ({self.success_rate:.1%}; "
            f"95% interval {low:.1%} to {high:.1%}) after {self.config.steps} iterations"
        )


class _LossWindow(Callback):
    """Sum each member's two D losses over the iterations it sees."""

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

    Runs ``generator`` on the :data:`tinygan.sweep.EVAL_INPUTS` fixed inputs drawn from
    ``noise`` with :data:`tinygan.sweep.EVAL_SEED`, and compares its mean output with
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
        >>> from tinygan.sweep import evaluate_generator
        >>> G = tg.mlp([4, 4, 4], generator=torch.Generator().manual_seed(0))
        >>> evaluate_generator(G, tg.FuzzyPattern("1010"), tg.UniformNoise(4), seed=0).success
        False
    """
    with torch.no_grad():
        outputs = generator(_eval_inputs(noise))
    return _judge(seed, outputs.double().numpy(), d_loss, real)


def run_chunk(config: SweepConfig, seeds: Sequence[int]) -> list[SeedResult]:
    """Train and judge one chunk of seeds as one ensemble; what :func:`tinygan.sweep` farms out.

    Args:
        config: What every GAN is.
        seeds: The chunk's seeds.

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


def _check_seeds(seeds: object) -> list[int]:
    if isinstance(seeds, bool):
        raise TypeError(f"seeds must be a count or a sequence of integers, got {seeds!r}")
    if isinstance(seeds, numbers.Integral):
        return list(range(check_int("seeds", seeds, minimum=1)))
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise TypeError(f"seeds must be a count or a sequence of integers, got {seeds!r}")
    items: list[object] = list(seeds)
    if not items:
        raise ValueError("seeds must hold at least one seed, got none")
    result: list[int] = []
    for seed in items:
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise TypeError(f"seeds must be integers, got {seed!r}")
        if not 0 <= int(seed) < 2**64:
            raise ValueError(f"seeds must be integers in [0, 2**64), got {seed!r}")
        result.append(int(seed))
    if len(set(result)) != len(result):
        raise ValueError("seeds must not repeat a seed")
    return result


def sweep(
    seeds: int | Iterable[int],
    *,
    pattern: str = "1010",
    steps: int = 10_000,
    lr: float = 0.01,
    batch_size: int = 1,
    bias: bool = False,
    loss: str = "mse",
    optimizer: str = "sgd",
    noise: str = "uniform",
    out: str | os.PathLike[str] | None = None,
    executor: Executor | None = None,
    chunk_size: int | None = None,
) -> SweepResult:
    """Train one GAN per seed and count how many succeed.

    The seeds are split into chunks of ``chunk_size``; each chunk trains as one
    :class:`tinygan.EnsembleTrainer`. With an ``executor`` (a
    :class:`concurrent.futures.ProcessPoolExecutor`, or the executors Dask or Ray provide
    on a cluster) the chunks run there; the results are the same as in one process.

    Args:
        seeds: A count ``N`` (seeds ``0 .. N-1``) or the seeds themselves (distinct
            integers in ``[0, 2**64)``).
        pattern: The real data, as for :class:`tinygan.FuzzyPattern`.
        steps: Training iterations per seed.
        lr: The learning rate.
        batch_size: Samples per step.
        bias: Whether the networks' linear layers have biases.
        loss: ``"mse"`` or ``"bce"``.
        optimizer: ``"sgd"`` or ``"adam"``.
        noise: ``"uniform"`` or ``"constant"`` (0.5 at every position).
        out: A directory to write ``seeds.csv``, ``summary.json`` and
            ``histogram.png`` into (see :meth:`tinygan.SweepResult.write`); ``None`` writes
            nothing.
        executor: Runs the chunks; ``None`` runs them here, one after another. Give a
            process pool the ``"spawn"`` start method
            (``ProcessPoolExecutor(mp_context=multiprocessing.get_context("spawn"))``):
            a child forked from a process that has already run torch can hang.
        chunk_size: Seeds per chunk; by default 1,000 without an executor and an even
            split into ``os.cpu_count()`` chunks with one.

    Returns:
        The :class:`tinygan.SweepResult`.

    Raises:
        ValueError: If an argument is out of range or names an unknown choice.
        TypeError: If an argument has the wrong type.

    Example:
        >>> import tinygan as tg
        >>> result = tg.sweep([0, 1, 2], steps=200)
        >>> result.n, [row.seed for row in result.rows]
        (3, [0, 1, 2])
        >>> sorted(result.summary())[:5]
        ['ci_high', 'ci_low', 'confidence', 'config', 'eval_inputs']
    """
    seed_list = _check_seeds(seeds)
    config = SweepConfig(
        pattern=pattern,
        steps=steps,
        lr=lr,
        batch_size=batch_size,
        bias=bias,
        loss=loss,
        optimizer=optimizer,
        noise=noise,
    )
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise TypeError(f"executor must be a concurrent.futures.Executor, got {executor!r}")
    if chunk_size is None:
        parts = 1 if executor is None else os.cpu_count() or 1
        chunk_size = min(1000, -(-len(seed_list) // parts))
    chunk_size = check_int("chunk_size", chunk_size, minimum=1)
    chunks = [seed_list[i : i + chunk_size] for i in range(0, len(seed_list), chunk_size)]
    logger.info("sweep of %d seeds in %d chunks: %s", len(seed_list), len(chunks), config)
    rows: list[SeedResult] = []
    if executor is None:
        for chunk in chunks:
            rows += run_chunk(config, chunk)
            logger.info("%d/%d seeds done", len(rows), len(seed_list))
    else:
        futures = [executor.submit(run_chunk, config, chunk) for chunk in chunks]
        for future in futures:
            rows += future.result()
            logger.info("%d/%d seeds done", len(rows), len(seed_list))
    result = SweepResult(config=config, rows=tuple(rows))
    if out is not None:
        result.write(out)
    return result
