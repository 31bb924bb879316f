"""Checkpoint files: a trainer's whole state, written atomically and read without pickle.

- ``files``: :func:`~tinygan.save_checkpoint`,
  :func:`~tinygan.read_checkpoint`, :func:`~tinygan.load_checkpoint` and
  :class:`~tinygan.CheckpointError` (the file format is described there);
- ``atomic``: writes that leave the old file or the new one, whole;
- ``digest``: the SHA-256 digest that finds a flipped byte.

Layer: low. It imports :mod:`tinygan.nets` (to describe networks) and nothing that
trains; the :class:`~tinygan.Checkpoint` callback, sweeps and the CLI import it.
"""

from tinygan.checkpoint.atomic import save_atomically, write_atomically
from tinygan.checkpoint.files import (
    CheckpointError,
    load_checkpoint,
    read_checkpoint,
    save_checkpoint,
)

__all__ = [
    "CheckpointError",
    "load_checkpoint",
    "read_checkpoint",
    "save_atomically",
    "save_checkpoint",
    "write_atomically",
]
