"""A lone trainer's backends (autograd, fused, native), and the engine that picks one.

:class:`LoneEngine` lives in a :class:`tinygan.AdversarialTrainer` or
:class:`tinygan.DiscriminatorTrainer`. At each iteration it asks the table
(:func:`tinygan.engine.table.choose`) which backend serves the trainer as it is now (its
plan is made once per ``fit`` and again whenever the loss, a network or an optimiser is
replaced) and runs it. All three draw the same samples from the trainer's ``rng``.

The step may run by hand (fused, native) only where it computes exactly what the
trainer's own parts compute (:func:`make_plan` says why not, where not):

- the trainer's class overrides none of ``step``, ``train_discriminator`` and
  ``train_generator`` (a subclass that overrides ``step`` runs its own step, out of the
  autograd parts);
- both networks are :class:`tinygan.MLP` networks whose modules are still plain
  ``Linear`` layers and supported activations (:func:`tinygan.engine.fused.net_spec`),
  with float32 parameters on the CPU;
- the loss is mean squared error or binary cross-entropy as torch computes it
  (:func:`tinygan.engine.fused.loss_kind`), BCE with a discriminator that ends with a
  sigmoid;
- the optimisers are plain :class:`torch.optim.SGD` over exactly the network's parameters
  (no momentum, weight decay, ``maximize``, hooks), whose learning rate is read at every
  step (schedulers work).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from tinygan.engine import fused
from tinygan.engine.native import LANES, Kernel, NativeKernelError, kernel, supports
from tinygan.engine.native.mt_states import read_states, write_states
from tinygan.engine.native.runner import MAX_CALL, NativeRunner
from tinygan.engine.streams import draw_steps, iteration_maps, uniform_map
from tinygan.engine.table import Backend, Fallback, Request, choose, passive
from tinygan.protocols import StepRecord

__all__ = ["LoneEngine", "Plan", "make_plan"]


@dataclass
class Plan:
    """What the fused or native step of one lone trainer needs, checked when made.

    Attributes:
        kind: The loss, ``"mse"`` or ``"bce"``.
        d_spec: The discriminator's shape.
        d_params: Its parameters (detached views, updated in place).
        d_opt: Its optimiser (the learning rate is read from it at every step).
        g_spec: The generator's shape (adversarial trainers).
        g_params: Its parameters.
        g_opt: Its optimiser.
        owner: The loss, networks and optimisers it was made for.
    """

    kind: str
    d_spec: fused.NetSpec
    d_params: list[torch.Tensor]
    d_opt: torch.optim.Optimizer
    g_spec: fused.NetSpec | None = None
    g_params: list[torch.Tensor] | None = None
    g_opt: torch.optim.Optimizer | None = None
    owner: tuple[Any, ...] = ()

    def serves(self, trainer: Any) -> bool:
        """Whether ``trainer`` still has the loss, networks and optimisers planned for."""
        loss, d, d_opt, g, g_opt = self.owner
        return (
            trainer.loss is loss
            and trainer.discriminator is d
            and trainer.d_optimizer is d_opt
            and getattr(trainer, "generator", None) is g
            and getattr(trainer, "g_optimizer", None) is g_opt
        )


def _owner(trainer: Any) -> tuple[Any, ...]:
    names = ("loss", "discriminator", "d_optimizer", "generator", "g_optimizer")
    return tuple(getattr(trainer, name, None) for name in names)


def _net(net: Any, name: str, opt: Any) -> tuple[fused.NetSpec, list[torch.Tensor]] | str:
    spec = fused.spec_or_reason(net)
    if isinstance(spec, str):
        return f"the {name} {spec}"
    params = list(net.parameters())
    if params[0].dtype != torch.float32 or params[0].device.type != "cpu":
        where = f"{params[0].dtype} on {params[0].device}"
        return f"the {name}'s weights are {where}, not float32 on the CPU"
    if fused.optimizer_name(opt, params) != "sgd":
        return (
            f"the {name}'s optimiser is not a plain torch.optim.SGD over its parameters "
            "(no momentum, weight decay, maximize or hooks, a float learning rate)"
        )
    return spec, [p.detach() for p in params]


def make_plan(
    trainer: Any, *, adversarial: bool, originals: dict[str, Callable[..., Any]]
) -> Plan | str:
    """The plan of the fused and native steps for ``trainer`` now, or why they cannot run.

    Args:
        trainer: An adversarial or discriminator-only trainer; one whose ``only_autograd``
            says why (:class:`tinygan.ConditionalTrainer`) gets that reason back.
        adversarial: Whether it is adversarial (else discriminator-only).
        originals: The library's own ``step`` and ``train_*`` functions; a trainer
            whose class overrides one of them runs its own.
    """
    only_autograd = getattr(trainer, "only_autograd", None)
    if only_autograd is not None:  # a trainer whose step the fused step never computes
        return str(only_autograd)
    cls = type(trainer)
    for name, original in originals.items():
        if getattr(cls, name, None) is not original:
            return f"{cls.__name__} overrides {name}()"
    objective = getattr(trainer, "objective", None)
    if objective is not None and objective.loss is None:
        return (
            f"the objective {objective.name!r} is not one the fused step computes (least "
            "squares, or binary cross-entropy against targets)"
        )
    if getattr(trainer, "d_steps", 1) != 1:
        return f"d_steps={trainer.d_steps}: the fused step takes one D step per G step"
    kind = fused.loss_kind(trainer.loss)
    if kind is None:
        return (
            "the loss is not mean squared error or binary cross-entropy as torch computes them "
            "(functional.mse_loss, nn.MSELoss(), functional.binary_cross_entropy, nn.BCELoss())"
        )
    d = _net(trainer.discriminator, "discriminator", trainer.d_optimizer)
    if isinstance(d, str):
        return d
    if d[0].sizes[-1] != 1:
        return "the discriminator does not output one score per sample"
    if kind == "bce" and d[0].activations[-1] != "sigmoid":
        return "binary cross-entropy needs a discriminator that ends with a Sigmoid"
    plan = Plan(kind, d[0], d[1], trainer.d_optimizer, owner=_owner(trainer))
    if adversarial:
        g = _net(trainer.generator, "generator", trainer.g_optimizer)
        if isinstance(g, str):
            return g
        if g[0].sizes[0] != trainer.noise.dim or g[0].sizes[-1] != d[0].sizes[0]:
            return "the generator's widths do not fit the noise and the discriminator"
        plan.g_spec, plan.g_params, plan.g_opt = g[0], g[1], trainer.g_optimizer
    return plan


class _Lone:
    """What a lone trainer's backends share: nothing computed ahead, their name recorded."""

    name: str

    def finish(self) -> None:
        pass

    def describe(self) -> dict[str, Any]:
        return {"name": self.name}


