import csv
import json
import subprocess
import sys

import pytest

import tinygan as tg
from tinygan.cli import main


def test_sweep_end_to_end(tmp_path, capsys):
    out = tmp_path / "sweep"
    status = main(["sweep", "--seeds", "3", "--steps", "60", "--out", str(out)])
    assert status == 0
    printed = capsys.readouterr().out
    expected = tg.sweep(3, steps=60)
    low, high = expected.interval
    assert f"{expected.successes}/3 seeds succeeded" in printed
    assert f"[{low:.3f}, {high:.3f}]" in printed
    assert {p.name for p in out.iterdir()} == {"seeds.csv", "summary.json", "histogram.png"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n"] == 3 and summary["config"]["steps"] == 60
    with (out / "seeds.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [int(r["seed"]) for r in rows] == [0, 1, 2]
    assert [float(r["mean_1"]) for r in rows] == [row.mean[0] for row in expected.rows]


def test_variant_options_reach_the_sweep(tmp_path):
    out = tmp_path / "v"
    argv = ["sweep", "--seeds", "2", "--first-seed", "5", "--steps", "20", "--out", str(out)]
    argv += ["--bias", "--loss", "bce", "--optimizer", "adam", "--lr", "0.002"]
    argv += ["--noise", "constant", "--batch-size", "4", "--pattern", "110"]
    assert main(argv) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["config"] == {
        "pattern": "110",
        "steps": 20,
        "lr": 0.002,
        "batch_size": 4,
        "bias": True,
        "loss": "bce",
        "optimizer": "adam",
        "noise": "constant",
    }
    with (out / "seeds.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [int(r["seed"]) for r in rows] == [5, 6]
    assert "mean_3" in rows[0] and "mean_4" not in rows[0]


def test_existing_out_needs_force(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("x")
    assert main(["sweep", "--seeds", "1", "--steps", "1", "--out", str(tmp_path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["sweep", "--seeds", "1", "--steps", "1", "--out", str(tmp_path), "--force"]) == 0


def test_without_out_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", "--seeds", "2", "--steps", "5"]) == 0
    assert "seeds succeeded" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["sweep"],
        ["sweep", "--seeds", "0"],
        ["sweep", "--seeds", "2", "--loss", "l1"],
        ["sweep", "--seeds", "2", "--pattern", "10a"],
        ["sweep", "--seeds", "2", "--lr", "-1"],
    ],
)
def test_bad_arguments_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_python_dash_m(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tinygan",
            "sweep",
            "--seeds",
            "2",
            "--steps",
            "5",
            "--workers",
            "2",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "/2 seeds succeeded" in proc.stdout


def test_compile_flag_reaches_the_sweep(monkeypatch, capsys):
    import tinygan.cli.sweep as cli_sweep

    seen = []
    real_sweep = cli_sweep.sweep

    def spy(seeds, **kwargs):
        seen.append(kwargs["compile"])
        return real_sweep(seeds, **{**kwargs, "compile": False})

    monkeypatch.setattr(cli_sweep, "sweep", spy)
    assert main(["sweep", "--seeds", "1", "--steps", "2", "--compile"]) == 0
    assert main(["sweep", "--seeds", "1", "--steps", "2"]) == 0
    assert seen == [True, False]
