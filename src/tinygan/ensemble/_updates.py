"""An ensemble's loss and optimiser: checked by name, and SGD or Adam on all members at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from tinygan.engine import fused

__all__ = ["LOSSES", "OPTIMIZERS", "check_loss_and_optimizer", "member_update"]

LOSSES = ("mse", "bce")
OPTIMIZERS = ("sgd", "adam")


def check_loss_and_optimizer(
    loss: object, optimizer: object, d_spec: fused.NetSpec
) -> tuple[str, str]:
    """Check an ensemble's ``loss`` and ``optimizer`` names against what it can run.

    Raises:
        ValueError: If either is not a name the ensemble knows, or ``loss="bce"`` is asked
            of discriminators that do not end with a sigmoid.
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    if loss == "bce" and d_spec.activations[-1] != "sigmoid":
        raise ValueError("loss='bce' needs discriminators whose last activation is Sigmoid")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    return str(loss), str(optimizer)


def member_update(trainer: Any, which: int) -> fused.Update:
    """The update of the generators (``which=0``) or the discriminators (``which=1``).

    SGD needs no state; Adam uses the ensemble's moments and counts its own steps, one
    count for the generators and one for the discriminators (as each lone trainer's two
    optimisers do).
    """
    params = (trainer._g, trainer._d)[which]
    if trainer.optimizer == "sgd":
        return lambda grads: fused.sgd_(params, grads, trainer.lr)
    n = len(trainer._g) + len(trainer._d)
    offset = 0 if which == 0 else len(trainer._g)
    exp_avgs = trainer._moments[offset : offset + len(params)]
    exp_avg_sqs = trainer._moments[n + offset : n + offset + len(params)]

    def update(grads: Sequence[torch.Tensor]) -> None:
        trainer._adam_steps[which] += 1
        fused.adam_(params, grads, exp_avgs, exp_avg_sqs, trainer._adam_steps[which], lr=trainer.lr)

    return update
