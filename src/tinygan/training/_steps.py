"""What both trainers share: the discriminator's step, the optimisers, the training state.

:class:`_DiscriminatorSteps` is the base of :class:`tinygan.AdversarialTrainer` and
:class:`tinygan.DiscriminatorTrainer`: it holds the discriminator, its optimiser, the
trainer's ``rng`` and the loss, runs one discriminator step, and saves and restores the
whole training state. The helpers below build the optimisers and the random number
generator and check what a user's loss returns.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import torch
from torch.nn import functional

from tinygan._checks import check_callable, check_int, check_positive_float
from tinygan._checks import check_device as check_device_name
from tinygan.engine.lone import LoneEngine
from tinygan.objectives import LeastSquares, NonSaturating, Objective, TargetLoss, get
from tinygan.protocols import DataSource, Model, StepRecord
from tinygan.training._state import callbacks_state, load_trainer_state
from tinygan.training.loop import BaseTrainer
from tinygan.training.parts import (
    CheckedSource,
    check_input,
    check_model,
    check_source,
    check_target,
    float_dtype,
    pack_size,
    probe,
)

__all__ = [
    "LossFn",
    "OptimizerFactory",
    "check_loss_value",
    "make_optimizer",
    "make_rng",
    "resolve_objective",
]

_TrainerT = TypeVar("_TrainerT", bound="_DiscriminatorSteps")

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
"""A loss: ``loss(output, target)`` returns a scalar tensor."""

OptimizerFactory = Callable[[Iterator[torch.nn.Parameter]], torch.optim.Optimizer]
"""Builds an optimiser over the parameters it is given, e.g. ``lambda p: Adam(p, 1e-3)``."""


def make_rng(seed: object, device: torch.device | None = None) -> torch.Generator:
    """A trainer's own generator on ``device``: seeded with ``seed``, or fresh entropy."""
    rng = torch.Generator(device=device or "cpu")
    if seed is None:
        rng.seed()  # fresh entropy for this generator only; the global RNG is untouched
        return rng
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an integer or None, got {seed!r}")
    if not 0 <= int(seed) < 2**64:
        raise ValueError(f"seed must be an integer in [0, 2**64), got {seed!r}")
    rng.manual_seed(int(seed))
    return rng


def check_device(device: object, *models: Any) -> torch.device:
    """The device a trainer draws its data on: ``device``, or where the networks are.

    Raises:
        TypeError: If ``device`` is not a device, a device name or ``None``.
        ValueError: If a network's weights are on another device.
    """
    params: list[torch.Tensor] = [p for m in models for p in getattr(m, "parameters", list)()]
    wanted = check_device_name("device", device, here=False)  # the weights' check follows
    if wanted is None:
        return params[0].device if params else torch.device("cpu")
    for param in params:
        same = param.device.type == wanted.type and wanted.index in (None, param.device.index)
        if not same:
            raise ValueError(
                f"device is {wanted} but a network's weights are on {param.device}: move the "
                "networks there first (net.to(device))"
            )
    return wanted


def make_optimizer(
    name: str, factory: OptimizerFactory | None, model: Model, lr: float
) -> torch.optim.Optimizer:
    """The optimiser of one network: ``factory(params)``, or plain SGD when ``None``."""
    if factory is None:
        return torch.optim.SGD(model.parameters(), lr=lr)
    check_callable("optimizer", factory, "a callable params -> torch.optim.Optimizer")
    opt = factory(model.parameters())
    if not isinstance(opt, torch.optim.Optimizer):
        raise TypeError(
            f"optimizer must return a torch.optim.Optimizer for the {name}, got {opt!r}"
        )
    return opt


def resolve_objective(loss: object, objective: object) -> Objective:
    """The objective of a trainer built with ``loss=`` or ``objective=`` (at most one).

    ``loss=None`` and ``objective=None`` is the post's least squares; a ``loss`` is the
    objective :class:`~tinygan.objectives.TargetLoss` of that function (the library's
    mean squared error and binary cross-entropy by their objectives' names).

    Raises:
        ValueError: If both are given, or ``objective`` names no objective.
        TypeError: If ``loss`` is not callable or ``objective`` not an objective.
    """
    if loss is not None and objective is not None:
        raise ValueError(
            "loss= and objective= both say how the losses are computed: give one of them"
        )
    if objective is not None:
        return get(objective)
    if loss is None or loss is functional.mse_loss:
        return LeastSquares()
    check_callable("loss", loss, "a callable (output, target) -> scalar tensor")
    if loss is functional.binary_cross_entropy:
        return NonSaturating()
    return TargetLoss(loss, getattr(loss, "__name__", type(loss).__name__))  # type: ignore[arg-type]


def check_loss_value(loss: Any) -> torch.Tensor:
    """Return ``loss`` if it is a one-element tensor; raise :class:`TypeError` if not."""
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        raise TypeError(f"loss must return a scalar tensor, got {loss!r}")
    return loss


