"""What an objective is, and the objectives that are one loss against a target.

An objective turns the discriminator's scores into losses. A trainer asks it for D's loss
on a batch it calls real (``target`` 1) or generated (``target`` 0), for G's loss on
D's scores of G's samples (``target`` 1: G wants them called real), and for any penalty
that needs D itself (:meth:`Objective.d_penalty`: a gradient penalty, R1).

The post's objective is one loss function against a target, ``loss(D(x), target)``:
mean squared error against 1 for real samples and for G's, 0 for generated ones.
:class:`TargetLoss` is that shape for any ``loss``; :class:`LeastSquares` is the post's.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch.nn import functional

from tinygan._checks import check_bool, check_callable

__all__ = [
    "LeastSquares",
    "Objective",
    "TargetLoss",
    "check_logits",
    "check_name",
    "check_weight",
    "scalar_target",
    "target_like",
]


def target_like(output: torch.Tensor, target: object) -> torch.Tensor:
    """``target`` (a number or a tensor) as a tensor of ``output``'s shape and type."""
    if isinstance(target, torch.Tensor):
        return target.to(dtype=output.dtype, device=output.device).expand_as(output)
    if isinstance(target, bool) or not isinstance(target, numbers.Real):
        raise TypeError(f"target must be a number or a tensor, got {target!r}")
    return torch.full_like(output, float(target))


def check_name(owner: object, value: Any) -> None:
    """Raise unless ``value`` is a non-empty ``str`` (the objective ``owner``'s ``name``).

    Raises:
        TypeError: If it is not a ``str``.
        ValueError: If it is empty.
    """
    expected = f"{type(owner).__name__}: name must be a non-empty str, got {value!r}"
    if not isinstance(value, str):
        raise TypeError(expected)
    if not value:
        raise ValueError(expected)


def check_weight(owner: object, name: str, value: Any) -> None:
    """Raise unless ``value`` is a finite real number ``>= 0`` (a penalty's weight).

    ``value`` is left as it is (an ``int`` stays one), so objectives compare as before.

    Raises:
        TypeError: If it is not a real number (``bool`` included).
        ValueError: If it is negative, infinite or NaN.
    """
    message = f"{type(owner).__name__}: {name} must be a finite number >= 0, got {value!r}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(message)
    if not math.isfinite(value) or value < 0:
        raise ValueError(message)


def check_logits(owner: object, value: Any) -> None:
    """Raise :class:`TypeError` unless ``value`` (``owner``'s ``logits``) is a ``bool``."""
    check_bool(f"{type(owner).__name__}: logits", value)


def scalar_target(name: str, target: object) -> float:
    """``target`` as 1.0 (real) or 0.0 (generated), for objectives that know only those.

    Raises:
        ValueError: If it is anything else, naming the objective.
    """
    if isinstance(target, torch.Tensor) and target.numel() == 1:
        target = target.item()
    if not isinstance(target, bool) and isinstance(target, numbers.Real) and target in (0, 1):
        return float(target)
    raise ValueError(f"the {name} objective takes target 1 (real) or 0 (generated), got {target!r}")


