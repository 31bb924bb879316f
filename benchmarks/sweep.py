"""Benchmark (b): a sweep of 1,000 seeds x 10,000 iterations against the post's loop.

In one process, this

1. runs ``tinygan.sweep`` over seeds ``0 .. N-1`` on the post's configuration, eager
   (the default), and reports its wall time, the process's peak resident memory, and its
   per-GAN throughput (``seeds * steps / wall time``, iterations per second per GAN);
2. runs the same sweep with ``backend="native"`` (:mod:`tinygan.engine.native`): first a
   one-off warm-up (a sweep of the same seeds for a few steps, which builds the kernel if
   this machine's cache lacks it, about a second, and loads it), then the whole sweep,
   warm; it reports both, their sum (end to end), and how many seeds' success decisions
   differ from the eager sweep's;
3. runs the post's own loop (``benchmarks/post_loop.py``) seed by seed for ``--post-seeds``
   seeds and reports its iterations per second (median) and how many of its runs succeed,
   judged exactly as the sweep judges its seeds (G's mean output over the same 1,000
   fixed noise inputs inside the real ranges at every position);
4. prints the throughput ratios (target for the native sweep, warm: >= 10,000x), the
   peak memory (target < 2 GiB) and
   the success rates with their 95% Wilson intervals. They agree when the sweep's rate
   lies inside the post loop's interval (the post sample is the small one).

Run ``python benchmarks/sweep.py`` (about 4 minutes on two cores, mostly the post's loop)
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
from tinygan.sweeps.run import evaluate_generator

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
    rss_eager = peak_rss_mib()
    sweep_rate = args.seeds * args.steps / sweep_seconds
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(
        f"eager sweep: {args.seeds} seeds x {args.steps} iterations in {sweep_seconds:.2f} s "
        f"= {sweep_rate:,.0f} GAN-iterations/s"
    )
    print(f"peak RSS: {rss_eager:.0f} MiB (after imports, before the sweep: {rss_before:.0f} MiB)")
    print(f"eager sweep success: {fmt_interval(result.successes, result.n)}", flush=True)

    start = time.perf_counter()
    tg.sweep(args.seeds, steps=8, backend="native")  # the one-off build or load, same shapes
    compile_seconds = time.perf_counter() - start
    start = time.perf_counter()
    compiled = tg.sweep(args.seeds, steps=args.steps, backend="native")
    compiled_seconds = time.perf_counter() - start
    rss_peak = peak_rss_mib()
    compiled_rate = args.seeds * args.steps / compiled_seconds
    end_to_end = compile_seconds + compiled_seconds
    flips = sum(a.success != b.success for a, b in zip(result.rows, compiled.rows, strict=True))
    worst = max(
        max(abs(x - y) for x, y in zip(a.mean, b.mean, strict=True))
        for a, b in zip(result.rows, compiled.rows, strict=True)
    )
    print(
        f"native sweep: first call ({args.seeds} seeds x 8 steps, builds or loads) "
        f"{compile_seconds:.2f} s, then {compiled_seconds:.2f} s "
        f"= {compiled_rate:,.0f} GAN-iterations/s; end to end {end_to_end:.2f} s"
    )
    print(f"native sweep success: {fmt_interval(compiled.successes, compiled.n)}")
    print(f"success decisions that differ from the eager sweep: {flips} of {result.n}")
    print(f"largest difference of a seed's mean output, eager vs native: {worst:.2e}")
    print(f"peak RSS after both sweeps: {rss_peak:.0f} MiB", flush=True)

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
    compiled_ratio = compiled_rate / post_rate
    e2e_ratio = args.seeds * args.steps / end_to_end / post_rate
    post_low, post_high = tg.wilson_interval(post_successes, args.post_seeds)
    agree = post_low <= result.success_rate <= post_high

    print()
    print(f"post loop (median of {args.post_seeds}):  {post_rate:10,.0f} it/s per GAN")
    print(f"eager sweep:                 {sweep_rate:10,.0f} it/s over all GANs = {ratio:,.0f}x")
    print(
        f"native sweep, warm:        {compiled_rate:10,.0f} it/s over all GANs "
        f"= {compiled_ratio:,.0f}x   (target >= 10,000x)"
    )
    print(
        f"native, end to end:          {end_to_end:10.2f} s incl. {compile_seconds:.2f} s "
        f"for the first call = {e2e_ratio:,.0f}x"
    )
    print(f"peak memory:                 {rss_peak:10.0f} MiB (target < 2048 MiB)")
    print(f"success, eager sweep:    {fmt_interval(result.successes, result.n)}")
    print(f"success, native sweep: {fmt_interval(compiled.successes, compiled.n)} ({flips} flips)")
    print(f"success, post loop:      {fmt_interval(post_successes, args.post_seeds)}")
    print(f"sweep's rate inside the post loop's interval: {'yes' if agree else 'NO'}")
    return {
        "sweep_seconds": sweep_seconds,
        "sweep_rate": sweep_rate,
        "compile_seconds": compile_seconds,
        "compiled_seconds": compiled_seconds,
        "compiled_rate": compiled_rate,
        "post_rate": post_rate,
        "ratio": ratio,
        "compiled_ratio": compiled_ratio,
        "end_to_end_ratio": e2e_ratio,
        "flips": flips,
        "peak_rss_mib": rss_peak,
        "sweep_success_rate": result.success_rate,
        "post_success_rate": post_successes / args.post_seeds,
    }


if __name__ == "__main__":
    main()
