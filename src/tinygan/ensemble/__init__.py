"""Ensembles: many independent GANs in lockstep, as one batched computation.

- ``trainer``: :class:`~tinygan.EnsembleTrainer`;
- ``stacking``: members' weights stacked along a last dimension
  (drawn straight from their seeds), and unstacked again;
- ``_member_data``, ``_state`` and
  ``_compiled``: each member's own data, the ensemble's state
  dict, and compiled chunks.

Layer: above the trainers (an ensemble is a :class:`~tinygan.BaseTrainer`) and the
engine; below sweeps.
"""

from tinygan.ensemble.trainer import EnsembleTrainer

__all__ = ["EnsembleTrainer"]
