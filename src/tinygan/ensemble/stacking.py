"""Members of an ensemble: checking, seeding, stacking and unstacking their networks.

An :class:`tinygan.EnsembleTrainer` keeps each parameter of its ``K`` networks as one
tensor with the member dimension *last*: weights ``(out, in, K)``, biases ``(out, K)``.
``K`` is rounded up to a multiple of :data:`ALIGN` with copies of member 0 (see
:func:`padded`). This module turns networks into such stacks and back, and draws a stack
straight from seeds (:func:`seeded_stack`) without building a module per member.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from tinygan._checks import check_seed
from tinygan.engine import fused
from tinygan.nets import MLP, mlp
from tinygan.objectives import LeastSquares, NonSaturating, Objective
from tinygan.objectives import get as get_objective

__all__ = [
    "ALIGN",
    "Stacked",
    "check_nets",
    "check_noise",
    "check_pair",
    "check_settings",
    "ensemble_objective",
    "member_seeds",
    "padded",
    "seeded_stack",
    "stack",
]

# Members are computed in groups of ALIGN (the last group padded with copies of member 0,
# whose results are dropped): every elementwise kernel and every reduction across members
# then sees a multiple of its stride (torch's vectorised CPU loops take two vectors at a
# time: 32 float32 with AVX-512), so no member's numbers fall into a kernel's scalar tail,
# and member k's results do not depend on how many members the ensemble has: a sweep's
# seed gives the same row in any chunk (tests/sweeps/test_recipes.py).
ALIGN = 32


def padded(k: int) -> int:
    """``k`` rounded up to a multiple of :data:`ALIGN`."""
    return -(-k // ALIGN) * ALIGN


@dataclass
class Stacked:
    """``K`` alike networks as stacked parameters, members last, padded to :func:`padded`.

    Attributes:
        spec: The networks' shape.
        params: One tensor per parameter, ``(out, in, padded(K))`` or ``(out, padded(K))``.
        template: A network of that shape (its weights do not matter), for unstacking.
        members: ``K``.
    """

    spec: fused.NetSpec
    params: list[torch.Tensor]
    template: MLP
    members: int


def check_nets(name: str, nets: Sequence[Any] | Stacked) -> Stacked:
    """Check that ``nets`` are alike float32 :class:`tinygan.MLP` networks and stack them."""
    if isinstance(nets, Stacked):
        return nets
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
    template = copy.deepcopy(nets[0])
    return Stacked(spec, stack(nets, padded(len(nets))), template, len(nets))


def check_pair(gens: Stacked, discs: Stacked, real_dim: int, noise_dim: int) -> None:
    """Check that generators and discriminators fit each other and the data's widths."""
    if gens.members != discs.members:
        raise ValueError(
            f"generators and discriminators must have the same length, got "
            f"{gens.members} and {discs.members}"
        )
    g_sizes, d_sizes = gens.spec.sizes, discs.spec.sizes
    if g_sizes[0] != noise_dim:
        raise ValueError(f"noise.dim is {noise_dim} but the generators take {g_sizes[0]}")
    if g_sizes[-1] != real_dim:
        raise ValueError(
            f"the generators' output has width {g_sizes[-1]} but real.dim is {real_dim}"
        )
    if d_sizes[0] != real_dim:
        raise ValueError(f"real.dim is {real_dim} but the discriminators take {d_sizes[0]}")
    if d_sizes[-1] != 1:
        raise ValueError(f"the discriminators must output one value per sample, got {d_sizes[-1]}")


def check_settings(loss: object, optimizer: object, discriminators: Stacked) -> None:
    """Check an ensemble's ``loss`` and ``optimizer`` names against its discriminators.

    Raises:
        ValueError: If either is not one the stacks train with, or ``loss="bce"`` is
            asked of discriminators that do not end with a sigmoid.
    """
    if loss not in fused.LOSSES:
        raise ValueError(f"loss must be one of {fused.LOSSES}, got {loss!r}")
    if loss == "bce" and discriminators.spec.activations[-1] != "sigmoid":
        raise ValueError("loss='bce' needs discriminators whose last activation is Sigmoid")
    if optimizer not in fused.OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {fused.OPTIMIZERS}, got {optimizer!r}")


def ensemble_objective(loss: str, objective: object) -> Objective:
    """An ensemble's objective: ``objective``, or the one its ``loss`` name stands for.

    Raises:
        ValueError: If both are given (``loss`` other than its default ``"mse"``).
    """
    if objective is not None:
        if loss != "mse":
            raise ValueError("loss= and objective= both say how the losses are computed: give one")
        return get_objective(objective)
    return LeastSquares() if loss == "mse" else NonSaturating()


