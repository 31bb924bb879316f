"""Networks: the post's bias-free sigmoid MLPs, and the builders and wrappers around them.

- ``mlp``: :func:`~tinygan.mlp` and :class:`~tinygan.MLP`, the post's networks and any
  other stack of linear layers with activations (LayerNorm and logits for images too).
- ``conv``: :func:`~tinygan.conv_generator` and :func:`~tinygan.conv_discriminator`,
  a small DCGAN-style pair for images.
- ``minibatch``: :class:`~tinygan.MinibatchStd`, a layer that shows a discriminator
  how much its batch varies.
- ``packed``: :class:`~tinygan.Packed`, PacGAN's packing: a discriminator that scores
  ``m`` samples at once.

Layer: parts, beside :mod:`tinygan.data`; it imports only ``tinygan._checks``. The
engine reads an :class:`~tinygan.MLP`'s shape to run it without autograd; checkpoints
describe it.
"""

from tinygan.nets.conv import conv_discriminator, conv_generator
from tinygan.nets.minibatch import MinibatchStd
from tinygan.nets.mlp import MLP, mlp
from tinygan.nets.packed import Packed

__all__ = ["MLP", "MinibatchStd", "Packed", "conv_discriminator", "conv_generator", "mlp"]
