"""EnsembleTrainer: K GANs x N iterations, wall time and peak memory, against the post's loop.

Trains ``K`` members of the post's GAN (seeds ``0..K-1``) for ``N`` iterations with
:class:`tinygan.EnsembleTrainer` and times the post-style loop in the same process, then
prints the ensemble's wall time, the process's peak resident memory, and the per-GAN
throughput (iterations x members per second) as a multiple of the post's loop.

Run: ``python benchmarks/ensemble_run.py [--members 1000] [--steps 10000]``.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import torch

import tinygan as tg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from post_loop import run_post_loop


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--post-steps", type=int, default=2000, help="per post-loop repeat")
    parser.add_argument("--repeats", type=int, default=3, help="post-loop repeats")
    args = parser.parse_args(argv)

    run_post_loop(100, 0)  # warm-up
    post = statistics.median(
        args.post_steps / run_post_loop(args.post_steps, r)["seconds"] for r in range(args.repeats)
    )
    start = time.perf_counter()
    ensemble = tg.EnsembleTrainer.from_seeds(
        range(args.members), tg.FuzzyPattern("1010"), tg.UniformNoise(4)
    )
    ensemble.fit(args.steps)
    final = ensemble.generate(torch.rand(100, 4, generator=torch.Generator().manual_seed(0)))
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = args.members * args.steps / seconds
    lands = ((final.mean(dim=1) - torch.tensor([0.9, 0.1, 0.9, 0.1])).abs() <= 0.1).all(dim=1)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"post loop (median of {args.repeats}):   {post:9.0f} it/s")
    print(f"ensemble {args.members} x {args.steps}:  {seconds:9.1f} s (build, train, generate)")
    print(f"per-GAN throughput:          {rate:9.0f} it/s = {rate / post:.0f}x the post loop")
    print(f"peak resident memory:        {peak_mib:9.0f} MiB")
    print(f"members whose mean output lies in the real ranges: {int(lands.sum())}/{args.members}")
    return {"seconds": seconds, "ratio": rate / post, "peak_mib": peak_mib}


if __name__ == "__main__":
    main()