def stack(nets: Sequence[torch.nn.Module], size: int) -> list[torch.Tensor]:
    """Each parameter of all networks, members last, padded to ``size`` with member 0."""
    per_net = [[p.detach() for p in net.parameters()] for net in nets]
    per_net += [per_net[0]] * (size - len(nets))
    return [torch.stack(tensors, dim=-1).contiguous() for tensors in zip(*per_net, strict=True)]


def _bounds(sizes: tuple[int, ...], bias: bool) -> list[tuple[tuple[int, ...], float]]:
    """Each parameter's shape and the half-width of its uniform initial distribution.

    The bounds are computed as :func:`torch.nn.init.kaiming_uniform_` with
    ``a=sqrt(5)`` (the weights) and :meth:`torch.nn.Linear.reset_parameters` (the biases)
    compute them, to the last bit.
    """
    out: list[tuple[tuple[int, ...], float]] = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        gain = math.sqrt(2.0 / (1 + math.sqrt(5) ** 2))
        out.append(((fan_out, fan_in), math.sqrt(3.0) * (gain / math.sqrt(fan_in))))
        if bias:
            out.append(((fan_out,), 1.0 / math.sqrt(fan_in)))
    return out


def seeded_stack(
    seeds: Sequence[int], sizes: Sequence[Sequence[int]], *, bias: bool
) -> list[Stacked]:
    """Draw each seed's networks straight into stacks, as :func:`tinygan.mlp` draws them.

    For member ``k``, the networks of ``sizes`` are drawn one after another from one
    ``torch.Generator().manual_seed(seeds[k])``, each exactly as
    ``tg.mlp(sizes[i], bias=bias, generator=that_generator)`` draws it (the same calls,
    in the same order, on the same shapes): member ``k`` of stack ``i`` holds those
    weights bit for bit, without building a module per member.

    Args:
        seeds: One seed per member.
        sizes: The layer widths of each network, in drawing order (e.g. G's then D's).
        bias: Whether the linear layers have biases.

    Returns:
        One :class:`Stacked` per entry of ``sizes``.
    """
    templates = [mlp(widths, bias=bias, generator=torch.Generator()) for widths in sizes]
    size = padded(len(seeds))
    plans = [_bounds(t.sizes, bias) for t in templates]
    buffers = [[torch.empty(size, *shape) for shape, _ in plan] for plan in plans]
    for k, seed in enumerate(seeds):
        g = torch.Generator().manual_seed(seed)
        for plan, bufs in zip(plans, buffers, strict=True):
            for (_, bound), buf in zip(plan, bufs, strict=True):
                buf[k].uniform_(-bound, bound, generator=g)
    stacks: list[Stacked] = []
    for template, bufs in zip(templates, buffers, strict=True):
        for buf in bufs:
            buf[len(seeds) :] = buf[0]
        spec = fused.net_spec(template)
        assert spec is not None
        params = [buf.movedim(0, -1).contiguous() for buf in bufs]
        stacks.append(Stacked(spec, params, template, len(seeds)))
    return stacks


def member_seeds(seeds: object, members: int) -> list[int]:
    """Check one seed per member (``None``: draw fresh ones from the operating system).

    Raises:
        TypeError: If ``seeds`` is not a sequence of integers or ``None``.
        ValueError: If a seed is out of range or the count is not ``members``.
    """
    if seeds is None:
        seeds = [torch.Generator().seed() for _ in range(members)]
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence):
        raise TypeError(f"seeds must be a sequence of integers or None, got {seeds!r}")
    checked = [check_seed("seeds", s) for s in seeds]
    if len(checked) != members:
        raise ValueError(f"seeds must have one entry per member ({members}), got {len(checked)}")
    return checked


def check_noise(z: object, width: int, members: int) -> torch.Tensor:
    """``z`` as ``(members, m, width)``: shared noise ``(m, width)`` is expanded.

    Raises:
        TypeError: If ``z`` is not a tensor.
        ValueError: If its shape fits neither form.
    """
    if not isinstance(z, torch.Tensor):
        raise TypeError(f"z must be a tensor, got {z!r}")
    if z.dim() == 2 and z.shape[1] == width:
        z = z.unsqueeze(0).expand(members, -1, -1)
    if z.dim() != 3 or z.shape[0] != members or z.shape[2] != width:
        raise ValueError(
            f"z must have shape (m, {width}) or ({members}, m, {width}), got {tuple(z.shape)}"
        )
    return z
