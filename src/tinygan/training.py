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

import numbers
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import torch
from torch.nn import functional

from tinygan._checks import check_callable, check_int, check_positive_float
from tinygan._fastpath import FastPath
from tinygan._models import check_model, check_source, probe
from tinygan._state import callbacks_state, load_callbacks_state
from tinygan.callbacks import Callback
from tinygan.loop import BaseTrainer
from tinygan.protocols import DataSource, Model
from tinygan.records import StepRecord

__all__ = ["AdversarialTrainer", "DiscriminatorTrainer", "LossFn", "OptimizerFactory"]

_TrainerT = TypeVar("_TrainerT", bound="_DiscriminatorSteps")

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
"""A loss: ``loss(output, target)`` returns a scalar tensor."""

OptimizerFactory = Callable[[Iterator[torch.nn.Parameter]], torch.optim.Optimizer]
"""Builds an optimiser over the parameters it is given, e.g. ``lambda p: Adam(p, 1e-3)``."""


def _make_rng(seed: object) -> torch.Generator:
    rng = torch.Generator()
    if seed is None:
        rng.seed()  # fresh entropy for this generator only; the global RNG is untouched
        return rng
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an integer or None, got {seed!r}")
    if not 0 <= int(seed) < 2**64:
        raise ValueError(f"seed must be an integer in [0, 2**64), got {seed!r}")
    rng.manual_seed(int(seed))
    return rng


def _make_optimizer(
    name: str, factory: OptimizerFactory | None, model: Model, lr: float
) -> torch.optim.Optimizer:
    if factory is None:
        return torch.optim.SGD(model.parameters(), lr=lr)
    check_callable("optimizer", factory, "a callable params -> torch.optim.Optimizer")
    opt = factory(model.parameters())
    if not isinstance(opt, torch.optim.Optimizer):
        raise TypeError(
            f"optimizer must return a torch.optim.Optimizer for the {name}, got {opt!r}"
        )
    return opt


def _target_like(output: torch.Tensor, target: object) -> torch.Tensor:
    if isinstance(target, torch.Tensor):
        return target.to(dtype=output.dtype, device=output.device).expand_as(output)
    if isinstance(target, bool) or not isinstance(target, numbers.Real):
        raise TypeError(f"target must be a number or a tensor, got {target!r}")
    return torch.full_like(output, float(target))


def _check_loss_value(loss: Any) -> torch.Tensor:
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        raise TypeError(f"loss must return a scalar tensor, got {loss!r}")
    return loss


