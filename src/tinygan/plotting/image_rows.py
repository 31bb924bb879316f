"""Figures that set rows of images side by side: labelled rows, snapshots, generated and real.

Images come flattened (``(n, dim)``) with the shape of one image, and are drawn as in
:mod:`tinygan.plotting.images`: dark strokes on white, a thin gap around each.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygan._checks import check_int
from tinygan.callbacks import Snapshots
from tinygan.plotting._figure import figure_class
from tinygan.plotting.images import (
    _GAP,
    _as_images,
    _check_shape,
    _draw,
    _snapshot_arrays,
    image_mosaic,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["evenly_spaced", "plot_generated_beside_real", "plot_image_rows", "plot_image_snapshots"]


def plot_image_rows(
    rows: Sequence[Any],
    shape: Sequence[int],
    labels: Sequence[str],
    *,
    per_row: int = 10,
    title: str | None = None,
    ylabel: str | None = None,
    scale: float = 0.4,
) -> Figure:
    """Draw one row of images per entry of ``rows``, each labelled at its left.

    Args:
        rows: Flattened images ``(n_i, dim)`` per row (tensors or arrays); the first
            ``per_row`` of each are drawn.
        shape: One image's ``(height, width)``.
        labels: One label per row.
        per_row: The most images in a row.
        title: The figure's title.
        ylabel: A label for the rows' labels, such as ``"iteration"``.
        scale: Inches per image cell.

    Returns:
        The figure, one axes, its y ticks labelled with ``labels``.

    Raises:
        ImportError: If matplotlib is not installed.
        ValueError: If there are no rows, the labels do not match them or the shapes do
            not fit.

    Example:
        >>> import torch
        >>> fig = plot_image_rows([torch.rand(4, 64), torch.rand(6, 64)], (8, 8), ["a", "b"])
        >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
        ['a', 'b']
    """
    arrays = [_as_images(row) for row in rows]
    if not arrays or len(labels) != len(arrays):
        raise ValueError(f"labels must give one label per row: {len(labels)} for {len(arrays)}")
    height, width = _check_shape(shape, arrays[0].shape[1])
    cols = min(check_int("per_row", per_row, minimum=1), max(a.shape[0] for a in arrays))
    padded = []
    for array in arrays:
        _check_shape(shape, array.shape[1])
        row = np.full((cols, height * width), np.nan)
        row[: min(cols, len(array))] = np.clip(array[:cols], 0.0, 1.0)
        padded.append(row)
    mosaic = image_mosaic(np.concatenate(padded), (height, width), columns=cols)
    figure = figure_class()(
        figsize=(cols * scale + 1.6, len(arrays) * scale + (0.6 if title else 0.2)),
        layout="constrained",
    )
    ax = figure.subplots()
    _draw(ax, mosaic)
    ax.set_yticks([_GAP + r * (height + _GAP) + (height - 1) / 2 for r in range(len(arrays))])
    ax.set_yticklabels(list(labels))
    ax.tick_params(axis="y", length=0)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return figure


def evenly_spaced(count: int, most: int) -> list[int]:
    """At most ``most`` of ``count`` indices at one constant stride, the last among them.

    The stride is ``ceil((count - 1) / (most - 1))``: the first index is among them
    where the stride divides ``count - 1``.

    Example:
        >>> evenly_spaced(11, 3), evenly_spaced(10, 8), evenly_spaced(4, 8)
        ([0, 5, 10], [1, 3, 5, 7, 9], [0, 1, 2, 3])
    """
    most = check_int("most", most, minimum=1)
    if count <= most:
        return list(range(count))
    stride = count if most == 1 else -(-(count - 1) // (most - 1))
    return list(range(count - 1, -1, -stride))[::-1]


def plot_image_snapshots(
    snapshots: Snapshots | Any,
    shape: Sequence[int],
    *,
    per_row: int = 10,
    rows: int = 10,
    steps: Sequence[int] | None = None,
    scale: float = 0.4,
) -> Figure:
    """The post's snapshot figure, for images: one row per snapshot, iterations down the side.

    Each row shows the first ``per_row`` images of one snapshot. With
    :class:`tinygan.Snapshots` given fixed ``inputs`` (``tinygan train`` gives it the
    first evaluation inputs), column ``j`` shows the same input's image at every
    snapshot, so the rows show the generator learning; without, each row is a training
    batch of fresh noise. Long runs show at most ``rows`` snapshots at a constant stride,
    the last always among them (:func:`evenly_spaced`).

    Args:
        snapshots: A :class:`tinygan.Snapshots` callback, or its outputs ``(k, batch, dim)``.
        shape: One image's ``(height, width)``.
        per_row: Images per snapshot.
        rows: The most snapshots to show.
        steps: The iteration of each snapshot, when ``snapshots`` is an array
            (``1, 2, ...`` by default).
        scale: Inches per image cell.

    Returns:
        The figure, one axes, its y ticks labelled with the iterations.

    Raises:
        ImportError: If matplotlib is not installed.
        ValueError: If there are no snapshots or the shapes do not fit.

    Example:
        >>> import numpy as np
        >>> fig = plot_image_snapshots(np.random.default_rng(0).random((3, 16, 64)), (8, 8))
        >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
        ['1', '2', '3']
    """
    outputs, taken = _snapshot_arrays(snapshots, steps)
    _check_shape(shape, outputs.shape[2])
    picks = evenly_spaced(outputs.shape[0], check_int("rows", rows, minimum=1))
    return plot_image_rows(
        [outputs[i] for i in picks],
        shape,
        [f"{taken[i]:,}" for i in picks],
        per_row=per_row,
        title="the generator's images as it learns",
        ylabel="iteration",
        scale=scale,
    )


def plot_generated_beside_real(
    generated: Any,
    real: Any,
    shape: Sequence[int],
    *,
    count: int = 50,
    columns: int = 10,
    title: str | None = None,
    scale: float = 0.4,
) -> Figure:
    """The generator's images on the left, real ones on the right, as many of each.

    Args:
        generated: Generated images ``(n, dim)``; the first ``count`` are drawn.
        real: Real images ``(m, dim)``; the first ``count`` are drawn.
        shape: One image's ``(height, width)``.
        count: The most images of each kind.
        columns: Images per row in each panel.
        title: The figure's title, above both panels.
        scale: Inches per image cell.

    Returns:
        The figure: two axes, titled ``"generated"`` and ``"real"``.

    Raises:
        ImportError: If matplotlib is not installed.
        ValueError: If the images or the shape do not fit.

    Example:
        >>> import torch
        >>> fig = plot_generated_beside_real(torch.rand(60, 64), torch.rand(9, 64), (8, 8))
        >>> [ax.get_title() for ax in fig.axes]
        ['generated (50)', 'real (9)']
    """
    shown = check_int("count", count, minimum=1)
    panels = [(_as_images(generated)[:shown], "generated"), (_as_images(real)[:shown], "real")]
    cols = min(check_int("columns", columns, minimum=1), max(len(p) for p, _ in panels))
    rows = max(-(-len(p) // cols) for p, _ in panels)
    figure = figure_class()(
        figsize=(2 * cols * scale + 0.5, rows * scale + (0.9 if title else 0.5)),
        layout="constrained",
    )
    for ax, (images, name) in zip(figure.subplots(1, 2), panels, strict=True):
        _check_shape(shape, images.shape[1])
        _draw(ax, image_mosaic(images, shape, columns=cols))
        ax.set_title(f"{name} ({len(images)})")
    if title:
        figure.suptitle(title)
    return figure
