"""The engine: the backends that compute training iterations, and the table that picks one.

- ``table``: the one table that decides which backend runs a lone trainer or an
  ensemble (``autograd``, ``fused``, ``native``, ``vmap``), the
  :class:`~tinygan.engine.table.Backend` protocol they share, and the one warning a
  fallback gives, which the owner's files record too;
- :mod:`tinygan.engine.fused` (also importable as ``tinygan.fused``): an MLP's forward
  and backward passes, the losses, SGD and Adam, by hand in torch operations, for one
  network or a stack of them: the arithmetic, written once in torch;
- ``native``: the same arithmetic written once in C (``native/kernel.c``), built once per
  machine into a cache as careful as pip's, checked at its first load in a process, and
  run hundreds of iterations per call, whose records are made only when read;
- ``lone``: a lone trainer's backends, and when its step may run by hand; ``stack``:
  an ensemble's MLPs stacked members last, and (``stack_backends``) their fused and
  native backends; ``vmap``: any alike networks, batched with :func:`torch.func.vmap`;
- ``streams``: many iterations' data drawn at once, with the numbers step-by-step
  sampling gives.

Layer: above :mod:`tinygan.data`, :mod:`tinygan.nets` and :mod:`tinygan.callbacks` (whose
capability flags it reads), below the trainers and ensembles that use it. Nothing here
is needed to train correctly: the ``autograd`` backend runs any trainer.
"""

__all__: list[str] = []
