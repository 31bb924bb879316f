"""A chunk's records: one :class:`~tinygan.StepRecord` per iteration of many computed at once.

The compiled and native steps compute many iterations per call and return their losses
and the generators' outputs as whole tensors; the training loop hands the callbacks one
record per iteration. These records make their tensors (views) only when read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

import torch

from tinygan.protocols import StepRecord

__all__ = ["ChunkRecords", "chunk_records"]


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


class ChunkRecords(Sequence[StepRecord]):
    """The records of a chunk's iterations, each made when it is asked for.

    Made on demand, a record that no callback keeps is freed at once, so a long ``fit``
    does not pile up objects for the garbage collector to walk.
    """

    def __init__(self, losses: torch.Tensor, fakes: torch.Tensor) -> None:
        self._losses = losses
        self._fakes = fakes

    def __len__(self) -> int:
        return int(self._losses.shape[0])

    @overload
    def __getitem__(self, index: int) -> StepRecord: ...

    @overload
    def __getitem__(self, index: slice) -> list[StepRecord]: ...

    def __getitem__(self, index: int | slice) -> StepRecord | list[StepRecord]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        count = len(self)
        if not -count <= index < count:
            raise IndexError(f"record {index} of a chunk of {count}")
        return _ChunkRecord(self._losses, self._fakes, index % count)


def chunk_records(losses: torch.Tensor, fakes: torch.Tensor) -> ChunkRecords:
    """One :class:`~tinygan.StepRecord` per iteration of a compiled chunk's results.

    Args:
        losses: ``(count, 3, ...)``: D on real, D on fake and G, per iteration.
        fakes: ``(count, ...)``: the generator's output, per iteration.

    Returns:
        A sequence of ``count`` records whose fields are views of those tensors (records
        and views are made when read).
    """
    return ChunkRecords(losses, fakes)
