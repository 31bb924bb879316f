"""Data sources: the real data a discriminator learns from and the noise a generator reads.

Every class here satisfies :class:`tinygan.DataSource` (``dim`` and
``sample(n, *, generator=None)``) and draws a whole batch in one vectorised call from the
:class:`torch.Generator` it is given. ``patterns`` holds the post's fuzzy
0/1 patterns, ``noise`` the generator's inputs, ``mixtures`` the 2-D Gaussian mixtures
(ring and grid) of the mode-collapse benchmarks, ``images`` any fixed set of examples
(:func:`~tinygan.digits`), ``mnist`` MNIST read from its own files
(:func:`~tinygan.mnist`). ``uniform_map`` describes how a source makes samples out of
uniforms (:class:`~tinygan.UniformMap`), which lets the engine draw
many iterations of it at once.

Layer: the bottom, beside :mod:`tinygan.nets` and :mod:`tinygan.metrics`. It imports only
``tinygan._checks``; the engine, the trainers, sweeps and the CLI import it.
"""

from tinygan.data.images import ImageData, digits
from tinygan.data.mixtures import GaussianMixture
from tinygan.data.mnist import mnist, read_idx
from tinygan.data.noise import ConstantNoise, GaussianNoise, UniformNoise
from tinygan.data.patterns import FuzzyPattern
from tinygan.data.uniform_map import UniformMap

__all__ = [
    "ConstantNoise",
    "FuzzyPattern",
    "GaussianMixture",
    "GaussianNoise",
    "ImageData",
    "UniformMap",
    "UniformNoise",
    "digits",
    "mnist",
    "read_idx",
]
