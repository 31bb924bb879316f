"""A chunk's records: one :class:`~tinygan.StepRecord` per iteration of many computed at once.

The compiled and native steps compute many iterations per call and return their losses
and the generators' outputs as whole tensors; the training loop hands the callbacks one
record per iteration. These records make their tensors (views) only when read.
"""

from __future__ import annotations

import torch

from tinygan.protocols import StepRecord

__all__ = ["chunk_records"]


class _ChunkRecord(StepRecord):
    """One iteration's record of a chunk's results: its tensors are views made when read.

    A chunk of hundreds of iterations would otherwise make four views per iteration up
    front (microseconds each), though callbacks often read none of them.
    """

    _losses: torch.Tensor
    _fakes: torch.Tensor
    _index: int

    def __init__(self, losses: torch.Tensor, fakes: torch.Tensor, index: int) -> None:
        object.__setattr__(self, "_losses", losses)
        object.__setattr__(self, "_fakes", fakes)
        object.__setattr__(self, "_index", index)

    @property
    def d_loss_real(self) -> torch.Tensor:
        return self._losses[self._index, 0]

    @property
    def d_loss_fake(self) -> torch.Tensor:
        return self._losses[self._index, 1]

    @property
    def g_loss(self) -> torch.Tensor:
        return self._losses[self._index, 2]

    @property
    def fake(self) -> torch.Tensor:
        return self._fakes[self._index]


def chunk_records(losses: torch.Tensor, fakes: torch.Tensor) -> list[StepRecord]:
    """One :class:`~tinygan.StepRecord` per iteration of a compiled chunk's results.

    Args:
        losses: ``(count, 3, ...)``: D on real, D on fake and G, per iteration.
        fakes: ``(count, ...)``: the generator's output, per iteration.

    Returns:
        ``count`` records whose fields are views of those tensors (made when read).
    """
    return [_ChunkRecord(losses, fakes, i) for i in range(losses.shape[0])]
