"""Helpers for the checkpoint, resume and monitor tests: one trainer recipe, and equality."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

import tinygan as tg


def build(
    seed: int = 0,
    *,
    callbacks: Any = None,
    cls: type[tg.AdversarialTrainer] = tg.AdversarialTrainer,
    **kwargs: Any,
) -> tg.AdversarialTrainer:
    """The post's GAN with seeded networks, data and the usual stateful callbacks.

    ``cls`` is the trainer class (a subclass of :class:`tinygan.AdversarialTrainer`).
    """
    g = torch.Generator().manual_seed(seed)
    G = tg.mlp(kwargs.pop("g_sizes", [4, 4, 4]), generator=g)
    D = tg.mlp(kwargs.pop("d_sizes", [4, 3, 1]), generator=g)
    if callbacks is None:
        callbacks = standard_callbacks()
    return cls(
        G, D, tg.FuzzyPattern("1010"), tg.UniformNoise(4), seed=seed, callbacks=callbacks, **kwargs
    )


def standard_callbacks() -> list[tg.Callback]:
    """A logger with the post's reference, snapshots, metrics and both detectors."""
    metrics = tg.Metrics(every=5, n=64, seed=3)
    return [
        tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0]),
        tg.Snapshots(every=4),
        metrics,
        tg.CollapseDetector(metrics, threshold=0.01, patience=2),
        tg.PlateauDetector(metrics, key="centre_dist", patience=1000),
    ]


def assert_same_state(a: Any, b: Any, where: str = "state") -> None:
    """Assert two nested states are equal, tensors bit for bit (NaN equal to NaN)."""
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor), where
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert torch.equal(a, b) or bool(torch.equal(a.isnan(), b.isnan())), where
        return
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), f"{where}: {list(a)} != {list(b)}"
        for key in a:
            assert_same_state(a[key], b[key], f"{where}[{key!r}]")
        return
    if isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_state(x, y, f"{where}[{i}]")
        return
    if isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b), where
        return
    assert a == b, f"{where}: {a!r} != {b!r}"


def logs(trainer: tg.AdversarialTrainer) -> dict[str, np.ndarray]:
    """Every series the standard callbacks hold, as arrays."""
    logger, snaps, metrics = trainer.callbacks[:3]
    assert isinstance(logger, tg.LossLogger) and isinstance(snaps, tg.Snapshots)
    assert isinstance(metrics, tg.Metrics)
    out = {f"loss.{k}": v for k, v in logger.as_dict().items()}
    out["snapshots"] = snaps.outputs
    out["snapshot_steps"] = np.asarray(snaps.steps)
    out.update({f"metrics.{k}": v for k, v in metrics.as_dict().items()})
    return out


def assert_same_logs(a: tg.AdversarialTrainer, b: tg.AdversarialTrainer) -> None:
    """Assert the standard callbacks of two trainers hold identical series."""
    la, lb = logs(a), logs(b)
    assert sorted(la) == sorted(lb)
    for key in la:
        assert la[key].shape == lb[key].shape, key
        assert np.array_equal(la[key], lb[key]), key
