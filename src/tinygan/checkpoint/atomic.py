"""Atomic writes: a crash mid-write leaves the old file or the new one, whole, never half.

Every file tinygan writes that a later run reads back (checkpoints, ``model.pt``, a
sweep's ``seeds.csv``) goes through here: a temporary file beside the target is written,
flushed and synced to disk, renamed over the target, and the folder is synced so that
the rename itself survives a power cut.

>>> import pathlib, tempfile
>>> from tinygan.checkpoint.atomic import write_atomically
>>> path = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
>>> _ = write_atomically(path, lambda f: f.write(b"hello"))
>>> path.read_bytes()
b'hello'
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import torch

__all__ = ["fsync_dir", "save_atomically", "write_atomically"]


def fsync_dir(folder: Path) -> None:
    """Flush ``folder``'s entries (a rename into it) to disk, where the system allows."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: str | os.PathLike[str], write: Callable[[IO[bytes]], Any]) -> Path:
    """Write ``path`` through ``write(file)`` atomically: the old file or the new one, whole.

    ``write`` receives a binary file open on a temporary file beside ``path``; that file
    is flushed, synced and renamed over ``path``. Missing parent folders are created. If
    ``write`` raises, the temporary file is removed and ``path`` is untouched.

    Args:
        path: The file to write.
        write: Writes the whole new content into the file it is given.

    Returns:
        ``path``, as a :class:`~pathlib.Path`.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(target.parent)
    return target


def save_atomically(obj: Any, path: str | os.PathLike[str]) -> Path:
    """``torch.save`` ``obj`` to ``path`` atomically: the old file or the new one, whole.

    A temporary file beside ``path`` is written, flushed to disk and renamed over
    ``path``; missing parent folders are created.

    Args:
        obj: What to save (plain data and tensors, to load with ``weights_only=True``).
        path: The file to write.

    Returns:
        ``path``, as a :class:`~pathlib.Path`.
    """
    return write_atomically(path, lambda f: torch.save(obj, f))
