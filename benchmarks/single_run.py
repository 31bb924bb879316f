"""Benchmark (a): one 10,000-iteration run on each lone backend, against the post's loop.

Times, in one process and in alternating repeats, the post-style loop
(:func:`post_loop.run_post_loop`) and an :class:`~tinygan.AdversarialTrainer` on each of
its backends: the default (``"auto"``, the fused step), ``"autograd"`` and ``"native"``
(after a warm-up that builds or loads the kernel), all on the post's configuration and
with the post's logging (D's loss, G's error to ``[0.9, 0.0, 0.9, 0.0]``, a snapshot every
1,000 iterations). Prints iterations per second (medians) and the ratios to the post's
loop (targets: the default >= 3x, the fastest backend >= 15x), then the whole-process
wall time of ``tinygan train --out <tmp>`` (import, training, figures and files).

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


def run_tinygan(steps: int, seed: int, *, backend: str = "auto", warmup: int = 0) -> float:
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
        backend=backend,
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

    # Warm-ups outside the timings: first-call overheads, and building or loading the kernel.
    run_post_loop(200, args.seed)
    run_tinygan(200, args.seed)
    start = time.perf_counter()
    run_tinygan(1, args.seed, backend="native")
    kernel_seconds = time.perf_counter() - start

    backends = ("auto", "autograd", "native")
    rates: dict[str, list[float]] = {"post": [], **{name: [] for name in backends}}
    for r in range(args.repeats):
        seed = args.seed + r
        rates["post"].append(args.steps / run_post_loop(args.steps, seed)["seconds"])
        for name in backends:
            rates[name].append(args.steps / run_tinygan(args.steps, seed, backend=name))
        print(
            f"repeat {r + 1}/{args.repeats}: "
            + "   ".join(f"{name} {values[-1]:8.0f} it/s" for name, values in rates.items())
        )
    medians = {name: statistics.median(values) for name, values in rates.items()}
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.steps} it/repeat")
    print(f"first native call (building or loading the kernel): {kernel_seconds:.2f} s")
    print(f"post loop (median):                  {medians['post']:9.0f} it/s")
    for name in backends:
        label = "default (auto: fused)" if name == "auto" else name
        print(f"tinygan {label + ' (median):':29} {medians[name]:9.0f} it/s")
    result = dict(medians)
    for name in backends:
        result[f"{name}_ratio"] = medians[name] / medians["post"]
        print(f"ratio {name} / post: {result[f'{name}_ratio']:8.2f}x")
    print("targets: default >= 3x, fastest backend >= 15x")
    if not args.no_cli:
        cli = time_cli(args.steps)
        if cli is not None:
            result["cli_seconds"] = cli
            print(f"`tinygan train --out <tmp>` whole process: {cli:.1f} s")
    return result


if __name__ == "__main__":
    main()
