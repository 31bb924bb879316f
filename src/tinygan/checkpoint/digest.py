"""A SHA-256 digest of plain data (what a checkpoint may hold), checking it is plain."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import torch

__all__ = ["digest"]


def _feed(h: Any, obj: Any, where: str) -> None:
    """Hash ``obj`` into ``h``; raise ``TypeError`` for anything but plain data.

    Types are matched exactly: a subclass of ``str`` or ``float`` (a NumPy scalar, say)
    would be pickled as its own class, which ``torch.load(weights_only=True)`` refuses.
    """
    if obj is None:
        h.update(b"N")
    elif type(obj) is bool:
        h.update(b"B1" if obj else b"B0")
    elif type(obj) is int:
        h.update(b"I%d;" % obj)
    elif type(obj) is float:
        h.update(b"F" + obj.hex().encode() + b";")
    elif type(obj) is str:
        data = obj.encode()
        h.update(b"S%d:" % len(data) + data)
    elif isinstance(obj, torch.Tensor):
        t = obj.detach().cpu().contiguous()
        h.update(f"T{t.dtype}{tuple(t.shape)}:".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    elif isinstance(obj, (torch.dtype, torch.device)):
        h.update(b"D" + str(obj).encode() + b";")
    elif type(obj) in (dict, OrderedDict):
        h.update(b"{%d" % len(obj))
        for key, value in obj.items():
            if type(key) not in (str, int):
                raise TypeError(f"{where} has a key {key!r}; only str and int keys are allowed")
            _feed(h, key, where)
            _feed(h, value, f"{where}[{key!r}]")
    elif type(obj) in (list, tuple):
        h.update(b"[%d" % len(obj) if isinstance(obj, list) else b"(%d" % len(obj))
        for i, value in enumerate(obj):
            _feed(h, value, f"{where}[{i}]")
    else:
        raise TypeError(
            f"{where} is a {type(obj).__name__}: a checkpoint holds only tensors, numbers, "
            f"strings, None, and lists, tuples and dicts of them"
        )


def digest(payload: Mapping[str, Any]) -> str:
    """The SHA-256 of ``payload`` without its ``sha256`` entry, as hex.

    Raises:
        TypeError: If ``payload`` holds anything but plain data.
    """
    h = hashlib.sha256()
    _feed(h, {k: v for k, v in payload.items() if k != "sha256"}, "checkpoint")
    return h.hexdigest()
