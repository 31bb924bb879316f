"""Health metrics on images: always-blank pixels do not hide (or fake) a collapse."""

from __future__ import annotations

import math

import torch
from torch import nn

import tinygan as tg


def bordered(n: int = 50, seed: int = 0) -> tg.ImageData:
    """Random 4x4 images inside an always-blank border: 6x6, like the digits' margins."""
    images = torch.zeros(n, 6, 6)
    images[:, 1:5, 1:5] = torch.rand(n, 4, 4, generator=torch.Generator().manual_seed(seed))
    return tg.ImageData(images, torch.arange(n) % 5)


class Picker(nn.Module):
    """A 'generator' that shows the real image its noise points at: no collapse."""

    def __init__(self, data: tg.ImageData, classes: int | None = None) -> None:
        super().__init__()
        self.images = data.images if classes is None else data.images[:classes]
        self.zero = nn.Parameter(torch.zeros(()))  # a trainer needs one; it changes nothing

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        index = (z[:, 0].abs() * 1000).long() % len(self.images)
        return self.images[index] + 0.0 * self.zero


def test_spread_ratio_is_finite_and_near_one_for_real_images():
    data = bordered()
    D = tg.mlp([36, 1], generator=torch.Generator().manual_seed(0))
    health = tg.measure_health(Picker(data), D, data, tg.GaussianNoise(2), n=2000)
    assert math.isfinite(health["spread_ratio"])
    assert 0.8 < health["spread_ratio"] < 1.2
    assert not math.isfinite(health["spread_ratio_1"])  # the border: no ratio


def test_spread_ratio_mean_is_over_the_varying_pixels_only():
    data = bordered()
    D = tg.mlp([36, 1], generator=torch.Generator().manual_seed(0))
    health = tg.measure_health(Picker(data, 1), D, data, tg.GaussianNoise(2), n=500)
    inner = [health[f"spread_ratio_{6 * r + c + 1}"] for r in range(1, 5) for c in range(1, 5)]
    assert health["spread_ratio"] == sum(inner) / len(inner) == 0.0


def test_collapse_detector_flags_a_generator_that_draws_one_image():
    data = bordered()
    metrics = tg.Metrics(every=1, n=200)
    detector = tg.CollapseDetector(metrics, patience=2, stop=False)
    trainer = tg.AdversarialTrainer(
        Picker(data, 1),
        tg.mlp([36, 1], generator=torch.Generator().manual_seed(0)),
        data,
        tg.GaussianNoise(2),
        batch_size=4,
        seed=0,
        callbacks=[metrics, detector],
    )
    trainer.fit(3)
    assert detector.triggered


def test_collapse_detector_lets_a_varied_generator_be():
    data = bordered()
    metrics = tg.Metrics(every=1, n=500)
    detector = tg.CollapseDetector(metrics, patience=2, stop=False)
    trainer = tg.AdversarialTrainer(
        Picker(data),
        tg.mlp([36, 1], generator=torch.Generator().manual_seed(0)),
        data,
        tg.GaussianNoise(2),
        batch_size=4,
        seed=0,
        callbacks=[metrics, detector],
    )
    trainer.fit(3)
    assert not detector.triggered
