"""Checks that models and data sources fit together, made when a trainer is built."""

from __future__ import annotations

import math
import reprlib
from typing import Any

import torch
from torch import nn

from tinygan.nets import MLP, Packed

__all__ = [
    "CheckedSource",
    "check_batch",
    "check_input",
    "check_model",
    "check_same_dtype",
    "check_source",
    "check_target",
    "float_dtype",
    "in_features",
    "pack_size",
    "probe",
]

DATA_DTYPE = torch.float32
"""What data sources return (the public contract), and so what networks are by default."""


def _dtype(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def check_model(name: str, model: Any) -> None:
    """Raise unless ``model`` is a model a trainer can train.

    Raises:
        TypeError: If ``model`` is not callable with ``parameters()`` yielding tensors, or
            its floating parameters are of more than one dtype.
        ValueError: If it has no parameters, or none that requires grad.
    """
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
    if not any(p.requires_grad for p in params):
        raise ValueError(
            f"{name} has no trainable parameters (every requires_grad is False): a trainer "
            f"trains it, so unfreeze it ({name}.requires_grad_(True))"
        )
    float_dtype(name, model)


def float_dtype(name: str, model: Any) -> torch.dtype:
    """The dtype of ``model``'s floating parameters (float32 if it has none).

    Raises:
        TypeError: If they are of more than one dtype.
    """
    found = sorted({p.dtype for p in model.parameters() if p.is_floating_point()}, key=str)
    if len(found) > 1:
        raise TypeError(
            f"{name} has parameters of several dtypes ({', '.join(map(_dtype, found))}): make "
            f"them one ({name}.float() for float32, the dtype of tinygan's data sources)"
        )
    return found[0] if found else DATA_DTYPE


def check_same_dtype(generator: Any, discriminator: Any) -> None:
    """Raise ``TypeError`` unless both networks' parameters share one floating dtype.

    The generator's output is the discriminator's input, and the data sources' batches
    are both networks' inputs: all must be of one dtype (float32, what tinygan's data
    sources return, unless the user's sources return another; see :func:`check_batch`).
    """
    g, d = float_dtype("generator", generator), float_dtype("discriminator", discriminator)
    if g != d:
        raise TypeError(
            f"the generator has {_dtype(g)} parameters but the discriminator {_dtype(d)}: "
            f"the one's output is the other's input, so they must agree (data sources "
            f"return {_dtype(DATA_DTYPE)}: make both {_dtype(DATA_DTYPE)} with net.float())"
        )


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


def _describe(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"a {_dtype(value.dtype)} tensor of shape {tuple(value.shape)} on {value.device}"
    if value is None:
        return "None"
    return f"a {type(value).__name__} ({reprlib.repr(value)})"


def check_batch(
    call: str, batch: Any, n: int, dim: int, device: torch.device, dtype: torch.dtype
) -> None:
    """Raise unless ``batch`` is a tensor ``(n, dim)`` of ``dtype`` on ``device``.

    ``call`` says how the batch was asked for (``"real.sample(8, generator=...)"``),
    ``dim`` is the source's ``dim`` and ``dtype`` the networks' (float32 unless they
    were made another); the message names the call, what it returned and what was
    expected.

    Raises:
        TypeError: If ``batch`` is not a tensor, or not one of ``dtype``.
        ValueError: If its shape is not ``(n, dim)``, or it is on another device.
    """
    expected = f"a {_dtype(dtype)} tensor of shape (n, dim) = ({n}, {dim})"
    if not isinstance(batch, torch.Tensor) or batch.dtype != dtype:
        why = ""
        if dtype != DATA_DTYPE and isinstance(batch, torch.Tensor):
            why = (
                f"; the networks are {_dtype(dtype)}, so their data must be too (or make "
                f"them {_dtype(DATA_DTYPE)} with net.float())"
            )
        raise TypeError(f"{call} must return {expected}, got {_describe(batch)}{why}")
    if tuple(batch.shape) != (n, dim):
        raise ValueError(f"{call} must return {expected}, got {_describe(batch)}")
    here = batch.device
    other_index = None not in (device.index, here.index) and here.index != device.index
    if here.type != device.type or other_index:
        raise ValueError(
            f"{call} must return {expected} on {device} (where the generator it is given "
            f"draws), got {_describe(batch)}"
        )


class CheckedSource:
    """A data source's stand-in that checks each batch it hands out.

    ``sample(n, generator=g)`` returns ``source.sample(n, generator=g)`` unchanged (the
    same call: the same numbers) after :func:`check_batch` (shape ``(n, source.dim)``,
    ``dtype``, ``g``'s device); the messages name the source as ``name``. A trainer puts
    it in a source's place for the iteration that first draws from that source.
    """

    def __init__(self, name: str, source: Any, dtype: torch.dtype) -> None:
        self.name, self.source, self.dtype = name, source, dtype
        self.dim = source.dim

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """``source.sample(n, generator=generator)``, checked (see the class)."""
        batch = self.source.sample(n, generator=generator)
        device = generator.device if generator is not None else torch.device("cpu")
        call = f"{self.name}.sample({n}, generator=...)"
        check_batch(call, batch, n, self.dim, device, self.dtype)
        return batch  # type: ignore[no-any-return]


def check_input(call: str, batch: Any, model: Any) -> None:
    """Raise unless ``batch`` is what ``model`` takes: a float tensor ``(n, width)``, n >= 1.

    ``call`` names where it was given (``"train_discriminator(inputs)"``). The width is
    checked where it can be read off the network (a :func:`tinygan.mlp`, packed or not),
    and a :class:`tinygan.Packed` discriminator needs whole packs of rows.

    Raises:
        TypeError: If ``batch`` is not a tensor of the network's dtype.
        ValueError: If it is not 2-d with a row at least, or has another width.
    """
    dtype = float_dtype(call, model)
    if not isinstance(batch, torch.Tensor) or batch.dtype != dtype:
        raise TypeError(f"{call} takes a {_dtype(dtype)} tensor (n, width), got {_describe(batch)}")
    if batch.dim() != 2 or batch.shape[0] == 0:
        raise ValueError(f"{call} takes a tensor (n, width) with n >= 1, got {_describe(batch)}")
    width = in_features(model) if isinstance(model, (MLP, Packed)) else None
    if width is not None and batch.shape[1] != width:
        raise ValueError(
            f"{call} takes {width} columns (the network's input width), got {_describe(batch)}"
        )
    m = pack_size(model)
    if batch.shape[0] % m:
        raise ValueError(f"{call} takes whole packs of {m} rows, got {_describe(batch)}")


def check_target(call: str, target: Any) -> None:
    """Raise unless ``target`` is a finite real number, or a tensor of finite numbers.

    Raises:
        TypeError: If it is neither.
        ValueError: If it is NaN or infinite somewhere (the weights would become NaN).
    """
    if isinstance(target, torch.Tensor):
        finite = bool(torch.isfinite(target).all()) if target.is_floating_point() else True
    elif isinstance(target, (int, float)) and not isinstance(target, bool):
        finite = math.isfinite(target)
    else:
        raise TypeError(f"{call} takes a number or a tensor as target, got {_describe(target)}")
    if not finite:
        raise ValueError(f"{call} takes a finite target, got {target!r}")


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
