"""Hand-written forward and backward passes of :class:`tinygan.MLP` networks, no autograd.

The post's networks are so small (15 and 32 weights) that autograd's bookkeeping costs far
more than the arithmetic. The functions here do the arithmetic alone: a forward pass that
keeps every layer's output, a backward pass written out by hand, the gradients of the
mean squared error and binary cross-entropy losses, and SGD and Adam updates in place.

Every function works on one network or on a stack of ``K`` networks alike. A network's
parameters are a list ``[W1, b1, W2, b2, ...]`` (no ``b`` entries without biases) with
weights of shape ``(out, in)`` and data of shape ``(n, in)``; for a stack, every tensor
has a leading member dimension: weights ``(K, out, in)``, biases ``(K, out)``, data
``(K, n, in)``, and losses come back per member, shape ``(K,)``. Member ``k``'s results
depend on member ``k``'s tensors alone.

Example:
    >>> import torch
    >>> import tinygan as tg
    >>> net = tg.mlp([4, 3, 1], generator=torch.Generator().manual_seed(0))
    >>> spec = net_spec(net)
    >>> params = [p.detach() for p in net.parameters()]
    >>> x = torch.rand(2, 4, generator=torch.Generator().manual_seed(1))
    >>> ys = forward(spec, params, x)
    >>> torch.allclose(ys[-1], net(x))
    True
    >>> loss, grad_out = loss_and_grad("mse", ys[-1], 1.0)
    >>> grads, _ = backward(spec, params, ys, grad_out)
    >>> [tuple(g.shape) for g in grads]
    [(3, 4), (1, 3)]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.nn import functional

from tinygan.nets import MLP

__all__ = [
    "ACTIVATIONS",
    "NetSpec",
    "adam_",
    "adversarial_step",
    "backward",
    "discriminator_step",
    "forward",
    "loss_and_grad",
    "loss_kind",
    "net_spec",
    "prepare",
    "sgd_",
]

ACTIVATIONS: dict[type[nn.Module], str] = {
    nn.Sigmoid: "sigmoid",
    nn.Tanh: "tanh",
    nn.ReLU: "relu",
    nn.Identity: "identity",
}
"""The activation modules the fused path supports, by the name it uses for them."""

_aten = torch.ops.aten


@dataclass(frozen=True)
class NetSpec:
    """The shape of an :class:`tinygan.MLP`: what the fused functions need to know.

    Attributes:
        sizes: The width of every layer, input first.
        bias: Whether the linear layers have biases.
        activations: The activation after each linear layer, by name (see
            :data:`ACTIVATIONS`).
    """

    sizes: tuple[int, ...]
    bias: bool
    activations: tuple[str, ...]

    @property
    def layers(self) -> int:
        """The number of linear layers."""
        return len(self.activations)

    @property
    def n_params(self) -> int:
        """The number of parameter tensors, ``[W1, b1, W2, b2, ...]``."""
        return self.layers * (2 if self.bias else 1)


def _has_hooks(module: nn.Module) -> bool:
    return bool(
        module._forward_hooks
        or module._forward_pre_hooks
        or module._backward_hooks
        or getattr(module, "_backward_pre_hooks", None)
    )


def net_spec(net: object) -> NetSpec | None:
    """Return ``net``'s :class:`NetSpec` if the fused functions compute exactly its forward.

    That is: ``net`` is a :class:`tinygan.MLP` whose entries are still plain
    :class:`~torch.nn.Linear` layers each followed by a supported activation, with
    floating-point parameters that all require gradients, on one device, with one dtype,
    and no module hooks. Anything else returns ``None`` (the caller then uses autograd).
    """
    if not isinstance(net, MLP) or type(net).forward is not MLP.forward:
        return None
    if _has_hooks(net):
        return None
    modules = list(net)
    sizes = getattr(net, "sizes", None)
    if not isinstance(sizes, tuple) or len(modules) != 2 * (len(sizes) - 1):
        return None
    bias = bool(getattr(net, "bias", False))
    activations: list[str] = []
    for i, (linear, act) in enumerate(zip(modules[::2], modules[1::2], strict=True)):
        if type(linear) is not nn.Linear or _has_hooks(linear) or _has_hooks(act):
            return None
        if (linear.in_features, linear.out_features) != (sizes[i], sizes[i + 1]):
            return None
        if (linear.bias is not None) != bias:
            return None
        name = ACTIVATIONS.get(type(act))
        if name is None:
            return None
        activations.append(name)
    params = list(net.parameters())
    first = params[0]
    if first.dtype not in (torch.float32, torch.float64):
        return None
    for p in params:
        if not p.requires_grad or p.dtype != first.dtype or p.device != first.device:
            return None
    return NetSpec(tuple(sizes), bias, tuple(activations))


def _linear(
    x: torch.Tensor,
    w: torch.Tensor,
    b: torch.Tensor | None,
    sums: bool = False,
    view: torch.Tensor | None = None,
) -> torch.Tensor:
    if sums:  # (n, in, *M) x (out, in, *M) -> (n, out, *M), members last
        out = (x.unsqueeze(1) * (w.unsqueeze(0) if view is None else view)).sum(2)
        return out if b is None else out + b.unsqueeze(0)
    if view is not None:  # w.t(), made once: what functional.linear computes, one call less
        return x.mm(view) if b is None else torch.addmm(b, x, view)
    if w.dim() == 2:
        return functional.linear(x, w, b)
    if b is None:
        return torch.bmm(x, w.transpose(1, 2))
    return torch.baddbmm(b.unsqueeze(1), x, w.transpose(1, 2))


def _activate(name: str, h: torch.Tensor) -> torch.Tensor:
    if name == "sigmoid":
        return torch.sigmoid(h)
    if name == "tanh":
        return torch.tanh(h)
    if name == "relu":
        return torch.relu(h)
    return h


def _activation_backward(name: str, dy: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    if name == "sigmoid":
        return _aten.sigmoid_backward(dy, y)  # type: ignore[no-any-return]
    if name == "tanh":
        return _aten.tanh_backward(dy, y)  # type: ignore[no-any-return]
    if name == "relu":
        return _aten.threshold_backward(dy, y, 0)  # type: ignore[no-any-return]
    return dy


def prepare(
    spec: NetSpec, params: Sequence[torch.Tensor], *, sums: bool = False
) -> list[torch.Tensor]:
    """Views of the weights that :func:`forward` and :func:`backward` can reuse.

    Made once, they stay valid while the weights are updated in place.

    Args:
        spec: The network's shape.
        params: Its parameters.
        sums: As in :func:`forward`.

    Returns:
        One view per layer: ``W.unsqueeze(0)`` with ``sums``, else ``W.t()`` (for one
        network, not a stack).
    """
    step = 2 if spec.bias else 1
    weights = [params[step * layer] for layer in range(spec.layers)]
    return [w.unsqueeze(0) if sums else w.t() for w in weights]


def forward(
    spec: NetSpec,
    params: Sequence[torch.Tensor],
    x: torch.Tensor,
    *,
    sums: bool = False,
    prepared: Sequence[torch.Tensor] | None = None,
) -> list[torch.Tensor]:
    """Run the network forward and keep what the backward pass needs.

    Args:
        spec: The network's shape.
        params: ``[W1, b1, W2, b2, ...]`` (no ``b`` entries without biases).
        x: The input, ``(n, in)``, or ``(K, n, in)`` for a stack.
        sums: Compute the matrix products as broadcast multiplies and sums, with a
            stack's member dimension *last*: weights ``(out, in, K)``, biases
            ``(out, K)``, data ``(n, in, K)``. Every operation then runs along the
            members, contiguous in memory, and :func:`torch.compile` fuses them into a
            few loops (matrix products would stay library calls).
        prepared: Views of the weights made once and reused (views follow in-place
            updates), which save a call per layer: :func:`prepare` makes them.

    Returns:
        ``[x, y1, ..., yL]``: the input and every layer's activated output; the last entry
        is the network's output.
    """
    step = 2 if spec.bias else 1
    ys = [x]
    for layer, name in enumerate(spec.activations):
        w = params[step * layer]
        b = params[step * layer + 1] if spec.bias else None
        view = prepared[layer] if prepared is not None else None
        x = _activate(name, _linear(x, w, b, sums, view))
        ys.append(x)
    return ys


def backward(
    spec: NetSpec,
    params: Sequence[torch.Tensor],
    ys: Sequence[torch.Tensor],
    grad_out: torch.Tensor,
    *,
    param_grads: bool = True,
    input_grad: bool = False,
    sums: bool = False,
    prepared: Sequence[torch.Tensor] | None = None,
) -> tuple[list[torch.Tensor], torch.Tensor | None]:
    """Backpropagate ``grad_out`` (the loss's gradient at the output) through the network.

    Args:
        spec: The network's shape.
        params: The parameters the forward pass used.
        ys: What :func:`forward` returned.
        grad_out: The gradient of the loss with respect to the output ``ys[-1]``.
        param_grads: Whether to compute the parameters' gradients.
        input_grad: Whether to compute the gradient with respect to the input ``ys[0]``.
        sums: As in :func:`forward`.
        prepared: As in :func:`forward`.

    Returns:
        ``(grads, grad_input)``: the parameters' gradients in the order of ``params``
        (empty if ``param_grads`` is false) and the input's gradient (or ``None``).
    """
    step = 2 if spec.bias else 1
    grads: list[torch.Tensor] = [grad_out] * (spec.n_params if param_grads else 0)
    dy = grad_out
    for layer in range(spec.layers - 1, -1, -1):
        dh = _activation_backward(spec.activations[layer], dy, ys[layer + 1])
        x = ys[layer]
        w = params[step * layer]
        if param_grads:
            if sums and dh.shape[0] == 1:  # one sample: an outer product, no sum
                grads[step * layer] = dh[0].unsqueeze(1) * x[0].unsqueeze(0)
            elif sums or (dh.dim() == 2 and dh.shape[0] > 8):
                # Also for larger single batches: a BLAS call on a transposed operand
                # there can cost milliseconds (threads) against microseconds for the sum.
                grads[step * layer] = (dh.unsqueeze(2) * x.unsqueeze(1)).sum(0)
            elif dh.dim() == 2:
                grads[step * layer] = dh.t().mm(x)
            else:
                grads[step * layer] = torch.bmm(dh.transpose(1, 2), x)
            if spec.bias:
                grads[step * layer + 1] = dh.sum(0 if sums or dh.dim() == 2 else 1)
        if layer > 0 or input_grad:
            if sums:
                view = prepared[layer] if prepared is not None else w.unsqueeze(0)
                dy = (dh.unsqueeze(2) * view).sum(1)
            elif dh.dim() == 2:
                dy = dh.mm(w)
            else:
                dy = torch.bmm(dh, w)
    return grads, (dy if input_grad else None)


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
    ``sums``, see :func:`forward`).

    Args:
        kind: ``"mse"`` or ``"bce"`` (as torch computes them; BCE clamps its logarithms at
            -100 as :func:`torch.nn.functional.binary_cross_entropy` does).
        output: The network's output.
        target: The output wanted for every entry.
        sums: Whether a stack keeps its members last (see :func:`forward`).

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
