"""The health of a GAN, measured: :func:`measure_health` and the :class:`Metrics` callback.

:class:`Metrics` measures the health of a GAN (:mod:`tinygan.metrics`) every few
iterations on probe batches drawn from its own seeded generator, never the trainer's,
so watching a run does not change it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from tinygan import metrics as m
from tinygan._checks import check_int, check_state_keys
from tinygan.callbacks.base import Callback
from tinygan.protocols import DataSource, Model, StepRecord

__all__ = ["Metrics", "measure_health"]


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
        ``spread_ratio`` (the mean over the positions where the real probe batch varies,
        so an image's always-blank pixels do not make it infinite) and
        ``spread_ratio_j``, ``d_real``
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
        if key == "spread_ratio":
            # Positions where the real data never varies (an image's blank border) have
            # no finite ratio; the mean is over the others (all, if none is finite).
            finite = per_position[torch.isfinite(per_position)]
            out[key] = float((finite if finite.numel() else per_position).mean())
        elif key != "inside":
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
        check_state_keys("Metrics", state, ("steps", "rows", "rng"))
        self.rng.set_state(state["rng"])
        self.steps = [int(s) for s in state["steps"]]
        self.rows = [{str(k): float(v) for k, v in row.items()} for row in state["rows"]]
