"""README.md's code is what new users copy first: every Python block in it must run."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_python_examples():
    assert len(BLOCKS) >= 2


def run_block(index: int) -> dict[str, object]:
    namespace: dict[str, object] = {"__name__": f"readme_block_{index}"}
    exec(compile(BLOCKS[index], f"README.md block {index}", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("index", range(1, len(BLOCKS)))
def test_readme_block_runs(index, capsys):
    run_block(index)


@pytest.mark.slow
def test_usage_example_runs_and_reproduces_the_post(capsys):
    log = run_block(0)["log"]
    assert 0.2 <= float(log.d_loss[-2000:].mean()) <= 0.3  # type: ignore[attr-defined]


def test_ci_runs_exactly_the_readme_test_command():
    text = README.read_text(encoding="utf-8")
    commands = re.findall(r"```bash\n(.*?)\n```", text, flags=re.S)
    test_command = next(c for c in commands if "scripts/check" in c)
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()
