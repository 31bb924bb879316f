"""What every figure of :mod:`tinygan.plotting` shares (private): matplotlib, checks, ranges."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["INSTALL_HINT", "YLIM", "as_1d", "check_figsize", "figure_class"]

INSTALL_HINT = 'tinygan.plotting needs matplotlib: pip install "tinygan[plot]"'

#: The post's y range for every loss plot (ticked at its ends and middle).
YLIM = (0.0, 0.5)


def figure_class() -> type[Figure]:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - exercised by monkeypatching sys.modules
        raise ImportError(INSTALL_HINT) from exc
    return Figure


def as_1d(name: str, values: Any) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 1-d sequence of numbers, got {values!r}") from exc
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-d, got an array of shape {array.shape}")
    return array


def check_figsize(figsize: Any) -> tuple[float, float]:
    if (
        not isinstance(figsize, Sequence)
        or len(figsize) != 2
        or not all(isinstance(v, (int, float)) and v > 0 for v in figsize)
    ):
        raise ValueError(f"figsize must be a pair of positive numbers, got {figsize!r}")
    return float(figsize[0]), float(figsize[1])
