"""A small DCGAN-style convolutional pair for images, on flattened samples.

Trainers and data sources pass images flattened, ``(n, dim)``; these networks unflatten
them inside, so they drop in wherever :func:`tinygan.mlp` networks go. The generator
grows a ``(height / 4, width / 4)`` seed image twice by transposed convolutions (stride
2), the discriminator shrinks the image twice by strided convolutions and reads one
logit off the rest with a last convolution as large as it (use
:class:`~torch.nn.BCEWithLogitsLoss`). Height and width must be multiples of 4: 8x8
digits, 28x28 MNIST.

Weights are drawn as DCGAN draws them, normal with standard deviation 0.02 (biases 0),
from the ``generator`` given. Two options make the pair train reliably on small images
(:func:`tinygan.recipes.images.digits_conv`): ``norm=True`` puts a
:class:`~torch.nn.LayerNorm` over each hidden feature map (channels and pixels; no running
state, unlike batch normalisation), and ``minibatch_std=True`` lets the discriminator
see how much a batch varies (:class:`~tinygan.MinibatchStd`) before a last linear layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from tinygan._checks import check_bool, check_int
from tinygan.nets._bare import bare
from tinygan.nets.minibatch import MinibatchStd

__all__ = ["conv_discriminator", "conv_generator"]


def _check_image(shape: object) -> tuple[int, int]:
    dims = tuple(shape) if isinstance(shape, (tuple, list)) else ()
    if len(dims) == 3 and dims[0] == 1:
        dims = dims[1:]
    if (
        len(dims) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in dims)
        or any(v < 4 or v % 4 for v in dims)
    ):
        raise ValueError(
            f"shape must be (height, width), both multiples of 4 such as (8, 8) or (28, 28), "
            f"got {shape!r}"
        )
    return int(dims[0]), int(dims[1])


def _layer(cls: type[nn.Module], *args: Any, **kwargs: Any) -> nn.Module:
    """Build a layer without drawing its default weights from the global RNG."""
    return bare(cls, *args, **kwargs)


def _init(net: nn.Module, generator: torch.Generator | None) -> None:
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {generator!r}")
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(module.weight, 0.0, 0.02, generator=generator)
                if module.bias is not None:
                    module.bias.zero_()
            elif isinstance(module, nn.LayerNorm):
                module.reset_parameters()  # ones and zeros: nothing drawn


class _MapStd(nn.Module):
    """:class:`~tinygan.MinibatchStd` for feature maps: its number as one more channel."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        value = MinibatchStd()(x.flatten(1))[:, -1:]
        return torch.cat([x, value[:, :, None, None].expand(-1, 1, *x.shape[2:])], dim=1)


def _norm(on: bool, *shape: int) -> list[nn.Module]:
    return [_layer(nn.LayerNorm, list(shape))] if on else []


def conv_generator(
    noise_dim: int,
    shape: Sequence[int] = (8, 8),
    *,
    width: int = 32,
    norm: bool = False,
    generator: torch.Generator | None = None,
) -> nn.Sequential:
    """A DCGAN-style generator: noise ``(n, noise_dim)`` to images ``(n, height * width)``.

    Linear to ``2 * width`` channels of ``(height / 4, width / 4)``, then two transposed
    convolutions (kernel 4, stride 2) with ReLU before each, and a sigmoid at the end,
    so pixels lie in ``(0, 1)``. There is no batch normalisation: the network has no
    running state, and its output for an input does not depend on the rest of the batch.

    Args:
        noise_dim: The noise width.
        shape: The image's ``(height, width)``, multiples of 4.
        width: Channels of the larger hidden image (the smaller has twice as many).
        norm: A :class:`~torch.nn.LayerNorm` over each hidden feature map, before its
            ReLU.
        generator: The random number generator to draw the weights from.

    Returns:
        The network.

    Raises:
        ValueError: If ``shape`` is not such a shape or a width is below 1.
        TypeError: If ``generator`` is not a generator.

    Example:
        >>> import torch
        >>> G = conv_generator(16, (8, 8), generator=torch.Generator().manual_seed(0))
        >>> G(torch.randn(5, 16, generator=torch.Generator().manual_seed(1))).shape
        torch.Size([5, 64])
    """
    noise = check_int("noise_dim", noise_dim, minimum=1)
    channels = check_int("width", width, minimum=1)
    height, wide = _check_image(shape)
    seed_shape = (2 * channels, height // 4, wide // 4)
    on = check_bool("norm", norm)
    net = nn.Sequential(
        _layer(nn.Linear, noise, seed_shape[0] * seed_shape[1] * seed_shape[2]),
        nn.Unflatten(1, seed_shape),
        *_norm(on, *seed_shape),
        nn.ReLU(),
        _layer(nn.ConvTranspose2d, seed_shape[0], channels, 4, stride=2, padding=1),
        *_norm(on, channels, height // 2, wide // 2),
        nn.ReLU(),
        _layer(nn.ConvTranspose2d, channels, 1, 4, stride=2, padding=1),
        nn.Sigmoid(),
        nn.Flatten(),
    )
    _init(net, generator)
    return net


def conv_discriminator(
    shape: Sequence[int] = (8, 8),
    *,
    width: int = 32,
    norm: bool = False,
    minibatch_std: bool = False,
    generator: torch.Generator | None = None,
) -> nn.Sequential:
    """A DCGAN-style discriminator: images ``(n, height * width)`` to logits ``(n, 1)``.

    Two strided convolutions (kernel 4, stride 2, LeakyReLU 0.2), then one convolution
    as large as what is left, to one logit per image (no activation: train it with
    :class:`~torch.nn.BCEWithLogitsLoss`).

    Args:
        shape: The image's ``(height, width)``, multiples of 4.
        width: Channels of the first convolution (the second has twice as many).
        norm: A :class:`~torch.nn.LayerNorm` over the second convolution's feature map,
            before its LeakyReLU.
        minibatch_std: Append to the last feature map one channel holding the batch's
            :class:`~tinygan.MinibatchStd` feature (as progressive GANs do), which the
            last convolution reads with the rest.
        generator: The random number generator to draw the weights from.

    Returns:
        The network.

    Raises:
        ValueError: If ``shape`` is not such a shape or ``width`` is below 1.
        TypeError: If ``generator`` is not a generator.

    Example:
        >>> import torch
        >>> D = conv_discriminator((28, 28), generator=torch.Generator().manual_seed(0))
        >>> D(torch.rand(3, 784)).shape
        torch.Size([3, 1])
    """
    channels = check_int("width", width, minimum=1)
    height, wide = _check_image(shape)
    small = (2 * channels, height // 4, wide // 4)
    extra = check_bool("minibatch_std", minibatch_std)
    last: list[nn.Module] = [_MapStd()] if extra else []
    last += [_layer(nn.Conv2d, small[0] + extra, 1, small[1:]), nn.Flatten()]
    net = nn.Sequential(
        nn.Unflatten(1, (1, height, wide)),
        _layer(nn.Conv2d, 1, channels, 4, stride=2, padding=1),
        nn.LeakyReLU(0.2),
        _layer(nn.Conv2d, channels, 2 * channels, 4, stride=2, padding=1),
        *_norm(check_bool("norm", norm), *small),
        nn.LeakyReLU(0.2),
        *last,
    )
    _init(net, generator)
    return net
