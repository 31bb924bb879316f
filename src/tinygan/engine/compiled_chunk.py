"""The compiled chunk itself: ``length`` masked adversarial iterations in one graph.

See :mod:`tinygan.engine.compiled` for why chunks and masks; this module builds the function
that :func:`torch.compile` compiles, for plain SGD or Adam.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch

from tinygan.engine import fused

__all__ = ["CHUNK", "adam_factors", "compiled_chunk"]

CHUNK = 8
"""Iterations per compiled call."""

_BETAS = (0.9, 0.999)
_EPS = 1e-8


def _masked_sgd(params: list[torch.Tensor], lr: torch.Tensor, on: torch.Tensor) -> fused.Update:
    def update(grads: Sequence[torch.Tensor]) -> None:
        for i, g in enumerate(grads):
            params[i] = torch.where(on, params[i] - g * lr, params[i])

    return update


def _masked_adam(
    params: list[torch.Tensor],
    exp_avgs: list[torch.Tensor],
    exp_avg_sqs: list[torch.Tensor],
    factors: list[torch.Tensor],
    on: torch.Tensor,
) -> fused.Update:
    """:func:`tinygan.engine.fused.adam_` as a masked function of the weights and moments.

    ``factors`` holds, per update in order, ``(step_size, sqrt(bias_correction2))``,
    computed outside (see :func:`adam_factors`): their step counts vary.
    """
    beta1, beta2 = _BETAS
    queue = list(factors)

    def update(grads: Sequence[torch.Tensor]) -> None:
        factor = queue.pop(0)
        step_size, bias_correction2_sqrt = factor[0], factor[1]
        for i, g in enumerate(grads):
            m = torch.lerp(exp_avgs[i], g, 1 - beta1)
            v = exp_avg_sqs[i] * beta2 + (1 - beta2) * g * g
            denom = v.sqrt() / bias_correction2_sqrt + _EPS
            p = params[i] + (-step_size) * m / denom
            params[i] = torch.where(on, p, params[i])
            exp_avgs[i] = torch.where(on, m, exp_avgs[i])
            exp_avg_sqs[i] = torch.where(on, v, exp_avg_sqs[i])

    return update


def adam_factors(
    lr: float, g_step: int, d_step: int, start: int, count: int, length: int
) -> torch.Tensor:
    """The Adam factors of a chunk, shape ``(length, 3, 2)``.

    Per position, for D's two updates and G's one: ``(step_size,
    sqrt(bias_correction2))`` as :func:`tinygan.engine.fused.adam_` computes them (in double
    precision, then rounded to float32 as its scalar arguments are). ``g_step`` and
    ``d_step`` are the updates done before the chunk; the chunk's iterations are
    positions ``start .. start + count - 1``.
    """
    beta1, beta2 = _BETAS
    rows: list[list[list[float]]] = []
    for t in range(length):
        j = t - start if start <= t < start + count else 0
        steps = (d_step + 2 * j + 1, d_step + 2 * j + 2, g_step + j + 1)
        rows.append([[lr / (1 - beta1**s), math.sqrt(1 - beta2**s)] for s in steps])
    return torch.tensor(rows, dtype=torch.float32)


def compiled_chunk(
    g_spec: fused.NetSpec,
    d_spec: fused.NetSpec,
    kind: str,
    optimizer: str = "sgd",
    length: int = CHUNK,
) -> Callable[..., tuple[torch.Tensor, torch.Tensor]]:
    """Return the compiled chunk of adversarial steps for these shapes, loss and optimiser.

    With ``"sgd"`` the function takes ``(*g_params, *d_params, g_lr, d_lr, real,
    noise_fake, noise_gen, mask)``; with ``"adam"`` ``(*g_params, *d_params, *g_exp_avgs,
    *d_exp_avgs, *g_exp_avg_sqs, *d_exp_avg_sqs, factors, real, noise_fake, noise_gen,
    mask)`` (``factors`` from :func:`adam_factors`). Data has shape ``(length, ...)``
    (one network's ``(length, n, dim)``, or a members-last stack's ``(length, n, dim,
    K)``) and the boolean ``mask`` shape ``(length,)``. It runs the chunk's iterations in
    order (those masked out change nothing), writes the new parameters (and moments) in
    place and returns ``(losses, fakes)``: losses ``(length, 3, ...)`` (D on real, D on
    fake, G) and the generator's outputs ``(length, n, dim, ...)``. Compilation happens at
    the first call.
    """
    n_g = g_spec.n_params
    n_d = d_spec.n_params
    n_state = (n_g + n_d) * (3 if optimizer == "adam" else 1)

    def chunk(*args: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        state = list(args[:n_state])
        groups = [state[i : i + n] for i, n in _offsets(n_g, n_d, n_state)]
        g_params, d_params = groups[0], groups[1]
        *scalars, real, noise_fake, noise_gen, mask = args[n_state:]
        losses: list[torch.Tensor] = []
        fakes: list[torch.Tensor] = []
        for t in range(length):
            on = mask[t]
            if optimizer == "adam":
                factors = scalars[0][t]
                g_update = _masked_adam(g_params, groups[2], groups[4], [factors[2]], on)
                d_update = _masked_adam(
                    d_params, groups[3], groups[5], [factors[0], factors[1]], on
                )
            else:
                g_update = _masked_sgd(g_params, scalars[0], on)
                d_update = _masked_sgd(d_params, scalars[1], on)
            out = fused.adversarial_step(
                g_spec,
                d_spec,
                g_params,
                d_params,
                real[t],
                noise_fake[t],
                noise_gen[t],
                kind,
                g_update,
                d_update,
                sums=True,
            )
            losses.append(torch.stack(out[:3]))
            fakes.append(out[3])
        new = [value for group in groups for value in group]
        for p, value in zip(args[:n_state], new, strict=True):
            p.copy_(value)
        return torch.stack(losses), torch.stack(fakes)

    # cpp.threads=1: a step's loops are short; OpenMP threads would wait on each other
    # (milliseconds on a busy machine) for microseconds of work.
    options: dict[str, str | int | bool | Callable[..., Any]] = {
        "cpp_wrapper": True,
        "cpp.threads": 1,
    }
    return torch.compile(chunk, dynamic=False, fullgraph=True, options=options)


def _offsets(n_g: int, n_d: int, n_state: int) -> list[tuple[int, int]]:
    """Where each group of the state starts and its length: G, D (and their moments)."""
    sizes = [n_g, n_d] * (n_state // (n_g + n_d))
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    return list(zip(starts, sizes, strict=True))
