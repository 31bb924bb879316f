"""Callbacks that write each iteration's losses to the tools people already use.

:class:`CSVLogger` writes a CSV file, one row per iteration (what ``tinygan train`` writes
as ``history.csv``); :class:`TensorBoardLogger` writes TensorBoard scalars through
:mod:`torch.utils.tensorboard` (extra ``tensorboard``: ``pip install "tinygan[tensorboard]"``).

Both keep each iteration's detached tensors and write them in blocks of ``flush_every``
iterations (and when ``fit`` ends, however it ends), so logging costs no host
synchronisation per step.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from tinygan._checks import check_int
from tinygan.callbacks._columns import check_reference
from tinygan.callbacks.base import Callback

if TYPE_CHECKING:
    from tinygan.protocols import StepRecord

__all__ = ["CSVLogger", "TensorBoardLogger"]

#: The loss columns every logger writes, in order.
LOSS_FIELDS = ("d_loss_real", "d_loss_fake", "g_loss")


class _Buffered(Callback):
    """Keep records' tensors and hand them on in blocks as rows of Python floats."""

    reads_records_only = True  # see tinygan.Callback

    def __init__(self, reference: Sequence[float] | torch.Tensor | None, flush_every: int) -> None:
        self.reference = check_reference(reference)
        self.flush_every = check_int("flush_every", flush_every, minimum=1)
        self._pending: list[tuple[int, StepRecord]] = []

    @property
    def fields(self) -> tuple[str, ...]:
        """The names of the values in each row, after ``step``."""
        return LOSS_FIELDS + (("g_error",) if self.reference is not None else ())

    def on_step_end(self, trainer: Any, step: int, record: StepRecord) -> None:
        """Keep this iteration's record; write the block when it is full."""
        ref = self.reference
        if ref is not None and record.fake is not None and record.fake.shape[-1] != ref.numel():
            raise ValueError(
                f"{type(self).__name__} reference has {ref.numel()} entries "
                f"but the generator's output has {record.fake.shape[-1]}"
            )
        self._pending.append((step, record))
        if len(self._pending) >= self.flush_every:
            self.flush()

    def on_fit_end(self, trainer: Any) -> None:
        """Write what is left."""
        self.flush()

    def _rows(self) -> list[tuple[int, dict[str, float | None]]]:
        """Turn the pending records into rows, with one host transfer per column."""
        pending, self._pending = self._pending, []
        columns: dict[str, list[float | None]] = {}
        for name in self.fields:
            if name == "g_error":
                tensors = [r.fake for _, r in pending]
            else:
                tensors = [getattr(r, name) for _, r in pending]
            present = [t for t in tensors if t is not None]
            floats = self._g_errors(present) if name == "g_error" else _scalars(present)
            values = iter(floats)
            columns[name] = [None if t is None else next(values) for t in tensors]
        return [
            (step, {name: columns[name][i] for name in self.fields})
            for i, (step, _) in enumerate(pending)
        ]

    def _g_errors(self, fakes: list[torch.Tensor]) -> list[float]:
        """Each output's mean squared error to the reference, computed in one batch."""
        assert self.reference is not None
        if not fakes:
            return []
        ref = self.reference.to(fakes[0].device)
        if all(f.shape == fakes[0].shape for f in fakes):
            errors = ((torch.stack(fakes).float() - ref) ** 2).flatten(1).mean(dim=1)
        else:  # batch sizes differ (a custom trainer): one at a time
            errors = torch.stack([((f.float() - ref) ** 2).mean() for f in fakes])
        result: list[float] = errors.tolist()
        return result

    def flush(self) -> None:
        """Write every iteration kept so far."""
        raise NotImplementedError


def _scalars(tensors: list[torch.Tensor]) -> list[float]:
    """The values of one-element tensors as floats, in one host transfer."""
    if not tensors:
        return []
    if all(t.dim() == 0 for t in tensors):
        stacked = torch.stack(tensors)
    else:
        stacked = torch.stack([t.reshape(()) for t in tensors])
    result: list[float] = stacked.float().tolist()
    return result


def _format(value: float | None) -> str:
    # Nine significant digits round-trip a float32 exactly.
    return "" if value is None else f"{value:.9g}"


