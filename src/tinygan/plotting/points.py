"""2-D samples over a mixture's modes: the classic picture of mode collapse.

:func:`plot_points` draws a row of panels, the generator's output at several snapshots
over the real modes, its last panel marking which modes are captured;
:func:`plot_coverage` draws that last panel alone; :func:`animate_points` writes every
snapshot as a frame of an animated GIF.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from tinygan._checks import check_int
from tinygan.callbacks import Snapshots
from tinygan.data import GaussianMixture
from tinygan.metrics import ModeCoverage, mode_coverage
from tinygan.plotting._figure import check_figsize, figure_class
from tinygan.plotting.animation import save_animation

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["animate_points", "plot_coverage", "plot_points"]

_CAPTURED = "#1a9850"
_MISSED = "#d73027"
_POINTS = "#08306b"


def _check_mixture(real: Any) -> GaussianMixture:
    if not isinstance(real, GaussianMixture) or real.dim != 2:
        raise TypeError(f"real must be a 2-D tinygan.GaussianMixture, got {real!r}")
    return real


def _as_points(name: str, values: Any) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"{name} must be 2-D points of shape (n, 2), got shape {array.shape}")
    return array


def _snapshots(snapshots: Any, steps: Sequence[int] | None) -> tuple[np.ndarray, list[int]]:
    if isinstance(snapshots, Snapshots):
        outputs, taken = snapshots.outputs, list(snapshots.steps)
    else:
        if isinstance(snapshots, torch.Tensor):
            snapshots = snapshots.detach().cpu().numpy()
        outputs = np.asarray(snapshots, dtype=np.float64)
        taken = list(range(1, len(outputs) + 1)) if steps is None else [int(s) for s in steps]
    if outputs.ndim != 3 or outputs.shape[0] == 0 or outputs.shape[2] != 2:
        raise ValueError(
            "snapshots must hold at least one snapshot of 2-D points, shape (k, n, 2), got "
            f"shape {outputs.shape}"
        )
    if len(taken) != len(outputs):
        raise ValueError(f"steps has {len(taken)} entries but there are {len(outputs)} snapshots")
    return outputs.astype(np.float64), taken


def _limits(real: GaussianMixture) -> tuple[float, float, float, float]:
    means = real.means.double().numpy()
    low, high = means.min(axis=0), means.max(axis=0)
    pad = 0.25 * float(max(high - low)) + 6 * real.std if len(means) > 1 else 1.0
    return low[0] - pad, high[0] + pad, low[1] - pad, high[1] + pad


def _panel(ax: Axes, points: np.ndarray, real: GaussianMixture, title: str) -> None:
    """Density shading where the points pile up, the points themselves, the modes."""
    x0, x1, y0, y1 = _limits(real)
    inside = points[
        (points[:, 0] >= x0) & (points[:, 0] <= x1) & (points[:, 1] >= y0) & (points[:, 1] <= y1)
    ]
    if len(inside):
        ax.hexbin(
            inside[:, 0],
            inside[:, 1],
            gridsize=36,
            extent=(x0, x1, y0, y1),
            bins="log",
            mincnt=1,
            cmap="YlOrRd",
            linewidths=0.0,
            zorder=1,
        )
    ax.scatter(points[:, 0], points[:, 1], s=2, color=_POINTS, alpha=0.3, lw=0, zorder=2)
    means = real.means.double().numpy()
    ax.scatter(means[:, 0], means[:, 1], s=18, marker="+", color="0.35", lw=0.8, zorder=3)
    outside = len(points) - len(inside)
    if outside:
        ax.text(
            0.98,
            0.02,
            f"{outside} off the panel",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=7,
            color="0.4",
        )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("#fbfbfb")
    ax.set_title(title, fontsize=9)


def _mark_modes(ax: Axes, real: GaussianMixture, cover: ModeCoverage) -> None:
    means = real.means.double().numpy()
    captured = np.array(cover.counts) > 0
    for mask, colour in ((captured, _CAPTURED), (~captured, _MISSED)):
        ax.scatter(
            means[mask, 0],
            means[mask, 1],
            s=150,
            facecolors="none",
            edgecolors=colour,
            linewidths=1.6,
            zorder=4,
        )


def _summary(cover: ModeCoverage, real: GaussianMixture, n: int) -> str:
    kl = "inf" if math.isinf(cover.reverse_kl) else f"{cover.reverse_kl:.2f}"
    return (
        f"{cover.modes}/{len(real.means)} modes · {100 * cover.high_quality:.0f}% high quality"
        f" · KL {kl}\njudged on {n:,} samples"
    )


def plot_coverage(
    samples: Any,
    real: GaussianMixture,
    *,
    title: str | None = None,
    ax: Axes | None = None,
    figsize: Sequence[float] = (4.0, 4.4),
) -> Figure:
    """Draw samples over a mixture's modes, captured modes in green, missed ones in red.

    A mode is captured when at least one sample is high quality near it (see
    :func:`tinygan.metrics.mode_coverage`); the lines under the panel give the three
    numbers and how many samples they judged.

    Args:
        samples: 2-D points, shape ``(n, 2)`` (a tensor or an array).
        real: The 2-D mixture.
        title: The panel's first title line; ``"generated samples"`` by default.
        ax: The axes to draw on; a new figure by default.
        figsize: The new figure's size in inches.

    Returns:
        The figure drawn on.

    Raises:
        ImportError: If matplotlib is not installed.
        TypeError: If ``real`` is not a 2-D :class:`~tinygan.GaussianMixture`.
        ValueError: If ``samples`` is not of shape ``(n, 2)``.

    Example:
        >>> import tinygan as tg
        >>> ring = tg.GaussianMixture.ring()
        >>> fig = plot_coverage(ring.means[:5].repeat(20, 1), ring)
        >>> print(fig.axes[0].get_xlabel())
        5/8 modes · 100% high quality · KL 0.47
        judged on 100 samples
    """
    mixture = _check_mixture(real)
    points = _as_points("samples", samples)
    if ax is None:
        fig = figure_class()(figsize=check_figsize(figsize), layout="constrained")
        ax = fig.subplots()
    cover = mode_coverage(torch.from_numpy(points), mixture)
    _panel(ax, points, mixture, title or "generated samples")
    ax.set_xlabel(_summary(cover, mixture, len(points)), fontsize=8)
    _mark_modes(ax, mixture, cover)
    figure = ax.get_figure()
    assert figure is not None
    return figure  # type: ignore[return-value]


def plot_points(
    snapshots: Snapshots | np.ndarray | torch.Tensor,
    real: GaussianMixture,
    *,
    steps: Sequence[int] | None = None,
    final: Any = None,
    panels: int = 5,
    panel_size: float = 2.6,
) -> Figure:
    """Draw the generator's output at several snapshots over the real modes, in a row.

    Each panel shades the density of the points where they pile up (a hexagonal
    histogram, log scale) under the points themselves, with the mixture's means as grey
    crosses. The last panel marks the captured modes green and the missed ones red and
    gives the three numbers of :func:`tinygan.metrics.mode_coverage`.

    Args:
        snapshots: A :class:`tinygan.Snapshots` (its ``outputs`` and ``steps``), or an
            array ``(k, n, 2)`` of ``k`` snapshots.
        real: The 2-D mixture the generator imitates.
        steps: The iteration of each snapshot when ``snapshots`` is an array
            (``1, ..., k`` by default).
        final: The samples for the last panel (for example many fresh samples of the
            trained generator); the last snapshot by default.
        panels: At most this many snapshot panels, evenly spaced and the last one
            included (``>= 1``); the last panel is always the final one.
        panel_size: Each panel's width in inches.

    Returns:
        The figure.

    Raises:
        ImportError: If matplotlib is not installed.
        TypeError: If ``real`` is not a 2-D :class:`~tinygan.GaussianMixture`.
        ValueError: If there is no snapshot, they are not 2-D points, ``steps`` has the
            wrong length or ``panels < 1``.

    Example:
        >>> import tinygan as tg
        >>> from tinygan.recipes import ring8
        >>> snaps = tg.Snapshots(every=10)
        >>> trainer = ring8(0, callbacks=[snaps]).fit(30)
        >>> fig = plot_points(snaps, trainer.real)
        >>> [ax.get_title() for ax in fig.axes]
        ['step 10', 'step 20', 'step 30']
    """
    mixture = _check_mixture(real)
    outputs, taken = _snapshots(snapshots, steps)
    count = check_int("panels", panels, minimum=1)
    chosen = sorted({round(float(i)) for i in np.linspace(len(outputs) - 1, 0, count)})
    size = float(panel_size)
    if not (math.isfinite(size) and size > 0):
        raise ValueError(f"panel_size must be a positive number, got {panel_size!r}")
    fig = figure_class()(figsize=(size * len(chosen), size * 1.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(chosen)))
    for ax, index in zip(axes[:-1], chosen[:-1], strict=False):
        _panel(ax, outputs[index], mixture, f"step {taken[index]:,}")
    last = outputs[chosen[-1]] if final is None else _as_points("final", final)
    plot_coverage(last, mixture, title=f"step {taken[chosen[-1]]:,}", ax=axes[-1])
    return fig


def animate_points(
    snapshots: Snapshots | np.ndarray | torch.Tensor,
    real: GaussianMixture,
    path: str | os.PathLike[str],
    *,
    steps: Sequence[int] | None = None,
    fps: int = 4,
    size: float = 4.0,
) -> Path:
    """Write the snapshots as an animated GIF, one frame each, modes marked in each.

    Every frame is :func:`plot_coverage` of one snapshot: the points over the modes,
    captured ones green and missed ones red, with that snapshot's three numbers.

    Args:
        snapshots: A :class:`tinygan.Snapshots`, or an array ``(k, n, 2)``.
        real: The 2-D mixture.
        path: The GIF to write.
        steps: The iteration of each snapshot when ``snapshots`` is an array.
        fps: Frames per second.
        size: The frames' width and height in inches.

    Returns:
        ``path``, as a :class:`~pathlib.Path`.

    Raises:
        ImportError: If matplotlib is not installed.
        TypeError: If ``real`` is not a 2-D :class:`~tinygan.GaussianMixture`.
        ValueError: If there is no snapshot or they are not 2-D points.
    """
    mixture = _check_mixture(real)
    outputs, taken = _snapshots(snapshots, steps)

    def draw(fig: Figure, i: int) -> None:
        fig.set_layout_engine("constrained")
        plot_coverage(outputs[i], mixture, title=f"step {taken[i]:,}", ax=fig.subplots())

    return save_animation(draw, len(outputs), path, figsize=(size, size * 1.05), fps=fps)
