"""Optimiser updates in place: plain SGD and Adam, as :mod:`torch.optim` computes them.

Part of :mod:`tinygan.engine.fused` (import the names from there). The optimisers'
names and Adam's constants here are the only ones: the native kernel gets its constants
and per-update factors from this module, and :func:`optimizer_name` tells which torch
optimisers these updates compute.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch.optim import optimizer as optim_module

__all__ = [
    "ADAM_BETAS",
    "ADAM_EPS",
    "OPTIMIZERS",
    "Update",
    "adam_",
    "adam_factors",
    "current_lr",
    "optimizer_name",
    "settings_name",
    "sgd_",
]

OPTIMIZERS = ("sgd", "adam")
"""The optimisers the fused arithmetic (and the native kernel) computes: plain SGD, and
Adam with :class:`torch.optim.Adam`'s defaults but the learning rate."""

ADAM_BETAS = (0.9, 0.999)
"""Adam's decay rates of the first and second moments (torch's defaults)."""

ADAM_EPS = 1e-8
"""Added to Adam's denominator (torch's default)."""


def sgd_(params: Sequence[torch.Tensor], grads: Sequence[torch.Tensor], lr: float) -> None:
    """Plain SGD in place, as :class:`torch.optim.SGD` without momentum does it."""
    for p, g in zip(params, grads, strict=True):
        p.add_(g, alpha=-lr)


def adam_(
    params: Sequence[torch.Tensor],
    grads: Sequence[torch.Tensor],
    exp_avgs: Sequence[torch.Tensor],
    exp_avg_sqs: Sequence[torch.Tensor],
    step: int,
    *,
    lr: float,
    betas: tuple[float, float] = ADAM_BETAS,
    eps: float = ADAM_EPS,
) -> None:
    """One Adam update in place, as :class:`torch.optim.Adam`'s default one does it.

    Args:
        params: The parameters.
        grads: Their gradients.
        exp_avgs: The first-moment estimates, updated in place.
        exp_avg_sqs: The second-moment estimates, updated in place.
        step: The number of this update, from 1.
        lr: The learning rate.
        betas: The moments' decay rates.
        eps: Added to the denominator.
    """
    beta1, beta2 = betas
    step_size = lr / (1 - beta1**step)
    bias_correction2_sqrt = math.sqrt(1 - beta2**step)
    for p, g, m, v in zip(params, grads, exp_avgs, exp_avg_sqs, strict=True):
        m.lerp_(g, 1 - beta1)
        v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        denom = (v.sqrt() / bias_correction2_sqrt).add_(eps)
        p.addcdiv_(m, denom, value=-step_size)


def adam_factors(lr: float, g_step: int, d_step: int, count: int) -> torch.Tensor:
    """The scalars of ``count`` adversarial iterations' Adam updates, shape ``(count, 3, 2)``.

    Per iteration, for D's two updates and G's one: ``(step_size,
    sqrt(bias_correction2))`` as :func:`~tinygan.engine.fused.adam_` computes them (in
    double precision, then rounded to float32). ``g_step`` and ``d_step`` count the
    updates done before.
    """
    beta1, beta2 = ADAM_BETAS
    rows = []
    for j in range(count):
        steps = (d_step + 2 * j + 1, d_step + 2 * j + 2, g_step + j + 1)
        rows.append([[lr / (1 - beta1**s), math.sqrt(1 - beta2**s)] for s in steps])
    return torch.tensor(rows, dtype=torch.float32).reshape(count, 3, 2)


_SGD_PLAIN: dict[str, object] = {"momentum": 0, "weight_decay": 0, "nesterov": False}
_ADAM_DEFAULT: dict[str, object] = {
    "betas": ADAM_BETAS,
    "eps": ADAM_EPS,
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


Update = Callable[[Sequence[torch.Tensor]], None]
"""Applies gradients to a network's parameters in place, e.g. ``lambda g: sgd_(p, g, lr)``."""
