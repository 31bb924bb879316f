"""An ensemble's MLPs stacked members last, and the two backends that train such stacks.

:class:`Stack` holds ``K`` alike :func:`tinygan.mlp` generator and discriminator pairs as
one tensor per parameter with the member dimension last (weights ``(out, in, K)``,
biases ``(out, K)``), with Adam's moments and update counts. :class:`FusedStack` trains
it with :func:`tinygan.engine.fused.adversarial_step` on the whole stack, one iteration
per call, on any device; :class:`NativeStack` with the native kernel, up to hundreds of
iterations per call, on the CPU. Both take their data from the ensemble's
:class:`MemberStream`; member ``k``'s numbers depend on member ``k``'s weights and data
alone.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch
from torch import nn

from tinygan.engine import fused
from tinygan.engine.native import Kernel
from tinygan.engine.native.runner import NativeRunner, NativeStream
from tinygan.protocols import StepRecord

__all__ = ["FusedStack", "MemberStream", "NativeStack", "Stack"]


class MemberStream(NativeStream, Protocol):
    """An ensemble's data, drawn ahead for every member (see ``tinygan.ensemble``).

    Attributes:
        planned: How many more iterations the current ``fit`` runs.
    """

    planned: int


@dataclass
class Stack:
    """``K`` alike MLP pairs as members-last stacks (padded), with their optimiser state.

    Attributes:
        g_spec: The generators' shape.
        d_spec: The discriminators' shape.
        g: The generators' stacked parameters.
        d: The discriminators' stacked parameters.
        loss: ``"mse"`` or ``"bce"``.
        optimizer: ``"sgd"`` or ``"adam"``.
        lr: The learning rate.
        members: How many members are real (the rest is padding).
        templates: A generator and a discriminator of these shapes (any weights), which
            :meth:`unstack` copies.
        moments: Adam's first then second moments, shaped as ``[*g, *d]`` each.
        adam_steps: The generators' and the discriminators' update counts.
    """

    g_spec: fused.NetSpec
    d_spec: fused.NetSpec
    g: list[torch.Tensor]
    d: list[torch.Tensor]
    loss: str
    optimizer: str
    lr: float
    members: int
    templates: tuple[nn.Module, nn.Module]
    moments: list[torch.Tensor] = field(default_factory=list)
    adam_steps: list[int] = field(default_factory=lambda: [0, 0])

    def __post_init__(self) -> None:
        if not self.moments:
            self.moments = [torch.zeros_like(p) for p in (*self.g, *self.d) * 2]
        self.g_views = fused.prepare(self.g_spec, self.g, sums=True)
        self.d_views = fused.prepare(self.d_spec, self.d, sums=True)

    def state(self) -> list[torch.Tensor]:
        """What a step updates in place: the weights (then, for Adam, the moments)."""
        return [*self.g, *self.d, *(self.moments if self.optimizer == "adam" else ())]

    def update(self, which: int) -> fused.Update:
        """The update of the generators (``which=0``) or the discriminators (``1``)."""
        params = (self.g, self.d)[which]
        if self.optimizer == "sgd":
            return lambda grads: fused.sgd_(params, grads, self.lr)
        n = len(self.g) + len(self.d)
        offset = 0 if which == 0 else len(self.g)
        m = self.moments[offset : offset + len(params)]
        v = self.moments[n + offset : n + offset + len(params)]

        def adam(grads: Sequence[torch.Tensor]) -> None:
            self.adam_steps[which] += 1
            fused.adam_(params, grads, m, v, self.adam_steps[which], lr=self.lr)

        return adam

    def generate(self, z: torch.Tensor, kernel: Kernel | None = None) -> torch.Tensor:
        """Every real member's generator on ``z`` ``(K, m, in)``: ``(K, m, out)``, no grad.

        With a ``kernel``, the native kernel computes it (within float tolerance).
        """
        padded = self.g[0].shape[-1]
        with torch.no_grad():
            z = z.to(self.g[0]).permute(1, 2, 0)
            z = torch.cat([z, z.new_zeros((*z.shape[:2], padded - self.members))], dim=-1)
            if kernel is not None:
                out = kernel.forward(self.g_spec, self.g, z.contiguous())
            else:
                out = fused.forward(self.g_spec, self.g, z.contiguous(), sums=True)[-1]
        return out.permute(2, 0, 1)[: self.members].contiguous()

    def unstack(self, k: int) -> tuple[nn.Module, nn.Module]:
        """Member ``k``'s networks: fresh copies of the templates holding its weights."""
        nets = []
        for template, params in zip(self.templates, (self.g, self.d), strict=True):
            net = copy.deepcopy(template).to(params[0].device)
            with torch.no_grad():
                for p, value in zip(net.parameters(), params, strict=True):
                    p.copy_(value[..., k])
            nets.append(net)
        return nets[0], nets[1]

    state_keys = ("generators", "discriminators", "adam_steps", "moments")
    """The entries of :meth:`state_dict`."""

    def state_dict(self) -> dict[str, Any]:
        """The real members' weights and Adam's state, members first ``(K, ...)``."""

        def unpad(t: torch.Tensor) -> torch.Tensor:
            return t[..., : self.members].movedim(-1, 0).clone()

        return {
            "generators": [unpad(p) for p in self.g],
            "discriminators": [unpad(p) for p in self.d],
            "adam_steps": list(self.adam_steps),
            "moments": [unpad(m) for m in self.moments],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`'s weights and Adam's state.

        Raises:
            ValueError: If the tensors do not fit these stacks.
        """
        pairs = [
            (self.g, state["generators"]),
            (self.d, state["discriminators"]),
            (self.moments, state["moments"]),
        ]
        for mine, theirs in pairs:
            if len(mine) != len(theirs) or any(
                a[..., : self.members].movedim(-1, 0).shape != b.shape
                for a, b in zip(mine, theirs, strict=True)
            ):
                raise ValueError("state does not fit this ensemble (members or sizes differ)")
        for mine, theirs in pairs:
            for a, b in zip(mine, theirs, strict=True):
                a[..., : self.members].copy_(b.movedim(0, -1))
        self.adam_steps[:] = [int(n) for n in state["adam_steps"]]

    def record(self, losses: Sequence[torch.Tensor], fake: torch.Tensor) -> StepRecord:
        """One iteration's record of the real members: losses ``(K,)``, output ``(K, n, dim)``."""
        k = self.members
        return StepRecord(
            d_loss_real=losses[0][:k],
            d_loss_fake=losses[1][:k],
            g_loss=losses[2][:k],
            fake=fake.permute(2, 0, 1)[:k],
        )


class FusedStack:
    """Trains a :class:`Stack` one iteration at a time with the fused step (any device)."""

    name = "fused"

    def __init__(self, stack: Stack, data: MemberStream) -> None:
        self.stack, self.data = stack, data

    def step(self, ahead: int) -> StepRecord:
        """Run one iteration of every member (``ahead`` is not used)."""
        s = self.stack
        real, z_fake, z_gen = (part[0] for part in self.data.draw(1))
        with torch.no_grad():
            *losses, fake = fused.adversarial_step(
                s.g_spec, s.d_spec, s.g, s.d, real, z_fake, z_gen, s.loss,
                s.update(0), s.update(1), sums=True, g_prepared=s.g_views, d_prepared=s.d_views,
            )  # fmt: skip
        return s.record(losses, fake)

    def finish(self) -> None:
        """Nothing is computed ahead."""

    def describe(self) -> dict[str, Any]:
        """``{"name": "fused"}``."""
        return {"name": self.name}


class NativeStack:
    """Trains a :class:`Stack` through the native kernel, many iterations per call.

    Args:
        stack: The stacks (float32, on the CPU).
        data: The members' data.
        kernel: The loaded kernel.
        threads: Threads that share a call's blocks of members.
        batch_size: Samples per step and member.
    """

    name = "native"

    def __init__(
        self, stack: Stack, data: MemberStream, kernel: Kernel, threads: int, batch_size: int
    ) -> None:
        self.stack, self.data, self.kernel = stack, data, kernel
        self.runner = NativeRunner(
            kernel, stack.g_spec, stack.d_spec, stack.loss, stack.optimizer,
            threads=threads, batch_size=batch_size,
        )  # fmt: skip

    def step(self, ahead: int) -> StepRecord:
        """Hand out a computed iteration's record, or compute up to ``ahead`` iterations."""
        if self.runner.pending():
            return self.runner.pop()
        s = self.stack
        steps = (s.adam_steps[0], s.adam_steps[1])
        record = self.runner.run(s.state(), (s.lr, s.lr), steps, ahead, self.data, s.members)
        s.adam_steps[0] += self.runner.computed
        s.adam_steps[1] += 2 * self.runner.computed
        return record

    def finish(self) -> None:
        """Undo iterations computed but never handed out (weights, moments, data)."""
        undone = self.runner.finish(self.data)
        self.stack.adam_steps[0] -= undone
        self.stack.adam_steps[1] -= 2 * undone

    def describe(self) -> dict[str, Any]:
        """The name, and the kernel's build (:meth:`tinygan.engine.native.Kernel.describe`)."""
        return {"name": self.name, **self.kernel.describe()}
