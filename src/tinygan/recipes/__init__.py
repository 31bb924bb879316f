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
- ``pacgan``: :func:`~tinygan.recipes.pacgan.paper_gan`, PacGAN's own configuration for
  them (its networks, normalisation and simultaneous update), for long runs.
- ``digits``: :func:`~tinygan.recipes.digits.digits_ladder` (Part III's ladder: the
  post's GAN carried to the 8x8 digits, then one change at a time),
  :func:`~tinygan.recipes.digits.digits` (its top rung, the one that works) and
  :func:`~tinygan.recipes.digits.digits_naive` (the usual tutorial MLP GAN; it
  collapses).
- ``images``: :func:`~tinygan.recipes.images.digits_conv` (a convolutional GAN for the
  digits) and :func:`~tinygan.recipes.images.mnist` (the default recipe grown to MNIST).
- ``conditional``: :func:`~tinygan.recipes.conditional.digits_conditional`, the digits
  GAN that draws the digit it is asked for.
"""

from tinygan.recipes.conditional import CONDITIONAL_STEPS, digits_conditional
from tinygan.recipes.digits import (
    DIGITS_LADDER,
    DIGITS_NAIVE_STEPS,
    DIGITS_NOISE,
    DIGITS_STEPS,
    digits,
    digits_ladder,
    digits_naive,
)
from tinygan.recipes.images import DIGITS_CONV_STEPS, digits_conv
from tinygan.recipes.mixtures import grid25, mixture_gan, ring8

__all__ = [
    "CONDITIONAL_STEPS",
    "DIGITS_CONV_STEPS",
    "DIGITS_LADDER",
    "DIGITS_NAIVE_STEPS",
    "DIGITS_NOISE",
    "DIGITS_STEPS",
    "digits",
    "digits_conditional",
    "digits_conv",
    "digits_ladder",
    "digits_naive",
    "grid25",
    "mixture_gan",
    "ring8",
]
