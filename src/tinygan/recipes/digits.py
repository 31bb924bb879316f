"""Digits recipes: MLP GANs on scikit-learn's 8x8 handwritten digits, rung by rung.

Part III of the story, as "Make Your Own GAN" tells it: the post's plain GAN carried to
images, then one standard change at a time. :func:`digits_ladder` builds every rung of
:data:`DIGITS_LADDER`; its last, :func:`digits`, is the recipe that works and what
``tinygan train --data digits`` trains. :func:`digits_naive` is the usual tutorial MLP
GAN (LeakyReLU, BCE, Adam at 2e-4), which collapses. The page "Part III: digits"
measures each over many seeds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

import torch
from torch import nn

from tinygan.callbacks import Callback
from tinygan.data import GaussianNoise, ImageData
from tinygan.data import digits as digit_images
from tinygan.nets import MinibatchStd, mlp
from tinygan.objectives import Objective
from tinygan.recipes._objective import recipe_objective
from tinygan.training import AdversarialTrainer

__all__ = [
    "DIGITS_LADDER",
    "DIGITS_NAIVE_STEPS",
    "DIGITS_NOISE",
    "DIGITS_STEPS",
    "digits",
    "digits_ladder",
    "digits_naive",
]

DIGITS_NOISE = 16
"""The generator's input width: standard normal noise of 16 numbers."""

DIGITS_NAIVE_STEPS = 4_000
"""The naive recipe's iterations (what a new user runs first)."""

DIGITS_STEPS = 10_000
"""The iterations of every rung of the ladder, the default recipe's among them."""

DIGITS_LADDER = ("plain", "bce", "leaky-layernorm", "adam", "default")
"""The rungs of :func:`digits_ladder`, in order; each adds one change to the one before."""

_BATCH = 64
_SGD_LR = 0.01
_NAIVE_LR = 2e-4
_ADAM_LR = 1e-3
_BETAS = (0.5, 0.999)


def _leaky() -> nn.Module:
    return nn.LeakyReLU(0.2)


def _trainer(
    seed: int,
    data: ImageData | None,
    callbacks: Iterable[Callback],
    *,
    hidden: Callable[[], nn.Module],
    norm: Callable[[int], nn.Module] | None,
    logits: bool,
    minibatch_std: bool,
    optimizer: Callable[..., torch.optim.Optimizer],
    objective: str | Objective | None = None,
) -> AdversarialTrainer:
    """A digits recipe's trainer: what they all share, with the options that differ.

    G 16-128-128-64 with a sigmoid output and D 64-128-1, biases, weights drawn from
    ``seed`` (G first), 16 normal noise numbers, batches of 64; BCE on D's logits, or MSE
    on its sigmoid, unless ``objective`` replaces them.
    """
    swapped = recipe_objective(objective, logits=logits)
    init = torch.Generator().manual_seed(seed)
    generator = mlp(
        [DIGITS_NOISE, 128, 128, 64],
        bias=True,
        activation=hidden,
        output_activation=nn.Sigmoid,
        norm=norm,
        generator=init,
    )
    discriminator: nn.Module
    if minibatch_std:  # its last layer reads the 128 features and the batch's spread
        body = mlp([64, 128], bias=True, activation=hidden, generator=init)
        head = mlp([129, 1], bias=True, output_activation=None, generator=init)
        layers = [body[0], *([norm(128)] if norm else []), body[1], MinibatchStd(), head[0]]
        discriminator = nn.Sequential(*layers)
    else:
        discriminator = mlp(
            [64, 128, 1],
            bias=True,
            activation=hidden,
            output_activation=None if logits else nn.Sigmoid,
            norm=norm,
            generator=init,
        )
    return AdversarialTrainer(
        generator,
        discriminator,
        digit_images() if data is None else data,
        GaussianNoise(DIGITS_NOISE),
        batch_size=_BATCH,
        loss=None if swapped else nn.BCEWithLogitsLoss() if logits else nn.MSELoss(),
        objective=swapped,
        optimizer=optimizer,
        seed=seed,
        callbacks=callbacks,
    )


