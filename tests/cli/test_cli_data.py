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
        (
            "digits",
            [
                *("classes_covered", "confident_share", "reverse_kl", "frechet_distance"),
                *("coverage", "density", "worst_class_coverage", "held_out_accuracy"),
            ],
            1000,
        ),
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
    assert "--lr sets the post's GAN" in capsys.readouterr().err


def test_digits_summary_writes_counts_as_integers_and_judges_the_evaluation_inputs(tmp_path):
    out = tmp_path / "digits"
    assert main(["train", "--data", "digits", "--steps", "20", "--out", str(out), "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert type(summary["classes_covered"]) is int  # written 10, not 10.0
    assert summary["eval_inputs"] == EVAL_INPUTS == 1000
    assert summary["eval_seed"] == EVAL_SEED  # which inputs: how many, from which seed
    assert summary["d_loss_window"] == 20  # D's loss over the last 20 of 20 iterations


def test_a_seeds_numbers_agree_in_the_cli_and_the_digits_benchmark(tmp_path):
    """The same seed, recipe and iterations: the same judged numbers, bit for bit."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "digits.py"
    spec = importlib.util.spec_from_file_location("_bench_digits_agree", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    threads = torch.get_num_threads()
    try:
        row = bench.run_one("default", 3, steps=25)
    finally:
        torch.set_num_threads(threads)
    out = tmp_path / "run"
    argv = ["train", "--data", "digits", "--steps", "25", "--seed", "3", "--out", str(out)]
    assert main([*argv, "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    names = [k for k in row if k not in ("variant", "seed", "steps", "seconds")]
    assert "coverage" in names and {n: summary[n] for n in names} == {n: row[n] for n in names}


def write_small_mnist(folder, per_class=8):
    import struct

    import numpy as np

    n = 10 * per_class
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    for name, values in (
        ("train-images-idx3-ubyte", images),
        ("train-labels-idx1-ubyte", labels),
    ):
        header = bytes([0, 0, 8, values.ndim]) + b"".join(
            struct.pack(">I", d) for d in values.shape
        )
        (folder / name).write_bytes(header + values.tobytes())


def test_mnist_trains_from_its_files(tmp_path, capsys):
    root, out = tmp_path / "mnist", tmp_path / "run"
    write_small_mnist(root / "MNIST" / "raw")
    argv = ["train", "--data", "mnist", "--root", str(root), "--steps", "4", "--out", str(out)]
    assert main([*argv, "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["data"] == "mnist" and summary["root"] == str(root)
    assert "coverage" in summary and isinstance(summary["success"], bool)
    assert (out / "samples.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "trained mnist" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--data", "mnist"], "--data mnist reads its files: give --root DIR"),
        (["--data", "digits", "--root", "x"], "--root goes with a kind whose data are files"),
        (["--root", "x"], "--root goes with a kind whose data are files, not --data pattern"),
    ],
)
def test_root_goes_with_mnist_only(tmp_path, capsys, argv, match):
    assert main(["train", *argv, "--out", str(tmp_path / "x")]) == 2
    assert match in capsys.readouterr().err


def test_mnist_without_its_files_is_one_line(tmp_path, capsys):
    argv = ["train", "--data", "mnist", "--root", str(tmp_path), "--out", str(tmp_path / "o")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "no train-images-idx3-ubyte" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_sweep_offers_no_kind_that_needs_files(capsys):
    with pytest.raises(SystemExit):
        main(["sweep", "--data", "mnist", "--seeds", "1"])
    assert "invalid choice: 'mnist'" in capsys.readouterr().err


def test_mixture_snapshots_are_the_generator_on_the_judges_fixed_inputs():
    from tinygan import Snapshots
    from tinygan.recipes import ring8
    from tinygan.sweeps.inputs import eval_inputs

    trainer = ring8(0)
    z = eval_inputs(trainer.noise, count=2500)
    snaps = Snapshots(every=2, inputs=z)
    trainer.callbacks.append(snaps)
    trainer.fit(4)
    assert snaps.steps == [2, 4] and snaps.outputs.shape == (2, 2500, 2)
    with torch.no_grad():
        assert torch.equal(torch.from_numpy(snaps.outputs[-1]), trainer.generator(z))


def test_objective_goes_to_the_kinds_recipe_and_config_records_it(tmp_path):
    out = tmp_path / "ring"
    argv = ["train", "--data", "ring8", "--objective", "hinge", "--steps", "4", "--out", str(out)]
    assert main([*argv, "--quiet"]) == 0
    config = json.loads((out / "config.json").read_text())
    assert config["objective"] == "hinge"
    assert type(json.loads((out / "summary.json").read_text())["modes"]) is int  # 3, not 3.0
    from tinygan.recipes import ring8

    alone = ring8(0, objective="hinge").fit(4)
    saved = torch.load(out / "model.pt", weights_only=True)
    first = next(iter(saved["generator"].values()))
    assert torch.equal(first, next(iter(alone.generator.state_dict().values())))


@pytest.mark.parametrize(
    "command", [["train", "--data", "digits"], ["sweep", "--seeds", "1", "--data", "digits"]]
)
def test_digits_without_scikit_learn_is_one_line_before_any_file(
    command, tmp_path, monkeypatch, capsys
):
    import importlib.util

    find_spec = importlib.util.find_spec

    def without_sklearn(name, *args):
        return None if name == "sklearn" else find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_sklearn)
    out = tmp_path / "run"
    assert main([*command, "--steps", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.strip().endswith('--data digits needs scikit-learn: pip install "tinygan[images]"')
    assert len(err.strip().splitlines()) == 1 and not out.exists()


def test_a_missing_extra_met_later_is_one_line_too(monkeypatch, capsys):
    from tinygan.cli import sweep as command

    def needs_matplotlib(*args, **kwargs):
        raise ImportError('tinygan.plotting needs matplotlib: pip install "tinygan[plot]"')

    monkeypatch.setattr(command, "sweep", needs_matplotlib)
    assert main(["sweep", "--seeds", "1", "--steps", "1"]) == 2
    assert capsys.readouterr().err == (
        'tinygan sweep: error: tinygan.plotting needs matplotlib: pip install "tinygan[plot]"\n'
    )


def test_a_data_run_refuses_checkpoints_and_keeps_its_networks_on_ctrl_c(
    tmp_path, monkeypatch, capsys
):
    argv = ["train", "--data", "ring8", "--steps", "6", "--quiet"]
    assert main([*argv, "--out", str(tmp_path / "c"), "--checkpoint-every", "2"]) == 2
    assert "--checkpoint-every sets the post's GAN" in capsys.readouterr().err
    from tinygan.cli import _common

    def interrupt_at_3(self, trainer, step, record):
        if step == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(_common.ProgressBar, "on_step_end", interrupt_at_3)
    out = tmp_path / "run"
    assert main([*argv, "--out", str(out)]) == 130
    err = capsys.readouterr().err
    assert f"interrupted at iteration 3 of 6; {out / 'model.pt'} holds the networks" in err
    saved = torch.load(out / "model.pt", weights_only=True)
    assert set(saved) >= {"generator", "discriminator"}
