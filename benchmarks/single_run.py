"""Benchmark (a): one 10,000-iteration run, tinygan's paths against the post's loop.

Times, in one process and in alternating repeats, the post-style loop
(:func:`post_loop.run_post_loop`), tinygan's default path and ``compile=True`` (after a
warm-up that compiles it), all three on the post's configuration and with the post's
logging (D's loss, G's error to ``[0.9, 0.0, 0.9, 0.0]``, a snapshot every 1,000
iterations). Prints iterations per second (medians) and the ratios to the post's loop,
then the whole-process wall time of ``tinygan train --out <tmp>`` (import, training,
figures and files included).

Run: ``python benchmarks/single_run.py [--steps 10000] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

import tinygan as tg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from post_loop import run_post_loop


def run_tinygan(steps: int, seed: int, *, compile: bool = False, warmup: int = 0) -> float:
    """Seconds for ``steps`` iterations of the post's GAN in tinygan, with the post's logging."""
    g = torch.Generator().manual_seed(seed)
    G = tg.mlp([4, 4, 4], generator=g)
    D = tg.mlp([4, 3, 1], generator=g)
    log = tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0])
    trainer = tg.AdversarialTrainer(
        G,
        D,
        tg.FuzzyPattern("1010"),
        tg.UniformNoise(4),
        seed=seed,
        compile=compile,
        callbacks=[log, tg.Snapshots(every=1000)],
    )
    if warmup:
        trainer.fit(warmup)
    start = time.perf_counter()
    trainer.fit(steps)
    _ = log.d_loss, log.g_error  # read the log back inside the timing
    return time.perf_counter() - start


def time_cli(steps: int) -> float | None:
    """Whole-process wall time of ``tinygan train --out <tmp>``; ``None`` if it fails."""
    out = Path(tempfile.mkdtemp(prefix="tinygan-bench-"))
    cmd = [sys.executable, "-m", "tinygan", "train", "--out", str(out / "run")]
    if steps != 10_000:
        cmd += ["--steps", str(steps)]
    try:
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if done.returncode != 0:
        print(f"tinygan train failed ({done.returncode}): {done.stderr.strip()[-300:]}")
        return None
    return seconds


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000, help="iterations per repeat")
    parser.add_argument("--repeats", type=int, default=3, help="alternating repeats")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-cli", action="store_true", help="skip timing `tinygan train`")
    args = parser.parse_args(argv)

    # Warm-ups outside the timings: first-call overheads, and compiling the compiled step.
    run_post_loop(200, args.seed)
    run_tinygan(200, args.seed)
    start = time.perf_counter()
    run_tinygan(1, args.seed, compile=True)
    compile_seconds = time.perf_counter() - start

    rates: dict[str, list[float]] = {"post": [], "default": [], "compiled": []}
    for r in range(args.repeats):
        seed = args.seed + r
        rates["post"].append(args.steps / run_post_loop(args.steps, seed)["seconds"])
        rates["default"].append(args.steps / run_tinygan(args.steps, seed))
        rates["compiled"].append(
            args.steps / run_tinygan(args.steps, seed, compile=True, warmup=100)
        )
        print(
            f"repeat {r + 1}/{args.repeats}: "
            + "   ".join(f"{name} {values[-1]:8.0f} it/s" for name, values in rates.items())
        )
    medians = {name: statistics.median(values) for name, values in rates.items()}
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.steps} it/repeat")
    print(
        f"first compiled call (compiling, with Inductor's cache as found): {compile_seconds:.1f} s"
    )
    print(f"post loop (median):             {medians['post']:9.0f} it/s")
    print(f"tinygan default path (median):  {medians['default']:9.0f} it/s")
    print(f"tinygan compile=True (median):  {medians['compiled']:9.0f} it/s")
    result = dict(medians)
    for name in ("default", "compiled"):
        result[f"{name}_ratio"] = medians[name] / medians["post"]
        print(f"ratio {name} / post:  {result[f'{name}_ratio']:8.2f}x")
    if not args.no_cli:
        cli = time_cli(args.steps)
        if cli is not None:
            result["cli_seconds"] = cli
            print(f"`tinygan train --out <tmp>` whole process: {cli:.1f} s")
    return result


if __name__ == "__main__":
    main()
