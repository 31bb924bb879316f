"""plot_points, plot_coverage, animate_points: panels, marked modes, frames, checked input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.colors import to_hex

import tinygan as tg
from tinygan.plotting import animate_points, plot_coverage, plot_points

RING = tg.GaussianMixture.ring()


def snapshots(k: int = 4, n: int = 40) -> np.ndarray:
    """k snapshots: the first at the first mode only, the last at the first five modes."""
    rng = np.random.default_rng(0)
    means = RING.means.numpy()
    out = np.empty((k, n, 2))
    for i in range(k):
        modes = 1 + (4 * i) // max(k - 1, 1)
        out[i] = means[np.arange(n) % modes] + 0.005 * rng.standard_normal((n, 2))
    return out


def marked(ax) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """How many mode circles of each edge colour the panel has."""
    counts: dict[str, int] = {}
    for collection in ax.collections:
        faces = collection.get_facecolors()
        edges = collection.get_edgecolors()
        if len(faces) == 0 and len(edges):
            colour = to_hex(edges[0])
            counts[colour] = counts.get(colour, 0) + len(collection.get_offsets())
    return counts


def test_one_panel_per_snapshot_titled_by_step_and_modes_marked_in_the_last():
    fig = plot_points(snapshots(), RING, steps=[10, 20, 30, 40])
    assert [ax.get_title() for ax in fig.axes] == ["step 10", "step 20", "step 30", "step 40"]
    last = fig.axes[-1]
    assert last.get_xlabel() == "5/8 modes · 100% high quality · KL 0.47\njudged on 40 samples"
    assert marked(last) == {"#1a9850": 5, "#d73027": 3}
    assert all(marked(ax) == {} for ax in fig.axes[:-1])


def test_panels_are_evenly_spaced_and_keep_the_last_and_final_replaces_its_points():
    fig = plot_points(snapshots(k=7), RING, panels=3, final=RING.means.repeat(3, 1))
    assert [ax.get_title() for ax in fig.axes] == ["step 1", "step 4", "step 7"]
    assert fig.axes[-1].get_xlabel().startswith("8/8 modes · 100% high quality")
    assert fig.axes[-1].get_xlabel().endswith("judged on 24 samples")  # final's, not the snapshot's
    assert len(plot_points(snapshots(k=2), RING, panels=9).axes) == 2


def test_takes_a_snapshots_callback():
    snaps = tg.Snapshots(every=5)
    tg.AdversarialTrainer(
        tg.mlp([2, 2], activation=torch.nn.Identity, bias=True),
        tg.mlp([2, 1]),
        RING,
        tg.GaussianNoise(2),
        batch_size=8,
        seed=0,
        callbacks=[snaps],
    ).fit(10)
    fig = plot_points(snaps, RING)
    assert [ax.get_title() for ax in fig.axes] == ["step 5", "step 10"]


def test_coverage_panel_on_given_axes_and_points_off_the_panel_are_counted():
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.subplots()
    points = torch.cat([RING.means[:2], torch.full((3, 2), 50.0)])
    assert plot_coverage(points, RING, ax=ax, title="mine") is fig
    assert ax.get_title() == "mine"
    assert any(text.get_text() == "3 off the panel" for text in ax.texts)
    assert marked(ax) == {"#1a9850": 2, "#d73027": 6}


def test_animation_has_one_frame_per_snapshot(tmp_path):
    from PIL import Image

    path = animate_points(snapshots(k=3), RING, tmp_path / "ring.gif")
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 3


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: plot_points(snapshots(), tg.GaussianMixture([[0.0]], 1.0)), TypeError, "real"),
        (lambda: plot_points(snapshots(), "ring"), TypeError, "real"),
        (lambda: plot_points(np.zeros((0, 5, 2)), RING), ValueError, "snapshots"),
        (lambda: plot_points(np.zeros((2, 5, 3)), RING), ValueError, "snapshots"),
        (lambda: plot_points(snapshots(), RING, steps=[1]), ValueError, "steps"),
        (lambda: plot_points(snapshots(), RING, panels=0), ValueError, "panels"),
        (lambda: plot_points(snapshots(), RING, final=np.zeros(4)), ValueError, "final"),
        (lambda: plot_coverage(np.zeros((3, 3)), RING), ValueError, "samples"),
    ],
)
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
