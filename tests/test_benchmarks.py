"""The benchmark scripts run, and the post's loop keeps the interface others import."""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import random
import sys
from functools import partial
from pathlib import Path

import numpy as np
import pytest
import torch

import tinygan as tg
from tinygan.recipes import ring8

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
    curves, figure = tmp_path / "curves.csv", tmp_path / "convergence.png"
    argv = ["--seeds", "3", "--chunk", "2", "--packs", "1", "2", "--ring-steps", "4"]
    argv += ["--grid-steps", "3", "--jobs", "1", "--csv", str(csv_path), "--out", str(out)]
    argv += ["--curves", str(curves), "--figure", str(figure)]
    with threads_kept():
        mixtures.main(argv)
        rows = mixtures.read_rows(csv_path)
        assert len(rows) == 3 * 2 * 2  # seeds x packs x datasets, one row each
        assert {(r["data"], r["pack"], r["seed"]) for r in rows} == {
            (d, p, s) for d in ("ring", "grid") for p in ("1", "2") for s in ("0", "1", "2")
        }
        # Seeds 0 and 1 of each cell trained as one ensemble, seed 2 alone.
        assert {r["backend"] for r in rows if r["seed"] != "2"} == {"vmap"}
        assert capsys.readouterr().out.count(" m=") == 12  # one line per seed
        mixtures.main(argv)  # every row is there: nothing is trained again
    assert " m=" not in capsys.readouterr().out  # no run printed its line
    assert len(mixtures.read_rows(csv_path)) == len(rows)
    points = mixtures.read_rows(curves)
    assert len(points) == 3 * 2 * (4 + 3)  # a point per seed and iteration of these runs
    text = out.read_text()
    assert "2-D ring (8 modes): tinygan (4 iterations, this CPU) and PacGAN's Table 1" in text
    assert text.count("   * - GAN") == 2 and text.count("   * - PacGAN2") == 2
    assert "(6.3 ± 0.5)" in text and "(23.8 ± 0.7)" in text  # the paper's, beside ours
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for row in rows:
        assert 0 <= int(row["modes"]) <= (8 if row["data"] == "ring" else 25)
        assert 0.0 <= float(row["high_quality"]) <= 1.0


def test_mixtures_rows_are_the_sweeps_judgement_of_the_same_seed():
    mixtures = load("mixtures")
    with threads_kept():
        rows, _ = mixtures.run_chunk(("ring", 2, (0, 1), 5, False, "cpu", 128))
    swept = tg.sweep([0, 1], partial(ring8, pack=2, steps=5), steps=5)
    for row, seed in zip(rows, swept.rows, strict=True):
        assert int(row["modes"]) == seed.values["modes"]
        assert float(row["high_quality"]) == pytest.approx(seed.values["high_quality"], abs=1e-6)


def test_mixtures_mean_se_counts_infinite_values_apart():
    mixtures = load("mixtures")
    assert mixtures.mean_se([1.0, 3.0]) == "2.00 ± 1.00"
    assert mixtures.mean_se([1.0, 3.0, float("inf")]) == "2.00 ± 1.00 (2 seeds; 1 inf)"
    assert mixtures.mean_se([float("inf")]) == "inf (1 seeds)"
    assert mixtures.mean_se([0.25], scale=100, digits=1) == "25.0 ± 0.0"


def test_mixtures_convergence_rule():
    report = load("mixtures_report")
    flat = {i: {"modes": [8.0, 8.0], "high_quality": [0.9, 0.8], "reverse_kl": [0.1, 0.2]}
            for i in (80, 100)}  # fmt: skip
    assert report.converged(flat) == (True, "yes")
    rising = {80: flat[80], 100: {**flat[100], "high_quality": [0.99, 0.97]}}
    ok, text = report.converged(rising)  # +13 points against a standard error of 1
    assert not ok and text == "no: high quality +13.00 (se 1.00)"


def test_mixtures_paper_configuration_builds_and_steps():
    mixtures = load("mixtures")
    trainer = mixtures.paper_trainer("grid", 0, 2, "cpu")
    assert trainer.batch_size == 200  # 100 packs of 2
    g_layers = [m for m in trainer.generator if isinstance(m, torch.nn.Linear)]
    assert [layer.out_features for layer in g_layers] == [400, 400, 400, 400, 2]
    critic = trainer.discriminator.discriminator
    assert [m.units for m in critic if isinstance(m, mixtures.Maxout)] == [200, 200, 200]
    trainer.fit(2)
    assert trainer.iteration == 2


def test_mixtures_timing_and_throughput_run(capsys):
    mixtures = load("mixtures")
    timing = load("mixtures_timing")
    with threads_kept():
        cell = timing.throughput("ring", 2, chunk=2, rounds=1, iterations=4)
        seconds = timing.paper_step(2, iterations=1)
    assert cell["ratio"] == pytest.approx(cell["lone"] / cell["ensemble"])
    assert seconds > 0
    assert callable(mixtures.main)


def test_cli_sweep_times_both_and_reports_the_ratio(capsys):
    cli_sweep = load("cli_sweep")
    result = cli_sweep.main(["--seeds", "3", "--steps", "20", "--repeats", "1"])
    out = capsys.readouterr().out
    assert "per-GAN throughput ratio" in out and "peak memory" in out
    assert result["ratio"] == pytest.approx(3 * 20 / result["sweep"] / (20 / result["post"]))


def test_ensemble_backends_times_every_backend_and_optimiser(capsys):
    bench = load("ensemble_backends")
    rates = bench.main(["--members", "3", "--steps", "4", "--repeats", "1"])
    assert sorted(rates) == sorted(f"{b}/{o}" for b in bench.BACKENDS for o in ("sgd", "adam"))
    assert all(rate > 0 for rate in rates.values())
    out = capsys.readouterr().out
    assert out.count("x vmap") == 6 and "native" in out
