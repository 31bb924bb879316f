"""The conditional digits recipe: its shape, its refusals, and that training moves it."""

from __future__ import annotations

import pytest
import torch

import tinygan as tg
from tinygan.recipes import CONDITIONAL_STEPS, digits_conditional


def test_it_builds_the_documented_networks() -> None:
    trainer = digits_conditional(0)
    assert trainer.classes == 10 and trainer.batch_size == 64 and CONDITIONAL_STEPS == 5_000
    widths = [m.in_features for m in trainer.generator.modules() if isinstance(m, torch.nn.Linear)]
    assert widths == [26, 128, 128]
    widths = [
        m.in_features for m in trainer.discriminator.modules() if isinstance(m, torch.nn.Linear)
    ]
    assert widths == [74, 128]
    assert trainer.backend == "autograd"


def test_the_same_seed_builds_the_same_weights() -> None:
    a, b = digits_conditional(3), digits_conditional(3)
    for pa, pb in zip(a.generator.parameters(), b.generator.parameters(), strict=True):
        assert torch.equal(pa, pb)


def test_it_refuses_images_without_ten_labels() -> None:
    with pytest.raises(ValueError, match="classes 10"):
        digits_conditional(0, data=tg.ImageData(torch.rand(4, 64), labels=[0, 1, 0, 1]))
