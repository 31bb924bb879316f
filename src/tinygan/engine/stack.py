"""An ensemble's networks stacked members last: the one layout every ensemble backend trains.

:class:`Stack` holds ``K`` alike generator and discriminator pairs as one tensor per
parameter with the member dimension last (weights ``(out, in, P)``, biases ``(out, P)``,
padded to ``P`` members), and one torch optimiser per side over those tensors. Every
optimiser an ensemble takes updates each number from that number's gradient and state
alone (:data:`tinygan.engine.table.ELEMENTWISE`), so it moves member ``k`` exactly as
member ``k``'s own optimiser would. Three backends train a stack (see
:func:`tinygan.engine.table.ensemble_reason`): :class:`FusedStack`, :class:`NativeStack`
and :class:`~tinygan.engine.vmap.Vmap`. Member ``k``'s numbers depend on its own weights
and data alone.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn
from torch.func import functional_call, vmap

from tinygan.engine import fused
from tinygan.engine.native import Kernel
from tinygan.engine.native.runner import NativeRunner, NativeStream
from tinygan.engine.plan import optimizer_name
from tinygan.protocols import StepRecord

__all__ = ["FusedStack", "NativeStack", "Stack"]

OptimizerSpec = tuple[type[torch.optim.Optimizer], dict[str, Any]]
"""An optimiser's class and its constructor's keywords."""


class Stack:
    """``K`` alike network pairs stacked members last (padded), with their optimisers.

    Args:
        g: The generators' stacked parameters, in the order of ``named_parameters()``.
        d: The discriminators' stacked parameters.
        members: How many members are real (the rest is padding).
        templates: A generator and a discriminator of these shapes (any weights), which
            :meth:`unstack` copies.
        optimizers: The generators' and the discriminators' optimiser class and settings.

    Attributes:
        g_spec: The generators' :class:`~tinygan.engine.fused.NetSpec` (``None`` unless
            they are :func:`tinygan.mlp` networks); ``d_spec`` likewise.
        g_opt: The generators' optimiser over their stacks; ``d_opt`` likewise.
    """

    state_keys = ("generators", "discriminators", "g_optimizer", "d_optimizer")
    """The entries of :meth:`state_dict`."""

    def __init__(
        self,
        g: Sequence[torch.Tensor],
        d: Sequence[torch.Tensor],
        members: int,
        templates: tuple[nn.Module, nn.Module],
        optimizers: tuple[OptimizerSpec, OptimizerSpec],
    ) -> None:
        self.g, self.d = ([p.detach().requires_grad_(True) for p in ps] for ps in (g, d))
        self.members, self.templates = members, templates
        self.g_spec, self.d_spec = (fused.net_spec(t) for t in templates)
        self.names = [[name for name, _ in t.named_parameters()] for t in templates]
        self.bases = [copy.deepcopy(t).to("meta") for t in templates]
        (g_type, g_settings), (d_type, d_settings) = optimizers
        self.g_opt = g_type(self.g, **g_settings)
        self.d_opt = d_type(self.d, **d_settings)

    def call(self, which: int, params: Sequence[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        """One member's generator (``which=0``) or discriminator on ``x``, to vmap over."""
        named = dict(zip(self.names[which], params, strict=True))
        return functional_call(self.bases[which], named, (x,))  # type: ignore[no-any-return]

    def generate(self, z: torch.Tensor, kernel: Kernel | None = None) -> torch.Tensor:
        """Every real member's generator on ``z`` ``(K, m, in)``: ``(K, m, out)``, no grad.

        With a ``kernel``, the native kernel computes it (within float tolerance).
        """
        k, padded = self.members, self.g[0].shape[-1]
        with torch.no_grad():
            z = z.to(self.g[0])
            if self.g_spec is None:  # any modules: their own forward, over the members
                real = [p[..., :k] for p in self.g]
                return vmap(lambda p, x: self.call(0, p, x), in_dims=(-1, 0))(real, z)
            z = z.permute(1, 2, 0)
            z = torch.cat([z, z.new_zeros((*z.shape[:2], padded - k))], dim=-1).contiguous()
            if kernel is not None:
                out = kernel.forward(self.g_spec, [p.detach() for p in self.g], z)
            else:
                out = fused.forward(self.g_spec, self.g, z, sums=True)[-1]
        return out.permute(2, 0, 1)[:k].contiguous()

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

    def _optimizer_state(self, opt: torch.optim.Optimizer, pad: dict[str, Any] | None) -> Any:
        """``opt``'s state with the real members only (or, given ``pad``, padded again).

        Every tensor of an elementwise optimiser's state but a 0-d one is shaped as its
        parameter, members last.
        """
        state = copy.deepcopy(opt.state_dict() if pad is None else pad)
        k, padded = self.members, self.g[0].shape[-1]
        for entry in state["state"].values():
            for key, t in entry.items():
                if torch.is_tensor(t) and t.dim() and pad is None:
                    entry[key] = t[..., :k].movedim(-1, 0)
                elif torch.is_tensor(t) and t.dim():
                    full = t.new_zeros((*t.shape[1:], padded))
                    full[..., :k] = t.movedim(0, -1)
                    entry[key] = full
        return state

    def state_dict(self) -> dict[str, Any]:
        """The real members' weights ``(K, ...)`` and optimiser states (copies)."""
        k = self.members
        return {
            "generators": [p.detach()[..., :k].movedim(-1, 0).clone() for p in self.g],
            "discriminators": [p.detach()[..., :k].movedim(-1, 0).clone() for p in self.d],
            "g_optimizer": self._optimizer_state(self.g_opt, None),
            "d_optimizer": self._optimizer_state(self.d_opt, None),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`'s weights and optimiser states.

        Raises:
            ValueError: If the tensors do not fit these stacks.
        """
        pairs = [(self.g, state["generators"]), (self.d, state["discriminators"])]
        for mine, theirs in pairs:
            if len(mine) != len(theirs) or any(
                a[..., : self.members].movedim(-1, 0).shape != b.shape
                for a, b in zip(mine, theirs, strict=True)
            ):
                raise ValueError("state does not fit this ensemble (members or sizes differ)")
        with torch.no_grad():
            for mine, theirs in pairs:
                for a, b in zip(mine, theirs, strict=True):
                    a[..., : self.members].copy_(b.movedim(0, -1))
        for opt, key in ((self.g_opt, "g_optimizer"), (self.d_opt, "d_optimizer")):
            opt.load_state_dict(self._optimizer_state(opt, state[key]))

    def record(self, losses: Sequence[torch.Tensor], fake: torch.Tensor) -> StepRecord:
        """One iteration's record of the real members: losses ``(K,)``, output ``(K, n, dim)``.

        ``fake`` is members last, ``(n, dim, P)``.
        """
        k = self.members
        return StepRecord(
            d_loss_real=losses[0][:k].detach(),
            d_loss_fake=losses[1][:k].detach(),
            g_loss=losses[2][:k].detach(),
            fake=fake.detach().permute(2, 0, 1)[:k],
        )


def _apply(opt: torch.optim.Optimizer, params: list[torch.Tensor]) -> fused.Update:
    """An update of ``params`` by ``opt`` with given gradients (plain SGD without a call)."""

    def update(grads: Sequence[torch.Tensor]) -> None:
        if optimizer_name(opt) == "sgd":  # what SGD's step computes, without its overhead
            fused.sgd_(params, grads, opt.param_groups[0]["lr"])
            return
        for p, grad in zip(params, grads, strict=True):
            p.grad = grad
        opt.step()

    return update


class FusedStack:
    """Trains a :class:`Stack` of MLPs one iteration at a time with the fused step.

    The step's gradients by hand (:func:`tinygan.engine.fused.adversarial_step`, on the
    whole stack, any device); the stack's optimisers apply them.

    Args:
        stack: The stacks.
        kind: The loss, ``"mse"`` or ``"bce"``.
        data: The members' data.
    """

    name = "fused"

    def __init__(self, stack: Stack, kind: str, data: NativeStream) -> None:
        assert stack.g_spec is not None and stack.d_spec is not None
        self.stack, self.kind, self.data = stack, kind, data
        self.specs = (stack.g_spec, stack.d_spec)
        with torch.no_grad():
            self.views = (
                fused.prepare(stack.g_spec, stack.g, sums=True),
                fused.prepare(stack.d_spec, stack.d, sums=True),
            )
        self.updates = (_apply(stack.g_opt, stack.g), _apply(stack.d_opt, stack.d))

    def step(self, ahead: int) -> StepRecord:
        """Run one iteration of every member (``ahead`` is not used)."""
        s = self.stack
        real, z_fake, z_gen = (part[0] for part in self.data.draw(1))
        with torch.no_grad():
            *losses, fake = fused.adversarial_step(
                *self.specs, s.g, s.d, real, z_fake, z_gen, self.kind, *self.updates,
                sums=True, g_prepared=self.views[0], d_prepared=self.views[1],
            )  # fmt: skip
        return s.record(losses, fake)

    def finish(self) -> None:
        """Nothing is computed ahead."""

    def describe(self) -> dict[str, Any]:
        """``{"name": "fused"}``."""
        return {"name": self.name}


def _adam_state(opt: torch.optim.Optimizer, p: torch.Tensor) -> dict[str, Any]:
    """``opt``'s Adam state of ``p``, made as :class:`torch.optim.Adam` makes it if absent."""
    state = opt.state[p]
    if not state:
        state["step"] = torch.tensor(0.0)
        for key in ("exp_avg", "exp_avg_sq"):
            state[key] = torch.zeros_like(p, memory_format=torch.preserve_format)
    return state  # type: ignore[no-any-return]


class NativeStack:
    """Trains a :class:`Stack` of MLPs through the native kernel, many iterations per call.

    The kernel updates the stacks in place, and for Adam the optimisers' own moments
    (their update counts follow).

    Args:
        stack: The stacks (float32, on the CPU; plain SGD or default Adam).
        kind: The loss, ``"mse"`` or ``"bce"``.
        data: The members' data.
        kernel: The loaded kernel.
        threads: Threads that share a call's blocks of members.
        batch_size: Samples per step and member.
    """

    name = "native"

    def __init__(
        self, stack: Stack, kind: str, data: NativeStream, kernel: Kernel, threads: int,
        batch_size: int,
    ) -> None:  # fmt: skip
        assert stack.g_spec is not None and stack.d_spec is not None
        self.stack, self.data, self.kernel = stack, data, kernel
        self.adam = optimizer_name(stack.g_opt) == "adam"
        self.runner = NativeRunner(
            kernel, stack.g_spec, stack.d_spec, kind, "adam" if self.adam else "sgd",
            threads=threads, batch_size=batch_size,
        )  # fmt: skip

    def _pairs(self) -> list[tuple[torch.optim.Optimizer, torch.Tensor]]:
        return [(self.stack.g_opt, p) for p in self.stack.g] + [
            (self.stack.d_opt, p) for p in self.stack.d
        ]

    def _count(self, done: int) -> None:
        """Add ``done`` iterations' updates to Adam's counts (one of G's, two of D's)."""
        if self.adam and done:
            for opt, p in self._pairs():
                _adam_state(opt, p)["step"] += done if opt is self.stack.g_opt else 2 * done

    def step(self, ahead: int) -> StepRecord:
        """Hand out a computed iteration's record, or compute up to ``ahead`` iterations."""
        if self.runner.pending():
            return self.runner.pop()
        s = self.stack
        state = [p.detach() for _, p in self._pairs()]
        steps = (0, 0)
        if self.adam:
            adam = [_adam_state(opt, p) for opt, p in self._pairs()]
            state += [a["exp_avg"] for a in adam] + [a["exp_avg_sq"] for a in adam]
            steps = (int(adam[0]["step"]), int(adam[-1]["step"]))
        lrs = (s.g_opt.param_groups[0]["lr"], s.d_opt.param_groups[0]["lr"])
        record = self.runner.run(state, lrs, steps, ahead, self.data, s.members)
        self._count(self.runner.computed)
        return record

    def finish(self) -> None:
        """Undo iterations computed but never handed out (weights, moments, data)."""
        self._count(-self.runner.finish(self.data))

    def describe(self) -> dict[str, Any]:
        """The name, and the kernel's build (:meth:`tinygan.engine.native.Kernel.describe`)."""
        return {"name": self.name, **self.kernel.describe()}
