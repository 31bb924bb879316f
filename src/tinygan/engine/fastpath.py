"""The fused path of the trainers: the same step, without autograd or ``optimizer.step()``.

A trainer's :meth:`~tinygan.AdversarialTrainer.step` takes this path when it computes
exactly what the plain (autograd) path computes: the public parts ``train_discriminator``
and ``train_generator`` are the library's own, both networks are plain
:class:`tinygan.MLP` networks with supported activations and float32 parameters on the
CPU, the loss is one the library knows (mean squared error, binary cross-entropy) and the
optimisers are plain :class:`torch.optim.SGD` (no momentum, weight decay, ``maximize`` or
hooks; the learning rate is read from ``param_groups`` at every step, so schedulers work).
Anything else takes the plain path. Both paths draw the same samples, in the same order,
from the trainer's ``rng``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from tinygan.callbacks import LossLogger, Snapshots
from tinygan.engine import fused
from tinygan.engine.plan import Plan, current_lr, make_plan
from tinygan.engine.streams import draw_steps
from tinygan.protocols import StepRecord

__all__ = ["FastPath"]

# Callbacks known to look at nothing but the records they are handed (not the weights, not
# the rng, never stop()): with only these, compile=True computes iterations ahead in chunks.
_PASSIVE = (LossLogger, Snapshots)


class FastPath:
    """Chooses, per trainer, between the fused step and the plain one, and runs the former.

    Args:
        adversarial: Whether the trainer is an adversarial one (else discriminator-only).
        originals: The library's own ``train_*`` functions; a trainer whose class
            overrides one of them takes the plain path.
        compile: Whether to run the fused adversarial step through :func:`torch.compile`.
    """

    def __init__(
        self, *, adversarial: bool, originals: dict[str, Callable[..., Any]], compile: bool
    ) -> None:
        self.adversarial = adversarial
        self.originals = originals
        self.compile = compile
        self._plan: Plan | None = None
        self._in_fit = False
        self._runner: Any = None  # tinygan.engine.compiled.ChunkRunner, built at first use
        self._compile_failed = False
        self._passive = False
        self._remaining = 0

    # -- choosing the path ---------------------------------------------------------------

    def plan(self, trainer: Any) -> Plan | None:
        """Return the fused plan for ``trainer`` now, or ``None`` for the plain path."""
        return make_plan(
            trainer, adversarial=self.adversarial, originals=self.originals, compile=self.compile
        )

    def begin_fit(self, trainer: Any, steps: int) -> None:
        """Start a ``fit``: the path is chosen at its first step and kept while it holds."""
        self._plan = None
        self._in_fit = True
        self._remaining = steps if isinstance(steps, int) else 0
        self._passive = all(type(cb) in _PASSIVE for cb in trainer.callbacks)

    def end_fit(self, trainer: Any) -> None:
        """End a ``fit``: undo compiled iterations never handed out; forget the plan."""
        plan = self._plan
        try:
            if self._runner is not None and plan is not None and plan.g_params is not None:
                self._runner.finish(
                    trainer, [*plan.g_params, *plan.d_params], self._drawer(trainer, plan)
                )
        finally:
            self._plan = None
            self._in_fit = False

    # -- the fused step --------------------------------------------------------------------

    def step(self, trainer: Any) -> StepRecord | None:
        """Run one fused iteration of ``trainer``; ``None`` means: take the plain path."""
        if self._in_fit:
            self._remaining -= 1
        if self._runner is not None and self._runner.pending():
            return self._runner.pop()  # type: ignore[no-any-return]
        plan = self._plan
        if plan is None or not plan.serves(trainer):
            plan = self.plan(trainer)
            if self._in_fit:
                self._plan = plan
            if plan is None:
                return None
        d_lr = current_lr(plan.d_opt)
        if d_lr is None:
            return None
        n, rng = trainer.batch_size, trainer.rng
        if not self.adversarial:
            real = trainer.real.sample(n, generator=rng)
            fake = trainer.fake.sample(n, generator=rng)
            _check_float32(real, fake)
            plan.d_opt._opt_called = True  # type: ignore[attr-defined]
            d_update = _sgd(plan.d_params, d_lr)
            with torch.no_grad():
                d_real = fused.discriminator_step(
                    plan.d_spec, plan.d_params, real, 1.0, plan.kind, d_update, prepared=plan.d_t
                )
                d_fake = fused.discriminator_step(
                    plan.d_spec, plan.d_params, fake, 0.0, plan.kind, d_update, prepared=plan.d_t
                )
            return StepRecord(d_loss_real=d_real, d_loss_fake=d_fake)
        assert plan.g_opt is not None and plan.g_params is not None and plan.g_spec is not None
        g_lr = current_lr(plan.g_opt)
        if g_lr is None:
            return None
        plan.d_opt._opt_called = True  # type: ignore[attr-defined]
        plan.g_opt._opt_called = True  # type: ignore[attr-defined]
        if self.compile and not self._compile_failed:
            record = self._run_compiled(trainer, plan, g_lr, d_lr)
            if record is not None:
                return record
        real = trainer.real.sample(n, generator=rng)
        z_fake = trainer.noise.sample(n, generator=rng)
        z_gen = trainer.noise.sample(n, generator=rng)
        _check_float32(real, z_fake, z_gen)
        with torch.no_grad():
            d_real, d_fake, g_loss, fake = fused.adversarial_step(
                plan.g_spec,
                plan.d_spec,
                plan.g_params,
                plan.d_params,
                real,
                z_fake,
                z_gen,
                plan.kind,
                _sgd(plan.g_params, g_lr),
                _sgd(plan.d_params, d_lr),
                g_prepared=plan.g_t,
                d_prepared=plan.d_t,
            )
        return StepRecord(d_loss_real=d_real, d_loss_fake=d_fake, g_loss=g_loss, fake=fake)

    # -- compile=True ----------------------------------------------------------------------

    def _drawer(self, trainer: Any, plan: Plan) -> Callable[[int], list[torch.Tensor]]:
        """``draw(k)``: ``k`` iterations' data, as ``k`` calls of ``step`` would draw it."""
        n = trainer.batch_size
        sources = [(trainer.real, n), (trainer.noise, n), (trainer.noise, n)]
        real_plan, noise_plan = plan.sources or (None, None)
        plans = [real_plan, noise_plan, noise_plan]
        if real_plan is not None and noise_plan is not None:
            # The library's sources: one torch.rand call for k iterations (see _streams).
            (w_real, to_real), (w_noise, to_noise) = real_plan, noise_plan
            a, b = n * w_real, n * (w_real + w_noise)
            width = n * (w_real + 2 * w_noise)
            rng = trainer.rng

            def draw_fast(k: int) -> list[torch.Tensor]:
                u = torch.rand(k, width, generator=rng)
                return [
                    to_real(u[:, :a].reshape(k, n, w_real)),
                    to_noise(u[:, a:b].reshape(k, n, w_noise)),
                    to_noise(u[:, b:].reshape(k, n, w_noise)),
                ]

            return draw_fast

        def draw(k: int) -> list[torch.Tensor]:
            parts = [x[:, 0] for x in draw_steps([trainer.rng], sources, k, plans)]
            _check_float32(*parts)
            return parts

        return draw

    def _run_compiled(
        self, trainer: Any, plan: Plan, g_lr: float, d_lr: float
    ) -> StepRecord | None:
        from tinygan.engine.compiled import ChunkRunner, warn_compile_failed

        assert plan.g_params is not None and plan.g_spec is not None
        key = (plan.g_spec, plan.d_spec, plan.kind)
        ahead = self._in_fit and self._passive
        count = max(1, self._remaining + 1) if ahead else 1
        try:
            if self._runner is None or self._runner.key != key:
                self._runner = ChunkRunner(plan.g_spec, plan.d_spec, plan.kind)
            return self._runner.run(  # type: ignore[no-any-return]
                trainer,
                [*plan.g_params, *plan.d_params],
                (g_lr, d_lr),
                count,
                self._drawer(trainer, plan),
            )
        except TypeError:
            raise
        except Exception as exc:  # no C++ compiler, or torch.compile cannot serve here
            self._compile_failed = True
            warn_compile_failed(exc, stacklevel=4)
            return None


def _check_float32(*batches: torch.Tensor) -> None:
    if any(x.dtype != torch.float32 for x in batches):
        raise TypeError("data sources must return float32 tensors for float32 networks")


def _sgd(params: list[torch.Tensor], lr: float) -> fused.Update:
    return lambda grads: fused.sgd_(params, grads, lr)
