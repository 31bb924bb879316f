"""Layers built without initialising their weights (private to :mod:`tinygan.nets`).

The networks of :mod:`tinygan.nets` draw their weights from a generator of the caller's,
so a layer's own default initialisation would only waste draws from PyTorch's global
generator (and change the caller's later global draws). ``nn.utils.skip_init`` avoids
that too, but its ``to_empty`` imports sympy on first use: a third of a second added to
every process that builds a network.
"""

from __future__ import annotations

from typing import Any, TypeVar

import torch
from torch import nn

__all__ = ["bare"]

LayerT = TypeVar("LayerT", bound=nn.Module)


def bare(cls: type[LayerT], *args: Any, **kwargs: Any) -> LayerT:
    """``cls(*args, **kwargs)`` on the CPU with uninitialised parameters and buffers.

    Built on the meta device, where the default initialisation draws nothing, then
    given fresh CPU tensors of the same shapes and dtypes.
    """
    layer = cls(*args, device="meta", **kwargs)
    for module in layer.modules():
        for name, param in list(module.named_parameters(recurse=False)):
            fresh = torch.empty(param.shape, dtype=param.dtype)
            setattr(module, name, nn.Parameter(fresh, requires_grad=param.requires_grad))
        for name, buffer in list(module.named_buffers(recurse=False)):
            module.register_buffer(name, torch.empty(buffer.shape, dtype=buffer.dtype))
    return layer
