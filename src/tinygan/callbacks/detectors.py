"""Early stopping on a measurement: :class:`CollapseDetector` and :class:`PlateauDetector`.

Both read the rows of a :class:`tinygan.Metrics` callback and call ``trainer.stop()``
(or only warn) when the generator has collapsed or stopped improving.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from tinygan._checks import check_bool, check_int
from tinygan.callbacks.base import Callback
from tinygan.callbacks.health import Metrics
from tinygan.protocols import StepRecord

__all__ = ["CollapseDetector", "PlateauDetector"]

logger = logging.getLogger("tinygan")


class _Detector(Callback):
    """Reads new rows of a :class:`Metrics` and stops the trainer when :meth:`_check` says."""

    def __init__(self, metrics: Metrics | None, key: str, patience: int, stop: bool) -> None:
        if metrics is not None and not isinstance(metrics, Metrics):
            raise TypeError(f"metrics must be a tinygan.Metrics or None, got {metrics!r}")
        if not isinstance(key, str):
            raise TypeError(f"key must be a metric name (a str), got {key!r}")
        self.metrics = metrics
        self.key = key
        self.patience = check_int("patience", patience, minimum=1)
        self.stop = check_bool("stop", stop)
        self.count = 0
        self.seen = 0
        self.triggered_step: int | None = None
        self.reason: str | None = None

    @property
    def triggered(self) -> bool:
        """Whether the condition was met (and the trainer stopped, if ``stop``)."""
        return self.triggered_step is not None

    def on_fit_start(self, trainer: Any) -> None:
        """Find the trainer's :class:`Metrics` if none was given; check a given one is its.

        Raises:
            ValueError: If the trainer has no :class:`Metrics`, or the one given is not
                among its callbacks (nothing would measure it: the detector would never
                see a row).
        """
        callbacks = getattr(trainer, "callbacks", [])
        if self.metrics is not None and not any(cb is self.metrics for cb in callbacks):
            raise ValueError(
                f"{type(self).__name__}'s metrics= is not among the trainer's callbacks, so "
                "nothing measures it and it would never trigger: add that Metrics to them"
            )
        if self.metrics is None:
            found = [cb for cb in callbacks if isinstance(cb, Metrics)]
            if not found:
                raise ValueError(
                    f"{type(self).__name__} needs a tinygan.Metrics callback: pass one as "
                    f"metrics= or add one to the trainer's callbacks"
                )
            self.metrics = found[0]

    def on_step_end(self, trainer: Any, step: int, record: StepRecord) -> None:
        """Check every measurement made since the last call."""
        if self.metrics is None:
            return
        rows = self.metrics.rows
        while self.seen < len(rows):
            row, at = rows[self.seen], self.metrics.steps[self.seen]
            self.seen += 1
            if self.key not in row:
                raise KeyError(f"{type(self).__name__}: no metric {self.key!r} in {sorted(row)}")
            if self.triggered_step is not None:
                continue  # triggered once: later measurements change nothing
            reason = self._check(float(row[self.key]))
            if reason is not None:
                self.triggered_step, self.reason = at, reason
                action = "stopping" if self.stop else "warning only"
                logger.warning(
                    "%s at iteration %d (%s): %s", type(self).__name__, at, action, reason
                )
                if self.stop:
                    trainer.stop()

    def _check(self, value: float) -> str | None:
        raise NotImplementedError

    def _extra_state(self) -> dict[str, Any]:
        return {}

    def state_dict(self) -> dict[str, Any]:
        """Return the detector's counters (and what triggered it, if anything)."""
        return {
            "count": self.count,
            "seen": self.seen,
            "triggered_step": self.triggered_step,
            "reason": self.reason,
            **self._extra_state(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state from :meth:`state_dict`."""
        self.count, self.seen = int(state["count"]), int(state["seen"])
        self.triggered_step, self.reason = state["triggered_step"], state["reason"]
        if "best" in state:
            self.best = state["best"]


class CollapseDetector(_Detector):
    """Flag mode collapse: the spread ratio below ``threshold`` for ``patience`` checks.

    A check is one measurement of the :class:`Metrics` callback; checks in a row at or
    above the threshold reset the count. A value that is NaN counts as below. It
    triggers at most once; later measurements change nothing.

    Args:
        metrics: The :class:`Metrics` to read; ``None`` finds the trainer's.
        threshold: The spread ratio under which the generator counts as collapsed.
        patience: How many checks in a row.
        key: Which measurement to watch: ``"spread_ratio"`` (the mean over positions)
            or one position's, such as ``"spread_ratio_2"``.
        stop: Call ``trainer.stop()`` when triggered; with ``False``, only log a warning
            and set :attr:`reason`.

    Attributes:
        reason: Why it triggered (``None`` until it does).
        triggered_step: The iteration of the measurement that triggered it.

    Example:
        >>> import tinygan as tg
        >>> health = tg.Metrics(every=10, n=100)
        >>> collapse = tg.CollapseDetector(health, threshold=2.0, patience=2)
        >>> trainer = tg.AdversarialTrainer(
        ...     tg.mlp([4, 4, 4]), tg.mlp([4, 3, 1]), tg.FuzzyPattern("1010"),
        ...     tg.UniformNoise(4), seed=0, callbacks=[health, collapse])
        >>> trainer.fit(100).iteration, collapse.triggered_step
        (20, 20)
    """

    def __init__(
        self,
        metrics: Metrics | None = None,
        *,
        threshold: float = 0.5,
        patience: int = 3,
        key: str = "spread_ratio",
        stop: bool = True,
    ) -> None:
        super().__init__(metrics, key, patience, stop)
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
            raise TypeError(f"threshold must be a number, got {threshold!r}")
        if not math.isfinite(threshold) or threshold <= 0:
            raise ValueError(f"threshold must be a positive finite number, got {threshold!r}")
        self.threshold = float(threshold)

    def _check(self, value: float) -> str | None:
        self.count = 0 if value >= self.threshold else self.count + 1
        if self.count < self.patience:
            return None
        return (
            f"{self.key} = {value:.3g} < {self.threshold:g} for {self.count} checks in a row: "
            f"the generator's outputs vary far less than the real data (mode collapse)"
        )


class PlateauDetector(_Detector):
    """Flag a plateau: a measurement not improving by ``min_delta`` for ``patience`` checks.

    An improvement is a value below ``best - min_delta`` (``mode="min"``) or above
    ``best + min_delta`` (``mode="max"``); it resets the count. It triggers at most once.

    Args:
        metrics: The :class:`Metrics` to read; ``None`` finds the trainer's.
        key: Which measurement to watch, such as ``"centre_dist"`` or ``"inside"``.
        mode: ``"min"`` if lower is better, ``"max"`` if higher is.
        min_delta: The smallest change that counts as an improvement.
        patience: How many checks without improvement.
        stop: Call ``trainer.stop()`` when triggered; with ``False``, only warn.

    Attributes:
        best: The best value so far (``None`` before the first check).
        reason: Why it triggered (``None`` until it does).
        triggered_step: The iteration of the measurement that triggered it.
    """

    def __init__(
        self,
        metrics: Metrics | None = None,
        *,
        key: str = "centre_dist",
        mode: str = "min",
        min_delta: float = 1e-3,
        patience: int = 5,
        stop: bool = True,
    ) -> None:
        super().__init__(metrics, key, patience, stop)
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        if isinstance(min_delta, bool) or not isinstance(min_delta, (int, float)):
            raise TypeError(f"min_delta must be a number, got {min_delta!r}")
        if not math.isfinite(min_delta) or min_delta < 0:
            raise ValueError(f"min_delta must be a finite number >= 0, got {min_delta!r}")
        self.mode = mode
        self.min_delta = float(min_delta)
        self.best: float | None = None

    def _check(self, value: float) -> str | None:
        sign = 1.0 if self.mode == "min" else -1.0
        if self.best is None or sign * (self.best - value) > self.min_delta:
            self.best, self.count = value, 0
            return None
        self.count += 1
        if self.count < self.patience:
            return None
        return (
            f"{self.key} has not improved by more than {self.min_delta:g} on its best "
            f"({self.best:.4g}) for {self.count} checks"
        )

    def _extra_state(self) -> dict[str, Any]:
        return {"best": self.best}
