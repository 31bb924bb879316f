"""Noise sources: the inputs a generator reads."""

from __future__ import annotations

import numpy as np
import torch

from tinygan._checks import check_int, check_range
from tinygan.data._draw import (
    check_finite,
    check_generator,
    draw_normal,
    draw_uniform,
    float32_inside,
)
from tinygan.data.uniform_map import UniformMap

__all__ = ["ConstantNoise", "GaussianNoise", "UniformNoise"]


class UniformNoise:
    """Independent uniform noise in ``[low, high)``: the generator's input in the post.

    Args:
        dim: The length of each noise vector (``dim >= 1``).
        low: The lower end of the range.
        high: The upper end of the range.

    Raises:
        ValueError: If ``dim < 1`` or the range is reversed or not finite.
        TypeError: If ``dim`` is not an integer or an end is not a number.

    Example:
        >>> import torch
        >>> z = UniformNoise(4).sample(2, generator=torch.Generator().manual_seed(0))
        >>> z.shape
        torch.Size([2, 4])
    """

    def __init__(self, dim: int, *, low: float = 0.0, high: float = 1.0) -> None:
        self.dim: int = check_int("dim", dim, minimum=1)
        self.low, self.high = check_range("(low, high)", (low, high))
        self._min, self._max = float32_inside(self.low, self.high)
        if self.high > self.low and self._max >= self.high:
            # Keep the range half-open even where float32 rounding would reach ``high``
            # (unless no float32 lies in ``[low, high)`` at all).
            below = float(np.nextafter(np.float32(self._max), np.float32(-np.inf)))
            self._max = max(below, self._min)
        if self.low == 0.0 and self.high == 1.0:  # torch.rand's own numbers, unchanged
            columns = (0.0, 1.0, -float("inf"), float("inf"))
        else:
            columns = (self.low, self.high - self.low, self._min, self._max)
        self._map = UniformMap(self.dim, *(torch.full((self.dim,), c) for c in columns))

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """Draw ``n`` noise vectors.

        Args:
            n: How many to draw (``n >= 0``).
            generator: The random number generator to draw from.

        Returns:
            A float32 tensor of shape ``(n, dim)``.
        """
        return self._map.apply(draw_uniform(n, self.dim, generator))

    def uniform_map(self) -> UniformMap:
        """How :meth:`sample` makes each value from one uniform (see :class:`tinygan.UniformMap`).

        ``low + u * (high - low)``, kept inside ``[low, high)``; the identity for the
        default range.
        """
        return self._map

    def __repr__(self) -> str:
        return f"UniformNoise({self.dim}, low={self.low}, high={self.high})"


class GaussianNoise:
    """Independent standard normal noise: the input image and 2-D mixture GANs use.

    Args:
        dim: The length of each noise vector (``dim >= 1``).

    Raises:
        ValueError: If ``dim < 1``.
        TypeError: If ``dim`` is not an integer.

    Example:
        >>> import torch
        >>> z = GaussianNoise(16).sample(1000, generator=torch.Generator().manual_seed(0))
        >>> z.shape, abs(float(z.mean())) < 0.05, round(float(z.std()), 1)
        (torch.Size([1000, 16]), True, 1.0)
    """

    def __init__(self, dim: int) -> None:
        self.dim: int = check_int("dim", dim, minimum=1)

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """Draw ``n`` noise vectors.

        Args:
            n: How many to draw (``n >= 0``).
            generator: The random number generator to draw from (and whose device the
                draw is made on).

        Returns:
            A float32 tensor of shape ``(n, dim)``.
        """
        return draw_normal(n, self.dim, generator)

    def __repr__(self) -> str:
        return f"GaussianNoise({self.dim})"


class ConstantNoise:
    """A "noise" source that always returns the same value: a generator with no randomness.

    The post feeds its generator uniform noise; ``ConstantNoise(4)`` feeds it ``0.5`` at
    every position instead, the variant that shows what the noise is for (a generator
    with a constant input can only learn a single output).

    Args:
        dim: The length of each vector (``dim >= 1``).
        value: The value at every position (a finite number).

    Raises:
        ValueError: If ``dim < 1`` or ``value`` is not finite.
        TypeError: If ``dim`` is not an integer or ``value`` is not a number.

    Example:
        >>> ConstantNoise(3).sample(2)
        tensor([[0.5000, 0.5000, 0.5000],
                [0.5000, 0.5000, 0.5000]])
    """

    def __init__(self, dim: int, *, value: float = 0.5) -> None:
        self.dim: int = check_int("dim", dim, minimum=1)
        self.value: float = check_finite("value", value)

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return ``n`` copies of the constant vector; ``generator`` is not drawn from.

        Args:
            n: How many to return (``n >= 0``).
            generator: Accepted for the :class:`tinygan.DataSource` protocol; unused.

        Returns:
            A float32 tensor of shape ``(n, dim)``.
        """
        n = check_int("n", n, minimum=0)
        check_generator(generator)
        device = generator.device if generator is not None else None
        return torch.full((n, self.dim), self.value, dtype=torch.float32, device=device)

    def uniform_map(self) -> UniformMap:
        """How :meth:`sample` makes its values from uniforms: from none (``width`` 0).

        See :class:`tinygan.UniformMap`: every value is ``value``, and nothing is drawn.
        """
        zeros = torch.zeros(self.dim)
        return UniformMap(0, torch.full((self.dim,), self.value), zeros, zeros, zeros)

    def __repr__(self) -> str:
        return f"ConstantNoise({self.dim}, value={self.value})"
