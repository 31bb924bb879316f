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

__all__ = ["BlockRecords", "ChunkRecords", "RecordQueue", "chunk_records"]


class _LazyRecords(Sequence[StepRecord]):
    """A sequence of records, each made by :meth:`_record` when it is asked for."""

    def _record(self, index: int) -> StepRecord:
        raise NotImplementedError

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
        return self._record(index % count)


class RecordQueue:
    """The records of computed iterations, handed out one per iteration.

    The base of the runners that compute many iterations per call
    (``ChunkRunner`` (``tinygan.engine.compiled``), :class:`~tinygan.engine.native.NativeRunner`):
    each call stores its records in ``_records`` and sets ``_next`` to 0.
    """

    def __init__(self) -> None:
        self._records: Sequence[StepRecord] = []
        self._next = 0

    @property
    def computed(self) -> int:
        """How many iterations the last call computed."""
        return len(self._records)

    def pending(self) -> bool:
        """Whether computed iterations wait to be handed out."""
        return self._next < len(self._records)

    def pop(self) -> StepRecord:
        """Hand out the next computed iteration's record."""
        record = self._records[self._next]
        self._next += 1
        return record


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


class ChunkRecords(_LazyRecords):
    """The records of a chunk's iterations, each made when it is asked for.

    Made on demand, a record that no callback keeps is freed at once, so a long ``fit``
    does not pile up objects for the garbage collector to walk.
    """

    def __init__(self, losses: torch.Tensor, fakes: torch.Tensor) -> None:
        self._losses = losses
        self._fakes = fakes

    def __len__(self) -> int:
        return int(self._losses.shape[0])

    def _record(self, index: int) -> StepRecord:
        return _ChunkRecord(self._losses, self._fakes, index)


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


class _BlockRecord(StepRecord):
    """One iteration's record of outputs stored block by block of members (see below)."""

    _records: BlockRecords
    _index: int

    def __init__(self, records: BlockRecords, index: int) -> None:
        object.__setattr__(self, "_records", records)
        object.__setattr__(self, "_index", index)

    def _loss(self, which: int) -> torch.Tensor:
        records = self._records
        return records.losses[:, self._index, which].reshape(-1)[: records.members]

    @property
    def d_loss_real(self) -> torch.Tensor:
        return self._loss(0)

    @property
    def d_loss_fake(self) -> torch.Tensor:
        return self._loss(1)

    @property
    def g_loss(self) -> torch.Tensor:
        return self._loss(2)

    @property
    def fake(self) -> torch.Tensor:
        records = self._records
        blocks, _, _, lanes = records.fakes.shape
        block = records.fakes[:, self._index].reshape(blocks, *records.sample_shape, lanes)
        by_member = block.movedim(-1, 1).reshape(blocks * lanes, *records.sample_shape)
        return by_member[: records.members]


class BlockRecords(_LazyRecords):
    """The records of iterations whose outputs were written block by block of members.

    The native kernel writes each block of members' outputs as one contiguous stretch:
    losses ``(blocks, count, 3, lanes)`` and generator outputs ``(blocks, count, n * dim,
    lanes)``. A record's fields (``(members,)`` losses, a ``(members, n, dim)`` output)
    are gathered from them when read.

    Args:
        losses: The losses, as above.
        fakes: The generators' outputs, as above.
        members: How many members are real (the rest is padding).
        sample_shape: ``(n, dim)``: one member's output in one iteration.
    """

    def __init__(
        self, losses: torch.Tensor, fakes: torch.Tensor, members: int, sample_shape: tuple[int, int]
    ) -> None:
        self.losses = losses
        self.fakes = fakes
        self.members = members
        self.sample_shape = sample_shape

    def __len__(self) -> int:
        return int(self.losses.shape[1])

    def _record(self, index: int) -> StepRecord:
        return _BlockRecord(self, index)
