"""The native kernel's self-check, run once per process before the kernel is used.

Two things could make a kernel that builds and loads compute the wrong numbers without a
word: a torch whose ``torch.rand`` draws differently from the kernel's copy of it (a new
release could change its generator or its float mapping), and a compiler that builds
the arithmetic wrongly. So, at the first load in a process:

1. the kernel draws from 16 generators, fresh and then from the middle of their state,
   past two refills of the mt19937 state, the data of a GAN whose generator hands on
   its noise (:class:`tinygan.UniformNoise`: ``torch.rand``'s numbers) unchanged; every
   number it hands on (a third of each run's draws; three runs started four draws apart
   see every draw from the eighth on) must equal ``torch.rand``'s, and every generator
   must end where ``torch.rand`` leaves it
   (skipped where this torch's generator state has a layout the kernel cannot read: it
   is then fed samples drawn by torch, and never draws);
2. the data the kernel makes of its draws (:class:`tinygan.UniformMap`: a fuzzy
   pattern's, a uniform noise's over ``[-1, 2)``), seen through the same generator,
   must equal the sources' own samples bit for bit; where it does not (a torch that
   rounds ``addcmul`` otherwise), the kernel is fed samples drawn by torch instead,
   after a warning;
3. two iterations of a small GAN (biases, tanh, ReLU and sigmoid, a batch of 2; SGD with
   the MSE loss, then Adam with BCE) must agree with the fused step's within 1e-5.

A failure of 1 or 3 raises :class:`~tinygan.engine.native.NativeKernelError` naming it.
"""

from __future__ import annotations

import warnings
from typing import Any

import torch

from tinygan.data import FuzzyPattern, UniformNoise
from tinygan.engine import fused
from tinygan.engine.native.cache import NativeKernelError
from tinygan.engine.native.job import LANES, make_job, param_shapes
from tinygan.engine.native.mt_states import layout_known, read_states, write_states
from tinygan.engine.streams import iteration_maps

__all__ = ["reference_uniforms", "self_check"]

# Each run draws 110 iterations of three one-sample batches of four (1,320 draws, past
# two refills of the 624-word state); G's noise, the third batch, is what the run sees.
# Three runs, started 0, 4 and 8 draws apart, see every draw from the eighth on.
_ITERATIONS = 110
_SHIFTS = (0, 4, 8)
_TOLERANCE = 1e-5


def reference_uniforms(count: int, generator: torch.Generator) -> torch.Tensor:
    """What the kernel's draws must equal: ``torch.rand(count, generator=generator)``."""
    return torch.rand(count, generator=generator)


def _through_identity(
    kernel: Any, source: FuzzyPattern | UniformNoise, states: torch.Tensor, n: int, count: int
) -> torch.Tensor:
    """G's noise of ``count`` iterations, ``(count, n * 4, 16)``, drawn by the kernel.

    The kernel draws each iteration's real batch, fake batch's noise and G's noise, all
    ``n`` samples of ``source``, from ``states`` (advancing them); an identity G that
    does not learn hands the last on unchanged as its output.
    """
    g_spec = fused.NetSpec((4, 4), False, ("identity",))
    d_spec = fused.NetSpec((4, 1), False, ("sigmoid",))
    maps = iteration_maps([(source.uniform_map(), n)] * 3)
    assert maps is not None
    g = torch.eye(4).unsqueeze(-1).expand(4, 4, LANES).contiguous()
    params = [g, torch.zeros(1, 4, LANES)]  # kept, with keep, until the call has run
    job, keep, _, fakes = make_job(
        g_spec, d_spec, "mse", "sgd", params, (0.0, 0.0), (0, 0), [states], maps, count
    )
    kernel.train(job, LANES, 1)
    del keep, params
    return fakes[0]


def _check_draws(kernel: Any) -> None:
    for start in (0, 700):  # fresh, then from the middle of the state
        for skip in (start + shift for shift in _SHIFTS):
            rngs = [torch.Generator().manual_seed(1000 + k) for k in range(LANES)]
            twins = [torch.Generator().manual_seed(1000 + k) for k in range(LANES)]
            for g in (*rngs, *twins):
                torch.rand(skip, generator=g)
            states = read_states(rngs, LANES)
            assert states is not None
            drawn = _through_identity(kernel, UniformNoise(4), states, 1, _ITERATIONS)
            write_states(rngs, states)
            for k, (g, twin) in enumerate(zip(rngs, twins, strict=True)):
                expected = reference_uniforms(12 * _ITERATIONS, twin).reshape(-1, 3, 4)[:, 2]
                if not torch.equal(drawn[..., k], expected):
                    t, j = (drawn[..., k] != expected).nonzero()[0].tolist()
                    raise NativeKernelError(
                        "self-check: the kernel's uniforms differ from torch.rand's (generator "
                        f"{k}, draw {skip + 12 * t + 8 + j}: {float(drawn[t, j, k])!r} "
                        f"against {float(expected[t, j])!r}); this torch draws differently"
                    )
                if not torch.equal(g.get_state(), twin.get_state()):
                    raise NativeKernelError(
                        "self-check: the kernel leaves a generator elsewhere than torch.rand does"
                    )


