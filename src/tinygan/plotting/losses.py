"""The losses of any GAN: every logged value as a faint dot, with its running mean."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygan._checks import check_int
from tinygan.callbacks import LossLogger
from tinygan.plotting._figure import figure_class

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_gan_losses"]


def _running_mean(values: np.ndarray, window: int) -> np.ndarray:
    if values.size < window:
        return np.cumsum(values) / np.arange(1, values.size + 1)
    kernel = np.ones(window) / window
    head = np.cumsum(values[: window - 1]) / np.arange(1, window)
    return np.concatenate([head, np.convolve(values, kernel, mode="valid")])


def plot_gan_losses(
    log: LossLogger, *, window: int = 100, figsize: tuple[float, float] = (10.0, 6.0)
) -> Figure:
    """Plot a GAN's three losses over iterations, on axes scaled to them.

    The post's own figure (:func:`tinygan.plotting.plot_losses`) fixes its y range at
    0 to 0.5, right for its mean squared error; other losses (binary cross-entropy sits
    near ``log 2 = 0.69`` at balance) need their own range. The top axes show the
    discriminator's loss on real and on generated data, the bottom the generator's;
    every value is a faint dot and a line gives its running mean over ``window``
    iterations.

    Args:
        log: A :class:`~tinygan.LossLogger` after training (one value per iteration).
        window: The running mean's length in iterations.
        figsize: The figure's size in inches.

    Returns:
        A :class:`matplotlib.figure.Figure` with two axes.

    Raises:
        ImportError: If matplotlib is not installed.
        ValueError: If ``window < 1`` or nothing was logged.
    """
    span = check_int("window", window, minimum=1)
    steps = log.steps
    if steps.size == 0:
        raise ValueError("the LossLogger holds no iterations to plot")
    figure = figure_class()(figsize=figsize, layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    series = [
        (top, log.d_loss_real, "D on real data", "C0"),
        (top, log.d_loss_fake, "D on generated data", "C1"),
        (bottom, log.g_loss, "G through D", "C2"),
    ]
    for ax, values, label, colour in series:
        if values.size != steps.size:
            continue
        ax.plot(steps, values, linestyle="none", marker=".", alpha=0.05, color=colour)
        ax.plot(steps, _running_mean(values.astype(np.float64), span), color=colour, label=label)
    top.set_title("discriminator loss")
    bottom.set_title("generator loss")
    bottom.set_xlabel("iteration")
    for ax in (top, bottom):
        ax.grid(True)
        ax.set_ylabel("loss")
        ax.legend(loc="upper right")
    return figure
