"""The objective a recipe trains with, when a caller swaps the recipe's own for another."""

from __future__ import annotations

from typing import Any

from tinygan.objectives import Minimax, NonSaturating, Objective
from tinygan.objectives import get as get_objective

__all__ = ["recipe_objective"]


def recipe_objective(objective: str | Objective | None, *, logits: bool) -> Objective | None:
    """``objective`` for a recipe whose discriminator ends in logits (or in a sigmoid).

    ``None`` keeps the recipe's own loss. The cross-entropy objectives named
    ``"minimax"`` and ``"non-saturating"`` read the recipe's scores as its discriminator
    gives them (``logits=``); any other name is :func:`tinygan.objectives.get`'s, and an
    :class:`~tinygan.objectives.Objective` is used as it is.

    Raises:
        ValueError: If ``objective`` names no objective.
        TypeError: If it is neither a name nor an objective.
    """
    if objective is None:
        return None
    named: dict[str, Any] = {"minimax": Minimax, "non-saturating": NonSaturating}
    if isinstance(objective, str) and objective in named:
        return named[objective](logits=logits)  # type: ignore[no-any-return]
    return get_objective(objective)
