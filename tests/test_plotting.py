"""tinygan.plotting: the post's figures, their axes, limits and data."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from matplotlib.figure import Figure

import tinygan as tg
from tinygan.plotting import plot_losses, plot_snapshots, scatter_series

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def trained() -> tuple[tg.LossLogger, tg.Snapshots]:
    log = tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0])
    snaps = tg.Snapshots(every=20)
    tg.AdversarialTrainer(
        tg.mlp([4, 4, 4]),
        tg.mlp([4, 3, 1]),
        tg.FuzzyPattern("1010"),
        tg.UniformNoise(4),
        seed=0,
        callbacks=[log, snaps],
    ).fit(100)
    return log, snaps


def check_posts_style(ax) -> None:  # type: ignore[no-untyped-def]
    assert tuple(map(float, ax.get_ylim())) == (0.0, 0.5)
    assert list(map(float, ax.get_yticks())) == [0.0, 0.25, 0.5]
    assert all(line.get_visible() for line in ax.yaxis.get_gridlines())
    assert all(line.get_visible() for line in ax.xaxis.get_gridlines())
    (line,) = ax.get_lines()
    assert line.get_marker() == "."
    assert line.get_alpha() == pytest.approx(0.1)
    assert line.get_linestyle() == "None"  # dots only, a scatter


def test_plot_losses_from_a_logger(trained: tuple[tg.LossLogger, tg.Snapshots]) -> None:
    log, _ = trained
    fig = plot_losses(log)
    assert isinstance(fig, Figure)
    d_ax, g_ax = fig.axes
    for ax in (d_ax, g_ax):
        check_posts_style(ax)
    assert d_ax.get_title() == "discriminator loss"
    # Every logged value is drawn: D's two losses per iteration, real then fake.
    d_line = d_ax.get_lines()[0]
    expected = np.stack([log.d_loss_real, log.d_loss_fake], axis=1).reshape(-1)
    np.testing.assert_array_equal(d_line.get_ydata(), expected)
    np.testing.assert_array_equal(d_line.get_xdata(), np.repeat(np.arange(1, 101), 2))
    g_line = g_ax.get_lines()[0]
    assert log.g_error is not None
    np.testing.assert_array_equal(g_line.get_ydata(), log.g_error)
    np.testing.assert_array_equal(g_line.get_xdata(), np.arange(1, 101))
    assert g_ax.get_xlabel() == "iteration"


def test_plot_losses_from_arrays_uses_the_index_as_the_post_does() -> None:
    fig = plot_losses([0.3, 0.2, 0.25, 0.1])
    (ax,) = fig.axes
    check_posts_style(ax)
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [0, 1, 2, 3])
    fig = plot_losses(np.array([0.3, 0.2]), g_error=[0.4, 0.3, 0.2])
    assert len(fig.axes) == 2
    np.testing.assert_allclose(fig.axes[1].get_lines()[0].get_ydata(), [0.4, 0.3, 0.2])


def test_plot_losses_without_reference_has_one_axes() -> None:
    log = tg.LossLogger()
    tg.DiscriminatorTrainer(
        tg.mlp([4, 3, 1]), tg.FuzzyPattern("1010"), tg.FuzzyPattern("0101"), seed=0, callbacks=[log]
    ).fit(10)
    fig = plot_losses(log)
    assert len(fig.axes) == 1
    assert fig.axes[0].get_lines()[0].get_ydata().size == 20


def test_plot_losses_takes_another_objectives_range() -> None:
    """D's loss from 0 to twice the loss of a D that cannot tell, ticked at it."""
    fig = plot_losses([0.7, 0.69, 0.6], loss_ylim=(0.0, 1.4), loss_title="cross-entropy")
    ax = fig.axes[0]
    assert tuple(map(float, ax.get_ylim())) == (0.0, 1.4)
    assert [float(t) for t in ax.get_yticks()] == [0.0, 0.7, 1.4]
    assert ax.get_title() == "cross-entropy"
    fitted = plot_losses([-3.0, 2.0], loss_ylim=None).axes[0].get_ylim()
    assert fitted[0] < -3.0 and fitted[1] > 2.0  # fitted to the values
    with pytest.raises(ValueError, match="ylim must be two finite numbers"):
        plot_losses([0.1], loss_ylim=(1.0, 0.0))


def test_plot_losses_figsize() -> None:
    fig = plot_losses([0.1], figsize=(4, 3))
    assert tuple(fig.get_size_inches()) == (4.0, 3.0)
    assert tuple(plot_losses([0.1]).get_size_inches()) == (16.0, 8.0)  # the post's


