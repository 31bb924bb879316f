"""The callback base class and :class:`LambdaCallback`: the hooks a trainer's ``fit`` calls.

The order in which ``fit`` calls them is written down in :mod:`tinygan.callbacks`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tinygan.protocols import StepRecord

__all__ = ["Callback", "LambdaCallback"]


class Callback:
    """Base class of callbacks: every hook is a no-op; override the ones you need.

    Two class attributes declare what a callback needs of the trainer, so that the
    engine can serve it faster where it needs little:

    Attributes:
        reads_records_only: Set it to ``True`` on a class whose hooks read nothing but
            the ``step`` and ``record`` they are handed (not the trainer's weights, its
            ``rng`` or its state; never ``stop()``), as :class:`~tinygan.LossLogger`,
            :class:`~tinygan.Snapshots`, :class:`~tinygan.CSVLogger` and
            :class:`~tinygan.TensorBoardLogger` do. With only such callbacks, the native
            backend computes many iterations per call and hands their records out one
            by one (see :doc:`/performance`); with any other, one iteration per call, so
            the callback sees the trainer exactly as each iteration leaves it. A subclass
            whose hooks look at the trainer sets it back to ``False``. ``False`` by
            default.
        shared_by_ensembles: Set it to ``True`` on a class whose hooks read nothing but
            the iteration number and act only on ``trainer.g_optimizer`` and
            ``trainer.d_optimizer`` (a learning-rate schedule, say). Alike trainers
            carrying equal callbacks of such classes can then still train as one
            ensemble (:meth:`tinygan.EnsembleTrainer.from_trainers`), which runs one copy
            of them on its own optimisers. ``False`` by default.

    Example:
        >>> import tinygan as tg
        >>> class CountSteps(tg.Callback):
        ...     def __init__(self):
        ...         self.count = 0
        ...     def on_step_end(self, trainer, step, record):
        ...         self.count += 1
    """

    reads_records_only: bool = False
    shared_by_ensembles: bool = False

    def on_fit_start(self, trainer: Any) -> None:
        """Called once when ``fit`` starts, before the first iteration."""

    def on_step_end(self, trainer: Any, step: int, record: StepRecord) -> None:
        """Called after each iteration with its number (from 1) and its record."""

    def on_fit_end(self, trainer: Any) -> None:
        """Called once when ``fit`` ends, however it ends."""


class LambdaCallback(Callback):
    """A callback made of plain functions, for one-off hooks.

    Args:
        on_fit_start: Called as ``on_fit_start(trainer)``.
        on_step_end: Called as ``on_step_end(trainer, step, record)``.
        on_fit_end: Called as ``on_fit_end(trainer)``.

    Raises:
        TypeError: If a hook given is not callable.

    Example:
        >>> import tinygan as tg
        >>> steps = []
        >>> cb = tg.LambdaCallback(on_step_end=lambda trainer, step, record: steps.append(step))
    """

    def __init__(
        self,
        on_fit_start: Callable[[Any], None] | None = None,
        on_step_end: Callable[[Any, int, StepRecord], None] | None = None,
        on_fit_end: Callable[[Any], None] | None = None,
    ) -> None:
        for name, hook in (
            ("on_fit_start", on_fit_start),
            ("on_step_end", on_step_end),
            ("on_fit_end", on_fit_end),
        ):
            if hook is not None and not callable(hook):
                raise TypeError(f"{name} must be callable or None, got {hook!r}")
        self._on_fit_start = on_fit_start
        self._on_step_end = on_step_end
        self._on_fit_end = on_fit_end

    def on_fit_start(self, trainer: Any) -> None:
        """Call the ``on_fit_start`` function, if one was given."""
        if self._on_fit_start is not None:
            self._on_fit_start(trainer)

    def on_step_end(self, trainer: Any, step: int, record: StepRecord) -> None:
        """Call the ``on_step_end`` function, if one was given."""
        if self._on_step_end is not None:
            self._on_step_end(trainer, step, record)

    def on_fit_end(self, trainer: Any) -> None:
        """Call the ``on_fit_end`` function, if one was given."""
        if self._on_fit_end is not None:
            self._on_fit_end(trainer)
