"""The post's figures: losses as scatter plots, snapshots as one image."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from tinygan.callbacks import LossLogger, Snapshots
from tinygan.plotting._figure import YLIM, as_1d, check_figsize, figure_class

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_losses", "plot_snapshots", "scatter_series"]


def scatter_series(
    ax: Axes,
    values: Sequence[float] | np.ndarray,
    *,
    x: Sequence[float] | np.ndarray | None = None,
    title: str | None = None,
    ylabel: str = "loss",
    ylim: tuple[float, float] | None = YLIM,
) -> Axes:
    """Draw one logged series on ``ax`` the way the post draws it.

    Every value is a dot (marker ``'.'``, alpha 0.1, no line), on a grid, with y from 0
    to 0.5 and ticks at 0, 0.25 and 0.5: the post's ``df.plot(ylim=(0, 0.5), alpha=0.1,
    marker='.', grid=True, yticks=(0, 0.25, 0.5))``.

    Args:
        ax: The axes to draw on.
        values: The logged values, in order.
        x: Their positions on the x axis; ``0, 1, 2, ...`` by default.
        title: The axes' title.
        ylabel: The y axis label.
        ylim: The y range, ticked at its ends and middle (the post's ``(0, 0.5)`` by
            default, whose middle, 0.25, is the post's loss of a D that cannot tell);
            ``None`` fits it to the values.

    Returns:
        ``ax``.

    Raises:
        ValueError: If ``values`` is not 1-d or ``x`` has a different length.
    """
    y = as_1d("values", values)
    xs = np.arange(y.size) if x is None else as_1d("x", x)
    if xs.shape != y.shape:
        raise ValueError(f"x has {xs.size} entries but values has {y.size}")
    ax.plot(xs, y, linestyle="none", marker=".", alpha=0.1, color="C0")
    if ylim is not None:
        low, high = float(ylim[0]), float(ylim[1])
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise ValueError(f"ylim must be two finite numbers, low first, got {ylim!r}")
        ax.set_ylim(low, high)
        ax.set_yticks((low, (low + high) / 2, high))
    ax.grid(True)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    return ax


def plot_losses(
    losses: LossLogger | Sequence[float] | np.ndarray,
    g_error: Sequence[float] | np.ndarray | None = None,
    *,
    figsize: tuple[float, float] = (16.0, 8.0),
    loss_ylim: tuple[float, float] | None = YLIM,
    loss_title: str = "discriminator loss",
) -> Figure:
    """Plot the discriminator's loss and the generator's progress, as the post does.

    The figure has one axes per series, one above the other: the discriminator's loss
    (both of its steps each iteration, real then fake, as the post logs them) and, when
    there is one, the generator's error to the reference pattern (the post's
    "progress"). Each is drawn by :func:`scatter_series`.

    Args:
        losses: A :class:`~tinygan.LossLogger` after training, or the discriminator's
            losses as a 1-d sequence (plotted against their index, as the post does).
        g_error: The generator's error at each iteration. With a logger, the logger's
            :attr:`~tinygan.LossLogger.g_error` is used when this is ``None``.
        figsize: The figure's size in inches.
        loss_ylim: The discriminator loss's y range (see :func:`scatter_series`): the
            post's ``(0, 0.5)`` by default; for another objective, twice the loss of a D
            that cannot tell, so that it sits in the middle as 0.25 does in the post's.
        loss_title: The discriminator loss's title.

    Returns:
        A new :class:`matplotlib.figure.Figure` with one or two axes.

    Raises:
        ImportError: If matplotlib is not installed.
        ValueError: If the logger has no discriminator losses, or a series is not 1-d.

    Example:
        >>> fig = plot_losses([0.3, 0.2, 0.25], g_error=[0.1, 0.05])
        >>> len(fig.axes), tuple(map(float, fig.axes[0].get_ylim()))
        (2, (0.0, 0.5))
    """
    size = check_figsize(figsize)
    if isinstance(losses, LossLogger):
        d_loss = losses.d_loss
        steps = losses.steps
        per_step = d_loss.size // max(steps.size, 1)
        d_x: np.ndarray | None = np.repeat(steps, per_step) if per_step >= 1 else None
        if d_x is not None and d_x.size != d_loss.size:
            d_x = None
        if g_error is None:
            g_error = losses.g_error
        g_x: np.ndarray | None = steps if g_error is not None else None
        xlabel = "iteration"
    else:
        d_loss = as_1d("losses", losses)
        d_x = g_x = None
        xlabel = "logged value"
    if d_loss.size == 0:
        raise ValueError("losses holds no discriminator losses to plot")
    g_values = None if g_error is None else as_1d("g_error", g_error)
    if g_values is not None and g_x is not None and g_x.size != g_values.size:
        g_x = None

    figure = figure_class()(figsize=size, layout="constrained")
    rows = 1 if g_values is None else 2
    axes = figure.subplots(rows, 1, squeeze=False)[:, 0]
    scatter_series(axes[0], d_loss, x=d_x, title=loss_title, ylim=loss_ylim)
    if g_values is not None:
        scatter_series(
            axes[1],
            g_values,
            x=g_x,
            title="generator's error to the reference",
            ylabel="mean squared error",
        )
    axes[-1].set_xlabel(xlabel)
    return figure


def plot_snapshots(
    snapshots: Snapshots | Sequence[Sequence[float]] | np.ndarray,
    *,
    steps: Sequence[int] | None = None,
    figsize: tuple[float, float] = (16.0, 8.0),
    cmap: str = "Blues",
) -> Figure:
    """Draw the generator's snapshots as one image: one column per snapshot.

    This is the post's ``imshow(numpy.concatenate(image_array_list).T, cmap='Blues')``:
    column ``j`` is the generator's output at the ``j``-th snapshot, row ``i`` is output
    position ``i``. A trained ``1010`` generator shows dark rows 1 and 3 and pale rows 2
    and 4. Colours span 0 (white) to 1 (dark blue), so images from different runs compare.
    With a batch size above 1 each snapshot gives one column per sample.

    Args:
        snapshots: A :class:`~tinygan.Snapshots` after training, or an array of shape
            ``(k, dim)`` (one row per snapshot) or ``(k, batch_size, dim)``.
        steps: The iteration of each snapshot, used to label the x axis; taken from the
            :class:`~tinygan.Snapshots` when one is given.
        figsize: The figure's size in inches.
        cmap: The colour map's name.

    Returns:
        A new :class:`matplotlib.figure.Figure` with one axes holding the image.

    Raises:
        ImportError: If matplotlib is not installed.
        ValueError: If there are no snapshots, or the array has the wrong shape.

    Example:
        >>> fig = plot_snapshots([[0.5, 0.5, 0.5, 0.5], [0.9, 0.1, 0.9, 0.1]], steps=[1, 2])
        >>> fig.axes[0].images[0].get_array().shape
        (4, 2)
    """
    size = check_figsize(figsize)
    if isinstance(snapshots, Snapshots):
        array = snapshots.outputs
        if steps is None:
            steps = snapshots.steps
    else:
        try:
            array = np.asarray(snapshots, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"snapshots must be a Snapshots or an array of numbers, got {snapshots!r}"
            ) from exc
    if array.ndim == 2:
        array = array[:, None, :]
    if array.ndim != 3:
        raise ValueError(
            f"snapshots must have shape (k, dim) or (k, batch_size, dim), got {array.shape}"
        )
    if array.size == 0:
        raise ValueError("there are no snapshots to plot")
    count, per_snapshot, dim = array.shape
    image = array.reshape(count * per_snapshot, dim).T

    figure = figure_class()(figsize=size, layout="constrained")
    ax = figure.subplots()
    ax.imshow(image, interpolation="none", cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_title("generator output at each snapshot")
    ax.set_ylabel("output position")
    ax.set_yticks(range(dim), [str(i + 1) for i in range(dim)])
    if steps is not None:
        labels = [int(s) for s in steps]
        if len(labels) != count:
            raise ValueError(f"steps has {len(labels)} entries but there are {count} snapshots")
        centres = np.arange(count) * per_snapshot + (per_snapshot - 1) / 2
        stride = max(1, -(-count // 20))  # at most 20 labels
        ax.set_xticks(centres[::stride], [str(s) for s in labels[::stride]])
        ax.set_xlabel("iteration")
    else:
        ax.set_xlabel("snapshot")
    return figure
