"""``compile=True``: the fused adversarial step run through :func:`torch.compile`.

The step is written for the compiler: matrix products as broadcast multiplies and sums (so
that Inductor fuses a whole step into a few C++ loops instead of calling a matrix-product
routine per layer), learning rates as 0-d tensors (so that a scheduler changing them does
not recompile), shapes static (``dynamic=False``) and no Python-side effects (one graph,
``fullgraph=True``). One compiled function is built per trainer and network shape.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from tinygan import fused

__all__ = ["compiled_step"]


def _sgd(params: Sequence[torch.Tensor], lr: torch.Tensor) -> fused.Update:
    def update(grads: Sequence[torch.Tensor]) -> None:
        for p, g in zip(params, grads, strict=True):
            p.sub_(g * lr)

    return update


def compiled_step(
    g_spec: fused.NetSpec, d_spec: fused.NetSpec, kind: str
) -> Callable[..., tuple[torch.Tensor, ...]]:
    """Return the compiled adversarial step for networks of these shapes and this loss.

    The function takes ``(*g_params, *d_params, g_lr, d_lr, real, noise_fake, noise_gen)``,
    updates the parameters in place and returns ``(d_loss_real, d_loss_fake, g_loss, fake)``
    as :func:`tinygan.fused.adversarial_step` does. Compilation happens at the first call.
    """
    n_g = g_spec.n_params
    n_d = d_spec.n_params

    def step(*args: torch.Tensor) -> tuple[torch.Tensor, ...]:
        g_params = list(args[:n_g])
        d_params = list(args[n_g : n_g + n_d])
        g_lr, d_lr, real, noise_fake, noise_gen = args[n_g + n_d :]
        return fused.adversarial_step(
            g_spec,
            d_spec,
            g_params,
            d_params,
            real,
            noise_fake,
            noise_gen,
            kind,
            _sgd(g_params, g_lr),
            _sgd(d_params, d_lr),
            sums=True,
        )

    return torch.compile(step, dynamic=False, fullgraph=True)