class _Autograd(_Lone):
    """The trainer's own parts, through autograd and its optimisers."""

    name = "autograd"

    def __init__(self, plain: Callable[[], StepRecord]) -> None:
        self._plain = plain

    def step(self, ahead: int) -> StepRecord:
        return self._plain()


def _float32(*batches: torch.Tensor) -> None:
    if any(x.dtype != torch.float32 for x in batches):
        raise TypeError("data sources must return float32 tensors for float32 networks")


def _sgd(params: list[torch.Tensor], opt: Any) -> fused.Update:
    """Plain SGD at ``opt``'s learning rate now (marked as stepped, as schedulers ask)."""
    lr = fused.current_lr(opt)
    assert lr is not None  # the table checked it
    opt._opt_called = True
    return lambda grads: fused.sgd_(params, grads, lr)


class _Fused(_Lone):
    """The trainer's step by hand in torch operations (:mod:`tinygan.engine.fused`)."""

    name = "fused"

    def __init__(self, trainer: Any, plan: Plan) -> None:
        self.trainer, self.plan = trainer, plan
        self.d_views = fused.prepare(plan.d_spec, plan.d_params)
        if plan.g_spec is not None and plan.g_params is not None:
            self.g_views = fused.prepare(plan.g_spec, plan.g_params)

    def step(self, ahead: int) -> StepRecord:
        t, p = self.trainer, self.plan
        n, rng, d_update = t.batch_size, t.rng, _sgd(p.d_params, p.d_opt)
        if p.g_spec is None or p.g_params is None:
            real, fake = t.real.sample(n, generator=rng), t.fake.sample(n, generator=rng)
            _float32(real, fake)
            with torch.no_grad():
                d_real, d_fake = (
                    fused.discriminator_step(
                        p.d_spec, p.d_params, x, target, p.kind, d_update, prepared=self.d_views
                    )
                    for x, target in ((real, 1.0), (fake, 0.0))
                )
            return StepRecord(d_loss_real=d_real, d_loss_fake=d_fake)
        real, z_fake, z_gen = (s.sample(n, generator=rng) for s in (t.real, t.noise, t.noise))
        _float32(real, z_fake, z_gen)
        with torch.no_grad():
            d_real, d_fake, g_loss, fake = fused.adversarial_step(
                p.g_spec, p.d_spec, p.g_params, p.d_params, real, z_fake, z_gen, p.kind,
                _sgd(p.g_params, p.g_opt), d_update, g_prepared=self.g_views,
                d_prepared=self.d_views,
            )  # fmt: skip
        return StepRecord(d_loss_real=d_real, d_loss_fake=d_fake, g_loss=g_loss, fake=fake)


