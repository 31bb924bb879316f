"""Figures of generated images: a grid of samples and a GIF of the snapshots.

Images come flattened, as a generator gives them (``(n, dim)``), with the shape of one
image (``data.shape`` of a :class:`tinygan.ImageData`, such as ``(8, 8)``). They are
drawn as ink on paper (dark strokes on white, values clipped to ``[0, 1]``), each image
in its own cell with a thin gap around it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygan._checks import check_int
from tinygan.callbacks import Snapshots
from tinygan.plotting._figure import figure_class
from tinygan.plotting.animation import save_animation

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["image_mosaic", "plot_images", "save_image_animation"]

_CMAP = "gray_r"
_GAP = 1
_GAP_COLOUR = "#d5dbe3"


def _check_shape(shape: Sequence[int], dim: int) -> tuple[int, int]:
    """The (height, width) to draw one image as; a leading channel axis of 1 is dropped."""
    dims = tuple(int(v) for v in shape)
    if len(dims) == 3 and dims[0] == 1:
        dims = dims[1:]
    if len(dims) != 2 or math.prod(dims) != dim or min(dims) < 1:
        raise ValueError(
            f"shape must be an image shape (height, width) holding dim = {dim} values, "
            f"got {tuple(shape)!r}"
        )
    return dims[0], dims[1]


def _as_images(images: Any) -> np.ndarray:
    array = np.asarray(
        images.detach().cpu() if hasattr(images, "detach") else images, dtype=np.float64
    )
    if array.ndim != 2 or array.shape[0] < 1:
        raise ValueError(f"images must be flattened images (n, dim), n >= 1, got {array.shape}")
    return array


def image_mosaic(images: Any, shape: Sequence[int], *, columns: int = 8) -> np.ndarray:
    """Tile flattened images into one array, row by row, ``columns`` to a row.

    Cells are separated (and framed) by a one-pixel gap of NaN, which figures draw in a
    light grey.

    Args:
        images: ``(n, dim)`` images, a tensor or an array.
        shape: One image's ``(height, width)``.
        columns: Images per row.

    Returns:
        An array of ``rows * (height + 1) + 1`` by ``columns * (width + 1) + 1``.

    Raises:
        ValueError: If the images or the shape do not fit.

    Example:
        >>> import numpy as np
        >>> image_mosaic(np.ones((3, 4)), (2, 2), columns=2).shape
        (7, 7)
    """
    array = _as_images(images)
    height, width = _check_shape(shape, array.shape[1])
    cols = min(check_int("columns", columns, minimum=1), array.shape[0])
    rows = -(-array.shape[0] // cols)
    mosaic = np.full((rows * (height + _GAP) + _GAP, cols * (width + _GAP) + _GAP), np.nan)
    for i, image in enumerate(np.clip(array, 0.0, 1.0)):
        top = (i // cols) * (height + _GAP) + _GAP
        left = (i % cols) * (width + _GAP) + _GAP
        mosaic[top : top + height, left : left + width] = image.reshape(height, width)
    return mosaic


def _draw(ax: Axes, mosaic: np.ndarray) -> None:
    from matplotlib import colormaps

    cmap = colormaps[_CMAP].with_extremes(bad=_GAP_COLOUR)
    ax.imshow(mosaic, cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)


def plot_images(
    images: Any,
    shape: Sequence[int],
    *,
    columns: int = 10,
    title: str | None = None,
    scale: float = 0.5,
) -> Figure:
    """Draw flattened images as a grid: the final samples of a run, or real examples.

    Args:
        images: ``(n, dim)`` images in ``[0, 1]`` (a tensor or an array).
        shape: One image's ``(height, width)`` (``(1, h, w)`` too).
        columns: Images per row.
        title: The figure's title.
        scale: Inches per image cell.

    Returns:
        The figure, one axes.

    Raises:
        ImportError: If matplotlib is not installed.
        ValueError: If the images or the shape do not fit.

    Example:
        >>> import torch
        >>> fig = plot_images(torch.rand(20, 64), (8, 8), title="noise")
        >>> fig.axes[0].images[0].get_array().shape
        (19, 91)
    """
    mosaic = image_mosaic(images, shape, columns=columns)
    height, width = _check_shape(shape, _as_images(images).shape[1])
    rows = (mosaic.shape[0] - _GAP) // (height + _GAP)
    cols = (mosaic.shape[1] - _GAP) // (width + _GAP)
    extra = 0.4 if title else 0.1
    figure = figure_class()(
        figsize=(cols * scale + 0.2, rows * scale + extra), layout="constrained"
    )
    _draw(figure.subplots(), mosaic)
    if title:
        figure.suptitle(title)
    return figure


def _snapshot_arrays(
    snapshots: Snapshots | Any, steps: Sequence[int] | None
) -> tuple[np.ndarray, list[int]]:
    if isinstance(snapshots, Snapshots):
        outputs, taken = snapshots.outputs, list(snapshots.steps)
    else:
        outputs = np.asarray(snapshots, dtype=np.float64)
        taken = list(range(1, outputs.shape[0] + 1)) if steps is None else [int(s) for s in steps]
    if outputs.ndim != 3 or outputs.shape[0] < 1 or outputs.shape[1] < 1:
        raise ValueError(
            f"snapshots must hold at least one snapshot (k, batch, dim), got shape {outputs.shape}"
        )
    if len(taken) != outputs.shape[0]:
        raise ValueError(
            f"steps has {len(taken)} entries but there are {outputs.shape[0]} snapshots"
        )
    return outputs, taken


def save_image_animation(
    snapshots: Snapshots | Any,
    shape: Sequence[int],
    path: str | os.PathLike[str],
    *,
    count: int = 36,
    steps: Sequence[int] | None = None,
    fps: int = 4,
) -> Path:
    """Write the snapshots as an animated GIF: one frame per snapshot, a grid of images.

    Args:
        snapshots: A :class:`tinygan.Snapshots` callback, or its outputs ``(k, batch, dim)``.
        shape: One image's ``(height, width)``.
        path: The GIF to write; missing parent folders are created.
        count: Images per frame (the first ``count`` of each snapshot's batch), laid out
            in a square.
        steps: The iteration of each snapshot, when ``snapshots`` is an array.
        fps: Frames per second.

    Returns:
        ``path``, as a :class:`~pathlib.Path`.

    Raises:
        ImportError: If matplotlib is not installed.
        ValueError: If there are no snapshots or the shapes do not fit.
    """
    outputs, taken = _snapshot_arrays(snapshots, steps)
    height, width = _check_shape(shape, outputs.shape[2])
    shown = min(check_int("count", count, minimum=1), outputs.shape[1])
    columns = math.ceil(math.sqrt(shown))
    mosaics = [image_mosaic(frame[:shown], (height, width), columns=columns) for frame in outputs]

    def draw(figure: Figure, i: int) -> None:
        ax = figure.add_axes((0.02, 0.02, 0.96, 0.88))
        _draw(ax, mosaics[i])
        figure.suptitle(f"iteration {taken[i]:,}", y=0.97)

    return save_animation(draw, len(mosaics), path, figsize=(4.0, 4.4), fps=fps)
