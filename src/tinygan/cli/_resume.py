"""What ``tinygan train`` adds for long runs: checkpoints, resuming, and health metrics.

- :class:`HistoryLogger` writes ``history.csv`` with the health metrics as extra columns,
  filled at the iterations where :class:`tinygan.Metrics` measured them (empty elsewhere).
- :func:`truncate_history` cuts ``history.csv`` back to a checkpoint's iteration before a
  resumed run appends to it.
- :func:`health_lines` is the health part of the summary.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from tinygan.callbacks import Metrics, measure_health
from tinygan.callbacks.autosave import _checkpoints
from tinygan.callbacks.files import CSVLogger, _format
from tinygan.sweeps import wilson_interval

__all__ = [
    "CHECKPOINTS",
    "HistoryLogger",
    "clear_checkpoints",
    "health_lines",
    "metric_keys",
    "resume_command",
    "truncate_history",
]

#: The folder, inside a run's folder, that its checkpoints go to.
CHECKPOINTS = "checkpoints"

#: Below this spread ratio the summary calls the generator partly collapsed.
COLLAPSE_THRESHOLD = 0.5


def metric_keys(dim: int) -> list[str]:
    """The health metrics' names for data of width ``dim``, in column order."""
    keys = ["inside", *(f"inside_{j}" for j in range(1, dim + 1))]
    keys += ["centre_dist", *(f"centre_dist_{j}" for j in range(1, dim + 1))]
    keys += ["spread_ratio", *(f"spread_ratio_{j}" for j in range(1, dim + 1))]
    return [*keys, "d_real", "d_fake"]


class HistoryLogger(CSVLogger):
    """:class:`tinygan.CSVLogger` plus the columns of a :class:`tinygan.Metrics`.

    Put it after the ``Metrics`` in the callbacks, so that an iteration's measurements
    exist when its row is written.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        metrics: Metrics,
        dim: int,
        reference: Sequence[float] | None = None,
        append: bool = False,
    ) -> None:
        super().__init__(path, reference=reference, append=append)
        self.metrics = metrics
        self.metric_keys = metric_keys(dim)

    @property
    def header(self) -> tuple[str, ...]:
        """Every column, in order."""
        return (*super()._header(), *self.metric_keys)

    def _header(self) -> tuple[str, ...]:
        return self.header

    def _lines(self, rows: list[tuple[int, dict[str, float | None]]]) -> list[tuple[object, ...]]:
        # Each iteration kept so far, with its measurements if it has any.
        measured = dict(zip(self.metrics.steps, self.metrics.rows, strict=True))
        return [
            (
                *line,
                *(_format(measured.get(step, {}).get(key)) for key in self.metric_keys),
            )
            for line, (step, _) in zip(super()._lines(rows), rows, strict=True)
        ]


def truncate_history(path: Path, iteration: int) -> None:
    """Drop the rows of ``history.csv`` past ``iteration`` (written after the checkpoint)."""
    if not path.exists():
        return
    with path.open(newline="", encoding="utf-8") as file:
        lines = file.read().splitlines(keepends=True)
    keep = lines[:1] + [line for line in lines[1:] if int(line.split(",", 1)[0]) <= iteration]
    if len(keep) != len(lines):
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text("".join(keep), encoding="utf-8", newline="")
        os.replace(tmp, path)


def clear_checkpoints(folder: Path) -> None:
    """Delete the checkpoints an earlier run left in ``folder`` (a fresh run replaces it)."""
    for _, path in _checkpoints(folder):
        path.unlink(missing_ok=True)


def resume_command(out: Path) -> str:
    """The command that resumes the run in ``out``."""
    return f"tinygan train --resume {shlex.quote(str(out))}"


def health_lines(trainer: Any, seed: int, *, n: int = 1000) -> list[str]:
    """The summary's health lines, measured on ``n`` probes drawn from ``seed``.

    The probes come from their own generator, so the trainer's state is untouched.
    """
    health = measure_health(
        trainer.generator,
        trainer.discriminator,
        trainer.real,
        trainer.noise,
        n=n,
        rng=torch.Generator().manual_seed(seed),
    )
    dim = int(trainer.real.dim)

    def per(key: str, fmt: str) -> str:
        return " ".join(format(health[f"{key}_{j}"], fmt) for j in range(1, dim + 1))

    low, high = wilson_interval(round(health["inside"] * n), n)
    lines = [
        f"health on {n} probes: {health['inside']:.0%} of G's outputs inside the real ranges "
        f"(95% Wilson interval {low:.1%}-{high:.1%}; per position {per('inside', '.0%')})",
        f"  distance of G's mean to each range's centre: {per('centre_dist', '.3f')}",
        f"  spread ratio (G's std / real std) per position: {per('spread_ratio', '.2f')} "
        f"(mean {health['spread_ratio']:.2f}; 1 = as varied as the real data)",
        f"  D(real) = {health['d_real']:.3f}, D(fake) = {health['d_fake']:.3f}",
    ]
    if health["inside"] < 0.5:  # not yet where the data are: its spread says little
        lines.append(
            f"note: only {health['inside']:.0%} of G's outputs lie inside the real ranges: G "
            "has not learnt the data yet (train longer), so how little they vary says little "
            "about mode collapse"
        )
    elif health["spread_ratio"] < COLLAPSE_THRESHOLD:
        lines.append(
            f"warning: G's outputs vary {health['spread_ratio']:.2f}x as much as the real "
            f"data: partial mode collapse (G gives nearly the same output for every input)"
        )
    return lines
