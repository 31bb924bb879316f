"""Train many independent GANs in lockstep, as one batched computation.

GAN training is unstable, so the first question about a configuration is how often it
works, and that takes many seeds. :class:`EnsembleTrainer` trains ``K`` generator and
discriminator pairs at once: their weights are stacked along a member dimension (kept
last in memory, so that every operation of a step runs along all members at once, in
vector instructions) and each step is a few dozen such operations, computed by
:mod:`tinygan.fused` without autograd. Member ``k``'s gradients, losses and data are its
own: it follows exactly the steps a lone :class:`tinygan.AdversarialTrainer` would take
from the same weights on the same data.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import torch

from tinygan import fused
from tinygan._checks import check_int, check_positive_float
from tinygan._models import check_source
from tinygan._streams import draw_steps, vectorised
from tinygan.callbacks import Callback
from tinygan.loop import BaseTrainer
from tinygan.nets import MLP, mlp
from tinygan.protocols import DataSource
from tinygan.records import StepRecord

__all__ = ["EnsembleTrainer"]

_LOSSES = ("mse", "bce")
_OPTIMIZERS = ("sgd", "adam")
_CHUNK_BYTES = 64 * 2**20  # the most memory one chunk of pre-drawn data may take
_MAX_CHUNK = 1024
# Members are computed in groups of _ALIGN (the last group padded with copies of member 0,
# whose results are dropped): every elementwise kernel then sees a multiple of its vector
# width, so no member's numbers fall into a kernel's scalar tail, and member k's results do
# not depend on how many members the ensemble has.
_ALIGN = 64


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seeds must be integers, got {seed!r}")
    if not 0 <= int(seed) < 2**64:
        raise ValueError(f"seeds must be integers in [0, 2**64), got {seed!r}")
    return int(seed)


def _check_nets(name: str, nets: Sequence[Any]) -> tuple[list[MLP], fused.NetSpec]:
    if isinstance(nets, torch.nn.Module) or not isinstance(nets, Sequence) or not nets:
        raise TypeError(f"{name} must be a non-empty sequence of networks built by tg.mlp")
    spec: fused.NetSpec | None = None
    for i, net in enumerate(nets):
        this = fused.net_spec(net)
        if this is None:
            raise TypeError(
                f"{name}[{i}] must be a tg.MLP of Linear layers and Sigmoid/Tanh/ReLU/Identity "
                f"activations with float parameters, got {net!r}"
            )
        if next(net.parameters()).dtype != torch.float32:
            raise TypeError(f"{name}[{i}] must have float32 parameters")
        if spec is not None and this != spec:
            raise ValueError(f"{name} must all have the same sizes, bias and activations")
        spec = this
    assert spec is not None
    return list(nets), spec


def _padded(k: int) -> int:
    """``k`` rounded up to a multiple of :data:`_ALIGN`."""
    return -(-k // _ALIGN) * _ALIGN


def _stack(nets: Sequence[MLP], padded: int) -> list[torch.Tensor]:
    """Each parameter of all networks, members last: ``(out, in, K)``, ``(out, K)``."""
    per_net = [[p.detach() for p in net.parameters()] for net in nets]
    per_net += [per_net[0]] * (padded - len(nets))
    return [torch.stack(tensors, dim=-1).contiguous() for tensors in zip(*per_net, strict=True)]


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

    Attributes:
        seeds: The seed of each member's data generator.
        rngs: Each member's :class:`torch.Generator`.
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
    ) -> None:
        super().__init__(callbacks=callbacks)
        gens, self._g_spec = _check_nets("generators", generators)
        discs, self._d_spec = _check_nets("discriminators", discriminators)
        if len(gens) != len(discs):
            raise ValueError(
                f"generators and discriminators must have the same length, got "
                f"{len(gens)} and {len(discs)}"
            )
        k = len(gens)
        real_dim = check_source("real", real)
        noise_dim = check_source("noise", noise)
        g_sizes, d_sizes = self._g_spec.sizes, self._d_spec.sizes
        if g_sizes[0] != noise_dim:
            raise ValueError(f"noise.dim is {noise_dim} but the generators take {g_sizes[0]}")
        if g_sizes[-1] != real_dim:
            raise ValueError(
                f"the generators' output has width {g_sizes[-1]} but real.dim is {real_dim}"
            )
        if d_sizes[0] != real_dim:
            raise ValueError(f"real.dim is {real_dim} but the discriminators take {d_sizes[0]}")
        if d_sizes[-1] != 1:
            raise ValueError(
                f"the discriminators must output one value per sample, got {d_sizes[-1]}"
            )
        self.lr = check_positive_float("lr", lr)
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        if loss not in _LOSSES:
            raise ValueError(f"loss must be one of {_LOSSES}, got {loss!r}")
        if loss == "bce" and self._d_spec.activations[-1] != "sigmoid":
            raise ValueError("loss='bce' needs discriminators whose last activation is Sigmoid")
        if optimizer not in _OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {_OPTIMIZERS}, got {optimizer!r}")
        self.loss = loss
        self.optimizer = optimizer
        if seeds is None:
            seeds = [torch.Generator().seed() for _ in range(k)]
        if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence):
            raise TypeError(f"seeds must be a sequence of integers or None, got {seeds!r}")
        self.seeds: list[int] = [_check_seed(s) for s in seeds]
        if len(self.seeds) != k:
            raise ValueError(f"seeds must have one entry per member ({k}), got {len(self.seeds)}")
        self.rngs = [torch.Generator().manual_seed(s) for s in self.seeds]
        self.real = real
        self.noise = noise
        self._templates = (copy.deepcopy(gens[0]), copy.deepcopy(discs[0]))
        self._padded = _padded(k)
        self._g = _stack(gens, self._padded)
        self._d = _stack(discs, self._padded)
        self._g_views = fused.prepare(self._g_spec, self._g, sums=True)
        self._d_views = fused.prepare(self._d_spec, self._d, sums=True)
        # One member's divergence must not stop the others: a diverged member shows
        # NaN in its losses (see BaseTrainer.check_finite), the rest train on.
        self.check_finite = False
        self._adam_steps = [0, 0]  # the generators' and the discriminators' update count
        self._moments = [torch.zeros_like(p) for p in (*self._g, *self._d, *self._g, *self._d)]
        self._sources = [(real, self.batch_size), (noise, self.batch_size)]
        self._plans = [vectorised(real), vectorised(noise)]
        self._buffer: list[torch.Tensor] = []
        self._pos = 0
        self._planned = 0

    @classmethod
    def from_seeds(
        cls,
        seeds: Iterable[int],
        real: DataSource,
        noise: DataSource,
        generator_sizes: Sequence[int] = (4, 4, 4),
        discriminator_sizes: Sequence[int] = (4, 3, 1),
        *,
        bias: bool = False,
        lr: float = 0.01,
        batch_size: int = 1,
        loss: str = "mse",
        optimizer: str = "sgd",
        callbacks: Iterable[Callback] = (),
    ) -> EnsembleTrainer:
        """Build one member per seed, its weights and its data both from that seed.

        Member ``k``'s networks are ``G = tg.mlp(generator_sizes, bias=bias, generator=g)``
        and then ``D = tg.mlp(discriminator_sizes, bias=bias, generator=g)`` from the same
        ``g = torch.Generator().manual_seed(seeds[k])``, and its data comes from a second
        generator seeded with ``seeds[k]``: so member ``k`` is exactly
        ``tg.AdversarialTrainer(G, D, real, noise, seed=seeds[k])``.

        Args:
            seeds: One integer per member.
            real: The real data.
            noise: The generators' input.
            generator_sizes: The generators' layer widths.
            discriminator_sizes: The discriminators' layer widths.
            bias: Whether the linear layers have biases.
            lr: The learning rate.
            batch_size: Samples per step and member.
            loss: ``"mse"`` or ``"bce"``.
            optimizer: ``"sgd"`` or ``"adam"``.
            callbacks: The callbacks :meth:`fit` drives.

        Returns:
            The ensemble.
        """
        seed_list = [_check_seed(s) for s in seeds]
        if not seed_list:
            raise ValueError("seeds must hold at least one seed")
        gens: list[MLP] = []
        discs: list[MLP] = []
        for seed in seed_list:
            g = torch.Generator().manual_seed(seed)
            gens.append(mlp(generator_sizes, bias=bias, generator=g))
            discs.append(mlp(discriminator_sizes, bias=bias, generator=g))
        return cls(
            gens,
            discs,
            real,
            noise,
            lr=lr,
            batch_size=batch_size,
            loss=loss,
            optimizer=optimizer,
            seeds=seed_list,
            callbacks=callbacks,
        )

    @property
    def members(self) -> int:
        """The number of members ``K``."""
        return len(self.seeds)

    def fit(self, steps: int) -> EnsembleTrainer:
        """Run ``steps`` more iterations of every member, driving the callbacks.

        Data is drawn in chunks of many iterations, never past the last one ``fit`` runs,
        so ``fit(a)`` then ``fit(b)`` equals ``fit(a + b)``.
        """
        self._planned = check_int("steps", steps, minimum=0)
        try:
            return super().fit(steps)
        finally:
            self._planned = 0

    def _next_data(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        if self._pos >= (self._buffer[0].shape[0] if self._buffer else 0):
            per_step = 4 * self.members * self.batch_size * (self.real.dim + 2 * self.noise.dim)
            cap = max(1, min(_MAX_CHUNK, _CHUNK_BYTES // (2 * per_step)))
            steps = max(1, min(cap, self._planned))
            sources = [self._sources[0], self._sources[1], self._sources[1]]
            plans = [self._plans[0], self._plans[1], self._plans[1]]
            self._buffer = draw_steps(
                self.rngs, sources, steps, plans, self._padded, members_last=True
            )
            self._pos = 0
        t = self._pos
        self._pos += 1
        if self._planned:
            self._planned -= 1
        real, z_fake, z_gen = self._buffer
        return real[t], z_fake[t], z_gen[t]

    def _pad(self, data: torch.Tensor, dim: int = -1) -> torch.Tensor:
        """Pad ``data``'s member dimension ``dim`` with zeros, to the padded member count."""
        extra = self._padded - data.shape[dim]
        if extra <= 0:
            return data
        shape = list(data.shape)
        shape[dim] = extra
        return torch.cat([data, data.new_zeros(shape)], dim=dim)

    def _unpad(self, stacked: torch.Tensor) -> torch.Tensor:
        """The real members of a members-last tensor, members first, as a fresh copy."""
        return stacked[..., : self.members].movedim(-1, 0).clone()

    def _update(self, which: int) -> fused.Update:
        params = (self._g, self._d)[which]
        if self.optimizer == "sgd":
            return lambda grads: fused.sgd_(params, grads, self.lr)
        n = len(self._g) + len(self._d)
        offset = 0 if which == 0 else len(self._g)
        exp_avgs = self._moments[offset : offset + len(params)]
        exp_avg_sqs = self._moments[n + offset : n + offset + len(params)]

        def update(grads: Sequence[torch.Tensor]) -> None:
            self._adam_steps[which] += 1
            fused.adam_(params, grads, exp_avgs, exp_avg_sqs, self._adam_steps[which], lr=self.lr)

        return update

    def step(self) -> StepRecord:
        """Run one iteration of every member; the record holds one value per member."""
        real, z_fake, z_gen = self._next_data()
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
                self._update(0),
                self._update(1),
                sums=True,
                g_prepared=self._g_views,
                d_prepared=self._d_views,
            )
        k = self.members
        return StepRecord(
            d_loss_real=d_real[:k],
            d_loss_fake=d_fake[:k],
            g_loss=g_loss[:k],
            fake=fake.permute(2, 0, 1)[:k],
        )

    def generate(self, z: torch.Tensor) -> torch.Tensor:
        """Run every member's generator on ``z``, without gradients.

        Args:
            z: Noise ``(m, noise.dim)`` shared by all members, or ``(K, m, noise.dim)``.

        Returns:
            The outputs, shape ``(K, m, real.dim)``.
        """
        if not isinstance(z, torch.Tensor):
            raise TypeError(f"z must be a tensor, got {z!r}")
        width = self._g_spec.sizes[0]
        if z.dim() == 2 and z.shape[1] == width:
            z = z.unsqueeze(0).expand(self.members, -1, -1)
        if z.dim() != 3 or z.shape[0] != self.members or z.shape[2] != width:
            raise ValueError(
                f"z must have shape (m, {width}) or ({self.members}, m, {width}), "
                f"got {tuple(z.shape)}"
            )
        with torch.no_grad():
            z = self._pad(z.to(self._g[0].dtype).permute(1, 2, 0)).contiguous()
            out = fused.forward(self._g_spec, self._g, z, sums=True)[-1]
            return out.permute(2, 0, 1)[: self.members].contiguous()

    def unstack(self) -> list[tuple[MLP, MLP]]:
        """Return each member's ``(generator, discriminator)`` as fresh networks.

        They hold copies of the current weights: training them does not change the
        ensemble, nor the other way round.
        """
        pairs: list[tuple[MLP, MLP]] = []
        for k in range(self.members):
            nets = []
            for template, stacked in zip(self._templates, (self._g, self._d), strict=True):
                net = copy.deepcopy(template)
                with torch.no_grad():
                    for p, value in zip(net.parameters(), stacked, strict=True):
                        p.copy_(value[..., k])
                nets.append(net)
            pairs.append((nets[0], nets[1]))
        return pairs

    def state_dict(self) -> dict[str, Any]:
        """Return the whole training state: weights, optimiser state, data generators.

        Loading it into an ensemble built the same way continues training exactly where
        this one is.
        """
        return {
            "iteration": self.iteration,
            "generators": [self._unpad(p) for p in self._g],
            "discriminators": [self._unpad(p) for p in self._d],
            "adam_steps": list(self._adam_steps),
            "moments": [self._unpad(m) for m in self._moments],
            "rngs": [g.get_state() for g in self.rngs],
            "buffer": [self._unpad(b[self._pos :]) for b in self._buffer],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state returned by :meth:`state_dict`.

        Raises:
            KeyError: If ``state`` lacks an entry.
            ValueError: If its tensors do not fit this ensemble.
        """
        keys = ["iteration", "generators", "discriminators", "adam_steps", "moments", "rngs"]
        missing = [key for key in keys if key not in state]
        if missing:
            raise KeyError(f"ensemble state lacks {missing}")
        pairs = [
            (self._g, state["generators"]),
            (self._d, state["discriminators"]),
            (self._moments, state["moments"]),
        ]
        for mine, theirs in pairs:
            if len(mine) != len(theirs) or any(
                self._unpad(a).shape != b.shape for a, b in zip(mine, theirs, strict=False)
            ):
                raise ValueError("state does not fit this ensemble (members or sizes differ)")
        if len(state["rngs"]) != self.members:
            raise ValueError("state does not fit this ensemble (members differ)")
        for mine, theirs in pairs:
            for a, b in zip(mine, theirs, strict=True):
                a[..., : self.members].copy_(b.movedim(0, -1))
        for g, rng_state in zip(self.rngs, state["rngs"], strict=True):
            g.set_state(rng_state)
        self._adam_steps = [check_int("adam_steps", n, minimum=0) for n in state["adam_steps"]]
        self.iteration = check_int("iteration", state["iteration"], minimum=0)
        self._buffer = [self._pad(b.movedim(0, -1)).contiguous() for b in state.get("buffer", [])]
        self._pos = 0