@pytest.mark.parametrize(
    ("args", "kwargs", "error"),
    [
        ((tg.LossLogger(),), {}, ValueError),
        (([],), {}, ValueError),
        (([[0.1, 0.2]],), {}, ValueError),
        ((["a"],), {}, TypeError),
        (([0.1],), {"g_error": [[0.1]]}, ValueError),
        (([0.1],), {"figsize": (0, 3)}, ValueError),
        (([0.1],), {"figsize": "big"}, ValueError),
    ],
)
def test_plot_losses_bad_input(args: tuple, kwargs: dict, error: type[Exception]) -> None:  # type: ignore[type-arg]
    with pytest.raises(error):
        plot_losses(*args, **kwargs)


def test_scatter_series_on_given_axes() -> None:
    fig = Figure()
    ax = fig.subplots()
    assert scatter_series(ax, [0.1, 0.2], x=[10, 20], title="t") is ax
    check_posts_style(ax)
    assert ax.get_title() == "t"
    with pytest.raises(ValueError, match="x has 3 entries"):
        scatter_series(ax, [0.1, 0.2], x=[1, 2, 3])


def test_plot_snapshots_from_a_snapshots(trained: tuple[tg.LossLogger, tg.Snapshots]) -> None:
    _, snaps = trained
    fig = plot_snapshots(snaps)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    (image,) = ax.images
    # One column per snapshot, one row per output position: the post's array, transposed.
    np.testing.assert_array_equal(image.get_array(), snaps.array.T)
    assert image.get_array().shape == (4, 5)
    assert image.get_cmap().name == "Blues"
    assert image.get_clim() == (0.0, 1.0)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["20", "40", "60", "80", "100"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1", "2", "3", "4"]


def test_plot_snapshots_from_arrays() -> None:
    array = np.array([[0.1, 0.9], [0.2, 0.8], [0.3, 0.7]])
    image = plot_snapshots(array).axes[0].images[0]
    np.testing.assert_array_equal(image.get_array(), array.T)
    # A batch of two per snapshot: two columns per snapshot, in order.
    batched = np.arange(12, dtype=float).reshape(3, 2, 2) / 12
    fig = plot_snapshots(batched, steps=[1, 2, 3], cmap="Greys")
    image = fig.axes[0].images[0]
    np.testing.assert_array_equal(image.get_array(), batched.reshape(6, 2).T)
    assert image.get_cmap().name == "Greys"
    assert [float(t) for t in fig.axes[0].get_xticks()] == [0.5, 2.5, 4.5]


def test_plot_snapshots_thins_many_labels() -> None:
    fig = plot_snapshots(np.zeros((100, 4)), steps=list(range(1, 101)))
    assert len(fig.axes[0].get_xticks()) <= 20


@pytest.mark.parametrize(
    ("snapshots", "kwargs"),
    [
        (tg.Snapshots(), {}),
        (np.zeros((0, 4)), {}),
        (np.zeros(4), {}),
        (np.zeros((2, 4)), {"steps": [1]}),
    ],
)
def test_plot_snapshots_bad_input(snapshots: object, kwargs: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError):
        plot_snapshots(snapshots, **kwargs)  # type: ignore[arg-type]


def test_figures_save_as_png(trained: tuple[tg.LossLogger, tg.Snapshots]) -> None:
    log, snaps = trained
    for fig in (plot_losses(log), plot_snapshots(snaps)):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=30)
        assert buffer.getvalue()[:8] == PNG_SIGNATURE


def test_missing_matplotlib_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r'pip install "tinygan\[plot\]"'):
        plot_losses([0.1])
    with pytest.raises(ImportError, match=r'pip install "tinygan\[plot\]"'):
        plot_snapshots([[0.1]])


def test_matplotlib_is_imported_lazily_and_pyplot_never() -> None:
    code = textwrap.dedent(
        """
        import sys
        import tinygan, tinygan.plotting
        assert "matplotlib" not in sys.modules, "imported on import"
        fig = tinygan.plotting.plot_losses([0.1, 0.2], g_error=[0.3])
        fig.savefig(sys.argv[1])
        assert "matplotlib" in sys.modules
        assert "matplotlib.pyplot" not in sys.modules, "pyplot used"
        """
    )
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run(
            [sys.executable, "-c", code, f"{folder}/f.png"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
