"""The vmap backend: any alike networks, objective and elementwise optimiser, over members.

Each member's weights are stacked along a new first dimension
(:func:`torch.func.stack_module_state`); one step runs every member's networks at once
with :func:`torch.func.vmap` over :func:`torch.func.functional_call`, sums the members'
losses and takes one gradient of the sum: since members share nothing, member ``k``'s
gradient is its own. One optimiser of the lone trainers' type and settings updates each
stack; its update being elementwise (:data:`ELEMENTWISE`), member ``k``'s weights and
optimiser state move exactly as its lone optimiser's would. Results equal the lone
trainers' within float tolerance (the summed, batched arithmetic may round differently).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Sequence
from typing import Any

import torch
from torch.func import functional_call, stack_module_state, vmap

from tinygan.engine.stack import MemberStream
from tinygan.objectives import Objective
from tinygan.protocols import StepRecord

__all__ = ["ELEMENTWISE", "Vmap", "optimizer_settings"]

ELEMENTWISE: tuple[type[torch.optim.Optimizer], ...] = (
    torch.optim.SGD,
    torch.optim.Adam,
    torch.optim.AdamW,
    torch.optim.RMSprop,
    torch.optim.Adagrad,
    torch.optim.Adamax,
    torch.optim.NAdam,
    torch.optim.RAdam,
    torch.optim.Rprop,
    torch.optim.ASGD,
)
"""Optimisers whose update of each number depends on that number's gradient and state
alone, so that one optimiser over stacked weights updates every member as its own would."""

OptimizerSpec = tuple[type[torch.optim.Optimizer], dict[str, Any]]
"""An optimiser's class and its constructor's keywords (:func:`optimizer_settings`)."""


def optimizer_settings(opt: torch.optim.Optimizer) -> dict[str, Any]:
    """An optimiser's settings now: its constructor's keywords, read from its one group."""
    group = opt.param_groups[0]
    accepted = inspect.signature(type(opt).__init__).parameters
    return {key: group.get(key, value) for key, value in opt.defaults.items() if key in accepted}


def _stack(nets: Sequence[torch.nn.Module]) -> tuple[torch.nn.Module, dict[str, torch.Tensor]]:
    params, _ = stack_module_state(list(nets))
    base = copy.deepcopy(nets[0]).to("meta")
    return base, {name: p.detach().requires_grad_(True) for name, p in params.items()}


class Vmap:
    """Stacked networks, one optimiser per stack, and the lone trainer's three steps.

    Args:
        generators: The members' generators (alike modules; their weights are copied).
        discriminators: The members' discriminators.
        objective: How the losses come from D's scores, as the lone trainers'
            (:class:`~tinygan.objectives.Objective`; one without a gradient penalty).
        optimizers: The generators' and the discriminators' optimiser class and settings.
        data: The members' data: per iteration, ``d_steps`` real batches and noise for
            a generated batch, one after another, then noise for G's step.
        d_steps: D's steps per G step.
    """

    name = "vmap"

    def __init__(
        self,
        generators: Sequence[torch.nn.Module],
        discriminators: Sequence[torch.nn.Module],
        objective: Objective,
        optimizers: tuple[OptimizerSpec, OptimizerSpec],
        data: MemberStream,
        d_steps: int = 1,
    ) -> None:
        self.members = len(generators)
        self.templates = (copy.deepcopy(generators[0]), copy.deepcopy(discriminators[0]))
        self.g_base, self.g = _stack(generators)
        self.d_base, self.d = _stack(discriminators)
        self.objective, self.data, self.d_steps = objective, data, d_steps
        (g_type, g_settings), (d_type, d_settings) = optimizers
        self.g_opt = g_type(list(self.g.values()), **g_settings)
        self.d_opt = d_type(list(self.d.values()), **d_settings)
        self._d_loss = vmap(self._member_d_loss, in_dims=(0, 0, None))
        self._g_loss = vmap(self._member_g_loss, in_dims=(0, 0, 0))
        self._generate = vmap(self._member_generate, in_dims=(0, 0))

    def _member_d_loss(
        self, params: dict[str, torch.Tensor], x: torch.Tensor, target: float
    ) -> torch.Tensor:
        out = functional_call(self.d_base, params, (x,))
        return self.objective.d_loss(out, target)

    def _member_g_loss(
        self, g: dict[str, torch.Tensor], d: dict[str, torch.Tensor], z: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        fake = functional_call(self.g_base, g, (z,))
        out = functional_call(self.d_base, d, (fake,))
        return self.objective.g_loss(out, 1.0), fake

    def _member_generate(self, g: dict[str, torch.Tensor], z: torch.Tensor) -> torch.Tensor:
        return functional_call(self.g_base, g, (z,))  # type: ignore[no-any-return]

    @staticmethod
    def _update(losses: torch.Tensor, stacks: dict[str, torch.Tensor], opt: Any) -> None:
        """One optimiser step of ``stacks`` on the members' summed losses."""
        params = list(stacks.values())
        grads = torch.autograd.grad(losses.sum(), params)
        for param, grad in zip(params, grads, strict=True):
            param.grad = grad
        opt.step()

    def _train_d(self, x: torch.Tensor, target: float) -> torch.Tensor:
        losses = self._d_loss(self.d, x.detach(), target)
        self._update(losses, self.d, self.d_opt)
        return losses.detach()

    def step(self, ahead: int) -> StepRecord:
        """The post's three steps for every member; losses ``(K,)``, output ``(K, n, dim)``."""
        k = self.members  # the data may be padded with more
        *d_parts, z_gen = (part[0].permute(2, 0, 1)[:k] for part in self.data.draw(1))
        d_real, d_fake = [], []
        for real, z_fake in zip(d_parts[::2], d_parts[1::2], strict=True):
            d_real.append(self._train_d(real, 1.0))
            with torch.no_grad():
                fake = self._generate(self.g, z_fake)
            d_fake.append(self._train_d(fake, 0.0))
        if self.d_steps > 1:  # the record holds D's mean losses, as a lone trainer's
            d_real, d_fake = [torch.stack(d_real).mean(0)], [torch.stack(d_fake).mean(0)]
        losses, out = self._g_loss(self.g, self.d, z_gen)
        self._update(losses, self.g, self.g_opt)  # the gradient reaches G's stacks only
        return StepRecord(d_real[0], d_fake[0], losses.detach(), out.detach())

    def finish(self) -> None:
        """Nothing is computed ahead."""

    def describe(self) -> dict[str, Any]:
        """``{"name": "vmap"}`` and the optimisers' classes."""
        optimizers = [type(self.g_opt).__name__, type(self.d_opt).__name__]
        return {"name": self.name, "optimizers": optimizers}

    def generate(self, z: torch.Tensor) -> torch.Tensor:
        """Every member's generator on ``z`` ``(K, m, dim)``, without gradients."""
        with torch.no_grad():
            return self._generate(self.g, z)

    def unstack(self, k: int) -> tuple[torch.nn.Module, torch.nn.Module]:
        """Member ``k``'s networks, as fresh copies of the templates with its weights."""
        nets = []
        for template, stacked in zip(self.templates, (self.g, self.d), strict=True):
            net = copy.deepcopy(template)
            with torch.no_grad():
                for name, param in net.named_parameters():
                    param.copy_(stacked[name][k])
            nets.append(net)
        return nets[0], nets[1]

    state_keys = ("vmapped",)
    """The entries of :meth:`state_dict`."""

    def state_dict(self) -> dict[str, Any]:
        """Stacked weights and both optimisers' states, under ``"vmapped"``."""
        return {
            "vmapped": {
                "g": {name: p.detach().clone() for name, p in self.g.items()},
                "d": {name: p.detach().clone() for name, p in self.d.items()},
                "g_optimizer": self.g_opt.state_dict(),
                "d_optimizer": self.d_opt.state_dict(),
            }
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`'s weights and optimiser states.

        Raises:
            KeyError: If ``state`` has no ``"vmapped"`` entry.
            ValueError: If the weights do not fit these stacks.
        """
        state = state["vmapped"]
        for key, stacks in (("g", self.g), ("d", self.d)):
            saved = state[key]
            if set(saved) != set(stacks):
                raise ValueError(f"the state's {key} weights do not fit this ensemble")
            with torch.no_grad():
                for name, param in stacks.items():
                    if saved[name].shape != param.shape:
                        raise ValueError(
                            f"the state's {key}.{name} has shape {tuple(saved[name].shape)}, "
                            f"this ensemble's {tuple(param.shape)}"
                        )
                    param.copy_(saved[name])
        self.g_opt.load_state_dict(state["g_optimizer"])
        self.d_opt.load_state_dict(state["d_optimizer"])
