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

With :attr:`MemberData.raw` set (by the native kernel, which maps uniforms itself), the
buffer holds the generators' uniforms as drawn, members first, and :meth:`MemberData.draw`
maps them to samples only for a consumer that asks for samples.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import torch

from tinygan.engine.mt_states import read_states, write_states
from tinygan.engine.streams import (
    affine,
    draw_steps,
    draw_uniforms,
    uniforms_to_parts,
    vectorised,
)
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
        maps: ``(shift, scale, low, high)``, float32 tensors of one iteration's uniforms
            (real batch, then the two noise batches) if every source's sample is an
            affine map of its uniforms and a clamp (see
            :func:`tinygan.engine.streams.affine`), else ``None``.
        raw: Draw uniforms rather than samples from now on (only with ``maps``).
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
        self.maps = _maps(self._sources) if self._background else None
        self.raw = False
        self._raw_buffer = False  # whether self.buffer holds uniforms, (K, steps, total)
        self._kernel: torch.Tensor | None = None  # generators' states the kernel advances

    def _cap(self) -> int:
        return max(1, min(_MAX_CHUNK, _CHUNK_BYTES // (2 * self._per_step)))

    def kernel_states(self, k: int) -> torch.Tensor | None:
        """The generators' states for a kernel that draws the next ``k`` iterations itself.

        Only with :attr:`raw` set, nothing left in the buffer and CPU generators (see
        :func:`tinygan.engine.mt_states.read_states`); else ``None``. While the kernel
        holds them, the generators themselves are stale: :meth:`settle` (or any draw
        here) writes the states back first.
        """
        if not self.raw or self.maps is None or self._steps() > self.pos or self._next:
            return None
        if self._kernel is None:
            self._kernel = read_states(self.rngs, self.padded)
            if self._kernel is None:
                return None
        self.planned = max(0, self.planned - k)
        return self._kernel

    def _write_back(self) -> None:
        """Hand the kernel's generator states back to the generators."""
        if self._kernel is not None:
            write_states(self.rngs, self._kernel)
            self._kernel = None

    def _draw(self, steps: int) -> tuple[bool, list[torch.Tensor]]:
        self._write_back()
        if self.raw and self.maps is not None:
            total = self.maps[0].numel()
            return True, [draw_uniforms(self.rngs, total, steps, self.padded)]
        parts = draw_steps(
            self.rngs, self._sources, steps, self._plans, self.padded, members_last=True
        )
        return False, parts

    def _steps(self) -> int:
        """How many iterations the buffer holds (used or not)."""
        if not self.buffer:
            return 0
        return self.buffer[0].shape[1 if self._raw_buffer else 0]

    def _parts(self, uniforms: torch.Tensor) -> list[torch.Tensor]:
        """Samples ``(steps, n, dim, K)`` of each source from uniforms ``(K, steps, total)``."""
        return uniforms_to_parts(uniforms, self._sources, self._plans, members_last=True)

    def available(self) -> int:
        """How many drawn iterations wait in the buffer; refills it first if empty."""
        left = self._steps() - self.pos
        if left <= 0:
            pending, self._next = self._next, None
            if pending is not None:
                self._raw_buffer, self.buffer = pending.result()
            else:
                self._raw_buffer, self.buffer = self._draw(max(1, min(self._cap(), self.planned)))
            self.pos = 0
            left = self._steps()
            beyond = self.planned - left  # what this fit runs after the new buffer
            if self._background and beyond > 0:
                self._next = _Prefetch(self._draw, min(self._cap(), beyond))
        return left

    def settle(self) -> None:
        """Wait for a background draw and append what it drew to the buffer.

        Afterwards the generators are quiet: call it before reading or setting their
        state, and at the end of a ``fit``.
        """
        self._write_back()
        pending, self._next = self._next, None
        if pending is None:
            return
        raw, drawn = pending.result()
        if self.buffer:
            if raw and self._raw_buffer:
                drawn = [torch.cat([self.buffer[0][:, self.pos :], drawn[0]], dim=1)]
            else:
                left, drawn = self._left(), drawn if not raw else self._parts(drawn[0])
                drawn = [torch.cat([b, d]) for b, d in zip(left, drawn, strict=True)]
                raw = False
        self._raw_buffer, self.buffer, self.pos = raw, drawn, 0

    def _left(self) -> list[torch.Tensor]:
        """The buffer's unused iterations as samples, ``(steps, n, dim, K)`` per source."""
        if self._raw_buffer:
            return self._parts(self.buffer[0][:, self.pos :])
        return [b[self.pos :] for b in self.buffer]

    def _take(self, k: int) -> int:
        self.available()
        t = self.pos
        self.pos += k
        self.planned = max(0, self.planned - k)
        return t

    def draw(self, k: int) -> list[torch.Tensor]:
        """The next ``k`` iterations' data (``k <= available()``), each ``(k, n, dim, K)``."""
        t = self._take(k)
        if self._raw_buffer:
            return self._parts(self.buffer[0][:, t : t + k])
        return [part[t : t + k] for part in self.buffer]

    def draw_raw(self, k: int) -> tuple[bool, list[torch.Tensor]]:
        """The next ``k`` iterations' data as the buffer holds it (``k <= available()``).

        Returns:
            ``(True, [uniforms])`` with uniforms ``(K, k, total)`` (a view) if the buffer
            holds uniforms (see :attr:`raw`), else ``(False, parts)`` as :meth:`draw`.
        """
        t = self._take(k)
        if self._raw_buffer:
            return True, [self.buffer[0][:, t : t + k]]
        return False, [part[t : t + k] for part in self.buffer]

    def mark(self) -> tuple[int, int]:
        """The buffer position (to come back to it)."""
        return self.pos, self.planned

    def rewind(self, mark: tuple[int, int], done: int) -> None:
        """Go back to ``mark``, then past ``done`` iterations (of the same buffer)."""
        self.pos = min(mark[0] + done, self._steps())
        self.planned = max(0, mark[1] - done)

    def remaining(self, members: int) -> list[torch.Tensor]:
        """The buffered iterations not yet used, the real members first (for a state)."""
        self.settle()
        return [b[..., :members].movedim(-1, 0).clone() for b in self._left()]

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
        self._raw_buffer = False
        self.pos = 0


class _Prefetch:
    """One background draw: ``draw(steps)`` in a daemon thread, its result on demand."""

    def __init__(self, draw: Any, steps: int) -> None:
        self._out: tuple[bool, list[torch.Tensor]] = (False, [])
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(draw, steps), daemon=True)
        self._thread.start()

    def _run(self, draw: Any, steps: int) -> None:
        try:
            self._out = draw(steps)
        except BaseException as exc:  # handed to the training thread in result()
            self._error = exc

    def result(self) -> tuple[bool, list[torch.Tensor]]:
        """Wait for the draw; return what it returned or raise what it raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._out


def _maps(sources: Sequence[tuple[DataSource, int]]) -> tuple[torch.Tensor, ...] | None:
    """The float32 ``(shift, scale, low, high)`` of one iteration's uniforms, or ``None``."""
    columns: list[list[float]] = [[], [], [], []]
    for source, n in sources:
        found = affine(source)
        if found is None:
            return None
        for column, values in zip(columns, found, strict=True):
            column.extend(values * n)
    return tuple(torch.tensor(column, dtype=torch.float32) for column in columns)
