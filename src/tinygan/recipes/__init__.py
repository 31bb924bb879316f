"""Recipes: ready trainers for each kind of data, each built from a seed alone.

A recipe is a function ``recipe(seed) -> trainer``: everything random about the run (the
networks' weights, the data drawn) comes from ``seed``. Sweeps take any recipe
(``tg.sweep(100, recipe, steps=...)``), and ``tinygan train --data KIND`` trains the
recipe of its kind.

Layer: above the trainers and ensembles, whose classes it builds; below only the
command line. Nothing in the library imports it but the CLI.

- ``mixtures``: :func:`~tinygan.recipes.mixtures.ring8` and
  :func:`~tinygan.recipes.mixtures.grid25`, a CPU-sized GAN (packed or not) for
  the 2-D ring and grid of the mode-collapse benchmarks.
"""

from tinygan.recipes.mixtures import grid25, mixture_gan, ring8

__all__ = ["grid25", "mixture_gan", "ring8"]
