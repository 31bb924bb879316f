"""tg.sweep of any recipe: rows equal lone trainers, any judge, files, resume, refusals."""

from __future__ import annotations

import csv
import json
import math
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest
import torch
from tests import sweep_recipes as recipes

import tinygan as tg
from tinygan.metrics import pattern_judge
from tinygan.sweeps.folder import SweepFolderError
from tinygan.sweeps.run import evaluate_generator

STEPS = 60


def lone_row(recipe, seed, judge=None):
    trainer = recipe(seed).fit(STEPS)
    G, real, noise = trainer.generator, trainer.real, trainer.noise
    return evaluate_generator(G, real, noise, seed=seed, judge=judge)


def test_fused_recipe_rows_equal_lone_trainers_within_tolerance():
    # Not bit for bit: torch's sigmoid of a lone trainer's 4 numbers (the C library's
    # exp) and of an ensemble's long tensors (a vectorised exp) differ in the last bit
    # for a few percent of values (see docs/performance.rst).
    result = tg.sweep([4, 2, 9, 11, 17], recipes.post, steps=STEPS)
    assert [row.seed for row in result.rows] == [4, 2, 9, 11, 17]
    for row in result.rows:
        lone = lone_row(recipes.post, row.seed)
        assert row.values.keys() == lone.values.keys()
        for name, value in lone.values.items():
            assert float(row.values[name]) == pytest.approx(float(value), abs=1e-6), name
        assert math.isfinite(row.d_loss)


@pytest.mark.parametrize("recipe", [recipes.post, recipes.custom, recipes.ring, recipes.mixed])
def test_a_seed_gives_the_same_row_alone_and_in_any_chunk(recipe):
    """DESIGN.md: the same row, bit for bit, whether a seed runs alone or in any chunk."""
    together = tg.sweep(6, recipe, steps=STEPS).rows
    for chunk_size in (1, 4):
        assert tg.sweep(6, recipe, steps=STEPS, chunk_size=chunk_size).rows == together
    assert tg.sweep([3], recipe, steps=STEPS).rows == (together[3],)
    assert tg.sweep([5, 1], recipe, steps=STEPS).rows == (together[5], together[1])


def test_alike_trainers_of_a_chunk_train_as_one_ensemble_per_kind():
    rows = tg.sweep(5, recipes.mixed, steps=STEPS).rows
    assert [row.backend for row in rows] == ["vmap", "fused", "vmap", "fused", "autograd"]
    assert rows[4].values == lone_row(recipes.mixed, 4).values  # trained alone: as itself


def test_vmapped_recipe_rows_equal_lone_trainers_within_tolerance():
    result = tg.sweep(3, recipes.custom, steps=STEPS)
    for row in result.rows:
        lone = lone_row(recipes.custom, row.seed)
        for name, value in lone.values.items():
            assert float(row.values[name]) == pytest.approx(float(value), abs=1e-5), name


def test_trainers_that_are_not_alike_train_one_by_one_and_equal_lone_runs():
    result = tg.sweep(2, recipes.two_to_one, steps=STEPS)
    for row in result.rows:
        assert row.values == lone_row(recipes.two_to_one, row.seed).values


def test_compile_true_trains_one_by_one_after_a_warning_where_trainers_cannot_be_one():
    match = r"cannot train in an ensemble: .*overrides step.*'autograd'"
    with pytest.warns(RuntimeWarning, match=match):
        result = tg.sweep(2, recipes.two_to_one, steps=STEPS, compile=True)
    for row in result.rows:
        assert row.values == lone_row(recipes.two_to_one, row.seed).values
    assert result.backend == {"name": "autograd", "requested": "native", "seeds": 2}


def test_a_judge_of_your_own_names_the_columns(tmp_path):
    result = tg.sweep(3, recipes.post, steps=STEPS, judge=recipes.mean_judge, out=tmp_path)
    assert result.names == ["overall_mean", "gap", "success"]
    with (tmp_path / "seeds.csv").open() as f:
        lines = list(csv.DictReader(f))
    assert list(lines[0]) == ["seed", "overall_mean", "gap", "success", "d_loss"]
    for line, row in zip(lines, result.rows, strict=True):
        assert float(line["gap"]) == row.values["gap"]
        assert line["success"] == str(int(row.success))
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["config"]["judge"] == "tests.sweep_recipes.mean_judge"
    gaps = sorted(row.values["gap"] for row in result.rows)
    assert summary["numbers"]["gap"]["median"] == pytest.approx(gaps[1])
    assert set(summary["numbers"]) == {"overall_mean", "gap", "d_loss"}
    assert (tmp_path / "histogram.png").exists()


