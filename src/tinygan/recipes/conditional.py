"""The conditional digits recipe: an MLP GAN that draws the digit it is asked for.

:func:`digits_conditional` is what ``tinygan train --data digits --conditional`` trains:
the working digits recipe's widths, activations, LayerNorm and Adam, with each digit's
label joined as ten one-hot numbers to both networks' inputs
(:class:`tinygan.ConditionalTrainer`).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

import torch
from torch import nn

from tinygan.callbacks import Callback
from tinygan.data import GaussianNoise, ImageData
from tinygan.data import digits as digit_images
from tinygan.nets import mlp
from tinygan.objectives import Objective
from tinygan.recipes._objective import recipe_objective
from tinygan.training import ConditionalTrainer

__all__ = ["CONDITIONAL_STEPS", "digits_conditional"]

CONDITIONAL_STEPS = 5_000
"""The conditional recipe's iterations (about 30 seconds on one CPU thread)."""

_NOISE = 16
_CLASSES = 10


def digits_conditional(
    seed: int,
    *,
    data: ImageData | None = None,
    callbacks: Iterable[Callback] = (),
    objective: str | Objective | None = None,
) -> ConditionalTrainer:
    """The conditional digits GAN: G and D both read the digit's label, one-hot.

    G: 16 + 10 -> 128 -> 128 -> 64 (LeakyReLU 0.2, LayerNorm after each hidden layer,
    sigmoid output); D: 64 + 10 -> 128 -> 1 (LeakyReLU 0.2, LayerNorm, logits);
    :class:`~torch.nn.BCEWithLogitsLoss`; Adam with learning rate 1e-3 and betas
    ``(0.5, 0.999)`` for both; batch 64; standard normal noise. Train it
    :data:`CONDITIONAL_STEPS` iterations.

    Args:
        seed: Seeds the weights (generator first, then discriminator) and the trainer.
        data: The labelled real images; :func:`tinygan.digits` by default. Their labels
            must be 0..9.
        callbacks: The trainer's callbacks.
        objective: Another objective in place of BCE on D's logits (a name or an
            :class:`~tinygan.objectives.Objective`, as for
            :func:`tinygan.recipes.digits.digits`).

    Returns:
        The trainer, not yet trained.

    Raises:
        ValueError: If ``data`` has no labels or not ten classes, or ``objective``
            names none.

    Example:
        >>> from tinygan.recipes.conditional import digits_conditional
        >>> trainer = digits_conditional(0)
        >>> trainer.classes, trainer.generate([7, 7]).shape
        (10, torch.Size([2, 64]))
    """
    images = digit_images() if data is None else data
    if images.classes != _CLASSES:
        raise ValueError(
            f"data must hold labelled images of the ten digits (classes 10), got "
            f"{images.classes} classes"
        )
    swapped = recipe_objective(objective, logits=True)
    init = torch.Generator().manual_seed(seed)
    leaky = partial(nn.LeakyReLU, 0.2)
    generator = mlp(
        [_NOISE + _CLASSES, 128, 128, images.dim],
        bias=True,
        activation=leaky,
        output_activation=nn.Sigmoid,
        norm=nn.LayerNorm,
        generator=init,
    )
    discriminator = mlp(
        [images.dim + _CLASSES, 128, 1],
        bias=True,
        activation=leaky,
        output_activation=None,
        norm=nn.LayerNorm,
        generator=init,
    )
    return ConditionalTrainer(
        generator,
        discriminator,
        images,
        GaussianNoise(_NOISE),
        batch_size=64,
        loss=None if swapped else nn.BCEWithLogitsLoss(),
        objective=swapped,
        optimizer=partial(torch.optim.Adam, lr=1e-3, betas=(0.5, 0.999)),
        seed=seed,
        callbacks=callbacks,
    )
