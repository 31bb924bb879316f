"""Figures, drawn from what callbacks hold: the post's, and one per kind of data.

matplotlib is an optional dependency (``pip install "tinygan[plot]"``), imported only when
a figure is made. Every function here builds a :class:`matplotlib.figure.Figure` directly,
without :mod:`matplotlib.pyplot`: no global state, no GUI backend, nothing shown. Save a
figure with ``fig.savefig("losses.png")``, or show it in a notebook by leaving it as the
cell's value.

- ``post``: :func:`plot_losses` and :func:`plot_snapshots`, the post's figures;
- ``losses``: :func:`plot_gan_losses`, any GAN's losses on axes scaled to them;
- ``animation``: :func:`save_animation`, snapshots as an animated GIF;
- ``images``: :func:`plot_images` and :func:`save_image_animation`, the same for a
  generator of images;
- ``image_rows``: :func:`plot_image_rows`, :func:`plot_image_snapshots` (one row per
  snapshot, evenly spaced) and :func:`plot_generated_beside_real`;
- ``points``: :func:`plot_points`, :func:`plot_coverage` and :func:`animate_points`,
  2-D samples over a mixture's modes, captured modes marked.

Example:
    >>> import tinygan as tg
    >>> from tinygan.plotting import plot_losses, plot_snapshots
    >>> log = tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0])
    >>> snaps = tg.Snapshots(every=10)
    >>> trainer = tg.AdversarialTrainer(
    ...     tg.mlp([4, 4, 4]), tg.mlp([4, 3, 1]), tg.FuzzyPattern("1010"),
    ...     tg.UniformNoise(4), seed=0, callbacks=[log, snaps])
    >>> _ = trainer.fit(50)
    >>> fig = plot_losses(log)
    >>> [ax.get_title() for ax in fig.axes]
    ['discriminator loss', "generator's error to the reference"]
    >>> plot_snapshots(snaps).axes[0].images[0].get_array().shape
    (4, 5)

Layer: figures, above :mod:`tinygan.callbacks` (whose records it draws); it knows nothing
of training. Sweeps and the CLI import it.
"""

from tinygan.plotting.animation import save_animation
from tinygan.plotting.image_rows import (
    evenly_spaced,
    plot_generated_beside_real,
    plot_image_rows,
    plot_image_snapshots,
)
from tinygan.plotting.images import image_mosaic, plot_images, save_image_animation
from tinygan.plotting.losses import plot_gan_losses
from tinygan.plotting.points import animate_points, plot_coverage, plot_points
from tinygan.plotting.post import plot_losses, plot_snapshots, scatter_series

__all__ = [
    "animate_points",
    "evenly_spaced",
    "image_mosaic",
    "plot_generated_beside_real",
    "plot_image_rows",
    "plot_image_snapshots",
    "plot_coverage",
    "plot_gan_losses",
    "plot_images",
    "plot_losses",
    "plot_points",
    "plot_snapshots",
    "save_animation",
    "save_image_animation",
    "scatter_series",
]
