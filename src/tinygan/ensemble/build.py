"""Building an ensemble: from seeds (weights drawn into the stacks) or from lone trainers.

These are :meth:`tinygan.EnsembleTrainer.from_seeds` and
:meth:`tinygan.EnsembleTrainer.from_trainers`; they live here so that the trainer's own
module holds the training.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any

import torch

from tinygan._checks import check_seed
from tinygan.callbacks import Callback
from tinygan.engine import fused
from tinygan.engine.table import check_backend
from tinygan.ensemble import stacking as _stacking
from tinygan.ensemble.alike import optimizer_settings, shared_callbacks, stackable
from tinygan.objectives import Objective
from tinygan.protocols import DataSource
from tinygan.training import BaseTrainer

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
    backend: str = "auto",
    objective: str | Objective | None = None,
    d_steps: int = 1,
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
        compile: The older switch for the native backend (see the class).
        device: Where the ensemble trains (see the class); ``None``: the CPU. Member
            ``k`` is then the lone trainer above with its networks moved there and
            ``device=device``.
        backend: What computes the iterations (see the class).
        objective: How the losses come from D's scores (see the class).
        d_steps: D's steps per G step.

    Returns:
        The ensemble.
    """
    seed_list = [check_seed("seeds", s) for s in seeds]
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
        backend=backend,
        objective=objective,
        d_steps=d_steps,
    )


def from_trainers(  # noqa: D417 - cls is the class, as for a classmethod
    cls: Any,
    trainers: Sequence[Any],
    *,
    callbacks: Iterable[Callback] = (),
    compile: bool = False,
    backend: str = "auto",
) -> Any:
    """Train alike lone trainers as one ensemble, each member from its trainer's state.

    Member ``k`` starts from ``trainers[k]``'s weights, random number generator and
    optimiser settings, and follows the steps ``trainers[k].fit`` would take, with the
    trainers' callbacks that are ``shared_by_ensembles`` (one copy). Alike
    :func:`tinygan.mlp` networks whose loss the fused step computes train on the fused
    step (``"auto"``), or the native kernel where asked (plain SGD or default Adam, on
    the CPU); any other alike networks, objective and elementwise optimiser (SGD with
    momentum, AdamW, RMSprop, ...) on ``vmap``. Either way members equal their lone
    trainers within float tolerance (see :doc:`/performance`). The trainers themselves
    are left untouched.

    Args:
        trainers: Alike :class:`~tinygan.AdversarialTrainer` objects, as a sweep's
            recipe builds them.
        callbacks: The ensemble's callbacks.
        compile: The older switch for the native backend (see the class).
        backend: ``"auto"``, ``"native"``, ``"fused"`` or ``"vmap"``.

    Raises:
        ValueError: If the trainers are not alike, or ``backend`` cannot serve them;
            the message names why.
    """
    trainers = list(trainers)
    reason = stackable(trainers)
    if reason is not None:
        raise ValueError(f"these trainers cannot train as one ensemble: {reason}")
    request = check_backend(backend, compile)
    first = trainers[0]
    ensemble = cls.__new__(cls)
    BaseTrainer.__init__(ensemble, callbacks=[*shared_callbacks(trainers), *callbacks])
    seeds = [t.seed for t in trainers]
    ensemble._setup(first.real, first.noise, first.lr, first.batch_size, seeds, first.device,
                    first.objective, first.d_steps)  # fmt: skip
    for rng, trainer in zip(ensemble.rngs, trainers, strict=True):
        rng.set_state(trainer.rng.get_state())
    ensemble.loss = fused.loss_kind(first.objective.loss) or first.loss
    ensemble.optimizer = fused.optimizer_name(first.g_optimizer) or type(first.g_optimizer).__name__
    templates = (copy.deepcopy(first.generator), copy.deepcopy(first.discriminator))
    size = _stacking.padded(len(trainers))  # any networks: member k's numbers are its own
    g, d = (_stacking.stack([getattr(t, name) for t in trainers], size)
            for name in ("generator", "discriminator"))  # fmt: skip
    opts = tuple((type(o), optimizer_settings(o)) for o in (first.g_optimizer, first.d_optimizer))
    ensemble._start(g, d, templates, opts, request)
    return ensemble
