"""An ensemble's training state as a dictionary of tensors, and back.

The state holds the real members only (members first, as ``(K, ...)`` tensors): padding
is the ensemble's own business, so a state loads into any ensemble built the same way.
"""

from __future__ import annotations

from typing import Any

import torch

from tinygan._checks import check_int, check_state_keys

__all__ = ["load_state_dict", "state_dict"]


def _unpad(trainer: Any, stacked: torch.Tensor) -> torch.Tensor:
    """The real members of a members-last tensor, members first, as a fresh copy."""
    return stacked[..., : trainer.members].movedim(-1, 0).clone()


def state_dict(trainer: Any) -> dict[str, Any]:
    """The whole state of an :class:`tinygan.EnsembleTrainer` (see its ``state_dict``)."""
    trainer._data.settle()  # no background draw may move the generators while we read
    if trainer._vmap is not None:
        return {
            "iteration": trainer.iteration,
            "vmapped": trainer._vmap.state_dict(),
            "rngs": [g.get_state() for g in trainer.rngs],
            "buffer": trainer._data.remaining(trainer.members),
        }
    return {
        "iteration": trainer.iteration,
        "generators": [_unpad(trainer, p) for p in trainer._g],
        "discriminators": [_unpad(trainer, p) for p in trainer._d],
        "adam_steps": list(trainer._adam_steps),
        "moments": [_unpad(trainer, m) for m in trainer._moments],
        "rngs": [g.get_state() for g in trainer.rngs],
        "buffer": trainer._data.remaining(trainer.members),
    }


def load_state_dict(trainer: Any, state: dict[str, Any]) -> None:
    """Restore a state returned by :func:`state_dict` into ``trainer``."""
    trainer._data.settle()
    if trainer._vmap is not None:
        check_state_keys("ensemble", state, ["iteration", "vmapped", "rngs"])
        if len(state["rngs"]) != trainer.members:
            raise ValueError("state does not fit this ensemble (members differ)")
        trainer._vmap.load_state_dict(state["vmapped"])
        for g, rng_state in zip(trainer.rngs, state["rngs"], strict=True):
            g.set_state(rng_state)
        trainer.iteration = check_int("iteration", state["iteration"], minimum=0)
        trainer._data.restore(state.get("buffer", []))
        return
    keys = ["iteration", "generators", "discriminators", "adam_steps", "moments", "rngs"]
    check_state_keys("ensemble", state, keys)
    pairs = [
        (trainer._g, state["generators"]),
        (trainer._d, state["discriminators"]),
        (trainer._moments, state["moments"]),
    ]
    for mine, theirs in pairs:
        if len(mine) != len(theirs) or any(
            _unpad(trainer, a).shape != b.shape for a, b in zip(mine, theirs, strict=False)
        ):
            raise ValueError("state does not fit this ensemble (members or sizes differ)")
    if len(state["rngs"]) != trainer.members:
        raise ValueError("state does not fit this ensemble (members differ)")
    for mine, theirs in pairs:
        for a, b in zip(mine, theirs, strict=True):
            a[..., : trainer.members].copy_(b.movedim(0, -1))
    for g, rng_state in zip(trainer.rngs, state["rngs"], strict=True):
        g.set_state(rng_state)
    trainer._adam_steps[:] = [check_int("adam_steps", n, minimum=0) for n in state["adam_steps"]]
    trainer.iteration = check_int("iteration", state["iteration"], minimum=0)
    trainer._data.restore(state.get("buffer", []))
