"""Checks and draws that every data source shares (private to :mod:`tinygan.data`)."""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch

from tinygan._checks import check_int

__all__ = ["check_finite", "check_generator", "draw_normal", "draw_uniform", "float32_inside"]


def check_generator(generator: object) -> torch.Generator | None:
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {generator!r}")
    return generator


def draw_uniform(n: object, dim: int, generator: object) -> torch.Tensor:
    """Check ``n`` and ``generator``, then draw ``(n, dim)`` float32 uniforms in [0, 1).

    The draw is made on the generator's device (the CPU for ``None``).
    """
    count = check_int("n", n, minimum=0)
    rng = check_generator(generator)
    device = rng.device if rng is not None else None
    return torch.rand(count, dim, generator=rng, dtype=torch.float32, device=device)


def draw_normal(n: object, dim: int, generator: object) -> torch.Tensor:
    """Check ``n`` and ``generator``, then draw ``(n, dim)`` float32 standard normals.

    The draw is made on the generator's device (the CPU for ``None``).
    """
    count = check_int("n", n, minimum=0)
    rng = check_generator(generator)
    device = rng.device if rng is not None else None
    return torch.randn(count, dim, generator=rng, dtype=torch.float32, device=device)


def check_finite(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a finite number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def float32_inside(low: float, high: float) -> tuple[float, float]:
    """Return the float32 values nearest to ``[low, high]`` that lie inside it.

    Where no float32 lies inside (a range narrower than float32's spacing, such as
    ``(0.1, 0.1)``), both ends are the float32 nearest to the range's middle.
    """
    lo32 = np.float32(low)
    hi32 = np.float32(high)
    if float(lo32) < low:
        lo32 = np.nextafter(lo32, np.float32(np.inf))
    if float(hi32) > high:
        hi32 = np.nextafter(hi32, np.float32(-np.inf))
    if lo32 > hi32:
        mid = float(np.float32(low + (high - low) / 2))
        return mid, mid
    return float(lo32), float(hi32)
