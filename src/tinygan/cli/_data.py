"""The kinds of data the command line trains and sweeps (``--data``), and their recipes.

``pattern`` is the post's fuzzy pattern, configured by the commands' own options; every
other kind names a recipe of :mod:`tinygan.recipes` (imported only when it is used) with
the iterations it is built for. A kind whose data are files of the user's (``mnist``)
is trained by ``tinygan train --root DIR`` only.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinygan.cli._common import CLIError

__all__ = ["KINDS", "DataKind", "add_data_argument", "kind_of", "set_the_post"]


@dataclass(frozen=True)
class DataKind:
    """One ``--data`` choice: its recipe and the iterations it is built for.

    Attributes:
        name: The choice's name.
        summary: A few words for ``--help``.
        recipe: ``module:function`` of the recipe.
        steps: ``module:CONSTANT`` of its default iterations.
        files: Whether the data are files under ``--root``, which the recipe reads
            (``recipe(seed, root=DIR)``).
        needs: ``(module, package, extra)`` the data need beyond torch, if any.
    """

    name: str
    summary: str
    recipe: str
    steps: str
    files: bool = False
    needs: tuple[str, str, str] | None = None

    def check_installed(self) -> None:
        """Check that what the data need is installed, before any file is written.

        Raises:
            CLIError: If it is not, naming the extra that installs it.
        """
        if self.needs is not None and importlib.util.find_spec(self.needs[0]) is None:
            _, package, extra = self.needs
            raise CLIError(f'--data {self.name} needs {package}: pip install "tinygan[{extra}]"')

    def load(self) -> Callable[..., Any]:
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
        needs=("sklearn", "scikit-learn", "images"),
    ),
    "mnist": DataKind(
        "mnist",
        "MNIST's 28x28 handwritten digits, read from the IDX files under --root",
        "tinygan.recipes.images:mnist",
        "tinygan.recipes.images:MNIST_STEPS",
        files=True,
    ),
}
"""Every ``--data`` choice; ``pattern`` (``None`` here) is the post's, set by options."""


def add_data_argument(parser: argparse.ArgumentParser, what: str, *, files: bool = False) -> None:
    """Add ``--data`` (one of :data:`KINDS`) to a command's parser, and ``--root`` if ``files``.

    Args:
        parser: The command's parser.
        what: What the command does with a recipe's kind, for ``--help`` (after "each").
        files: Offer the kinds whose data are files too, with ``--root DIR``.
    """
    offered = {k: v for k, v in KINDS.items() if v is None or files or not v.files}
    kinds = ", ".join(f"{k} ({v.summary})" for k, v in offered.items() if v is not None)
    parser.add_argument(
        "--data",
        choices=sorted(offered),
        default="pattern",
        help=f"the kind of data: the post's fuzzy pattern (default), or {kinds}, each {what}",
    )
    if files:
        names = ", ".join(k for k, v in offered.items() if v is not None and v.files)
        parser.add_argument(
            "--root",
            type=Path,
            metavar="DIR",
            help=f"the folder of the data files, for --data {names} (never downloaded)",
        )


def kind_of(args: argparse.Namespace) -> DataKind | None:
    """The kind ``args.data`` names (``None`` for the pattern), ``--root`` checked against it.

    Raises:
        CLIError: If the kind reads files and ``--root`` is missing, ``--root`` is given
            for a kind that reads none, or what the kind needs is not installed.
    """
    kind = KINDS[getattr(args, "data", "pattern")]
    root = getattr(args, "root", None)
    if kind is not None and kind.files and root is None:
        raise CLIError(
            f"--data {kind.name} reads its files: give --root DIR, the folder they are in"
        )
    if root is not None and (kind is None or not kind.files):
        raise CLIError(f"--root goes with a kind whose data are files, not --data {args.data}")
    if kind is not None:
        kind.check_installed()
    return kind


def set_the_post(options: list[str]) -> str:
    """What to say of ``options`` given with a ``--data`` kind: they set the post's GAN.

    >>> set_the_post(["lr"])
    "sets the post's GAN: it goes with --data pattern only"
    >>> set_the_post(["lr", "batch_size"])
    "set the post's GAN: they go with --data pattern only"
    """
    if len(options) == 1:
        return "sets the post's GAN: it goes with --data pattern only"
    return "set the post's GAN: they go with --data pattern only"
