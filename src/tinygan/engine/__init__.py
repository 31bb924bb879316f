"""The fast paths: the same numbers as autograd, in fewer and bigger operations.

- :mod:`tinygan.engine.fused` (also importable as ``tinygan.fused``): hand-written
  forward and backward passes, loss gradients and optimiser updates for stacks of
  :func:`tinygan.mlp` networks;
- ``plan``: whether a lone trainer can take the fused step, and
  what that step needs; ``fastpath``: running it;
- ``compiled`` and ``compiled_chunk``: chunks of
  masked iterations through :func:`torch.compile`; ``chunk_records``: their records;
- ``native`` (with ``native_job`` and ``native_build``, and ``native_kernel.c``): an
  ensemble's iterations in C, hundreds per call, built once per machine;
  ``mt_states``: CPU generators' mt19937 states, which that kernel draws from;
- ``streams``: drawing many iterations' data in one call.

Layer: above :mod:`tinygan.data`, :mod:`tinygan.nets` and :mod:`tinygan.callbacks` (the
logging callbacks it may serve itself), below the trainers and ensembles that use it.
Nothing here is needed to train correctly: every fast path falls back to plain autograd.
"""

__all__: list[str] = []
