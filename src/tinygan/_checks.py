"""Argument checks that raise errors naming the argument and what was expected."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import torch

__all__ = [
    "FLOAT32_MAX",
    "check_bool",
    "check_callable",
    "check_device",
    "check_int",
    "check_positive_float",
    "check_range",
    "check_seed",
    "check_state_keys",
]


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is a ``bool``.

    Raises:
        TypeError: If ``value`` is not a ``bool`` (``0`` and ``1`` included).
    """
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {value!r}")
    return value


def check_int(name: str, value: Any, *, minimum: int) -> int:
    """Return ``value`` as an ``int`` if it is an integer ``>= minimum``.

    Raises:
        TypeError: If ``value`` is not an integer (``bool`` included).
        ValueError: If ``value < minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


FLOAT32_MAX = 3.4028234663852886e38
"""The largest float32: a setting past it overflows the float32 tensors it scales."""


def check_positive_float(name: str, value: Any) -> float:
    """Return ``value`` as a ``float`` if it is a real number ``> 0``, at most float32's largest.

    Raises:
        TypeError: If ``value`` is not a real number.
        ValueError: If ``value`` is not positive, not finite or past :data:`FLOAT32_MAX`.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive finite number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    if float(value) > FLOAT32_MAX:
        largest = f"{FLOAT32_MAX:.4g} (float32's largest)"
        raise ValueError(f"{name} must be at most {largest}, got {value!r}")
    return float(value)


def check_range(name: str, value: Any) -> tuple[float, float]:
    """Return ``value`` as ``(low, high)`` if it is a pair of finite numbers, low <= high.

    Raises:
        TypeError: If ``value`` is not a pair of real numbers.
        ValueError: If an end is not finite or the pair is reversed.
    """
    expected = "a pair (low, high) of finite numbers with low <= high"
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise TypeError(f"{name} must be {expected}, got {value!r}")
    low, high = value
    for end in (low, high):
        if isinstance(end, bool) or not isinstance(end, numbers.Real):
            raise TypeError(f"{name} must be {expected}, got {value!r}")
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"{name} must be {expected}, got {value!r} (not finite)")
    if low > high:
        raise ValueError(f"{name} must be {expected}, got {value!r} (reversed)")
    return float(low), float(high)


def check_seed(name: str, value: Any) -> int:
    """Return ``value`` as an ``int`` if it is an integer seed in ``[0, 2**64)``.

    Raises:
        TypeError: If ``value`` is not an integer (``bool`` included).
        ValueError: If it is out of range.
    """
    what = "integers" if name.endswith("s") else "an integer"  # "seeds" names each one
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {what}, got {value!r}")
    if not 0 <= int(value) < 2**64:
        raise ValueError(f"{name} must be {what} in [0, 2**64), got {value!r}")
    return int(value)


def check_callable(name: str, value: Any, expected: str) -> None:
    """Raise ``TypeError`` naming ``name`` unless ``value`` is callable."""
    if not callable(value):
        raise TypeError(f"{name} must be {expected}, got {value!r}")


def check_state_keys(what: str, state: Mapping[str, Any], keys: Iterable[str]) -> None:
    """Raise ``KeyError`` naming ``what`` and every key of ``keys`` that ``state`` lacks.

    >>> check_state_keys("trainer", {"rng": 0}, ["iteration", "rng", "generator"])
    Traceback (most recent call last):
        ...
    KeyError: "trainer state lacks ['iteration', 'generator']"
    """
    missing = [key for key in keys if key not in state]
    if missing:
        raise KeyError(f"{what} state lacks {missing}")


def check_device(name: str, value: Any, *, here: bool = True) -> torch.device | None:
    """Return ``value`` as a :class:`torch.device` (``None`` stays ``None``).

    With ``here=False`` only the name is checked: a configuration may name a device of
    another machine (a cluster's workers).

    Raises:
        TypeError: If ``value`` is not a device, a device name or ``None``.
        ValueError: If it names no device, or (``here``) a CUDA device where none is
            available.
    """
    if value is None:
        return None
    if not isinstance(value, (str, torch.device)):
        raise TypeError(
            f"{name} must be a torch.device, a name such as 'cpu', or None; got {value!r}"
        )
    try:
        device = torch.device(value)
    except RuntimeError as exc:
        raise ValueError(
            f"{name} must name a device, such as 'cpu' or 'cuda:0'; got {value!r}"
        ) from exc
    if here and device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"{name} is {device} but this machine has no CUDA device")
    return device
