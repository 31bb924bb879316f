"""Benchmark (c): what ``LossLogger`` + ``Snapshots`` cost on the default path.

Times, in one process and in alternating repeats, the post's 10,000-iteration run on
tinygan's default path with no callbacks and with a ``LossLogger`` (with the post's
reference pattern, so G's error is logged too) and ``Snapshots(every=1000)``. Prints the
medians and the overhead of logging (the issue's target: at most 10%).

Run: ``python benchmarks/logging_overhead.py [--steps 10000] [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

import tinygan as tg


def run(steps: int, seed: int, *, logging: bool) -> float:
    """Seconds for ``steps`` iterations, with or without the post's logging callbacks."""
    g = torch.Generator().manual_seed(seed)
    G = tg.mlp([4, 4, 4], generator=g)
    D = tg.mlp([4, 3, 1], generator=g)
    log = tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0])
    callbacks = [log, tg.Snapshots(every=1000)] if logging else []
    trainer = tg.AdversarialTrainer(
        G, D, tg.FuzzyPattern("1010"), tg.UniformNoise(4), seed=seed, callbacks=callbacks
    )
    start = time.perf_counter()
    trainer.fit(steps)
    if logging:
        _ = log.d_loss, log.g_error  # turning the log into arrays is part of its cost
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> float:
    """Run the benchmark and print its figures; return the overhead as a fraction."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    run(200, 0, logging=True)  # warm-up
    bare: list[float] = []
    logged: list[float] = []
    for r in range(args.repeats):
        bare.append(run(args.steps, r, logging=False))
        logged.append(run(args.steps, r, logging=True))
        print(f"repeat {r + 1}/{args.repeats}: none {bare[-1]:.3f} s   logged {logged[-1]:.3f} s")
    # Pairwise ratios, then their median: robust to the machine's load drifting.
    overhead = statistics.median(b / a for a, b in zip(bare, logged, strict=True)) - 1.0
    print(f"no callbacks (median):           {args.steps / statistics.median(bare):9.0f} it/s")
    print(f"LossLogger + Snapshots (median): {args.steps / statistics.median(logged):9.0f} it/s")
    print(f"logging overhead (median of paired ratios): {100 * overhead:+.1f}%")
    return overhead


if __name__ == "__main__":
    main()
