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

Layer: the bottom of :mod:`tinygan.engine`; it imports only :mod:`tinygan.nets` (to read a
network's shape). Also importable as ``tinygan.fused``, its home before the engine had one.

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

from tinygan.engine.fused.losses import LOSSES, loss_and_grad, loss_kind
from tinygan.engine.fused.nets import (
    ACTIVATIONS,
    NetSpec,
    backward,
    forward,
    net_spec,
    prepare,
    spec_or_reason,
)
from tinygan.engine.fused.steps import adversarial_step, discriminator_step
from tinygan.engine.fused.updates import (
    ADAM_BETAS,
    ADAM_EPS,
    OPTIMIZERS,
    Update,
    adam_,
    adam_factors,
    current_lr,
    optimizer_name,
    settings_name,
    sgd_,
)

__all__ = [
    "ACTIVATIONS",
    "ADAM_BETAS",
    "ADAM_EPS",
    "LOSSES",
    "OPTIMIZERS",
    "NetSpec",
    "Update",
    "adam_",
    "adam_factors",
    "adversarial_step",
    "backward",
    "current_lr",
    "discriminator_step",
    "forward",
    "loss_and_grad",
    "loss_kind",
    "net_spec",
    "optimizer_name",
    "prepare",
    "settings_name",
    "sgd_",
    "spec_or_reason",
]
