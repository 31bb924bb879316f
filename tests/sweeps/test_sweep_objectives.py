"""tg.sweep(objective=...): the post's sweep and recipe sweeps with another objective."""

from __future__ import annotations

import json

import pytest

import tinygan as tg
from tinygan.recipes import ring8
from tinygan.sweeps.config import RecipeConfig, SweepConfig


def test_least_squares_is_the_posts_sweep_row_for_row():
    plain = tg.sweep(range(6), steps=300)
    named = tg.sweep(range(6), steps=300, objective="least-squares")
    assert [r.values for r in plain.rows] == [r.values for r in named.rows]
    assert named.config.objective == "least-squares"


def test_non_saturating_is_the_bce_sweep_row_for_row():
    bce = tg.sweep(range(4), steps=300, loss="bce")
    named = tg.sweep(range(4), steps=300, objective="non-saturating")
    assert [r.values for r in bce.rows] == [r.values for r in named.rows]


def test_an_objective_the_stacked_steps_do_not_compute_trains_on_vmap():
    result = tg.sweep(range(3), steps=50, objective="hinge")
    assert result.summary()["backend"]["name"] == "vmap"
    assert result.n == 3


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"objective": "wgan-gp"}, "no ensemble backend computes"),
        ({"objective": "hinge", "loss": "bce"}, "both set the objective"),
        ({"objective": "wasserstein"}, "objective must be one of"),
    ],
)
def test_the_posts_sweep_refuses_what_it_cannot_train(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tg.sweep([0], steps=1, **kwargs)


def test_a_recipe_is_asked_for_the_objective_and_the_config_records_it(tmp_path):
    result = tg.sweep([0, 1], ring8, steps=4, objective="wgan-gp", out=tmp_path)
    assert result.config == RecipeConfig("tinygan.recipes.mixtures.ring8", "default", 4, "wgan-gp")
    assert result.summary()["backend"]["name"] == "autograd"  # the penalty: lone trainers
    stored = json.loads((tmp_path / "sweep.json").read_text())
    assert stored["config"]["objective"] == "wgan-gp"
    lone = ring8(1, objective="wgan-gp").fit(4)
    judged = tg.sweeps.chunk.evaluate_generator(lone.generator, lone.real, lone.noise, seed=1)
    assert result.rows[1].values == judged.values


def test_a_recipe_without_objective_is_refused_by_name():
    def own(seed):
        return ring8(seed)

    with pytest.raises(TypeError, match="takes no objective="):
        tg.sweep([0], own, steps=1, objective="hinge")


def test_resume_refuses_another_objective_and_reads_folders_from_before_objectives(tmp_path):
    tg.sweep([0, 1], ring8, steps=3, objective="hinge", out=tmp_path)
    with pytest.raises(tg.sweeps.folder.SweepFolderError, match=r"config\.objective"):
        tg.sweep([0, 1], ring8, steps=3, out=tmp_path, resume=True)
    old = tmp_path / "old"
    tg.sweep([0, 1], steps=20, out=old)
    spec = json.loads((old / "sweep.json").read_text())
    assert "objective" not in spec["config"]  # None is left out: the files of before
    resumed = tg.sweep([0, 1], steps=20, out=old, resume=True)
    assert resumed.config == SweepConfig(steps=20)


def test_an_objective_object_is_recorded_by_the_name_that_stands_for_it():
    from tinygan.objectives import Hinge, NonSaturating

    by_object = tg.sweep(2, steps=5, objective=Hinge())
    assert by_object.config.objective == "hinge"
    assert by_object.rows == tg.sweep(2, steps=5, objective="hinge").rows
    with pytest.raises(ValueError, match="is not what any name stands for"):
        tg.sweep(2, steps=5, objective=NonSaturating(logits=True))