class _LoneStream:
    """A lone trainer's data for the kernel: its generator's state, or samples by torch."""

    def __init__(self, trainer: Any, draws: bool) -> None:
        self.rng = trainer.rng
        n = trainer.batch_size
        self.sources = [(trainer.real, n), (trainer.noise, n), (trainer.noise, n)]
        self.source_maps = [uniform_map(source) for source, _ in self.sources]
        known = [(m, n) for m in self.source_maps if m is not None]
        whole = draws and len(known) == 3
        self.maps = iteration_maps(known) if whole else None
        self.states: torch.Tensor | None = None

    def kernel_states(self, k: int) -> torch.Tensor | None:
        if self.maps is None:
            return None
        self.states = read_states([self.rng], LANES)
        return self.states

    def available(self) -> int:
        return MAX_CALL

    def draw(self, k: int) -> list[torch.Tensor]:
        parts = draw_steps([self.rng], self.sources, k, self.source_maps, padded=LANES)
        _float32(*parts)
        return parts

    def mark(self) -> torch.Tensor:
        return self.rng.get_state()  # type: ignore[no-any-return]

    def rewind(self, mark: torch.Tensor, done: int) -> None:
        if self.maps is None:  # samples drawn by torch: draw the handed-out ones again
            self.rng.set_state(mark)
            if done:
                self.draw(done)

    def write_back(self) -> None:
        """Put the kernel's advanced generator state back into the trainer's ``rng``."""
        if self.states is not None:
            write_states([self.rng], self.states)


class _Native:
    """The trainer as one member of a block of the native kernel (SGD, its own data)."""

    name = "native"

    def __init__(self, trainer: Any, plan: Plan, found: Kernel) -> None:
        assert plan.g_spec is not None and plan.g_params is not None and plan.g_opt is not None
        self.trainer, self.plan, self.kernel = trainer, plan, found
        self.params = [*plan.g_params, *plan.d_params]
        self.runner = NativeRunner(
            found, plan.g_spec, plan.d_spec, plan.kind, batch_size=trainer.batch_size
        )
        self.stream = _LoneStream(trainer, found.draws)
        self.state: list[torch.Tensor] = []

    def pending(self) -> bool:
        return self.runner.pending()

    def step(self, ahead: int) -> StepRecord:
        if self.runner.pending():
            return self.runner.pop()
        plan = self.plan
        assert plan.g_opt is not None
        lrs = (fused.current_lr(plan.g_opt), fused.current_lr(plan.d_opt))
        plan.g_opt._opt_called = plan.d_opt._opt_called = True  # type: ignore[attr-defined]
        self.state = [p.unsqueeze(-1).expand(*p.shape, LANES).contiguous() for p in self.params]
        record = self.runner.run(self.state, lrs, (0, 0), ahead, self.stream)  # type: ignore[arg-type]
        self._write_back()
        return record

    def _write_back(self) -> None:
        for p, stacked in zip(self.params, self.state, strict=True):
            p.copy_(stacked[..., 0])
        self.stream.write_back()

    def finish(self) -> None:
        if self.runner.finish(self.stream):
            self._write_back()

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, **self.kernel.describe()}


