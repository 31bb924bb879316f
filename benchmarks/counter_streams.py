"""Prototype: what counter-based data streams inside a compiled chunk would buy a sweep.

Not library code, and not tinygan's numbers. Today each member of an ensemble draws its
data from its own ``torch.Generator`` (mt19937). For 1,000 members that is 120 million
floats per 10,000 iterations, drawn by 1,000 ``torch.rand`` calls per buffer and then
transposed. This script replaces the generators with a counter-based stream: a 32-bit
integer hash of (member key, iteration, slot) computed *inside* the compiled chunk.
Nothing is drawn, buffered or transposed, so the chunk's time is its arithmetic and the
cost of calling it.

It trains the post's configuration (1,000 members; G 4-4-4 and D 4-3-1, sigmoid, no
biases, MSE, SGD 0.01, batch 1, 10,000 iterations) as one compiled chunk of ``length``
iterations per call. The loop is bare: no records, no callbacks, no judging. It prints
the one-off compile time and the training time.

Measured here (2 cores, 2026-11-29):

- ``length 4``: 0.87 s (87 us per iteration), after a 42 s first compile;
- ``length 8``: 0.82 s, after a 78 s first compile.

The library's compiled sweep takes 1.97 s for the same work (``benchmarks/sweep.py``).

Adopting this would change every seed's numbers and the lone trainers' streams (a member
must equal its lone trainer), and the hash's statistical quality would need vetting
first. Usage: ``python benchmarks/counter_streams.py [LENGTH ...]`` (default: 4).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import torch

from tinygan.engine import fused
from tinygan.engine.compiled_chunk import _masked_sgd
from tinygan.ensemble.stacking import seeded_stack

MASK32 = 0xFFFFFFFF


def mix(x: torch.Tensor) -> torch.Tensor:
    """A 32-bit integer hash on int64 tensors holding 32-bit values (no overflow)."""
    x = ((x ^ (x >> 16)) * 0x45D9F3B) & MASK32
    x = ((x ^ (x >> 16)) * 0x45D9F3B) & MASK32
    return x ^ (x >> 16)


def uniforms(keys: torch.Tensor, step: torch.Tensor, slots: torch.Tensor) -> torch.Tensor:
    """Uniforms in ``[0, 1)``, shape ``(len(slots), len(keys))``: one per slot and member.

    Args:
        keys: One int64 key per member (below ``2**32``).
        step: The iteration, a 0-d int64 tensor.
        slots: Which numbers of the iteration, int64.
    """
    x = keys[None, :] * 0x9E3779B1 + step * 0x85EBCA6B + slots[:, None] * 0xC2B2AE35
    x = mix(mix(x & MASK32) ^ (keys[None, :] >> 7))
    return (x >> 8).to(torch.float32) * (1.0 / 16_777_216.0)


def make_chunk(spec_g: fused.NetSpec, spec_d: fused.NetSpec, length: int) -> Callable[..., None]:
    """The compiled chunk: ``length`` post iterations, data from :func:`uniforms`."""
    lower = torch.tensor([0.8, 0.0, 0.8, 0.0]).view(1, 4, 1)
    width = torch.full((1, 4, 1), 0.2)
    slots = torch.arange(12)

    def chunk(*args: torch.Tensor) -> None:
        g0, g1, d0, d1, lr, keys, start, mask = args
        g, d = [g0, g1], [d0, d1]
        for t in range(length):
            u = uniforms(keys, start + t, slots)
            real = torch.addcmul(lower, u[:4].unsqueeze(0), width)  # FuzzyPattern("1010")
            z_fake, z_gen = u[4:8].unsqueeze(0), u[8:].unsqueeze(0)
            fused.adversarial_step(
                spec_g, spec_d, g, d, real, z_fake, z_gen, "mse",
                _masked_sgd(g, lr, mask[t]), _masked_sgd(d, lr, mask[t]), sums=True,
            )  # fmt: skip
        for p, value in zip((g0, g1, d0, d1), (*g, *d), strict=True):
            p.copy_(value)

    options = {"cpp_wrapper": True, "cpp.threads": 1}
    return torch.compile(chunk, dynamic=False, fullgraph=True, options=options)


def main(argv: list[str] | None = None, members: int = 1000, steps: int = 10_000) -> dict:
    """Time the bare compiled loop for each chunk length given; print and return it."""
    lengths = [int(a) for a in (sys.argv[1:] if argv is None else argv)] or [4]
    results = {}
    for length in lengths:
        gens, discs = seeded_stack(list(range(members)), [(4, 4, 4), (4, 3, 1)], bias=False)
        g = [p.clone() for p in gens.params]
        d = [p.clone() for p in discs.params]
        keys = torch.arange(g[0].shape[-1], dtype=torch.int64)
        lr, mask = torch.tensor(0.01), torch.ones(length, dtype=torch.bool)
        fn = make_chunk(gens.spec, discs.spec, length)
        start = time.perf_counter()
        fn(*g, *d, lr, keys, torch.tensor(0), mask)
        compile_s = time.perf_counter() - start
        starts = [torch.tensor(s) for s in range(length, steps, length)]
        start = time.perf_counter()
        for s in starts:
            fn(*g, *d, lr, keys, s, mask)
        run = time.perf_counter() - start
        print(
            f"length {length}: compile {compile_s:.1f} s, then {members} members x {steps} "
            f"iterations in {run:.2f} s ({run / steps * 1e6:.0f} us per iteration)"
        )
        results[length] = {"compile_s": compile_s, "run_s": run}
    return results


if __name__ == "__main__":
    main()
