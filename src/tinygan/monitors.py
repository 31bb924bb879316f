"""Watching a run: the :class:`~tinygan.Metrics` callback and the detectors that stop on a metric.

:class:`~tinygan.Metrics` measures the health of a GAN (:mod:`tinygan.metrics`) every few
iterations on probe batches drawn from its own seeded generator, never the trainer's,
so watching a run does not change it. :class:`~tinygan.CollapseDetector` and
:class:`~tinygan.PlateauDetector` read those measurements and call ``trainer.stop()`` (or only
warn) when the generator has collapsed or stopped improving.

The two halves live in ``tinygan._health`` and ``tinygan._detectors``; this module
gathers them.
"""

from __future__ import annotations

from tinygan._detectors import CollapseDetector, PlateauDetector
from tinygan._health import Metrics, measure_health

__all__ = ["CollapseDetector", "Metrics", "PlateauDetector", "measure_health"]
