"""Ensembles: many independent GANs in lockstep, as one batched computation.

- ``trainer``: :class:`~tinygan.EnsembleTrainer`, which trains its members on one of
  the engine's backends (:mod:`tinygan.engine.table`);
- ``build``: its constructors from seeds and from alike lone trainers, and ``alike``:
  when lone trainers can train together;
- ``stacking``: the checks of its arguments, and members' weights stacked along a last
  dimension (drawn straight from their seeds);
- ``_member_data``: each member's own data.

Layer: above the trainers (an ensemble is a :class:`~tinygan.BaseTrainer`) and the
engine; below sweeps.
"""

from tinygan.ensemble.trainer import EnsembleTrainer

__all__ = ["EnsembleTrainer"]
