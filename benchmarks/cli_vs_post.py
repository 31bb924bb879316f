"""Time ``tinygan train --out DIR`` against the post's own code, both as fresh processes.

Each repeat runs, in alternation:

- ``python -m tinygan train --out TMP --quiet`` (the post's 10,000 iterations, then every
  file: config.json, history.csv, losses.png, snapshots.png, model.pt, checkpoints);
- the post's own loop (``benchmarks/post_loop.py``'s :func:`run_post_loop`) in a fresh
  interpreter, training only: no figures, no files.

Both include starting Python and importing torch. Prints each wall time, the medians and
their ratio. Usage: ``python benchmarks/cli_vs_post.py [--steps 10000] [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

POST = """
import sys
sys.path.insert(0, {here!r})
from post_loop import run_post_loop
run_post_loop({steps}, 0)
"""


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000, help="iterations per run")
    parser.add_argument("--repeats", type=int, default=5, help="alternating repeats of each")
    args = parser.parse_args(argv)

    cli_times: list[float] = []
    post_times: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for r in range(args.repeats):
            out = Path(folder) / f"run{r}"
            cli_times.append(
                timed(
                    [
                        sys.executable,
                        "-m",
                        "tinygan",
                        "train",
                        "--out",
                        str(out),
                        "--quiet",
                        "--steps",
                        str(args.steps),
                    ]
                )
            )
            post_times.append(
                timed([sys.executable, "-c", POST.format(here=str(HERE), steps=args.steps)])
            )
            print(
                f"repeat {r + 1}: tinygan train {cli_times[-1]:6.2f} s   "
                f"post {post_times[-1]:6.2f} s"
            )
    cli, post = statistics.median(cli_times), statistics.median(post_times)
    print(f"tinygan train --out DIR (median): {cli:6.2f} s  (all files, figures included)")
    print(f"the post's loop (median):         {post:6.2f} s  (training only)")
    print(f"post / tinygan:                   {post / cli:6.2f}x")
    return {"cli": cli, "post": post, "ratio": post / cli}


if __name__ == "__main__":
    main()
