"""Data sources: the real data a discriminator learns from and the noise a generator reads.

Every class here satisfies :class:`tinygan.DataSource` and samples a whole batch in one
vectorised call, from the :class:`torch.Generator` it is given.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np
import torch

from tinygan._checks import check_int, check_range

__all__ = ["ConstantNoise", "FuzzyPattern", "UniformNoise"]


def _check_generator(generator: object) -> torch.Generator | None:
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {generator!r}")
    return generator


def _draw_uniform(n: object, dim: int, generator: object) -> torch.Tensor:
    """Check ``n`` and ``generator``, then draw ``(n, dim)`` float32 uniforms in [0, 1)."""
    count = check_int("n", n, minimum=0)
    rng = _check_generator(generator)
    return torch.rand(count, dim, generator=rng, dtype=torch.float32)


def _check_finite(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a finite number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _float32_inside(low: float, high: float) -> tuple[float, float]:
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


def _parse_pattern(pattern: str | Sequence[int]) -> tuple[int, ...]:
    expected = "a non-empty string of '0' and '1' characters or a sequence of 0/1 integers"
    if isinstance(pattern, str):
        if not pattern or any(ch not in "01" for ch in pattern):
            raise ValueError(f"pattern must be {expected}, got {pattern!r}")
        return tuple(int(ch) for ch in pattern)
    if isinstance(pattern, bytes) or not isinstance(pattern, Sequence):
        raise TypeError(f"pattern must be {expected}, got {pattern!r}")
    bits = tuple(pattern)
    if not bits:
        raise ValueError(f"pattern must be {expected}, got {pattern!r}")
    for bit in bits:
        if isinstance(bit, bool) or bit not in (0, 1):
            raise ValueError(f"pattern must be {expected}, got {pattern!r}")
    return tuple(1 if bit == 1 else 0 for bit in bits)


class FuzzyPattern:
    """A fuzzy binary pattern: each 1 drawn from ``high``, each 0 from ``low``.

    ``FuzzyPattern("1010")`` is the post's real data: positions 1 and 3 uniform in
    ``[0.8, 1.0]``, positions 2 and 4 uniform in ``[0.0, 0.2]``.

    Args:
        pattern: A string such as ``"1010"`` or a sequence such as ``[1, 0, 1, 0]``.
        high: The range ``(low, high)`` that a 1 is drawn from.
        low: The range ``(low, high)`` that a 0 is drawn from.

    Raises:
        ValueError: If the pattern is empty or holds anything but 0 and 1, or a range is
            reversed or not finite.
        TypeError: If the pattern or a range has the wrong type.

    Example:
        >>> import torch
        >>> real = FuzzyPattern("1010")
        >>> x = real.sample(3, generator=torch.Generator().manual_seed(0))
        >>> x.shape, x.dtype
        (torch.Size([3, 4]), torch.float32)
        >>> bool((x[:, 0] >= 0.8).all() and (x[:, 1] <= 0.2).all())
        True
    """

    def __init__(
        self,
        pattern: str | Sequence[int],
        *,
        high: tuple[float, float] = (0.8, 1.0),
        low: tuple[float, float] = (0.0, 0.2),
    ) -> None:
        self.bits: tuple[int, ...] = _parse_pattern(pattern)
        self.high: tuple[float, float] = check_range("high", high)
        self.low: tuple[float, float] = check_range("low", low)
        ranges = [self.high if bit else self.low for bit in self.bits]
        self._lower = torch.tensor([lo for lo, _ in ranges], dtype=torch.float32)
        self._width = torch.tensor([hi - lo for lo, hi in ranges], dtype=torch.float32)
        inside = [_float32_inside(lo, hi) for lo, hi in ranges]
        # Clamp bounds: float32 rounding must never take a sample outside its range.
        self._min = torch.tensor([lo for lo, _ in inside], dtype=torch.float32)
        self._max = torch.tensor([hi for _, hi in inside], dtype=torch.float32)

    @property
    def dim(self) -> int:
        """The pattern's length."""
        return len(self.bits)

    @property
    def pattern(self) -> str:
        """The pattern as a string of ``0`` and ``1``."""
        return "".join(str(bit) for bit in self.bits)

    @property
    def lower(self) -> torch.Tensor:
        """The lower end of each position's range, shape ``(dim,)``."""
        return self._lower.clone()

    @property
    def upper(self) -> torch.Tensor:
        """The upper end of each position's range, shape ``(dim,)``."""
        return torch.tensor([r[1] for r in self.ranges], dtype=torch.float32)

    @property
    def ranges(self) -> tuple[tuple[float, float], ...]:
        """The range ``(low, high)`` that each position is drawn from."""
        return tuple(self.high if bit else self.low for bit in self.bits)

    @property
    def centre(self) -> torch.Tensor:
        """The centre of each position's range, shape ``(dim,)``."""
        return self._lower + 0.5 * self._width

    def opposite(self) -> FuzzyPattern:
        """Return the pattern with every bit flipped and the same ranges.

        >>> FuzzyPattern("1010").opposite().pattern
        '0101'
        """
        return FuzzyPattern(tuple(1 - bit for bit in self.bits), high=self.high, low=self.low)

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """Draw ``n`` fuzzy copies of the pattern.

        Args:
            n: How many to draw (``n >= 0``).
            generator: The random number generator to draw from.

        Returns:
            A float32 tensor of shape ``(n, dim)``.
        """
        u = _draw_uniform(n, self.dim, generator)
        return torch.clamp(torch.addcmul(self._lower, u, self._width), self._min, self._max)

    def __repr__(self) -> str:
        return f"FuzzyPattern({self.pattern!r}, high={self.high}, low={self.low})"


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
        self._min, self._max = _float32_inside(self.low, self.high)
        if self.high > self.low and self._max >= self.high:
            # Keep the range half-open even where float32 rounding would reach ``high``
            # (unless no float32 lies in ``[low, high)`` at all).
            below = float(np.nextafter(np.float32(self._max), np.float32(-np.inf)))
            self._max = max(below, self._min)

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """Draw ``n`` noise vectors.

        Args:
            n: How many to draw (``n >= 0``).
            generator: The random number generator to draw from.

        Returns:
            A float32 tensor of shape ``(n, dim)``.
        """
        u = _draw_uniform(n, self.dim, generator)
        if self.low == 0.0 and self.high == 1.0:
            return u
        return torch.clamp(self.low + u * (self.high - self.low), self._min, self._max)

    def __repr__(self) -> str:
        return f"UniformNoise({self.dim}, low={self.low}, high={self.high})"


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
        self.value: float = _check_finite("value", value)

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return ``n`` copies of the constant vector; ``generator`` is not drawn from.

        Args:
            n: How many to return (``n >= 0``).
            generator: Accepted for the :class:`tinygan.DataSource` protocol; unused.

        Returns:
            A float32 tensor of shape ``(n, dim)``.
        """
        n = check_int("n", n, minimum=0)
        _check_generator(generator)
        return torch.full((n, self.dim), self.value, dtype=torch.float32)

    def __repr__(self) -> str:
        return f"ConstantNoise({self.dim}, value={self.value})"
