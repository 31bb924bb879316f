"""Whole training steps out of the pieces: a discriminator step and the post's three steps.

Part of :mod:`tinygan.engine.fused` (import the names from there).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from tinygan.engine.fused.losses import loss_and_grad
from tinygan.engine.fused.nets import NetSpec, backward, forward
from tinygan.engine.fused.updates import Update

__all__ = ["adversarial_step", "discriminator_step"]


def discriminator_step(
    spec: NetSpec,
    params: Sequence[torch.Tensor],
    inputs: torch.Tensor,
    target: float,
    kind: str,
    update: Update,
    *,
    sums: bool = False,
    prepared: Sequence[torch.Tensor] | None = None,
) -> torch.Tensor:
    """One discriminator step on a batch: forward, loss, backward, ``update``.

    Returns:
        The loss before the step.
    """
    ys = forward(spec, params, inputs, sums=sums, prepared=prepared)
    loss, grad = loss_and_grad(kind, ys[-1], target, sums=sums)
    grads, _ = backward(spec, params, ys, grad, sums=sums, prepared=prepared)
    update(grads)
    return loss


def adversarial_step(
    g_spec: NetSpec,
    d_spec: NetSpec,
    g_params: Sequence[torch.Tensor],
    d_params: Sequence[torch.Tensor],
    real: torch.Tensor,
    noise_fake: torch.Tensor,
    noise_gen: torch.Tensor,
    kind: str,
    g_update: Update,
    d_update: Update,
    *,
    sums: bool = False,
    g_prepared: Sequence[torch.Tensor] | None = None,
    d_prepared: Sequence[torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The post's three steps, as :meth:`tinygan.AdversarialTrainer.step` takes them.

    1. the discriminator on ``real``, target 1.0;
    2. the discriminator on the generator's output for ``noise_fake``, target 0.0;
    3. the generator through the discriminator on ``noise_gen``, target 1.0 (only the
       generator's parameters change).

    Returns:
        ``(d_loss_real, d_loss_fake, g_loss, fake)``: the three losses before their steps
        and the generator's output in step 3.
    """
    gp, dp = g_prepared, d_prepared
    d_loss_real = discriminator_step(
        d_spec, d_params, real, 1.0, kind, d_update, sums=sums, prepared=dp
    )
    fake = forward(g_spec, g_params, noise_fake, sums=sums, prepared=gp)[-1]
    d_loss_fake = discriminator_step(
        d_spec, d_params, fake, 0.0, kind, d_update, sums=sums, prepared=dp
    )
    g_ys = forward(g_spec, g_params, noise_gen, sums=sums, prepared=gp)
    d_ys = forward(d_spec, d_params, g_ys[-1], sums=sums, prepared=dp)
    g_loss, grad = loss_and_grad(kind, d_ys[-1], 1.0, sums=sums)
    _, grad_fake = backward(
        d_spec, d_params, d_ys, grad, param_grads=False, input_grad=True, sums=sums, prepared=dp
    )
    assert grad_fake is not None
    g_grads, _ = backward(g_spec, g_params, g_ys, grad_fake, sums=sums, prepared=gp)
    g_update(g_grads)
    return d_loss_real, d_loss_fake, g_loss, g_ys[-1]
