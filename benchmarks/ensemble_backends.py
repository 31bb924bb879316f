"""An ensemble of the post's GANs on each backend: member-iterations per second, side by side.

Builds ``--members`` post GANs with :meth:`tinygan.EnsembleTrainer.from_seeds` on each
of the ``fused``, ``native`` and ``vmap`` backends (plain SGD, then default Adam), fits
each ``--steps`` iterations in alternating repeats in one process, and prints the median
member-iterations per second and each backend's ratio to ``vmap``: the figures behind
which backends earn their place (see ``docs/performance.rst``).

    python benchmarks/ensemble_backends.py                  # 1,000 members, 2,000 steps
    python benchmarks/ensemble_backends.py --members 100 --steps 500 --repeats 1
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

import tinygan as tg

BACKENDS = ("fused", "native", "vmap")


def fit_seconds(backend: str, optimizer: str, members: int, steps: int) -> float:
    """Seconds of ``fit(steps)`` of a fresh ensemble (after a few warm-up iterations)."""
    ensemble = tg.EnsembleTrainer.from_seeds(
        range(members), tg.FuzzyPattern("1010"), tg.UniformNoise(4),
        optimizer=optimizer, backend=backend,
    )  # fmt: skip
    ensemble.fit(5)
    start = time.perf_counter()
    ensemble.fit(steps)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Time every backend with both optimisers; print and return member-iterations/s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    rates: dict[str, float] = {}
    for optimizer in ("sgd", "adam"):
        times: dict[str, list[float]] = {backend: [] for backend in BACKENDS}
        for _ in range(args.repeats):
            for backend in BACKENDS:
                times[backend].append(fit_seconds(backend, optimizer, args.members, args.steps))
        for backend in BACKENDS:
            rates[f"{backend}/{optimizer}"] = (
                args.members * args.steps / statistics.median(times[backend])
            )
        for backend in BACKENDS:
            rate = rates[f"{backend}/{optimizer}"]
            ratio = rate / rates[f"vmap/{optimizer}"]
            print(
                f"{optimizer:4} {backend:6}: {rate:12,.0f} member-iterations/s = {ratio:5.1f}x vmap"
            )
    return rates


if __name__ == "__main__":
    main()
