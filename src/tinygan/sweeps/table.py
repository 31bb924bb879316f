"""``seeds.csv``: a sweep's rows as a table, one line per seed, one column per number."""

from __future__ import annotations

import csv
import io

from tinygan.sweeps.config import SeedResult

__all__ = ["csv_columns", "csv_text"]


def csv_columns(names: list[str]) -> list[str]:
    """The columns of ``seeds.csv`` for a judge that returns ``names``.

    >>> from tinygan.sweeps.table import csv_columns
    >>> csv_columns(["mean_1", "spread_1", "distance", "success"])
    ['seed', 'mean_1', 'spread_1', 'distance', 'success', 'd_loss']
    """
    return ["seed", *names, "d_loss"]


def _cell(value: float | bool) -> str | int:
    return int(value) if isinstance(value, bool) else repr(float(value))


def csv_text(rows: tuple[SeedResult, ...] | list[SeedResult]) -> str:
    """``seeds.csv`` for ``rows``: a header, then one line per seed in the given order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = list(rows[0].values) if rows else ["success"]
    writer.writerow(csv_columns(names))
    for row in rows:
        writer.writerow([row.seed, *(_cell(row.values[n]) for n in names), _cell(row.d_loss)])
    return buffer.getvalue()
