"""The data of an ensemble's members: each from its own generator, many iterations at a time.

Member ``k`` draws from its own :class:`torch.Generator` exactly what a lone
:class:`tinygan.AdversarialTrainer` seeded alike draws, in the same order (real batch,
noise for the fake batch, noise for the generator step, every iteration), but many
iterations in one call per member (see :func:`tinygan.engine.streams.draw_steps`). The drawn
iterations wait in a buffer, never more than the current ``fit`` will use, so
``fit(a)`` then ``fit(b)`` draws what ``fit(a + b)`` draws.
"""

from __future__ import annotations

from collections.abc import Sequence

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
        real_plan, noise_plan = vectorised(real), vectorised(noise)
        self._plans = [real_plan, noise_plan, noise_plan]
        self.buffer: list[torch.Tensor] = []
        self.pos = 0
        self.planned = 0

    def available(self) -> int:
        """How many drawn iterations wait in the buffer; refills it first if empty."""
        left = (self.buffer[0].shape[0] if self.buffer else 0) - self.pos
        if left <= 0:
            cap = max(1, min(_MAX_CHUNK, _CHUNK_BYTES // (2 * self._per_step)))
            steps = max(1, min(cap, self.planned))
            self.buffer = draw_steps(
                self.rngs, self._sources, steps, self._plans, self.padded, members_last=True
            )
            self.pos = 0
            left = steps
        return left

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
        return [b[self.pos :][..., :members].movedim(-1, 0).clone() for b in self.buffer]

    def restore(self, buffers: Sequence[torch.Tensor]) -> None:
        """Load what :meth:`remaining` returned."""
        out = []
        for b in buffers:
            b = b.movedim(0, -1)
            extra = self.padded - b.shape[-1]
            if extra > 0:
                b = torch.cat([b, b.new_zeros((*b.shape[:-1], extra))], dim=-1)
            out.append(b.contiguous())
        self.buffer = out
        self.pos = 0
