"""The post's discriminator-only test: teach a discriminator real from fake.

:class:`DiscriminatorTrainer` is built from the same parts as
:class:`~tinygan.AdversarialTrainer` (``_steps``): one discriminator step on a real
batch (target 1.0), then one on a batch of the data it should call fake (target 0.0).
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

from tinygan.callbacks import Callback
from tinygan.engine.lone import LoneEngine
from tinygan.engine.table import check_backend
from tinygan.objectives import Objective
from tinygan.protocols import DataSource, Model, StepRecord
from tinygan.training._steps import LossFn, OptimizerFactory, _DiscriminatorSteps
from tinygan.training.parts import check_source

__all__ = ["DiscriminatorTrainer"]


class DiscriminatorTrainer(_DiscriminatorSteps):
    """The post's discriminator-only test: teach a discriminator real from fake.

    Each iteration trains the discriminator on one batch of ``real`` (target 1.0) and then
    one batch of ``fake`` (target 0.0).

    Args:
        discriminator: Maps samples ``(n, dim)`` to scores ``(n, 1)``.
        real: The data to call real.
        fake: The data to call fake (the post uses ``FuzzyPattern("0101")``).
        lr: The learning rate of the default optimiser (plain SGD).
        batch_size: Samples per step.
        loss: ``loss(output, target) -> scalar tensor``; mean squared error by default.
        optimizer: ``optimizer(params) -> torch.optim.Optimizer``; SGD with ``lr`` by
            default.
        seed: Seeds :attr:`rng`; ``None`` draws a fresh seed.
        callbacks: The callbacks :meth:`fit` drives.
        device: Where :attr:`rng` lives and the batches are drawn; ``None`` means where
            the discriminator's weights are.
        backend: ``"auto"`` (the fused step where it gives the same numbers, else
            autograd), ``"autograd"`` or ``"fused"``; :attr:`backend` says which runs.
        objective: How D's losses come from its scores (see
            :class:`tinygan.AdversarialTrainer`); at most one of ``loss`` and ``objective``.

    Raises:
        ValueError: If a number is out of range, ``real.dim``, ``fake.dim`` and the
            discriminator's input width differ, or ``backend`` cannot serve this trainer.
        TypeError: If an argument has the wrong type.

    Example:
        >>> import tinygan as tg
        >>> D = tg.mlp([4, 3, 1])
        >>> trainer = tg.DiscriminatorTrainer(
        ...     D, tg.FuzzyPattern("1010"), tg.FuzzyPattern("0101"), seed=0)
        >>> trainer.fit(3).step().g_loss is None
        True
    """

    def __init__(
        self,
        discriminator: Model,
        real: DataSource,
        fake: DataSource,
        *,
        lr: float = 0.01,
        batch_size: int = 1,
        loss: LossFn | None = None,
        optimizer: OptimizerFactory | None = None,
        seed: int | None = None,
        callbacks: Iterable[Callback] = (),
        device: torch.device | str | None = None,
        backend: str = "auto",
        objective: str | Objective | None = None,
    ) -> None:
        super().__init__(callbacks=callbacks)
        self._engine = LoneEngine(
            adversarial=False,
            originals={
                "step": DiscriminatorTrainer.step,
                "train_discriminator": _DiscriminatorSteps.train_discriminator,
            },
            plain=self._plain_step,
            request=check_backend(backend),
        )
        self._setup(
            discriminator,
            real,
            lr=lr,
            batch_size=batch_size,
            loss=loss,
            optimizer=optimizer,
            seed=seed,
            device=device,
            objective=objective,
        )
        fake_dim = check_source("fake", fake)
        if fake_dim != real.dim:
            raise ValueError(f"fake.dim is {fake_dim} but real.dim is {real.dim}; they must match")
        self._check_discriminator_input(real.dim, "real.dim")
        self.fake = fake
        self._engine.name(self)  # a backend asked for that cannot serve: a ValueError now

    def step(self) -> StepRecord:
        """Train the discriminator on one real batch, then one fake batch.

        What ``real`` and ``fake`` return is checked at the first draw from each.
        """
        return self._engine_step()

    def _sources(self) -> tuple[tuple[str, DataSource], ...]:
        return (("real", self.real), ("fake", self.fake))

    def _plain_step(self) -> StepRecord:
        """:meth:`step` out of :meth:`train_discriminator`, through autograd."""
        n = self.batch_size
        d_loss_real = self.train_discriminator(self.real.sample(n, generator=self.rng), 1.0)
        d_loss_fake = self.train_discriminator(self.fake.sample(n, generator=self.rng), 0.0)
        return StepRecord(d_loss_real=d_loss_real, d_loss_fake=d_loss_fake)
