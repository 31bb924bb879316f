"""The conditional judge's calibration: real digits drawn for their own labels succeed in
every one of 20 draws; labels ignored, confused or one in five wrong, one digit per
label, each label's mean and one collapsed label each fail in every draw, for the reason
the docs' table states.

The draws are benchmarks/conditional_calibration.py's (which writes that table)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("sklearn")

PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "conditional_calibration.py"

# The rules each failure breaks in every draw (a subset of those the table lists).
FAILS_ON = {
    "labels ignored (real digits, labels at random)": {"label_accuracy"},
    "labels confused (the digit c + 1 drawn for c)": {"label_accuracy", "worst_label_coverage"},
    "one label in five wrong": {"label_accuracy"},
    "one real digit per label, repeated": {"worst_label_coverage", "images.coverage"},
    "each label's mean image, repeated": {"worst_label_coverage", "images.coverage"},
    "one label collapsed (every 3 the same)": {"worst_label_coverage"},
}
SUCCEED = [
    "real digits outside the reference",
    "real digits never seen (a judge of the other two thirds)",
]


@pytest.fixture(scope="module")
def calibration():
    spec = importlib.util.spec_from_file_location("_bench_conditional_calibration", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import torch

    threads = torch.get_num_threads()
    try:
        return module, module.calibrate(20)
    finally:
        torch.set_num_threads(threads)


def test_every_row_is_judged_twenty_times(calibration):
    _, found = calibration
    assert set(found) == set(FAILS_ON) | set(SUCCEED)
    assert all(len(verdicts) == 20 for verdicts in found.values())


@pytest.mark.parametrize("name", SUCCEED)
def test_real_digits_for_their_labels_succeed_in_every_draw(calibration, name):
    _, found = calibration
    for verdict in found[name]:
        assert verdict["success"] is True, verdict["reasons"]
        assert verdict["label_accuracy"] >= 0.93 and verdict["worst_label_coverage"] > 0.6


@pytest.mark.parametrize("name", sorted(FAILS_ON))
def test_each_failure_fails_in_every_draw_for_its_reason(calibration, name):
    _, found = calibration
    for verdict in found[name]:
        assert verdict["success"] is False
        broken = {reason.split()[0] for reason in verdict["reasons"]}
        assert FAILS_ON[name] <= broken, verdict["reasons"]


def test_a_generator_that_ignores_labels_scores_about_chance(calibration):
    _, found = calibration
    for verdict in found["labels ignored (real digits, labels at random)"]:
        assert 0.05 <= verdict["label_accuracy"] <= 0.15


def test_the_table_says_it(calibration):
    module, found = calibration
    text = module.table(found)
    assert text.count("   * - ") == 1 + len(found)
    assert "20 of 20" in text and "0 of 20" in text
