"""Small statistics for counting successes: how often does a configuration work?

A sweep trains many seeds and counts how many succeed; the count is a binomial sample,
so a success rate comes with an interval. :func:`wilson_interval` gives the Wilson score
interval, which behaves well for small counts and for rates near 0 or 1 (where the
textbook ``p ± z * sqrt(p (1 - p) / n)`` collapses to a single point).
"""

from __future__ import annotations

import math
import numbers
from statistics import NormalDist

from tinygan._checks import check_int

__all__ = ["wilson_interval"]


def _check_confidence(confidence: object) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise TypeError(f"confidence must be a number in (0, 1), got {confidence!r}")
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"confidence must be a number in (0, 1), got {confidence!r}")
    return float(confidence)


def wilson_interval(successes: int, n: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """Return the Wilson score interval for a binomial proportion ``successes / n``.

    With ``p = successes / n`` and ``z`` the standard normal quantile for
    ``confidence`` (1.96 for 95%), the interval is::

        (p + z²/2n ± z * sqrt(p (1 - p) / n + z²/4n²)) / (1 + z²/n)

    It always holds ``p`` and lies inside ``[0, 1]``; its lower end is exactly 0 when
    ``successes == 0`` and its upper end exactly 1 when ``successes == n``.

    Args:
        successes: How many trials succeeded (``0 <= successes <= n``).
        n: How many trials there were (``n >= 1``).
        confidence: The interval's confidence level, in ``(0, 1)``.

    Returns:
        ``(low, high)``.

    Raises:
        ValueError: If ``n < 1``, ``successes`` is outside ``[0, n]`` or ``confidence``
            is outside ``(0, 1)``.
        TypeError: If an argument has the wrong type.

    Example:
        >>> low, high = wilson_interval(8, 10)
        >>> round(low, 4), round(high, 4)
        (0.4902, 0.9433)
        >>> wilson_interval(0, 10)[0], wilson_interval(10, 10)[1]
        (0.0, 1.0)
    """
    n = check_int("n", n, minimum=1)
    successes = check_int("successes", successes, minimum=0)
    if successes > n:
        raise ValueError(f"successes must be an integer in [0, n] = [0, {n}], got {successes}")
    confidence = _check_confidence(confidence)
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    p = successes / n
    z2n = z * z / n
    centre = (p + z2n / 2.0) / (1.0 + z2n)
    half = z / (1.0 + z2n) * math.sqrt(p * (1.0 - p) / n + z2n / (4.0 * n))
    low = 0.0 if successes == 0 else min(p, max(0.0, centre - half))
    high = 1.0 if successes == n else max(p, min(1.0, centre + half))
    return low, high
