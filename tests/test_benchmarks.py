"""The benchmark scripts run, and the post's loop keeps the interface others import."""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import random
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module


@contextlib.contextmanager
def global_rngs_kept():
    """Leave torch's and Python's global RNGs as they were (the post's code seeds them)."""
    with torch.random.fork_rng():
        state = random.getstate()
        try:
            yield
        finally:
            random.setstate(state)


def test_run_post_loop_signature_and_result():
    post_loop = load("post_loop")
    params = inspect.signature(post_loop.run_post_loop).parameters
    assert list(params) == ["steps", "seed"]
    with global_rngs_kept():
        result = post_loop.run_post_loop(1000, 0)
        short = post_loop.run_post_loop(100, 0)
    assert len(result["d_loss"]) == 2000 and len(result["g_progress"]) == 1000
    assert result["images"].shape == (1, 4) and result["seconds"] > 0
    assert isinstance(result["G"], torch.nn.Module) and isinstance(result["D"], torch.nn.Module)
    # Seeded globally, the post's loop repeats itself exactly.
    np.testing.assert_array_equal(result["d_loss"][:200], short["d_loss"])


def test_post_loop_main_prints_rates_and_ratio(capsys):
    post_loop = load("post_loop")
    with global_rngs_kept():
        rates = post_loop.main(["--steps", "20", "--repeats", "1"])
    out = capsys.readouterr().out
    assert "ratio tinygan / post" in out
    assert rates["ratio"] == rates["tinygan"] / rates["post"]


def test_seed_stats_runs(capsys):
    seed_stats = load("seed_stats")
    with global_rngs_kept():
        results = seed_stats.main(["--seeds", "1", "--steps", "20"])
    assert len(results["tinygan"]) == 1 and len(results["post"]) == 1
    assert "success" in capsys.readouterr().out


@contextlib.contextmanager
def threads_kept():
    """Leave torch's thread count as it was (the mixtures benchmark sets one thread)."""
    threads = torch.get_num_threads()
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def test_mixtures_table_runs_resumes_and_covers_every_row(tmp_path, capsys):
    mixtures = load("mixtures")
    csv_path, out = tmp_path / "seeds.csv", tmp_path / "table.inc"
    argv = ["--seeds", "2", "--packs", "1", "2", "--ring-steps", "3", "--grid-steps", "2"]
    argv += ["--jobs", "1", "--csv", str(csv_path), "--out", str(out)]
    with threads_kept():
        mixtures.main(argv)
        rows = mixtures.read_rows(csv_path)
        assert len(rows) == 2 * 2 * 2  # seeds x packs x datasets, one row each
        assert {(r["data"], r["pack"], r["seed"]) for r in rows} == {
            (d, p, s) for d in ("ring", "grid") for p in ("1", "2") for s in ("0", "1")
        }
        assert capsys.readouterr().out.count(" m=") == 8  # one line per run
        mixtures.main(argv)  # every row is there: nothing is trained again
    assert " m=" not in capsys.readouterr().out  # no run printed its line
    assert len(mixtures.read_rows(csv_path)) == len(rows)
    text = out.read_text()
    assert "2-D ring (8 modes): tinygan on this CPU (3 iterations)" in text
    assert "2-D grid (25 modes): tinygan on this CPU (2 iterations)" in text
    assert text.count("   * - GAN") == 2 and text.count("   * - PacGAN2") == 2
    for row in rows:
        assert 0 <= int(row["modes"]) <= (8 if row["data"] == "ring" else 25)
        assert 0.0 <= float(row["high_quality"]) <= 1.0


def test_mixtures_mean_se_counts_infinite_values_apart():
    mixtures = load("mixtures")
    assert mixtures.mean_se([1.0, 3.0]) == "2.00 ± 1.00"
    assert mixtures.mean_se([1.0, 3.0, float("inf")]) == "2.00 ± 1.00 (2 seeds; 1 inf)"
    assert mixtures.mean_se([float("inf")]) == "inf (1 seeds)"
    assert mixtures.mean_se([0.25], scale=100, digits=1) == "25.0 ± 0.0"


def test_mixtures_paper_configuration_builds_and_steps():
    mixtures = load("mixtures")
    trainer = mixtures.paper_trainer("grid", 0, 2, "cpu")
    assert trainer.batch_size == 200  # 100 packs of 2
    g_layers = [m for m in trainer.generator if isinstance(m, torch.nn.Linear)]
    assert [layer.out_features for layer in g_layers] == [400, 400, 400, 400, 2]
    assert sum(isinstance(m, torch.nn.BatchNorm1d) for m in trainer.generator) == 4
    critic = trainer.discriminator.discriminator
    assert [m.units for m in critic if isinstance(m, mixtures.Maxout)] == [200, 200, 200]
    trainer.fit(2)
    assert trainer.iteration == 2


def test_mixtures_step_matmuls_count_the_recipes_products():
    mixtures = load("mixtures")
    shapes = mixtures.step_matmuls(240, 2, 128)
    # D's step: 3 forward, 3 weight gradients, 2 input gradients; twice (real, fake); G:
    # 2 x 3 forward, D's 3 forward and 3 input gradients, G's 3 weight and 2 input.
    assert len(shapes) == 2 * (3 + 3 + 2) + 3 + 3 + 3 + 3 + 3 + 2
    assert (120, 4, 128) in shapes  # D's first layer reads 120 packs of 2 x 2 numbers


def test_cli_sweep_times_both_and_reports_the_ratio(capsys):
    cli_sweep = load("cli_sweep")
    result = cli_sweep.main(["--seeds", "3", "--steps", "20", "--repeats", "1"])
    out = capsys.readouterr().out
    assert "per-GAN throughput ratio" in out and "peak memory" in out
    assert result["ratio"] == pytest.approx(3 * 20 / result["sweep"] / (20 / result["post"]))
