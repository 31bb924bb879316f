"""UniformMap: how a source makes its samples out of uniforms, told to the batched streams.

A source whose ``sample(n, generator=g)`` is one ``torch.rand(n, width, generator=g)``
call followed by an elementwise map can be drawn many iterations at a time (one
``torch.rand`` call for all of them, the same numbers), and the native kernel can draw
it itself, from the trainer's own generator. Such a source says so by returning its map
from a method ``uniform_map()``; :class:`~tinygan.FuzzyPattern`,
:class:`~tinygan.UniformNoise` and :class:`~tinygan.ConstantNoise` do, and their
``sample`` is that map applied to their uniforms.

A subclass (or mixin) that changes ``sample`` changes ``uniform_map`` too, returning the
map of its new ``sample`` or ``None``: a source whose ``sample`` hides the one its
inherited map describes is drawn step by step (its own ``sample`` at every call, the
right numbers, slower), after a warning that says so; and the engine checks any map
against ``sample`` on a few draws before it trusts it, with the same outcome where they
disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

__all__ = ["UniformMap"]


@dataclass(frozen=True, eq=False)
class UniformMap:
    """Value ``j`` of a sample is ``clamp(shift[j] + u[j] * scale[j], low[j], high[j])``.

    ``u`` holds the sample's ``width`` uniforms from ``torch.rand``, in float32; the
    multiply-add is :func:`torch.addcmul`'s (rounded once where torch fuses it, as on
    every processor with fused multiply-add instructions).

    Attributes:
        width: Uniforms one sample consumes: ``dim`` (one per value), or 0 for a
            constant source (every value is ``shift[j]``; nothing is drawn).
        shift: float32, shape ``(dim,)``.
        scale: float32, shape ``(dim,)``.
        low: The lower clamp bounds, float32, shape ``(dim,)`` (``-inf``: none).
        high: The upper clamp bounds, float32, shape ``(dim,)`` (``inf``: none).

    Example:
        >>> import torch
        >>> import tinygan as tg
        >>> real = tg.FuzzyPattern("10")
        >>> m = real.uniform_map()
        >>> m.width, m.shift.tolist(), m.scale.tolist()
        (2, [0.800000011920929, 0.0], [0.20000000298023224, 0.20000000298023224])
        >>> u = torch.rand(3, 2, generator=torch.Generator().manual_seed(0))
        >>> torch.equal(m.apply(u), real.sample(3, generator=torch.Generator().manual_seed(0)))
        True
    """

    width: int
    shift: torch.Tensor
    scale: torch.Tensor
    low: torch.Tensor
    high: torch.Tensor

    def __post_init__(self) -> None:
        identity = bool(
            self.width == self.shift.numel()
            and (self.shift == 0).all()
            and (self.scale == 1).all()
            and torch.isneginf(self.low).all()
            and torch.isposinf(self.high).all()
        )
        object.__setattr__(self, "_identity", identity)

    @property
    def dim(self) -> int:
        """Values per sample."""
        return int(self.shift.numel())

    @property
    def identity(self) -> bool:
        """Whether every value is its uniform, unchanged."""
        return self._identity  # type: ignore[attr-defined, no-any-return]

    def apply(self, u: torch.Tensor) -> torch.Tensor:
        """Map uniforms ``(..., width)`` to samples ``(..., dim)``, on ``u``'s device."""
        if self.width == 0:
            value = self.shift.to(u.device)
            return value.expand(*u.shape[:-1], self.dim).clone()
        if self._identity:  # type: ignore[attr-defined]
            return u
        shift, scale, low, high = self.columns
        if u.device != shift.device:  # a generator on another device: map there
            shift, scale, low, high = (t.to(u.device) for t in self.columns)
        return torch.clamp(torch.addcmul(shift, u, scale), low, high)

    @property
    def columns(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(shift, scale, low, high)``."""
        return self.shift, self.scale, self.low, self.high
