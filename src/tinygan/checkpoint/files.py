"""Checkpoint files: a trainer's whole state, written atomically and read without pickle.

A checkpoint is a :func:`torch.save` file holding one dictionary of plain data
(tensors, numbers, strings, lists and dicts):

- ``format`` (``"tinygan.checkpoint"``) and ``format_version``;
- ``tinygan_version`` and ``torch_version`` that wrote it;
- ``config``: how the trainer was built (class, sizes of the networks, data sources,
  learning rate, batch size, seed, optimisers, loss), for people and for checks;
- ``iteration`` and ``trainer``: what ``trainer.state_dict()`` returned (networks,
  optimisers, iteration count, RNG state and the callbacks' state);
- ``extra``: anything the caller adds (plain data too);
- ``sha256``: a digest of all of the above, so a flipped byte is found.

Writing goes to a temporary file in the same folder, which is flushed to disk and then
renamed over the target: a crash mid-write leaves the previous file whole. Reading uses
``torch.load(..., weights_only=True)``, which builds only plain data: a file that holds
any other pickled object (which could run code as it is loaded) is refused and nothing
in it runs.

>>> import tempfile, pathlib
>>> import tinygan as tg
>>> def build():
...     return tg.AdversarialTrainer(tg.mlp([4, 4, 4]), tg.mlp([4, 3, 1]),
...         tg.FuzzyPattern("1010"), tg.UniformNoise(4), seed=0)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "run.pt"
>>> _ = tg.save_checkpoint(path, build().fit(20))
>>> trainer = build()
>>> tg.load_checkpoint(path, trainer)["iteration"], trainer.iteration
(20, 20)
"""

from __future__ import annotations

import copy
import numbers
import os
import pickle
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from tinygan._version import __version__
from tinygan.checkpoint.atomic import save_atomically
from tinygan.checkpoint.digest import digest as _digest
from tinygan.nets import MLP

__all__ = [
    "CheckpointError",
    "load_checkpoint",
    "read_checkpoint",
    "save_checkpoint",
]

FORMAT = "tinygan.checkpoint"
FORMAT_VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint file cannot be used: unreadable, unsafe, not a checkpoint, or mismatched.

    The message names the file and says what is wrong with it.
    """


def _describe_network(net: Any) -> dict[str, Any]:
    info: dict[str, Any] = {"class": type(net).__name__}
    if isinstance(net, MLP):
        info.update(sizes=list(net.sizes), bias=net.bias, activation=type(net[1]).__name__)
    if isinstance(net, torch.nn.Module):
        info["shapes"] = {k: list(v.shape) for k, v in net.state_dict().items()}
    return info


def trainer_config(trainer: Any) -> dict[str, Any]:
    """Describe how ``trainer`` was built, as plain data (what a checkpoint's ``config`` is)."""
    config: dict[str, Any] = {"trainer": type(trainer).__name__}
    for name in ("lr", "batch_size", "seed"):
        value = getattr(trainer, name, None)
        if value is None or isinstance(value, bool):
            config[name] = value
        elif isinstance(value, numbers.Integral):
            config[name] = int(value)
        elif isinstance(value, numbers.Real):
            config[name] = float(value)
    for name in ("real", "noise", "fake"):
        if hasattr(trainer, name):
            config[name] = repr(getattr(trainer, name))
    for name in ("generator", "discriminator"):
        if hasattr(trainer, name):
            config[name] = _describe_network(getattr(trainer, name))
    optimizers = {}
    for name in ("g_optimizer", "d_optimizer"):
        if hasattr(trainer, name):
            optimizers[name] = type(getattr(trainer, name)).__name__
    config["optimizers"] = optimizers
    loss = getattr(trainer, "loss", None)
    if loss is not None:
        config["loss"] = getattr(loss, "__name__", type(loss).__name__)
    return config


def save_checkpoint(
    path: str | os.PathLike[str], trainer: Any, *, extra: Mapping[str, Any] | None = None
) -> Path:
    """Write ``trainer``'s whole state, its configuration and tinygan's version to ``path``.

    The write is atomic: a temporary file beside ``path`` is written, flushed to disk and
    renamed over ``path``, so a crash leaves either the old file or the new one, whole.
    Missing parent folders are created.

    Args:
        path: The file to write.
        trainer: A trainer with ``state_dict()``, such as :class:`tinygan.AdversarialTrainer`.
        extra: More plain data to keep in the file (under ``"extra"``).

    Returns:
        ``path``, as a :class:`~pathlib.Path`.

    Raises:
        TypeError: If ``trainer`` has no ``state_dict()``, or the state or ``extra``
            holds something other than plain data (it could not be loaded safely).
    """
    if not callable(getattr(trainer, "state_dict", None)):
        raise TypeError(f"trainer must have state_dict(), got {trainer!r}")
    target = Path(path)
    state = trainer.state_dict()
    payload: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tinygan_version": __version__,
        "torch_version": str(torch.__version__),
        "config": trainer_config(trainer),
        "iteration": int(state.get("iteration", getattr(trainer, "iteration", 0))),
        "trainer": state,
        "extra": dict(extra) if extra is not None else {},
    }
    payload["sha256"] = _digest(payload)  # also checks that everything is plain data
    return save_atomically(payload, target)


def _unsafe_detail(exc: BaseException) -> str:
    found = re.search(r"GLOBAL ([\w.]+)", str(exc))
    if found:
        return f"it names {found.group(1)!r}"
    lines = [line.strip() for line in str(exc).splitlines() if "error" in line.lower()]
    return lines[0] if lines else str(exc).splitlines()[0]


