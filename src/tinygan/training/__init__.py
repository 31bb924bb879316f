"""Training: the loop every trainer shares, and the trainers built on it.

- ``loop``: :class:`~tinygan.BaseTrainer` (``fit``, ``stop``,
  ``iteration``, the callbacks' events, the non-finite guard, Ctrl-C at iteration
  boundaries through ``_interrupt``);
- ``trainers``: :class:`~tinygan.AdversarialTrainer` and
  :class:`~tinygan.DiscriminatorTrainer`, with the public parts a custom ``step()`` is
  built from (their shared pieces in ``_steps``);
- ``conditional``: :class:`~tinygan.ConditionalTrainer`, the conditional GAN (labels
  joined to both networks' inputs);
- ``parts``: the checks a trainer runs on the networks and data
  sources it is given, when it is built.

Layer: above the engine and the callbacks, which it imports; below ensembles, sweeps and
the CLI. What one iteration produced is a :class:`tinygan.StepRecord`
(:mod:`tinygan.protocols`).
"""

from tinygan.training.conditional import ConditionalTrainer
from tinygan.training.loop import BaseTrainer
from tinygan.training.trainers import AdversarialTrainer, DiscriminatorTrainer

__all__ = ["AdversarialTrainer", "BaseTrainer", "ConditionalTrainer", "DiscriminatorTrainer"]
