"""The :class:`Checkpoint` callback: save as training goes, keep the last few, save at the end."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from tinygan._checks import check_int
from tinygan.callbacks.base import Callback
from tinygan.checkpoint import CheckpointError, read_checkpoint, save_checkpoint
from tinygan.protocols import StepRecord

__all__ = ["Checkpoint", "latest_checkpoint"]

logger = logging.getLogger("tinygan")

_NAME = re.compile(r"^checkpoint-(\d+)\.pt$")
_SINGLE_SUFFIXES = (".pt", ".pth", ".ckpt")


def _checkpoints(directory: Path) -> list[tuple[int, Path]]:
    if not directory.is_dir():
        return []
    found = []
    for entry in directory.iterdir():
        match = _NAME.match(entry.name)
        if match and entry.is_file():
            found.append((int(match.group(1)), entry))
    return sorted(found)


def latest_checkpoint(directory: str | os.PathLike[str], *, readable: bool = False) -> Path | None:
    """The checkpoint of the highest iteration that :class:`Checkpoint` wrote in ``directory``.

    Args:
        directory: A folder given to :class:`Checkpoint`.
        readable: Pass over those :func:`tinygan.read_checkpoint` cannot read (one
            truncated by a crash, say): the newest one that can be read.

    Returns:
        The path of ``checkpoint-<iteration>.pt`` with the largest iteration, or ``None``
        when there is none (or no such folder).

    Example:
        >>> import tempfile
        >>> latest_checkpoint(tempfile.mkdtemp()) is None
        True
    """
    found = [path for _, path in _checkpoints(Path(directory))]
    if not readable:
        return found[-1] if found else None
    return next((path for path in reversed(found) if _readable(path)), None)


def _readable(path: Path) -> bool:
    try:
        read_checkpoint(path)
    except CheckpointError:
        return False
    return True


def _weights_finite(trainer: Any) -> bool:
    for name in ("generator", "discriminator"):
        net = getattr(trainer, name, None)
        if net is not None and callable(getattr(net, "parameters", None)):
            for p in net.parameters():
                if not bool(torch.isfinite(p).all()):
                    return False
    return True


class Checkpoint(Callback):
    """Save the trainer every ``every`` iterations, keep the last ``keep``, and save at the end.

    In a folder, files are named ``checkpoint-00001000.pt`` (the iteration, zero-padded);
    older ones beyond the last ``keep`` (by iteration) are deleted.
    :func:`latest_checkpoint` finds the newest. A path ending in ``.pt``, ``.pth`` or
    ``.ckpt`` is instead one file, replaced at each save.

    A fresh trainer (iteration 0) refuses a path that holds checkpoints already: they
    are another run's, and would be pruned or replaced.

    When ``fit`` ends, however it ends (all steps done, ``stop()``, an exception or
    Ctrl-C), a final checkpoint is written for the last completed iteration, unless one
    exists for it already. It is skipped, with a warning, when there is nothing whole to
    save: ``fit`` ended inside an iteration (an exception raised by ``step()``), or the
    networks' weights are NaN or infinite. Every write is atomic
    (:func:`tinygan.save_checkpoint`).

    Wherever it is in the list of callbacks, ``Checkpoint`` runs after the others
    (``runs_last = True``, see :mod:`tinygan.callbacks`), so the state it saves includes
    every other callback's view of the iteration it saves, and every logger with a
    ``flush()`` method (such as :class:`tinygan.CSVLogger`) is flushed first.

    Args:
        path: A folder (created if missing) or a single file ending in ``.pt``.
        every: Save at iterations ``every``, ``2 * every``, ...
        keep: How many checkpoints to keep in a folder; ``None`` keeps all.
        extra: Plain data to store in every checkpoint (see
            :func:`tinygan.save_checkpoint`).

    Attributes:
        last_saved: The path most recently written, or ``None``.
        last_iteration: The iteration it holds, or ``None``.

    Example:
        >>> import pathlib, tempfile
        >>> import tinygan as tg
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> trainer = tg.AdversarialTrainer(
        ...     tg.mlp([4, 4, 4]), tg.mlp([4, 3, 1]), tg.FuzzyPattern("1010"),
        ...     tg.UniformNoise(4), seed=0,
        ...     callbacks=[tg.LossLogger(), tg.Checkpoint(folder, every=10, keep=2)])
        >>> _ = trainer.fit(35)
        >>> tg.latest_checkpoint(folder).name
        'checkpoint-00000035.pt'
        >>> sorted(p.name for p in folder.iterdir())
        ['checkpoint-00000030.pt', 'checkpoint-00000035.pt']
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        every: int = 1000,
        keep: int | None = 3,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a folder or a file path, got {path!r}")
        self.path = Path(path)
        self.every = check_int("every", every, minimum=1)
        self.keep = None if keep is None else check_int("keep", keep, minimum=1)
        self.extra = dict(extra) if extra is not None else None
        self.single = self.path.suffix in _SINGLE_SUFFIXES
        self.last_saved: Path | None = None
        self.last_iteration: int | None = None

    #: Run after the other callbacks (see :mod:`tinygan.callbacks`).
    runs_last = True

    def file_for(self, iteration: int) -> Path:
        """The path that the checkpoint of ``iteration`` is written to."""
        return self.path if self.single else self.path / f"checkpoint-{iteration:08d}.pt"

    def on_fit_start(self, trainer: Any) -> None:
        """Refuse to write over checkpoints a fresh trainer did not write.

        A trainer at iteration 0 whose path already holds checkpoints would prune or
        replace another run's (and :func:`latest_checkpoint` would then mix the two).

        Raises:
            ValueError: If so, naming what is there.
        """
        if int(getattr(trainer, "iteration", 0)) != 0:
            return  # resumed, or a later fit: its own checkpoints, or older ones
        there = [self.path] if self.single and self.path.exists() else []
        if not self.single:
            there = [path for _, path in _checkpoints(self.path)]
        if there:
            raise ValueError(
                f"Checkpoint({str(self.path)!r}) already holds {there[-1].name}"
                f"{f' and {len(there) - 1} more' if len(there) > 1 else ''}, which a fresh "
                "trainer would write over: resume from it (tg.load_checkpoint(...)), or "
                "give another path"
            )

    def on_step_end(self, trainer: Any, step: int, record: StepRecord) -> None:
        """Save at every ``every``-th iteration."""
        if step % self.every == 0:
            self.save(trainer)

    def on_fit_end(self, trainer: Any) -> None:
        """Save the last completed iteration, if it is whole and not saved yet."""
        iteration = int(getattr(trainer, "iteration", 0))
        if iteration == 0 or (
            self.last_iteration == iteration
            and self.last_saved is not None
            and self.last_saved.exists()
        ):
            return
        if getattr(trainer, "_in_step", False):
            logger.warning(
                "fit ended inside iteration %d: not checkpointed (last checkpoint: %s)",
                iteration + 1,
                self.last_saved,
            )
            return
        if not _weights_finite(trainer):
            logger.warning(
                "weights are not finite at iteration %d: not checkpointed (last: %s)",
                iteration,
                self.last_saved,
            )
            return
        self.save(trainer)

    def save(self, trainer: Any) -> Path:
        """Write a checkpoint of ``trainer`` now and drop the ones beyond ``keep``.

        First every other callback with a ``flush()`` method (such as
        :class:`tinygan.CSVLogger`) is flushed, so no file a logger writes is ever
        behind the newest checkpoint.
        """
        for cb in getattr(trainer, "callbacks", []):
            if cb is not self and callable(getattr(cb, "flush", None)):
                cb.flush()
        iteration = int(trainer.iteration)
        path = save_checkpoint(self.file_for(iteration), trainer, extra=self.extra)
        self.last_saved, self.last_iteration = path, iteration
        logger.debug("checkpoint of iteration %d written to %s", iteration, path)
        if not self.single and self.keep is not None:
            for _, old in _checkpoints(self.path)[: -self.keep]:
                old.unlink(missing_ok=True)
        return path
