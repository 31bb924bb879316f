"""Image figures: mosaics put each image in its cell, figures label their snapshots."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygan as tg
from tinygan.plotting import (
    evenly_spaced,
    image_mosaic,
    plot_generated_beside_real,
    plot_image_rows,
    plot_image_snapshots,
    plot_images,
    save_image_animation,
)

pytest.importorskip("matplotlib")


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 12), h=st.integers(1, 4), w=st.integers(1, 4), columns=st.integers(1, 5))
def test_mosaic_puts_image_i_at_its_cell(n, h, w, columns):
    images = np.random.default_rng(n).random((n, h * w))
    mosaic = image_mosaic(images, (h, w), columns=columns)
    cols = min(columns, n)
    rows = -(-n // cols)
    assert mosaic.shape == (rows * (h + 1) + 1, cols * (w + 1) + 1)
    for i in range(n):
        top, left = (i // cols) * (h + 1) + 1, (i % cols) * (w + 1) + 1
        assert np.array_equal(mosaic[top : top + h, left : left + w], images[i].reshape(h, w))
    assert np.isnan(mosaic[0]).all() and np.isnan(mosaic[:, 0]).all()


def test_mosaic_clips_to_the_unit_range():
    mosaic = image_mosaic(np.array([[-1.0, 2.0]]), (1, 2))
    assert mosaic[1, 1:3].tolist() == [0.0, 1.0]


def test_snapshot_figure_has_one_row_per_snapshot_labelled_with_its_iteration():
    snaps = tg.Snapshots(every=5)
    data = tg.ImageData(torch.rand(10, 2, 3))
    trainer = tg.AdversarialTrainer(
        tg.mlp([4, 6], generator=torch.Generator().manual_seed(0)),
        tg.mlp([6, 1], generator=torch.Generator().manual_seed(1)),
        data,
        tg.GaussianNoise(4),
        batch_size=4,
        seed=0,
        callbacks=[snaps],
    )
    trainer.fit(15)
    fig = plot_image_snapshots(snaps, data.shape, per_row=3)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["5", "10", "15"]
    assert ax.images[0].get_array().shape == (3 * 3 + 1, 3 * 4 + 1)


def test_long_runs_show_evenly_spaced_rows_and_the_last():
    outputs = np.zeros((11, 2, 4))
    fig = plot_image_snapshots(outputs, (2, 2), rows=3, steps=range(100, 1200, 100))
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["100", "600", "1,100"]


def test_ten_snapshots_show_ten_rows_and_twenty_show_every_other_evenly():
    ten = plot_image_snapshots(np.zeros((10, 3, 4)), (2, 2), steps=range(500, 5001, 500))
    assert [t.get_text() for t in ten.axes[0].get_yticklabels()] == [
        f"{s:,}" for s in range(500, 5001, 500)
    ]
    twenty = plot_image_snapshots(np.zeros((20, 3, 4)), (2, 2), steps=range(100, 2001, 100))
    labels = [int(t.get_text().replace(",", "")) for t in twenty.axes[0].get_yticklabels()]
    assert labels[-1] == 2000 and len(set(np.diff(labels))) == 1 and len(labels) <= 10


@settings(max_examples=50, deadline=None)
@given(count=st.integers(1, 60), most=st.integers(1, 15))
def test_evenly_spaced_has_one_stride_and_the_last(count, most):
    picks = evenly_spaced(count, most)
    assert picks[-1] == count - 1 and len(picks) <= most
    assert len(set(np.diff(picks))) <= 1 and picks == sorted(set(picks))
    if count > most and most > 1:  # the stride that spans the run in at most `most` rows
        assert picks[1] - picks[0] == -(-(count - 1) // (most - 1))
    if (count - 1) % max(most - 1, 1) == 0 and count >= most > 1:
        assert picks[0] == 0  # it starts at the first when the stride divides the run


def test_rows_are_labelled_and_short_rows_padded():
    fig = plot_image_rows(
        [np.ones((2, 4)), np.zeros((5, 4))], (2, 2), ["real", "seed 0"], per_row=4
    )
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["real", "seed 0"]
    mosaic = ax.images[0].get_array()
    assert mosaic.shape == (2 * 3 + 1, 4 * 3 + 1)
    assert np.isnan(np.asarray(mosaic.filled(np.nan))[1:3, 7:9]).all()  # row 1 has 2 images
    with pytest.raises(ValueError, match="one label per row"):
        plot_image_rows([np.ones((2, 4))], (2, 2), ["a", "b"])


def test_generated_beside_real_has_two_titled_panels():
    fig = plot_generated_beside_real(
        torch.rand(80, 4), torch.rand(30, 4), (2, 2), count=50, title="judged"
    )
    assert [ax.get_title() for ax in fig.axes] == ["generated (50)", "real (30)"]
    assert fig._suptitle.get_text() == "judged"
    assert fig.axes[0].images[0].get_array().shape == (5 * 3 + 1, 10 * 3 + 1)


def test_samples_grid_and_title():
    fig = plot_images(torch.rand(7, 4), (2, 2), columns=3, title="samples")
    assert fig.axes[0].images[0].get_array().shape == (3 * 3 + 1, 3 * 3 + 1)
    assert fig._suptitle.get_text() == "samples"


def test_animation_has_one_frame_per_snapshot(tmp_path):
    pil = pytest.importorskip("PIL.Image")
    out = save_image_animation(
        np.random.default_rng(0).random((3, 5, 4)), (2, 2), tmp_path / "a.gif"
    )
    with pil.open(out) as gif:
        assert gif.n_frames == 3


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: plot_images(np.zeros((2, 5)), (2, 2)), "shape must be an image shape"),
        (lambda: plot_images(np.zeros(4), (2, 2)), r"images must be flattened images"),
        (lambda: plot_image_snapshots(np.zeros((0, 2, 4)), (2, 2)), "at least one snapshot"),
        (lambda: plot_image_snapshots(np.zeros((2, 2, 4)), (2, 2), steps=[1]), "steps has 1"),
    ],
)
def test_bad_input_is_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()
