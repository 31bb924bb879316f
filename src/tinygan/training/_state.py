"""A trainer's state: gathered, checked against the trainer, and restored all or nothing.

A callback keeps state across a checkpoint when it has both ``state_dict()`` and
``load_state_dict(state)``; the others (progress bars, file writers) are skipped. The
callbacks' states are gathered and restored in list order.

:func:`load_trainer_state` restores a lone trainer's whole state (networks, optimisers,
callbacks, ``rng``, iteration): every part is checked against the trainer before any is
loaded, and should loading still fail, what was loaded is put back, so a failed load
leaves the trainer as it was.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import torch

from tinygan._checks import check_int, check_state_keys

__all__ = [
    "callbacks_state",
    "check_callbacks_state",
    "load_callbacks_state",
    "load_trainer_state",
    "stateful",
]

_MISFIT = "state does not fit this trainer"


def stateful(callbacks: Sequence[Any]) -> list[Any]:
    """The callbacks that have both ``state_dict`` and ``load_state_dict``, in order."""
    return [
        cb
        for cb in callbacks
        if callable(getattr(cb, "state_dict", None))
        and callable(getattr(cb, "load_state_dict", None))
    ]


def callbacks_state(callbacks: Sequence[Any]) -> list[dict[str, Any]]:
    """Return ``[{"type": class name, "state": cb.state_dict()}, ...]`` for stateful ones."""
    return [{"type": type(cb).__name__, "state": cb.state_dict()} for cb in stateful(callbacks)]


def check_callbacks_state(callbacks: Sequence[Any], states: Any) -> list[Any]:
    """The stateful ``callbacks`` if ``states`` (:func:`callbacks_state`'s) fits them.

    The stateful callbacks must match the saved ones in number and class, in order. A
    trainer with no stateful callbacks (built only to look at the networks, say) ignores
    the saved ones.

    Raises:
        ValueError: If the stateful callbacks do not match the saved ones.
    """
    targets = stateful(callbacks)
    if not targets:
        return []
    if not isinstance(states, list) or not all(
        isinstance(s, dict) and "type" in s and "state" in s for s in states
    ):
        raise ValueError(f"the callbacks' state must be a list of {{type, state}}, got {states!r}")
    saved = [s["type"] for s in states]
    have = [type(cb).__name__ for cb in targets]
    if saved != have:
        raise ValueError(
            f"the callbacks that keep state differ: saved {saved}, this trainer has {have}; "
            f"build the trainer with the same callbacks, in the same order"
        )
    return targets


def load_callbacks_state(callbacks: Sequence[Any], states: Any) -> None:
    """Restore what :func:`callbacks_state` returned into ``callbacks``.

    The saved states are checked (:func:`check_callbacks_state`) before any is loaded.

    Raises:
        ValueError: If the stateful callbacks do not match the saved ones.
    """
    targets = check_callbacks_state(callbacks, states)
    if targets:
        for cb, entry in zip(targets, states, strict=True):
            cb.load_state_dict(entry["state"])


def _shape(value: Any) -> Any:
    return tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__


def _check_network(name: str, mine: Mapping[str, Any], theirs: Any) -> None:
    """Raise ``ValueError`` unless ``theirs`` has ``mine``'s entries, shape by shape."""
    if not isinstance(theirs, Mapping):
        raise ValueError(f"{_MISFIT}: the {name}'s state is a {type(theirs).__name__}, not a dict")
    if set(mine) != set(theirs):
        lacks, extra = sorted(set(mine) - set(theirs)), sorted(set(theirs) - set(mine))
        what = [f"lacks {lacks}"] if lacks else []
        what += [f"has {extra}, which this trainer's {name} does not"] if extra else []
        raise ValueError(f"{_MISFIT}: the {name}'s state {' and '.join(what)}")
    for key, tensor in mine.items():
        other = theirs[key]
        if isinstance(tensor, torch.Tensor) and (
            not isinstance(other, torch.Tensor) or other.shape != tensor.shape
        ):
            raise ValueError(
                f"{_MISFIT}: the {name}'s {key!r} has shape {_shape(other)} in the state "
                f"against {tuple(tensor.shape)} in this trainer"
            )


def _check_optimizer(name: str, opt: torch.optim.Optimizer, saved: Any) -> None:
    """Raise ``ValueError`` unless ``saved`` is an optimiser state over ``opt``'s parameters."""
    groups = saved.get("param_groups") if isinstance(saved, Mapping) else None
    state = saved.get("state") if isinstance(saved, Mapping) else None
    if not isinstance(groups, list) or not isinstance(state, Mapping):
        raise ValueError(
            f"{_MISFIT}: the {name}'s state is not an optimiser's state dict "
            f"(with 'state' and 'param_groups'), got {type(saved).__name__}"
        )
    if not all(isinstance(g, Mapping) and isinstance(g.get("params"), list) for g in groups):
        raise ValueError(f"{_MISFIT}: the {name}'s param_groups are not lists of parameters")
    have = [len(g["params"]) for g in opt.param_groups]
    sizes = [len(g["params"]) for g in groups]
    if sizes != have:
        raise ValueError(
            f"{_MISFIT}: the {name}'s parameter groups hold {sizes} parameters in the state "
            f"against {have} in this trainer"
        )
    for group, mine in zip(groups, opt.param_groups, strict=True):
        for key, param in zip(group["params"], mine["params"], strict=True):
            entry = state.get(key, {})
            for field, value in entry.items() if isinstance(entry, Mapping) else ():
                if isinstance(value, torch.Tensor) and value.dim() and value.shape != param.shape:
                    raise ValueError(
                        f"{_MISFIT}: the {name}'s {field!r} has shape {_shape(value)} in the "
                        f"state against its parameter's {tuple(param.shape)} in this trainer"
                    )


def _check_rng(rng: torch.Generator, saved: Any) -> None:
    """Raise ``ValueError`` unless ``saved`` is a state that ``rng`` can take."""
    trial = torch.Generator(device=rng.device)
    try:
        trial.set_state(saved)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise ValueError(
            f"{_MISFIT}: its rng state is not one of a torch.Generator on {rng.device} "
            f"(got {_shape(saved)}: {exc})"
        ) from None


def _gather(trainer: Any) -> dict[str, Any]:
    """A copy of everything :func:`_put` restores, to put back after a failed load."""
    return copy.deepcopy(
        {
            "networks": {k: net.state_dict() for k, net in trainer._networks().items()},
            "optimizers": {k: opt.state_dict() for k, opt in trainer._optimizers().items()},
            "callbacks": callbacks_state(trainer.callbacks),
            "rng": trainer.rng.get_state(),
        }
    )


def _put(trainer: Any, state: Mapping[str, Any]) -> None:
    for key, net in trainer._networks().items():
        net.load_state_dict(state["networks"][key])
    for key, opt in trainer._optimizers().items():
        opt.load_state_dict(state["optimizers"][key])
    load_callbacks_state(trainer.callbacks, state["callbacks"])
    trainer.rng.set_state(state["rng"])


def load_trainer_state(trainer: Any, state: Mapping[str, Any]) -> None:
    """Restore a lone trainer's :meth:`state_dict`, all or nothing.

    ``trainer`` has ``_networks()`` and ``_optimizers()`` (name to object, as its state
    names them), ``callbacks``, ``rng`` and ``iteration``. Every part of ``state`` is
    checked against it first (keys, the networks' tensor names and shapes, the
    optimisers' parameter groups, the rng state, the iteration, the callbacks); should
    loading still fail, the parts loaded are put back as they were.

    Raises:
        KeyError: If ``state`` lacks an entry the trainer needs.
        ValueError: If a part of ``state`` does not fit the trainer (the message says
            which), or the stateful callbacks differ from the saved ones.
    """
    networks, optimizers = trainer._networks(), trainer._optimizers()
    check_state_keys("trainer", state, ["iteration", "rng", *networks, *optimizers])
    try:
        iteration = check_int("iteration", state["iteration"], minimum=0)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{_MISFIT}: its {exc}") from None
    for name, net in networks.items():
        _check_network(name, net.state_dict(), state[name])
    for name, opt in optimizers.items():
        _check_optimizer(name, opt, state[name])
    _check_rng(trainer.rng, state["rng"])
    callbacks = state.get("callbacks", [])
    check_callbacks_state(trainer.callbacks, callbacks)
    backup = _gather(trainer)
    try:
        _put(
            trainer,
            {
                "networks": {name: state[name] for name in networks},
                "optimizers": {name: state[name] for name in optimizers},
                "callbacks": callbacks,
                "rng": state["rng"],
            },
        )
    except BaseException as exc:
        _put(trainer, backup)
        if not isinstance(exc, Exception):
            raise
        raise ValueError(f"{_MISFIT}: {type(exc).__name__}: {exc}") from exc
    trainer.iteration = iteration
