"""The image judge's calibration: real digits succeed in every one of 20 draws of 1,000;
noise, blur, a few digits per class repeated, the class means, one collapsed class and
half noise each fail in every draw, for the reason the docs' table states.

The draws are benchmarks/judge_calibration.py's (which writes that table)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("sklearn")

PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "judge_calibration.py"

# The rules each failure breaks in every draw (a subset of those the table lists).
FAILS_ON = {
    "uniform noise": {"coverage", "density", "reverse_kl", "frechet_distance"},
    "blurred digits (Gaussian, 1 pixel)": {"coverage", "frechet_distance", "confident_share"},
    "1 real digit per class, repeated": {"coverage", "worst_class_coverage"},
    "3 real digits per class, repeated": {"coverage", "worst_class_coverage"},
    "10 real digits per class, repeated": {"coverage"},
    "the 10 class means, repeated": {"coverage", "worst_class_coverage"},
    "one class collapsed (every 3 the same)": {"worst_class_coverage"},
    "half noise, half real digits": {"reverse_kl", "frechet_distance"},
}
SUCCEED = [
    "real digits outside the reference",
    "real digits never seen (a judge of the other two thirds)",
]


@pytest.fixture(scope="module")
def calibration():
    spec = importlib.util.spec_from_file_location("_bench_judge_calibration", PATH)
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
def test_real_digits_succeed_in_every_draw(calibration, name):
    _, found = calibration
    for verdict in found[name]:
        assert verdict["success"] is True, verdict["reasons"]
        assert verdict["classes_covered"] == 10 and verdict["held_out_accuracy"] > 0.94


@pytest.mark.parametrize("name", sorted(FAILS_ON))
def test_each_failure_fails_in_every_draw_for_its_reason(calibration, name):
    _, found = calibration
    for verdict in found[name]:
        assert verdict["success"] is False
        broken = {reason.split()[0] for reason in verdict["reasons"]}
        assert FAILS_ON[name] <= broken, verdict["reasons"]


def test_the_table_says_it(calibration):
    module, found = calibration
    text = module.table(found)
    assert text.count("   * - ") == 1 + len(found)
    assert "20 of 20" in text and "0 of 20" in text


def test_blur_is_a_normalised_gaussian_with_zeros_outside(calibration):
    module, _ = calibration
    import math

    import torch

    w = [math.exp(-(t**2) / 2) for t in range(-3, 4)]
    w = [v / sum(w) for v in w]  # the kernel, sigma 1, radius 3
    flat = module.blur(torch.full((1, 64), 0.5), 1.0)[0].reshape(8, 8)
    assert float(flat[3, 3]) == pytest.approx(0.5, rel=1e-6)  # the whole kernel inside
    corner = 0.5 * sum(w[3:]) ** 2  # only t = 0..3 of each axis falls inside
    assert float(flat[0, 0]) == pytest.approx(corner, rel=1e-6)
    dot = torch.zeros(1, 64)
    dot[0, 27] = 1.0  # row 3, column 3: its blur stays inside
    assert float(module.blur(dot, 1.0).sum()) == pytest.approx(1.0, rel=1e-6)
