"""Records of many iterations computed at once, one :class:`~tinygan.StepRecord` each.

The native kernel computes many iterations per call and returns their losses and the
generators' outputs as whole tensors; the training loop hands the callbacks one record
per iteration. These records make their tensors (views) only when read, so a record that
no callback keeps costs nothing and is freed at once.
"""

from __future__ import annotations

import functools

import torch

from tinygan.protocols import StepRecord

__all__ = ["BlockRecords"]


class _BlockRecord(StepRecord):
    """One iteration's record of outputs stored block by block of members (see below).

    Each field is gathered when first read, then kept (callbacks and the finiteness
    check often read the same field twice).
    """

    _records: BlockRecords
    _index: int

    def __init__(self, records: BlockRecords, index: int) -> None:
        object.__setattr__(self, "_records", records)
        object.__setattr__(self, "_index", index)

    def _loss(self, which: int) -> torch.Tensor:
        records = self._records
        if records.lone:
            return records.losses[0, self._index, which, 0]
        return records.losses[:, self._index, which].reshape(-1)[: records.members]

    @functools.cached_property
    def d_loss_real(self) -> torch.Tensor:
        return self._loss(0)

    @functools.cached_property
    def d_loss_fake(self) -> torch.Tensor:
        return self._loss(1)

    @functools.cached_property
    def g_loss(self) -> torch.Tensor:
        return self._loss(2)

    @functools.cached_property
    def fake(self) -> torch.Tensor:
        records = self._records
        blocks, _, _, lanes = records.fakes.shape
        block = records.fakes[:, self._index].reshape(blocks, *records.sample_shape, lanes)
        if records.lone:
            return block[0, ..., 0]
        by_member = block.movedim(-1, 1).reshape(blocks * lanes, *records.sample_shape)
        return by_member[: records.members]


class BlockRecords:
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
        lone: The one member is a lone trainer: its records hold 0-d losses and an
            ``(n, dim)`` output, as a lone trainer's step returns them.
    """

    def __init__(
        self,
        losses: torch.Tensor,
        fakes: torch.Tensor,
        members: int,
        sample_shape: tuple[int, int],
        lone: bool = False,
    ) -> None:
        self.losses = losses
        self.fakes = fakes
        self.members = members
        self.sample_shape = sample_shape
        self.lone = lone

    def __len__(self) -> int:
        return int(self.losses.shape[1])

    def __getitem__(self, index: int) -> StepRecord:
        """Iteration ``index``'s record (its fields are gathered when read)."""
        if not 0 <= index < len(self):
            raise IndexError(f"record {index} of a call of {len(self)} iterations")
        return _BlockRecord(self, index)
