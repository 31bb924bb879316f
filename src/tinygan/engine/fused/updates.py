"""Optimiser updates in place: plain SGD and Adam, as :mod:`torch.optim` computes them.

Part of :mod:`tinygan.engine.fused` (import the names from there).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch

__all__ = ["Update", "adam_", "sgd_"]


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
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
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


Update = Callable[[Sequence[torch.Tensor]], None]
"""Applies gradients to a network's parameters in place, e.g. ``lambda g: sgd_(p, g, lr)``."""
