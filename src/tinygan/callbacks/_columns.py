"""Per-iteration tensors kept by logging callbacks: checked, stacked in blocks, saved.

Private to :mod:`tinygan.callbacks`: the loss logger, the snapshots and the file loggers
keep what each iteration hands them here, without a host synchronisation per step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

__all__ = ["Column", "check_reference", "stack", "steps_list", "to_array", "unstack"]


def check_reference(reference: Sequence[float] | torch.Tensor | None) -> torch.Tensor | None:
    """Return a logger's ``reference`` output as a float32 vector (``None`` stays ``None``).

    Raises:
        TypeError: If ``reference`` is not a sequence of numbers or a tensor.
        ValueError: If it is not a non-empty 1-d sequence of finite numbers.
    """
    if reference is None:
        return None
    try:
        ref = torch.as_tensor(reference, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise TypeError(
            f"reference must be a sequence of numbers or a tensor, got {reference!r}"
        ) from exc
    if ref.dim() != 1 or ref.numel() == 0 or not bool(torch.isfinite(ref).all()):
        raise ValueError(
            f"reference must be a non-empty 1-d sequence of finite numbers, got {reference!r}"
        )
    return ref


class Column:
    """Per-iteration tensors, stacked into small blocks as they come.

    A long run logs tens of thousands of small tensors; kept one by one, each stays an
    object for Python's garbage collector to walk through, again and again, and keeps
    its own memory, which costs more than the step itself on the fused path. So every
    :attr:`BLOCK` rows are stacked into one tensor (soon, while the memory is still in
    the cache), and every 64 blocks into one bigger block.
    """

    BLOCK = 16
    __slots__ = ("_blocks", "_rows", "_small")

    def __init__(self, rows: Sequence[torch.Tensor] = ()) -> None:
        self._blocks: list[torch.Tensor] = []
        self._small: list[torch.Tensor] = []
        self._rows: list[torch.Tensor] = list(rows)

    def append(self, row: torch.Tensor) -> None:
        rows = self._rows
        rows.append(row)
        if len(rows) >= self.BLOCK:
            try:
                block = torch.stack(rows)
            except RuntimeError:  # rows of different shapes stay rows
                return
            self._rows = []
            small = self._small
            small.append(block)
            if len(small) >= 64:
                self._blocks.append(torch.cat(small))
                self._small = []

    def __len__(self) -> int:
        blocks = (*self._blocks, *self._small)
        return sum(block.shape[0] for block in blocks) + len(self._rows)

    def stacked(self) -> torch.Tensor:
        """All rows stacked into one tensor (raises if there are none)."""
        parts = [*self._blocks, *self._small]
        if self._rows:
            parts.append(torch.stack(self._rows))
        return parts[0] if len(parts) == 1 else torch.cat(parts)


def stack(values: Column | list[torch.Tensor]) -> torch.Tensor:
    """The tensors stacked into one (an empty tensor for none), for a state dict."""
    if not len(values):
        return torch.zeros(0)
    if isinstance(values, Column):
        return values.stacked().detach()
    return torch.stack(values).detach()


def unstack(name: str, value: Any) -> list[torch.Tensor]:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"state[{name!r}] must be a tensor, got {type(value).__name__}")
    return [] if value.numel() == 0 and value.dim() == 1 else list(value.unbind(0))


def steps_list(value: Any) -> list[int]:
    if not isinstance(value, torch.Tensor) or value.dim() != 1:
        raise TypeError("state['steps'] must be a 1-d tensor of iteration numbers")
    return [int(step) for step in value.tolist()]


def to_array(values: Column | list[torch.Tensor]) -> np.ndarray:
    if not len(values):
        return np.zeros(0, dtype=np.float32)
    return stack(values).cpu().numpy().astype(np.float32, copy=False)
