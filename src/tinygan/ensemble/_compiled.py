"""``EnsembleTrainer(..., compile=True)``: the ensemble's step through compiled chunks.

The ensemble's weights (and Adam's moments) are the state a compiled chunk of
:data:`COMPILE_CHUNK` iterations updates in place (see :mod:`tinygan.engine.compiled`); its data
comes from the members' buffer (:class:`tinygan.ensemble._member_data.MemberData`). With callbacks
that look at nothing but their records, a ``fit`` computes up to a chunk ahead; with any
other, one iteration per compiled call. Where compiling fails, one :class:`RuntimeWarning`
and the eager step from then on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from tinygan.callbacks import Callback, LossLogger, Snapshots
from tinygan.protocols import StepRecord

__all__ = ["COMPILE_CHUNK", "CompiledEnsemble", "passive"]

COMPILE_CHUNK = 4
"""Iterations per compiled call of an ensemble: compiling a longer chunk takes longer,
and an ensemble's iteration already costs far more than the call."""


def passive(callbacks: Sequence[Callback]) -> bool:
    """Whether the callbacks look at nothing but their records (then compute ahead).

    That is :class:`tinygan.LossLogger`, :class:`tinygan.Snapshots`, and callbacks whose
    class sets ``reads_records_only = True``.
    """
    return all(
        type(cb) in (LossLogger, Snapshots) or getattr(cb, "reads_records_only", False)
        for cb in callbacks
    )


class _Stream:
    """The members' data as a compiled chunk's stream; rewinding also rewinds Adam's counts."""

    def __init__(self, trainer: Any) -> None:
        self.data = trainer._data
        self.steps = trainer._adam_steps

    @property
    def maps(self) -> Any:
        return self.data.maps

    def draw(self, k: int) -> list[torch.Tensor]:
        return self.data.draw(k)  # type: ignore[no-any-return]

    def draw_raw(self, k: int) -> tuple[bool, list[torch.Tensor]]:
        return self.data.draw_raw(k)  # type: ignore[no-any-return]

    def available(self) -> int:
        return self.data.available()  # type: ignore[no-any-return]

    def kernel_states(self, k: int) -> torch.Tensor | None:
        return self.data.kernel_states(k)  # type: ignore[no-any-return]

    def mark(self) -> tuple[Any, ...]:
        return self.data.mark(), tuple(self.steps)

    def rewind(self, mark: tuple[Any, ...], done: int) -> None:
        self.data.rewind(mark[0], done)
        self.steps[0], self.steps[1] = mark[1][0] + done, mark[1][1] + 2 * done


class CompiledEnsemble:
    """The compiled step of one :class:`tinygan.EnsembleTrainer`.

    On the CPU, with float32 weights, the native kernel runs it
    (:mod:`tinygan.engine.native`: up to :data:`~tinygan.engine.native.MAX_CALL`
    iterations per call); elsewhere, or where no C compiler works, compiled chunks of
    :data:`COMPILE_CHUNK` iterations through :func:`torch.compile`.
    """

    def __init__(self) -> None:
        self.runner: Any = None  # ChunkRunner or NativeRunner, built at first use
        self.native = False
        self.failed = False

    @staticmethod
    def state(trainer: Any) -> list[torch.Tensor]:
        """What a compiled chunk updates in place: weights (and Adam's moments)."""
        if trainer.optimizer == "adam":
            return [*trainer._g, *trainer._d, *trainer._moments]
        return [*trainer._g, *trainer._d]

    def pending(self) -> bool:
        """Whether computed iterations wait to be handed out."""
        return self.runner is not None and bool(self.runner.pending())

    def pop(self) -> StepRecord:
        """The next computed iteration's record."""
        return self.runner.pop()  # type: ignore[no-any-return]

    def _build(self, trainer: Any) -> None:
        """The runner: native where it can serve, else compiled chunks."""
        from tinygan.engine.compiled import ChunkRunner
        from tinygan.engine.native import NativeKernelError, NativeRunner

        state = self.state(trainer)
        if all(t.device.type == "cpu" and t.dtype == torch.float32 for t in state):
            try:
                self.runner = NativeRunner(
                    trainer._g_spec,
                    trainer._d_spec,
                    trainer.loss,
                    trainer.optimizer,
                    threads=native_threads(),
                    batch_size=trainer.batch_size,
                )
                self.native = True
                trainer._data.raw = True  # the kernel maps the uniforms itself
                return
            except NativeKernelError:
                pass  # torch.compile may still work (it warns if it cannot)
        self.runner = ChunkRunner(
            trainer._g_spec, trainer._d_spec, trainer.loss, trainer.optimizer, COMPILE_CHUNK
        )

    def step(self, trainer: Any, ahead: bool) -> StepRecord | None:
        """Compute ``trainer``'s next iteration (and with ``ahead``, the following ones).

        Returns:
            Its record, or ``None`` if compiling failed (after one warning): the caller
            then takes the eager step.
        """
        from tinygan.engine.compiled import adam_factors, warn_compile_failed

        data = trainer._data
        lr, (g_steps, d_steps) = trainer.lr, tuple(trainer._adam_steps)

        def adam(start: int, n: int) -> list[torch.Tensor]:
            return [adam_factors(lr, g_steps, d_steps, start, n, COMPILE_CHUNK)]

        try:
            if self.runner is None:
                self._build(trainer)
            count = max(1, data.planned) if ahead else 1
            if self.native:
                record = self.runner.run(
                    self.state(trainer),
                    (lr, lr),
                    (g_steps, d_steps),
                    count,
                    _Stream(trainer),
                    trainer.members,
                )
            else:
                count = min(count, data.available())
                scalars = adam if trainer.optimizer == "adam" else self.runner.lr_tensors((lr, lr))
                record = self.runner.run_state(
                    trainer.iteration,
                    self.state(trainer),
                    scalars,
                    count,
                    _Stream(trainer),
                    trainer._records,
                )
        except Exception as exc:  # no C++ compiler, or torch.compile cannot serve here
            self.failed = True
            self.runner = None
            self.native = False
            data.raw = False
            warn_compile_failed(exc, stacklevel=5)
            return None
        computed = self.runner.computed
        trainer._adam_steps[0] += computed
        trainer._adam_steps[1] += 2 * computed
        return record  # type: ignore[no-any-return]

    def finish(self, trainer: Any) -> None:
        """End a ``fit``: undo computed iterations never handed out."""
        if self.runner is None:
            return
        if self.native:  # rewinding the stream also rewinds Adam's counts
            self.runner.finish(self.state(trainer), _Stream(trainer))
        else:
            self.runner.finish_state(self.state(trainer), _Stream(trainer))


def native_threads() -> int:
    """Threads for the native kernel: torch's intra-op threads."""
    return max(1, torch.get_num_threads())
