"""A conditional GAN: the generator draws the label it is asked for, the critic reads it.

The tutorial's way: a label joins each network's input as a one-hot vector, so the
generator reads ``noise.dim + classes`` numbers and the discriminator ``dim + classes``,
and any network (:func:`tinygan.mlp` among them) works unchanged. One iteration is the
post's three steps on joined inputs:

1. the discriminator on a real batch ``x`` joined to its labels ``y``, target 1.0;
2. the discriminator on ``G(z, y)`` joined to ``y``, target 0.0;
3. the generator through the discriminator on ``G(z', y)`` joined to ``y``, target 1.0.

The generated batch is asked for the labels of the real batch drawn in the same
iteration, so generated labels come in the data's proportions and each D step compares
real and generated images of the same labels.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

from tinygan._checks import check_int
from tinygan.callbacks import Callback
from tinygan.engine.lone import LoneEngine
from tinygan.engine.table import check_backend
from tinygan.objectives import Objective
from tinygan.protocols import DataSource, LabelledSource, Model, StepRecord
from tinygan.training._attach import attach_generator
from tinygan.training._steps import (
    LossFn,
    OptimizerFactory,
    _DiscriminatorSteps,
    check_loss_value,
)
from tinygan.training.labels import check_labels, join_labels, labelled_classes
from tinygan.training.parts import check_model

__all__ = ["ConditionalTrainer"]

ONLY_AUTOGRAD = (
    "the conditional trainer joins labels to its networks' inputs, which only the autograd "
    "backend computes"
)


class ConditionalTrainer(_DiscriminatorSteps):
    """Train a generator that draws the label it is given, against a critic that reads it.

    Both networks receive the label as a one-hot vector joined to their input
    (:func:`~tinygan.training.labels.join_labels`): the generator maps
    ``(n, noise.dim + classes)`` to samples ``(n, real.dim)``, the discriminator
    ``(n, real.dim + classes)`` to scores ``(n, 1)``.
    Each iteration is the post's three steps on joined inputs (see the module's text);
    :meth:`generate` draws samples of chosen labels. Objectives, ``d_steps``, optimisers,
    callbacks and checkpoints work as on :class:`tinygan.AdversarialTrainer`; the
    backend is autograd (the fused and native steps do not join labels).

    Args:
        generator: Maps ``(n, noise.dim + classes)`` to ``(n, real.dim)``.
        discriminator: Maps ``(n, real.dim + classes)`` to ``(n, 1)``.
        real: The labelled real data (a :class:`tinygan.LabelledSource`, such as
            :func:`tinygan.digits`), of ``real.classes >= 2`` labels.
        noise: The generator's noise.
        lr: The learning rate of the default optimiser (plain SGD).
        batch_size: Samples per step.
        loss: ``loss(output, target) -> scalar tensor`` (or give ``objective=``).
        optimizer: ``optimizer(params) -> torch.optim.Optimizer``, called once per network.
        seed: Seeds :attr:`rng`; ``None`` draws a fresh seed.
        callbacks: The callbacks :meth:`fit` drives.
        device: Where :attr:`rng` lives and every batch is drawn; by default where the
            networks are.
        backend: ``"auto"`` or ``"autograd"`` (the only one that serves this trainer;
            another name raises :class:`ValueError` saying why).
        objective: An :class:`~tinygan.objectives.Objective` or its name.
        d_steps: D's steps (each on a real and a generated batch) per G step.

    Attributes:
        generator: The generator network.
        discriminator: The discriminator network.
        real: The labelled real data.
        noise: The noise source.
        classes: How many labels there are.
        rng: The :class:`torch.Generator` every random draw of the trainer comes from.

    Raises:
        TypeError: If ``real`` is not a labelled source, or an argument has the wrong type.
        ValueError: If the widths do not fit (the message names which), a number is out
            of range, or ``backend`` names one that cannot serve this trainer.

    Example:
        >>> import torch
        >>> import tinygan as tg
        >>> data = tg.ImageData(torch.eye(4), labels=[0, 1, 2, 3])
        >>> trainer = tg.ConditionalTrainer(
        ...     tg.mlp([2 + 4, 8, 4]), tg.mlp([4 + 4, 8, 1]), data, tg.GaussianNoise(2),
        ...     batch_size=8, seed=0)
        >>> trainer.fit(5).iteration, trainer.backend
        (5, 'autograd')
        >>> trainer.generate(torch.tensor([3, 1])).shape
        torch.Size([2, 4])
    """

    only_autograd = ONLY_AUTOGRAD
    """Why the fused and native backends do not serve this trainer (they read it)."""

    def __init__(
        self,
        generator: Model,
        discriminator: Model,
        real: LabelledSource,
        noise: DataSource,
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
        d_steps: int = 1,
    ) -> None:
        super().__init__(callbacks=callbacks)
        check_model("generator", generator)
        self.classes: int = labelled_classes(real)
        self.d_steps = check_int("d_steps", d_steps, minimum=1)
        self._engine = LoneEngine(
            adversarial=True,
            originals={},
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
        self.g_optimizer, self._g_params = attach_generator(
            self, generator, noise, labels=self.classes
        )
        self.generator, self.noise = generator, noise
        self._engine.name(self)  # a backend asked for that cannot serve: a ValueError now

    def join(self, inputs: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """``inputs`` with their labels joined as one-hot vectors.

        See :func:`~tinygan.training.labels.join_labels`.
        """
        return join_labels(inputs, labels, self.classes)

    def train_generator(
        self, noise: torch.Tensor, labels: torch.Tensor, target: float | torch.Tensor = 1.0
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Run one optimisation step of the generator through the discriminator.

        The loss is the objective's G loss on ``D(join(G(join(noise, labels)), labels))``;
        only the generator's weights change.

        Args:
            noise: A batch ``(n, noise.dim)`` of generator input.
            labels: The label each sample is asked for, ``(n,)``.
            target: The discriminator output the generator aims for.

        Returns:
            ``(loss, output)``: the loss before the step and the generator's output (the
            samples, without labels), both detached.
        """
        fake = self.generator(self.join(noise, labels))
        output = self.discriminator(self.join(fake, labels))
        loss = check_loss_value(self.objective.g_loss(output, target))
        grads = torch.autograd.grad(loss, self._g_params)
        for param, grad in zip(self._g_params, grads, strict=False):
            param.grad = grad
        self.g_optimizer.step()
        return loss.detach(), fake.detach()

    def step(self) -> StepRecord:
        """Run one iteration (the post's three steps on labelled inputs).

        What ``noise.sample`` returns is checked at its first draw.
        """
        return self._engine_step()

    def _sources(self) -> tuple[tuple[str, DataSource], ...]:
        return (("noise", self.noise),)  # real is sampled through sample_labelled

    def _plain_step(self) -> StepRecord:
        n, rng = self.batch_size, self.rng
        d_real, d_fake = [], []
        labels = torch.zeros(0, dtype=torch.int64)
        for _ in range(self.d_steps):
            real, labels = self.real.sample_labelled(n, generator=rng)  # type: ignore[attr-defined]
            labels = check_labels(labels, self.classes, "real.sample_labelled's labels")
            d_real.append(self.train_discriminator(self.join(real, labels), 1.0))
            with torch.no_grad():
                fake = self.generator(self.join(self.noise.sample(n, generator=rng), labels))
            d_fake.append(self.train_discriminator(self.join(fake, labels), 0.0))
        g_loss, out = self.train_generator(self.noise.sample(n, generator=rng), labels)
        if self.d_steps > 1:
            d_real, d_fake = [torch.stack(d_real).mean()], [torch.stack(d_fake).mean()]
        return StepRecord(d_loss_real=d_real[0], d_loss_fake=d_fake[0], g_loss=g_loss, fake=out)

    def generate(
        self,
        labels: torch.Tensor | Iterable[int],
        noise: torch.Tensor | None = None,
        *,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """The generator's samples for chosen labels, without gradients.

        The generator runs in evaluation mode (and is put back as it was); training's
        random state (:attr:`rng`) is not touched.

        Args:
            labels: The label of each sample, ``(n,)`` integers in ``[0, classes)``.
            noise: The generator's noise ``(n, noise.dim)``; by default drawn from the
                noise source with ``generator``.
            generator: The random number generator the noise is drawn from when
                ``noise`` is not given (``None``: torch's global one).

        Returns:
            The samples, ``(n, real.dim)``.

        Raises:
            TypeError: If ``labels`` are not integers or ``noise`` is not a tensor.
            ValueError: If a label is out of range or ``noise`` has the wrong shape.
        """
        wanted = check_labels(
            labels if isinstance(labels, torch.Tensor) else list(labels), self.classes
        )
        if noise is None:
            noise = self.noise.sample(len(wanted), generator=generator)
        elif not isinstance(noise, torch.Tensor):
            raise TypeError(f"noise must be a tensor (n, noise.dim), got {type(noise).__name__}")
        if noise.dim() != 2 or noise.shape != (len(wanted), self.noise.dim):
            raise ValueError(
                f"noise must have shape ({len(wanted)}, {self.noise.dim}) (one row per label), "
                f"got {tuple(noise.shape)}"
            )
        net = self.generator
        was_training = net.training if isinstance(net, nn.Module) else None
        try:
            if isinstance(net, nn.Module):
                net.eval()
            with torch.no_grad():
                out: torch.Tensor = net(self.join(noise, wanted))
        finally:
            if isinstance(net, nn.Module) and was_training is not None:
                net.train(was_training)
        return out

    def _optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"g_optimizer": self.g_optimizer, "d_optimizer": self.d_optimizer}

    def _networks(self) -> dict[str, Model]:
        return {"generator": self.generator, "discriminator": self.discriminator}