def _maps_agree(kernel: Any) -> bool:
    """Whether the kernel's data equals the sources' samples (seen through an identity G)."""
    for source in (FuzzyPattern("1010"), UniformNoise(4, low=-1.0, high=2.0)):
        rngs = [torch.Generator().manual_seed(2000 + k) for k in range(LANES)]
        states = read_states(rngs, LANES)
        assert states is not None
        fakes = _through_identity(kernel, source, states, 2, 3)
        for k, rng in enumerate(rngs):
            for t in range(3):  # the real batch, the fake batch's noise, G's noise
                source.sample(2, generator=rng)
                source.sample(2, generator=rng)
                expected = source.sample(2, generator=rng).reshape(-1)
                if not torch.equal(fakes[t, :, k], expected):
                    return False
    return True


def _fused_reference(
    specs: tuple[fused.NetSpec, fused.NetSpec],
    state: list[torch.Tensor],
    data: list[torch.Tensor],
    kind: str,
    optimizer: str,
    lr: float,
) -> tuple[list[torch.Tensor], torch.Tensor]:
    g_spec, d_spec = specs
    n_g, n_d = g_spec.n_params, d_spec.n_params
    g, d = state[:n_g], state[n_g : n_g + n_d]
    moments = state[n_g + n_d :]
    steps = [0, 0]
    losses = []

    def update(which: int) -> fused.Update:
        params = (g, d)[which]
        if optimizer == "sgd":
            return lambda grads: fused.sgd_(params, grads, lr)
        offset = 0 if which == 0 else n_g
        m = moments[offset : offset + len(params)]
        v = moments[n_g + n_d + offset : n_g + n_d + offset + len(params)]

        def adam(grads: list[torch.Tensor]) -> None:
            steps[which] += 1
            fused.adam_(params, grads, m, v, steps[which], lr=lr)

        return adam  # type: ignore[return-value]

    for t in range(data[0].shape[0]):
        real, noise_fake, noise_gen = (part[t] for part in data)
        out = fused.adversarial_step(
            g_spec, d_spec, g, d, real, noise_fake, noise_gen, kind, update(0), update(1),
            sums=True,
        )  # fmt: skip
        losses.append(torch.stack(out[:3]))
    return state, torch.stack(losses)


def _check_step(kernel: Any) -> None:
    g_spec = fused.NetSpec((3, 5, 2), True, ("tanh", "sigmoid"))
    d_spec = fused.NetSpec((2, 4, 1), True, ("relu", "sigmoid"))
    rng = torch.Generator().manual_seed(7)
    for kind, optimizer in (("mse", "sgd"), ("bce", "adam")):
        shapes = param_shapes(g_spec, LANES) + param_shapes(d_spec, LANES)
        params = [torch.rand(s, generator=rng) - 0.5 for s in shapes]
        moments = [torch.zeros(s) for s in shapes * 2] if optimizer == "adam" else []
        data = [
            torch.rand(2, 2, width, LANES, generator=rng) for width in (2, 3, 3)
        ]  # real, noise for the fake batch, noise for G's step: 2 iterations, batch 2
        mine = [t.clone() for t in (*params, *moments)]
        job, keep, losses, _ = make_job(
            g_spec, d_spec, kind, optimizer, mine, (0.1, 0.1), (0, 0), data, None, 2
        )
        kernel.train(job, LANES, 1)
        del keep
        theirs, expected = _fused_reference(
            (g_spec, d_spec), [t.clone() for t in (*params, *moments)], data, kind, optimizer, 0.1
        )
        gap = max(float((a - b).abs().max()) for a, b in zip(mine, theirs, strict=True))
        loss_gap = float((losses.permute(1, 2, 0, 3).reshape(2, 3, LANES) - expected).abs().max())
        if not gap <= _TOLERANCE or not loss_gap <= _TOLERANCE:
            raise NativeKernelError(
                f"self-check: two {optimizer}/{kind} iterations differ from the fused step's "
                f"by {max(gap, loss_gap):.3g} (more than {_TOLERANCE}); the compiler built "
                "the kernel's arithmetic wrongly"
            )


def self_check(kernel: Any) -> None:
    """Check ``kernel``'s draws and arithmetic (see the module); set ``kernel.draws``.

    Raises:
        NativeKernelError: Naming the first mismatch.
    """
    if layout_known():
        _check_draws(kernel)
        kernel.draws = _maps_agree(kernel)
        if not kernel.draws:
            warnings.warn(
                "self-check: the native kernel makes other data of its uniforms than this "
                "torch's sources do; it is fed samples drawn by torch instead (slower, the "
                "same numbers)",
                RuntimeWarning,
                stacklevel=3,
            )
    _check_step(kernel)
