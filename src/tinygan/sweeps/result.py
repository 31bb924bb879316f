"""A sweep's result, and what it writes: ``seeds.csv``, ``summary.json``, ``histogram.png``.

:class:`SweepResult` gathers every seed's :class:`~tinygan.SeedResult` with the success
rate and its Wilson interval; :meth:`SweepResult.write` writes its files.

``seeds.csv`` has one row per seed: the column ``seed``, then one column per number the
judge returned, under the judge's names and in its order (``success`` among them), then
``d_loss`` (the discriminator's mean loss over the last 1,000 iterations). Numbers are
written in full precision (``repr``), bools as ``1`` or ``0``, so two sweeps' files are
equal exactly when their results are.

``summary.json`` holds :meth:`SweepResult.summary`; ``histogram.png`` is
:func:`plot_sweep`'s figure.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygan.checkpoint import write_atomically
from tinygan.sweeps.config import EVAL_INPUTS, EVAL_SEED, RecipeConfig, SeedResult, SweepConfig
from tinygan.sweeps.stats import wilson_interval
from tinygan.sweeps.table import csv_columns, csv_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "SweepResult",
    "csv_columns",
    "csv_text",
    "number_summary",
    "plot_sweep",
    "preload_plotting",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    """Every seed's result and the success rate with its 95% Wilson interval.

    Attributes:
        config: What every GAN was: a :class:`~tinygan.SweepConfig` (the post's
            configuration and its variants) or a :class:`~tinygan.sweeps.config.RecipeConfig`.
        rows: One :class:`tinygan.SeedResult` per seed, in the order the seeds were given.
    """

    config: SweepConfig | RecipeConfig
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
        ``confidence`` (0.95), ``eval_inputs``, ``eval_seed``, ``config`` and ``numbers``:
        for every judged number but ``success``, and for ``d_loss``, its
        :func:`~tinygan.sweeps.result.number_summary` over the seeds.
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
            "eval_inputs": EVAL_INPUTS,
            "eval_seed": EVAL_SEED,
            "config": asdict(self.config),
            "numbers": numbers,
        }

    def write(self, out: str | os.PathLike[str], *, histogram: bool = True) -> list[Path]:
        """Write ``seeds.csv``, ``summary.json`` and ``histogram.png`` into ``out``.

        Each file is written atomically (:func:`tinygan.checkpoint.write_atomically`). The
        histogram needs matplotlib (``pip install "tinygan[plot]"``); without it, it is
        skipped with a logged warning.

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
        if histogram:
            try:
                fig = plot_sweep(self)
            except ImportError as exc:
                logger.warning("histogram.png not written: %s", exc)
            else:
                fig.savefig(folder / "histogram.png", dpi=100)
                written.append(folder / "histogram.png")
        return written

    def __str__(self) -> str:
        low, high = self.interval
        return (
            f"{self.successes}/{self.n} seeds succeeded ({self.success_rate:.1%}; "
            f"95% interval {low:.1%} to {high:.1%}) after {self.config.steps} iterations"
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


def preload_plotting() -> threading.Thread:
    """Import matplotlib's figure and PNG writer in a background thread, now.

    A sweep that will write ``histogram.png`` calls it before it trains: the imports
    (about 0.4 s of Python) then run while the training holds no lock, instead of after
    it. A missing matplotlib is left for :meth:`SweepResult.write` to report.

    Returns:
        The (daemon) thread.
    """

    def load() -> None:
        try:
            import matplotlib.backends.backend_agg
            import matplotlib.figure  # noqa: F401
        except ImportError:  # SweepResult.write says so, without the histogram
            pass

    thread = threading.Thread(target=load, name="tinygan-preload-plotting", daemon=True)
    thread.start()
    return thread


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
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError('plot_sweep needs matplotlib: pip install "tinygan[plot]"') from exc
    names = [name for name in result.names if name != "success"] + ["d_loss"]
    ranges = {}
    if isinstance(result.config, SweepConfig):
        pattern = result.config.real
        ranges = {f"mean_{j + 1}": r for j, r in enumerate(pattern.ranges)}
    columns = min(4, len(names))
    rows = -(-len(names) // columns)
    width, height = 3.2 * columns, 2.8 * rows + 0.6
    fig = Figure(figsize=(width, height))
    # Margins in inches, set by hand: a layout engine would double the time to save.
    fig.subplots_adjust(
        left=0.6 / width,
        right=1 - 0.15 / width,
        bottom=0.45 / height,
        top=1 - 0.75 / height,
        wspace=0.35,
        hspace=0.5,
    )
    grid = fig.add_gridspec(rows, columns)
    for i, name in enumerate(names):  # only the panels drawn: an axes costs milliseconds
        ax = fig.add_subplot(grid[i // columns, i % columns])
        values = result.column(name)
        finite = values[np.isfinite(values)]
        if name in ranges:
            lo, hi = ranges[name]
            ax.axvspan(lo, hi, color="tab:green", alpha=0.2, label="real range")
            counts, edges = np.histogram(np.clip(finite, 0.0, 1.0), np.linspace(0.0, 1.0, 41))
            ax.stairs(counts, edges, fill=True, color="tab:blue")
            ax.set_xlim(0.0, 1.0)
            # Successful seeds gather in the shaded range: the legend goes opposite it.
            if lo + hi < 1.0:
                ax.legend(loc="upper right", fontsize="small")
            else:
                ax.legend(loc="upper left", fontsize="small")
        elif finite.size:
            counts, edges = np.histogram(finite, min(40, max(5, finite.size // 5)))
            ax.stairs(counts, edges, fill=True, color="tab:blue")  # one patch: fast to draw
            ax.locator_params(axis="x", nbins=4)  # small numbers: long tick labels
        ax.locator_params(axis="y", nbins=4)
        ax.set_title(name if finite.size == values.size else f"{name} ({finite.size} finite)")
        ax.set_ylabel("seeds")
    low, high = result.interval
    fig.suptitle(
        f"{result.successes}/{result.n} seeds succeed ({result.success_rate:.1%}, "
        f"95% CI {low:.1%}-{high:.1%}) after {result.config.steps} iterations"
    )
    return fig