def digits_ladder(
    seed: int,
    rung: str = "default",
    *,
    data: ImageData | None = None,
    callbacks: Iterable[Callback] = (),
    objective: str | Objective | None = None,
) -> AdversarialTrainer:
    """One rung of Part III's ladder: the post's GAN carried to images, changed step by step.

    Every rung has G 16 -> 128 -> 128 -> 64 with a sigmoid output, D 64 -> 128 -> 1,
    biases, batches of 64 and standard normal noise of :data:`DIGITS_NOISE` numbers;
    train each :data:`DIGITS_STEPS` iterations. Each rung adds one change:

    - ``"plain"``: the post's GAN as it is: sigmoid after every layer, mean squared
      error on D's sigmoid output, plain SGD with learning rate 0.01;
    - ``"bce"``: binary cross-entropy in place of MSE (D gives logits to
      :class:`~torch.nn.BCEWithLogitsLoss`, which is sigmoid then BCE);
    - ``"leaky-layernorm"``: LeakyReLU (slope 0.2) in place of the hidden sigmoids, and
      :class:`~torch.nn.LayerNorm` after every hidden linear layer of both networks;
    - ``"adam"``: Adam with learning rate 1e-3 and DCGAN's betas ``(0.5, 0.999)`` in
      place of SGD;
    - ``"default"``: :class:`~tinygan.MinibatchStd` before D's last layer, so it sees
      how much a batch varies (:func:`digits`).

    Args:
        seed: Seeds the weights (generator first, then discriminator) and the trainer.
        rung: One of :data:`DIGITS_LADDER`.
        data: The real images; :func:`tinygan.digits` by default (reuse one to save
            loading it again).
        callbacks: The trainer's callbacks.
        objective: Another objective in place of the rung's loss (a name, as
            ``AdversarialTrainer`` takes it, or an
            :class:`~tinygan.objectives.Objective`; ``"minimax"`` and
            ``"non-saturating"`` read D's scores as the rung gives them, logits from
            ``"bce"`` on). ``None``: the rung's own (the same run as ``"least-squares"``
            on ``"plain"`` and ``"non-saturating"`` above it).

    Returns:
        The trainer, not yet trained.

    Raises:
        ValueError: If ``rung`` is not a rung, or ``objective`` names no objective.

    Example:
        >>> from tinygan.recipes.digits import digits_ladder
        >>> trainer = digits_ladder(0, "plain")
        >>> type(trainer.loss).__name__, type(trainer.d_optimizer).__name__
        ('MSELoss', 'SGD')
    """
    if rung not in DIGITS_LADDER:
        raise ValueError(f"rung must be one of {', '.join(DIGITS_LADDER)}; got {rung!r}")
    step = DIGITS_LADDER.index(rung)
    modern = step >= DIGITS_LADDER.index("leaky-layernorm")
    optimizer: Callable[..., torch.optim.Optimizer] = partial(torch.optim.SGD, lr=_SGD_LR)
    if step >= DIGITS_LADDER.index("adam"):
        optimizer = partial(torch.optim.Adam, lr=_ADAM_LR, betas=_BETAS)
    return _trainer(
        seed,
        data,
        callbacks,
        hidden=_leaky if modern else nn.Sigmoid,
        norm=nn.LayerNorm if modern else None,
        logits=step >= DIGITS_LADDER.index("bce"),
        minibatch_std=rung == "default",
        optimizer=optimizer,
        objective=objective,
    )


def digits_naive(
    seed: int, *, data: ImageData | None = None, callbacks: Iterable[Callback] = ()
) -> AdversarialTrainer:
    """The usual tutorial MLP GAN for digits; it collapses onto a class or two.

    G: 16 -> 128 -> 128 -> 64 (LeakyReLU 0.2, sigmoid output); D: 64 -> 128 -> 1
    (LeakyReLU 0.2, logits); :class:`~torch.nn.BCEWithLogitsLoss`; Adam with learning
    rate 2e-4 (PyTorch's default betas) for both; batch 64; standard normal noise. Train
    it :data:`DIGITS_NAIVE_STEPS` iterations. It is not a rung of the ladder: it has
    the ladder's activations, loss and optimiser but no LayerNorm.

    Args:
        seed: Seeds the weights (generator first, then discriminator) and the trainer.
        data: The real images; :func:`tinygan.digits` by default (reuse one to save
            loading it again).
        callbacks: The trainer's callbacks.

    Returns:
        The trainer, not yet trained.
    """
    return _trainer(
        seed,
        data,
        callbacks,
        hidden=_leaky,
        norm=None,
        logits=True,
        minibatch_std=False,
        optimizer=partial(torch.optim.Adam, lr=_NAIVE_LR),
    )


def digits(
    seed: int,
    *,
    data: ImageData | None = None,
    callbacks: Iterable[Callback] = (),
    objective: str | Objective | None = None,
) -> AdversarialTrainer:
    """The digits GAN that works: the last rung of :func:`digits_ladder`.

    G: 16 -> 128 -> 128 -> 64 and D: 64 -> 128 -> 1, LeakyReLU (0.2) and
    :class:`~torch.nn.LayerNorm` after each hidden linear layer, a sigmoid on G's
    output, :class:`~tinygan.MinibatchStd` before D's last layer (so it sees how much a
    batch varies; a collapsed generator's batches do not), logits into
    :class:`~torch.nn.BCEWithLogitsLoss`, Adam with learning rate 1e-3 and DCGAN's
    betas ``(0.5, 0.999)`` for both, batches of 64, standard normal noise. Train it
    :data:`DIGITS_STEPS` iterations (about 30 seconds on one CPU thread).

    Args:
        seed: Seeds the weights (generator first, then discriminator) and the trainer.
        data: The real images; :func:`tinygan.digits` by default.
        callbacks: The trainer's callbacks.
        objective: Another objective in place of BCE on D's logits (see
            :func:`digits_ladder`; ``None`` is the same run as ``"non-saturating"``).

    Returns:
        The trainer, not yet trained.

    Example:
        >>> from tinygan.recipes.digits import digits
        >>> trainer = digits(0)
        >>> trainer.real.shape, trainer.batch_size
        ((8, 8), 64)
    """
    return digits_ladder(seed, "default", data=data, callbacks=callbacks, objective=objective)
