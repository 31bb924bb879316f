"""What the fused and native steps need of a lone trainer (its plan), or why they cannot run.

A lone trainer's step may run by hand (fused, native) only where it computes exactly what
the trainer's own parts compute:

- the trainer's class overrides none of ``step``, ``train_discriminator`` and
  ``train_generator`` (a subclass that overrides ``step`` runs its own step, out of the
  autograd parts);
- both networks are :class:`tinygan.MLP` networks whose modules are still plain
  ``Linear`` layers and supported activations (:func:`tinygan.engine.fused.net_spec`),
  with float32 parameters on the CPU;
- the loss is mean squared error or binary cross-entropy as torch computes it
  (:func:`tinygan.engine.fused.loss_kind`), BCE with a discriminator that ends with a
  sigmoid;
- the optimisers are plain :class:`torch.optim.SGD` over exactly the network's parameters
  (no momentum, weight decay, ``maximize``, hooks), whose learning rate is read at every
  step (schedulers work).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch.optim import optimizer as optim_module

from tinygan.engine import fused

__all__ = ["Plan", "current_lr", "make_plan", "optimizer_name", "settings_name"]

_SGD_PLAIN: dict[str, object] = {"momentum": 0, "weight_decay": 0, "nesterov": False}
_ADAM_DEFAULT: dict[str, object] = {
    "betas": fused.ADAM_BETAS,
    "eps": fused.ADAM_EPS,
    "weight_decay": 0,
    "amsgrad": False,
}


def settings_name(kind: type, group: Any) -> str | None:
    """``"sgd"`` or ``"adam"`` if the fused arithmetic computes this optimiser, else ``None``.

    Args:
        kind: The optimiser's class.
        group: Its settings (a parameter group, or its constructor's keywords).
    """
    if kind is torch.optim.SGD:
        name, wanted = "sgd", _SGD_PLAIN
    elif kind is torch.optim.Adam:
        name, wanted = "adam", _ADAM_DEFAULT
    else:
        return None
    if any(group.get(key, value) != value for key, value in wanted.items()):
        return None
    flags = ("maximize", "differentiable", "foreach", "fused")
    if any(group.get(flag) for flag in flags) or type(group["lr"]) is not float:
        return None
    return name


def optimizer_name(opt: Any, params: Sequence[torch.Tensor] | None = None) -> str | None:
    """``"sgd"`` or ``"adam"`` if ``opt`` is one the fused arithmetic computes, else ``None``.

    That is a :class:`torch.optim.SGD` without momentum, weight decay or Nesterov, or
    a :class:`torch.optim.Adam` with the default betas and eps, no weight decay and no
    AMSGrad; either with one parameter group, a float learning rate, no ``maximize``,
    ``differentiable``, ``foreach``, ``fused`` or hooks (its own or global ones), and,
    if ``params`` is given, over exactly those parameters.
    """
    hooks = opt._optimizer_step_pre_hooks or opt._optimizer_step_post_hooks
    if type(opt) not in (torch.optim.SGD, torch.optim.Adam) or len(opt.param_groups) != 1:
        return None
    if (
        hooks
        or getattr(optim_module, "_global_optimizer_pre_hooks", None)
        or getattr(optim_module, "_global_optimizer_post_hooks", None)
    ):
        return None
    group = opt.param_groups[0]
    if params is not None and (
        len(group["params"]) != len(params)
        or any(a is not b for a, b in zip(group["params"], params, strict=True))
    ):
        return None
    return settings_name(type(opt), group)


def current_lr(opt: torch.optim.Optimizer) -> float | None:
    """The learning rate of a still-plain SGD, read now; ``None`` if it is no longer plain."""
    return opt.param_groups[0]["lr"] if optimizer_name(opt) == "sgd" else None


@dataclass
class Plan:
    """What the fused or native step of one lone trainer needs, checked when made.

    Attributes:
        kind: The loss, ``"mse"`` or ``"bce"``.
        d_spec: The discriminator's shape.
        d_params: Its parameters (detached views, updated in place).
        d_opt: Its optimiser (the learning rate is read from it at every step).
        g_spec: The generator's shape (adversarial trainers).
        g_params: Its parameters.
        g_opt: Its optimiser.
        owner: The loss, networks and optimisers it was made for.
    """

    kind: str
    d_spec: fused.NetSpec
    d_params: list[torch.Tensor]
    d_opt: torch.optim.Optimizer
    g_spec: fused.NetSpec | None = None
    g_params: list[torch.Tensor] | None = None
    g_opt: torch.optim.Optimizer | None = None
    owner: tuple[Any, ...] = ()

    def serves(self, trainer: Any) -> bool:
        """Whether ``trainer`` still has the loss, networks and optimisers planned for."""
        loss, d, d_opt, g, g_opt = self.owner
        return (
            trainer.loss is loss
            and trainer.discriminator is d
            and trainer.d_optimizer is d_opt
            and getattr(trainer, "generator", None) is g
            and getattr(trainer, "g_optimizer", None) is g_opt
        )


def _owner(trainer: Any) -> tuple[Any, ...]:
    names = ("loss", "discriminator", "d_optimizer", "generator", "g_optimizer")
    return tuple(getattr(trainer, name, None) for name in names)


def _net(net: Any, name: str, opt: Any) -> tuple[fused.NetSpec, list[torch.Tensor]] | str:
    spec = fused.spec_or_reason(net)
    if isinstance(spec, str):
        return f"the {name} {spec}"
    params = list(net.parameters())
    if params[0].dtype != torch.float32 or params[0].device.type != "cpu":
        where = f"{params[0].dtype} on {params[0].device}"
        return f"the {name}'s weights are {where}, not float32 on the CPU"
    if optimizer_name(opt, params) != "sgd":
        return (
            f"the {name}'s optimiser is not a plain torch.optim.SGD over its parameters "
            "(no momentum, weight decay, maximize or hooks, a float learning rate)"
        )
    return spec, [p.detach() for p in params]


def make_plan(
    trainer: Any, *, adversarial: bool, originals: dict[str, Callable[..., Any]]
) -> Plan | str:
    """The plan of the fused and native steps for ``trainer`` now, or why they cannot run.

    Args:
        trainer: An adversarial or discriminator-only trainer; one whose ``only_autograd``
            says why (:class:`tinygan.ConditionalTrainer`) gets that reason back.
        adversarial: Whether it is adversarial (else discriminator-only).
        originals: The library's own ``step`` and ``train_*`` functions; a trainer
            whose class overrides one of them runs its own.
    """
    only_autograd = getattr(trainer, "only_autograd", None)
    if only_autograd is not None:  # a trainer whose step the fused step never computes
        return str(only_autograd)
    cls = type(trainer)
    for name, original in originals.items():
        if getattr(cls, name, None) is not original:
            return f"{cls.__name__} overrides {name}()"
    objective = getattr(trainer, "objective", None)
    if objective is not None and objective.loss is None:
        return (
            f"the objective {objective.name!r} is not one the fused step computes (least "
            "squares, or binary cross-entropy against targets)"
        )
    if getattr(trainer, "d_steps", 1) != 1:
        return f"d_steps={trainer.d_steps}: the fused step takes one D step per G step"
    kind = fused.loss_kind(trainer.loss)
    if kind is None:
        return (
            "the loss is not mean squared error or binary cross-entropy as torch computes them "
            "(functional.mse_loss, nn.MSELoss(), functional.binary_cross_entropy, nn.BCELoss())"
        )
    d = _net(trainer.discriminator, "discriminator", trainer.d_optimizer)
    if isinstance(d, str):
        return d
    if d[0].sizes[-1] != 1:
        return "the discriminator does not output one score per sample"
    if kind == "bce" and d[0].activations[-1] != "sigmoid":
        return "binary cross-entropy needs a discriminator that ends with a Sigmoid"
    plan = Plan(kind, d[0], d[1], trainer.d_optimizer, owner=_owner(trainer))
    if adversarial:
        g = _net(trainer.generator, "generator", trainer.g_optimizer)
        if isinstance(g, str):
            return g
        if g[0].sizes[0] != trainer.noise.dim or g[0].sizes[-1] != d[0].sizes[0]:
            return "the generator's widths do not fit the noise and the discriminator"
        plan.g_spec, plan.g_params, plan.g_opt = g[0], g[1], trainer.g_optimizer
    return plan
