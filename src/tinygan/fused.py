"""The old home of the fused kernels, kept so that ``tinygan.fused`` goes on working.

The kernels live in :mod:`tinygan.engine.fused`; every name is the same object here, and
so are its submodules (``tinygan.fused.nets`` is :mod:`tinygan.engine.fused.nets`).

>>> import tinygan.engine.fused, tinygan.fused
>>> tinygan.fused.forward is tinygan.engine.fused.forward
True
"""

from tinygan.engine.fused import (
    ACTIVATIONS,
    NetSpec,
    Update,
    adam_,
    adversarial_step,
    backward,
    discriminator_step,
    forward,
    loss_and_grad,
    loss_kind,
    losses,
    net_spec,
    nets,
    prepare,
    sgd_,
    steps,
    updates,
)

__all__ = [
    "ACTIVATIONS",
    "NetSpec",
    "Update",
    "adam_",
    "adversarial_step",
    "backward",
    "discriminator_step",
    "forward",
    "loss_and_grad",
    "loss_kind",
    "losses",
    "net_spec",
    "nets",
    "prepare",
    "sgd_",
    "steps",
    "updates",
]
