"""Watching a run: the :class:`Metrics` callback and the detectors that stop on a metric.

:class:`Metrics` measures the health of a GAN (:mod:`tinygan.metrics`) every few
iterations on probe batches drawn from its own seeded generator, never the trainer's,
so watching a run does not change it. :class:`CollapseDetector` and
:class:`PlateauDetector` read those measurements and call ``trainer.stop()`` (or only
warn) when the generator has collapsed or stopped improving.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import torch

from tinygan import metrics as m
from tinygan._checks import check_int
from tinygan.callbacks import Callback
from tinygan.protocols import DataSource, Model
from tinygan.records import StepRecord

__all__ = ["CollapseDetector", "Metrics", "PlateauDetector", "measure_health"]

logger = logging.getLogger("tinygan")


def _like(model: Model, x: torch.Tensor) -> torch.Tensor:
    for p in model.parameters():
        return x.to(dtype=p.dtype, device=p.device)
    return x


def _bounds(real: DataSource, real_batch: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    lower, upper = getattr(real, "lower", None), getattr(real, "upper", None)
    if isinstance(lower, torch.Tensor) and isinstance(upper, torch.Tensor):
        return lower, upper
    return real_batch.min(dim=0).values, real_batch.max(dim=0).values


def measure_health(
    generator: Model | None,
    discriminator: Model,
    real: DataSource,
    noise_or_fake: DataSource,
    *,
    n: int = 1000,
    rng: torch.Generator | None = None,
) -> dict[str, float]:
    """Measure a GAN's health on fresh probe batches of ``n`` samples.

    The real ranges are ``real.lower`` and ``real.upper`` when the source has them (as
    :class:`tinygan.FuzzyPattern` does), else the smallest and largest value of each
    position in the real probe batch. Positions are numbered from 1 in the keys.

    Args:
        generator: The generator, or ``None`` to measure only the discriminator (then
            ``noise_or_fake`` is a source of fake data, as in the post's D-only test).
        discriminator: The discriminator.
        real: The real data.
        noise_or_fake: The generator's noise, or the fake data when ``generator`` is
            ``None``.
        n: Probe batch size (``n >= 2``).
        rng: Where the probe batches are drawn from (real data first, then noise);
            ``None`` means a fresh generator seeded with 0, so the global RNG is never
            touched.

    Returns:
        With a generator: ``inside`` (:func:`~tinygan.metrics.share_all_inside`),
        ``inside_j``, ``centre_dist`` (the mean over positions) and ``centre_dist_j``,
        ``spread_ratio`` (the mean over positions) and ``spread_ratio_j``, ``d_real``
        and ``d_fake`` (:func:`~tinygan.metrics.mean_score`). Without: ``d_real`` and
        ``d_fake``.

    Example:
        >>> import torch
        >>> import tinygan as tg
        >>> G, D = tg.mlp([4, 4, 4]), tg.mlp([4, 3, 1])
        >>> health = tg.measure_health(G, D, tg.FuzzyPattern("1010"), tg.UniformNoise(4),
        ...                            rng=torch.Generator().manual_seed(0))
        >>> sorted(health)[:4]
        ['centre_dist', 'centre_dist_1', 'centre_dist_2', 'centre_dist_3']
    """
    n = check_int("n", n, minimum=2)
    if rng is None:
        rng = torch.Generator().manual_seed(0)
    real_batch = real.sample(n, generator=rng)
    other = noise_or_fake.sample(n, generator=rng)
    with torch.no_grad():
        if generator is None:
            fake = _like(discriminator, other)
        else:
            fake = generator(_like(generator, other))
        result = {
            "d_real": float(m.mean_score(discriminator, _like(discriminator, real_batch))),
            "d_fake": float(m.mean_score(discriminator, _like(discriminator, fake))),
        }
        if generator is None:
            return result
        fake = fake.detach().to("cpu", torch.float32)
        real_batch = real_batch.to("cpu", torch.float32)
        low, high = _bounds(real, real_batch)
        named = {
            "inside": m.share_inside(fake, low, high),
            "centre_dist": m.centre_distance(fake, low, high),
            "spread_ratio": m.spread_ratio(fake, real_batch),
        }
    out: dict[str, float] = {"inside": float(m.share_all_inside(fake, low, high))}
    for key, per_position in named.items():
        if key != "inside":
            out[key] = float(per_position.mean())
        out.update({f"{key}_{j + 1}": float(v) for j, v in enumerate(per_position.tolist())})
    return {**out, **result}


class Metrics(Callback):
    """Record :func:`measure_health` every ``every`` iterations.

    The probe batches come from the callback's own generator, seeded with ``seed``:
    never from the trainer's, so adding ``Metrics`` does not change training. It works
    with any trainer that has ``discriminator`` and ``real``, plus ``generator`` and
    ``noise`` (an adversarial trainer) or ``fake`` (a discriminator-only one).

    Args:
        every: Measure at iterations ``every``, ``2 * every``, ...
        n: Probe batch size.
        seed: Seeds the probe batches.

    Attributes:
        steps: The iterations measured, in order.
        rows: One dict of measurements per entry of :attr:`steps`.

    Example:
        >>> import tinygan as tg
        >>> health = tg.Metrics(every=50, n=200)
        >>> trainer = tg.AdversarialTrainer(
        ...     tg.mlp([4, 4, 4]), tg.mlp([4, 3, 1]), tg.FuzzyPattern("1010"),
        ...     tg.UniformNoise(4), seed=0, callbacks=[health])
        >>> _ = trainer.fit(100)
        >>> health.steps, health.as_dict()["spread_ratio"].shape
        ([50, 100], (2,))
    """

    def __init__(self, every: int = 100, *, n: int = 1000, seed: int = 0) -> None:
        self.every = check_int("every", every, minimum=1)
        self.n = check_int("n", n, minimum=2)
        self.seed = check_int("seed", seed, minimum=0)
        self.rng = torch.Generator().manual_seed(self.seed)
        self.steps: list[int] = []
        self.rows: list[dict[str, float]] = []

    def measure(self, trainer: Any) -> dict[str, float]:
        """Measure ``trainer``'s networks now (drawing from this callback's generator)."""
        generator = getattr(trainer, "generator", None)
        other = trainer.noise if generator is not None else trainer.fake
        return measure_health(
            generator, trainer.discriminator, trainer.real, other, n=self.n, rng=self.rng
        )

    def on_step_end(self, trainer: Any, step: int, record: StepRecord) -> None:
        """Measure at every ``every``-th iteration."""
        if step % self.every == 0:
            self.rows.append(self.measure(trainer))
            self.steps.append(step)

    @property
    def history(self) -> list[dict[str, float]]:
        """Every measurement with its iteration: ``[{"step": 100, "inside": ...}, ...]``."""
        return [{"step": step, **row} for step, row in zip(self.steps, self.rows, strict=True)]

    @property
    def latest(self) -> dict[str, float] | None:
        """The most recent measurements, or ``None`` before the first."""
        return self.rows[-1] if self.rows else None

    def as_dict(self) -> dict[str, np.ndarray]:
        """Every measured quantity as an array over :attr:`steps` (``steps`` included)."""
        result = {"steps": np.asarray(self.steps, dtype=np.int64)}
        for key in self.rows[0] if self.rows else ():
            result[key] = np.asarray([row[key] for row in self.rows], dtype=np.float64)
        return result

    def state_dict(self) -> dict[str, Any]:
        """Return the measurements and the probe generator's state."""
        return {
            "steps": list(self.steps),
            "rows": [dict(row) for row in self.rows],
            "rng": self.rng.get_state(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state from :meth:`state_dict`.

        Raises:
            KeyError: If ``state`` lacks an entry.
        """
        missing = [k for k in ("steps", "rows", "rng") if k not in state]
        if missing:
            raise KeyError(f"Metrics state lacks {missing}")
        self.rng.set_state(state["rng"])
        self.steps = [int(s) for s in state["steps"]]
        self.rows = [{str(k): float(v) for k, v in row.items()} for row in state["rows"]]


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
        self.stop = bool(stop)
        self.count = 0
        self.seen = 0
        self.triggered_step: int | None = None
        self.reason: str | None = None

    @property
    def triggered(self) -> bool:
        """Whether the condition was met (and the trainer stopped, if ``stop``)."""
        return self.triggered_step is not None

    def on_fit_start(self, trainer: Any) -> None:
        """Find the trainer's :class:`Metrics` if none was given."""
        if self.metrics is None:
            found = [cb for cb in getattr(trainer, "callbacks", []) if isinstance(cb, Metrics)]
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
