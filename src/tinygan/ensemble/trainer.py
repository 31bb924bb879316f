"""Train many independent GANs in lockstep, on one of three backends.

The members are stacked (:class:`tinygan.engine.stack.Stack`) with one torch optimiser
per side; the fused step or the native kernel train :func:`tinygan.mlp` networks.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from typing import Any

import torch

from tinygan._checks import check_device, check_int, check_positive_float, check_state_keys
from tinygan.callbacks import Callback
from tinygan.engine.native import NativeKernelError, kernel
from tinygan.engine.stack import Stack
from tinygan.engine.stack_backends import FusedStack, NativeStack
from tinygan.engine.table import (
    Backend,
    Fallback,
    Request,
    check_backend,
    choose,
    ensemble_reason,
    fused_loss,
    passive,
)
from tinygan.engine.vmap import Vmap
from tinygan.ensemble import build as _build
from tinygan.ensemble import stacking as _stacking
from tinygan.ensemble._member_data import MemberData
from tinygan.nets import MLP
from tinygan.objectives import Objective
from tinygan.protocols import DataSource, StepRecord
from tinygan.training import BaseTrainer
from tinygan.training.parts import check_source

__all__ = ["EnsembleTrainer"]

logger = logging.getLogger(__name__)

_OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}
_OLD_STATE = (
    "this ensemble state was written by a tinygan before December 2026, which kept the "
    "optimisers' state apart ('moments' or 'vmapped'): load it with that version"
)


class EnsembleTrainer(BaseTrainer):
    """Train ``K`` independent GANs in lockstep: one batched computation for all of them.

    Each member is a generator and discriminator pair trained as
    :class:`tinygan.AdversarialTrainer` trains one, with the loss and optimiser named by
    ``loss`` and ``optimizer``. Members share nothing but the arithmetic: member ``k``'s
    gradients, optimiser state and data are its own. It draws from its own
    :class:`torch.Generator`, seeded with ``seeds[k]``, the very draws an
    ``AdversarialTrainer(..., seed=seeds[k])`` makes. ``g_optimizer`` and ``d_optimizer``
    are torch optimisers over the stacked weights, on which a schedule acts on any backend.

    Args:
        generators: ``K`` generators built by :func:`tinygan.mlp`, all alike.
        discriminators: ``K`` discriminators built by :func:`tinygan.mlp`, all alike.
        real: The real data.
        noise: The generators' input.
        lr: The learning rate.
        batch_size: Samples per step and member.
        loss: ``"mse"`` (the post's) or ``"bce"`` (binary cross-entropy; the
            discriminators must end with a sigmoid).
        optimizer: ``"sgd"`` (plain SGD, the post's) or ``"adam"``
            (:class:`torch.optim.Adam`'s defaults but ``lr``), per member.
        seeds: The seed of each member's data generator; ``None`` draws fresh ones.
        callbacks: The callbacks :meth:`fit` drives. Their records hold one value per
            member: losses of shape ``(K,)`` and ``fake`` of shape ``(K, batch_size, dim)``.
        compile: The older spelling of ``backend="native"`` (where the native kernel
            cannot serve, ``"auto"``'s choice after one warning).
        device: Where the stacked weights live and every member's data is drawn (its
            generator is a ``torch.Generator`` there); ``None``: where the given
            networks are. Off the CPU, a generator's numbers depend on how many are
            drawn at a time, so members draw step by step there, each exactly as its
            lone trainer on that device.
        objective: How the losses come from D's scores (as a lone trainer's; ``loss``
            names two of them); any but those two, or ``d_steps`` above 1, trains on
            ``vmap`` (one with a gradient penalty is refused: train lone trainers).
        d_steps: D's steps per G step.
        backend: ``"auto"`` (the fused step), ``"fused"`` (the step by hand in torch, on
            any device), ``"native"`` (tinygan's C kernel: about ten times as fast,
            within float tolerance) or ``"vmap"``; see :doc:`/performance`. Members
            equal their lone trainers within float tolerance on every backend.

    Attributes:
        seeds: The seed of each member's data generator.
        rngs: Each member's :class:`torch.Generator`.
        device: Where the ensemble trains (a :class:`torch.device`).
        check_finite: Off by default here (unlike single trainers): one member's
            divergence does not stop the others; its losses become NaN.

    Raises:
        TypeError: If the networks are not alike :class:`tinygan.MLP` networks, or an
            argument has the wrong type.
        ValueError: If sizes do not fit together, a value is out of range, or
            ``backend`` names one that cannot serve this ensemble (the message says why).

    Example:
        >>> import tinygan as tg
        >>> ens = tg.EnsembleTrainer.from_seeds(
        ...     range(3), tg.FuzzyPattern("1010"), tg.UniformNoise(4), backend="fused")
        >>> record = ens.fit(5).step()
        >>> ens.members, ens.backend, tuple(record.g_loss.shape), tuple(record.fake.shape)
        (3, 'fused', (3,), (3, 1, 4))
        >>> G0, D0 = ens.unstack()[0]
    """

    def __init__(
        self,
        generators: Sequence[MLP],
        discriminators: Sequence[MLP],
        real: DataSource,
        noise: DataSource,
        *,
        lr: float = 0.01,
        batch_size: int = 1,
        loss: str = "mse",
        optimizer: str = "sgd",
        seeds: Sequence[int] | None = None,
        callbacks: Iterable[Callback] = (),
        compile: bool = False,
        device: torch.device | str | None = None,
        backend: str = "auto",
        objective: str | Objective | None = None,
        d_steps: int = 1,
    ) -> None:
        super().__init__(callbacks=callbacks)
        request = check_backend(backend, compile)
        wanted = check_device("device", device)
        gens = _stacking.check_nets("generators", generators)
        discs = _stacking.check_nets("discriminators", discriminators)
        _stacking.check_pair(gens, discs, check_source("real", real), check_source("noise", noise))
        _stacking.check_settings(loss, optimizer, discs)
        seeds = _stacking.member_seeds(seeds, gens.members)
        device = wanted if wanted is not None else gens.params[0].device
        objective = _stacking.ensemble_objective(loss, objective)
        self._setup(real, noise, lr, batch_size, seeds, device, objective, d_steps)
        self.loss, self.optimizer = str(loss), str(optimizer)
        spec = (_OPTIMIZERS[self.optimizer], {"lr": self.lr})
        g, d = ([p.to(device) for p in nets.params] for nets in (gens, discs))
        self._start(g, d, (gens.template, discs.template), (spec, spec), request)

    def _setup(
        self, real: DataSource, noise: DataSource, lr: float, batch_size: int,
        seeds: list[Any], device: torch.device, objective: Objective, d_steps: int,
    ) -> None:  # fmt: skip
        """What every ensemble has: the members' seeds, generators and settings."""
        self.lr = check_positive_float("lr", lr)
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        self.d_steps = check_int("d_steps", d_steps, minimum=1)
        self.real, self.noise, self.seeds, self.device = real, noise, seeds, device
        self.objective = objective
        self.rngs = [torch.Generator(device=device) for _ in seeds]
        for rng, seed in zip(self.rngs, seeds, strict=True):
            if seed is not None:  # None: from_trainers sets the state
                rng.manual_seed(seed)
        self.check_finite = False  # one member's divergence must not stop the others
        self._ahead = False

    def _start(
        self, g: list[torch.Tensor], d: list[torch.Tensor], templates: tuple[Any, Any],
        optimizers: Any, request: Request,
    ) -> None:  # fmt: skip
        """Stack the members, draw their data, and start the backend the table picks."""
        self._stack = stack = Stack(g, d, self.members, templates, optimizers)
        self._data = MemberData(
            self.rngs, self.real, self.noise, self.batch_size, g[0].shape[-1], self.d_steps
        )
        self._fallback = fell_back = Fallback()  # what the files say of the backend
        why_not = functools.partial(
            ensemble_reason, stack=stack, objective=self.objective, d_steps=self.d_steps
        )
        self._backend = self._make(choose("ensemble", request, why_not, fell_back), stack)

    def _make(self, name: str, stack: Stack) -> Backend:
        """The backend ``name`` over ``stack`` (the fused step where the kernel cannot load)."""
        if name == "vmap":
            return Vmap(stack, self.objective, self._data, self.d_steps)
        kind = fused_loss(self.objective, self.d_steps)[0]
        if name == "native":
            try:
                found = kernel()
            except NativeKernelError as exc:
                self._fallback("native", str(exc), "fused")
            else:
                self._data.kernel_draws, threads = found.draws, max(1, torch.get_num_threads())
                return NativeStack(stack, kind, self._data, found, threads, self.batch_size)
        return FusedStack(stack, kind, self._data)

    g_optimizer = property(lambda self: self._stack.g_opt, doc="The generators' optimiser.")
    d_optimizer = property(lambda self: self._stack.d_opt, doc="The discriminators' optimiser.")
    from_seeds = classmethod(_build.from_seeds)
    from_trainers = classmethod(_build.from_trainers)

    members = property(lambda self: len(self.seeds), doc="The number of members ``K``.")

    @property
    def backend(self) -> str:
        """The name of the backend that runs: ``"native"``, ``"fused"`` or ``"vmap"``."""
        return self._backend.name

    def backend_info(self) -> dict[str, Any]:
        """What a run's files record of the backend (as ``AdversarialTrainer.backend_info``)."""
        return self._fallback.record(self._backend.describe())

    def fit(self, steps: int) -> EnsembleTrainer:
        """Run ``steps`` more iterations of every member, driving the callbacks.

        Data is drawn in chunks of many iterations, never past the last one ``fit`` runs,
        so ``fit(a)`` then ``fit(b)`` equals ``fit(a + b)``.
        """
        self._data.planned = check_int("steps", steps, minimum=0)
        self._ahead = passive(self.callbacks)
        try:
            super().fit(steps)
        except BaseException:
            self._end_fit(keep_going=True)  # the fit's own error is the one to see
            raise
        self._end_fit(keep_going=False)
        return self

    def _end_fit(self, keep_going: bool) -> None:
        """Undo what was computed ahead; hand the kernel's generator states back.

        With ``keep_going`` its error is logged: the failing fit's own is the one to see.
        """
        self._ahead = False
        self._data.planned = 0
        try:
            self._backend.finish()
            self._data.settle()
        except Exception:
            if not keep_going:
                raise
            logger.exception("while ending a failed fit")

    def step(self) -> StepRecord:
        """Run one iteration of every member; the record holds one value per member."""
        return self._backend.step(max(1, self._data.planned) if self._ahead else 1)

    def generate(self, z: torch.Tensor) -> torch.Tensor:
        """Run every member's generator on ``z``, without gradients.

        Args:
            z: Noise ``(m, noise.dim)`` shared by all members, or ``(K, m, noise.dim)``.

        Returns:
            The outputs, shape ``(K, m, real.dim)``. On the native backend the kernel
            computes them too, within float tolerance of the fused forward pass.
        """
        z = _stacking.check_noise(z, self.noise.dim, self.members)
        return self._stack.generate(z, getattr(self._backend, "kernel", None))

    def unstack(self) -> list[tuple[Any, Any]]:
        """Return each member's ``(generator, discriminator)`` as fresh networks.

        They hold copies of the current weights: training them does not change the
        ensemble, nor the other way round.
        """
        return [self._stack.unstack(k) for k in range(self.members)]

    def state_dict(self) -> dict[str, Any]:
        """Return the whole training state: weights, optimiser state, data generators.

        Loading it into an ensemble built the same way continues training exactly where
        this one is. It holds the real members only (padding is the ensemble's own).
        """
        self._data.settle()  # the generators as the handed-out iterations leave them
        return {
            "iteration": self.iteration,
            **self._stack.state_dict(),
            "rngs": [g.get_state() for g in self.rngs],
            "buffer": self._data.remaining(self.members),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state returned by :meth:`state_dict`.

        Raises:
            KeyError: If ``state`` lacks an entry.
            ValueError: If its tensors do not fit this ensemble, or an older tinygan wrote it.
        """
        self._data.settle()
        if "moments" in state or "vmapped" in state:
            raise ValueError(_OLD_STATE)
        check_state_keys("ensemble", state, ["iteration", "rngs", *Stack.state_keys])
        if len(state["rngs"]) != self.members:
            raise ValueError("state does not fit this ensemble (members differ)")
        self._stack.load_state_dict(state)
        for g, rng_state in zip(self.rngs, state["rngs"], strict=True):
            g.set_state(rng_state)
        self.iteration = check_int("iteration", state["iteration"], minimum=0)
        self._data.restore(state.get("buffer", []))
