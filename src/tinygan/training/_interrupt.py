"""Ctrl-C during ``fit``: held until the iteration in progress is whole.

A :class:`KeyboardInterrupt` may otherwise land anywhere: between the discriminator's
step and the generator's, after the weights changed but before the iteration was
counted, or while half the callbacks have logged an iteration. Any of those leaves a
trainer that no checkpoint should record.

So, while ``fit`` runs in the main thread and ``SIGINT`` has Python's default handler,
:class:`DeferredInterrupt` installs a handler that only notes the signal. ``fit`` raises
:class:`KeyboardInterrupt` itself at the next boundary between iterations (or after the
``on_fit_end`` hooks, if the signal came during them), so the last iteration counted is
whole and every callback has seen it. A second Ctrl-C while one is pending interrupts at
once, as an escape hatch for a hung callback; the trainer is then not guaranteed whole.

Elsewhere (another thread, or a program with its own ``SIGINT`` handler) nothing is
installed and signals behave as they otherwise would.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType, TracebackType
from typing import Any

__all__ = ["DeferredInterrupt"]

logger = logging.getLogger("tinygan")


class DeferredInterrupt:
    """Context manager that turns ``SIGINT`` into a flag, :attr:`pending`, while active.

    Attributes:
        pending: Whether a ``SIGINT`` arrived and has not been raised yet.
        installed: Whether this instance installed its handler.
    """

    def __init__(self) -> None:
        self.pending = False
        self.installed = False
        self._previous: Any = None

    def __enter__(self) -> DeferredInterrupt:
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self.installed = True
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.pending:
            raise KeyboardInterrupt
        self.pending = True  # nothing else here: a signal handler must not take locks

    def raise_if_pending(self) -> None:
        """Raise the pending interrupt, if any (called between iterations)."""
        if self.pending:
            self.pending = False
            logger.warning("interrupted: stopping between iterations, the last one whole")
            raise KeyboardInterrupt

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.installed:
            signal.signal(signal.SIGINT, self._previous)
            self.installed = False
        if self.pending and exc_type is None:
            self.pending = False
            raise KeyboardInterrupt
