"""The mixtures' table and convergence figure, from the files ``benchmarks/mixtures.py`` writes.

- the table (an rst include): per dataset and method, tinygan's modes, high-quality share
  and reverse KL as mean ± standard error over the seeds beside PacGAN's Table 1
  (``docs/pacgan_table1.csv``, a copy of the shared anchors file, with its source), the
  share of seeds that captured every mode with its 95% Wilson interval, and the
  convergence rule's verdict;
- the convergence rule: a cell has converged when, for every one of the three numbers,
  its mean over the seeds changed over the last fifth of the run (from the curve point at
  80% of the iterations to the last) by no more than its seed-to-seed standard error at
  the end, or than the smallest standard error PacGAN's table gives that number (0.1
  mode, 0.2 points of high quality, 0.01 nats: finer changes are below what the paper
  resolves);
- the figure: the three numbers against iterations, mean over the seeds with a band of
  ± one standard error, the last fifth shaded.

Reverse KL is infinite for a seed with no high-quality sample; such seeds are counted
apart and left out of the mean, and the median over all seeds is given beside it.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

import tinygan as tg

__all__ = ["converged", "mean_se", "read_rows", "table", "write_figure", "write_table"]

PAPER = Path(__file__).resolve().parent.parent / "docs" / "pacgan_table1.csv"
LABEL = {1: "GAN", 2: "PacGAN2", 3: "PacGAN3", 4: "PacGAN4"}
MODES = {"ring": 8, "grid": 25}
NAMES = {"ring": "2-D ring (8 modes)", "grid": "2-D grid (25 modes)"}
METRICS = ("modes", "high_quality", "reverse_kl")
TITLES = {"modes": "modes captured", "high_quality": "high quality (%)", "reverse_kl": "reverse KL"}
FLOORS = {"modes": 0.1, "high_quality": 0.002, "reverse_kl": 0.01}  # PacGAN's smallest s.e.


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV (none if it does not exist); ``#`` lines are comments."""
    if not path.exists():
        return []
    with path.open(newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def paper_rows() -> dict[tuple[str, str], dict[str, str]]:
    """PacGAN's Table 1, by (dataset, method)."""
    return {(r["dataset"], r["method"]): r for r in read_rows(PAPER)}


def mean_se(values: list[float], scale: float = 1.0, digits: int = 2) -> str:
    """``mean ± standard error`` (sample standard deviation over sqrt(n)).

    Infinite values (a reverse KL with no high-quality sample) are left out of the mean
    and counted after it.
    """
    finite = [v for v in values if math.isfinite(v)]
    left_out = len(values) - len(finite)
    if not finite:
        return f"inf ({left_out} seeds)"
    mean = statistics.fmean(finite) * scale
    se = statistics.stdev(finite) / math.sqrt(len(finite)) * scale if len(finite) > 1 else 0.0
    text = f"{mean:.{digits}f} ± {se:.{digits}f}"
    return text if not left_out else f"{text} ({len(finite)} seeds; {left_out} inf)"


def _stats(values: list[float]) -> tuple[float, float]:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return math.inf, 0.0
    se = statistics.stdev(finite) / math.sqrt(len(finite)) if len(finite) > 1 else 0.0
    return statistics.fmean(finite), se


def curves_by_cell(curves: list[dict[str, str]]) -> dict[tuple[str, int], Any]:
    """``{(data, pack): {iteration: {metric: [value per seed]}}}``, the last point kept."""
    points: dict[tuple[str, int, int, int], dict[str, str]] = {}
    for row in curves:
        points[row["data"], int(row["pack"]), int(row["seed"]), int(row["iteration"])] = row
    cells: dict[tuple[str, int], Any] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for (data, pack, _, iteration), row in sorted(points.items()):
        for name in METRICS:
            cells[data, pack][iteration][name].append(float(row[name]))
    return cells


def converged(by_iteration: dict[int, dict[str, list[float]]]) -> tuple[bool, str]:
    """The convergence rule for one cell: (whether it holds, a short account)."""
    its = sorted(by_iteration)
    last = its[-1]
    fifth = min(its, key=lambda i: abs(i - 0.8 * last))
    notes, ok = [], True
    for name in METRICS:
        end, se = _stats(by_iteration[last][name])
        before, _ = _stats(by_iteration[fifth][name])
        change = end - before
        scale = 100 if name == "high_quality" else 1
        holds = math.isfinite(change) and abs(change) <= max(se, FLOORS[name])
        ok &= holds
        if not holds:
            notes.append(f"{name.replace('_', ' ')} {change * scale:+.2f} (se {se * scale:.2f})")
    return ok, "yes" if ok else "no: " + "; ".join(notes)


def table(rows: list[dict[str, str]], curves: list[dict[str, str]] | None = None) -> str:
    """The rst include: one list-table per dataset, ours beside the paper's."""
    paper = paper_rows()
    cells = curves_by_cell(curves or [])
    out: list[str] = []
    for data in ("ring", "grid"):
        mine = [r for r in rows if r["data"] == data and r["config"] == "cpu"]
        if not mine:
            continue
        k = MODES[data]
        steps = ", ".join(f"{s:,}" for s in sorted({int(r["steps"]) for r in mine}))
        out += [
            f".. list-table:: {NAMES[data]}: tinygan ({steps} iterations, this CPU) and "
            "PacGAN's Table 1",
            "   :header-rows: 1",
            "",
            "   * - method",
            "     - seeds",
            "     - modes (PacGAN)",
            "     - high quality % (PacGAN)",
            "     - reverse KL (PacGAN)",
            "     - reverse KL median",
            "     - every mode (95% interval)",
            "     - converged",
        ]
        for pack in sorted({int(r["pack"]) for r in mine}):
            runs = [r for r in mine if int(r["pack"]) == pack]
            name = LABEL.get(pack, f"PacGAN{pack}")
            ref = paper.get((data, name))
            every = sum(int(r["modes"]) == k for r in runs)
            low, high = tg.wilson_interval(every, len(runs))
            kl = [float(r["reverse_kl"]) for r in runs]
            verdict = converged(cells[data, pack])[1] if (data, pack) in cells else "-"

            def beside(text: str, key: str, ref: dict[str, str] | None = ref) -> str:
                return text if ref is None else f"{text} ({ref[key]} ± {ref[key + '_se']})"

            out += [
                f"   * - {name}",
                f"     - {len(runs)}",
                f"     - {beside(mean_se([float(r['modes']) for r in runs], digits=1), 'modes')}",
                "     - "
                + beside(
                    mean_se([float(r["high_quality"]) for r in runs], 100, 1), "high_quality_pct"
                ),
                f"     - {beside(mean_se(kl, digits=3), 'reverse_kl')}",
                f"     - {statistics.median(kl):.3f}",
                f"     - {every}/{len(runs)} ({low:.0%} - {high:.0%})",
                f"     - {verdict}",
            ]
        out.append("")
    return "\n".join(out)


def write_table(rows_path: Path, out: Path, note: str, curves_path: Path | None = None) -> str:
    """Write the table from the rows (and curves, for the convergence column)."""
    curves = read_rows(curves_path) if curves_path is not None else None
    text = f".. Generated by benchmarks/mixtures.py on {note}; do not edit.\n\n"
    text += table(read_rows(rows_path), curves)
    out.write_text(text)
    return text


def write_figure(curves_path: Path, path: Path) -> Path:
    """The three numbers against iterations, per dataset and method (needs matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    cells = curves_by_cell(read_rows(curves_path))
    datasets = [d for d in ("ring", "grid") if any(c[0] == d for c in cells)]
    fig, axes = plt.subplots(len(datasets), 3, figsize=(12, 3.4 * len(datasets)), squeeze=False)
    colours = {1: "#d73027", 2: "#4575b4", 3: "#1a9850", 4: "#984ea3"}
    for row, data in zip(axes, datasets, strict=True):
        for pack in sorted(p for d, p in cells if d == data):
            by_it = cells[data, pack]
            its = sorted(by_it)
            for ax, name in zip(row, METRICS, strict=True):
                scale = 100 if name == "high_quality" else 1
                stats = [_stats(by_it[i][name]) for i in its]
                mean = [m * scale for m, _ in stats]
                se = [s * scale for _, s in stats]
                seeds = len(by_it[its[-1]][name])
                label = f"{LABEL.get(pack, pack)} ({seeds} seeds)"
                ax.plot(its, mean, color=colours.get(pack, "k"), lw=1.5, label=label)
                lo = [m - s for m, s in zip(mean, se, strict=True)]
                hi = [m + s for m, s in zip(mean, se, strict=True)]
                ax.fill_between(its, lo, hi, color=colours.get(pack, "k"), alpha=0.2, lw=0)
        last = max(i for (d, _), c in cells.items() if d == data for i in c)
        for ax, name in zip(row, METRICS, strict=True):
            ax.axvspan(0.8 * last, last, color="0.9", zorder=0)
            ax.set_title(f"{NAMES[data]}: {TITLES[name]}", fontsize=10)
            ax.set_xlabel("iteration")
            ax.xaxis.set_major_formatter(lambda x, _: f"{x / 1000:g}k" if x else "0")
            ax.grid(alpha=0.3)
        row[0].axhline(MODES[data], color="0.5", lw=0.8, ls="--")
        row[1].set_ylim(0, 100)
        row[0].legend(fontsize=8, loc="lower right")
    fig.suptitle(
        "Judged every twentieth of the run on 2,500 fixed inputs: mean over seeds ± one "
        "standard error (seeds with an infinite reverse KL left out of its mean); last "
        "fifth shaded",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