class _DiscriminatorSteps(BaseTrainer):
    """What both trainers share: a discriminator, its optimiser and its training step."""

    discriminator: Model
    real: DataSource
    batch_size: int
    rng: torch.Generator
    objective: Objective
    d_optimizer: torch.optim.Optimizer
    _engine: LoneEngine
    _last_real: torch.Tensor | None = None
    _checked_sources: dict[str, Any]

    @property
    def loss(self) -> LossFn | None:
        """The objective's ``loss(output, target)``, where it is one against a target.

        The post's mean squared error by default; ``None`` for an objective of another
        shape (hinge, Wasserstein). Setting it replaces the objective with that loss.
        """
        return self.objective.loss

    @loss.setter
    def loss(self, value: LossFn) -> None:
        self.objective = resolve_objective(value, None)

    @property
    def backend(self) -> str:
        """The name of the backend that runs the next iteration (see :doc:`/performance`).

        ``"autograd"``, ``"fused"`` or ``"native"``: chosen by the ``backend=`` the
        trainer was built with, and chosen again whenever the loss, a network or an
        optimiser is replaced.
        """
        return self._engine.name(self)

    def backend_info(self) -> dict[str, Any]:
        """What a run's files record of the backend that runs.

        Its ``name`` and, for the native kernel, its source digest, compiler and flags;
        where it runs in place of a backend asked for, that one (``requested``) and why it
        does not run (``fallback``).
        """
        return self._engine.fallback.record(self._engine.backend(self).describe())

    def fit(self: _TrainerT, steps: int) -> _TrainerT:
        """Run ``steps`` more iterations, calling the callbacks' hooks around them.

        See :meth:`tinygan.BaseTrainer.fit`. The backend (:attr:`backend`) is chosen at
        the first iteration and again whenever the loss, a network or an optimiser is
        replaced.

        What the data sources return is checked at the first iteration that draws
        from each (see :meth:`step`).
        """
        self._engine.begin_fit(self, check_int("steps", steps, minimum=0))
        try:
            return super().fit(steps)
        finally:
            self._engine.end_fit()

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
        device: torch.device | str | None = None,
        objective: str | Objective | None = None,
    ) -> None:
        check_model("discriminator", discriminator)
        self.device = check_device(device, discriminator)
        check_source("real", real)
        self.lr = check_positive_float("lr", lr)
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        self.objective = resolve_objective(loss, objective)
        self.seed = seed
        self.rng = make_rng(seed, self.device)
        self.discriminator = discriminator
        self.real = real
        self._optimizer_factory = optimizer
        self.d_optimizer = make_optimizer("discriminator", optimizer, discriminator, self.lr)
        self._checked_sources = {}

    def _sources(self) -> tuple[tuple[str, DataSource], ...]:
        """The data sources an iteration samples, by their argument names."""
        return (("real", self.real),)

    def _engine_step(self) -> StepRecord:
        """The backend's next iteration; the first from a data source checks its batches.

        While a source is not checked yet (once per source object), the iteration draws
        through a :class:`~tinygan.training.parts.CheckedSource` in its place: each
        ``sample`` call goes to the source unchanged (the same arguments, :attr:`rng`
        included, so every backend draws the same numbers) and what it returns must be a
        tensor ``(n, source.dim)`` of the networks' dtype on the generator's device.
        The native kernel draws for a source with a ``uniform_map`` itself (checked
        against its ``sample`` by :func:`tinygan.engine.streams.uniform_map`): such a
        source keeps its place there.

        Raises:
            TypeError: If a source's ``sample`` returns something other than a tensor of
                the networks' dtype (float32, unless they were made another); the
                message names the source, what it returned and what was expected.
            ValueError: If it returns a tensor of another shape, or on another device.
        """
        fresh = [(k, s) for k, s in self._sources() if self._checked_sources.get(k) is not s]
        if not fresh:
            return self._engine.step(self)
        native = self._engine.name(self) == "native"
        dtype = float_dtype("discriminator", self.discriminator)
        viewed = [
            (name, source)
            for name, source in fresh
            if not (native and callable(getattr(source, "uniform_map", None)))
        ]
        for name, source in viewed:
            setattr(self, name, CheckedSource(name, source, dtype))
        try:
            record = self._engine.step(self)
        finally:
            for name, source in viewed:
                setattr(self, name, source)
        self._checked_sources.update(fresh)
        return record

    def _check_discriminator_input(self, width: int, width_name: str) -> None:
        m = pack_size(self.discriminator)
        if self.batch_size % m:
            raise ValueError(
                f"batch_size must be a multiple of the packed discriminator's m={m} (it scores "
                f"packs of {m} samples), got batch_size={self.batch_size}"
            )
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

        The loss is the trainer's objective's, with any penalty it adds (a
        gradient penalty on a generated batch, R1 on a real one).

        Args:
            inputs: A batch ``(n, dim)`` of real or generated samples.
            target: The output wanted for every sample (1.0 real, 0.0 fake), or a tensor
                broadcastable to the discriminator's output (objectives against a
                target only).

        Returns:
            The loss before the step (with its penalty), detached.
        """
        check_input("train_discriminator(inputs)", inputs, self.discriminator)
        check_target("train_discriminator", target)
        inputs = inputs.detach()
        output = self.discriminator(inputs)
        loss = check_loss_value(self.objective.d_loss(output, target))
        if self.objective.penalized:
            penalty = self.objective.d_penalty(
                self.discriminator, inputs, target, self._last_real, self.rng
            )
            loss = loss if penalty is None else loss + penalty
            if float(torch.as_tensor(target).float().mean()) >= 0.5:
                self._last_real = inputs  # for a penalty between it and generated samples
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
        """Restore a state returned by :meth:`state_dict`, all or nothing.

        Every part of ``state`` is checked against this trainer before any is loaded
        (the networks' tensor names and shapes, the optimisers' parameter groups, the
        state of :attr:`rng`, the iteration, the callbacks that keep state); should
        loading still fail, the parts loaded are put back. Either way a failed load
        leaves the trainer exactly as it was.

        Raises:
            KeyError: If ``state`` lacks an entry this trainer needs.
            ValueError: If a part of ``state`` does not fit this trainer (the message
                says which: ``"state does not fit this trainer: the discriminator's
                '0.weight' has shape (5, 4) in the state against (3, 4) in this
                trainer"``), or the callbacks that keep state differ from the saved ones.
        """
        load_trainer_state(self, state)
