"""The vmap backend: any alike networks, objective and elementwise optimiser, over members.

It trains a :class:`~tinygan.engine.stack.Stack`: one step runs every member's networks
at once with :func:`torch.func.vmap` over :func:`torch.func.functional_call` (the
members' dimension last, as the stack keeps it), sums the members' losses and takes one
gradient of the sum: since members share nothing, member ``k``'s gradient is its own.
The stack's optimisers then step, moving member ``k`` as its lone optimiser would.
Results equal the lone trainers' within float tolerance (the summed, batched arithmetic
may round differently).
"""

from __future__ import annotations

from typing import Any

import torch
from torch.func import vmap

from tinygan.engine.native.runner import NativeStream
from tinygan.engine.stack import Stack
from tinygan.objectives import Objective
from tinygan.protocols import StepRecord

__all__ = ["Vmap"]


class Vmap:
    """A stack's networks through autograd and vmap, with the lone trainer's steps.

    Args:
        stack: The members (any alike modules, see :class:`~tinygan.engine.stack.Stack`).
        objective: How the losses come from D's scores, as the lone trainers'
            (:class:`~tinygan.objectives.Objective`; one without a gradient penalty).
        data: The members' data: per iteration, ``d_steps`` real batches and noise for
            a generated batch, one after another, then noise for G's step.
        d_steps: D's steps per G step.
    """

    name = "vmap"

    def __init__(
        self, stack: Stack, objective: Objective, data: NativeStream, d_steps: int = 1
    ) -> None:
        self.stack, self.objective, self.data, self.d_steps = stack, objective, data, d_steps
        self._d_loss = vmap(self._member_d_loss, in_dims=(-1, -1, None))
        self._g_loss = vmap(self._member_g_loss, in_dims=(-1, -1, -1))
        self._generate = vmap(lambda g, z: stack.call(0, g, z), in_dims=(-1, -1))

    def _member_d_loss(self, d: list[torch.Tensor], x: torch.Tensor, target: float) -> torch.Tensor:
        return self.objective.d_loss(self.stack.call(1, d, x), target)

    def _member_g_loss(
        self, g: list[torch.Tensor], d: list[torch.Tensor], z: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        fake = self.stack.call(0, g, z)
        return self.objective.g_loss(self.stack.call(1, d, fake), 1.0), fake

    @staticmethod
    def _update(losses: torch.Tensor, params: list[torch.Tensor], opt: Any) -> None:
        """One optimiser step of ``params`` on the members' summed losses."""
        grads = torch.autograd.grad(losses.sum(), params)
        for param, grad in zip(params, grads, strict=True):
            param.grad = grad
        opt.step()

    def _train_d(self, x: torch.Tensor, target: float) -> torch.Tensor:
        losses = self._d_loss(self.stack.d, x.detach(), target)
        self._update(losses, self.stack.d, self.stack.d_opt)
        return losses.detach()

    def step(self, ahead: int) -> StepRecord:
        """The post's three steps for every member; losses ``(K,)``, output ``(K, n, dim)``."""
        s, k = self.stack, self.stack.members
        *d_parts, z_gen = (part[0] for part in self.data.draw(1))  # each (n, dim, P)
        d_real, d_fake = [], []
        for real, z_fake in zip(d_parts[::2], d_parts[1::2], strict=True):
            d_real.append(self._train_d(real, 1.0))
            with torch.no_grad():
                fake = self._generate(s.g, z_fake).movedim(0, -1)
            d_fake.append(self._train_d(fake, 0.0))
        if self.d_steps > 1:  # the record holds D's mean losses, as a lone trainer's
            d_real, d_fake = [torch.stack(d_real).mean(0)], [torch.stack(d_fake).mean(0)]
        losses, out = self._g_loss(s.g, s.d, z_gen)
        self._update(losses, s.g, s.g_opt)  # the gradient reaches G's stacks only
        return StepRecord(d_real[0][:k], d_fake[0][:k], losses.detach()[:k], out.detach()[:k])

    def finish(self) -> None:
        """Nothing is computed ahead."""

    def describe(self) -> dict[str, Any]:
        """``{"name": "vmap"}`` and the optimisers' classes."""
        optimizers = [type(self.stack.g_opt).__name__, type(self.stack.d_opt).__name__]
        return {"name": self.name, "optimizers": optimizers}
