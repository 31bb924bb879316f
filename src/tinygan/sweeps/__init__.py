"""Sweeps: train one GAN per seed and count how often a configuration works.

- ``run``: :func:`tinygan.sweep` and the checks of its arguments, chunks and executors;
- ``config``: :class:`~tinygan.SweepConfig` and :class:`~tinygan.SeedResult`;
- ``chunk``: training and judging one chunk of seeds;
- ``inputs``: the fixed evaluation inputs, as many as each judge asks for;
- ``result``: :class:`~tinygan.SweepResult`, and what a sweep writes (``seeds.csv``,
  ``summary.json``, ``histogram.png``); ``provenance``: which backend trained how many
  seeds;
- ``stats``: :func:`~tinygan.wilson_interval`.

Layer: the top of the library, below only the CLI. (The
package is ``sweeps`` so that ``tinygan.sweep``, the function, shadows nothing.)
"""

from tinygan.sweeps.config import EVAL_INPUTS, EVAL_SEED, SeedResult, SweepConfig
from tinygan.sweeps.result import SweepResult
from tinygan.sweeps.run import sweep
from tinygan.sweeps.stats import wilson_interval

__all__ = [
    "EVAL_INPUTS",
    "EVAL_SEED",
    "SeedResult",
    "SweepConfig",
    "SweepResult",
    "sweep",
    "wilson_interval",
]
