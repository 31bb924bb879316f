"""Benchmark (b): a sweep of 1,000 seeds x 10,000 iterations against the post's loop.

In one process, this

1. runs ``tinygan.sweep`` over seeds ``0 .. N-1`` on the post's configuration and
   reports its wall time, the process's peak resident memory, and its per-GAN throughput
   (``seeds * steps / wall time``, iterations per second per GAN);
2. runs the post's own loop (``benchmarks/post_loop.py``) seed by seed for ``--post-seeds``
   seeds and reports its iterations per second (median) and how many of its runs succeed,
   judged exactly as the sweep judges its seeds (G's mean output over the same 1,000
   fixed noise inputs inside the real ranges at every position);
3. prints the throughput ratio (target >= 3,000x), the peak memory (target < 2 GiB) and
   both success rates with their 95% Wilson intervals. The two agree when the sweep's
   rate lies inside the post loop's interval (the post sample is the small one).

The sweep runs first, so the peak memory it reports is the sweep's (plus the imports).

Run ``python benchmarks/sweep.py`` (about 8 minutes on two cores, mostly the post's loop)
or ``python benchmarks/sweep.py --seeds 100 --post-seeds 4`` for a quick look.
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
from tinygan.sweep import evaluate_generator

sys.path.insert(0, str(Path(__file__).resolve().parent))
from post_loop import run_post_loop

REAL = tg.FuzzyPattern("1010")


def peak_rss_mib() -> float:
    """The process's peak resident set size so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fmt_interval(successes: int, n: int) -> str:
    low, high = tg.wilson_interval(successes, n)
    return f"{successes}/{n} = {successes / n:.3f}, 95% Wilson interval [{low:.3f}, {high:.3f}]"


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the sweep and the post's loop; print the figures and return them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1000, help="seeds in the sweep")
    parser.add_argument("--steps", type=int, default=10_000, help="iterations per seed")
    parser.add_argument("--post-seeds", type=int, default=20, help="seeds of the post's loop")
    args = parser.parse_args(argv)

    rss_before = peak_rss_mib()
    tg.sweep(4, steps=50)  # warm-up: imports, first-call overheads
    start = time.perf_counter()
    result = tg.sweep(args.seeds, steps=args.steps)
    sweep_seconds = time.perf_counter() - start
    rss_peak = peak_rss_mib()
    sweep_rate = args.seeds * args.steps / sweep_seconds
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(
        f"sweep: {args.seeds} seeds x {args.steps} iterations in {sweep_seconds:.2f} s "
        f"= {sweep_rate:,.0f} GAN-iterations/s"
    )
    print(f"peak RSS: {rss_peak:.0f} MiB (after imports, before the sweep: {rss_before:.0f} MiB)")
    print(f"sweep success: {fmt_interval(result.successes, result.n)}", flush=True)

    post_rates: list[float] = []
    post_successes = 0
    for seed in range(args.post_seeds):
        run = run_post_loop(args.steps, seed)
        post_rates.append(args.steps / run["seconds"])
        ok = evaluate_generator(run["G"], REAL, tg.UniformNoise(4), seed=seed).success
        post_successes += ok
        print(f"post loop seed {seed:3d}: {post_rates[-1]:6.0f} it/s, success {ok}", flush=True)
    post_rate = statistics.median(post_rates)
    ratio = sweep_rate / post_rate
    post_low, post_high = tg.wilson_interval(post_successes, args.post_seeds)
    agree = post_low <= result.success_rate <= post_high

    print()
    print(f"post loop (median of {args.post_seeds}): {post_rate:8.0f} it/s per GAN")
    print(f"sweep:                      {sweep_rate:8,.0f} it/s over all GANs")
    print(f"per-GAN throughput ratio:   {ratio:8,.0f}x   (target >= 3,000x)")
    print(f"peak memory:                {rss_peak:8.0f} MiB (target < 2048 MiB)")
    print(f"success, sweep:     {fmt_interval(result.successes, result.n)}")
    print(f"success, post loop: {fmt_interval(post_successes, args.post_seeds)}")
    print(f"sweep's rate inside the post loop's interval: {'yes' if agree else 'NO'}")
    return {
        "sweep_seconds": sweep_seconds,
        "sweep_rate": sweep_rate,
        "post_rate": post_rate,
        "ratio": ratio,
        "peak_rss_mib": rss_peak,
        "sweep_success_rate": result.success_rate,
        "post_success_rate": post_successes / args.post_seeds,
    }


if __name__ == "__main__":
    main()
