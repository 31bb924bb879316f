"""Building an ensemble: from seeds (weights drawn into the stacks) or from lone trainers.

These are :meth:`tinygan.EnsembleTrainer.from_seeds` and
:meth:`tinygan.EnsembleTrainer.from_trainers`; they live here so that the trainer's own
module holds the training.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import torch

from tinygan.callbacks import Callback
from tinygan.ensemble import stacking as _stacking
from tinygan.ensemble.alike import fused_settings, stackable
from tinygan.ensemble.vmapped import init_vmapped
from tinygan.protocols import DataSource

__all__ = ["from_seeds", "from_trainers"]


def from_seeds(  # noqa: D417 - cls is the class, as for a classmethod
    cls: Any,
    seeds: Iterable[int],
    real: DataSource,
    noise: DataSource,
    generator_sizes: Sequence[int] = (4, 4, 4),
    discriminator_sizes: Sequence[int] = (4, 3, 1),
    *,
    bias: bool = False,
    lr: float = 0.01,
    batch_size: int = 1,
    loss: str = "mse",
    optimizer: str = "sgd",
    callbacks: Iterable[Callback] = (),
    compile: bool = False,
    device: torch.device | str | None = None,
) -> Any:
    """Build one member per seed, its weights and its data both from that seed.

    Member ``k``'s networks are ``G = tg.mlp(generator_sizes, bias=bias, generator=g)``
    and then ``D = tg.mlp(discriminator_sizes, bias=bias, generator=g)`` from the same
    ``g = torch.Generator().manual_seed(seeds[k])``, and its data comes from a second
    generator seeded with ``seeds[k]``: so member ``k`` is exactly
    ``tg.AdversarialTrainer(G, D, real, noise, seed=seeds[k])``. The weights are
    drawn straight into the ensemble's stacks (the same draws, bit for bit, without
    building two modules per seed).

    Args:
        seeds: One integer per member.
        real: The real data.
        noise: The generators' input.
        generator_sizes: The generators' layer widths.
        discriminator_sizes: The discriminators' layer widths.
        bias: Whether the linear layers have biases.
        lr: The learning rate.
        batch_size: Samples per step and member.
        loss: ``"mse"`` or ``"bce"``.
        optimizer: ``"sgd"`` or ``"adam"``.
        callbacks: The callbacks :meth:`fit` drives.
        compile: Run the step through :func:`torch.compile` (see the class).
        device: Where the ensemble trains (see the class); ``None``: the CPU. Member
            ``k`` is then the lone trainer above with its networks moved there and
            ``device=device``.

    Returns:
        The ensemble.
    """
    seed_list = [_stacking.check_seed(s) for s in seeds]
    if not seed_list:
        raise ValueError("seeds must hold at least one seed")
    sizes = [generator_sizes, discriminator_sizes]
    gens, discs = _stacking.seeded_stack(seed_list, sizes, bias=bias)
    return cls(
        gens,
        discs,
        real,
        noise,
        lr=lr,
        batch_size=batch_size,
        loss=loss,
        optimizer=optimizer,
        seeds=seed_list,
        callbacks=callbacks,
        compile=compile,
        device=device,
    )


def from_trainers(  # noqa: D417 - cls is the class, as for a classmethod
    cls: Any,
    trainers: Sequence[Any],
    *,
    callbacks: Iterable[Callback] = (),
    compile: bool = False,
) -> Any:
    """Train alike lone trainers as one ensemble, each member from its trainer's state.

    Member ``k`` starts from ``trainers[k]``'s weights and random number generator
    and follows the steps ``trainers[k].fit`` would take. Trainers that the fused
    kernels cover (see :mod:`tinygan.ensemble.alike`) take the fused path (equal
    within float tolerance: see :doc:`/performance`); any other alike networks, loss and
    elementwise optimiser (SGD with momentum, Adam, AdamW, RMSprop, ...) take the vmapped
    path (:mod:`tinygan.ensemble.vmapped`), equal within float tolerance. The trainers
    themselves are left untouched.

    Args:
        trainers: Alike :class:`~tinygan.AdversarialTrainer` objects, as a sweep's
            recipe builds them.
        callbacks: The ensemble's callbacks.
        compile: Compile the fused step (the vmapped path runs eagerly).

    Raises:
        ValueError: If the trainers are not alike; the message names the difference.
    """
    trainers = list(trainers)
    reason = stackable(trainers)
    if reason is not None:
        raise ValueError(f"these trainers cannot train as one ensemble: {reason}")
    first = trainers[0]
    settings = fused_settings(trainers)
    if settings is not None:
        nets = [t.generator for t in trainers], [t.discriminator for t in trainers]
        return cls(
            *nets, first.real, first.noise, lr=first.lr, batch_size=first.batch_size,
            loss=settings[0], optimizer=settings[1], seeds=[t.seed for t in trainers],
            callbacks=callbacks, compile=compile,
        )  # fmt: skip
    ensemble = object.__new__(cls)
    init_vmapped(ensemble, trainers, callbacks)
    return ensemble
