"""Trainers: the post's adversarial loop and its discriminator-only test.

Both trainers are built from the same small parts. One optimisation step of a network is
``loss(network(inputs), target)`` followed by the optimiser's step; an adversarial
iteration is three such steps in the post's order:

1. the discriminator on one batch of real data, target 1.0;
2. the discriminator on the generator's output for fresh noise (detached), target 0.0;
3. the generator through the discriminator on fresh noise, target 1.0; only the
   generator's weights change.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

from tinygan.callbacks import Callback
from tinygan.engine.lone import LoneEngine
from tinygan.engine.table import check_backend
from tinygan.protocols import DataSource, Model, StepRecord
from tinygan.training._steps import (
    LossFn,
    OptimizerFactory,
    _DiscriminatorSteps,
    check_device,
    check_loss_value,
    make_optimizer,
    target_like,
)
from tinygan.training.parts import check_model, check_source, probe

__all__ = ["AdversarialTrainer", "DiscriminatorTrainer", "LossFn", "OptimizerFactory"]


class AdversarialTrainer(_DiscriminatorSteps):
    """Train a generator against a discriminator, as the post does.

    Each iteration (:meth:`step`) is the post's three steps; :meth:`fit` runs many and
    drives the callbacks. To change what an iteration does, subclass and override
    :meth:`step` out of :meth:`train_discriminator` and :meth:`train_generator`.

    Args:
        generator: Maps noise ``(n, noise.dim)`` to samples ``(n, real.dim)``.
        discriminator: Maps samples ``(n, real.dim)`` to scores ``(n, 1)``.
        real: The real data.
        noise: The generator's input.
        lr: The learning rate of the default optimiser (plain SGD).
        batch_size: Samples per step (the post uses 1).
        loss: ``loss(output, target) -> scalar tensor``; mean squared error by default.
        optimizer: ``optimizer(params) -> torch.optim.Optimizer``, called once per network;
            plain SGD with ``lr`` by default.
        seed: Seeds :attr:`rng`, the trainer's own random number generator; ``None``
            draws a fresh seed.
        callbacks: The callbacks :meth:`fit` drives.
        compile: The older spelling of ``backend="native"``, except that where the
            native kernel cannot serve, training goes on as ``"auto"`` would, after one
            warning.
        device: Where :attr:`rng` lives and so where every batch is drawn (tinygan's
            data sources draw on their generator's device); ``None`` means where the
            networks' weights are. The networks must already be there.
        backend: What computes the iterations (see :doc:`/performance`): ``"auto"``
            (the fused step where it gives the same numbers as autograd, else
            autograd), ``"autograd"``, ``"fused"`` or ``"native"`` (the fused step in
            C, hundreds of iterations per call: within float tolerance, not bit for
            bit). :attr:`backend` says which one runs.

    Attributes:
        generator: The generator network.
        discriminator: The discriminator network.
        real: The real data source.
        noise: The noise source.
        batch_size: Samples per step.
        rng: The :class:`torch.Generator` every random draw of the trainer comes from.
        g_optimizer: The generator's optimiser.
        d_optimizer: The discriminator's optimiser.

    Raises:
        ValueError: If a number is out of range, the sizes do not fit together
            (``noise.dim`` and the generator's input, the generator's output and the
            discriminator's input, ``real.dim`` and the discriminator's input), or
            ``backend`` names one that cannot serve this trainer (the message says why).
        TypeError: If an argument has the wrong type.

    Example:
        >>> import tinygan as tg
        >>> trainer = tg.AdversarialTrainer(
        ...     tg.mlp([4, 4, 4]), tg.mlp([4, 3, 1]), tg.FuzzyPattern("1010"),
        ...     tg.UniformNoise(4), seed=0)
        >>> record = trainer.step()
        >>> record.fake.shape, trainer.iteration, trainer.backend
        (torch.Size([1, 4]), 0, 'fused')
        >>> trainer.fit(10).iteration
        10
    """

    def __init__(
        self,
        generator: Model,
        discriminator: Model,
        real: DataSource,
        noise: DataSource,
        *,
        lr: float = 0.01,
        batch_size: int = 1,
        loss: LossFn | None = None,
        optimizer: OptimizerFactory | None = None,
        seed: int | None = None,
        callbacks: Iterable[Callback] = (),
        compile: bool = False,
        device: torch.device | str | None = None,
        backend: str = "auto",
    ) -> None:
        super().__init__(callbacks=callbacks)
        check_model("generator", generator)
        self._engine = LoneEngine(
            adversarial=True,
            originals={
                "step": AdversarialTrainer.step,
                "train_discriminator": _DiscriminatorSteps.train_discriminator,
                "train_generator": AdversarialTrainer.train_generator,
            },
            plain=self._plain_step,
            request=check_backend(backend, compile),
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
        )
        check_device(self.device, generator)
        noise_dim = check_source("noise", noise)
        fake = probe("the generator", generator, noise_dim, "noise.dim")
        if fake.shape[1] != real.dim:
            raise ValueError(
                f"the generator's output has width {fake.shape[1]} but real.dim is "
                f"{real.dim}: the discriminator must read both"
            )
        self._check_discriminator_input(real.dim, "real.dim")
        self.generator = generator
        self.noise = noise
        self.g_optimizer = make_optimizer("generator", self._optimizer_factory, generator, self.lr)
        self._g_params = [p for p in generator.parameters() if p.requires_grad]
        self._engine.name(self)  # a backend asked for that cannot serve: a ValueError now

    def train_generator(
        self, noise: torch.Tensor, target: float | torch.Tensor = 1.0
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Run one optimisation step of the generator through the discriminator.

        The loss is ``loss(discriminator(generator(noise)), target)``; its gradient is
        taken with respect to the generator's weights alone, so the discriminator's
        weights and their ``.grad`` are untouched.

        Args:
            noise: A batch ``(n, noise.dim)`` of generator input.
            target: The discriminator output the generator aims for.

        Returns:
            ``(loss, output)``: the loss before the step and the generator's output for
            ``noise``, both detached.
        """
        fake = self.generator(noise)
        output = self.discriminator(fake)
        loss = check_loss_value(self.loss(output, target_like(output, target)))
        grads = torch.autograd.grad(loss, self._g_params)
        for param, grad in zip(self._g_params, grads, strict=False):
            param.grad = grad
        self.g_optimizer.step()
        return loss.detach(), fake.detach()

    def step(self) -> StepRecord:
        """Run the post's three steps once and return what they produced.

        The backend (:attr:`backend`) computes them: the trainer's parts through
        autograd and the optimisers' ``step()``, or the same step by hand (see
        :mod:`tinygan.engine.fused`); every backend draws the same samples from
        :attr:`rng`, in the same order.
        """
        return self._engine.step(self)

    def _plain_step(self) -> StepRecord:
        """The post's three steps out of :meth:`train_discriminator` and :meth:`train_generator`."""
        n = self.batch_size
        d_loss_real = self.train_discriminator(self.real.sample(n, generator=self.rng), 1.0)
        with torch.no_grad():
            fake = self.generator(self.noise.sample(n, generator=self.rng))
        d_loss_fake = self.train_discriminator(fake, 0.0)
        g_loss, out = self.train_generator(self.noise.sample(n, generator=self.rng))
        return StepRecord(d_loss_real=d_loss_real, d_loss_fake=d_loss_fake, g_loss=g_loss, fake=out)

    def _optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"g_optimizer": self.g_optimizer, "d_optimizer": self.d_optimizer}

    def _networks(self) -> dict[str, Model]:
        return {"generator": self.generator, "discriminator": self.discriminator}


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
        )
        fake_dim = check_source("fake", fake)
        if fake_dim != real.dim:
            raise ValueError(f"fake.dim is {fake_dim} but real.dim is {real.dim}; they must match")
        self._check_discriminator_input(real.dim, "real.dim")
        self.fake = fake
        self._engine.name(self)  # a backend asked for that cannot serve: a ValueError now

    def step(self) -> StepRecord:
        """Train the discriminator on one real batch, then one fake batch."""
        return self._engine.step(self)

    def _plain_step(self) -> StepRecord:
        """:meth:`step` out of :meth:`train_discriminator`, through autograd."""
        n = self.batch_size
        d_loss_real = self.train_discriminator(self.real.sample(n, generator=self.rng), 1.0)
        d_loss_fake = self.train_discriminator(self.fake.sample(n, generator=self.rng), 0.0)
        return StepRecord(d_loss_real=d_loss_real, d_loss_fake=d_loss_fake)
