"""An ensemble's networks stacked members last: the one layout every ensemble backend trains.

:class:`Stack` holds ``K`` alike generator and discriminator pairs as one tensor per
parameter with the member dimension last (weights ``(out, in, P)``, biases ``(out, P)``,
padded to ``P`` members), and one torch optimiser per side over those tensors. Every
optimiser an ensemble takes updates each number from that number's gradient and state
alone (:data:`tinygan.engine.table.ELEMENTWISE`), so it moves member ``k`` exactly as
member ``k``'s own optimiser would. Three backends train a stack (see
:func:`tinygan.engine.table.ensemble_reason`):
:class:`~tinygan.engine.stack_backends.FusedStack`,
:class:`~tinygan.engine.stack_backends.NativeStack` and
:class:`~tinygan.engine.vmap.Vmap`. Member ``k``'s numbers depend on its own weights
and data alone.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn
from torch.func import functional_call, vmap

from tinygan.engine import fused
from tinygan.engine.native import Kernel
from tinygan.protocols import StepRecord

__all__ = ["OptimizerSpec", "Stack"]

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
        specs: The generators' and the discriminators' optimiser class and settings;
            :meth:`optimizer` makes the optimiser itself (``g_opt``, ``d_opt``).
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
        self.specs = optimizers
        self._made: list[torch.optim.Optimizer | None] = [None, None]

    def optimizer(self, which: int) -> torch.optim.Optimizer:
        """The generators' (``which=0``) or discriminators' torch optimiser, over their stacks.

        Made at first use: torch's first optimiser in a process imports its compiler, about
        a second that a sweep on plain SGD, which never needs the object, does not pay. A
        learning-rate schedule that an ensemble shares acts on it, on every backend.
        """
        made = self._made[which]
        if made is None:
            kind, settings = self.specs[which]
            made = self._made[which] = kind((self.g, self.d)[which], **settings)
        return made

    g_opt = property(lambda self: self.optimizer(0), doc="The generators' optimiser.")
    d_opt = property(lambda self: self.optimizer(1), doc="The discriminators' optimiser.")

    def plain(self, which: int) -> tuple[str | None, float]:
        """``("sgd" or "adam" or None, lr)``: the optimiser as the fused arithmetic sees it now.

        ``"sgd"`` or ``"adam"`` where it computes the optimiser's update
        (:func:`~tinygan.engine.fused.settings_name`), with its learning rate now.
        """
        made = self._made[which]
        if made is None:
            kind, settings = self.specs[which]
            return fused.settings_name(kind, settings), settings["lr"]
        return fused.optimizer_name(made, (self.g, self.d)[which]), made.param_groups[0]["lr"]

    @functools.cached_property
    def bases(self) -> list[nn.Module]:
        """The templates on the meta device (made at first use: meta tensors load slowly)."""
        return [copy.deepcopy(t).to("meta") for t in self.templates]

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
            z = z.to(self.g[0]).permute(1, 2, 0)  # members last, padded as the stacks are
            z = torch.cat([z, z.new_zeros((*z.shape[:2], padded - k))], dim=-1).contiguous()
            if self.g_spec is None:  # any modules: their own forward, over the members
                out = vmap(lambda p, x: self.call(0, p, x), in_dims=(-1, -1))(self.g, z)
                return out[:k].contiguous()
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

        ``fake`` is members last, ``(n, dim, P)``; all computed without gradients.
        """
        k = self.members
        return StepRecord(
            d_loss_real=losses[0][:k],
            d_loss_fake=losses[1][:k],
            g_loss=losses[2][:k],
            fake=fake.permute(2, 0, 1)[:k],
        )
