"""The post's two example scripts run, print what they promise, and need only runtime deps."""

from __future__ import annotations

import ast
import re
import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCRIPTS = ["discriminator_test.py", "gan_1010.py"]
RUNTIME = {"argparse", "torch", "numpy", "tinygan"}


def run(script: str, argv: list[str], monkeypatch, capsys) -> str:
    monkeypatch.setattr(sys, "argv", [script, *argv])
    runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    return capsys.readouterr().out


@pytest.mark.parametrize("script", SCRIPTS)
def test_imports_only_runtime_dependencies(script):
    tree = ast.parse((EXAMPLES / script).read_text())
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module.split(".")[0])
    assert modules <= RUNTIME | {"__future__"}, modules


@pytest.mark.parametrize("script", SCRIPTS)
def test_docstring_starts_with_an_underlined_title(script):
    doc = ast.get_docstring(ast.parse((EXAMPLES / script).read_text()), clean=False)
    lines = doc.lstrip("\n").splitlines()
    assert lines[0].strip() and set(lines[1]) == {"="} and len(lines[1]) >= len(lines[0])


def test_discriminator_test_prints_both_scores(monkeypatch, capsys):
    out = run("discriminator_test.py", ["--steps", "200", "--seed", "1"], monkeypatch, capsys)
    assert "trained for 200 iterations" in out
    scores = re.findall(r"D\((1010|0101)\) = ([0-9.]+)", out)
    assert [name for name, _ in scores] == ["1010", "0101"]
    assert all(0.0 < float(value) < 1.0 for _, value in scores)


def test_gan_prints_outputs_and_the_last_d_loss(monkeypatch, capsys):
    out = run("gan_1010.py", ["--steps", "2000", "--seed", "2"], monkeypatch, capsys)
    assert "trained for 2000 iterations" in out
    d_loss = re.search(r"mean D loss over the last 1000 iterations: ([0-9.]+)", out)
    assert d_loss and 0.0 < float(d_loss.group(1)) < 1.0
    assert len(re.findall(r"^iteration +\d+:", out, flags=re.M)) == 2  # snapshots
    outputs = re.findall(r"^G\(.*\) = (.*)$", out, flags=re.M)
    assert len(outputs) == 4 and all(len(o.split()) == 4 for o in outputs)


def test_gan_same_seed_same_output(monkeypatch, capsys):
    first = run("gan_1010.py", ["--steps", "30", "--seed", "5"], monkeypatch, capsys)
    second = run("gan_1010.py", ["--steps", "30", "--seed", "5"], monkeypatch, capsys)
    assert first == second


def test_unknown_arguments_are_ignored(monkeypatch, capsys):
    """Under a docs build the script sees the builder's arguments, and ignores them."""
    out = run("gan_1010.py", ["-b", "html", "--steps", "0"], monkeypatch, capsys)
    assert "trained for 0 iterations" in out
