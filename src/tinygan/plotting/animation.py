"""Snapshots as an animated GIF: one frame per snapshot, through matplotlib's Pillow writer.

Pillow comes with matplotlib, so an animation needs nothing beyond ``tinygan[plot]``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tinygan._checks import check_int
from tinygan.plotting._figure import INSTALL_HINT

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["save_animation"]


def save_animation(
    draw: Callable[[Figure, int], None],
    frames: int,
    path: str | os.PathLike[str],
    *,
    figsize: Sequence[float] = (5.0, 5.0),
    fps: int = 2,
    dpi: int = 80,
) -> Path:
    """Write an animated GIF whose frame ``i`` is what ``draw(figure, i)`` draws.

    Each frame starts from an empty figure (``draw`` adds its own axes), so frames never
    carry over from one another; the last frame is held as long as the others.

    Args:
        draw: Draws frame ``i`` into the (cleared) figure it is given.
        frames: How many frames (``>= 1``).
        path: The GIF to write; missing parent folders are created.
        figsize: The figure's size in inches.
        fps: Frames per second.
        dpi: Dots per inch of the frames.

    Returns:
        ``path``, as a :class:`~pathlib.Path`.

    Raises:
        ImportError: If matplotlib (or its Pillow) is not installed.
        ValueError: If ``frames``, ``fps`` or ``dpi`` is below 1.

    Example:
        >>> import tempfile, pathlib
        >>> def draw(fig, i):
        ...     fig.subplots().plot([0, i], [0, i])
        >>> out = save_animation(draw, 3, pathlib.Path(tempfile.mkdtemp()) / "a.gif")
        >>> out.read_bytes()[:6]
        b'GIF89a'
    """
    count = check_int("frames", frames, minimum=1)
    rate = check_int("fps", fps, minimum=1)
    resolution = check_int("dpi", dpi, minimum=1)
    try:
        from matplotlib.animation import PillowWriter
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    figure = Figure(figsize=(float(figsize[0]), float(figsize[1])))
    writer = PillowWriter(fps=rate)
    with writer.saving(figure, str(target), resolution):
        for i in range(count):
            figure.clear()
            draw(figure, i)
            writer.grab_frame()
    return target
