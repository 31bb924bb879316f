"""The native kernel: an ensemble's iterations in C, hundreds per call.

``native_kernel.c`` trains ``K`` members' MLP GANs (:class:`tinygan.MLP` shapes with any
of the fused path's activations, with or without biases) for many iterations in one
call, members last, with the post's three steps per iteration, plain SGD or Adam, and
the MSE or BCE loss. Nothing crosses into Python between iterations, and the call
releases the GIL; members are split over threads.

The members' data comes in one of three ways. Where the sources are the library's
fuzzy patterns and uniform noise (``tinygan.engine.streams.affine``), the kernel
draws each member's uniforms from that member's own mt19937 generator itself, exactly as
``torch.rand`` would (:mod:`tinygan.engine.mt_states`), and maps them as the source's
``sample`` does; otherwise it takes buffered uniforms or samples. Either way member
``k`` sees the numbers its lone trainer would.

Its arithmetic is the fused step's (:mod:`tinygan.engine.fused`), written for vector
registers, with its own exponential and logarithm: results agree with the eager step
within float tolerance, not bit for bit. Building and caching the kernel:
``tinygan.engine.native_build``.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import torch

from tinygan.engine import fused
from tinygan.engine.chunk_records import BlockRecords, RecordQueue
from tinygan.engine.native_build import NativeKernelError, cache_dir, draw, load_kernel
from tinygan.engine.native_job import (
    Job,
    check_tensor,
    make_job,
    net_struct,
    param_shapes,
    pointers,
    supports,
)
from tinygan.protocols import StepRecord

__all__ = [
    "MAX_CALL",
    "OUTPUT_BYTES",
    "NativeKernelError",
    "NativeRunner",
    "NativeStream",
    "cache_dir",
    "draw",
    "forward",
    "load_kernel",
    "supports",
]

MAX_CALL = 512
"""The most iterations one kernel call computes ahead."""

OUTPUT_BYTES = 64 * 2**20
"""The most memory one call's outputs (losses and generator outputs) may take: big
batches or wide outputs get fewer iterations per call."""


class NativeStream(Protocol):
    """Where :class:`NativeRunner` takes its members' data from (an ensemble's, in practice).

    Attributes:
        maps: The sources' ``(shift, scale, low, high)`` per value of an iteration, or
            ``None`` if they are not affine maps of uniforms.
    """

    maps: Sequence[torch.Tensor] | None

    def kernel_states(self, k: int) -> torch.Tensor | None:
        """The generators' states for the kernel to draw ``k`` iterations, or ``None``."""
        ...

    def available(self) -> int:
        """How many drawn iterations wait (refilling first if none)."""
        ...

    def draw_raw(self, k: int) -> tuple[bool, list[torch.Tensor]]:
        """``k`` drawn iterations: ``(True, [uniforms])`` or ``(False, parts)``."""
        ...

    def mark(self) -> Any:
        """Remember the position."""
        ...

    def rewind(self, mark: Any, done: int) -> None:
        """Return to ``mark``, then move past ``done`` iterations."""
        ...


