"""Time ``tinygan sweep`` as a whole process against the post's own loop, side by side.

Each repeat runs, in alternation:

- ``python -m tinygan sweep --seeds N --steps S --out TMP`` in a fresh process
  (starting Python, importing torch and tinygan, training and judging every seed, writing
  sweep.json, seeds.csv, summary.json and histogram.png);
- the post's own loop (``benchmarks/post_loop.py``'s :func:`run_post_loop`) for one seed
  of ``S`` iterations, timed inside its process (training only, the most favourable
  measure for the post).

The per-GAN throughput ratio is ``(N * S / sweep seconds) / (S / post seconds)``, from the
medians; the target is 3,000x for ``--seeds 1000 --steps 10000``. The peak memory is
the largest resident set of any child process (``resource.RUSAGE_CHILDREN``).

``tinygan sweep`` trains through the native kernel on the CPU by default (built once per
machine and cached: the first repeat may include building it, about a second); pass
``--no-compile`` to time the eager sweep instead.

Usage: ``python benchmarks/cli_sweep.py [--seeds 1000] [--steps 10000] [--repeats 3]
[--no-compile]``.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

POST = """
import sys, torch
sys.path.insert(0, {here!r})
from post_loop import run_post_loop
print(run_post_loop({steps}, {seed})["seconds"])
"""


def sweep_process(seeds: int, steps: int, out: Path, compile: bool) -> float:
    """Wall time of one whole ``tinygan sweep`` process."""
    args = [sys.executable, "-m", "tinygan", "sweep", "--seeds", str(seeds)]
    args += ["--steps", str(steps), "--out", str(out)]
    if not compile:
        args.append("--no-compile")
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - start


def post_seconds(steps: int, seed: int) -> float:
    """The post's loop's own training time for one seed, in a fresh process."""
    code = POST.format(here=str(HERE), steps=steps, seed=seed)
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return float(done.stdout.decode().split()[-1])


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the repeats; print every time, the medians and the ratio; return them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1000, help="seeds in each sweep")
    parser.add_argument("--steps", type=int, default=10_000, help="iterations per seed")
    parser.add_argument("--repeats", type=int, default=3, help="alternating repeats of each")
    parser.add_argument(
        "--compile",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="tinygan sweep as it runs by default (--no-compile: its eager sweep)",
    )
    args = parser.parse_args(argv)

    sweeps: list[float] = []
    posts: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for r in range(args.repeats):
            out = Path(folder) / f"sweep{r}"
            sweeps.append(sweep_process(args.seeds, args.steps, out, args.compile))
            posts.append(post_seconds(args.steps, r))
            print(
                f"repeat {r + 1}: tinygan sweep {sweeps[-1]:6.2f} s   "
                f"post loop, one seed {posts[-1]:6.2f} s",
                flush=True,
            )
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    sweep, post = statistics.median(sweeps), statistics.median(posts)
    sweep_rate = args.seeds * args.steps / sweep
    post_rate = args.steps / post
    ratio = sweep_rate / post_rate
    print(
        f"tinygan sweep --seeds {args.seeds} --steps {args.steps}"
        f"{'' if args.compile else ' --no-compile'} (median, whole process): {sweep:.2f} s "
        f"= {sweep_rate:,.0f} GAN-iterations/s"
    )
    print(f"the post's loop (median, training only): {post:.2f} s = {post_rate:,.0f} it/s")
    print(f"per-GAN throughput ratio: {ratio:,.0f}x (target >= 3,000x)")
    print(f"peak memory of a child process: {peak_mib:.0f} MiB (target < 2,048 MiB)")
    return {"sweep": sweep, "post": post, "ratio": ratio, "peak_mib": peak_mib}


if __name__ == "__main__":
    main()
