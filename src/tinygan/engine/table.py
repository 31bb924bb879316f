"""The one table that decides which backend runs a trainer's or an ensemble's iterations.

Four backends compute the post's iterations (and the discriminator-only test's):

- ``autograd``: the trainer's own parts (``train_discriminator``, ``train_generator``)
  through autograd and its optimisers; any networks, loss, optimiser and device. Lone
  trainers.
- ``fused``: the same step by hand in torch operations (:mod:`tinygan.engine.fused`),
  without autograd, for float32 :func:`tinygan.mlp` networks with the MSE or BCE loss;
  plain SGD on the CPU for a lone trainer, any elementwise optimiser (:data:`ELEMENTWISE`)
  on any device for an ensemble (whose optimisers apply the step's gradients).
- ``native``: the fused step in C (:mod:`tinygan.engine.native`), hundreds of iterations
  per call, drawing the data from the trainers' own generators; as ``fused``, but
  adversarial trainers only, on the CPU, plain SGD or default Adam. Lone trainers and
  ensembles.
- ``vmap``: any alike networks, loss and elementwise optimiser, batched with
  :func:`torch.func.vmap` (:mod:`tinygan.engine.vmap`). Ensembles.

``backend="auto"`` takes, of those that serve the configuration, for a lone trainer
``fused`` then ``autograd``, and for an ensemble ``fused`` then ``vmap``: the step in
torch, whose numbers are the reference (the fused step equals autograd's bit for bit at
batch size 1). The native kernel, by far the fastest but equal to the fused step only
within float tolerance, runs where it is asked for (``backend="native"``, or the older
``compile=True``; ``tinygan sweep`` asks for it by default on the CPU). A backend asked
for by name that cannot serve the configuration is a :class:`ValueError` naming why; one
asked for by ``compile=True`` falls back to ``"auto"``'s choice after a warning. A
backend that serves the configuration but is unavailable here (the native kernel with
no C compiler, say) gives one :class:`RuntimeWarning` naming the reason and the backend
used instead, which is ``fused``. The owner's
:meth:`~tinygan.AdversarialTrainer.backend_info`, which its files record, then holds
the backend asked for and the reason beside the one that ran (:class:`Fallback`).

Every backend object has the small protocol :class:`Backend`; ``trainer.backend`` names
the one that runs, and the run's files record :meth:`Backend.describe`.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import torch

from tinygan.engine import fused
from tinygan.engine.native import supports
from tinygan.protocols import StepRecord

__all__ = [
    "AUTO",
    "ELEMENTWISE",
    "BACKENDS",
    "Backend",
    "Fallback",
    "Request",
    "check_backend",
    "choose",
    "ensemble_reason",
    "fused_loss",
    "native_optimizer",
    "passive",
    "penalty_reason",
    "warn_fallback",
]

logger = logging.getLogger("tinygan.engine")

BACKENDS = ("autograd", "fused", "native", "vmap")
"""Every backend's name."""

AUTO: dict[str, tuple[str, ...]] = {
    "trainer": ("fused", "autograd"),
    "ensemble": ("fused", "vmap"),
}
"""What ``backend="auto"`` tries for each kind of owner, in order."""


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


class Backend(Protocol):
    """What runs an owner's iterations.

    Attributes:
        name: One of :data:`BACKENDS`.
    """

    name: str

    def step(self, ahead: int) -> StepRecord:
        """Run the next iteration and return its record.

        Args:
            ahead: How many iterations from this one on the owner lets the backend
                compute at once (their records are handed out by the following calls).
        """
        ...

    def finish(self) -> None:
        """End a ``fit``: undo iterations computed ahead but never handed out.

        Afterwards the state is where its owner keeps it (a lone trainer's modules).
        """
        ...

    def describe(self) -> dict[str, Any]:
        """What a run's files record of this backend (``name`` among the keys)."""
        ...


@dataclass(frozen=True)
class Request:
    """A checked ``backend=`` argument (with the older ``compile=``).

    Attributes:
        name: ``"auto"`` or a backend's name.
        soft: Asked for by ``compile=True``: where the native backend cannot serve, fall
            back (with a warning) to what ``"auto"`` picks instead of raising.
    """

    name: str = "auto"
    soft: bool = False


