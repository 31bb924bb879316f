"""The general ensemble: any alike networks, loss and elementwise optimiser, through ``vmap``.

Each member's weights are stacked along a new first dimension
(:func:`torch.func.stack_module_state`); one step runs every member's networks at once
with :func:`torch.func.vmap` over :func:`torch.func.functional_call`, sums the members'
losses and takes one gradient of the sum: since members share nothing, member ``k``'s
gradient is its own. One optimiser of the lone trainers' type and settings updates the
stacks; its update being elementwise (see :data:`tinygan.ensemble.alike.ELEMENTWISE`),
member ``k``'s weights and optimiser state move exactly as its lone optimiser's would.
Each member's data comes from its own trainer's generator, in the lone trainer's order.
Results equal the lone trainers' within float tolerance (the summed, batched arithmetic
may round differently).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any

import torch
from torch.func import functional_call, stack_module_state, vmap

from tinygan.callbacks import Callback
from tinygan.ensemble._compiled import CompiledEnsemble
from tinygan.ensemble._member_data import MemberData
from tinygan.ensemble.alike import optimizer_settings, shared_callbacks
from tinygan.training import BaseTrainer

__all__ = ["VmapBackend", "copy_generator", "init_vmapped"]


def _stack(nets: Sequence[torch.nn.Module]) -> tuple[torch.nn.Module, dict[str, torch.Tensor]]:
    params, _ = stack_module_state(list(nets))
    base = copy.deepcopy(nets[0]).to("meta")
    return base, {name: p.detach().requires_grad_(True) for name, p in params.items()}


class VmapBackend:
    """Stacked networks, one optimiser per stack, and the lone trainer's three steps.

    Args:
        trainers: Alike :class:`~tinygan.AdversarialTrainer` objects (see
            :func:`tinygan.ensemble.alike.stackable`); their current weights are copied.
    """

    def __init__(self, trainers: Sequence[Any]) -> None:
        first = trainers[0]
        self.templates = (copy.deepcopy(first.generator), copy.deepcopy(first.discriminator))
        self.g_base, self.g = _stack([t.generator for t in trainers])
        self.d_base, self.d = _stack([t.discriminator for t in trainers])
        self.loss = first.loss
        self.g_opt = type(first.g_optimizer)(
            list(self.g.values()), **optimizer_settings(first.g_optimizer)
        )
        self.d_opt = type(first.d_optimizer)(
            list(self.d.values()), **optimizer_settings(first.d_optimizer)
        )
        self._d_loss = vmap(self._member_d_loss, in_dims=(0, 0, None))
        self._g_loss = vmap(self._member_g_loss, in_dims=(0, 0, 0))
        self._generate = vmap(self._member_generate, in_dims=(0, 0))

    def _member_d_loss(
        self, params: dict[str, torch.Tensor], x: torch.Tensor, target: float
    ) -> torch.Tensor:
        out = functional_call(self.d_base, params, (x,))
        return self.loss(out, torch.full_like(out, target))  # type: ignore[no-any-return]

    def _member_g_loss(
        self, g: dict[str, torch.Tensor], d: dict[str, torch.Tensor], z: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        fake = functional_call(self.g_base, g, (z,))
        out = functional_call(self.d_base, d, (fake,))
        return self.loss(out, torch.full_like(out, 1.0)), fake

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

    def step(
        self, real: torch.Tensor, z_fake: torch.Tensor, z_gen: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """The post's three steps for every member; data ``(K, n, dim)``, losses ``(K,)``."""
        d_real = self._train_d(real, 1.0)
        with torch.no_grad():
            fake = self._generate(self.g, z_fake)
        d_fake = self._train_d(fake, 0.0)
        losses, out = self._g_loss(self.g, self.d, z_gen)
        self._update(losses, self.g, self.g_opt)  # the gradient reaches G's stacks only
        return d_real, d_fake, losses.detach(), out.detach()

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

    def state_dict(self) -> dict[str, Any]:
        """Stacked weights and both optimisers' states."""
        return {
            "g": {name: p.detach().clone() for name, p in self.g.items()},
            "d": {name: p.detach().clone() for name, p in self.d.items()},
            "g_optimizer": self.g_opt.state_dict(),
            "d_optimizer": self.d_opt.state_dict(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`'s weights and optimiser states."""
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


def copy_generator(rng: torch.Generator) -> torch.Generator:
    """A new :class:`torch.Generator` on ``rng``'s device, in ``rng``'s state."""
    twin = torch.Generator(device=rng.device)
    twin.set_state(rng.get_state())
    return twin


def init_vmapped(ensemble: Any, trainers: Sequence[Any], callbacks: Iterable[Callback]) -> None:
    """Make a bare :class:`~tinygan.EnsembleTrainer` the vmapped ensemble of ``trainers``.

    It takes the alike trainers' weights, settings, data sources and generators' states.
    """
    first = trainers[0]
    BaseTrainer.__init__(ensemble, callbacks=[*shared_callbacks(trainers), *callbacks])
    ensemble.real, ensemble.noise, ensemble.lr = first.real, first.noise, first.lr
    ensemble.batch_size, ensemble.loss = first.batch_size, first.loss
    ensemble.optimizer, ensemble.compile = type(first.g_optimizer).__name__, False
    ensemble.seeds = [t.seed for t in trainers]
    ensemble.device = first.device
    ensemble.rngs = [copy_generator(t.rng) for t in trainers]
    ensemble.check_finite, ensemble._ahead = False, False
    ensemble._compiled = CompiledEnsemble()
    ensemble._vmap = VmapBackend(trainers)
    ensemble.g_optimizer, ensemble.d_optimizer = ensemble._vmap.g_opt, ensemble._vmap.d_opt
    count = len(trainers)
    ensemble._data = MemberData(ensemble.rngs, first.real, first.noise, first.batch_size, count)
