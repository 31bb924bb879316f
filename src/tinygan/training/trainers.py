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

from tinygan._checks import check_int
from tinygan.callbacks import Callback
from tinygan.engine.lone import LoneEngine
from tinygan.engine.table import check_backend
from tinygan.objectives import Objective
from tinygan.protocols import DataSource, Model, StepRecord
from tinygan.training._attach import attach_generator
from tinygan.training._steps import (
    LossFn,
    OptimizerFactory,
    _DiscriminatorSteps,
    check_loss_value,
)
from tinygan.training.discriminator import DiscriminatorTrainer
from tinygan.training.parts import check_input, check_model, check_target

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
            (Another way to say ``objective=``: give at most one of them.)
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
        objective: How D's and G's losses come from D's scores: an
            :class:`~tinygan.objectives.Objective` or its name (``"least-squares"``, the
            post's and the default; ``"minimax"``, ``"non-saturating"``, ``"wgan-gp"``,
            ``"hinge"``; see :doc:`/objectives`).
        d_steps: D's steps (each on a real and a generated batch) per G step.

    Attributes:
        generator: The generator network.
        discriminator: The discriminator network.
        real: The real data source.
        noise: The noise source.
        batch_size: Samples per step.
        rng: The :class:`torch.Generator` every random draw of the trainer comes from.
        objective: The :class:`~tinygan.objectives.Objective`.
        d_steps: D's steps per G step.
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
        objective: str | Objective | None = None,
        d_steps: int = 1,
    ) -> None:
        super().__init__(callbacks=callbacks)
        check_model("generator", generator)
        self.d_steps = check_int("d_steps", d_steps, minimum=1)
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
            objective=objective,
        )
        self.g_optimizer, self._g_params = attach_generator(self, generator, noise)
        self.generator, self.noise = generator, noise
        self._engine.name(self)  # a backend asked for that cannot serve: a ValueError now

    def train_generator(
        self, noise: torch.Tensor, target: float | torch.Tensor = 1.0
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Run one optimisation step of the generator through the discriminator.

        The loss is the objective's G loss on ``discriminator(generator(noise))`` (the
        post's: ``loss(..., target)``); its gradient is taken with respect to the
        generator's weights alone, so the discriminator's weights and their ``.grad``
        are untouched.

        Args:
            noise: A batch ``(n, noise.dim)`` of generator input.
            target: The discriminator output the generator aims for.

        Returns:
            ``(loss, output)``: the loss before the step and the generator's output for
            ``noise``, both detached.
        """
        check_input("train_generator(noise)", noise, self.generator)
        check_target("train_generator", target)
        fake = self.generator(noise)
        output = self.discriminator(fake)
        loss = check_loss_value(self.objective.g_loss(output, target))
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
        :attr:`rng`, in the same order. What the data sources return is checked at
        the first draw from each (see ``_engine_step``).
        """
        return self._engine_step()

    def _plain_step(self) -> StepRecord:
        """The post's three steps out of :meth:`train_discriminator` and :meth:`train_generator`.

        With ``d_steps`` above 1, D's two steps are taken that many times, each on a new
        real batch and new noise, before G's step; the record holds their mean losses.
        """
        n = self.batch_size
        d_real, d_fake = [], []
        for _ in range(self.d_steps):
            d_real.append(self.train_discriminator(self.real.sample(n, generator=self.rng), 1.0))
            with torch.no_grad():
                fake = self.generator(self.noise.sample(n, generator=self.rng))
            d_fake.append(self.train_discriminator(fake, 0.0))
        g_loss, out = self.train_generator(self.noise.sample(n, generator=self.rng))
        if self.d_steps > 1:
            d_real, d_fake = [torch.stack(d_real).mean()], [torch.stack(d_fake).mean()]
        return StepRecord(d_loss_real=d_real[0], d_loss_fake=d_fake[0], g_loss=g_loss, fake=out)

    def _sources(self) -> tuple[tuple[str, DataSource], ...]:
        return (("real", self.real), ("noise", self.noise))

    def _optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"g_optimizer": self.g_optimizer, "d_optimizer": self.d_optimizer}

    def _networks(self) -> dict[str, Model]:
        return {"generator": self.generator, "discriminator": self.discriminator}
