"""Digits recipes: an MLP GAN on scikit-learn's 8x8 handwritten digits, naive and fixed.

:func:`digits_naive` is what a new user writes first (the usual MLP GAN: LeakyReLU, BCE
on logits, Adam at 2e-4, batch 64); it collapses onto one or two digit classes.
:func:`digits` is the recipe that works, and what ``tinygan train --data digits``
trains. The page "Part III: digits" measures both over many seeds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

import torch
from torch import nn

from tinygan.callbacks import Callback
from tinygan.data import GaussianNoise, ImageData
from tinygan.data import digits as digit_images
from tinygan.nets import MLP, MinibatchStd, mlp
from tinygan.training import AdversarialTrainer

__all__ = [
    "DIGITS_NAIVE_STEPS",
    "DIGITS_NOISE",
    "DIGITS_STEPS",
    "digits_naive",
    "digits",
]

DIGITS_NOISE = 16
"""The generator's input width: standard normal noise of 16 numbers."""

DIGITS_NAIVE_STEPS = 4_000
"""The naive recipe's iterations (what a new user runs first)."""

DIGITS_STEPS = 5_000
"""The default recipe's iterations."""

_BATCH = 64
_LR = 2e-4
_DEFAULT_LR = 1e-3
_BETAS = (0.5, 0.999)


def _leaky() -> nn.Module:
    return nn.LeakyReLU(0.2)


def _nets(seed: int, *, fixed: bool) -> tuple[MLP, nn.Module]:
    """The generator, then the discriminator, their weights drawn from ``seed`` in order.

    ``fixed`` adds LayerNorm after every hidden layer and, in the discriminator,
    :class:`~tinygan.MinibatchStd` before the last layer (which then reads 129 features).
    """
    init = torch.Generator().manual_seed(seed)
    layer_norm = nn.LayerNorm if fixed else None
    generator = mlp(
        [DIGITS_NOISE, 128, 128, 64],
        bias=True,
        activation=_leaky,
        output_activation=nn.Sigmoid,
        norm=layer_norm,
        generator=init,
    )
    if not fixed:
        discriminator = mlp(
            [64, 128, 1], bias=True, activation=_leaky, output_activation=None, generator=init
        )
        return generator, discriminator
    body = mlp([64, 128], bias=True, activation=_leaky, generator=init)
    head = mlp([129, 1], bias=True, output_activation=None, generator=init)
    return generator, nn.Sequential(body[0], nn.LayerNorm(128), body[1], MinibatchStd(), head[0])


def _trainer(
    seed: int,
    data: ImageData | None,
    callbacks: Iterable[Callback],
    *,
    fixed: bool,
    optimizer: Callable[..., torch.optim.Optimizer],
) -> AdversarialTrainer:
    """What both recipes share: the digits, 16-d normal noise, batch 64, logits into BCE."""
    generator, discriminator = _nets(seed, fixed=fixed)
    return AdversarialTrainer(
        generator,
        discriminator,
        digit_images() if data is None else data,
        GaussianNoise(DIGITS_NOISE),
        batch_size=_BATCH,
        loss=nn.BCEWithLogitsLoss(),
        optimizer=optimizer,
        seed=seed,
        callbacks=callbacks,
    )


def digits_naive(
    seed: int, *, data: ImageData | None = None, callbacks: Iterable[Callback] = ()
) -> AdversarialTrainer:
    """The naive digits GAN, as a new user writes it; it collapses onto a class or two.

    G: 16 -> 128 -> 128 -> 64 (LeakyReLU 0.2, sigmoid output); D: 64 -> 128 -> 1
    (LeakyReLU 0.2, logits); :class:`~torch.nn.BCEWithLogitsLoss`; Adam with learning
    rate 2e-4 (PyTorch's default betas) for both; batch 64; standard normal noise. Train
    it :data:`DIGITS_NAIVE_STEPS` iterations.

    Args:
        seed: Seeds the weights (generator first, then discriminator) and the trainer.
        data: The real images; :func:`tinygan.digits` by default (reuse one to save
            loading it again).
        callbacks: The trainer's callbacks.

    Returns:
        The trainer, not yet trained.
    """
    return _trainer(seed, data, callbacks, fixed=False, optimizer=partial(torch.optim.Adam, lr=_LR))


def digits(
    seed: int, *, data: ImageData | None = None, callbacks: Iterable[Callback] = ()
) -> AdversarialTrainer:
    """The digits GAN that works: the naive one with three changes.

    The same widths, activations, loss, noise and batch as :func:`digits_naive`, with

    - :class:`~torch.nn.LayerNorm` after each hidden linear layer of both networks;
    - :class:`~tinygan.MinibatchStd` before the discriminator's last layer, so it sees
      how much a batch varies (a collapsed generator's batches do not);
    - Adam with learning rate 1e-3 and DCGAN's betas ``(0.5, 0.999)`` for both.

    Train it :data:`DIGITS_STEPS` iterations (about 20 seconds on one CPU thread).

    Args:
        seed: Seeds the weights (generator first, then discriminator) and the trainer.
        data: The real images; :func:`tinygan.digits` by default.
        callbacks: The trainer's callbacks.

    Returns:
        The trainer, not yet trained.

    Example:
        >>> from tinygan.recipes.digits import digits
        >>> trainer = digits(0)
        >>> trainer.real.shape, trainer.batch_size
        ((8, 8), 64)
    """
    return _trainer(
        seed,
        data,
        callbacks,
        fixed=True,
        optimizer=partial(torch.optim.Adam, lr=_DEFAULT_LR, betas=_BETAS),
    )
