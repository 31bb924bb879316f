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

from collections.abc import Callable, Sequence
from typing import Any

import torch

from tinygan import fused
from tinygan.records import StepRecord

__all__ = ["CHUNK", "ChunkRunner", "compiled_chunk"]

CHUNK = 8
"""Iterations per compiled call."""

_CACHE: dict[tuple[fused.NetSpec, fused.NetSpec, str], Callable[..., Any]] = {}


def _masked_sgd(params: list[torch.Tensor], lr: torch.Tensor, on: torch.Tensor) -> fused.Update:
    def update(grads: Sequence[torch.Tensor]) -> None:
        for i, g in enumerate(grads):
            params[i] = torch.where(on, params[i] - g * lr, params[i])

    return update


def compiled_chunk(
    g_spec: fused.NetSpec, d_spec: fused.NetSpec, kind: str
) -> Callable[..., tuple[torch.Tensor, torch.Tensor]]:
    """Return the compiled chunk of adversarial steps for these shapes and this loss.

    The function takes ``(*g_params, *d_params, g_lr, d_lr, real, noise_fake, noise_gen,
    mask)`` with data of shape ``(CHUNK, n, dim)`` and a boolean ``mask`` of shape
    ``(CHUNK,)``, runs the chunk's iterations in order (those masked out change nothing),
    writes the new parameters in place and returns ``(losses, fakes)``: losses
    ``(CHUNK, 3)`` (D on real, D on fake, G) and the generator's outputs
    ``(CHUNK, n, dim)``. Compilation happens at the first call.
    """
    n_g = g_spec.n_params
    n_d = d_spec.n_params

    def chunk(*args: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        g_in, d_in = args[:n_g], args[n_g : n_g + n_d]
        g_lr, d_lr, real, noise_fake, noise_gen, mask = args[n_g + n_d :]
        g_params, d_params = list(g_in), list(d_in)
        losses: list[torch.Tensor] = []
        fakes: list[torch.Tensor] = []
        for t in range(CHUNK):
            on = mask[t]
            out = fused.adversarial_step(
                g_spec,
                d_spec,
                g_params,
                d_params,
                real[t],
                noise_fake[t],
                noise_gen[t],
                kind,
                _masked_sgd(g_params, g_lr, on),
                _masked_sgd(d_params, d_lr, on),
                sums=True,
            )
            losses.append(torch.stack(out[:3]))
            fakes.append(out[3])
        for p, new in zip((*g_in, *d_in), (*g_params, *d_params), strict=True):
            p.copy_(new)
        return torch.stack(losses), torch.stack(fakes)

    return torch.compile(chunk, dynamic=False, fullgraph=True, options={"cpp_wrapper": True})


class ChunkRunner:
    """Runs a trainer's iterations through the compiled chunk and hands out their records.

    ``run`` computes up to a chunk's worth of iterations at once and returns the first
    record; ``pop`` returns the following ones, one per iteration. If a ``fit`` ends
    before every computed iteration was handed out (an exception, ``stop()``), ``finish``
    puts the weights and the trainer's ``rng`` back where the last handed-out iteration
    left them, by recomputing exactly those iterations from the chunk's start.

    Args:
        g_spec: The generator's shape.
        d_spec: The discriminator's shape.
        kind: The loss, ``"mse"`` or ``"bce"``.
    """

    def __init__(self, g_spec: fused.NetSpec, d_spec: fused.NetSpec, kind: str) -> None:
        self.key = (g_spec, d_spec, kind)
        fn = _CACHE.get(self.key)
        if fn is None:  # one compiled function per shape and loss, shared by trainers
            fn = _CACHE[self.key] = compiled_chunk(g_spec, d_spec, kind)
        self._fn = fn
        self._lrs = (torch.zeros(()), torch.zeros(()))
        self._lr_values = (float("nan"), float("nan"))
        self._all = torch.ones(CHUNK, dtype=torch.bool)
        self._records: list[StepRecord] = []
        self._next = 0
        self._redo: tuple[Any, ...] | None = None

    def pending(self) -> bool:
        """Whether computed iterations wait to be handed out."""
        return self._next < len(self._records)

    def pop(self) -> StepRecord:
        """Hand out the next computed iteration's record."""
        record = self._records[self._next]
        self._next += 1
        return record

    def run(
        self,
        trainer: Any,
        params: list[torch.Tensor],
        lrs: tuple[float, float],
        count: int,
        draw: Callable[[int], list[torch.Tensor]],
    ) -> StepRecord:
        """Compute the next ``count`` iterations (within one chunk); return the first record.

        Args:
            trainer: The trainer (its ``iteration`` and ``rng``).
            params: The generator's then the discriminator's parameters.
            lrs: The generator's and the discriminator's learning rates.
            count: How many iterations to compute, at least 1.
            draw: ``draw(k)`` draws ``k`` iterations' data from ``trainer.rng``.

        Raises:
            Exception: Whatever compiling or running the chunk raised; the weights and
                ``trainer.rng`` are then as they were.
        """
        start = trainer.iteration % CHUNK
        count = min(count, CHUNK - start)
        rng_state = trainer.rng.get_state()
        drawn = draw(count)
        if count == CHUNK:
            data = [part.contiguous() for part in drawn]
            mask = self._all
        else:
            data = []
            for part in drawn:
                full = part.new_zeros((CHUNK, *part.shape[1:]))
                full[start : start + count] = part
                data.append(full)
            mask = torch.zeros(CHUNK, dtype=torch.bool)
            mask[start : start + count] = True
        if self._lr_values != lrs:
            self._lrs = (torch.tensor(lrs[0]), torch.tensor(lrs[1]))
            self._lr_values = lrs
        snapshot = [p.clone() for p in params] if count > 1 else []
        try:
            losses, fakes = self._fn(*params, *self._lrs, *data, mask)
        except Exception:
            trainer.rng.set_state(rng_state)
            raise
        if count > 1:
            self._redo = (snapshot, rng_state, data, start, self._lrs)
        d_real, d_fake, g_loss = losses[start : start + count].unbind(1)
        self._records = [
            StepRecord(d_loss_real=a, d_loss_fake=b, g_loss=c, fake=f)
            for a, b, c, f in zip(
                d_real.unbind(0),
                d_fake.unbind(0),
                g_loss.unbind(0),
                fakes[start : start + count].unbind(0),
                strict=True,
            )
        ]
        self._next = 0
        return self.pop()

    def finish(
        self, trainer: Any, params: list[torch.Tensor], draw: Callable[[int], list[torch.Tensor]]
    ) -> None:
        """End a ``fit``: undo computed iterations that were never handed out."""
        if self.pending() and self._redo is not None:
            snapshot, rng_state, data, start, lrs = self._redo
            done = self._next
            for p, saved in zip(params, snapshot, strict=True):
                p.copy_(saved)
            if done:
                mask = torch.zeros(CHUNK, dtype=torch.bool)
                mask[start : start + done] = True
                self._fn(*params, *lrs, *data, mask)
            trainer.rng.set_state(rng_state)
            draw(done)
        self._records = []
        self._next = 0
        self._redo = None
