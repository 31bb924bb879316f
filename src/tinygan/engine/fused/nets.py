"""Networks: an :class:`tinygan.MLP`'s shape, and its forward and backward passes by hand.

Part of :mod:`tinygan.engine.fused` (import the names from there): see its description of
parameter lists and stacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional

from tinygan.nets import MLP

__all__ = ["ACTIVATIONS", "NetSpec", "backward", "forward", "net_spec", "prepare", "spec_or_reason"]

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
            :data:`~tinygan.engine.fused.ACTIVATIONS`).
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
    """``net``'s :class:`~tinygan.engine.fused.NetSpec` if the fused functions compute its forward.

    That is: ``net`` is a :class:`tinygan.MLP` whose entries are still plain
    :class:`~torch.nn.Linear` layers each followed by a supported activation, with
    floating-point parameters that all require gradients, on one device, with one dtype,
    and no module hooks. Anything else returns ``None`` (the caller then uses autograd;
    :func:`spec_or_reason` says why).
    """
    found = spec_or_reason(net)
    return found if isinstance(found, NetSpec) else None


def spec_or_reason(net: object) -> NetSpec | str:
    """``net``'s :class:`~tinygan.engine.fused.NetSpec` (see :func:`net_spec`), or why none.

    The reason completes "the generator ...", such as ``"has frozen parameters"``.
    """
    kinds = "Sigmoid, Tanh, ReLU or Identity"
    if not isinstance(net, MLP) or type(net).forward is not MLP.forward:
        return f"is not a tg.mlp network of Linear layers and {kinds} activations"
    if getattr(net, "norm", None) is not None:
        return f"has {net.norm} layers (norm=), which the fused step does not compute"
    modules = list(net)
    sizes = getattr(net, "sizes", None)
    last = getattr(net, "output_activation", True)  # False: no module after the last layer
    if isinstance(sizes, tuple) and not last:
        modules.append(nn.Identity())  # what it computes: the fused step's "identity"
    if not isinstance(sizes, tuple) or len(modules) != 2 * (len(sizes) - 1):
        return "is a tg.mlp network whose layers were replaced, added or removed"
    if any(_has_hooks(m) for m in (net, *modules)):
        return "has module hooks, which the fused step would not call"
    bias = bool(getattr(net, "bias", False))
    activations: list[str] = []
    for i, (linear, act) in enumerate(zip(modules[::2], modules[1::2], strict=True)):
        shape = (getattr(linear, "in_features", None), getattr(linear, "out_features", None))
        if type(linear) is not nn.Linear or shape != (sizes[i], sizes[i + 1]):
            return f"has a layer {i + 1} that is not the Linear({sizes[i]}, {sizes[i + 1]}) it was"
        if (linear.bias is not None) != bias:
            return f"has a layer {i + 1} whose bias was added or removed"
        name = ACTIVATIONS.get(type(act))
        if name is None:
            return f"has a {type(act).__name__} activation, not one of {kinds}"
        activations.append(name)
    params = list(net.parameters())
    first = params[0]
    if first.dtype not in (torch.float32, torch.float64):
        return f"has {first.dtype} parameters, not float32 or float64"
    if any(p.dtype != first.dtype or p.device != first.device for p in params):
        return "has parameters of several dtypes or devices"
    if not all(p.requires_grad for p in params):
        return "has frozen parameters (requires_grad=False), which the fused step would train"
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
    """Views of the weights that :func:`~tinygan.engine.fused.forward` and ``backward`` can reuse.

    Made once, they stay valid while the weights are updated in place.

    Args:
        spec: The network's shape.
        params: Its parameters.
        sums: As in :func:`~tinygan.engine.fused.forward`.

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
            members, contiguous in memory, in vector instructions (matrix products of
            many tiny matrices would be a library call each).
        prepared: Views of the weights made once and reused (views follow in-place
            updates), which save a call per layer: :func:`~tinygan.engine.fused.prepare` makes them.

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
        ys: What :func:`~tinygan.engine.fused.forward` returned.
        grad_out: The gradient of the loss with respect to the output ``ys[-1]``.
        param_grads: Whether to compute the parameters' gradients.
        input_grad: Whether to compute the gradient with respect to the input ``ys[0]``.
        sums: As in :func:`~tinygan.engine.fused.forward`.
        prepared: As in :func:`~tinygan.engine.fused.forward`.

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
