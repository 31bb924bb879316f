"""histogram.png: drawn from plain numbers, here or in a process of its own."""

import subprocess
import sys

import numpy as np
import pytest

import tinygan as tg
from tinygan.sweeps.histogram import HistogramProcess, Panel, draw, save

matplotlib = pytest.importorskip("matplotlib")
from matplotlib import image  # noqa: E402


def panels():
    rng = np.random.default_rng(0)
    values = rng.uniform(0.0, 1.0, 200)
    with_gaps = rng.normal(0.25, 0.01, 200)
    with_gaps[:3] = [np.nan, np.inf, -np.inf]
    return [Panel("mean_1", values, (0.8, 1.0)), Panel("d_loss", with_gaps)]


def failing_process(code):
    """A HistogramProcess whose program is ``code`` (which fails)."""
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
    return HistogramProcess(subprocess.Popen([sys.executable, "-c", code], **pipes))


def test_draw_makes_one_panel_per_number_and_counts_the_non_finite():
    fig = draw(panels(), "a title")
    assert [ax.get_title() for ax in fig.axes] == ["mean_1", "d_loss (197 finite)"]
    assert fig.texts[0].get_text() == "a title"


def test_the_process_draws_the_same_picture_as_this_one(tmp_path):
    here, there = tmp_path / "here.png", tmp_path / "there.png"
    save(draw(panels(), "a title"), here)
    drawer = HistogramProcess.start()
    assert drawer is not None
    drawer.draw(panels(), "a title", there)
    assert np.array_equal(image.imread(here), image.imread(there))
    assert not list(tmp_path.glob(".*"))  # no temporary file left


def test_a_failing_process_is_reported_and_the_sweep_draws_here(tmp_path):
    failing = failing_process("import sys; sys.stdin.read(); sys.exit('no matplotlib')")
    with pytest.raises(RuntimeError, match="no matplotlib"):
        failing.draw(panels(), "t", tmp_path / "x.png")
    result = tg.sweep(3, steps=5)
    again = failing_process("import sys; sys.exit(1)")
    written = result.write(tmp_path / "out", drawer=again)
    assert tmp_path / "out" / "histogram.png" in written  # drawn here instead
    assert image.imread(tmp_path / "out" / "histogram.png").shape[2] == 4


def test_close_stops_a_waiting_process():
    drawer = HistogramProcess.start()
    assert drawer is not None
    drawer.close()
    assert drawer._process.poll() is not None
    drawer.close()  # twice is fine
