"""A sweep's result, and what it writes: ``seeds.csv``, ``summary.json``, ``histogram.png``.

:class:`SweepResult` gathers every seed's :class:`~tinygan.SeedResult` with the success
rate and its Wilson interval; :meth:`SweepResult.write` writes its files.

``seeds.csv`` has one row per seed: ``seed``, one column per number the judge returned
(under its names, in its order, ``success`` among them), then ``d_loss`` (the
discriminator's mean loss over the last 1,000 iterations). Numbers are written in full
precision (``repr``), bools as ``1`` or ``0``: equal files mean equal results.

``summary.json`` holds :meth:`SweepResult.summary`; ``histogram.png`` is :func:`plot_sweep`'s.
"""

from __future__ import annotations

import json
import logging
import math
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygan.checkpoint import write_atomically
from tinygan.sweeps.config import (
    EVAL_INPUTS,
    EVAL_SEED,
    LOSS_WINDOW,
    RecipeConfig,
    SeedResult,
    SweepConfig,
    config_dict,
)
from tinygan.sweeps.histogram import HistogramProcess, Panel, draw, save
from tinygan.sweeps.provenance import backend_record, count_backends
from tinygan.sweeps.stats import wilson_interval
from tinygan.sweeps.table import csv_columns, csv_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "SweepResult",
    "csv_columns",
    "csv_text",
    "number_summary",
    "histogram_panels",
    "plot_sweep",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    """Every seed's result and the success rate with its 95% Wilson interval.

    Attributes:
        config: What every GAN was: a :class:`~tinygan.SweepConfig` (the post's
            configuration and its variants) or a :class:`~tinygan.sweeps.config.RecipeConfig`.
        rows: One :class:`tinygan.SeedResult` per seed, in the order the seeds were given.
        backend: Which backend trained the seeds
            (:func:`~tinygan.sweeps.provenance.backend_record`); ``None``: counted from the
            rows.
        eval_inputs: How many inputs each generator was judged on (``None``: unknown).
    """

    config: SweepConfig | RecipeConfig
    rows: tuple[SeedResult, ...] = field(repr=False)
    backend: dict[str, Any] | None = field(default=None, repr=False)
    eval_inputs: int | None = field(default=EVAL_INPUTS, repr=False)

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

    @property
    def names(self) -> list[str]:
        """The judged numbers' names, in the judge's order (``success`` among them)."""
        return list(self.rows[0].values) if self.rows else ["success"]

    def column(self, name: str) -> np.ndarray:
        """One judged number (or ``"d_loss"``) over the seeds, as float64, in row order."""
        if name == "d_loss":
            return np.array([row.d_loss for row in self.rows], dtype=np.float64)
        return np.array([float(row.values[name]) for row in self.rows], dtype=np.float64)

    def summary(self) -> dict[str, Any]:
        """The summary as :func:`tinygan.sweep` writes it to ``summary.json``.

        Keys ``n``, ``successes``, ``success_rate``, ``ci_low``, ``ci_high``,
        ``confidence`` (0.95), ``eval_inputs`` (how many inputs each seed was judged on),
        ``eval_seed``, ``config``, ``backend`` (which backend trained the seeds:
        :func:`~tinygan.sweeps.provenance.backend_record`) and ``numbers``: for
        every judged number but ``success``, and for ``d_loss``, its
        :func:`~tinygan.sweeps.result.number_summary` over the seeds; ``d_loss_window``:
        over how many final iterations each seed's ``d_loss`` is D's mean loss.
        """
        low, high = self.interval
        numbers = {
            name: number_summary(self.column(name))
            for name in [*self.names, "d_loss"]
            if name != "success"
        }
        return {
            "n": self.n,
            "successes": self.successes,
            "success_rate": self.success_rate,
            "ci_low": low,
            "ci_high": high,
            "confidence": 0.95,
            "eval_inputs": self.eval_inputs,
            "eval_seed": EVAL_SEED,
            "config": config_dict(self.config),
            "backend": self._backend_record(),
            "numbers": numbers,
            "d_loss_window": min(LOSS_WINDOW, self.config.steps),
        }

    def write(
        self,
        out: str | os.PathLike[str],
        *,
        histogram: bool = True,
        drawer: HistogramProcess | None = None,
    ) -> list[Path]:
        """Write ``seeds.csv``, ``summary.json`` and ``histogram.png`` into ``out``.

        Each file is written atomically (:func:`tinygan.checkpoint.write_atomically`). The
        histogram needs matplotlib (``pip install "tinygan[plot]"``); without it, it is
        skipped with a logged warning.

        Args:
            out: The folder (made if missing).
            histogram: Whether to write ``histogram.png``.
            drawer: A :class:`~tinygan.sweeps.histogram.HistogramProcess` started
                earlier, to draw the histogram in (:func:`tinygan.sweep` starts one
                before it trains); where it fails, the histogram is drawn here.

        Returns:
            The paths written.
        """
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        written = [folder / "seeds.csv", folder / "summary.json"]
        text = csv_text(self.rows)
        write_atomically(written[0], lambda f: f.write(text.encode()))
        summary = json.dumps(_plain(self.summary()), indent=2) + "\n"
        write_atomically(written[1], lambda f: f.write(summary.encode()))
        if histogram and self._write_histogram(folder / "histogram.png", drawer):
            written.append(folder / "histogram.png")
        return written

    def _write_histogram(self, path: Path, drawer: HistogramProcess | None) -> bool:
        """Write ``histogram.png`` (in ``drawer`` if it works); whether it was written."""
        if drawer is not None:
            try:
                drawer.draw(*histogram_panels(self), path)
                return True
            except RuntimeError as exc:
                logger.debug("drawing here instead: %s", exc)
            finally:
                drawer.close()
        try:
            fig = plot_sweep(self)
        except ImportError as exc:  # said where the user sees it, not only to a logger
            warnings.warn(f"histogram.png not written: {exc}", RuntimeWarning, stacklevel=2)
            return False
        save(fig, path)
        return True

    def _backend_record(self) -> dict[str, Any]:
        """Which backends trained the seeds: :attr:`backend`, else what the rows say."""
        return self.backend or backend_record(count_backends(self.rows))

    def __str__(self) -> str:
        low, high = self.interval
        backend = self._backend_record()["name"]
        judged = f", each judged on {self.eval_inputs:,} fixed inputs" if self.eval_inputs else ""
        return (
            f"{self.successes}/{self.n} seeds succeeded ({self.success_rate:.1%}; "
            f"95% Wilson interval {low:.1%} to {high:.1%}) after {self.config.steps} "
            f"iterations{judged}; trained by {backend}"
        )


