"""When lone trainers can train as one ensemble.

Trainers are *alike* when each member's run would be the same computation on its own
numbers: the same trainer class (:class:`~tinygan.AdversarialTrainer` or a subclass that
overrides none of ``step``, ``train_discriminator`` and ``train_generator``), networks of
the same architecture (same modules, same parameter shapes, no buffers such as batch
norm's running statistics), the same loss, optimisers of the same type and settings
whose update is elementwise (:data:`tinygan.engine.table.ELEMENTWISE`), the same batch
size, data sources of the same type and ``repr``, fresh optimisers, and no callbacks but
equal ones whose class is ``shared_by_ensembles`` (a learning-rate schedule, say; the
ensemble runs one copy). Which backend then trains them is the table's choice
(:func:`tinygan.engine.table.ensemble_reason`).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Sequence
from typing import Any

import torch

from tinygan.engine.table import ELEMENTWISE, penalty_reason
from tinygan.training import AdversarialTrainer

__all__ = ["ELEMENTWISE", "optimizer_settings", "shared_callbacks", "stackable"]

_OVERRIDABLE = ("step", "train_discriminator", "train_generator")


def _structure(net: Any) -> Any:
    if not isinstance(net, torch.nn.Module):
        return None
    params = [(n, tuple(p.shape), p.dtype, p.device.type) for n, p in net.named_parameters()]
    return type(net), repr(net), params


def _same_loss(a: Any, b: Any) -> bool:
    """Whether two losses are the same: one object, or computing the same thing.

    Modules of one type and ``repr`` are the same, and so are functions with one code
    and the same captured values (a lambda that a recipe writes anew for each seed).
    """
    if a is b:
        return True
    if isinstance(a, torch.nn.Module):
        return type(a) is type(b) and repr(a) == repr(b)
    code = getattr(a, "__code__", None)
    if code is None or code is not getattr(b, "__code__", None):
        return False
    cells = [c.cell_contents for c in a.__closure__ or ()]
    other = [c.cell_contents for c in b.__closure__ or ()]
    same_cells = len(cells) == len(other) and all(x is y for x, y in zip(cells, other, strict=True))
    return same_cells and a.__defaults__ == b.__defaults__


def _same_objective(a: Any, b: Any) -> bool:
    """Whether two objectives are the same: equal settings, or equal losses (see above)."""
    if a.loss is not None and b.loss is not None:
        return type(a) is type(b) and _same_loss(a.loss, b.loss)
    return bool(a == b)


def _shared(callbacks: Sequence[Any]) -> list[Any]:
    """What each callback is, if an ensemble can share it (``None`` where it cannot)."""
    return [
        (type(cb), vars(cb)) if getattr(cb, "shared_by_ensembles", False) else None
        for cb in callbacks
    ]


def shared_callbacks(trainers: Sequence[Any]) -> list[Any]:
    """Copies of the first trainer's callbacks, for the ensemble of alike ``trainers``."""
    return [copy.deepcopy(cb) for cb in trainers[0].callbacks]


def optimizer_settings(opt: torch.optim.Optimizer) -> dict[str, Any]:
    """An optimiser's settings now: its constructor's keywords, read from its one group."""
    group = opt.param_groups[0]
    accepted = inspect.signature(type(opt).__init__).parameters
    return {key: group.get(key, value) for key, value in opt.defaults.items() if key in accepted}


def _source(source: Any) -> tuple[type, str]:
    return type(source), repr(source)


def _first_reason(first: Any) -> str | None:
    cls = type(first)
    if not isinstance(first, AdversarialTrainer):
        return f"{cls.__name__} is not an AdversarialTrainer"
    for name in _OVERRIDABLE:
        if getattr(cls, name) is not getattr(AdversarialTrainer, name):
            return f"{cls.__name__} overrides {name}()"
    for net in (first.generator, first.discriminator):
        if _structure(net) is None:
            return f"{type(net).__name__} is not a torch.nn.Module"
        if any(True for _ in net.buffers()):  # type: ignore[attr-defined]
            return f"{type(net).__name__} has buffers (such as running statistics)"
    for opt in (first.g_optimizer, first.d_optimizer):
        if type(opt) not in ELEMENTWISE or len(opt.param_groups) != 1:
            return f"{type(opt).__name__} is not an elementwise optimiser with one group"
    return penalty_reason(first.objective)


def stackable(trainers: Sequence[Any]) -> str | None:
    """Whether ``trainers`` can train as one ensemble: ``None`` if so, else why not.

    Args:
        trainers: Lone trainers, such as a sweep's recipe builds.

    Returns:
        ``None`` when they are alike (see the module's docstring), otherwise a short
        reason naming the first difference found.
    """
    if not trainers:
        return "there are no trainers"
    first = trainers[0]
    reason = _first_reason(first)
    if reason is not None:
        return reason
    shared = _shared(first.callbacks)
    for k, trainer in enumerate(trainers):
        if _shared(trainer.callbacks) != shared or None in shared:
            return "a trainer has callbacks (other than equal ones shared_by_ensembles)"
        if trainer.g_optimizer.state or trainer.d_optimizer.state:
            return "an optimiser has taken steps already"
        nets = (trainer.generator, trainer.discriminator)
        if not all(p.requires_grad for net in nets for p in net.parameters()):
            return f"trainer {k} has frozen parameters, which an ensemble would train"
        if k and not _same_objective(trainer.objective, first.objective):
            return f"trainer {k}'s objective differs from trainer 0's"
        checks = {
            "class": (type(trainer), type(first)),
            "generator": (_structure(trainer.generator), _structure(first.generator)),
            "discriminator": (_structure(trainer.discriminator), _structure(first.discriminator)),
            "batch_size": (trainer.batch_size, first.batch_size),
            "d_steps": (trainer.d_steps, first.d_steps),
            "real": (_source(trainer.real), _source(first.real)),
            "noise": (_source(trainer.noise), _source(first.noise)),
        }
        for what in ("g_optimizer", "d_optimizer"):
            mine, theirs = getattr(trainer, what), getattr(first, what)
            checks[what] = (
                (type(mine), optimizer_settings(mine)),
                (type(theirs), optimizer_settings(theirs)),
            )
        for what, (mine, theirs) in checks.items():
            if mine != theirs:
                return f"trainer {k}'s {what} differs from trainer 0's"
    return None
