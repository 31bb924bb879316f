"""The benchmark scripts run, and the post's loop keeps the interface others import."""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import random
import sys
from pathlib import Path

import numpy as np
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
