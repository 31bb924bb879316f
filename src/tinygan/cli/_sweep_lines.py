"""What ``tinygan sweep`` prints about a result, line by line."""

from __future__ import annotations

import math
import statistics

from tinygan.sweeps import SweepConfig, SweepResult
from tinygan.sweeps.chunk import LOSS_WINDOW

__all__ = ["summary_lines"]


def summary_lines(result: SweepResult) -> list[str]:
    """The lines ``tinygan sweep`` prints about a result: the rate, then each number's median."""
    low, high = result.interval
    lines = [
        f"{result.successes}/{result.n} seeds succeeded: success rate {result.success_rate:.3f}, "
        f"95% Wilson interval [{low:.3f}, {high:.3f}]",
    ]
    numbers = result.summary()["numbers"]
    pattern = isinstance(result.config, SweepConfig)
    judged = f", each judged on {result.eval_inputs:,} fixed inputs" if result.eval_inputs else ""
    if "spread_1" in numbers:
        spreads = [statistics.fmean(row.spread) for row in result.rows]
        lines.append(
            f"median spread of G's output over the seeds{judged}: "
            f"{statistics.median(spreads):.4f} per position (fuzzy real data: 0.058)"
        )
    else:
        medians = [
            f"{name} {stats['median']:.4g}"
            for name, stats in numbers.items()
            if name != "d_loss" and stats["median"] is not None
        ]
        if medians:
            lines.append(f"medians over the seeds{judged}: " + ", ".join(medians))
    d_losses = [row.d_loss for row in result.rows if not math.isnan(row.d_loss)]
    if d_losses:
        window = min(LOSS_WINDOW, result.config.steps)
        hint = " (0.25 means D cannot tell G's output from real data)" if pattern else ""
        lines.append(
            f"median over the seeds of D's mean loss in their last {window:,} iterations: "
            f"{statistics.median(d_losses):.3f}{hint}"
        )
    return lines
