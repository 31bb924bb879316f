"""Recipes for the 2-D mixtures: a CPU-sized GAN on the ring and the grid, packed or not.

Both recipes build the same GAN: a generator ``GaussianNoise(2) -> 2-H-H-2`` (ReLU
hidden layers, no output activation), a discriminator ``2m-H-H-1`` (ReLU, one logit
out, wrapped in :class:`~tinygan.Packed` when ``m > 1``), the logistic loss
(``torch.nn.functional.binary_cross_entropy_with_logits``), Adam with
``betas=(0.5, 0.999)`` for both networks (PyTorch's ``foreach`` implementation: faster
than its default on a CPU, and unlike ``fused=True`` right when the ensembles' ``vmap``
backend hands it transposed gradients), and the learning rate decayed linearly to 5% of
its start over the recipe's steps (then held). Each step draws 100 packs of real and of
generated data (``100 * m`` samples), as PacGAN does. Everything random comes from the
seed: the weights (``torch.Generator().manual_seed(seed)``) and the training draws.

``paper=True`` builds PacGAN's own configuration (:func:`tinygan.recipes.pacgan.paper_gan`):
far bigger networks and 400,000 iterations, a run for a bigger machine.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import torch
from torch import nn
from torch.nn import functional

from tinygan._checks import check_int, check_positive_float
from tinygan.callbacks import Callback
from tinygan.data import GaussianMixture, GaussianNoise
from tinygan.nets import Packed
from tinygan.objectives import Objective
from tinygan.protocols import StepRecord
from tinygan.recipes._objective import recipe_objective
from tinygan.recipes.pacgan import paper_gan
from tinygan.training import AdversarialTrainer

__all__ = [
    "GRID25_STEPS",
    "MIXTURE_BATCH_SIZE",
    "MIXTURE_LR",
    "MIXTURE_WIDTH",
    "RING8_STEPS",
    "LinearDecay",
    "grid25",
    "mixture_gan",
    "ring8",
]

#: Iterations :func:`ring8` is built for (its learning rate decays over them), chosen
#: from the convergence curves of docs/mixtures.rst.
RING8_STEPS = 15_000
#: Iterations :func:`grid25` is built for.
GRID25_STEPS = 30_000
#: Packs per step: a step draws ``MIXTURE_BATCH_SIZE * m`` real and as many generated
#: samples (the plain GAN's batch size), 100 as PacGAN.
MIXTURE_BATCH_SIZE = 100
#: The hidden layers' width of both networks.
MIXTURE_WIDTH = 128
#: Adam's starting learning rate.
MIXTURE_LR = 1e-3
_FLOOR = 0.05


class LinearDecay(Callback):
    """Decay every optimiser's learning rate linearly, then hold it.

    After iteration ``step`` the learning rate is ``lr * max(floor, 1 - step / steps)``.

    Args:
        lr: The starting learning rate.
        steps: The iterations over which it falls to ``floor * lr``.
        floor: The share of ``lr`` it ends at.
    """

    shared_by_ensembles = True  # reads the step alone, sets the optimisers' rate

    def __init__(self, lr: float, steps: int, floor: float = _FLOOR) -> None:
        self.lr = check_positive_float("lr", lr)
        self.steps = check_int("steps", steps, minimum=1)
        self.floor = check_positive_float("floor", floor)

    def on_step_end(self, trainer: Any, step: int, record: StepRecord) -> None:
        """Set the learning rate for the next iteration."""
        rate = self.lr * max(self.floor, 1.0 - step / self.steps)
        for optimizer in (trainer.g_optimizer, trainer.d_optimizer):
            for group in optimizer.param_groups:
                group["lr"] = rate


def _network(
    sizes: list[int], hidden: Callable[[], nn.Module], generator: torch.Generator
) -> nn.Sequential:
    """Linear layers with ``hidden`` between them; PyTorch's default init from ``generator``."""
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        linear = nn.utils.skip_init(nn.Linear, fan_in, fan_out)  # type: ignore[no-untyped-call]
        nn.init.kaiming_uniform_(linear.weight, a=math.sqrt(5), generator=generator)
        bound = 1.0 / math.sqrt(fan_in)
        nn.init.uniform_(linear.bias, -bound, bound, generator=generator)
        layers.append(linear)
        if i < len(sizes) - 2:
            layers.append(hidden())
    return nn.Sequential(*layers)


