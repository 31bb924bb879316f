"""The data of an ensemble's members: each from its own generator, many iterations at a time.

Member ``k`` draws from its own :class:`torch.Generator` exactly what a lone
:class:`tinygan.AdversarialTrainer` seeded alike draws, in the same order (real batch,
noise for the fake batch, noise for the generator step, every iteration), but many
iterations in one call per member (see :func:`tinygan.engine.streams.draw_steps`). The drawn
iterations wait in a buffer, never more than the current ``fit`` will use, so
``fit(a)`` then ``fit(b)`` draws what ``fit(a + b)`` draws.

Where the native kernel draws the uniforms itself (:attr:`MemberData.kernel_draws`),
nothing is buffered: :meth:`MemberData.kernel_states` hands the kernel the generators'
states, which it advances, and the generators get them back when anything else needs
them (:meth:`MemberData.settle`).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from tinygan.engine.native.mt_states import read_states, write_states
from tinygan.engine.streams import draw_steps, iteration_maps, uniform_map
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
        d_steps: D's steps per iteration: each draws a real batch and noise for a
            generated one, before the noise of G's step.

    Attributes:
        planned: How many more iterations the current ``fit`` runs (0 outside ``fit``):
            a refill never draws past them.
        maps: ``(shift, scale, low, high)`` per uniform of one iteration (real batch,
            then the two noise batches) if every source makes each value from one
            uniform (:func:`tinygan.engine.streams.iteration_maps`), else ``None``.
        kernel_draws: Let the kernel draw from the generators itself (only with
            ``maps``, on the CPU).
    """

    def __init__(
        self,
        rngs: Sequence[torch.Generator],
        real: DataSource,
        noise: DataSource,
        batch_size: int,
        padded: int,
        d_steps: int = 1,
    ) -> None:
        self.rngs = list(rngs)
        self.padded = padded
        self._per_step = 4 * len(rngs) * batch_size * d_steps * (real.dim + 2 * noise.dim)
        self._sources = [(real, batch_size), (noise, batch_size)] * d_steps + [(noise, batch_size)]
        # Off the CPU a generator's numbers depend on how many are drawn per call (CUDA's
        # Philox hands out blocks): there each step's samples are drawn as a lone
        # trainer draws them.
        on_cpu = all(g.device.type == "cpu" for g in self.rngs)
        real_map, noise_map = (uniform_map(real), uniform_map(noise)) if on_cpu else (None, None)
        self._maps = [real_map, noise_map] * d_steps + [noise_map]
        self.maps = None
        if real_map is not None and noise_map is not None:
            maps = [(real_map, batch_size), (noise_map, batch_size)] * d_steps
            self.maps = iteration_maps([*maps, (noise_map, batch_size)])
        self.buffer: list[torch.Tensor] = []
        self.pos = 0
        self.planned = 0
        self.kernel_draws = False
        self._kernel: torch.Tensor | None = None  # generators' states the kernel advances

    def _cap(self) -> int:
        return max(1, min(_MAX_CHUNK, _CHUNK_BYTES // (2 * self._per_step)))

    def kernel_states(self, k: int) -> torch.Tensor | None:
        """The generators' states for a kernel that draws the next ``k`` iterations itself.

        Only with :attr:`kernel_draws` set and nothing left in the buffer; else ``None``.
        While the kernel holds them, the generators themselves are stale: :meth:`settle`
        (or any draw here) writes the states back first.
        """
        if not self.kernel_draws or self.maps is None or self._steps() > self.pos:
            return None
        if self._kernel is None:
            self._kernel = read_states(self.rngs, self.padded)
            if self._kernel is None:
                return None
        self.planned = max(0, self.planned - k)
        return self._kernel

    def _draw(self, steps: int) -> list[torch.Tensor]:
        self.settle()
        return draw_steps(self.rngs, self._sources, steps, self._maps, self.padded)

    def _steps(self) -> int:
        """How many iterations the buffer holds (used or not)."""
        return self.buffer[0].shape[0] if self.buffer else 0

    def available(self) -> int:
        """How many drawn iterations wait in the buffer; refills it first if empty."""
        left = self._steps() - self.pos
        if left <= 0:
            self.buffer = self._draw(max(1, min(self._cap(), self.planned)))
            self.pos = 0
            left = self._steps()
        return left

    def settle(self) -> None:
        """Hand the kernel's generator states back to the generators.

        Afterwards the generators are where the handed-out iterations leave them: call it
        before reading or setting their state, and at the end of a ``fit``.
        """
        if self._kernel is not None:
            write_states(self.rngs, self._kernel)
            self._kernel = None

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
        self.pos = min(mark[0] + done, self._steps())
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
