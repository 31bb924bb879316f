"""What a sweep is and what it found, and the fixed inputs every seed is judged on.

:class:`SweepConfig` is what every GAN of a sweep is; :class:`SeedResult` is how one
seed's GAN ended; :class:`SweepResult` gathers them with the success rate.

See :mod:`tinygan.sweep` for how a sweep runs and what counts as a success.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tinygan._checks import check_bool, check_int, check_positive_float
from tinygan.data import ConstantNoise, FuzzyPattern, UniformNoise
from tinygan.stats import wilson_interval

__all__ = ["EVAL_INPUTS", "EVAL_SEED", "SeedResult", "SweepConfig", "SweepResult"]

# The fixed evaluation inputs; their docstrings are in tinygan.sweep, where users import them.
EVAL_INPUTS = 1000
EVAL_SEED = 20_251_128

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
        check_bool("bias", self.bias)
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