def _paper(
    real: GaussianMixture,
    seed: int,
    pack: int,
    knobs: Mapping[str, object],
    callbacks: Iterable[Callback],
    device: torch.device | str | None,
) -> AdversarialTrainer:
    """PacGAN's configuration, refusing the knobs that set the CPU recipe."""
    given = [name for name, value in knobs.items() if value is not None]
    if given:
        raise ValueError(
            f"{', '.join(given)} set the CPU recipe; paper=True builds PacGAN's own "
            "networks, loss, batch and learning rate (see tinygan.recipes.pacgan)"
        )
    return paper_gan(real, seed, pack=pack, callbacks=callbacks, device=device)


def mixture_gan(
    real: GaussianMixture,
    seed: int,
    *,
    pack: int = 1,
    steps: int | None = None,
    batch_size: int | None = None,
    width: int | None = None,
    lr: float | None = None,
    callbacks: Iterable[Callback] = (),
    paper: bool = False,
    device: torch.device | str | None = None,
    objective: str | Objective | None = None,
) -> AdversarialTrainer:
    """The CPU-sized (packed) GAN of this module for any 2-D mixture.

    Args:
        real: The mixture to imitate.
        seed: Seeds the weights and the trainer's draws.
        pack: The discriminator's pack size ``m`` (1: a plain GAN).
        steps: The iterations the learning rate decays over (:data:`RING8_STEPS`).
        batch_size: Samples per step; ``pack`` must divide it (``MIXTURE_BATCH_SIZE *
            pack``: 100 packs).
        width: The hidden layers' width (:data:`MIXTURE_WIDTH`).
        lr: Adam's starting learning rate (:data:`MIXTURE_LR`).
        callbacks: More callbacks for the trainer (after the learning-rate decay).
        paper: Build PacGAN's own configuration instead
            (:func:`tinygan.recipes.pacgan.paper_gan`); ``steps``, ``batch_size``,
            ``width`` and ``lr`` must then be left unset.
        device: Where the networks live and the batches are drawn (``None``: the CPU).
        objective: An objective (a name or an :class:`~tinygan.objectives.Objective`) in
            place of the cross-entropy on D's logits (``None``: ``"non-saturating"``).

    Returns:
        The trainer, not yet trained.

    Raises:
        ValueError: If a number is out of range, ``pack`` does not divide
            ``batch_size``, ``paper=True`` comes with a knob of the CPU recipe (or an
            objective), or ``objective`` names none.
        TypeError: If an argument has the wrong type.
    """
    m = check_int("pack", pack, minimum=1)
    if paper:
        knobs = {"steps": steps, "batch_size": batch_size, "width": width, "lr": lr}
        return _paper(real, seed, m, {**knobs, "objective": objective}, callbacks, device)
    swapped = recipe_objective(objective, logits=True)
    hidden = check_int("width", MIXTURE_WIDTH if width is None else width, minimum=1)
    rate = check_positive_float("lr", MIXTURE_LR if lr is None else lr)
    batch = MIXTURE_BATCH_SIZE * m if batch_size is None else batch_size
    weights = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
    dim = real.dim
    generator = _network([2, hidden, hidden, dim], nn.ReLU, weights).to(device)
    critic = _network([dim * m, hidden, hidden, 1], nn.ReLU, weights).to(device)
    discriminator: nn.Module = critic if m == 1 else Packed(critic, m)
    return AdversarialTrainer(
        generator,
        discriminator,
        real,
        GaussianNoise(2),
        lr=rate,
        batch_size=batch,
        loss=functional.binary_cross_entropy_with_logits if swapped is None else None,
        objective=swapped,
        optimizer=lambda params: torch.optim.Adam(
            params, lr=rate, betas=(0.5, 0.999), foreach=True
        ),
        seed=seed,
        callbacks=[LinearDecay(rate, RING8_STEPS if steps is None else steps), *callbacks],
        device=device,
    )


