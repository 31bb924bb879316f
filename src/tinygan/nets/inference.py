"""A model's output in inference mode, without touching how it is trained."""

from __future__ import annotations

from typing import Any

import torch

__all__ = ["inference_output"]


def inference_output(model: Any, inputs: torch.Tensor) -> torch.Tensor:
    """``model(inputs)`` without gradients, every submodule in inference mode for the call.

    Batch norm then uses its running statistics (and changes none of them), dropout
    keeps every unit. The modules' ``training`` flags are set directly and restored
    after the call, each as it was, rather than through ``model.eval()`` and
    ``model.train()``: a model may define ``train`` for something else (the post's own
    ``Generator.train(inputs, targets)`` does). Anything that is not a
    :class:`torch.nn.Module` is simply called.

    Args:
        model: The model, such as a trained generator.
        inputs: Its input.

    Returns:
        Its output, detached.

    Example:
        >>> import torch
        >>> from tinygan.nets.inference import inference_output
        >>> net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2))
        >>> out = inference_output(net, torch.ones(3, 2))
        >>> net.training, bool(net[1].num_batches_tracked == 0)
        (True, True)
    """
    modules = list(model.modules()) if isinstance(model, torch.nn.Module) else []
    flags = [module.training for module in modules]
    for module in modules:
        module.training = False
    try:
        with torch.no_grad():
            return model(inputs).detach()  # type: ignore[no-any-return]
    finally:
        for module, flag in zip(modules, flags, strict=True):
            module.training = flag
