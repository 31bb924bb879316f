"""ConditionalJudge: its numbers against counts by hand, and its errors."""

from __future__ import annotations

import pytest
import torch

import tinygan as tg
from tinygan.metrics import ConditionalJudge, ImageJudge


def four_kinds() -> tuple[tg.ImageData, ImageJudge]:
    rng = torch.Generator().manual_seed(0)
    labels = torch.arange(800) % 4
    images = torch.eye(4)[labels] * 0.8 + 0.2 * torch.rand(800, 4, generator=rng)
    data = tg.ImageData(images, labels)
    return data, ImageJudge(data, min_coverage=0.3)


def test_label_accuracy_is_the_share_read_as_asked() -> None:
    data, image_judge = four_kinds()
    judge = ConditionalJudge(image_judge)
    drawn = image_judge.fit_index[:200]
    images, labels = data.images[drawn], data.labels[drawn].clone()  # type: ignore[index]
    labels[:50] = (labels[:50] + 1) % 4  # a quarter asked for the wrong label
    verdict = judge(images, labels)
    read = image_judge.classes[image_judge.probabilities(images).argmax(dim=1)]
    assert verdict["label_accuracy"] == pytest.approx(float((read == labels).double().mean()))
    assert verdict["label_accuracy"] == pytest.approx(0.75)
    for c in range(4):
        mine = labels == c
        assert verdict[f"label_{c}_accuracy"] == pytest.approx(
            float((read[mine] == c).double().mean())
        )
        expected = image_judge.diversity(images[mine], c)
        assert verdict[f"label_{c}_coverage"] == expected.coverage
    assert verdict["success"] is False and "label_accuracy 0.75 < 0.9" in judge.reasons(verdict)
    assert verdict["held_out_accuracy"] == image_judge.held_out_accuracy


def test_thresholds_default_to_the_image_judges() -> None:
    _, image_judge = four_kinds()
    judge = ConditionalJudge(image_judge, min_label_accuracy=0.5)
    assert judge.min_label_coverage == image_judge.min_class_coverage
    assert judge.counts == ("classes_covered",)


@pytest.mark.parametrize(
    ("labels", "error", "words"),
    [
        (torch.zeros(8), TypeError, "labels must be an integer tensor"),
        (torch.zeros(7, dtype=torch.int64), ValueError, r"shape \(8,\)"),
        (torch.tensor([0, 1, 2, 0, 1, 2, 0, 1]), ValueError, r"never asked for \[3\]"),
        (torch.tensor([0, 1, 2, 3, 4, 0, 1, 2]), ValueError, r"unknown \[4\]"),
    ],
)
def test_bad_labels_are_named(labels: torch.Tensor, error: type, words: str) -> None:
    _, image_judge = four_kinds()
    with pytest.raises(error, match=words):
        ConditionalJudge(image_judge)(torch.rand(8, 4), labels)


def test_bad_settings_are_named() -> None:
    _, image_judge = four_kinds()
    with pytest.raises(TypeError, match=r"judge must be a tinygan\.metrics\.ImageJudge"):
        ConditionalJudge(object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="min_label_accuracy must be a number in"):
        ConditionalJudge(image_judge, min_label_accuracy=1.5)