def test_the_default_judge_of_a_pattern_is_the_pattern_judge():
    row = tg.sweep(1, recipes.post, steps=STEPS).rows[0]
    trainer = recipes.post(0).fit(STEPS)
    rng = torch.Generator().manual_seed(tg.sweeps.EVAL_SEED)
    z = tg.UniformNoise(4).sample(tg.sweeps.EVAL_INPUTS, generator=rng)
    assert row.values == pattern_judge(trainer.generator(z).detach(), recipes.REAL)


def test_an_interrupted_sweep_resumes_to_the_same_rows(tmp_path):
    straight = tg.sweep(6, recipes.post, steps=STEPS, chunk_size=2, out=tmp_path / "straight")
    recipes.INTERRUPT_AT.add(4)
    try:
        with pytest.raises(KeyboardInterrupt):
            tg.sweep(6, recipes.post, steps=STEPS, chunk_size=2, out=tmp_path / "cut")
    finally:
        recipes.INTERRUPT_AT.clear()
    with (tmp_path / "cut" / "seeds.csv").open() as f:
        assert [int(line["seed"]) for line in csv.DictReader(f)] == [0, 1, 2, 3]
    again = {"steps": STEPS, "chunk_size": 2, "out": tmp_path / "cut", "resume": True}
    resumed = tg.sweep(6, recipes.post, **again)
    assert resumed.rows == straight.rows
    for name in ("seeds.csv", "summary.json"):
        assert (tmp_path / "cut" / name).read_bytes() == (tmp_path / "straight" / name).read_bytes()


def test_resuming_a_finished_sweep_trains_nothing(tmp_path, monkeypatch):
    first = tg.sweep(2, recipes.post, steps=STEPS, out=tmp_path)
    monkeypatch.setattr(recipes, "INTERRUPT_AT", {0, 1})  # any training would raise
    assert tg.sweep(2, recipes.post, steps=STEPS, out=tmp_path, resume=True).rows == first.rows


def test_a_folder_of_another_sweep_is_refused_naming_the_difference(tmp_path):
    tg.sweep(2, recipes.post, steps=STEPS, out=tmp_path)
    with pytest.raises(SweepFolderError, match="steps"):
        tg.sweep(2, recipes.post, steps=STEPS + 1, out=tmp_path, resume=True)
    with pytest.raises(SweepFolderError, match="recipe"):
        tg.sweep(2, recipes.custom, steps=STEPS, out=tmp_path, resume=True)
    with pytest.raises(SweepFolderError, match="seeds"):
        tg.sweep(3, recipes.post, steps=STEPS, out=tmp_path, resume=True)


def test_a_process_pool_gives_the_same_rows():
    expected = tg.sweep(4, recipes.custom, steps=STEPS)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        pooled = tg.sweep(4, recipes.custom, steps=STEPS, executor=pool, chunk_size=2)
    assert pooled.rows == expected.rows


def test_bad_calls_say_what_is_wrong():
    with pytest.raises(TypeError, match="pattern"):
        tg.sweep(2, recipes.post, pattern="0101")
    with pytest.raises(TypeError, match="judge= goes with a recipe"):
        tg.sweep(2, steps=1, judge=recipes.mean_judge)
    with pytest.raises(TypeError, match="recipe must be a function"):
        tg.sweep(2, "post")
    with pytest.raises(ValueError, match="resume=True needs out="):
        tg.sweep(2, recipes.post, resume=True)
    with pytest.raises(ValueError, match="'autograd' is a lone trainer's backend"):
        tg.sweep(2, recipes.two_to_one, steps=1, backend="autograd")
    with pytest.raises(ValueError, match=r"backend='fused' trains ensembles, .*overrides step"):
        tg.sweep(2, recipes.two_to_one, steps=1, backend="fused")

    def no_success(samples, real):
        return {"x": 1.0}

    with pytest.raises(ValueError, match="no_success must return 'success'"):
        tg.sweep(1, recipes.post, steps=1, judge=no_success)
    with pytest.raises(TypeError, match="has no fit"):
        tg.sweep(1, lambda seed: object(), steps=1)

    def conditional(seed):
        labelled = tg.ImageData(torch.rand(8, 2, generator=torch.Generator().manual_seed(0)),
                                torch.arange(4).repeat(2))  # fmt: skip
        init = torch.Generator().manual_seed(seed)
        G, D = tg.mlp([3 + 4, 8, 2], generator=init), tg.mlp([2 + 4, 8, 1], generator=init)
        return tg.ConditionalTrainer(G, D, labelled, tg.GaussianNoise(3), seed=seed)

    with pytest.raises(TypeError, match=r"recipe\(0\) returned a ConditionalTrainer"):
        tg.sweep(1, conditional, steps=1)
