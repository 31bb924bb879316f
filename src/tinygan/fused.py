"""The old home of the fused kernels, kept so that ``tinygan.fused`` goes on working.

The kernels live in :mod:`tinygan.engine.fused`; every name is the same object here, and
so are its submodules (``tinygan.fused.nets`` is :mod:`tinygan.engine.fused.nets`).

>>> import tinygan.engine.fused, tinygan.fused
>>> tinygan.fused.forward is tinygan.engine.fused.forward
True
"""

from tinygan.engine.fused import *  # noqa: F403 - every public name, as before
from tinygan.engine.fused import __all__ as _kernels
from tinygan.engine.fused import losses, nets, steps, updates

__all__ = [*_kernels, "losses", "nets", "steps", "updates"]
