"""A sweep's arguments, checked: its seeds, its recipe and the objective a recipe is given."""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable, Iterable
from typing import Any

from tinygan._checks import check_int, check_seed
from tinygan.sweeps.config import qualified_name

__all__ = ["RecipeWithObjective", "check_recipe_call", "check_seeds"]


def check_seeds(seeds: object) -> list[int]:
    """The seeds a sweep trains: a count ``N`` (``0 .. N-1``) or distinct integers."""
    if isinstance(seeds, bool):
        raise TypeError(f"seeds must be a count or a sequence of integers, got {seeds!r}")
    if isinstance(seeds, numbers.Integral):
        return list(range(check_int("seeds", seeds, minimum=1)))
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise TypeError(f"seeds must be a count or a sequence of integers, got {seeds!r}")
    items: list[object] = list(seeds)
    if not items:
        raise ValueError("seeds must hold at least one seed, got none")
    result = [check_seed("seeds", seed) for seed in items]
    if len(set(result)) != len(result):
        raise ValueError("seeds must not repeat a seed")
    return result


_POST_DEFAULTS = {
    "pattern": "1010",
    "lr": 0.01,
    "batch_size": 1,
    "bias": False,
    "loss": "mse",
    "optimizer": "sgd",
    "noise": "uniform",
    "device": None,
}


class RecipeWithObjective:
    """``recipe(seed, objective=objective)`` as a recipe of the seed alone (picklable)."""

    def __init__(self, recipe: Callable[..., Any], objective: str) -> None:
        try:
            parameters = list(inspect.signature(recipe).parameters.values())
        except (TypeError, ValueError):  # no signature to read: the call will tell
            parameters = []
        takes = not parameters or any(
            p.name == "objective" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters
        )
        if not takes:
            raise TypeError(
                f"objective={objective!r} is handed to the recipe as recipe(seed, "
                f"objective=...), but {qualified_name(recipe)} takes no objective="
            )
        self.recipe, self.objective = recipe, objective

    def __call__(self, seed: int) -> Any:
        """The recipe's trainer for ``seed``, with the objective."""
        return self.recipe(seed, objective=self.objective)


def check_recipe_call(recipe: object, options: dict[str, object]) -> None:
    """Refuse a recipe that is not callable, or one given with the post's options."""
    if not callable(recipe):
        raise TypeError(f"recipe must be a function recipe(seed) -> trainer, got {recipe!r}")
    changed = [name for name, value in options.items() if value != _POST_DEFAULTS[name]]
    if changed:
        raise TypeError(
            f"{', '.join(changed)} configure the post's GAN and cannot go with a recipe: "
            "set them inside the recipe instead"
        )
