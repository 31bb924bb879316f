"""The training loop shared by every trainer: ``fit``, ``stop`` and the callbacks."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TypeVar

import torch

from tinygan._checks import check_int
from tinygan.callbacks import Callback
from tinygan.protocols import StepRecord
from tinygan.training._interrupt import DeferredInterrupt

__all__ = ["BaseTrainer"]

_HOOKS = ("on_fit_start", "on_step_end", "on_fit_end")
_LOSSES = ("d_loss_real", "d_loss_fake", "g_loss")

TrainerT = TypeVar("TrainerT", bound="BaseTrainer")


def check_callbacks(callbacks: Iterable[Callback]) -> list[Callback]:
    """Return ``callbacks`` as a list if every entry has the three callback hooks."""
    if isinstance(callbacks, Callback):
        raise TypeError("callbacks must be a sequence of tinygan.Callback, got one Callback")
    try:
        result = list(callbacks)
    except TypeError as exc:
        raise TypeError(
            f"callbacks must be a sequence of tinygan.Callback, got {callbacks!r}"
        ) from exc
    for cb in result:
        if isinstance(cb, type):  # the class itself: its hooks would lack their self
            raise TypeError(
                f"callbacks must hold callback objects, got the class {cb.__name__}: "
                f"pass an instance, {cb.__name__}(...)"
            )
        if not all(callable(getattr(cb, hook, None)) for hook in _HOOKS):
            raise TypeError(
                f"callbacks must hold tinygan.Callback objects (with on_fit_start, "
                f"on_step_end and on_fit_end), got {cb!r}"
            )
    return result


class BaseTrainer:
    """The loop of every trainer: subclasses define :meth:`step`, this drives the rest.

    A class that inherits this and defines ``step()`` is a :class:`tinygan.Trainer`: it
    gets :meth:`fit`, :meth:`stop`, :attr:`iteration` and callbacks, with the order of
    events documented in :mod:`tinygan.callbacks`.

    Args:
        callbacks: The callbacks whose hooks :meth:`fit` calls, in this order.

    Attributes:
        iteration: How many iterations have completed, across all ``fit`` calls.
        callbacks: The callbacks, a list that may be changed between ``fit`` calls.
        check_finite: Whether ``fit`` stops with :class:`FloatingPointError` when a
            loss is NaN or infinite (on by default).

    Example:
        >>> import torch
        >>> import tinygan as tg
        >>> class Counter(tg.BaseTrainer):
        ...     def step(self):
        ...         return tg.StepRecord(g_loss=torch.tensor(float(self.iteration)))
        >>> Counter().fit(3).iteration
        3
    """

    def __init__(self, *, callbacks: Iterable[Callback] = ()) -> None:
        self.callbacks: list[Callback] = check_callbacks(callbacks)
        self.iteration: int = 0
        self.check_finite: bool = True
        self._stop_requested = False
        self._in_step = False

    def step(self) -> StepRecord:
        """Run one iteration and return its record; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must define step()")

    def stop(self) -> None:
        """Ask :meth:`fit` to end after the iteration in progress.

        Called from a callback's hook (or anywhere during ``fit``); the iteration in
        progress completes and its ``on_step_end`` hooks all run, then ``fit`` ends.
        """
        self._stop_requested = True

    def fit(self: TrainerT, steps: int) -> TrainerT:
        """Run ``steps`` more iterations, calling the callbacks' hooks around them.

        Args:
            steps: How many iterations to run (``steps >= 0``).

        Returns:
            The trainer itself.

        Raises:
            ValueError: If ``steps`` is negative.
            TypeError: If ``steps`` is not an integer, or ``step()`` returns something
                other than a :class:`tinygan.StepRecord`.
            FloatingPointError: If a loss is not finite (see :attr:`check_finite`).
            KeyboardInterrupt: On Ctrl-C. In the main thread it is held until the
                iteration in progress is whole: the last iteration counted is complete
                and every callback has seen it (a second Ctrl-C interrupts at once).
        """
        steps = check_int("steps", steps, minimum=0)
        self._stop_requested = False
        # Callbacks that save the trainer (``runs_last = True``, as tinygan.Checkpoint) run
        # after the others, so what they save includes the others' view of the iteration.
        callbacks = sorted(self.callbacks, key=lambda cb: bool(getattr(cb, "runs_last", False)))
        # Ctrl-C is held until the iteration in progress is whole (see tinygan.training._interrupt).
        with DeferredInterrupt() as interrupt:
            try:
                for cb in callbacks:
                    cb.on_fit_start(self)
                for _ in range(steps):
                    if self._stop_requested:
                        break
                    interrupt.raise_if_pending()
                    self._in_step = True
                    record = self.step()
                    if not isinstance(record, StepRecord):
                        raise TypeError(
                            f"{type(self).__name__}.step() must return a tinygan.StepRecord, "
                            f"got {record!r}"
                        )
                    self.iteration += 1
                    self._in_step = False
                    self._after_step(record)
                    for cb in callbacks:
                        cb.on_step_end(self, self.iteration, record)
            finally:
                for cb in callbacks:
                    cb.on_fit_end(self)
        return self

    def _after_step(self, record: StepRecord) -> None:
        """Check an iteration's record before the callbacks see it.

        With :attr:`check_finite` on (the default), a loss that is NaN or infinite raises
        :class:`FloatingPointError` naming the iteration and the loss. Each loss is read
        once (about a microsecond on the CPU; on a GPU, a synchronisation per iteration:
        set ``trainer.check_finite = False`` to skip the check).

        Raises:
            FloatingPointError: If a loss of this iteration is not finite.
        """
        if not self.check_finite:
            return
        for name in _LOSSES:
            value = getattr(record, name)
            if value is None:
                continue
            number = value.item() if value.numel() == 1 else value.float().sum().item()
            if not math.isfinite(number):
                where = ""
                if value.numel() > 1:  # one loss per member of an ensemble
                    bad = (~torch.isfinite(value.reshape(-1))).nonzero().flatten().tolist()
                    number = float(value.reshape(-1)[bad[0]])
                    where = f" for entries {bad[:10]}{' ...' if len(bad) > 10 else ''}"
                raise FloatingPointError(
                    f"{name} is {number}{where} at iteration {self.iteration}: training "
                    f"diverged (try a smaller learning rate); fit stopped"
                )
