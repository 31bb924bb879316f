"""tinygan train --data KIND and the summary.json every train run writes."""

from __future__ import annotations

import json

import pytest
import torch

import tinygan as tg
from tinygan.cli import main
from tinygan.metrics import pattern_judge
from tinygan.sweeps import EVAL_INPUTS, EVAL_SEED


def test_the_post_run_writes_the_judges_numbers(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--out", str(out), "--steps", "300", "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    model = torch.load(out / "model.pt", weights_only=True)
    G = tg.mlp([4, 4, 4])
    G.load_state_dict(model["generator"])
    z = tg.UniformNoise(4).sample(EVAL_INPUTS, generator=torch.Generator().manual_seed(EVAL_SEED))
    with torch.no_grad():
        expected = pattern_judge(G(z), tg.FuzzyPattern("1010"))
    assert {name: summary[name] for name in expected} == expected  # the judge's names, on top
    assert list(summary)[: len(expected)] == list(expected)
    assert summary["data"] == "pattern" and summary["steps"] == 300
    assert 0.0 < summary["d_loss"] < 1.0


@pytest.mark.parametrize(
    ("kind", "names", "judged"),
    [
        ("ring8", ["modes", "high_quality", "reverse_kl", "success"], 2500),
        ("grid25", ["modes", "high_quality", "reverse_kl", "success"], 2500),
        ("digits", ["classes_covered", "confident_share", "reverse_kl", "frechet_distance"], 1000),
    ],
)
def test_each_kind_trains_its_recipe_and_writes_its_figures(tmp_path, kind, names, judged, capsys):
    out = tmp_path / kind
    assert main(["train", "--data", kind, "--steps", "12", "--out", str(out), "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert set(names) <= set(summary) and isinstance(summary["success"], bool)
    assert summary["data"] == kind and summary["steps"] == 12 and summary["seed"] == 0
    for name in ("losses.png", "snapshots.png", "samples.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    assert (out / "snapshots.gif").read_bytes()[:6] == b"GIF89a"
    assert (out / "history.csv").read_text().count("\n") == 13  # header + 12 iterations
    assert summary["eval_inputs"] == judged
    assert f"judged on {judged} generated samples" in capsys.readouterr().out


def test_the_same_seed_gives_the_same_summary(tmp_path):
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        assert main(["train", "--data", "ring8", "--steps", "8", "--out", str(out), "--quiet"]) == 0
        summary = json.loads((out / "summary.json").read_text())
        runs.append({k: v for k, v in summary.items() if k != "seconds"})
    assert runs[0] == runs[1]


def test_post_options_do_not_go_with_another_kind(tmp_path, capsys):
    argv = ["train", "--data", "ring8", "--out", str(tmp_path / "x"), "--lr", "0.1"]
    assert main(argv) == 2
    assert "--lr set the post's GAN" in capsys.readouterr().err


def test_mixture_snapshots_are_the_generator_on_the_judges_fixed_inputs():
    from tinygan.cli._train_kind import _FixedSnapshots
    from tinygan.recipes import ring8
    from tinygan.sweeps.inputs import eval_inputs

    trainer = ring8(0)
    z = eval_inputs(trainer.noise, count=2500)
    snaps = _FixedSnapshots(z, every=2)
    trainer.callbacks.append(snaps)
    trainer.fit(4)
    assert snaps.steps == [2, 4] and snaps.outputs.shape == (2, 2500, 2)
    with torch.no_grad():
        assert torch.equal(torch.from_numpy(snaps.outputs[-1]), trainer.generator(z))
