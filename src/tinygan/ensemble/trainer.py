"""Train many independent GANs in lockstep, as one batched computation.

GAN training is unstable, so the first question about a configuration is how often it
works, and that takes many seeds. :class:`EnsembleTrainer` trains ``K`` generator and
discriminator pairs at once: their weights are stacked along a member dimension (kept
last in memory, so that every operation of a step runs along all members at once, in
vector instructions) and each step is a few dozen such operations, computed by
:mod:`tinygan.engine.fused` without autograd. Member ``k``'s gradients, losses and data are its
own: it follows exactly the steps a lone :class:`tinygan.AdversarialTrainer` would take
from the same weights on the same data.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

import torch

from tinygan._checks import check_bool, check_device, check_int, check_positive_float
from tinygan.callbacks import Callback
from tinygan.engine import fused
from tinygan.engine.compiled import chunk_records
from tinygan.ensemble import _state as _ensemble_state
from tinygan.ensemble import build as _build
from tinygan.ensemble import stacking as _stacking
from tinygan.ensemble._compiled import CompiledEnsemble, passive
from tinygan.ensemble._member_data import MemberData
from tinygan.ensemble._updates import check_loss_and_optimizer, member_update
from tinygan.ensemble.vmapped import VmapBackend
from tinygan.nets import MLP
from tinygan.protocols import DataSource, StepRecord
from tinygan.training import BaseTrainer
from tinygan.training.parts import check_source

__all__ = ["EnsembleTrainer"]

logger = logging.getLogger(__name__)


class EnsembleTrainer(BaseTrainer):
    """Train ``K`` independent GANs in lockstep: one batched computation for all of them.

    Each member is a generator and discriminator pair trained exactly as
    :class:`tinygan.AdversarialTrainer` trains one (the post's three steps per iteration)
    with the default loss and optimiser named by ``loss`` and ``optimizer``. Members share
    nothing but the arithmetic: member ``k``'s gradients, optimiser state and data are its
    own, so its run does not depend on which other members are in the ensemble.

    Data: member ``k`` draws from its own :class:`torch.Generator`, seeded with
    ``seeds[k]``, the very draws an ``AdversarialTrainer(..., seed=seeds[k])`` makes (real
    batch, noise for the fake batch, noise for the generator step, every iteration). For
    the library's data sources they are drawn many iterations at a time, with the same
    numbers; other sources are sampled step by step (slower, the same numbers).

    Args:
        generators: ``K`` generators built by :func:`tinygan.mlp`, all alike.
        discriminators: ``K`` discriminators built by :func:`tinygan.mlp`, all alike.
        real: The real data.
        noise: The generators' input.
        lr: The learning rate.
        batch_size: Samples per step and member.
        loss: ``"mse"`` (the post's) or ``"bce"`` (binary cross-entropy; the
            discriminators must end with a sigmoid).
        optimizer: ``"sgd"`` (plain SGD, the post's) or ``"adam"`` (:class:`torch.optim.Adam`'s
            defaults but ``lr``), per member.
        seeds: The seed of each member's data generator; ``None`` draws fresh ones.
        callbacks: The callbacks :meth:`fit` drives. Their records hold one value per
            member: losses of shape ``(K,)`` and ``fake`` of shape ``(K, batch_size, dim)``.
        compile: Run the step compiled (see :doc:`/performance`). On the CPU with float32
            weights that is the native kernel (``tinygan.engine.native``): C code built
            with the machine's C compiler once per machine (about a second; kept in
            ``$TINYGAN_CACHE_DIR``, else ``~/.cache/tinygan``) that runs hundreds of
            iterations per call, draws each member's data from the member's own
            generator exactly as the eager step does, and costs about 0.04 ms per
            iteration of 1,000 members against 0.5 ms eager. Elsewhere, or without a C
            compiler, it is :func:`torch.compile`, 4 iterations per compiled call
            (seconds to compile). Either way the numbers agree with the eager step
            within float tolerance (not bit for bit), and ``fit(a)`` then ``fit(b)``
            equals ``fit(a + b)``. Where nothing compiles, training goes on eagerly after
            one :class:`RuntimeWarning`.
        device: Where the stacked weights live and every member's data is drawn (its
            generator is a ``torch.Generator`` there); ``None``: where the given
            networks are. Nothing moves to the CPU per step. Off the CPU, a
            generator's numbers depend on how many are drawn at a time, so members
            draw step by step there, each exactly as its lone trainer on that device.

    Attributes:
        seeds: The seed of each member's data generator.
        rngs: Each member's :class:`torch.Generator`.
        device: Where the ensemble trains (a :class:`torch.device`).
        check_finite: Off by default here (unlike single trainers): one member's
            divergence does not stop the others; its losses become NaN.

    Raises:
        TypeError: If the networks are not alike :class:`tinygan.MLP` networks, or an
            argument has the wrong type.
        ValueError: If sizes do not fit together or a value is out of range.

    Example:
        >>> import tinygan as tg
        >>> ens = tg.EnsembleTrainer.from_seeds(
        ...     range(3), tg.FuzzyPattern("1010"), tg.UniformNoise(4))
        >>> record = ens.fit(5).step()
        >>> ens.members, tuple(record.g_loss.shape), tuple(record.fake.shape)
        (3, (3,), (3, 1, 4))
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
    ) -> None:
        super().__init__(callbacks=callbacks)
        check_bool("compile", compile)
        wanted = check_device("device", device)
        gens = _stacking.check_nets("generators", generators)
        discs = _stacking.check_nets("discriminators", discriminators)
        self.device = wanted if wanted is not None else gens.params[0].device
        self._g_spec, self._d_spec = gens.spec, discs.spec
        _stacking.check_pair(gens, discs, check_source("real", real), check_source("noise", noise))
        k = gens.members
        self.lr = check_positive_float("lr", lr)
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        self.loss, self.optimizer = check_loss_and_optimizer(loss, optimizer, self._d_spec)
        self.seeds: list[int] = _stacking.member_seeds(seeds, k)
        self.rngs = [torch.Generator(device=self.device).manual_seed(s) for s in self.seeds]
        self.real = real
        self.noise = noise
        self.compile = compile
        self._templates = (gens, discs)
        self._padded = _stacking.padded(k)
        self._g = [p.to(self.device) for p in gens.params]
        self._d = [p.to(self.device) for p in discs.params]
        self._g_views = fused.prepare(self._g_spec, self._g, sums=True)
        self._d_views = fused.prepare(self._d_spec, self._d, sums=True)
        # One member's divergence must not stop the others: a diverged member shows
        # NaN in its losses (see BaseTrainer.check_finite), the rest train on.
        self.check_finite = False
        self._adam_steps = [0, 0]  # the generators' and the discriminators' update count
        self._moments = [torch.zeros_like(p) for p in (*self._g, *self._d, *self._g, *self._d)]
        self._data = MemberData(self.rngs, real, noise, self.batch_size, self._padded)
        self._compiled = CompiledEnsemble()
        self._ahead = False
        self._vmap: VmapBackend | None = None

    from_seeds = classmethod(_build.from_seeds)
    from_trainers = classmethod(_build.from_trainers)

    @property
    def members(self) -> int:
        """The number of members ``K``."""
        return len(self.seeds)

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
        """Undo what was computed ahead and wait for a background draw.

        With ``keep_going`` (the fit is already failing) an error of the background draw
        does not hide the fit's own: it is logged instead.
        """
        self._ahead = False
        self._data.planned = 0
        try:
            self._compiled.finish(self)
            self._data.settle()
        except Exception:
            if not keep_going:
                raise
            logger.exception("while ending a failed fit")

    def _record(
        self, d_real: torch.Tensor, d_fake: torch.Tensor, g_loss: torch.Tensor, fake: torch.Tensor
    ) -> StepRecord:
        k = self.members
        return StepRecord(
            d_loss_real=d_real[:k],
            d_loss_fake=d_fake[:k],
            g_loss=g_loss[:k],
            fake=fake.permute(2, 0, 1)[:k],
        )

    def _records(self, losses: torch.Tensor, fakes: torch.Tensor) -> Sequence[StepRecord]:
        """:meth:`_record` of a compiled chunk's iterations, sliced once for all of them."""
        k = self.members
        return chunk_records(losses[..., :k], fakes.permute(0, 3, 1, 2)[:, :k])

    def step(self) -> StepRecord:
        """Run one iteration of every member; the record holds one value per member."""
        if self._vmap is not None:
            real, z_fake, z_gen = (part[0].permute(2, 0, 1) for part in self._data.draw(1))
            return StepRecord(*self._vmap.step(real, z_fake, z_gen))
        if self._compiled.pending():
            return self._compiled.pop()
        if self.compile and not self._compiled.failed:
            record = self._compiled.step(self, self._ahead)
            if record is not None:
                return record
        real, z_fake, z_gen = (part[0] for part in self._data.draw(1))
        with torch.no_grad():
            d_real, d_fake, g_loss, fake = fused.adversarial_step(
                self._g_spec,
                self._d_spec,
                self._g,
                self._d,
                real,
                z_fake,
                z_gen,
                self.loss,
                member_update(self, 0),
                member_update(self, 1),
                sums=True,
                g_prepared=self._g_views,
                d_prepared=self._d_views,
            )
        return self._record(d_real, d_fake, g_loss, fake)

    def generate(self, z: torch.Tensor) -> torch.Tensor:
        """Run every member's generator on ``z``, without gradients.

        Args:
            z: Noise ``(m, noise.dim)`` shared by all members, or ``(K, m, noise.dim)``.

        Returns:
            The outputs, shape ``(K, m, real.dim)``. Once the native kernel trains the
            ensemble (``compile=True``), it computes them too, within float tolerance of
            the eager forward pass.
        """
        if self._vmap is not None:
            width = self.noise.dim
            return self._vmap.generate(_stacking.check_noise(z, width, self.members))
        native = self._compiled.native and not self._compiled.failed
        return _stacking.generate(
            self._g_spec, self._g, z, self.members, self._padded, native=native
        )

    def unstack(self) -> list[tuple[Any, Any]]:
        """Return each member's ``(generator, discriminator)`` as fresh networks.

        They hold copies of the current weights: training them does not change the
        ensemble, nor the other way round.
        """
        if self._vmap is not None:
            return [self._vmap.unstack(k) for k in range(self.members)]
        g_stack, d_stack = self._templates
        return [
            (
                _stacking.unstack(g_stack, self._g, k).to(self.device),
                _stacking.unstack(d_stack, self._d, k).to(self.device),
            )
            for k in range(self.members)
        ]

    def state_dict(self) -> dict[str, Any]:
        """Return the whole training state: weights, optimiser state, data generators.

        Loading it into an ensemble built the same way continues training exactly where
        this one is.
        """
        return _ensemble_state.state_dict(self)

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state returned by :meth:`state_dict`.

        Raises:
            KeyError: If ``state`` lacks an entry.
            ValueError: If its tensors do not fit this ensemble.
        """
        _ensemble_state.load_state_dict(self, state)
