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
    expected = tg.sweep(3, steps=60, compile=True)  # the CLI's default on the CPU
    low, high = expected.interval
    assert f"{expected.successes}/3 seeds succeeded" in printed
    assert f"[{low:.3f}, {high:.3f}]" in printed
    names = {p.name for p in out.iterdir()}
    assert names == {"command.json", "sweep.json", "seeds.csv", "summary.json", "histogram.png"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n"] == 3 and summary["config"]["steps"] == 60
    with (out / "seeds.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [int(r["seed"]) for r in rows] == [0, 1, 2]
    assert [float(r["mean_1"]) for r in rows] == [row.mean[0] for row in expected.rows]
    exact = tmp_path / "exact"  # --no-compile: the eager sweep, bit for bit
    assert (
        main(["sweep", "--seeds", "3", "--steps", "60", "--no-compile", "--out", str(exact)]) == 0
    )
    with (exact / "seeds.csv").open() as f:
        rows = list(csv.DictReader(f))
    eager = tg.sweep(3, steps=60)
    assert [float(r["mean_1"]) for r in rows] == [row.mean[0] for row in eager.rows]


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
        "device": "cpu",
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
    argv = ["sweep", "--seeds", "2", "--steps", "2", "--out", str(tmp_path), "--force"]
    assert main(argv) == 0  # --force replaces the sweep that was there
    assert json.loads((tmp_path / "sweep.json").read_text())["seeds"] == [0, 1]
    assert (tmp_path / "keep.txt").read_text() == "x"


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

    def spy(seeds, recipe=None, **kwargs):
        seen.append(kwargs["compile"])
        return real_sweep(seeds, **{**kwargs, "compile": False})

    monkeypatch.setattr(cli_sweep, "sweep", spy)
    assert main(["sweep", "--seeds", "1", "--steps", "2", "--compile"]) == 0
    assert main(["sweep", "--seeds", "1", "--steps", "2", "--no-compile"]) == 0
    assert main(["sweep", "--seeds", "1", "--steps", "2"]) == 0  # the CPU: compiled
    assert seen == [True, False, True]


def test_the_default_sweep_takes_the_native_kernel_and_saves_that(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert main(["sweep", "--seeds", "3", "--steps", "40", "--out", str(out)]) == 0
    assert json.loads((out / "command.json").read_text())["compile"] is True
    fast = {row["seed"]: row for row in csv.DictReader((out / "seeds.csv").open())}
    exact = tmp_path / "exact"
    assert (
        main(["sweep", "--seeds", "3", "--steps", "40", "--no-compile", "--out", str(exact)]) == 0
    )
    for row in csv.DictReader((exact / "seeds.csv").open()):  # within float tolerance
        for name in ("mean_1", "spread_1", "distance", "d_loss"):
            assert float(row[name]) == pytest.approx(float(fast[row["seed"]][name]), abs=1e-5)


def test_data_kinds_sweep_with_their_recipes_and_judges(tmp_path, capsys):
    out = tmp_path / "ring"
    assert (
        main(["sweep", "--data", "ring8", "--seeds", "2", "--steps", "3", "--out", str(out)]) == 0
    )
    printed = capsys.readouterr().out
    assert "/2 seeds succeeded" in printed
    assert "medians over the seeds, each judged on 2,500 fixed inputs:" in printed
    assert "D's mean loss in their last 3 iterations" in printed
    with (out / "seeds.csv").open() as f:
        header = next(csv.reader(f))
    assert header == ["seed", "modes", "high_quality", "reverse_kl", "success", "d_loss"]


def test_post_options_do_not_go_with_another_kind_of_data(capsys):
    assert main(["sweep", "--data", "ring8", "--seeds", "2", "--loss", "bce"]) == 2
    assert "--loss sets the post's GAN" in capsys.readouterr().err


def test_ctrl_c_exits_130_and_resume_finishes_the_same_sweep(tmp_path, monkeypatch, capsys):
    import tinygan.sweeps.run as sweep_run

    straight = tmp_path / "straight"
    argv = ["sweep", "--seeds", "4", "--steps", "20", "--chunk-size", "2"]
    assert main([*argv, "--out", str(straight)]) == 0
    real_chunk = sweep_run.run_chunk
    chunks = []

    def ctrl_c_at_the_second_chunk(config, seeds, **kwargs):
        chunks.append(list(seeds))
        if len(chunks) == 2:
            raise KeyboardInterrupt
        return real_chunk(config, seeds, **kwargs)

    cut = tmp_path / "cut"
    monkeypatch.setattr(sweep_run, "run_chunk", ctrl_c_at_the_second_chunk)
    assert main([*argv, "--out", str(cut)]) == 130
    assert f"tinygan sweep --resume {cut}" in capsys.readouterr().err
    with (cut / "seeds.csv").open() as f:
        assert [line["seed"] for line in csv.DictReader(f)] == ["0", "1"]
    assert main(["sweep", "--resume", str(cut)]) == 0
    assert chunks == [[0, 1], [2, 3], [2, 3]]  # the resumed sweep trained only seeds 2 and 3
    assert "; 2 were done before, 2 trained now" in capsys.readouterr().out
    assert main(["sweep", "--resume", str(cut)]) == 0  # finished: nothing to train
    assert "; 4 were done before, 0 trained now" in capsys.readouterr().out
    for name in ("seeds.csv", "summary.json"):
        assert (cut / name).read_bytes() == (straight / name).read_bytes()


def test_device_reaches_the_sweep_and_bad_devices_exit_2(tmp_path, capsys):
    out = tmp_path / "cpu"
    argv = ["sweep", "--seeds", "2", "--steps", "20", "--device", "cpu", "--out", str(out)]
    assert main(argv) == 0
    assert json.loads((out / "summary.json").read_text())["config"]["device"] == "cpu"
    assert "device=cpu" in capsys.readouterr().out
    assert main(["sweep", "--seeds", "2", "--steps", "20", "--device", "gpu0"]) == 2
    assert "device must name a device" in capsys.readouterr().err
    assert main(["sweep", "--seeds", "2", "--data", "ring8", "--device", "cuda:0"]) == 2
    assert "--device sets the post's GAN" in capsys.readouterr().err


def test_resume_reads_a_command_saved_before_device_existed(tmp_path, capsys):
    out = tmp_path / "old"
    argv = ["sweep", "--seeds", "3", "--steps", "20", "--chunk-size", "2", "--out", str(out)]
    assert main(argv) == 0
    whole = (out / "seeds.csv").read_bytes()
    lines = whole.decode().splitlines(keepends=True)
    (out / "seeds.csv").write_text("".join(lines[:3]))  # seed 2 lost: the resume trains it
    command = json.loads((out / "command.json").read_text())
    del command["device"]
    (out / "command.json").write_text(json.dumps(command))
    assert main(["sweep", "--resume", str(out)]) == 0
    assert (out / "seeds.csv").read_bytes() == whole


def test_a_closed_output_pipe_ends_quietly(monkeypatch):
    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["sweep", "--seeds", "2", "--steps", "10"]) == 1


def test_objective_reaches_the_posts_sweep_and_a_recipes(tmp_path, capsys):
    out = tmp_path / "hinge"
    argv = ["sweep", "--seeds", "3", "--steps", "40", "--objective", "hinge", "--out", str(out)]
    assert main([*argv, "--force"]) == 0
    printed = capsys.readouterr().out
    assert "objective=hinge" in printed and "compile=False" in printed  # no kernel warning
    assert "(1 means D cannot tell G's output from real data)" in printed
    assert json.loads((out / "sweep.json").read_text())["config"]["objective"] == "hinge"
    assert json.loads((out / "command.json").read_text())["objective"] == "hinge"
    argv = ["sweep", "--seeds", "2", "--steps", "3", "--data", "ring8", "--objective", "wgan-gp"]
    assert main(argv) == 0
    assert "backend: autograd, 2 seeds" in capsys.readouterr().out


def test_the_posts_sweep_refuses_wgan_gp_in_one_line(capsys):
    assert main(["sweep", "--seeds", "2", "--steps", "3", "--objective", "wgan-gp"]) == 2
    err = capsys.readouterr().err
    assert "no ensemble backend computes" in err and "Traceback" not in err


def test_a_sweep_without_a_compiler_says_so_in_one_line_and_its_files(
    tmp_path, monkeypatch, capsys
):
    from tinygan.engine import native

    monkeypatch.setenv("CC", "no-such-compiler-here")
    monkeypatch.setenv("TINYGAN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(native, "_LOADED", {})
    out = tmp_path / "sweep"
    assert main(["sweep", "--seeds", "4", "--steps", "30", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    fallbacks = [line for line in captured.err.splitlines() if "cannot run here" in line]
    assert len(fallbacks) == 1 and fallbacks[0].startswith("tinygan sweep: backend 'native'")
    assert "RuntimeWarning" not in captured.err and ".py:" not in captured.err
    assert "backend: fused, 4 seeds" in captured.out
    trained_by = json.loads((out / "sweep.json").read_text())["trained_by"]
    assert trained_by == {"name": "fused", "requested": "native", "seeds": 4}
    assert json.loads((out / "summary.json").read_text())["backend"] == trained_by


def test_worker_processes_show_warnings_as_one_line_too(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("CC", "no-such-compiler-here")  # the workers build their own kernel
    monkeypatch.setenv("TINYGAN_CACHE_DIR", str(tmp_path / "cache"))
    argv = ["sweep", "--seeds", "4", "--steps", "20", "--workers", "2", "--chunk-size", "2"]
    assert main(argv) == 0
    err = capfd.readouterr().err.splitlines()
    fallbacks = [line for line in err if "cannot run here" in line]
    assert fallbacks, err
    assert all(line.startswith("tinygan sweep: backend 'native'") for line in fallbacks), err
    assert not [line for line in err if "RuntimeWarning" in line or "warnings.warn" in line]


def test_a_median_that_leaves_seeds_out_says_so():
    """A number infinite for some seeds: its median over the finite ones, and over all."""
    from tinygan.cli.sweep import summary_lines
    from tinygan.sweeps.config import RecipeConfig

    kls = [float("inf"), 1.46, float("inf"), float("inf")]
    rows = tuple(
        tg.SeedResult(seed, {"reverse_kl": kl, "success": False}, 0.5)
        for seed, kl in enumerate(kls)
    )
    result = tg.SweepResult(RecipeConfig("r", "default", 10), rows, eval_inputs=2500)
    line = next(line for line in summary_lines(result) if line.startswith("medians"))
    assert line.endswith("reverse_kl 1.46 (over the 1 seed where it is finite; over all 4: inf)")


def test_a_data_kinds_sweep_runs_on_one_thread_as_train_does(monkeypatch, capsys):
    import torch

    from tinygan.cli import sweep as command

    seen = []

    def recording(*args, **kwargs):
        seen.append(torch.get_num_threads())
        return real_sweep(*args, **kwargs)

    real_sweep = command.sweep
    monkeypatch.setattr(command, "sweep", recording)
    threads = torch.get_num_threads()
    assert main(["sweep", "--seeds", "1", "--steps", "2", "--data", "ring8"]) == 0
    assert main(["sweep", "--seeds", "1", "--steps", "2"]) == 0  # the post's: the kernel's threads
    assert seen == [1, threads] and torch.get_num_threads() == threads


def test_resume_refuses_settings_but_takes_workers(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert main(["sweep", "--seeds", "2", "--steps", "3", "--out", str(out)]) == 0
    before = (out / "seeds.csv").read_bytes()
    capsys.readouterr()
    assert main(["sweep", "--resume", str(out), "--steps", "7", "--lr", "0.5"]) == 2
    err = capsys.readouterr().err
    assert "--steps, --lr cannot be given with --resume" in err
    assert (out / "seeds.csv").read_bytes() == before  # nothing was trained or rewritten
    assert main(["sweep", "--resume", str(out), "--workers", "1"]) == 0