def check_backend(backend: object, compile: object = False) -> Request:
    """Check a ``backend=`` argument (and the older ``compile=``) of a trainer or ensemble.

    ``compile=True`` asks for ``"native"``: where it cannot serve, training goes on with
    ``"auto"``'s choice after a warning (with ``backend="native"`` too, it must serve).

    Raises:
        ValueError: If ``backend`` is not ``"auto"`` or a backend's name, or
            ``compile=True`` comes with another backend than ``"native"``.
        TypeError: If ``compile`` is not a bool.
    """
    if not isinstance(backend, str) or backend not in ("auto", *BACKENDS):
        names = ", ".join(repr(name) for name in ("auto", *BACKENDS))
        raise ValueError(f"backend must be one of {names}, got {backend!r}")
    if not isinstance(compile, bool):
        raise TypeError(f"compile must be True or False, got {compile!r}")
    if not compile:
        return Request(backend)
    if backend not in ("auto", "native"):
        raise ValueError(f"compile=True asks for backend 'native'; it cannot go with {backend!r}")
    return Request("native", soft=backend == "auto")


def choose(
    kind: str,
    request: Request,
    why_not: Callable[[str], str | None],
    fallback: Callable[[str, str, str], None] | None = None,
) -> str:
    """The backend that serves an owner of ``kind`` (``"trainer"`` or ``"ensemble"``).

    Args:
        kind: What the owner is.
        request: What was asked for (:func:`check_backend`).
        why_not: Why a backend cannot serve this owner's configuration (``None``: it can).
        fallback: Told ``(wanted, reason, instead)`` where a soft request falls back;
            :func:`warn_fallback` by default.

    Raises:
        ValueError: If the requested backend cannot serve, naming why.
    """
    if request.name != "auto":
        name = request.name
        reason = _NOT_SERVED[kind] if kind not in _SERVES[name] else why_not(name)
        if reason is None:
            return name
        if not request.soft:
            raise ValueError(f"backend={name!r} cannot serve this {kind}: {reason}")
        chosen = choose(kind, Request(), why_not)
        (fallback or warn_fallback)(name, reason, chosen)
        return chosen
    reasons = {}
    for name in AUTO[kind]:
        reasons[name] = why_not(name)
        if reasons[name] is None:
            return name
    why = "; ".join(f"{name}: {reason}" for name, reason in reasons.items())
    raise ValueError(f"no backend serves this {kind} ({why})")


_NOT_SERVED = {
    "trainer": "it trains ensembles of alike trainers (tg.EnsembleTrainer, tg.sweep); a lone "
    "trainer runs on 'autograd', 'fused' or 'native'",
    "ensemble": "it runs a lone trainer's own parts; an ensemble runs on 'fused', 'native' "
    "or 'vmap'",
}
_SERVES = {
    "autograd": ("trainer",),
    "fused": ("trainer", "ensemble"),
    "native": ("trainer", "ensemble"),
    "vmap": ("ensemble",),
}


def warn_fallback(wanted: str, reason: str, instead: str) -> None:
    """Say that ``wanted`` cannot run here, why, and that ``instead`` runs.

    A :class:`RuntimeWarning` (which Python shows once per process: it comes from one
    place) and a message on the ``tinygan`` logger.
    """
    message = f"backend {wanted!r} cannot run here ({reason}); training goes on with {instead!r}"
    logger.info(message)
    warnings.warn(message, RuntimeWarning, stacklevel=1)


class Fallback:
    """One owner's fallbacks: each reason warned of once, the latest kept for its files.

    Call it as :func:`warn_fallback` is called.
    """

    def __init__(self) -> None:
        self.warned: set[str] = set()
        self.latest: tuple[str, str] | None = None  # (wanted, reason)

    def __call__(self, wanted: str, reason: str, instead: str) -> None:
        """Keep the fallback from ``wanted`` for ``reason``; warn of a new reason."""
        self.latest = wanted, reason
        if reason not in self.warned:
            self.warned.add(reason)
            warn_fallback(wanted, reason, instead)

    def record(self, described: dict[str, Any]) -> dict[str, Any]:
        """``described`` (a backend's record), with what was asked for and why not.

        Only where another backend runs in place of the one asked for: then
        ``requested`` names that one and ``fallback`` why it does not run.
        """
        if self.latest is None or described["name"] == self.latest[0]:
            return described
        return {**described, "requested": self.latest[0], "fallback": self.latest[1]}


