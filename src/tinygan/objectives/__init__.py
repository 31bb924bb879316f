"""GAN objectives as parts: how the discriminator's scores become D's and G's losses.

An objective (:class:`Objective`) gives D's loss on a batch it should call real or
generated, G's loss on D's scores of G's samples, and any penalty that needs D itself.
Trainers take one as ``objective=`` (an object, or a name :func:`get` knows):

- ``"least-squares"`` (:class:`LeastSquares`): the post's, and the default;
- ``"minimax"`` (:class:`Minimax`) and ``"non-saturating"`` (:class:`NonSaturating`):
  the original GAN's cross-entropy, with G's saturating and non-saturating losses;
- ``"hinge"`` (:class:`Hinge`) and ``"wgan-gp"`` (:class:`WGANGP`): losses on unbounded
  scores, for discriminators without a sigmoid at their end;
- :class:`R1` adds the R1 gradient penalty to any of them, and ``loss=`` (a function
  ``loss(output, target)``) is still the shape :class:`TargetLoss`.

See :doc:`/objectives` for the formulas and when people use each.

Every objective checks its arguments when it is made, raising :class:`TypeError` or
:class:`ValueError` that names the class, the argument and what it expected.

Layer: parts, beside :mod:`tinygan.data` and :mod:`tinygan.nets`: it imports only torch
and ``tinygan._checks``.

Example:
    >>> import torch
    >>> import tinygan as tg
    >>> hinge = tg.objectives.get("hinge")
    >>> scores = torch.tensor([[2.0], [0.5]])
    >>> float(hinge.d_loss(scores, 1.0)), float(hinge.g_loss(scores))
    (0.25, -1.25)
"""

from __future__ import annotations

from typing import Any

from tinygan.objectives.base import LeastSquares, Objective, TargetLoss, target_like
from tinygan.objectives.penalties import R1, gradient_penalty, r1_penalty
from tinygan.objectives.standard import WGANGP, Hinge, Minimax, NonSaturating

Objective.__module__ = "tinygan.objectives"  # documented (and linked) where users import it

__all__ = [
    "NAMES",
    "R1",
    "WGANGP",
    "Hinge",
    "LeastSquares",
    "Minimax",
    "NonSaturating",
    "Objective",
    "TargetLoss",
    "get",
    "gradient_penalty",
    "r1_penalty",
    "target_like",
]

NAMES: dict[str, type[Objective]] = {
    "least-squares": LeastSquares,
    "minimax": Minimax,
    "non-saturating": NonSaturating,
    "wgan-gp": WGANGP,
    "hinge": Hinge,
}
"""The objectives by name, as ``objective="..."`` and ``--objective`` take them."""


def get(objective: Any) -> Objective:
    """The objective ``objective`` names (or ``objective`` itself, if it is one).

    Raises:
        ValueError: If it names none, listing the names.
        TypeError: If it is neither a name nor an :class:`Objective`.
    """
    if isinstance(objective, Objective):
        return objective
    if isinstance(objective, str):
        if objective not in NAMES:
            names = ", ".join(repr(name) for name in NAMES)
            raise ValueError(f"objective must be one of {names} or an Objective, got {objective!r}")
        return NAMES[objective]()
    raise TypeError(
        f"objective must be a name ({', '.join(NAMES)}) or a tinygan.objectives.Objective, "
        f"got {objective!r}"
    )
