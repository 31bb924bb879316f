"""``compile=True``: chunks of fused adversarial steps run through :func:`torch.compile`.

One compiled call runs a chunk of :data:`CHUNK` iterations, unrolled, so that the cost of
calling compiled code (guards, wrappers: tens of microseconds, far more than a step's
arithmetic) is paid once per chunk. A 0/1 mask says which of the chunk's iterations take
effect: a masked-out iteration is computed but changes nothing (``torch.where`` keeps the
old weights exactly). Iteration ``i`` of a run is always computed at position
``i % CHUNK`` of the same compiled code, whatever the mask, so the numbers do not depend
on how ``fit`` calls split the run, nor on how many iterations a call lets take effect.

The step is written for the compiler: matrix products as broadcast multiplies and sums
(Inductor fuses them into a few C++ loops), learning rates as 0-d tensors (a scheduler
changing them does not recompile), static shapes (``dynamic=False``), one graph
(``fullgraph=True``) and Inductor's C++ wrapper (fewer Python calls per chunk).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import torch

from tinygan.engine import fused
from tinygan.engine.chunk_records import RecordQueue, chunk_records
from tinygan.engine.compiled_chunk import CHUNK, adam_factors, compiled_chunk
from tinygan.protocols import StepRecord

__all__ = [
    "CHUNK",
    "ChunkRunner",
    "Stream",
    "adam_factors",
    "chunk_records",
    "compiled_chunk",
    "warn_compile_failed",
]

_CACHE: dict[tuple[Any, ...], Callable[..., Any]] = {}


def warn_compile_failed(exc: Exception, stacklevel: int) -> None:
    """The one :class:`RuntimeWarning` of a trainer whose compiled step failed with ``exc``.

    ``stacklevel`` counts from the caller, as for :func:`warnings.warn`.
    """
    warnings.warn(
        f"compile=True: torch.compile failed ({type(exc).__name__}: {exc}); "
        "training goes on with the same step, uncompiled",
        RuntimeWarning,
        stacklevel=stacklevel + 1,
    )


class Stream(Protocol):
    """Where a compiled chunk's data comes from, and how to put it back.

    ``draw(k)`` returns ``k`` iterations' data (real, noise for the fake batch, noise for
    the generator step), each with a leading iteration dimension; ``mark()`` remembers
    the stream's position and ``rewind(mark, done)`` returns to it, then moves past
    ``done`` iterations.
    """

    def draw(self, k: int) -> list[torch.Tensor]:
        """Return the next ``k`` iterations' data."""
        ...

    def mark(self) -> Any:
        """Remember the stream's position."""
        ...

    def rewind(self, mark: Any, done: int) -> None:
        """Return to ``mark``, then move past ``done`` iterations."""
        ...


class _RngStream:
    """A single trainer's data: drawn from its ``rng`` on demand."""

    def __init__(self, rng: torch.Generator, draw: Callable[[int], list[torch.Tensor]]) -> None:
        self.rng = rng
        self.draw = draw

    def mark(self) -> torch.Tensor:
        return self.rng.get_state()

    def rewind(self, mark: torch.Tensor, done: int) -> None:
        self.rng.set_state(mark)
        if done:
            self.draw(done)


