"""A sweep's result, and what it writes: ``seeds.csv``, ``summary.json``, ``histogram.png``.

:class:`SweepResult` gathers every seed's :class:`~tinygan.SeedResult` with the success
rate and its Wilson interval; :meth:`SweepResult.write` writes its files.

``seeds.csv`` has one row per seed, with the columns ``seed``, ``mean_1 .. mean_L`` (the
generator's mean output per position), ``spread_1 .. spread_L`` (its standard deviation
per position), ``d_loss`` (the discriminator's mean loss over the last 1,000
iterations), ``distance`` (how far the mean lies outside the real ranges at the worst
position) and ``success`` (``1`` or ``0``). Numbers are written in full precision, so
two sweeps' files are equal exactly when their results are.

``summary.json`` holds :meth:`SweepResult.summary`; ``histogram.png`` is
:func:`plot_sweep`'s figure.
"""

from __future__ import annotations

import csv
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygan.sweeps.config import EVAL_INPUTS, EVAL_SEED, SeedResult, SweepConfig
from tinygan.sweeps.stats import wilson_interval

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["SweepResult", "csv_header", "plot_sweep", "write_sweep"]

logger = logging.getLogger(__name__)


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
        return write_sweep(self, Path(out), histogram=histogram)

    def __str__(self) -> str:
        low, high = self.interval
        return (
            f"{self.successes}/{self.n} seeds succeeded ({self.success_rate:.1%}; "
            f"95% interval {low:.1%} to {high:.1%}) after {self.config.steps} iterations"
        )


def csv_header(dim: int) -> list[str]:
    """The columns of ``seeds.csv`` for a pattern of length ``dim``.

    >>> from tinygan.sweeps.result import csv_header
    >>> csv_header(2)
    ['seed', 'mean_1', 'mean_2', 'spread_1', 'spread_2', 'd_loss', 'distance', 'success']
    """
    positions = range(1, dim + 1)
    return [
        "seed",
        *(f"mean_{i}" for i in positions),
        *(f"spread_{i}" for i in positions),
        "d_loss",
        "distance",
        "success",
    ]


def _write_csv(result: SweepResult, path: Path) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(csv_header(len(result.config.pattern)))
        for row in result.rows:
            writer.writerow(
                [
                    row.seed,
                    *map(repr, row.mean),
                    *map(repr, row.spread),
                    repr(row.d_loss),
                    repr(row.distance),
                    int(row.success),
                ]
            )


def _write_summary(result: SweepResult, path: Path) -> None:
    path.write_text(json.dumps(result.summary(), indent=2) + "\n")


def plot_sweep(result: SweepResult) -> Figure:
    """Histograms of the generators' mean output at each position, real ranges shaded.

    One panel per position: how many seeds' generators ended with each mean output, the
    real data's range for that position shaded green. A seed succeeds when its mean lies
    in the shaded band at every position. Needs matplotlib (``tinygan[plot]``).

    Args:
        result: A sweep's result.

    Returns:
        A :class:`matplotlib.figure.Figure`.

    Raises:
        ImportError: If matplotlib is not installed.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError('plot_sweep needs matplotlib: pip install "tinygan[plot]"') from exc
    means = np.array([row.mean for row in result.rows], dtype=np.float64)
    ranges = result.config.real.ranges
    dim = len(ranges)
    fig = Figure(figsize=(3.2 * dim, 3.4), layout="constrained")
    axes = fig.subplots(1, dim, sharey=True, squeeze=False)[0]
    bins = np.linspace(0.0, 1.0, 41)
    for i, ax in enumerate(axes):
        lo, hi = ranges[i]
        ax.axvspan(lo, hi, color="tab:green", alpha=0.2, label="real range")
        ax.hist(np.clip(means[:, i], 0.0, 1.0), bins=bins, color="tab:blue")
        ax.set_xlim(0.0, 1.0)
        ax.set_title(f"position {i + 1} (real: {result.config.pattern[i]})")
        ax.set_xlabel("G's mean output")
    axes[0].set_ylabel("seeds")
    axes[0].legend(loc="best")
    low, high = result.interval
    fig.suptitle(
        f"{result.successes}/{result.n} seeds succeed ({result.success_rate:.1%}, "
        f"95% CI {low:.1%}-{high:.1%}) after {result.config.steps} iterations"
    )
    return fig


def write_sweep(result: SweepResult, out: Path, *, histogram: bool = True) -> list[Path]:
    """Write a sweep's files into the directory ``out`` (created if missing).

    Args:
        result: A sweep's result.
        out: The directory.
        histogram: Whether to draw ``histogram.png``; skipped with a logged warning
            when matplotlib is missing.

    Returns:
        The paths written.
    """
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "seeds.csv", out / "summary.json"]
    _write_csv(result, written[0])
    _write_summary(result, written[1])
    if histogram:
        try:
            fig = plot_sweep(result)
        except ImportError as exc:
            logger.warning("histogram.png not written: %s", exc)
        else:
            fig.savefig(out / "histogram.png", dpi=100)
            written.append(out / "histogram.png")
    return written