class LoneEngine:
    """Picks and runs a lone trainer's backend (see :mod:`tinygan.engine.table`).

    Args:
        adversarial: Whether the trainer is adversarial (else discriminator-only).
        originals: The library's own ``step`` and ``train_*`` functions.
        plain: The trainer's own step out of its autograd parts.
        request: The ``backend=`` asked for (:func:`tinygan.engine.table.check_backend`).
    """

    def __init__(
        self,
        *,
        adversarial: bool,
        originals: dict[str, Callable[..., Any]],
        plain: Callable[[], StepRecord],
        request: Request,
    ) -> None:
        self.adversarial, self.originals, self.request = adversarial, originals, request
        self._autograd = _Autograd(plain)
        self._plan: Plan | str | None = None
        self._running: Backend | None = None
        self._kernel_error: str | None = None
        self.fallback = Fallback()  # once per trainer: the choice is made at every iteration
        self._in_fit = False
        self._remaining = 0
        self._ahead = False

    def _why_not(self, trainer: Any, plan: Plan | str, name: str) -> str | None:
        if name == "autograd":
            return None
        if isinstance(plan, str):
            return plan
        optimizers = (opt for opt in (plan.d_opt, plan.g_opt) if opt is not None)
        if any(fused.current_lr(opt) is None for opt in optimizers):
            return "an optimiser is no longer plain SGD with a float learning rate"
        if name == "fused":
            return None
        if plan.g_spec is None:
            return "the native kernel trains adversarial pairs only"
        return supports(plan.g_spec, plan.d_spec, plan.kind, "sgd")

    def _choose(self, trainer: Any) -> tuple[str, Plan | str, Kernel | None]:
        """The backend's name for ``trainer`` now, its plan, and the kernel if native."""
        plan = self._plan
        if plan is None or isinstance(plan, str) or not plan.serves(trainer):
            plan = make_plan(trainer, adversarial=self.adversarial, originals=self.originals)
            self._plan = plan if self._in_fit else None
        name = choose(
            "trainer", self.request, lambda n: self._why_not(trainer, plan, n), self.fallback
        )
        if name != "native":
            return name, plan, None
        if self._kernel_error is None:
            try:
                return name, plan, kernel()
            except NativeKernelError as exc:
                self._kernel_error = str(exc)
        self.fallback("native", self._kernel_error, "fused")  # the reason now, said once
        return "fused", plan, None

    def name(self, trainer: Any) -> str:
        """The name of the backend that runs ``trainer``'s next iteration."""
        return self._choose(trainer)[0]

    def backend(self, trainer: Any) -> Backend:
        """The backend that runs ``trainer``'s next iteration (chosen again if it changed)."""
        name, plan, found = self._choose(trainer)
        running = self._running
        same = name == "autograd" or getattr(running, "plan", None) is plan
        if running is not None and running.name == name and same:
            return running
        if running is not None:
            running.finish()
        if name == "autograd":
            self._running = self._autograd
        elif found is not None:
            assert isinstance(plan, Plan)
            self._running = _Native(trainer, plan, found)
        else:
            assert isinstance(plan, Plan)
            self._running = _Fused(trainer, plan)
        return self._running

    def begin_fit(self, trainer: Any, steps: int) -> None:
        """Start a ``fit`` of ``steps`` iterations: the plan is made at its first step."""
        self._plan = None
        self._in_fit = True
        self._remaining = steps
        self._ahead = passive(trainer.callbacks)

    def end_fit(self) -> None:
        """End a ``fit``: undo iterations computed ahead but never handed out."""
        try:
            if self._running is not None:
                self._running.finish()
        finally:
            self._plan = None
            self._in_fit = False

    def step(self, trainer: Any) -> StepRecord:
        """Run ``trainer``'s next iteration on its backend."""
        running = self._running
        if isinstance(running, _Native) and running.pending():
            self._remaining -= 1
            return running.step(1)
        ahead = max(1, self._remaining) if self._in_fit and self._ahead else 1
        self._remaining -= 1
        return self.backend(trainer).step(ahead)
