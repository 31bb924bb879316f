"""Every script in examples/ runs in its short form and does what it says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))
STEPS = 100
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def saves_figures(script: Path) -> bool:
    return '"--out"' in script.read_text()


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, str, Path]]:
    """Run every example at once (they are independent), then collect what each did."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    running = {}
    for script in SCRIPTS:
        out = tmp_path_factory.mktemp(script.stem)
        args = [sys.executable, str(script), "--steps", str(STEPS), "--seed", "1"]
        if saves_figures(script):
            args += ["--out", str(out)]
        running[script.name] = (
            subprocess.Popen(
                args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=out
            ),
            out,
        )
    done = {}
    for name, (process, out) in running.items():
        stdout, stderr = process.communicate(timeout=600)
        done[name] = (process.returncode, stdout, stderr, out)
    return done


def test_there_are_examples() -> None:
    names = {s.name for s in SCRIPTS}
    assert {
        "discriminator_test.py",
        "gan_1010.py",
        "gan_1010_figures.py",
        "custom_trainer.py",
        "custom_data_source.py",
        "loss_and_optimizer.py",
        "protocol_trainer.py",
    } <= names


def test_every_example_is_gallery_ready() -> None:
    for script in SCRIPTS:
        lines = script.read_text().splitlines()
        assert lines[0] == '"""', script.name  # sphinx-gallery: a docstring with a title
        title, underline = lines[1], lines[2]
        assert title and set(underline) == {"="} and len(underline) >= len(title), script.name


@pytest.mark.parametrize("name", [s.name for s in SCRIPTS])
def test_example_runs(name: str, results: dict[str, tuple[int, str, str, Path]]) -> None:
    code, stdout, stderr, out = results[name]
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert stdout.strip()
    if saves_figures(EXAMPLES / name):
        pngs = sorted(out.glob("*.png"))
        assert pngs, f"{name} saved no figures"
        for png in pngs:
            assert png.read_bytes()[:8] == PNG_SIGNATURE
            assert matplotlib.image.imread(png).ndim == 3
    else:
        assert not list(out.iterdir()), f"{name} wrote files into the working folder"


def test_protocol_trainer_is_a_trainer(results: dict[str, tuple[int, str, str, Path]]) -> None:
    assert "a tinygan.Trainer: True" in results["protocol_trainer.py"][1]


def test_custom_data_source_is_a_data_source(
    results: dict[str, tuple[int, str, str, Path]],
) -> None:
    assert "a DataSource: True" in results["custom_data_source.py"][1]