def ring8(
    seed: int,
    *,
    pack: int = 1,
    steps: int | None = None,
    batch_size: int | None = None,
    width: int | None = None,
    lr: float | None = None,
    callbacks: Iterable[Callback] = (),
    paper: bool = False,
    device: torch.device | str | None = None,
    objective: str | Objective | None = None,
) -> AdversarialTrainer:
    """A (packed) GAN for :meth:`GaussianMixture.ring() <tinygan.GaussianMixture.ring>`.

    The 8-mode ring of radius 1, standard deviation 0.01, with the GAN of this module.
    Train it for :data:`RING8_STEPS` iterations.

    Args:
        seed: Seeds the weights and the trainer's draws.
        pack: The discriminator's pack size ``m`` (1: a plain GAN).
        steps: The iterations the learning rate decays over (:data:`RING8_STEPS`).
        batch_size: Samples per step; ``pack`` must divide it (``100 * pack``).
        width: The hidden layers' width (:data:`MIXTURE_WIDTH`).
        lr: Adam's starting learning rate (:data:`MIXTURE_LR`).
        callbacks: More callbacks for the trainer (after the learning-rate decay).
        paper: PacGAN's own configuration (:func:`tinygan.recipes.pacgan.paper_gan`).
        device: Where the networks live and the batches are drawn (``None``: the CPU).
        objective: Another objective in place of the recipe's (:func:`mixture_gan`).

    Returns:
        The trainer, not yet trained (see :func:`mixture_gan` for the errors).

    Example:
        >>> import torch, tinygan as tg
        >>> from tinygan.recipes import ring8
        >>> trainer = ring8(0, pack=2).fit(10)
        >>> out = trainer.generator(torch.zeros(1, 2))
        >>> trainer.batch_size, tg.metrics.mode_coverage(out, trainer.real).modes
        (200, 0)
    """
    return mixture_gan(
        GaussianMixture.ring(),
        seed,
        pack=pack,
        steps=RING8_STEPS if steps is None and not paper else steps,
        batch_size=batch_size,
        width=width,
        lr=lr,
        callbacks=callbacks,
        paper=paper,
        device=device,
        objective=objective,
    )


def grid25(
    seed: int,
    *,
    pack: int = 1,
    steps: int | None = None,
    batch_size: int | None = None,
    width: int | None = None,
    lr: float | None = None,
    callbacks: Iterable[Callback] = (),
    paper: bool = False,
    device: torch.device | str | None = None,
    objective: str | Objective | None = None,
) -> AdversarialTrainer:
    """A (packed) GAN for :meth:`GaussianMixture.grid() <tinygan.GaussianMixture.grid>`.

    The 5 x 5 grid of spacing 2, standard deviation 0.05, with the GAN of this module.
    Train it for :data:`GRID25_STEPS` iterations.

    Args:
        seed: Seeds the weights and the trainer's draws.
        pack: The discriminator's pack size ``m`` (1: a plain GAN).
        steps: The iterations the learning rate decays over (:data:`GRID25_STEPS`).
        batch_size: Samples per step; ``pack`` must divide it (``100 * pack``).
        width: The hidden layers' width (:data:`MIXTURE_WIDTH`).
        lr: Adam's starting learning rate (:data:`MIXTURE_LR`).
        callbacks: More callbacks for the trainer (after the learning-rate decay).
        paper: PacGAN's own configuration (:func:`tinygan.recipes.pacgan.paper_gan`).
        device: Where the networks live and the batches are drawn (``None``: the CPU).
        objective: Another objective in place of the recipe's (:func:`mixture_gan`).

    Returns:
        The trainer, not yet trained (see :func:`mixture_gan` for the errors).
    """
    return mixture_gan(
        GaussianMixture.grid(),
        seed,
        pack=pack,
        steps=GRID25_STEPS if steps is None and not paper else steps,
        batch_size=batch_size,
        width=width,
        lr=lr,
        callbacks=callbacks,
        paper=paper,
        device=device,
        objective=objective,
    )