class Objective:
    """How D's and G's losses come from D's scores (see :mod:`tinygan.objectives`).

    Subclasses define :meth:`d_loss` and :meth:`g_loss`, and may define
    :meth:`d_penalty`. Every objective is a frozen dataclass: two objectives with the
    same settings are equal, and an ensemble may train trainers that have equal ones.

    Attributes:
        name: The objective's name, as :func:`tinygan.objectives.get` takes it.
        loss: The ``loss(output, target)`` function the objective is, if it is one
            against a target (:class:`TargetLoss`); ``None`` otherwise. The fused and
            native backends serve the post's loss and binary cross-entropy in this form.
    """

    name: str = "objective"
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None

    def d_loss(self, scores: torch.Tensor, target: float | torch.Tensor) -> torch.Tensor:
        """D's loss on its ``scores`` of a batch it should call ``target`` (1 real, 0 not)."""
        raise NotImplementedError

    def g_loss(self, scores: torch.Tensor, target: float | torch.Tensor = 1.0) -> torch.Tensor:
        """G's loss on D's ``scores`` of G's samples (``target``: what G wants them called)."""
        raise NotImplementedError

    def d_penalty(
        self,
        discriminator: Callable[[torch.Tensor], torch.Tensor],
        inputs: torch.Tensor,
        target: float | torch.Tensor,
        real: torch.Tensor | None,
        generator: torch.Generator | None,
    ) -> torch.Tensor | None:
        """A penalty added to D's loss on ``inputs`` (``None``: none, the default).

        Args:
            discriminator: D, to differentiate with respect to its input.
            inputs: The batch of this step.
            target: 1 for a real batch, 0 for a generated one.
            real: The real batch of the iteration's real step (for penalties between
                real and generated samples), or ``None`` before it.
            generator: Where random draws come from (the trainer's ``rng``).
        """
        return None

    def chance_loss(self, logits: bool | None = None) -> float:
        """D's mean loss over a real and a generated step when it cannot tell them apart.

        That is D's loss when it gives every sample the score 0.5, a probability (0 where
        its scores are logits). A D loss that stays near it says D cannot tell G's samples
        from real ones.

        Args:
            logits: Whether D's scores are logits; ``None``: the objective's ``logits``
                setting where it has one, else not.

        Example:
            >>> from tinygan.objectives import Hinge, LeastSquares, NonSaturating, WGANGP
            >>> [round(o.chance_loss(), 4) for o in (LeastSquares(), NonSaturating(), Hinge())]
            [0.25, 0.6931, 1.0]
            >>> WGANGP().chance_loss()
            0.0
        """
        if logits is None:
            logits = bool(getattr(self, "logits", False))
        score = torch.full((1, 1), 0.0 if logits else 0.5)
        with torch.no_grad():
            return (float(self.d_loss(score, 1.0)) + float(self.d_loss(score, 0.0))) / 2

    @property
    def penalized(self) -> bool:
        """Whether the objective adds a penalty that needs D's gradient."""
        return type(self).d_penalty is not Objective.d_penalty


@dataclass(frozen=True)
class TargetLoss(Objective):
    """``loss(D(x), target)`` for D and G alike: the shape of the post's objective.

    D's loss on a batch is ``loss(scores, target)`` (1 for real, 0 for generated, or any
    target a caller gives, such as 0.9); G's loss is ``loss(scores, 1)``.

    Args:
        loss: ``loss(output, target) -> scalar tensor``.
        name: What to call it (a non-empty ``str``).

    Raises:
        TypeError: If ``loss`` is not callable or ``name`` not a ``str``.
        ValueError: If ``name`` is empty.

    Example:
        >>> import torch
        >>> from torch.nn import functional
        >>> from tinygan.objectives import TargetLoss
        >>> obj = TargetLoss(functional.l1_loss, "l1")
        >>> float(obj.d_loss(torch.tensor([[0.25], [0.75]]), 1.0))
        0.5
    """

    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = functional.mse_loss
    name: str = "loss"

    def __post_init__(self) -> None:
        check_callable(
            f"{type(self).__name__}: loss", self.loss, "a function loss(output, target) -> tensor"
        )
        check_name(self, self.name)

    def d_loss(self, scores: torch.Tensor, target: float | torch.Tensor) -> torch.Tensor:
        """``loss(scores, target)``."""
        return self.loss(scores, target_like(scores, target))

    def g_loss(self, scores: torch.Tensor, target: float | torch.Tensor = 1.0) -> torch.Tensor:
        """``loss(scores, target)``, target 1 by default."""
        return self.loss(scores, target_like(scores, target))


@dataclass(frozen=True)
class LeastSquares(TargetLoss):
    r"""The post's objective: mean squared error against 1 (real) and 0 (generated).

    .. math::

        L_D = \tfrac12\,\mathbb{E}[(D(x) - 1)^2] + \tfrac12\,\mathbb{E}[D(G(z))^2]
        \quad (\text{one step each}),\qquad L_G = \mathbb{E}[(D(G(z)) - 1)^2]

    tinygan takes D's two halves as two steps, real first, as the post does (the names'
    ``least-squares``: Mao et al. 2017's LSGAN with targets 1 and 0).
    """

    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = functional.mse_loss
    name: str = "least-squares"
