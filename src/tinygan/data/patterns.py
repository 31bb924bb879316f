"""FuzzyPattern: the post's real data, fuzzy 0/1 patterns such as ``1010``."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from tinygan._checks import check_range
from tinygan.data._draw import draw_uniform, float32_inside
from tinygan.data.uniform_map import UniformMap

__all__ = ["FuzzyPattern"]


def _parse_pattern(pattern: str | Sequence[int]) -> tuple[int, ...]:
    expected = "a non-empty string of '0' and '1' characters or a sequence of 0/1 integers"
    if isinstance(pattern, str):
        if not pattern or any(ch not in "01" for ch in pattern):
            raise ValueError(f"pattern must be {expected}, got {pattern!r}")
        return tuple(int(ch) for ch in pattern)
    if getattr(pattern, "ndim", None) == 1 and callable(getattr(pattern, "tolist", None)):
        pattern = pattern.tolist()  # type: ignore[attr-defined]  # a NumPy array or a tensor
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
        pattern: A string such as ``"1010"`` or a sequence such as ``[1, 0, 1, 0]`` (a
            1-d NumPy array or tensor of 0 and 1 too).
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
        inside = [float32_inside(lo, hi) for lo, hi in ranges]
        # Clamp bounds: float32 rounding must never take a sample outside its range.
        self._map = UniformMap(
            len(self.bits),
            self._lower,
            torch.tensor([hi - lo for lo, hi in ranges], dtype=torch.float32),
            torch.tensor([lo for lo, _ in inside], dtype=torch.float32),
            torch.tensor([hi for _, hi in inside], dtype=torch.float32),
        )

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
        return self._lower + 0.5 * self._map.scale

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
        return self._map.apply(draw_uniform(n, self.dim, generator))

    def uniform_map(self) -> UniformMap:
        """How :meth:`sample` makes each value from one uniform (see :class:`tinygan.UniformMap`).

        Value ``j`` is ``clamp(lower[j] + u[j] * (upper[j] - lower[j]))`` within its
        range, so a trainer's many iterations of this source can be drawn at once, or
        by the native kernel itself, with the numbers ``sample`` gives.
        """
        return self._map

    def __repr__(self) -> str:
        return f"FuzzyPattern({self.pattern!r}, high={self.high}, low={self.low})"
