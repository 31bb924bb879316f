"""Callbacks: small objects whose hooks a trainer's ``fit`` calls as it runs.

The order of events in ``trainer.fit(steps)`` is fixed:

1. ``on_fit_start(trainer)`` for each callback, in list order;
2. for each iteration: ``record = trainer.step()``, then ``trainer.iteration`` goes up by
   one, then ``on_step_end(trainer, step, record)`` for each callback in list order, where
   ``step`` is the new ``trainer.iteration`` (it counts from 1 and goes on across ``fit``
   calls); then, if ``trainer.stop()`` was called, the loop ends;
3. ``on_fit_end(trainer)`` for each callback in list order. This runs however ``fit``
   ends: after the last iteration, after ``stop()``, or on an exception
   (:class:`KeyboardInterrupt` included), which then propagates unchanged.

"List order" has one exception: callbacks whose class sets ``runs_last = True`` (such as
:class:`tinygan.Checkpoint`, which saves the trainer) run after all the others, in their
list order, so that what they save includes every other callback's view of the iteration.

What lives here:

- ``base``: :class:`~tinygan.Callback` (three no-op hooks) and
  :class:`~tinygan.LambdaCallback`;
- ``loss_logger`` and ``snapshots``: the
  post's loss log and output snapshots, kept as tensors in memory;
- ``files``: the same rows written to CSV or TensorBoard;
- ``autosave``: :class:`~tinygan.Checkpoint`, saving as training goes;
- ``health`` and ``detectors``: health
  metrics of the generator, and the detectors that watch them.

Layer: above :mod:`tinygan.protocols`, :mod:`tinygan.metrics` and
:mod:`tinygan.checkpoint`, which it imports; below the engine and the trainers, which
call its hooks. A callback sees the trainer only as the object handed to its hooks.
"""

from tinygan.callbacks.autosave import Checkpoint, latest_checkpoint
from tinygan.callbacks.base import Callback, LambdaCallback
from tinygan.callbacks.detectors import CollapseDetector, PlateauDetector
from tinygan.callbacks.files import CSVLogger, TensorBoardLogger
from tinygan.callbacks.health import Metrics, measure_health
from tinygan.callbacks.loss_logger import LossLogger
from tinygan.callbacks.snapshots import Snapshots

__all__ = [
    "CSVLogger",
    "Callback",
    "Checkpoint",
    "CollapseDetector",
    "LambdaCallback",
    "LossLogger",
    "Metrics",
    "PlateauDetector",
    "Snapshots",
    "TensorBoardLogger",
    "latest_checkpoint",
    "measure_health",
]