def passive(callbacks: Iterable[Any]) -> bool:
    """Whether every callback reads nothing but its records (``reads_records_only``).

    Then a backend may compute many iterations at once and hand their records out one
    by one (see :class:`tinygan.Callback`).
    """
    return all(getattr(cb, "reads_records_only", False) for cb in callbacks)


def fused_loss(objective: Any, d_steps: int) -> tuple[str, str | None]:
    """The fused arithmetic's loss for ``objective`` (``"mse"`` or ``"bce"``), or why none.

    Returns:
        ``(loss, None)`` where the fused and native backends serve the objective, else
        ``("mse", reason)``.
    """
    if d_steps != 1:
        return "mse", f"d_steps={d_steps}: the stacked MLPs take one D step per G step"
    kind = fused.loss_kind(objective.loss)
    if kind is None or objective.penalized:
        return "mse", (
            f"the objective {objective.name!r} is not one the stacked MLPs compute (least "
            "squares, or binary cross-entropy on probabilities)"
        )
    return kind, None


def penalty_reason(objective: Any) -> str | None:
    """Why no ensemble backend trains ``objective``: a gradient penalty (``None``: none)."""
    if not objective.penalized:
        return None
    return (
        f"the objective {objective.name!r} adds a penalty on D's input gradient, which "
        "the ensembles do not compute: train lone trainers (a sweep does)"
    )


def native_optimizer(stack: Any) -> str | None:
    """``"sgd"`` or ``"adam"`` if the native kernel computes ``stack``'s optimisers now.

    That is both plain SGD, or both default Adam at one learning rate (see
    :meth:`tinygan.engine.stack.Stack.plain`); else ``None``.
    """
    (g_name, g_lr), (d_name, d_lr) = stack.plain(0), stack.plain(1)
    if g_name != d_name or g_name is None or (g_name == "adam" and g_lr != d_lr):
        return None
    return str(g_name)


def ensemble_reason(name: str, stack: Any, objective: Any, d_steps: int) -> str | None:
    """Why backend ``name`` cannot train an ensemble's ``stack`` (``None``: it can).

    Args:
        name: ``"fused"``, ``"native"`` or ``"vmap"``.
        stack: The members (:class:`tinygan.engine.stack.Stack`).
        objective: How the losses come from D's scores.
        d_steps: D's steps per G step.
    """
    penalty = penalty_reason(objective)
    if penalty is not None or name == "vmap":
        return penalty
    kind, reason = fused_loss(objective, d_steps)
    if reason is not None:
        return reason
    for which, spec, template in zip(
        ("generators", "discriminators"), (stack.g_spec, stack.d_spec), stack.templates, strict=True
    ):
        if spec is None:  # the stack found none: say why
            return f"each of the {which} {fused.spec_or_reason(template)}"
    if kind == "bce" and stack.d_spec.activations[-1] != "sigmoid":
        return "binary cross-entropy needs discriminators that end with a Sigmoid"
    if stack.g[0].dtype != torch.float32:
        return f"the networks are {stack.g[0].dtype}, not float32"
    if any(cls not in ELEMENTWISE for cls, _ in stack.specs):
        return "an optimiser is not an elementwise one (see tinygan.engine.table.ELEMENTWISE)"
    if name == "fused":
        return None
    if stack.g[0].device.type != "cpu":
        return f"the native kernel runs on the CPU, this ensemble on {stack.g[0].device}"
    optimizer = native_optimizer(stack)
    if optimizer is None:
        return "the optimisers are not both plain SGD, or both default Adam at one lr"
    return supports(stack.g_spec, stack.d_spec, kind, optimizer)
