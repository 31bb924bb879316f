"""Losses: the library's known losses and their gradients, for one network or a stack.

Part of :mod:`tinygan.engine.fused` (import the names from there).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn import functional

from tinygan.engine.fused.nets import _has_hooks

__all__ = ["LOSSES", "loss_and_grad", "loss_kind"]

LOSSES = ("mse", "bce")
"""The losses the fused arithmetic (and the native kernel) computes, by name."""

_aten = torch.ops.aten


def loss_kind(loss: Any) -> str | None:
    """Name the library's known losses the fused path can compute exactly.

    Returns:
        ``"mse"`` for :func:`torch.nn.functional.mse_loss` or a default
        :class:`torch.nn.MSELoss`, ``"bce"`` for
        :func:`torch.nn.functional.binary_cross_entropy` or a default
        :class:`torch.nn.BCELoss`, otherwise ``None``.
    """
    if loss is functional.mse_loss:
        return "mse"
    if loss is functional.binary_cross_entropy:
        return "bce"
    if type(loss) is nn.MSELoss and loss.reduction == "mean" and not _has_hooks(loss):
        return "mse"
    if (
        type(loss) is nn.BCELoss
        and loss.reduction == "mean"
        and loss.weight is None
        and not _has_hooks(loss)
    ):
        return "bce"
    return None


def loss_and_grad(
    kind: str, output: torch.Tensor, target: float, *, sums: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """The mean loss of ``output`` against a constant ``target`` and its gradient.

    The mean is over one network's batch: a 0-d loss for ``output`` of shape ``(n, m)``,
    one loss per member, shape ``(K,)``, for a stack ``(K, n, m)`` (or ``(n, m, K)`` with
    ``sums``, see :func:`~tinygan.engine.fused.forward`).

    Args:
        kind: ``"mse"`` or ``"bce"`` (as torch computes them; BCE clamps its logarithms at
            -100 as :func:`torch.nn.functional.binary_cross_entropy` does).
        output: The network's output.
        target: The output wanted for every entry.
        sums: Whether a stack keeps its members last (see :func:`~tinygan.engine.fused.forward`).

    Returns:
        ``(loss, grad)``: the loss and its gradient with respect to ``output``.
    """
    if output.dim() == 2:
        if kind == "mse":  # functional.mse_loss and its backward, in fewer calls
            diff = output - target
            squares = diff.square()
            loss = squares.reshape(()) if squares.numel() == 1 else squares.mean()
            return loss, diff * (2.0 / output.numel())
        else:
            tgt = torch.full_like(output, target)
            loss = functional.binary_cross_entropy(output, tgt)
            grad = _aten.binary_cross_entropy_backward(torch.ones_like(loss), output, tgt, None, 1)
        return loss, grad
    dims = (0, 1) if sums else (-2, -1)
    count = output.shape[dims[0]] * output.shape[dims[1]]
    diff = output - target
    if kind == "mse":
        squares = diff.square()
        if count == 1:  # the mean of one number: a view, one call less
            return squares.reshape(squares.shape[2:] if sums else squares.shape[:-2]), diff * 2.0
        return squares.mean(dims), diff * (2.0 / count)
    log_out = torch.log(output).clamp_(min=-100.0)
    log_rest = torch.log1p(-output).clamp_(min=-100.0)
    losses = -(target * log_out + (1.0 - target) * log_rest)
    grad = diff / ((1.0 - output) * output).clamp_(min=1e-12) / count
    return losses.mean(dims), grad
