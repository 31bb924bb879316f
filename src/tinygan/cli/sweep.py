"""``tinygan sweep``: train one GAN per seed and print how often the configuration works.

``tinygan sweep --seeds 1000 --out sweep`` trains seeds ``0 .. 999`` of the post's GAN
together (see :func:`tinygan.sweep`), prints the success rate with its 95% Wilson interval
and, with ``--out``, writes ``seeds.csv``, ``summary.json`` and ``histogram.png`` there.
The options ``--bias``, ``--loss``, ``--optimizer``, ``--noise`` and ``--batch-size``
select the post's variants; ``--compile`` trains through :func:`torch.compile`.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from tinygan.cli._common import (
    CLIError,
    add_force,
    pattern,
    positive_float,
    positive_int,
    seed,
)
from tinygan.cli.train import prepare_out
from tinygan.sweeps import EVAL_INPUTS, SweepConfig, SweepResult, sweep

__all__ = ["add_parser", "run", "summary_lines"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``sweep`` command to the top-level parser's ``subparsers``."""
    defaults = SweepConfig()
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sweep",
        help="train one GAN per seed and report how often it works",
        description=(
            "Train the post's GAN once per seed (all seeds batched together) and print how "
            "many succeed, with a 95% Wilson interval. A seed succeeds when its generator's "
            f"mean output over {EVAL_INPUTS} fixed noise inputs lies inside the real data's "
            "range at every position. With --out, write seeds.csv (one row per seed), "
            "summary.json and histogram.png there."
        ),
    )
    parser.add_argument(
        "--seeds", required=True, type=positive_int, metavar="N", help="train seeds 0 .. N-1"
    )
    parser.add_argument(
        "--first-seed",
        type=seed,
        default=0,
        metavar="S",
        help="start at seed S instead: seeds S .. S+N-1 (default: 0)",
    )
    parser.add_argument(
        "--steps",
        type=positive_int,
        default=defaults.steps,
        metavar="N",
        help=f"training iterations per seed (default: {defaults.steps})",
    )
    parser.add_argument(
        "--pattern",
        type=pattern,
        default=defaults.pattern,
        help=f"the pattern of 0 and 1 the real data fuzzes (default: {defaults.pattern})",
    )
    parser.add_argument(
        "--lr",
        type=positive_float,
        default=defaults.lr,
        help=f"learning rate, > 0 (default: {defaults.lr})",
    )
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=defaults.batch_size,
        metavar="N",
        help=f"samples per step (default: {defaults.batch_size}, as the post)",
    )
    parser.add_argument(
        "--bias", action="store_true", help="give the linear layers biases (the post has none)"
    )
    parser.add_argument(
        "--loss",
        choices=("mse", "bce"),
        default=defaults.loss,
        help=f"loss function (default: {defaults.loss}, as the post)",
    )
    parser.add_argument(
        "--optimizer",
        choices=("sgd", "adam"),
        default=defaults.optimizer,
        help=f"optimizer for both networks (default: {defaults.optimizer}, as the post)",
    )
    parser.add_argument(
        "--noise",
        choices=("uniform", "constant"),
        default=defaults.noise,
        help="the generator's input: uniform in [0, 1) as the post, or constant 0.5 "
        f"(default: {defaults.noise})",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        metavar="N",
        help="split the seeds among N worker processes (default: 1, this process only)",
    )
    parser.add_argument(
        "--compile",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="train through torch.compile: a few seconds to compile (about 20 s the first "
        "time), then faster training; results agree with the eager sweep within float "
        "tolerance (default: --no-compile)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder to write seeds.csv, summary.json and histogram.png into",
    )
    add_force(parser)
    parser.set_defaults(run=run)
    return parser


def summary_lines(result: SweepResult) -> list[str]:
    """The lines ``tinygan sweep`` prints about a result."""
    low, high = result.interval
    d_losses = [row.d_loss for row in result.rows if not math.isnan(row.d_loss)]
    spreads = [statistics.fmean(row.spread) for row in result.rows]
    lines = [
        f"{result.successes}/{result.n} seeds succeeded: success rate {result.success_rate:.3f}, "
        f"95% Wilson interval [{low:.3f}, {high:.3f}]",
        f"median spread of G's output: {statistics.median(spreads):.4f} per position "
        "(fuzzy real data: 0.058)",
    ]
    if d_losses:
        lines.append(
            f"median D loss over the last iterations: {statistics.median(d_losses):.3f} "
            "(0.25 means D cannot tell G's output from real data)"
        )
    return lines


def run(args: argparse.Namespace) -> int:
    """Run ``tinygan sweep``; return the exit status."""
    if args.out is not None:
        prepare_out(args.out, force=args.force)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    options: dict[str, Any] = {
        "pattern": args.pattern,
        "steps": args.steps,
        "lr": args.lr,
        "batch_size": args.batch_size,
        "bias": args.bias,
        "loss": args.loss,
        "optimizer": args.optimizer,
        "noise": args.noise,
    }
    start = time.perf_counter()
    try:
        if args.workers > 1:
            spawn = multiprocessing.get_context("spawn")  # fork is unsafe once torch ran
            with ProcessPoolExecutor(max_workers=args.workers, mp_context=spawn) as pool:
                chunk = -(-args.seeds // args.workers)
                result = sweep(
                    seeds, executor=pool, chunk_size=chunk, compile=args.compile, **options
                )
        else:
            result = sweep(seeds, compile=args.compile, **options)
    except ValueError as exc:  # e.g. seeds past 2**64
        raise CLIError(str(exc)) from None
    seconds = time.perf_counter() - start
    config = ", ".join(f"{key}={value}" for key, value in options.items())
    print(f"swept {args.seeds} seeds ({config}) in {seconds:.1f} s")
    for line in summary_lines(result):
        print(line)
    if args.out is not None:
        written = result.write(args.out)
        print("wrote " + ", ".join(str(p) for p in written))
        if not any(p.name == "histogram.png" for p in written):
            print('note: histogram.png needs matplotlib: pip install "tinygan[plot]"')
    return 0
