"""Optimiser updates in place: plain SGD and Adam, as :mod:`torch.optim` computes them.

Part of :mod:`tinygan.engine.fused` (import the names from there). The optimisers'
names and Adam's constants here are the only ones: the native kernel gets its constants
and per-update factors from this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch

__all__ = ["ADAM_BETAS", "ADAM_EPS", "OPTIMIZERS", "Update", "adam_", "adam_factors", "sgd_"]

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


Update = Callable[[Sequence[torch.Tensor]], None]
"""Applies gradients to a network's parameters in place, e.g. ``lambda g: sgd_(p, g, lr)``."""
