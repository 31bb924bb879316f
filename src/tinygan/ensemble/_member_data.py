"""The data of an ensemble's members: each from its own generator, many iterations at a time.

Member ``k`` draws from its own :class:`torch.Generator` exactly what a lone
:class:`tinygan.AdversarialTrainer` seeded alike draws, in the same order (real batch,
noise for the fake batch, noise for the generator step, every iteration), but many
iterations in one call per member (see :func:`tinygan.engine.streams.draw_steps`). The drawn
iterations wait in a buffer, never more than the current ``fit`` will use, so
``fit(a)`` then ``fit(b)`` draws what ``fit(a + b)`` draws.

While the training runs on the drawn iterations, the next ones are drawn in a background
thread (the library's own sources only: their sampling is pure arithmetic on the member's
generator). Each member's generator is still used by one thread at a time, in the same
order, so the numbers are the same as drawing in the foreground; only the waiting goes.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import torch

from tinygan.engine.streams import draw_steps, vectorised
from tinygan.protocols import DataSource

__all__ = ["MemberData"]

_CHUNK_BYTES = 64 * 2**20  # the most memory one chunk of pre-drawn data may take
_MAX_CHUNK = 1024


class MemberData:
    """The members' data, drawn ahead into a buffer, members last: ``(steps, n, dim, K)``.

    Args:
        rngs: Each member's generator.
        real: The real data.
        noise: The generators' input.
        batch_size: Samples per step and member.
        padded: The member dimension's size (members past ``len(rngs)`` get zeros).

    Attributes:
        planned: How many more iterations the current ``fit`` runs (0 outside ``fit``):
            a refill never draws past them.
    """

    def __init__(
        self,
        rngs: Sequence[torch.Generator],
        real: DataSource,
        noise: DataSource,
        batch_size: int,
        padded: int,
    ) -> None:
        self.rngs = list(rngs)
        self.padded = padded
        self._per_step = 4 * len(rngs) * batch_size * (real.dim + 2 * noise.dim)
        self._sources = [(real, batch_size), (noise, batch_size), (noise, batch_size)]
        # Off the CPU a generator's numbers depend on how many are drawn per call (CUDA's
        # Philox hands out blocks): there each step's samples are drawn as a lone
        # trainer draws them.
        on_cpu = all(g.device.type == "cpu" for g in self.rngs)
        real_plan, noise_plan = (vectorised(real), vectorised(noise)) if on_cpu else (None, None)
        self._plans = [real_plan, noise_plan, noise_plan]
        self.buffer: list[torch.Tensor] = []
        self.pos = 0
        self.planned = 0
        self._background = all(plan is not None for plan in self._plans)
        self._next: _Prefetch | None = None

    def _cap(self) -> int:
        return max(1, min(_MAX_CHUNK, _CHUNK_BYTES // (2 * self._per_step)))

    def _draw(self, steps: int) -> list[torch.Tensor]:
        return draw_steps(
            self.rngs, self._sources, steps, self._plans, self.padded, members_last=True
        )

    def available(self) -> int:
        """How many drawn iterations wait in the buffer; refills it first if empty."""
        left = (self.buffer[0].shape[0] if self.buffer else 0) - self.pos
        if left <= 0:
            pending, self._next = self._next, None
            if pending is not None:
                self.buffer = pending.result()
            else:
                self.buffer = self._draw(max(1, min(self._cap(), self.planned)))
            self.pos = 0
            left = self.buffer[0].shape[0]
            beyond = self.planned - left  # what this fit runs after the new buffer
            if self._background and beyond > 0:
                self._next = _Prefetch(self._draw, min(self._cap(), beyond))
        return left

    def settle(self) -> None:
        """Wait for a background draw and append what it drew to the buffer.

        Afterwards the generators are quiet: call it before reading or setting their
        state, and at the end of a ``fit``.
        """
        pending, self._next = self._next, None
        if pending is None:
            return
        drawn = pending.result()
        if self.buffer:
            drawn = [torch.cat([b[self.pos :], d]) for b, d in zip(self.buffer, drawn, strict=True)]
        self.buffer, self.pos = drawn, 0

    def draw(self, k: int) -> list[torch.Tensor]:
        """The next ``k`` iterations' data (``k <= available()``), each ``(k, n, dim, K)``."""
        self.available()
        t = self.pos
        self.pos += k
        self.planned = max(0, self.planned - k)
        return [part[t : t + k] for part in self.buffer]

    def mark(self) -> tuple[int, int]:
        """The buffer position (to come back to it)."""
        return self.pos, self.planned

    def rewind(self, mark: tuple[int, int], done: int) -> None:
        """Go back to ``mark``, then past ``done`` iterations (of the same buffer)."""
        self.pos = mark[0] + done
        self.planned = max(0, mark[1] - done)

    def remaining(self, members: int) -> list[torch.Tensor]:
        """The buffered iterations not yet used, the real members first (for a state)."""
        self.settle()
        return [b[self.pos :][..., :members].movedim(-1, 0).clone() for b in self.buffer]

    def restore(self, buffers: Sequence[torch.Tensor]) -> None:
        """Load what :meth:`remaining` returned."""
        self.settle()
        out = []
        for b in buffers:
            b = b.movedim(0, -1)
            extra = self.padded - b.shape[-1]
            if extra > 0:
                b = torch.cat([b, b.new_zeros((*b.shape[:-1], extra))], dim=-1)
            out.append(b.contiguous())
        self.buffer = out
        self.pos = 0


class _Prefetch:
    """One background draw: ``draw(steps)`` in a daemon thread, its result on demand."""

    def __init__(self, draw: Any, steps: int) -> None:
        self._out: list[torch.Tensor] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(draw, steps), daemon=True)
        self._thread.start()

    def _run(self, draw: Any, steps: int) -> None:
        try:
            self._out = draw(steps)
        except BaseException as exc:  # handed to the training thread in result()
            self._error = exc

    def result(self) -> list[torch.Tensor]:
        """Wait for the draw; return its tensors or raise what it raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._out
