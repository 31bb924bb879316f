"""benchmarks/digits.py: the ladder's table runs, resumes, and judges kept images again."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest
import torch

pytest.importorskip("sklearn")

PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "digits.py"


def load():
    spec = importlib.util.spec_from_file_location("_bench_digits", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_runs_resumes_and_rejudges(tmp_path, capsys):
    digits = load()
    files = ["--csv", str(tmp_path / "s.csv"), "--out", str(tmp_path / "t.inc")]
    argv = ["--seeds", "1", "--steps", "3", "--rungs", "plain", "conv", *files]
    threads = torch.get_num_threads()
    try:
        digits.main([*argv, "--samples", str(tmp_path / "kept")])
        first = list(csv.DictReader((tmp_path / "s.csv").open()))
        assert [(r["variant"], r["seed"], r["steps"]) for r in first] == [
            ("plain", "0", "3"),
            ("conv", "0", "3"),
        ]
        assert first[0]["classes_covered"].isdigit()  # a count, written as an integer
        assert capsys.readouterr().out.count("success") == 2
        digits.main(argv)  # every row is there: nothing trains again
        assert "success" not in capsys.readouterr().out
        digits.main([*argv, "--rejudge", "--samples", str(tmp_path / "kept")])
        again = list(csv.DictReader((tmp_path / "s.csv").open()))
    finally:
        torch.set_num_threads(threads)
    assert again == first  # the same judge on the same kept images: the same row
    text = (tmp_path / "t.inc").read_text()
    assert "plain: the post's GAN on images" in text and "convolutional recipe" in text
    assert "0% (0% to 79%)" in text  # 0 of 1 seed, with its Wilson interval
