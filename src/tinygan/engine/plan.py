"""Whether a trainer can take the fused path, and what that path needs (its plan).

See :mod:`tinygan.engine.fastpath` for the conditions, and why each one is needed for the
fused step to compute exactly what the plain step computes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from tinygan.engine import fused
from tinygan.engine.streams import Transform, vectorised

__all__ = ["Plan", "current_lr", "make_plan"]

_SGD_DEFAULTS = {"momentum": 0, "weight_decay": 0, "maximize": False, "nesterov": False}


def _sgd_ready(opt: Any, params: Sequence[torch.nn.Parameter]) -> bool:
    """Whether ``opt`` is a plain SGD over exactly ``params`` that fused SGD reproduces."""
    if type(opt) is not torch.optim.SGD or len(opt.param_groups) != 1:
        return False
    if opt._optimizer_step_pre_hooks or opt._optimizer_step_post_hooks:
        return False
    from torch.optim import optimizer as optim_module

    if getattr(optim_module, "_global_optimizer_pre_hooks", None) or getattr(
        optim_module, "_global_optimizer_post_hooks", None
    ):
        return False
    group = opt.param_groups[0]
    if len(group["params"]) != len(params) or any(
        a is not b for a, b in zip(group["params"], params, strict=True)
    ):
        return False
    if any(group.get(key, value) != value for key, value in _SGD_DEFAULTS.items()):
        return False
    return not group.get("differentiable", False) and isinstance(group["lr"], float)


@dataclass
class Plan:
    """What one fused step needs, checked once per ``fit`` (or per step outside ``fit``)."""

    d_spec: fused.NetSpec
    d_params: list[torch.Tensor]
    d_opt: torch.optim.Optimizer
    kind: str
    g_spec: fused.NetSpec | None = None
    g_params: list[torch.Tensor] | None = None
    g_opt: torch.optim.Optimizer | None = None
    d_t: list[torch.Tensor] | None = None
    g_t: list[torch.Tensor] | None = None
    owner: tuple[Any, ...] = ()
    sources: tuple[tuple[int, Transform] | None, ...] = ()

    def serves(self, trainer: Any) -> bool:
        """Whether ``trainer`` still has the loss, networks and optimisers planned for."""
        owner = self.owner
        return (
            trainer.loss is owner[0]
            and trainer.discriminator is owner[1]
            and trainer.d_optimizer is owner[2]
            and getattr(trainer, "generator", None) is owner[3]
            and getattr(trainer, "g_optimizer", None) is owner[4]
        )


def _net_ready(net: Any) -> tuple[fused.NetSpec, list[torch.nn.Parameter]] | None:
    spec = fused.net_spec(net)
    if spec is None:
        return None
    params = list(net.parameters())
    if params[0].dtype != torch.float32 or params[0].device.type != "cpu":
        return None
    return spec, params


def current_lr(opt: torch.optim.Optimizer) -> float | None:
    """The learning rate of a still-plain SGD, read now; ``None`` if it is no longer plain."""
    groups = opt.param_groups
    if len(groups) != 1:
        return None
    group = groups[0]
    lr = group["lr"]
    if group["momentum"] or group["weight_decay"] or group["maximize"] or type(lr) is not float:
        return None
    return lr


def make_plan(
    trainer: Any,
    *,
    adversarial: bool,
    originals: dict[str, Callable[..., Any]],
    compile: bool,
) -> Plan | None:
    """Return the fused plan for ``trainer`` now, or ``None`` for the plain path.

    Args:
        trainer: An adversarial or discriminator-only trainer.
        adversarial: Whether it is adversarial (else discriminator-only).
        originals: The library's own ``train_*`` functions; a trainer whose class
            overrides one of them takes the plain path.
        compile: Whether the plan is for compiled chunks (they need vectorised sources).
    """
    cls = type(trainer)
    for name, original in originals.items():
        if getattr(cls, name, None) is not original:
            return None
    kind = fused.loss_kind(trainer.loss)
    if kind is None or trainer.batch_size < 1:
        return None
    d = _net_ready(trainer.discriminator)
    if d is None or d[0].sizes[-1] != 1 or not _sgd_ready(trainer.d_optimizer, d[1]):
        return None
    if kind == "bce" and d[0].activations[-1] != "sigmoid":
        return None
    owner = (
        trainer.loss,
        trainer.discriminator,
        trainer.d_optimizer,
        getattr(trainer, "generator", None),
        getattr(trainer, "g_optimizer", None),
    )
    plan = Plan(d[0], [p.detach() for p in d[1]], trainer.d_optimizer, kind, owner=owner)
    plan.d_t = fused.prepare(plan.d_spec, plan.d_params)
    if adversarial:
        g = _net_ready(trainer.generator)
        if g is None or not _sgd_ready(trainer.g_optimizer, g[1]):
            return None
        if g[0].sizes[0] != trainer.noise.dim or g[0].sizes[-1] != d[0].sizes[0]:
            return None
        plan.g_spec, plan.g_params = g[0], [p.detach() for p in g[1]]
        plan.g_t = fused.prepare(plan.g_spec, plan.g_params)
        plan.g_opt = trainer.g_optimizer
        if compile:
            plan.sources = (vectorised(trainer.real), vectorised(trainer.noise))
    return plan
