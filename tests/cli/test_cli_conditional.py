"""tinygan train --data digits --conditional: its files, its judge's numbers, its errors."""

from __future__ import annotations

import json

import pytest
import torch

from tinygan.cli import main
from tinygan.cli._train_conditional import judged_inputs
from tinygan.metrics import ConditionalJudge, ImageJudge
from tinygan.recipes import digits_conditional
from tinygan.sweeps import EVAL_INPUTS, EVAL_SEED

pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")

FILES = [
    "config.json", "history.csv", "model.pt", "summary.json", "losses.png", "classes.png",
    "classes.gif",
]  # fmt: skip


def run(tmp_path, *more: str) -> dict:
    out = tmp_path / "run"
    argv = ["train", "--data", "digits", "--conditional", "--steps", "30", "--out", str(out)]
    assert main([*argv, *more, "--quiet"]) == 0
    return json.loads((out / "summary.json").read_text())


def test_it_writes_the_figures_and_the_judges_numbers(tmp_path, capsys):
    summary = run(tmp_path)
    out = tmp_path / "run"
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert (out / "classes.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "classes.gif").read_bytes()[:6] == b"GIF89a"
    for c in range(10):
        assert {f"label_{c}_accuracy", f"label_{c}_coverage", f"label_{c}_density"} <= set(summary)
    assert summary["conditional"] is True and summary["steps"] == 30
    assert summary["eval_inputs"] == EVAL_INPUTS and "i % 10" in summary["judged"]
    assert summary["eval_seed"] == EVAL_SEED and summary["d_loss_window"] == 30
    assert summary["backend"] == {"name": "autograd"}
    assert isinstance(summary["classes_covered"], int)
    assert summary["success"] is (not summary["reasons"])
    printed = capsys.readouterr().out
    assert "label accuracy" in printed and "backend: autograd" in printed


def test_its_numbers_are_the_judges_on_the_evaluation_inputs(tmp_path):
    summary = run(tmp_path, "--seed", "3")
    trainer = digits_conditional(3)
    trainer.fit(30)
    noise, labels = judged_inputs(trainer)
    assert torch.equal(labels[:12], torch.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]))
    verdict = ConditionalJudge(ImageJudge(trainer.real))(trainer.generate(labels, noise), labels)
    assert summary["label_accuracy"] == verdict["label_accuracy"]
    assert summary["label_7_coverage"] == verdict["label_7_coverage"]


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        ([], "--conditional needs labelled images: --data digits or mnist"),
        (["--data", "ring8"], "--conditional needs labelled images"),
        (["--data", "digits", "--lr", "0.1"], "--lr sets the post's GAN"),
    ],
)
def test_it_is_refused_where_it_cannot_go(tmp_path, capsys, argv, match):
    assert main(["train", *argv, "--conditional", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert match in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_mnist_goes_too(tmp_path):
    from tests.cli.test_cli_data import write_small_mnist

    root, out = tmp_path / "mnist", tmp_path / "run"
    write_small_mnist(root, per_class=14)
    argv = ["train", "--data", "mnist", "--root", str(root), "--conditional", "--steps", "3"]
    assert main([*argv, "--out", str(out), "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["data"] == "mnist" and "label_accuracy" in summary
