"""Helpers for sphinx-gallery in tinygan's docs: a figure scraper and the examples' argv.

tinygan's examples draw :class:`matplotlib.figure.Figure` objects without pyplot, so
sphinx-gallery's own matplotlib scraper (which asks pyplot for its figures) cannot see
them. :func:`figure_scraper` finds them instead among the example's variables.
"""

from __future__ import annotations

import os
from pathlib import PurePosixPath
from typing import Any

#: How many iterations every example runs in a docs build (env TINYGAN_DOCS_STEPS).
DEFAULT_STEPS = 10_000

#: Examples that run their recipe's own full length unless TINYGAN_DOCS_STEPS is set: the
#: mixtures' pages show converged runs (their ``--steps`` default is the recipe's).
FULL_RUNS = frozenset({"ring_gan.py", "grid_gan.py"})


def docs_steps() -> int:
    """The iterations each example runs: ``$TINYGAN_DOCS_STEPS`` or 10,000."""
    text = os.environ.get("TINYGAN_DOCS_STEPS", "").strip()
    if not text:
        return DEFAULT_STEPS
    steps = int(text)
    if steps < 1:
        raise ValueError(f"TINYGAN_DOCS_STEPS must be a positive integer, got {text!r}")
    return steps


def reset_argv(gallery_conf: dict[str, Any], script_vars: dict[str, Any]) -> list[str]:
    """The command-line arguments every example runs with in the gallery."""
    name = os.path.basename(str(script_vars.get("src_file", "")))
    if name in FULL_RUNS and not os.environ.get("TINYGAN_DOCS_STEPS", "").strip():
        return []
    return ["--steps", str(docs_steps())]


def _figures(value: Any) -> list[Any]:
    from matplotlib.figure import Figure

    if isinstance(value, Figure):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, Figure)]
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, Figure)]
    return []


def figure_scraper(block: Any, block_vars: dict[str, Any], gallery_conf: dict[str, Any]) -> str:
    """Save every new Figure among the example's variables; return their rST.

    A figure is shown once, after the code block that made it (or the first block after
    which it is found); figures are marked so that later blocks skip them.
    """
    from sphinx_gallery.scrapers import figure_rst

    found = []
    for value in list(block_vars["example_globals"].values()):
        for fig in _figures(value):
            if not getattr(fig, "_tinygan_scraped", False) and all(f is not fig for f in found):
                found.append(fig)
    paths = []
    for fig, path in zip(found, block_vars["image_path_iterator"], strict=False):
        fig.savefig(path, dpi=80)
        fig._tinygan_scraped = True
        paths.append(PurePosixPath(path))
    return figure_rst(paths, gallery_conf["src_dir"])
