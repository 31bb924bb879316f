"""Running many iterations per kernel call, and handing out their records one by one.

:class:`NativeRunner` serves both an ensemble (``K`` members) and a lone trainer (one
member in a block of 16): it computes up to :data:`MAX_CALL` iterations in one call,
hands their records out one per iteration, and, when a ``fit`` ends before all were
handed out (an exception, ``stop()``), puts the state and the data stream back where the
last handed-out iteration left them, by recomputing exactly those iterations. The
records (:class:`BlockRecords`) make their tensors, views of the call's outputs, only
when read, so a record that no callback keeps costs nothing and is freed at once.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, Protocol

import torch

from tinygan.engine import fused
from tinygan.engine.native import Kernel, NativeKernelError, supports
from tinygan.engine.native.job import make_job
from tinygan.protocols import StepRecord

__all__ = ["MAX_CALL", "OUTPUT_BYTES", "BlockRecords", "NativeRunner", "NativeStream"]

MAX_CALL = 512
"""The most iterations one kernel call computes ahead."""

OUTPUT_BYTES = 64 * 2**20
"""The most memory one call's outputs (losses and generator outputs) may take: big
batches or wide outputs get fewer iterations per call."""


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


class NativeStream(Protocol):
    """Where :class:`NativeRunner` takes its members' data from.

    ``maps`` holds the sources' ``(shift, scale, low, high)`` per uniform of an
    iteration (:func:`tinygan.engine.streams.iteration_maps`), or ``None``.
    """

    @property
    def maps(self) -> Sequence[torch.Tensor] | None:
        """The sources' maps per uniform of an iteration, or ``None``."""
        ...

    def kernel_states(self, k: int) -> torch.Tensor | None:
        """The generators' states for the kernel to draw ``k`` iterations, or ``None``."""
        ...

    def available(self) -> int:
        """How many drawn iterations wait (drawing some first if none)."""
        ...

    def draw(self, k: int) -> list[torch.Tensor]:
        """``k`` drawn iterations' samples, each part ``(k, n, dim, K)``."""
        ...

    def mark(self) -> Any:
        """Remember the position."""
        ...

    def rewind(self, mark: Any, done: int) -> None:
        """Return to ``mark``, then move past ``done`` iterations."""
        ...


class NativeRunner:
    """Runs iterations through the native kernel and hands out their records.

    Args:
        kernel: The loaded kernel.
        g_spec: The generators' shape.
        d_spec: The discriminators' shape.
        kind: The loss, ``"mse"`` or ``"bce"``.
        optimizer: ``"sgd"`` or ``"adam"``.
        threads: How many threads share a call's blocks of members.
        batch_size: Samples per step and member (to keep a call's outputs within
            :data:`OUTPUT_BYTES`).

    Raises:
        NativeKernelError: If the kernel does not cover these networks.
    """

    def __init__(
        self,
        kernel: Kernel,
        g_spec: fused.NetSpec,
        d_spec: fused.NetSpec,
        kind: str,
        optimizer: str = "sgd",
        threads: int = 1,
        batch_size: int = 1,
    ) -> None:
        reason = supports(g_spec, d_spec, kind, optimizer)
        if reason is not None:
            raise NativeKernelError(reason)
        self.kernel = kernel
        self._records: BlockRecords | list[StepRecord] = []
        self._next = 0
        self.g_spec, self.d_spec = g_spec, d_spec
        self.kind, self.optimizer = kind, optimizer
        self.threads = max(1, threads)
        self.batch_size = batch_size
        self._redo: tuple[Any, ...] | None = None

    @property
    def computed(self) -> int:
        """How many iterations the last call computed."""
        return len(self._records)

    def pending(self) -> bool:
        """Whether computed iterations wait to be handed out."""
        return self._next < len(self._records)

    def pop(self) -> StepRecord:
        """Hand out the next computed iteration's record."""
        self._next += 1
        return self._records[self._next - 1]

    def run(
        self,
        state: Sequence[torch.Tensor],
        lrs: tuple[float, float],
        adam_steps: tuple[int, int],
        count: int,
        stream: NativeStream,
        members: int | None = None,
    ) -> StepRecord:
        """Compute the next ``count`` iterations (at most :data:`MAX_CALL`) in one call.

        Args:
            state: The generators' then the discriminators' stacked parameters, members
                last (then, for Adam, their first and second moments in the same order).
            lrs: The generators' and the discriminators' learning rates.
            adam_steps: The generators' and the discriminators' update counts so far.
            count: How many iterations, at least 1.
            stream: Where the data comes from.
            members: How many members the records show (the rest is padding); ``None``:
                one, as a lone trainer's records (0-d losses, an ``(n, dim)`` output).

        Returns:
            The first computed iteration's record: losses of shape ``(members,)`` and the
            generators' outputs ``(members, n, dim)`` (or a lone trainer's).

        Raises:
            Exception: Whatever the call raised; ``state`` and ``stream`` are then as
                they were (the kernel fails before it changes anything).
        """
        k = state[0].shape[-1]
        per_iteration = 4 * k * (3 + self.batch_size * self.g_spec.sizes[-1])
        count = max(1, min(count, MAX_CALL, OUTPUT_BYTES // per_iteration))
        mark = stream.mark()
        generators = stream.kernel_states(count)
        everything = list(state)
        if generators is not None:  # the kernel draws from the members' generators
            data: list[torch.Tensor] = [generators]
            maps = stream.maps
            everything.append(generators)
        else:
            count = min(count, stream.available())
            data = [part.contiguous() for part in stream.draw(count)]
            maps = None
        snapshot = [t.clone() for t in everything] if count > 1 else []
        try:
            losses, fakes = self._call(state, lrs, adam_steps, data, maps, count)
        except Exception:
            stream.rewind(mark, 0)
            raise
        if count > 1:
            self._redo = (snapshot, everything, mark, data, maps, lrs, adam_steps, list(state))
        n = fakes.shape[2] // self.g_spec.sizes[-1]
        shape = (n, self.g_spec.sizes[-1])
        self._records = BlockRecords(losses, fakes, members or 1, shape, lone=members is None)
        self._next = 0
        return self.pop()

    def finish(self, stream: NativeStream) -> int:
        """End a ``fit``: undo computed iterations never handed out.

        Returns:
            How many iterations were undone.
        """
        undone = 0
        if self.pending() and self._redo is not None:
            snapshot, everything, mark, data, maps, lrs, adam_steps, state = self._redo
            done = self._next
            undone = len(self._records) - done
            for t, saved in zip(everything, snapshot, strict=True):
                t.copy_(saved)  # the generators' states too, where the kernel drew
            if done:
                cut = data if maps is not None else [part[:done] for part in data]
                self._call(state, lrs, adam_steps, cut, maps, done)
            stream.rewind(mark, done)
        self._records = []
        self._next = 0
        self._redo = None
        return undone

    def _call(
        self,
        state: Sequence[torch.Tensor],
        lrs: tuple[float, float],
        adam_steps: tuple[int, int],
        data: Sequence[torch.Tensor],
        maps: Sequence[torch.Tensor] | None,
        count: int,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """One kernel call of ``count`` iterations (arguments as :func:`make_job`'s)."""
        job, keep, losses, fakes = make_job(
            self.g_spec, self.d_spec, self.kind, self.optimizer,
            state, lrs, adam_steps, data, maps, count,
        )  # fmt: skip
        self.kernel.train(job, losses.shape[0] * losses.shape[-1], self.threads)
        del keep
        return losses, fakes
