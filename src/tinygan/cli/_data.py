"""The kinds of data the command line trains and sweeps (``--data``), and their recipes.

``pattern`` is the post's fuzzy pattern, configured by the commands' own options; every
other kind names a recipe of :mod:`tinygan.recipes` (imported only when it is used) with
the iterations it is built for.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["KINDS", "DataKind", "add_data_argument"]


@dataclass(frozen=True)
class DataKind:
    """One ``--data`` choice: its recipe and the iterations it is built for.

    Attributes:
        name: The choice's name.
        summary: A few words for ``--help``.
        recipe: ``module:function`` of the recipe.
        steps: ``module:CONSTANT`` of its default iterations.
    """

    name: str
    summary: str
    recipe: str
    steps: str

    def load(self) -> Callable[[int], Any]:
        """Import the recipe."""
        module, name = self.recipe.split(":")
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]

    def default_steps(self) -> int:
        """The iterations the recipe is built for."""
        module, name = self.steps.split(":")
        return int(getattr(importlib.import_module(module), name))


KINDS: dict[str, DataKind | None] = {
    "pattern": None,
    "ring8": DataKind(
        "ring8",
        "8 Gaussians on a ring",
        "tinygan.recipes.mixtures:ring8",
        "tinygan.recipes.mixtures:RING8_STEPS",
    ),
    "grid25": DataKind(
        "grid25",
        "25 Gaussians on a grid",
        "tinygan.recipes.mixtures:grid25",
        "tinygan.recipes.mixtures:GRID25_STEPS",
    ),
    "digits": DataKind(
        "digits",
        "scikit-learn's 8x8 handwritten digits",
        "tinygan.recipes.digits:digits",
        "tinygan.recipes.digits:DIGITS_STEPS",
    ),
}
"""Every ``--data`` choice; ``pattern`` (``None`` here) is the post's, set by options."""


def add_data_argument(parser: argparse.ArgumentParser, what: str) -> None:
    """Add ``--data`` (one of :data:`KINDS`) to a command's parser.

    Args:
        parser: The command's parser.
        what: What the command does with a recipe's kind, for ``--help`` (after "each").
    """
    kinds = ", ".join(f"{k} ({v.summary})" for k, v in KINDS.items() if v is not None)
    parser.add_argument(
        "--data",
        choices=sorted(KINDS),
        default="pattern",
        help=f"the kind of data: the post's fuzzy pattern (default), or {kinds}, each {what}",
    )
