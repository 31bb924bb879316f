"""The ``tinygan`` command line, end to end in temporary folders."""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
import torch

import tinygan as tg
from tinygan.cli import COMMANDS, build_parser, main
from tinygan.cli._common import ProgressBar, show_progress
from tinygan.cli.train import TrainConfig, build_trainer, reference_for

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
STEPS = 200
FILES = [
    "config.json",
    "history.csv",
    "losses.png",
    "snapshots.png",
    "model.pt",
    "summary.json",
    "checkpoints",
]


def train(out: Path, *extra: str) -> int:
    return main(
        ["train", "--out", str(out), "--steps", str(STEPS), "--snapshot-every", "50", *extra]
    )


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "run"
    assert train(out, "--seed", "3") == 0
    return out


def read_history(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


def test_train_writes_every_file(run_dir: Path) -> None:
    assert sorted(p.name for p in run_dir.iterdir()) == sorted(FILES)
    for name in FILES:
        assert (run_dir / name).stat().st_size > 0


def test_history_has_one_row_per_iteration(run_dir: Path) -> None:
    rows = read_history(run_dir / "history.csv")
    assert len(rows) == STEPS
    assert list(rows[0])[:5] == ["step", "d_loss_real", "d_loss_fake", "g_loss", "g_error"]
    assert [int(r["step"]) for r in rows] == list(range(1, STEPS + 1))
    for row in rows:
        for name in ("d_loss_real", "d_loss_fake", "g_loss", "g_error"):
            assert 0.0 <= float(row[name]) <= 1.0


def test_history_matches_an_independent_rerun(run_dir: Path) -> None:
    # Oracle: the same run built in-process, its losses taken straight from the records.
    records: list[tg.StepRecord] = []
    config = TrainConfig(steps=STEPS, seed=3, snapshot_every=50)
    trainer = build_trainer(
        config, [tg.LambdaCallback(on_step_end=lambda t, s, r: records.append(r))]
    )
    trainer.fit(STEPS)
    rows = read_history(run_dir / "history.csv")
    ref = torch.tensor(reference_for("1010"))
    for row, record in zip(rows, records, strict=True):
        assert record.d_loss_real is not None and record.fake is not None
        assert np.float32(row["d_loss_real"]) == record.d_loss_real.numpy()
        assert np.float32(row["d_loss_fake"]) == record.d_loss_fake.numpy()
        assert np.float32(row["g_loss"]) == record.g_loss.numpy()
        expected = float(((record.fake.double() - ref.double()) ** 2).mean())
        assert float(row["g_error"]) == pytest.approx(expected, rel=1e-5)


def test_pngs_are_valid_images(run_dir: Path) -> None:
    for name in ("losses.png", "snapshots.png"):
        data = (run_dir / name).read_bytes()
        assert data[:8] == PNG_SIGNATURE
        image = matplotlib.image.imread(run_dir / name)
        assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
        assert image[..., :3].std() > 0.01  # not a blank canvas


def test_model_pt_loads_with_weights_only(run_dir: Path) -> None:
    state = torch.load(run_dir / "model.pt", weights_only=True)
    assert set(state) == {"generator", "discriminator"}
    generator = tg.mlp([4, 4, 4])
    generator.load_state_dict(state["generator"])
    discriminator = tg.mlp([4, 3, 1])
    discriminator.load_state_dict(state["discriminator"])
    # Oracle: the weights of the same run made in-process.
    trainer = build_trainer(TrainConfig(steps=STEPS, seed=3), [])
    trainer.fit(STEPS)
    for a, b in zip(generator.parameters(), trainer.generator.parameters(), strict=True):
        assert torch.equal(a, b)


def test_config_json_holds_every_setting(run_dir: Path) -> None:
    config = json.loads((run_dir / "config.json").read_text())
    assert config["pattern"] == "1010"
    assert config["steps"] == STEPS
    assert config["seed"] == 3
    assert config["lr"] == 0.01
    assert config["batch_size"] == 1
    assert config["snapshot_every"] == 50
    assert config["generator_sizes"] == [4, 4, 4]
    assert config["discriminator_sizes"] == [4, 3, 1]
    assert config["reference"] == [0.9, 0.0, 0.9, 0.0]


def test_config_json_reruns_to_the_same_history(run_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert main(["train", "--config", str(run_dir / "config.json"), "--out", str(again)]) == 0
    assert (again / "history.csv").read_bytes() == (run_dir / "history.csv").read_bytes()
    assert json.loads((again / "config.json").read_text()) == json.loads(
        (run_dir / "config.json").read_text()
    )


def test_command_line_overrides_config(run_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    assert (
        main(
            ["train", "--config", str(run_dir / "config.json"), "--out", str(other), "--seed", "4"]
        )
        == 0
    )
    config = json.loads((other / "config.json").read_text())
    assert config["seed"] == 4 and config["steps"] == STEPS
    assert (other / "history.csv").read_bytes() != (run_dir / "history.csv").read_bytes()


def test_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert train(tmp_path / "run") == 0
    out = capsys.readouterr().out
    assert "G's mean output per position, on 1,000 fresh inputs:" in out
    assert f"D's mean loss over the last {STEPS} iterations:" in out
    assert str(tmp_path / "run" / "model.pt") in out


def test_other_pattern_and_batch_size(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "--out",
                str(out),
                "--steps",
                "20",
                "--pattern",
                "110010",
                "--batch-size",
                "3",
                "--snapshot-every",
                "5",
                "--quiet",
            ]
        )
        == 0
    )
    state = torch.load(out / "model.pt", weights_only=True)
    assert state["generator"]["0.weight"].shape == (6, 6)
    assert state["discriminator"]["0.weight"].shape == (3, 6)
    assert len(read_history(out / "history.csv")) == 20


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--steps", "-5"], "--steps"),
        (["--steps", "ten"], "--steps"),
        (["--steps", "0"], "--steps"),
        (["--pattern", "10a0"], "--pattern"),
        (["--pattern", ""], "--pattern"),
        (["--lr", "0"], "--lr"),
        (["--lr", "-0.1"], "--lr"),
        (["--lr", "nan"], "--lr"),
        (["--lr", "1e300"], "float32's largest"),
        (["--batch-size", "0"], "--batch-size"),
        (["--seed", "-1"], "--seed"),
        (["--snapshot-every", "0"], "--snapshot-every"),
        (["--bogus"], "--bogus"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    args: list[str], words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["train", "--out", str(tmp_path / "run"), *args])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    # Errors in an option's value name the command; an unknown option is the top level's.
    assert err.startswith("tinygan") and "error:" in err and words in err
    assert not (tmp_path / "run").exists()


def test_missing_out_and_missing_command_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["train"], [], ["nonsense"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
        assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_existing_out_is_refused_unless_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    assert train(out) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--force" in err
    assert sorted(p.name for p in out.iterdir()) == ["precious.txt"]
    assert train(out, "--force") == 0
    assert (out / "precious.txt").read_text() == "keep me"
    assert (out / "history.csv").exists()


def test_empty_existing_out_is_fine(tmp_path: Path) -> None:
    assert train(tmp_path) == 0  # tmp_path exists and is empty


def test_out_that_is_a_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "file"
    path.write_text("x")
    assert train(path, "--force") == 2
    assert "not a folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "words"),
    [("{not json", "not valid JSON"), ("[1, 2]", "JSON object"), ('{"lr": -1}', "lr")],
)
def test_bad_config_file_exits_2(
    content: str, words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.json"
    config.write_text(content)
    assert main(["train", "--config", str(config), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and words in err


def test_missing_config_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["train", "--config", str(tmp_path / "nope.json"), "--out", str(tmp_path / "r")]) == 2
    )
    assert "cannot read --config" in capsys.readouterr().err


def test_train_without_matplotlib_writes_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    out = tmp_path / "run"
    assert train(out) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "checkpoints",
        "config.json",
        "history.csv",
        "model.pt",
        "summary.json",
    ]
    assert 'pip install "tinygan[plot]"' in capsys.readouterr().err


def test_every_option_has_help() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(subparsers.choices) >= {"train", "discriminator-test"}
    assert len(subparsers.choices) >= len(COMMANDS)
    for name, sub in subparsers.choices.items():
        assert sub.description, name
        for action in sub._actions:
            assert action.help and action.help.strip(), (name, action.dest)


@pytest.mark.parametrize("command", ["train", "discriminator-test"])
def test_help_exits_0(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "--steps" in out and "--seed" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert tg.__version__ in capsys.readouterr().out


def test_discriminator_test_short(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["discriminator-test", "--steps", "100", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "D(1010) = " in out and "D(0101) = " in out


def test_library_warnings_are_printed_while_a_command_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import tinygan.cli.discriminator_test as command

    def run(args: argparse.Namespace) -> int:
        logging.getLogger("tinygan.training").warning("weights are not finite")
        logging.getLogger("tinygan.training").info("an informational line")
        return 0

    monkeypatch.setattr(command, "run", run)
    assert main(["discriminator-test"]) == 0
    assert capsys.readouterr().err == "tinygan discriminator-test: weights are not finite\n"
    # the command's handler is gone after it: the library logger is as it was
    assert [type(h) for h in logging.getLogger("tinygan").handlers] == [logging.NullHandler]


def test_discriminator_test_names_its_backend_and_each_gives_the_same_numbers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    outputs = {}
    for backend in ("auto", "autograd", "fused"):
        assert main(["discriminator-test", "--steps", "150", "--backend", backend]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines[1] == f"backend: {'fused' if backend == 'auto' else backend}"
        outputs[backend] = lines[2:]
    assert outputs["auto"] == outputs["autograd"] == outputs["fused"]
    with pytest.raises(SystemExit):
        main(["discriminator-test", "--backend", "native"])
    assert "invalid choice: 'native'" in capsys.readouterr().err


def test_discriminator_test_learns(capsys: pytest.CaptureFixture[str]) -> None:
    # The post's full test (10,000 iterations: D(1010) ~ 0.94, D(0101) ~ 0.05) is the core
    # tests' business; here a short run must already score the pattern above its opposite.
    assert main(["discriminator-test", "--steps", "2000", "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    on_real = float(next(line for line in lines if line.startswith("D(1010)")).split()[2])
    on_fake = float(next(line for line in lines if line.startswith("D(0101)")).split()[2])
    assert 0.0 < on_fake < on_real < 1.0


def test_discriminator_test_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--steps", "-1"], ["--pattern", "12"], ["--lr", "0"]):
        with pytest.raises(SystemExit) as info:
            main(["discriminator-test", *args])
        assert info.value.code == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1
        assert err.startswith("tinygan discriminator-test: error:")


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_progress_bar_only_on_a_terminal_and_not_quiet() -> None:
    assert show_progress(False, _Stream(True)) is True
    assert show_progress(True, _Stream(True)) is False
    assert show_progress(False, _Stream(False)) is False


def test_progress_bar_counts_iterations(capsys: pytest.CaptureFixture[str]) -> None:
    trainer = build_trainer(TrainConfig(steps=30), [ProgressBar(30, enabled=True)])
    trainer.fit(30)
    err = capsys.readouterr().err
    assert "30/30" in err


def test_progress_bar_disabled_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    build_trainer(TrainConfig(steps=30), [ProgressBar(30, enabled=False)]).fit(30)
    assert capsys.readouterr().err == ""


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "tinygan", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_python_dash_m_tinygan(tmp_path: Path) -> None:
    out = tmp_path / "run"
    ok = run_module("train", "--out", str(out), "--steps", "50", "--snapshot-every", "25")
    assert ok.returncode == 0, ok.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert ok.stderr == ""  # stderr is not a terminal here: no progress bar
    assert "G's mean output" in ok.stdout

    bad = run_module("train", "--out", str(tmp_path / "x"), "--steps", "-3")
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1
    assert "Traceback" not in bad.stderr


def test_the_program_freezes_its_imports_then_runs_main(monkeypatch):
    import gc

    import tinygan.cli as cli

    calls = []
    monkeypatch.setattr(cli, "main", lambda: calls.append(gc.get_freeze_count()) or 0)
    try:
        with pytest.raises(SystemExit) as exit_:
            cli.console()
        assert exit_.value.code == 0
        assert calls and calls[0] > 0  # the imports' objects are frozen before main runs
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_objective_and_backend_options_reach_the_trainer_and_its_files(tmp_path, capsys):
    out = tmp_path / "hinge"
    argv = ["train", "--out", str(out), "--steps", "40", "--objective", "hinge", "--quiet"]
    assert main(argv) == 0
    config = json.loads((out / "config.json").read_text())
    summary = json.loads((out / "summary.json").read_text())
    assert config["objective"] == "hinge" and config["backend"] == "auto"
    assert summary["backend"] == {"name": "autograd"}  # hinge: the trainer's own parts
    printed = capsys.readouterr().out
    assert "backend: autograd" in printed
    assert "(1 means D cannot tell G's output from real data)" in printed  # hinge's, not 0.25
    native = tmp_path / "native"
    assert main(["train", "--out", str(native), "--steps", "40", "--backend", "native"]) == 0
    assert json.loads((native / "summary.json").read_text())["backend"]["name"] == "native"
    with pytest.raises(SystemExit) as info:
        main(["train", "--out", str(tmp_path / "x"), "--objective", "wasserstein"])
    assert info.value.code == 2
    assert "must be one of least-squares" in capsys.readouterr().err


def test_a_backend_that_cannot_serve_is_a_usage_error_before_any_file(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["train", "--out", str(out), "--objective", "hinge", "--backend", "native"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("tinygan train: error: backend='native' cannot serve this trainer")
    assert "hinge" in err and "Traceback" not in err
    assert not out.exists()
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("work")
    assert main([*argv[:2], str(full), *argv[3:]]) == 2  # the --out check comes first
    assert "already holds files" in capsys.readouterr().err
    assert [p.name for p in full.iterdir()] == ["keep.txt"]


def test_a_fallback_is_one_line_on_stderr_and_in_both_files(tmp_path, monkeypatch, capsys):
    from tinygan.engine import native

    monkeypatch.setenv("CC", "no-such-compiler-here")
    monkeypatch.setenv("TINYGAN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(native, "_LOADED", {})
    out = tmp_path / "run"
    argv = ["train", "--out", str(out), "--steps", "30", "--backend", "native", "--quiet"]
    assert main(argv) == 0
    err = capsys.readouterr().err.splitlines()
    fallbacks = [line for line in err if "cannot run here" in line]
    assert fallbacks == [
        "tinygan train: backend 'native' cannot run here (no C compiler: "
        "'no-such-compiler-here' is not on the PATH (set CC to one, such as gcc)); "
        "training goes on with 'fused'"
    ]
    config = json.loads((out / "config.json").read_text())
    summary = json.loads((out / "summary.json").read_text())
    assert config["backend"] == "native"  # the setting, for --config and --resume
    assert config["trained_by"] == summary["backend"]
    assert summary["backend"]["name"] == "fused"
    assert summary["backend"]["requested"] == "native"
    assert summary["backend"]["fallback"].startswith("no C compiler")


def test_other_data_kinds_take_backend_auto_and_refuse_the_others(tmp_path, capsys):
    argv = ["train", "--data", "ring8", "--steps", "20", "--quiet", "--backend"]
    assert main([*argv, "auto", "--out", str(tmp_path / "auto")]) == 0
    assert main([*argv, "native", "--out", str(tmp_path / "native")]) == 2
    assert "--backend native: a --data kind's recipe builds its trainer" in capsys.readouterr().err
    assert not (tmp_path / "native").exists()