def number_summary(values: np.ndarray) -> dict[str, float | int | None]:
    """The median and spread of one number over seeds (non-finite values set aside).

    Returns:
        ``median``, ``q25`` and ``q75`` (quartiles), ``mean``, ``std`` (population), and
        ``finite``: how many seeds had a finite value (the others are left out; with
        none, the statistics are ``None``).

    Example:
        >>> import numpy as np
        >>> from tinygan.sweeps.result import number_summary
        >>> number_summary(np.array([1.0, 2.0, 3.0, float("nan")]))["median"]
        2.0
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return {"median": None, "q25": None, "q75": None, "mean": None, "std": None, "finite": 0}
    q25, median, q75 = np.quantile(finite, [0.25, 0.5, 0.75])
    return {
        "median": float(median),
        "q25": float(q25),
        "q75": float(q75),
        "mean": float(finite.mean()),
        "std": float(finite.std()),
        "finite": int(finite.size),
    }


def _plain(obj: Any) -> Any:
    """``obj`` with non-finite floats as ``None`` (JSON has no NaN)."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {key: _plain(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(value) for value in obj]
    return obj


def histogram_panels(result: SweepResult) -> tuple[list[Panel], str]:
    """The panels and the title of ``result``'s histogram (see :func:`plot_sweep`)."""
    names = [name for name in result.names if name != "success"] + ["d_loss"]
    ranges: dict[str, tuple[float, float]] = {}
    if isinstance(result.config, SweepConfig):
        pattern = result.config.real
        ranges = {f"mean_{j + 1}": r for j, r in enumerate(pattern.ranges)}
    panels = [Panel(name, result.column(name), ranges.get(name)) for name in names]
    low, high = result.interval
    backend = result._backend_record()["name"]
    judged = f", each judged on {result.eval_inputs:,} fixed inputs" if result.eval_inputs else ""
    title = (
        f"{result.successes}/{result.n} seeds succeed ({result.success_rate:.1%}, "
        f"95% Wilson CI {low:.1%}-{high:.1%}) after {result.config.steps} iterations\n"
        f"trained by {backend}{judged}; D's loss over each seed's last "
        f"{min(LOSS_WINDOW, result.config.steps):,} iterations"
    )
    return panels, title


def plot_sweep(result: SweepResult) -> Figure:
    """Histograms of every judged number over the seeds, one panel each.

    For the post's patterns the panels of the mean output shade the real data's range in
    green: a seed succeeds when its mean lies in the shaded band at every position. The
    title gives the success rate with its 95% interval. Needs matplotlib
    (``tinygan[plot]``).

    Args:
        result: A sweep's result.

    Returns:
        A :class:`matplotlib.figure.Figure`.

    Raises:
        ImportError: If matplotlib is not installed.
    """
    return draw(*histogram_panels(result))
