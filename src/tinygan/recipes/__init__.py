"""Recipes: ready trainers for each kind of data, each built from a seed alone.

A recipe is a function ``recipe(seed) -> trainer``: everything random about the run (the
networks' weights, the data drawn) comes from ``seed``. Sweeps take any recipe
(``tg.sweep(100, recipe, steps=...)``), and ``tinygan train --data KIND`` trains the
recipe of its kind.

Layer: above the trainers and ensembles, whose classes it builds; below only the
command line. Nothing in the library imports it but the CLI.
"""

__all__: list[str] = []
