"""Image recipes beyond the MLP ladder: a convolutional GAN for the digits, and MNIST.

:func:`digits_conv` trains :func:`tinygan.conv_generator` and
:func:`tinygan.conv_discriminator` on scikit-learn's 8x8 digits, with the default MLP
recipe's remedies (LayerNorm, a minibatch standard deviation feature, DCGAN's Adam).
:func:`mnist` is the default digits recipe grown to MNIST's 28x28 digits, read from
their own files (``tinygan train --data mnist --root DIR``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import partial

import torch
from torch import nn

from tinygan.callbacks import Callback
from tinygan.data import GaussianNoise, ImageData
from tinygan.data import digits as digit_images
from tinygan.data import mnist as mnist_images
from tinygan.nets import MinibatchStd, conv_discriminator, conv_generator, mlp
from tinygan.objectives import Objective
from tinygan.recipes._objective import recipe_objective
from tinygan.training import AdversarialTrainer

__all__ = ["DIGITS_CONV_STEPS", "MNIST_NOISE", "MNIST_STEPS", "digits_conv", "mnist"]

DIGITS_CONV_STEPS = 5_000
"""The convolutional digits recipe's iterations."""

MNIST_NOISE = 64
"""The MNIST generator's input width."""

MNIST_STEPS = 10_000
"""The MNIST recipe's iterations."""

_BATCH = 64
_BETAS = (0.5, 0.999)


def digits_conv(
    seed: int, *, data: ImageData | None = None, callbacks: Iterable[Callback] = ()
) -> AdversarialTrainer:
    """A convolutional GAN for the 8x8 digits: the DCGAN-style pair, with LayerNorm.

    G: :func:`~tinygan.conv_generator` (16 noise numbers, width 32, ``norm=True``); D:
    :func:`~tinygan.conv_discriminator` (width 32, ``norm=True``,
    ``minibatch_std=True``); :class:`~torch.nn.BCEWithLogitsLoss`; Adam with learning
    rate 1e-3 and betas ``(0.5, 0.999)``; batches of 64 and standard normal noise. Train
    it :data:`DIGITS_CONV_STEPS` iterations.

    Args:
        seed: Seeds the weights (generator first, then discriminator) and the trainer.
        data: The real images; :func:`tinygan.digits` by default.
        callbacks: The trainer's callbacks.

    Returns:
        The trainer, not yet trained.

    Example:
        >>> from tinygan.recipes.images import digits_conv
        >>> trainer = digits_conv(0)
        >>> type(trainer.generator[4]).__name__, trainer.batch_size
        ('ConvTranspose2d', 64)
    """
    init = torch.Generator().manual_seed(seed)
    real = digit_images() if data is None else data
    return AdversarialTrainer(
        conv_generator(16, real.shape, width=32, norm=True, generator=init),
        conv_discriminator(real.shape, width=32, norm=True, minibatch_std=True, generator=init),
        real,
        GaussianNoise(16),
        batch_size=_BATCH,
        loss=nn.BCEWithLogitsLoss(),
        optimizer=partial(torch.optim.Adam, lr=1e-3, betas=_BETAS),
        seed=seed,
        callbacks=callbacks,
    )


def mnist(
    seed: int,
    *,
    data: ImageData | None = None,
    root: str | os.PathLike[str] | None = None,
    callbacks: Iterable[Callback] = (),
    objective: str | Objective | None = None,
) -> AdversarialTrainer:
    """The default digits recipe grown to MNIST: an MLP GAN on 28x28 digits.

    G: :data:`MNIST_NOISE` -> 256 -> 256 -> 784 and D: 784 -> 256 -> 1, as
    :func:`tinygan.recipes.digits.digits` (LeakyReLU 0.2 and LayerNorm after each hidden
    layer, a sigmoid on G's output, :class:`~tinygan.MinibatchStd` before D's last
    layer, BCE on logits, Adam 1e-3 with betas ``(0.5, 0.999)``, batches of 64). Train it
    :data:`MNIST_STEPS` iterations. (Not measured here: MNIST is not on this project's
    machines; it is tested on small generated files.)

    Args:
        seed: Seeds the weights (generator first, then discriminator) and the trainer.
        data: The real images, such as ``tinygan.mnist(root)``.
        root: Where MNIST's files are, when ``data`` is not given.
        callbacks: The trainer's callbacks.
        objective: Another objective in place of BCE on D's logits (a name or an
            :class:`~tinygan.objectives.Objective`, as for
            :func:`tinygan.recipes.digits.digits`).

    Returns:
        The trainer, not yet trained.

    Raises:
        TypeError: If neither ``data`` nor ``root`` is given.
        FileNotFoundError: If the files are not under ``root``.
    """
    if data is None:
        if root is None:
            raise TypeError("mnist needs its images: pass data=tinygan.mnist(root) or root=")
        data = mnist_images(root)
    swapped = recipe_objective(objective, logits=True)
    init = torch.Generator().manual_seed(seed)
    dim = data.dim
    leaky = partial(nn.LeakyReLU, 0.2)
    generator = mlp(
        [MNIST_NOISE, 256, 256, dim],
        bias=True,
        activation=leaky,
        output_activation=nn.Sigmoid,
        norm=nn.LayerNorm,
        generator=init,
    )
    body = mlp([dim, 256], bias=True, activation=leaky, generator=init)
    head = mlp([257, 1], bias=True, output_activation=None, generator=init)
    return AdversarialTrainer(
        generator,
        nn.Sequential(body[0], nn.LayerNorm(256), body[1], MinibatchStd(), head[0]),
        data,
        GaussianNoise(MNIST_NOISE),
        batch_size=_BATCH,
        loss=None if swapped else nn.BCEWithLogitsLoss(),
        objective=swapped,
        optimizer=partial(torch.optim.Adam, lr=1e-3, betas=_BETAS),
        seed=seed,
        callbacks=callbacks,
    )
