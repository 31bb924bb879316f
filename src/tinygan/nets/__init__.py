"""Networks: the post's bias-free sigmoid MLPs, and the builders and wrappers around them.

- ``mlp``: :func:`~tinygan.mlp` and :class:`~tinygan.MLP`, the post's networks and any
  other stack of linear layers with activations.
- ``packed``: :class:`~tinygan.Packed`, PacGAN's packing: a discriminator that scores
  ``m`` samples at once.

Layer: parts, beside :mod:`tinygan.data`; it imports only ``tinygan._checks``. The
engine reads an :class:`~tinygan.MLP`'s shape to run it without autograd; checkpoints
describe it.
"""

from tinygan.nets.mlp import MLP, mlp
from tinygan.nets.packed import Packed

__all__ = ["MLP", "Packed", "mlp"]
