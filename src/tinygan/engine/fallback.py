"""Falling back: a backend that cannot run here says so once, and the files say so too.

Where a backend was asked for (``backend="native"``, or ``compile=True``) and another
runs instead, the user is told once, through :mod:`warnings` and the ``tinygan`` logger,
naming the reason and the backend that runs; and the owner's
:meth:`~tinygan.AdversarialTrainer.backend_info`, which its files record, holds the
backend asked for and the reason beside the one that ran.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

__all__ = ["Fallback", "warn_fallback"]

logger = logging.getLogger("tinygan.engine")


def warn_fallback(wanted: str, reason: str, instead: str) -> None:
    """Say that ``wanted`` cannot run here, why, and that ``instead`` runs.

    A :class:`RuntimeWarning` (which Python shows once per process: it comes from one
    place) and a message on the ``tinygan`` logger.
    """
    message = f"backend {wanted!r} cannot run here ({reason}); training goes on with {instead!r}"
    logger.info(message)
    warnings.warn(message, RuntimeWarning, stacklevel=1)


class Fallback:
    """One owner's fallbacks: each reason warned of once, the latest kept for its files.

    Call it as :func:`warn_fallback` is called.
    """

    def __init__(self) -> None:
        self.warned: set[str] = set()
        self.latest: tuple[str, str] | None = None  # (wanted, reason)

    def __call__(self, wanted: str, reason: str, instead: str) -> None:
        """Keep the fallback from ``wanted`` for ``reason``; warn of a new reason."""
        self.latest = wanted, reason
        if reason not in self.warned:
            self.warned.add(reason)
            warn_fallback(wanted, reason, instead)

    def record(self, described: dict[str, Any]) -> dict[str, Any]:
        """``described`` (a backend's record), with what was asked for and why not.

        Only where another backend runs in place of the one asked for: then
        ``requested`` names that one and ``fallback`` why it does not run.
        """
        if self.latest is None or described["name"] == self.latest[0]:
            return described
        return {**described, "requested": self.latest[0], "fallback": self.latest[1]}
