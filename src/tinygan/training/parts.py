"""Checks that models and data sources fit together, made when a trainer is built."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from tinygan.nets import MLP, Packed

__all__ = ["check_model", "check_source", "in_features", "pack_size", "probe"]


def check_model(name: str, model: Any) -> None:
    """Raise ``TypeError`` unless ``model`` is callable and has ``parameters()``."""
    if not callable(model) or not callable(getattr(model, "parameters", None)):
        raise TypeError(
            f"{name} must be a model (a torch.nn.Module, or a callable with parameters()), "
            f"got {model!r}"
        )
    params = list(model.parameters())
    if not params:
        raise ValueError(f"{name} has no parameters to train")
    for p in params:
        if not isinstance(p, torch.Tensor):
            raise TypeError(f"{name}.parameters() must yield tensors, got {p!r}")


def check_source(name: str, source: Any) -> int:
    """Return ``source.dim`` if ``source`` is a :class:`tinygan.DataSource`."""
    dim = getattr(source, "dim", None)
    if not callable(getattr(source, "sample", None)) or dim is None:
        raise TypeError(
            f"{name} must be a data source (with an integer 'dim' and a "
            f"'sample(n, *, generator=None)' method), got {source!r}"
        )
    if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
        raise ValueError(f"{name}.dim must be a positive integer, got {dim!r}")
    return dim


def pack_size(model: Any) -> int:
    """How many samples ``model`` reads per score: ``m`` for a :class:`tinygan.Packed`, else 1."""
    return model.m if isinstance(model, Packed) else 1


def in_features(model: Any) -> int | None:
    """The input width of ``model`` if it can be read off without running it.

    For a :class:`tinygan.Packed` it is the width of one sample, not of a pack.
    """
    if isinstance(model, Packed):
        inner = in_features(model.discriminator)
        return None if inner is None or inner % model.m else inner // model.m
    if isinstance(model, MLP):
        return model.sizes[0]
    if isinstance(model, nn.Module):
        for module in model.modules():
            if isinstance(module, nn.Linear):
                return module.in_features
    return None


def probe(name: str, model: Any, width: int, width_name: str) -> torch.Tensor:
    """Run ``model`` on a zero batch of ``width`` columns; return its output.

    Raises:
        ValueError: If the model's input width is not ``width``, or it fails on such a
            batch, or its output is not a 2-d batch.
    """
    expected = in_features(model)
    if expected is not None and expected != width:
        raise ValueError(f"{width_name} is {width} but {name} takes inputs of width {expected}")
    params = list(model.parameters())
    like = params[0] if params else torch.zeros(())
    batch = torch.zeros(2 * pack_size(model), width, dtype=like.dtype, device=like.device)
    try:
        with torch.no_grad():
            out = model(batch)
    except Exception as exc:
        raise ValueError(
            f"{width_name} is {width} but {name} cannot take inputs of that width: {exc}"
        ) from exc
    if not isinstance(out, torch.Tensor) or out.dim() != 2 or out.shape[0] != 2:
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise ValueError(
            f"{name} must map a batch (n, {width}) to a batch (n, features), got {shape}"
        )
    return out
