"""Where a sweep's rows came from: which backend trained how many of its seeds.

Each :class:`~tinygan.SeedResult` names the backend that trained it; a sweep counts them
(:func:`count_backends`) and writes one record (:func:`backend_record`) into
``summary.json`` and ``sweep.json``, with the native kernel's build where it trained
seeds. A sweep resumed elsewhere, where another backend ran, says so there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tinygan.sweeps.config import SeedResult

__all__ = ["backend_record", "count_backends"]


def count_backends(rows: Iterable[SeedResult]) -> dict[str, int]:
    """How many of ``rows`` each backend trained (``"unknown"`` where a row does not say)."""
    counts: dict[str, int] = {}
    for row in rows:
        name = row.backend or "unknown"
        counts[name] = counts.get(name, 0) + 1
    return counts


def backend_record(
    counts: dict[str, int], native: dict[str, Any] | None = None, *, requested: str = "auto"
) -> dict[str, Any]:
    """What a sweep's files say of the backends that trained its seeds.

    Args:
        counts: Seeds per backend (:func:`count_backends`).
        native: The native kernel's build (source digest, flags), if it trained seeds.
        requested: The ``backend=`` the sweep asked for.

    Returns:
        ``{"name": NAME, "requested": ..., "seeds": N, ...}`` where one backend trained
        every seed (with the kernel's build for ``"native"``); ``{"name": "A+B",
        "requested": ..., "seeds": {"A": n, ...}}`` where several did (a sweep resumed
        elsewhere, say), with the kernel's build under ``"native"`` where it trained some.

    Example:
        >>> from tinygan.sweeps.result import backend_record
        >>> backend_record({"fused": 3})
        {'name': 'fused', 'requested': 'auto', 'seeds': 3}
        >>> backend_record({"native": 2, "fused": 1})["name"]
        'fused+native'
    """
    if len(counts) == 1:
        ((name, n),) = counts.items()
        extra = native if name == "native" and native else {}
        return {"name": name, "requested": requested, "seeds": n, **extra}
    seeds = dict(sorted(counts.items()))
    record = {"name": "+".join(sorted(counts)), "requested": requested, "seeds": seeds}
    return {**record, "native": native} if "native" in counts and native else record