class NativeRunner(RecordQueue):
    """Runs an ensemble's iterations through the native kernel and hands out their records.

    The counterpart of ``tinygan.engine.compiled.ChunkRunner`` for
    :class:`tinygan.EnsembleTrainer`: ``run`` computes up to :data:`MAX_CALL` iterations
    in one call and returns the first one's record, ``pop`` the following ones, and
    ``finish`` undoes computed iterations never handed out (restoring the state from
    before the call and recomputing the handed-out ones from the same data).

    Args:
        g_spec: The generators' shape.
        d_spec: The discriminators' shape.
        kind: The loss, ``"mse"`` or ``"bce"``.
        optimizer: ``"sgd"`` or ``"adam"`` (:class:`torch.optim.Adam`'s defaults but
            the learning rate).
        threads: How many threads share a call's members.
        batch_size: Samples per step and member (to keep a call's outputs within
            :data:`OUTPUT_BYTES`).

    Raises:
        NativeKernelError: If the kernel cannot be built here or does not cover these
            networks.
    """

    def __init__(
        self,
        g_spec: fused.NetSpec,
        d_spec: fused.NetSpec,
        kind: str,
        optimizer: str = "sgd",
        threads: int = 1,
        batch_size: int = 1,
    ) -> None:
        if not supports(g_spec, d_spec, kind, optimizer):
            raise NativeKernelError("the native kernel does not cover these networks")
        self._lib = load_kernel()
        self.lanes = int(self._lib.tg_lanes())
        self.g_spec, self.d_spec = g_spec, d_spec
        self.kind, self.optimizer = kind, optimizer
        self.threads = max(1, threads)
        self.batch_size = batch_size
        super().__init__()
        self._redo: tuple[Any, ...] | None = None

    def run(
        self,
        state: Sequence[torch.Tensor],
        lrs: tuple[float, float],
        adam_steps: tuple[int, int],
        count: int,
        stream: NativeStream,
        members: int | None = None,
    ) -> StepRecord:
        """Compute the next ``count`` iterations (at most :data:`MAX_CALL`).

        Args:
            state: The generators' then the discriminators' stacked parameters, members
                last (then, for Adam, their first and second moments in the same order).
            lrs: The generators' and the discriminators' learning rates.
            adam_steps: The generators' and the discriminators' update counts so far.
            count: How many iterations, at least 1.
            stream: Where the data comes from.
            members: How many members the records show (the rest is padding); ``None``:
                all ``K``.

        Returns:
            The first computed iteration's record: losses of shape ``(members,)`` and
            the generators' outputs ``(members, n, dim)``, as
            :class:`tinygan.EnsembleTrainer` hands them out.
        """
        k = state[0].shape[-1]
        per_iteration = 4 * k * (3 + self.batch_size * self.g_spec.sizes[-1])
        count = max(1, min(count, MAX_CALL, OUTPUT_BYTES // per_iteration))
        mark = stream.mark()
        generators = stream.kernel_states(count)
        if generators is not None:  # the kernel draws from the members' generators
            data: Sequence[torch.Tensor] = [generators]
            maps = stream.maps
            state = [*state, generators]
        else:
            count = min(count, stream.available())
            raw, data = stream.draw_raw(count)
            data = data if raw else [part.contiguous() for part in data]
            maps = stream.maps if raw else None
        snapshot = [t.clone() for t in state] if count > 1 else []
        try:
            losses, fakes = self._call(state, lrs, adam_steps, data, maps, count)
        except Exception:  # raised before the kernel changed anything
            stream.rewind(mark, 0)
            raise
        if count > 1:
            self._redo = (snapshot, mark, data, maps, lrs, adam_steps, state)
        n = fakes.shape[2] // self.g_spec.sizes[-1]
        shown = k if members is None else members
        self._records = BlockRecords(losses, fakes, shown, (n, self.g_spec.sizes[-1]))
        self._next = 0
        return self.pop()

    def finish(self, state: Sequence[torch.Tensor], stream: NativeStream) -> int:
        """End a ``fit``: undo computed iterations never handed out.

        Returns:
            How many iterations were undone.
        """
        undone = 0
        if self.pending() and self._redo is not None:
            snapshot, mark, data, maps, lrs, adam_steps, state = self._redo
            done = self._next
            undone = len(self._records) - done
            for t, saved in zip(state, snapshot, strict=True):
                t.copy_(saved)  # with the generators' states, if the kernel drew
            if done:
                drew = data[0].dtype == torch.int32
                cut = data if drew else [part[:, :done] if maps else part[:done] for part in data]
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
        """One kernel call of ``count`` iterations (arguments as :func:`make_job`'s).

        Returns:
            The losses and the generators' outputs, block by block of members (see
            :class:`tinygan.engine.chunk_records.BlockRecords`).
        """
        job, keep, losses, fakes = make_job(
            self.g_spec, self.d_spec, self.kind, self.optimizer,
            state, lrs, adam_steps, data, maps, count,
        )  # fmt: skip
        drew = bool(job.generators)  # no thread waits for data: all of them train
        k = losses.shape[0] * losses.shape[-1]
        self._launch(job, k, self.threads if drew else max(1, self.threads - 1))
        del keep
        return losses, fakes

    def _launch(self, job: Job, k: int, threads: int) -> None:
        """Run the job, its members split over ``threads`` threads."""
        blocks = k // self.lanes
        threads = min(threads, blocks)
        bounds = [self.lanes * (blocks * i // threads) for i in range(threads + 1)]
        if threads == 1:
            codes = [self._lib.tg_train(ctypes.addressof(job), 0, k)]
        else:
            codes = [0] * threads

            def work(i: int) -> None:
                codes[i] = self._lib.tg_train(ctypes.addressof(job), bounds[i], bounds[i + 1])

            workers = [threading.Thread(target=work, args=(i,)) for i in range(1, threads)]
            for w in workers:
                w.start()
            work(0)
            for w in workers:
                w.join()
        if any(codes):
            raise MemoryError("native kernel: out of memory for its scratch space")


def forward(spec: fused.NetSpec, params: Sequence[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """Run stacked networks forward in the kernel: ``x (n, in, K)`` to ``(n, out, K)``.

    The kernel's arithmetic (within float tolerance of
    :func:`tinygan.engine.fused.forward`'s), on float32 stacks with ``K`` a multiple of
    16, members last.

    Raises:
        NativeKernelError: If the kernel cannot be built here.
        ValueError: If a tensor does not fit ``spec``.
    """
    lib = load_kernel()
    k = x.shape[-1]
    shapes = param_shapes(spec, k)
    if len(params) != len(shapes) or k % int(lib.tg_lanes()):
        raise ValueError(f"native forward: {len(params)} stacks of {k} members do not fit")
    for i, (t, shape) in enumerate(zip(params, shapes, strict=True)):
        check_tensor(f"native forward's params[{i}]", t, shape)
    check_tensor("native forward's x", x, (x.shape[0], spec.sizes[0], k))
    out = torch.empty((x.shape[0], spec.sizes[-1], k))
    net, table = net_struct(spec), pointers(list(params))
    if lib.tg_forward(ctypes.addressof(net), table, k, x.shape[0], x.data_ptr(), out.data_ptr()):
        raise MemoryError("native kernel: out of memory")
    return out