class CSVLogger(_Buffered):
    """Write one CSV row per iteration: ``step,d_loss_real,d_loss_fake,g_loss[,g_error]``.

    A value a trainer does not produce (``g_loss`` for a
    :class:`~tinygan.DiscriminatorTrainer`) is left empty. Values are written with nine
    significant digits, which round-trips float32 exactly. The file is started (with its
    header) at the first ``fit`` and appended to by later ones.

    Args:
        path: The CSV file to write; its folder must exist.
        reference: A target output such as the post's ``[0.9, 0.0, 0.9, 0.0]``; when
            given, a ``g_error`` column holds the generator's mean squared error to it.
        append: Add to an existing file instead of replacing it (for resumed runs); the
            header is written only if the file is new or empty.
        flush_every: Write to the file every this many iterations (and when ``fit``
            ends).

    Raises:
        ValueError: If ``reference`` is not a non-empty 1-d sequence of finite numbers or
            ``flush_every < 1``.
        TypeError: If ``path`` is not a path.

    Example:
        >>> import tempfile, pathlib
        >>> import tinygan as tg
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "history.csv"
        >>> trainer = tg.AdversarialTrainer(
        ...     tg.mlp([4, 4, 4]), tg.mlp([4, 3, 1]), tg.FuzzyPattern("1010"),
        ...     tg.UniformNoise(4), seed=0,
        ...     callbacks=[tg.CSVLogger(path, reference=[0.9, 0.0, 0.9, 0.0])])
        >>> _ = trainer.fit(3)
        >>> path.read_text().splitlines()[0]
        'step,d_loss_real,d_loss_fake,g_loss,g_error'
        >>> len(path.read_text().splitlines())
        4
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        reference: Sequence[float] | torch.Tensor | None = None,
        append: bool = False,
        flush_every: int = 1000,
    ) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a str or os.PathLike, got {path!r}")
        super().__init__(reference, flush_every)
        self.path = Path(path)
        self.append = bool(append)
        self._started = False

    def on_fit_start(self, trainer: Any) -> None:
        """Create the file with its header (first ``fit`` only, unless appending)."""
        if self._started:
            return
        self._started = True
        if self.append and self.path.exists() and self.path.stat().st_size > 0:
            return
        with self.path.open("w", newline="", encoding="utf-8") as file:
            csv.writer(file).writerow(self._header())

    def flush(self) -> None:
        """Append every iteration kept so far to the file."""
        if not self._pending:
            return
        if not self._started:
            self.on_fit_start(None)
        lines = self._lines(self._rows())
        with self.path.open("a", newline="", encoding="utf-8") as file:
            csv.writer(file).writerows(lines)

    def _header(self) -> tuple[str, ...]:
        # The file's first line; a subclass that adds columns adds them here and in _lines.
        return ("step", *self.fields)

    def _lines(self, rows: list[tuple[int, dict[str, float | None]]]) -> list[tuple[object, ...]]:
        # The CSV lines of the iterations ``rows`` (as _Buffered._rows gives them).
        return [(step, *(_format(values[name]) for name in self.fields)) for step, values in rows]


_TB_HINT = 'TensorBoardLogger needs tensorboard: pip install "tinygan[tensorboard]"'

#: The TensorBoard tag of each value.
TB_TAGS = {
    "d_loss_real": "loss/discriminator_real",
    "d_loss_fake": "loss/discriminator_fake",
    "g_loss": "loss/generator",
    "g_error": "generator/error_to_reference",
}


class TensorBoardLogger(_Buffered):
    """Write each iteration's losses as TensorBoard scalars, at the iteration's step.

    Tags: ``loss/discriminator_real``, ``loss/discriminator_fake``, ``loss/generator``
    and, with a ``reference``, ``generator/error_to_reference``. View them with
    ``tensorboard --logdir LOG_DIR``. The writer is opened when ``fit`` starts and
    closed when it ends.

    Args:
        log_dir: The folder to write event files into (created if needed).
        reference: A target output such as the post's ``[0.9, 0.0, 0.9, 0.0]``; when
            given, the generator's mean squared error to it is logged too.
        flush_every: Write every this many iterations (and when ``fit`` ends).

    Raises:
        ImportError: If tensorboard is not installed.
        ValueError: If ``reference`` is bad or ``flush_every < 1``.
        TypeError: If ``log_dir`` is not a path.
    """

    def __init__(
        self,
        log_dir: str | os.PathLike[str],
        *,
        reference: Sequence[float] | torch.Tensor | None = None,
        flush_every: int = 1000,
    ) -> None:
        if not isinstance(log_dir, (str, os.PathLike)):
            raise TypeError(f"log_dir must be a str or os.PathLike, got {log_dir!r}")
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError as exc:
            raise ImportError(_TB_HINT) from exc
        super().__init__(reference, flush_every)
        self.log_dir = Path(log_dir)
        self._writer_class = SummaryWriter
        self._writer: Any = None

    def on_fit_start(self, trainer: Any) -> None:
        """Open the event file writer."""
        if self._writer is None:
            self._writer = self._writer_class(log_dir=str(self.log_dir))

    def flush(self) -> None:
        """Write every iteration kept so far."""
        if not self._pending:
            return
        self.on_fit_start(None)
        for step, values in self._rows():
            for name, value in values.items():
                if value is not None:
                    self._writer.add_scalar(TB_TAGS[name], value, global_step=step)
        self._writer.flush()

    def on_fit_end(self, trainer: Any) -> None:
        """Write what is left and close the writer."""
        try:
            self.flush()
        finally:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