class ChunkRunner(RecordQueue):
    """Runs a trainer's iterations through a compiled chunk and hands out their records.

    ``run`` (or ``run_state``) computes up to a chunk's worth of iterations at once and
    returns the first record; ``pop`` returns the following ones, one per iteration. If a
    ``fit`` ends before every computed iteration was handed out (an exception, ``stop()``),
    ``finish`` (or ``finish_state``) puts the state and the data stream back where the
    last handed-out iteration left them, by recomputing exactly those iterations from the
    chunk's start.

    Args:
        g_spec: The generator's shape.
        d_spec: The discriminator's shape.
        kind: The loss, ``"mse"`` or ``"bce"``.
        optimizer: ``"sgd"`` or ``"adam"`` (see :func:`compiled_chunk`).
        length: Iterations per compiled call.
    """

    def __init__(
        self,
        g_spec: fused.NetSpec,
        d_spec: fused.NetSpec,
        kind: str,
        optimizer: str = "sgd",
        length: int = CHUNK,
    ) -> None:
        self.key = (g_spec, d_spec, kind)
        self.length = length
        cache_key = (g_spec, d_spec, kind, optimizer, length)
        fn = _CACHE.get(cache_key)
        if fn is None:  # one compiled function per shape, loss and optimiser, shared
            fn = _CACHE[cache_key] = compiled_chunk(g_spec, d_spec, kind, optimizer, length)
        self._fn = fn
        self._lrs = (torch.zeros(()), torch.zeros(()))
        self._lr_values = (float("nan"), float("nan"))
        super().__init__()
        self._redo: tuple[Any, ...] | None = None
        self._masks: dict[tuple[int, int, torch.device], torch.Tensor] = {}

    def _mask(self, start: int, count: int, device: torch.device) -> torch.Tensor:
        """The chunk's mask with positions ``start .. start + count - 1`` on (kept)."""
        mask = self._masks.get((start, count, device))
        if mask is None:
            mask = torch.zeros(self.length, dtype=torch.bool, device=device)
            mask[start : start + count] = True
            self._masks[start, count, device] = mask
        return mask

    def lr_tensors(self, lrs: tuple[float, float]) -> tuple[torch.Tensor, torch.Tensor]:
        """The learning rates as 0-d tensors (made again only when they change)."""
        if self._lr_values != lrs:
            self._lrs = (torch.tensor(lrs[0]), torch.tensor(lrs[1]))
            self._lr_values = lrs
        return self._lrs

    def run(
        self,
        trainer: Any,
        params: list[torch.Tensor],
        lrs: tuple[float, float],
        count: int,
        draw: Callable[[int], list[torch.Tensor]],
    ) -> StepRecord:
        """Compute a single trainer's next ``count`` iterations (within one chunk).

        Args:
            trainer: The trainer (its ``iteration`` and ``rng``).
            params: The generator's then the discriminator's parameters.
            lrs: The generator's and the discriminator's learning rates.
            count: How many iterations to compute, at least 1.
            draw: ``draw(k)`` draws ``k`` iterations' data from ``trainer.rng``.

        Returns:
            The first computed iteration's record.

        Raises:
            Exception: Whatever compiling or running the chunk raised; the weights and
                ``trainer.rng`` are then as they were.
        """
        stream = _RngStream(trainer.rng, draw)
        scalars = list(self.lr_tensors(lrs))
        return self.run_state(trainer.iteration, params, scalars, count, stream)

    def run_state(
        self,
        iteration: int,
        state: list[torch.Tensor],
        scalars: Sequence[torch.Tensor] | Callable[[int, int], Sequence[torch.Tensor]],
        count: int,
        stream: Stream,
        make_records: Callable[[torch.Tensor, torch.Tensor], Sequence[StepRecord]] = chunk_records,
    ) -> StepRecord:
        """Compute the iterations from ``iteration`` on: ``count`` of them, within its chunk.

        Args:
            iteration: The number of iterations done so far.
            state: The tensors the compiled function updates in place.
            scalars: Its other inputs (learning rates, Adam factors), or a function of
                ``(start, count)`` that returns them.
            count: How many iterations to compute, at least 1.
            stream: Where the data comes from.
            make_records: Builds the records of the computed iterations from their
                losses ``(count, 3, ...)`` (D on real, D on fake, G) and the generator's
                outputs ``(count, ...)``.

        Returns:
            The first computed iteration's record.

        Raises:
            Exception: Whatever compiling or running the chunk raised; ``state`` and
                ``stream`` are then as they were.
        """
        length = self.length
        start = iteration % length
        count = min(count, length - start)
        mark = stream.mark()
        drawn = stream.draw(count)
        if count == length:
            data = [part.contiguous() for part in drawn]
        else:
            data = []
            for part in drawn:
                full = part.new_zeros((length, *part.shape[1:]))
                full[start : start + count] = part
                data.append(full)
        device = state[0].device  # one device for the whole graph (no-ops on the CPU)
        mask = self._mask(start, count, device)
        inputs = [x.to(device) for x in (scalars(start, count) if callable(scalars) else scalars)]
        snapshot = [p.clone() for p in state] if count > 1 else []
        try:
            losses, fakes = self._fn(*state, *inputs, *data, mask)
        except Exception:
            stream.rewind(mark, 0)
            raise
        if count > 1:
            self._redo = (snapshot, mark, data, start, inputs)
        self._records = make_records(losses[start : start + count], fakes[start : start + count])
        self._next = 0
        return self.pop()

    def finish(
        self, trainer: Any, params: list[torch.Tensor], draw: Callable[[int], list[torch.Tensor]]
    ) -> None:
        """End a single trainer's ``fit``: undo computed iterations never handed out."""
        self.finish_state(params, _RngStream(trainer.rng, draw))

    def finish_state(self, state: list[torch.Tensor], stream: Stream) -> int:
        """End a ``fit``: undo computed iterations never handed out.

        Returns:
            How many iterations were undone.
        """
        undone = 0
        if self.pending() and self._redo is not None:
            snapshot, mark, data, start, inputs = self._redo
            done = self._next
            undone = len(self._records) - done
            for p, saved in zip(state, snapshot, strict=True):
                p.copy_(saved)
            if done:
                self._fn(*state, *inputs, *data, self._mask(start, done, state[0].device))
            stream.rewind(mark, done)
        self._records = []
        self._next = 0
        self._redo = None
        return undone
