"""When lone trainers can train as one ensemble, and on which path.

Trainers are *alike* when each member's run would be the same computation on its own
numbers: the same trainer class (:class:`~tinygan.AdversarialTrainer` or a subclass that
overrides none of ``step``, ``train_discriminator`` and ``train_generator``), networks of
the same architecture (same modules, same parameter shapes, no buffers such as batch
norm's running statistics), the same loss, optimisers of the same type and settings
whose update is elementwise, the same batch size, data sources of the same type and
``repr``, fresh optimisers, and no callbacks but equal ones whose class is
``shared_by_ensembles`` (a learning-rate schedule, say; the ensemble runs one copy).

Alike trainers take the *fused* path (each lone trainer's arithmetic, on stacks: equal
within float tolerance, see :doc:`/performance`) when
their networks are :func:`tinygan.mlp` networks the fused kernels cover, on the CPU in
float32, with the MSE or BCE loss, plain SGD or default Adam, and untouched random
number generators seeded by ``seed=``; otherwise the *vmapped* path
(:mod:`tinygan.ensemble.vmapped`, equal within float tolerance).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Sequence
from typing import Any

import torch

from tinygan.engine import fused
from tinygan.training import AdversarialTrainer

__all__ = [
    "ELEMENTWISE",
    "FusedSettings",
    "fused_settings",
    "optimizer_settings",
    "shared_callbacks",
    "stackable",
]

ELEMENTWISE: tuple[type[torch.optim.Optimizer], ...] = (
    torch.optim.SGD,
    torch.optim.Adam,
    torch.optim.AdamW,
    torch.optim.RMSprop,
    torch.optim.Adagrad,
    torch.optim.Adamax,
    torch.optim.NAdam,
    torch.optim.RAdam,
    torch.optim.Rprop,
    torch.optim.ASGD,
)
"""Optimisers whose update of each number depends on that number's gradient and state
alone, so that one optimiser over stacked weights updates every member as its own would."""

_OVERRIDABLE = ("step", "train_discriminator", "train_generator")
_ADAM_DEFAULTS = {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0, "amsgrad": False}
_SGD_DEFAULTS = {"momentum": 0, "dampening": 0, "weight_decay": 0, "nesterov": False}

FusedSettings = tuple[str, str]
"""``(loss, optimizer)`` names for the fused ensemble, such as ``("mse", "sgd")``."""


def optimizer_settings(opt: torch.optim.Optimizer) -> dict[str, Any]:
    """An optimiser's settings now: its constructor's keywords, read from its one group."""
    group = opt.param_groups[0]
    accepted = inspect.signature(type(opt).__init__).parameters
    return {key: group.get(key, value) for key, value in opt.defaults.items() if key in accepted}


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


def _shared(callbacks: Sequence[Any]) -> list[Any]:
    """What each callback is, if an ensemble can share it (``None`` where it cannot)."""
    return [
        (type(cb), vars(cb)) if getattr(cb, "shared_by_ensembles", False) else None
        for cb in callbacks
    ]


def shared_callbacks(trainers: Sequence[Any]) -> list[Any]:
    """Copies of the first trainer's callbacks, for the ensemble of alike ``trainers``."""
    return [copy.deepcopy(cb) for cb in trainers[0].callbacks]


def _source(source: Any) -> tuple[type, str]:
    return type(source), repr(source)


def _reason(trainers: Sequence[Any]) -> str | None:
    first = trainers[0]
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
    shared = _shared(first.callbacks)
    for trainer in trainers:
        if _shared(trainer.callbacks) != shared or None in shared:
            return "a trainer has callbacks (other than equal ones shared_by_ensembles)"
        if trainer.g_optimizer.state or trainer.d_optimizer.state:
            return "an optimiser has taken steps already"
    for k, trainer in enumerate(trainers[1:], start=1):
        checks = {
            "class": (type(trainer), cls),
            "generator": (_structure(trainer.generator), _structure(first.generator)),
            "discriminator": (_structure(trainer.discriminator), _structure(first.discriminator)),
            "batch_size": (trainer.batch_size, first.batch_size),
            "real": (
                (type(trainer.real), repr(trainer.real)),
                (type(first.real), repr(first.real)),
            ),
            "noise": (_source(trainer.noise), _source(first.noise)),
        }
        for what in ("g_optimizer", "d_optimizer"):
            mine, theirs = getattr(trainer, what), getattr(first, what)
            checks[what] = (
                (type(mine), optimizer_settings(mine)),
                (type(theirs), optimizer_settings(theirs)),
            )
        same_loss = _same_loss(trainer.loss, first.loss)
        if not same_loss:
            return f"trainer {k}'s loss differs from trainer 0's"
        for what, (mine, theirs) in checks.items():
            if mine != theirs:
                return f"trainer {k}'s {what} differs from trainer 0's"
    return None


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
    return _reason(trainers)


def fused_settings(trainers: Sequence[Any]) -> FusedSettings | None:
    """``(loss, optimizer)`` for the fused ensemble if alike ``trainers`` fit it, else ``None``."""
    first = trainers[0]
    kind = fused.loss_kind(first.loss)
    if kind is None or first.generator is first.discriminator or first.callbacks:
        return None
    for net in (first.generator, first.discriminator):
        spec = fused.net_spec(net)
        param = next(iter(net.parameters()), None)
        if spec is None or param is None or param.dtype != torch.float32:
            return None
        if param.device.type != "cpu":
            return None
    if kind == "bce" and fused.net_spec(first.discriminator).activations[-1] != "sigmoid":  # type: ignore[union-attr]
        return None
    names = set()
    for opt in (first.g_optimizer, first.d_optimizer):
        settings = optimizer_settings(opt)
        if settings["lr"] != first.lr or settings.get("maximize") or settings.get("foreach"):
            return None
        if type(opt) is torch.optim.SGD and all(settings[k] == v for k, v in _SGD_DEFAULTS.items()):
            names.add("sgd")
        elif type(opt) is torch.optim.Adam and all(
            settings[k] == v for k, v in _ADAM_DEFAULTS.items()
        ):
            names.add("adam")
        else:
            return None
    if len(names) != 1:
        return None
    for trainer in trainers:
        if trainer.seed is None or trainer.iteration != 0:
            return None
        fresh = torch.Generator().manual_seed(trainer.seed).get_state()
        if not torch.equal(trainer.rng.get_state(), fresh):
            return None
    return kind, names.pop()
