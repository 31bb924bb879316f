"""The callbacks' part of a trainer's state: gathered and restored in list order.

A callback keeps state across a checkpoint when it has both ``state_dict()`` and
``load_state_dict(state)``; the others (progress bars, file writers) are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["callbacks_state", "load_callbacks_state", "stateful"]


def stateful(callbacks: Sequence[Any]) -> list[Any]:
    """The callbacks that have both ``state_dict`` and ``load_state_dict``, in order."""
    return [
        cb
        for cb in callbacks
        if callable(getattr(cb, "state_dict", None))
        and callable(getattr(cb, "load_state_dict", None))
    ]


def callbacks_state(callbacks: Sequence[Any]) -> list[dict[str, Any]]:
    """Return ``[{"type": class name, "state": cb.state_dict()}, ...]`` for stateful ones."""
    return [{"type": type(cb).__name__, "state": cb.state_dict()} for cb in stateful(callbacks)]


def load_callbacks_state(callbacks: Sequence[Any], states: Any) -> None:
    """Restore what :func:`callbacks_state` returned into ``callbacks``.

    The stateful callbacks must match the saved ones in number and class, in order;
    this is checked before any is loaded. A trainer with no stateful callbacks (built
    only to look at the networks, say) ignores the saved ones.

    Raises:
        ValueError: If the stateful callbacks do not match the saved ones.
    """
    targets = stateful(callbacks)
    if not targets:
        return
    if not isinstance(states, list) or not all(
        isinstance(s, dict) and "type" in s and "state" in s for s in states
    ):
        raise ValueError(f"the callbacks' state must be a list of {{type, state}}, got {states!r}")
    saved = [s["type"] for s in states]
    have = [type(cb).__name__ for cb in targets]
    if saved != have:
        raise ValueError(
            f"the callbacks that keep state differ: saved {saved}, this trainer has {have}; "
            f"build the trainer with the same callbacks, in the same order"
        )
    for cb, entry in zip(targets, states, strict=True):
        cb.load_state_dict(entry["state"])