class _DiscriminatorSteps(BaseTrainer):
    """What both trainers share: a discriminator, its optimiser and its training step."""

    discriminator: Model
    real: DataSource
    batch_size: int
    rng: torch.Generator
    loss: LossFn
    d_optimizer: torch.optim.Optimizer
    _fast: FastPath

    def fit(self: _TrainerT, steps: int) -> _TrainerT:
        """Run ``steps`` more iterations, calling the callbacks' hooks around them.

        See :meth:`tinygan.BaseTrainer.fit`. Where it computes exactly the same step,
        :meth:`step` takes the fused path (see :mod:`tinygan.fused`), chosen at the
        first iteration and checked again whenever the loss, a network or an optimiser
        is replaced.
        """
        self._fast.begin_fit(self, steps)
        try:
            return super().fit(steps)
        finally:
            self._fast.end_fit(self)

    def _setup(
        self,
        discriminator: Model,
        real: DataSource,
        *,
        lr: float,
        batch_size: int,
        loss: LossFn | None,
        optimizer: OptimizerFactory | None,
        seed: int | None,
    ) -> None:
        check_model("discriminator", discriminator)
        check_source("real", real)
        self.lr = check_positive_float("lr", lr)
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        if loss is not None:
            check_callable("loss", loss, "a callable (output, target) -> scalar tensor")
        self.loss = loss if loss is not None else functional.mse_loss
        self.seed = seed
        self.rng = _make_rng(seed)
        self.discriminator = discriminator
        self.real = real
        self._optimizer_factory = optimizer
        self.d_optimizer = _make_optimizer("discriminator", optimizer, discriminator, self.lr)

    def _check_discriminator_input(self, width: int, width_name: str) -> None:
        out = probe("the discriminator", self.discriminator, width, width_name)
        if out.shape[1] != 1:
            raise ValueError(
                f"the discriminator must output one value per sample, got {out.shape[1]}"
            )

    def train_discriminator(
        self, inputs: torch.Tensor, target: float | torch.Tensor
    ) -> torch.Tensor:
        """Run one optimisation step of the discriminator on a batch.

        The inputs are detached first, so nothing upstream (the generator) is touched.

        Args:
            inputs: A batch ``(n, dim)`` of real or generated samples.
            target: The output wanted for every sample (1.0 real, 0.0 fake), or a tensor
                broadcastable to the discriminator's output.

        Returns:
            The loss before the step, detached.
        """
        output = self.discriminator(inputs.detach())
        loss = _check_loss_value(self.loss(output, _target_like(output, target)))
        self.d_optimizer.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        self.d_optimizer.step()
        return loss.detach()

    def _optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"d_optimizer": self.d_optimizer}

    def _networks(self) -> dict[str, Model]:
        return {"discriminator": self.discriminator}

    def state_dict(self) -> dict[str, Any]:
        """Return the trainer's whole training state.

        It holds the networks' and optimisers' state dicts, the iteration count, the
        state of :attr:`rng` and, under ``"callbacks"``, the state of every callback that
        has ``state_dict()``/``load_state_dict()`` (such as :class:`tinygan.LossLogger`):
        loading it into a trainer built the same way continues training exactly where
        this one is. :func:`tinygan.save_checkpoint` writes it to a file.
        """
        state: dict[str, Any] = {"iteration": self.iteration, "rng": self.rng.get_state()}
        state["callbacks"] = callbacks_state(self.callbacks)
        for name, net in self._networks().items():
            state[name] = net.state_dict()  # type: ignore[attr-defined]
        for name, opt in self._optimizers().items():
            state[name] = opt.state_dict()
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state returned by :meth:`state_dict`.

        Raises:
            KeyError: If ``state`` lacks an entry this trainer needs.
            ValueError: If the callbacks that keep state differ from the saved ones.
        """
        keys = ["iteration", "rng", *self._networks(), *self._optimizers()]
        missing = [key for key in keys if key not in state]
        if missing:
            raise KeyError(f"trainer state lacks {missing}")
        load_callbacks_state(self.callbacks, state.get("callbacks", []))
        for name, net in self._networks().items():
            net.load_state_dict(state[name])  # type: ignore[attr-defined]
        for name, opt in self._optimizers().items():
            opt.load_state_dict(state[name])
        self.rng.set_state(state["rng"])
        self.iteration = check_int("iteration", state["iteration"], minimum=0)


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
        compile: Run the fused step through :func:`torch.compile` (compiled at the
            first iteration; faster from then on, see the performance page). Where no
            compiler works, training goes on uncompiled after one warning.

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
        ValueError: If a number is out of range, or the sizes do not fit together:
            ``noise.dim`` and the generator's input, the generator's output and the
            discriminator's input, ``real.dim`` and the discriminator's input.
        TypeError: If an argument has the wrong type.

    Example:
        >>> import tinygan as tg
        >>> trainer = tg.AdversarialTrainer(
        ...     tg.mlp([4, 4, 4]), tg.mlp([4, 3, 1]), tg.FuzzyPattern("1010"),
        ...     tg.UniformNoise(4), seed=0)
        >>> record = trainer.step()
        >>> record.fake.shape, trainer.iteration
        (torch.Size([1, 4]), 0)
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
    ) -> None:
        super().__init__(callbacks=callbacks)
        check_model("generator", generator)
        if not isinstance(compile, bool):
            raise TypeError(f"compile must be a bool, got {compile!r}")
        self._fast = FastPath(
            adversarial=True,
            originals={
                "train_discriminator": _DiscriminatorSteps.train_discriminator,
                "train_generator": AdversarialTrainer.train_generator,
            },
            compile=compile,
        )
        self._setup(
            discriminator,
            real,
            lr=lr,
            batch_size=batch_size,
            loss=loss,
            optimizer=optimizer,
            seed=seed,
        )
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
        self.g_optimizer = _make_optimizer("generator", self._optimizer_factory, generator, self.lr)
        self._g_params = [p for p in generator.parameters() if p.requires_grad]

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
        loss = _check_loss_value(self.loss(output, _target_like(output, target)))
        grads = torch.autograd.grad(loss, self._g_params)
        for param, grad in zip(self._g_params, grads, strict=False):
            param.grad = grad
        self.g_optimizer.step()
        return loss.detach(), fake.detach()

    def step(self) -> StepRecord:
        """Run the post's three steps once and return what they produced.

        Where it gives the same numbers, this takes the fused path (a hand-written
        forward and backward pass, see :mod:`tinygan.fused`) instead of autograd and the
        optimisers' ``step()``; both draw the same samples from :attr:`rng`.
        """
        record = self._fast.step(self)
        if record is not None:
            return record
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

    Raises:
        ValueError: If a number is out of range or ``real.dim``, ``fake.dim`` and the
            discriminator's input width differ.
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
    ) -> None:
        super().__init__(callbacks=callbacks)
        self._fast = FastPath(
            adversarial=False,
            originals={"train_discriminator": _DiscriminatorSteps.train_discriminator},
            compile=False,
        )
        self._setup(
            discriminator,
            real,
            lr=lr,
            batch_size=batch_size,
            loss=loss,
            optimizer=optimizer,
            seed=seed,
        )
        fake_dim = check_source("fake", fake)
        if fake_dim != real.dim:
            raise ValueError(f"fake.dim is {fake_dim} but real.dim is {real.dim}; they must match")
        self._check_discriminator_input(real.dim, "real.dim")
        self.fake = fake

    def step(self) -> StepRecord:
        """Train the discriminator on one real batch, then one fake batch."""
        record = self._fast.step(self)
        if record is not None:
            return record
        n = self.batch_size
        d_loss_real = self.train_discriminator(self.real.sample(n, generator=self.rng), 1.0)
        d_loss_fake = self.train_discriminator(self.fake.sample(n, generator=self.rng), 0.0)
        return StepRecord(d_loss_real=d_loss_real, d_loss_fake=d_loss_fake)