def read_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and verify a checkpoint file without loading it into a trainer.

    Args:
        path: The checkpoint file.

    Returns:
        The file's dictionary (see :mod:`tinygan.checkpoint` for its entries).

    Raises:
        FileNotFoundError: If there is no such file.
        CheckpointError: If the file holds code-running pickled objects (refused; none
            of it runs), is truncated or corrupted, is not a tinygan checkpoint, or was
            written by a newer format.
    """
    source = Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"checkpoint file {str(source)!r} does not exist")
    with open(source, "rb") as f:
        head = f.read(4)
    if head != b"PK\x03\x04":
        what = "it is empty" if not head else "it is not a file written by torch.save"
        raise CheckpointError(f"{str(source)!r} is not a tinygan checkpoint: {what}")
    try:
        payload = torch.load(source, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        if "weights only" in str(exc).lower():
            raise CheckpointError(
                f"refusing to load {str(source)!r}: it holds pickled objects other than "
                f"plain data ({_unsafe_detail(exc)}), which could run code when loaded; "
                f"nothing in it was run. Load checkpoints only from sources you trust"
            ) from None
        raise CheckpointError(
            f"cannot read {str(source)!r}: the file is corrupted ({exc})"
        ) from None
    except Exception as exc:
        detail = str(exc).splitlines()[0].split(". ")[0] if str(exc) else type(exc).__name__
        raise CheckpointError(
            f"cannot read {str(source)!r}: it is truncated, corrupted or not a checkpoint "
            f"({detail})"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        what = (
            f"a dict with keys {sorted(map(str, payload))[:6]}"
            if isinstance(payload, dict)
            else f"a {type(payload).__name__}"
        )
        raise CheckpointError(
            f"{str(source)!r} is not a tinygan checkpoint: it holds {what}, not a dict "
            f"with format {FORMAT!r} (write one with tinygan.save_checkpoint)"
        )
    version = payload.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise CheckpointError(
            f"{str(source)!r} has checkpoint format version {version!r}; this tinygan "
            f"({__version__}) reads versions up to {FORMAT_VERSION}: upgrade tinygan"
        )
    missing = [k for k in ("config", "trainer", "sha256") if k not in payload]
    if missing:
        raise CheckpointError(f"{str(source)!r} is an incomplete checkpoint: it lacks {missing}")
    try:
        digest = _digest(payload)
    except TypeError as exc:
        raise CheckpointError(f"{str(source)!r} is corrupted: {exc}") from None
    if digest != payload["sha256"]:
        raise CheckpointError(
            f"{str(source)!r} is corrupted: its contents do not match the SHA-256 digest "
            f"stored in it"
        )
    return dict(payload)


def _check_architecture(source: Path, saved: Mapping[str, Any], current: Mapping[str, Any]) -> None:
    """Compare the networks' tensors of two trainer states, name by name and shape by shape."""
    for key, mine in current.items():
        if key == "callbacks" or not isinstance(mine, Mapping):
            continue
        if not mine or not all(isinstance(v, torch.Tensor) for v in mine.values()):
            continue  # not a network's state dict (an optimiser's, say)
        theirs = saved.get(key)
        if not isinstance(theirs, Mapping):
            raise CheckpointError(
                f"{str(source)!r} holds a checkpoint of a different architecture: it has "
                f"no {key!r}, which this trainer has"
            )
        if set(mine) != set(theirs):
            raise CheckpointError(
                f"{str(source)!r} holds a checkpoint of a different architecture: the "
                f"{key}'s tensors are {sorted(theirs)} in the file but {sorted(mine)} here"
            )
        for name, tensor in mine.items():
            other = theirs[name]
            if not isinstance(other, torch.Tensor) or other.shape != tensor.shape:
                shape = tuple(other.shape) if isinstance(other, torch.Tensor) else other
                raise CheckpointError(
                    f"{str(source)!r} holds a checkpoint of a different architecture: the "
                    f"{key}'s {name!r} has shape {shape} in the file but "
                    f"{tuple(tensor.shape)} in this trainer"
                )


def load_checkpoint(path: str | os.PathLike[str], trainer: Any) -> dict[str, Any]:
    """Restore ``trainer`` from a checkpoint written by :func:`save_checkpoint`.

    The trainer must be built as the saved one was (same networks, optimisers and
    callbacks that keep state); then training continues bit for bit as it would have
    without the break. Loading is all or nothing: on any error the trainer is left as
    it was.

    Args:
        path: The checkpoint file.
        trainer: The trainer to restore, with ``state_dict()`` and ``load_state_dict()``.

    Returns:
        The file's dictionary, as :func:`read_checkpoint` returns it.

    Raises:
        FileNotFoundError: If there is no such file.
        CheckpointError: For any of :func:`read_checkpoint`'s reasons, or when the
            checkpoint does not fit ``trainer`` (other network shapes, other optimiser
            classes, other stateful callbacks).
    """
    source = Path(path)
    payload = read_checkpoint(source)
    current = trainer.state_dict()
    saved = payload["trainer"]
    if not isinstance(saved, Mapping):
        raise CheckpointError(f"{str(source)!r} is corrupted: its trainer state is not a dict")
    _check_architecture(source, saved, current)
    want = trainer_config(trainer).get("optimizers", {})
    have = payload["config"].get("optimizers", {}) if isinstance(payload["config"], dict) else {}
    for name, cls in want.items():
        if name in have and have[name] != cls:
            raise CheckpointError(
                f"{str(source)!r} was saved with {have[name]} as {name}, but this trainer "
                f"uses {cls}"
            )
    backup = copy.deepcopy(current)
    try:
        trainer.load_state_dict(saved)
    except Exception as exc:
        trainer.load_state_dict(backup)
        raise CheckpointError(f"cannot load {str(source)!r} into this trainer: {exc}") from exc
    return payload
