"""``tinygan train``: checkpoints as it goes, Ctrl-C (a real SIGINT), ``--resume``, health."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from tests.resume_helpers import assert_same_state

import tinygan as tg
from tinygan.cli import main
from tinygan.cli.train import TrainConfig, build_trainer

ARGS = ["--quiet", "--checkpoint-every", "500", "--metrics-every", "250", "--snapshot-every", "500"]


def cli(*args: str, **kwargs) -> subprocess.Popen[str]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.Popen(
        [sys.executable, "-m", "tinygan", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **kwargs,
    )


def history(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


def final_state(run: Path, steps: int) -> dict:
    return tg.read_checkpoint(run / "checkpoints" / f"checkpoint-{steps:08d}.pt")["trainer"]


def assert_same_run(a: Path, b: Path, steps: int) -> None:
    assert (a / "history.csv").read_bytes() == (b / "history.csv").read_bytes()
    model_a = torch.load(a / "model.pt", weights_only=True)
    model_b = torch.load(b / "model.pt", weights_only=True)
    assert_same_state(model_a, model_b)
    # Weights, optimisers, RNG state and every logger's series, bit for bit.
    assert_same_state(final_state(a, steps), final_state(b, steps))


def test_sigint_then_resume_equals_a_straight_run(tmp_path: Path) -> None:
    steps = 3000
    broken, straight = tmp_path / "broken", tmp_path / "straight"
    proc = cli("train", "--out", str(broken), "--steps", str(steps), *ARGS)
    first = broken / "checkpoints" / "checkpoint-00000500.pt"
    deadline = time.monotonic() + 120
    while not first.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)  # a real Ctrl-C, mid-run
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert f"resume with: tinygan train --resume {broken}" in err
    assert "Traceback" not in err
    # What the interrupted run left is whole: its last checkpoint and history agree.
    last = tg.latest_checkpoint(broken / "checkpoints")
    assert last is not None
    stopped_at = tg.read_checkpoint(last)["iteration"]
    assert 500 <= stopped_at < steps
    rows = history(broken / "history.csv")
    assert [int(r["step"]) for r in rows] == list(range(1, stopped_at + 1))
    assert f"interrupted at iteration {stopped_at} of {steps}" in err

    resumed = cli("train", "--resume", str(broken))
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert f"from iteration {stopped_at} to {steps}" in out

    assert main(["train", "--out", str(straight), "--steps", str(steps), *ARGS]) == 0
    assert_same_run(broken, straight, steps)


def test_resume_can_extend_a_finished_run(tmp_path: Path, capsys) -> None:
    short, long = tmp_path / "short", tmp_path / "long"
    assert main(["train", "--out", str(short), "--steps", "600", *ARGS]) == 0
    assert main(["train", "--resume", str(short), "--steps", "1100", "--quiet"]) == 0
    assert main(["train", "--out", str(long), "--steps", "1100", *ARGS]) == 0
    assert_same_run(short, long, 1100)
    assert '"steps": 1100' in (short / "config.json").read_text()
    # Resuming a finished run trains nothing and changes nothing.
    before = (short / "history.csv").read_bytes()
    capsys.readouterr()
    assert main(["train", "--resume", str(short)]) == 0
    assert "from iteration 1100 to 1100" in capsys.readouterr().out
    assert (short / "history.csv").read_bytes() == before


def test_resume_drops_history_rows_past_the_checkpoint(tmp_path: Path) -> None:
    """A crash (not Ctrl-C) after history rows were written but before the checkpoint."""
    crashed, straight = tmp_path / "crashed", tmp_path / "straight"
    assert main(["train", "--out", str(crashed), "--steps", "1200", *ARGS]) == 0
    (crashed / "checkpoints" / "checkpoint-00001200.pt").unlink()  # lost: back to 1000
    assert len(history(crashed / "history.csv")) == 1200
    assert main(["train", "--resume", str(crashed)]) == 0
    assert main(["train", "--out", str(straight), "--steps", "1200", *ARGS]) == 0
    assert_same_run(crashed, straight, 1200)


def test_history_holds_the_health_metrics(tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    assert main(["train", "--out", str(run), "--steps", "500", "--seed", "2", *ARGS]) == 0
    rows = history(run / "history.csv")
    measured = [int(r["step"]) for r in rows if r["spread_ratio"]]
    assert measured == [250, 500]
    # Oracle for iteration 250: the probe batches drawn by hand (real, then noise) from a
    # generator seeded with the run's seed, through the same run's generator.
    trainer = build_trainer(TrainConfig(seed=2), [tg.Metrics(every=10**6, seed=2)])
    trainer.fit(250)
    g = torch.Generator().manual_seed(2)
    real = tg.FuzzyPattern("1010").sample(1000, generator=g)
    with torch.no_grad():
        fake = trainer.generator(tg.UniformNoise(4).sample(1000, generator=g))
    ratio = fake.std(dim=0, correction=0) / real.std(dim=0, correction=0)
    row = rows[249]
    for j in range(4):
        assert float(row[f"spread_ratio_{j + 1}"]) == pytest.approx(float(ratio[j]), rel=1e-5)
    inside = (fake >= torch.tensor([0.8, 0, 0.8, 0])) & (fake <= torch.tensor([1, 0.2, 1, 0.2]))
    assert float(row["inside"]) == pytest.approx(float(inside.all(dim=1).float().mean()))
    out = capsys.readouterr().out
    assert "health on 1000 probes" in out and "spread ratio" in out
    assert "of G's outputs inside the real ranges (95% Wilson interval " in out


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("cli_resume") / "run"
    assert main(["train", "--out", str(run), "--steps", "600", *ARGS]) == 0
    return run


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--seed", "3"], "--seed cannot be given with --resume"),
        (["--lr", "0.1"], "--lr cannot be given with --resume"),
        (["--steps", "100"], "past --steps 100"),
    ],
)
def test_resume_errors(finished: Path, capsys, extra: list[str], words: str) -> None:
    before = {p: p.read_bytes() for p in finished.rglob("*") if p.is_file()}
    assert main(["train", "--resume", str(finished), *extra]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and words in err
    after = {p: p.read_bytes() for p in finished.rglob("*") if p.is_file()}
    assert after == before  # a refused command changes nothing: the run still resumes


def test_resume_needs_a_run_with_checkpoints(tmp_path: Path, capsys) -> None:
    assert main(["train", "--resume", str(tmp_path)]) == 2
    assert "not a run's folder" in capsys.readouterr().err
    (tmp_path / "config.json").write_text("{}")  # defaults would train another run
    assert main(["train", "--resume", str(tmp_path)]) == 2
    assert "config.json lacks pattern, steps, seed, lr, batch_size" in capsys.readouterr().err
    settings = {"pattern": "1010", "steps": 5, "seed": 0, "lr": 0.01, "batch_size": 1}
    (tmp_path / "config.json").write_text(json.dumps(settings))
    assert main(["train", "--resume", str(tmp_path)]) == 2
    assert "no checkpoint" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["train", "--resume", str(tmp_path), "--out", str(tmp_path)])
    assert info.value.code == 2


def test_corrupted_checkpoint_is_a_clear_error(tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    assert main(["train", "--out", str(run), "--steps", "500", *ARGS]) == 0
    path = run / "checkpoints" / "checkpoint-00000500.pt"
    path.write_bytes(path.read_bytes()[:300])
    capsys.readouterr()
    assert main(["train", "--resume", str(run)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "truncated" in err and len(err.strip().splitlines()) == 1


def test_fresh_run_with_force_clears_old_checkpoints(tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert main(["train", "--out", str(run), "--steps", "1000", *ARGS]) == 0
    assert main(["train", "--out", str(run), "--steps", "600", "--force", *ARGS]) == 0
    names = sorted(p.name for p in (run / "checkpoints").iterdir())
    assert names == ["checkpoint-00000500.pt", "checkpoint-00000600.pt"]


def test_a_truncated_newest_checkpoint_resumes_from_the_one_before(tmp_path: Path, capsys) -> None:
    run, straight = tmp_path / "run", tmp_path / "straight"
    every = ["--checkpoint-every", "10"]
    assert main(["train", "--out", str(run), "--steps", "30", *ARGS, *every]) == 0
    assert main(["train", "--out", str(straight), "--steps", "40", *ARGS, *every]) == 0
    newest = run / "checkpoints" / "checkpoint-00000030.pt"
    newest.write_bytes(newest.read_bytes()[:300])  # as a crash in mid-write would leave it
    capsys.readouterr()
    assert main(["train", "--resume", str(run), "--steps", "40"]) == 0
    err = capsys.readouterr().err
    assert "truncated" in err and "resuming from checkpoint-00000020.pt" in err
    assert newest.exists()  # kept: nothing the user has is deleted
    mine, theirs = (torch.load(d / "model.pt", weights_only=True) for d in (run, straight))
    for net in ("generator", "discriminator"):
        for key, value in theirs[net].items():
            assert torch.equal(mine[net][key], value)
    assert (run / "history.csv").read_text() == (straight / "history.csv").read_text()


def test_config_files_that_are_not_a_pattern_runs_are_refused_by_name(tmp_path: Path, capsys):
    ring = tmp_path / "ring"
    assert main(["train", "--data", "ring8", "--steps", "2", "--out", str(ring), "--quiet"]) == 0
    assert main(["train", "--config", str(ring / "config.json"), "--out", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err
    assert "is a --data ring8 run's" in err and "--data ring8 --seed 0 --steps 2" in err
    assert main(["train", "--resume", str(ring)]) == 2
    err = capsys.readouterr().err
    assert f"--resume {ring}'s config.json is a --data ring8 run's" in err
    typo = tmp_path / "typo.json"
    typo.write_text('{"stepz": 5}')
    assert main(["train", "--config", str(typo), "--out", str(tmp_path / "b")]) == 2
    assert "unknown settings 'stepz'" in capsys.readouterr().err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_an_untrained_generator_is_not_called_collapsed(tmp_path: Path, capsys) -> None:
    """0% inside the real ranges: G has not learnt yet, which a small spread does not change."""
    assert main(["train", "--out", str(tmp_path / "run"), "--steps", "300", *ARGS]) == 0
    out = capsys.readouterr().out
    assert "note: only 0% of G's outputs lie inside the real ranges" in out
    assert "partial mode collapse" not in out
