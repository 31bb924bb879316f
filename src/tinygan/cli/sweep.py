"""``tinygan sweep``: train one GAN per seed and print how often the configuration works.

``tinygan sweep --seeds 1000 --out sweep`` trains seeds ``0 .. 999`` of the post's GAN
together (see :func:`tinygan.sweep`), prints the success rate with its 95% Wilson interval
and, with ``--out``, writes ``sweep.json`` and ``seeds.csv`` as chunks finish, then
``summary.json`` and ``histogram.png``. The options ``--pattern``, ``--bias``, ``--loss``,
``--optimizer``, ``--noise``, ``--lr`` and ``--batch-size`` select the post's variants;
``--data ring8|grid25|digits`` sweeps another kind of data with its recipe
(:mod:`tinygan.recipes`), on one thread per process as ``tinygan train`` trains it (the
recipes' networks are small: two threads can be many times slower). ``--objective NAME``
trains either with another objective (:mod:`tinygan.objectives`). On the CPU the post's
ensembles train through the native kernel by default (``--compile``:
:mod:`tinygan.engine.native`, built once per machine in about a second);
``--no-compile`` trains them with the fused step in torch, exactly as
:func:`tinygan.sweep` does by default, and ``--backend`` names any backend. The output
names the backend that ran, and ``summary.json`` and ``sweep.json`` record it.

Ctrl-C stops the sweep with exit status 130; the chunks that finished are in ``--out``,
and ``tinygan sweep --resume DIR`` trains only the missing seeds, to the same rows.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import shlex
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import torch

from tinygan.cli._common import (
    CLIError,
    add_force,
    backend_line,
    pattern,
    positive_float,
    positive_int,
    seed,
    show_warnings,
)
from tinygan.cli._data import KINDS, add_data_argument, set_the_post
from tinygan.cli.train import prepare_out
from tinygan.ensemble.stacking import ensemble_objective
from tinygan.objectives import NAMES
from tinygan.sweeps import EVAL_INPUTS, SweepConfig, SweepResult, sweep
from tinygan.sweeps.chunk import LOSS_WINDOW
from tinygan.sweeps.folder import FILES as SWEEP_FILES

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
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--seeds", type=positive_int, metavar="N", help="train seeds 0 .. N-1")
    which.add_argument(
        "--resume",
        type=Path,
        metavar="DIR",
        help="resume the sweep whose --out was DIR: train only the seeds it is missing",
    )
    add_data_argument(parser, "trained by its recipe in tinygan.recipes")
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
        metavar="N",
        help=f"training iterations per seed (default: {defaults.steps} for the pattern, "
        "what the recipe is built for otherwise)",
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
        "--objective",
        choices=tuple(NAMES),
        metavar="NAME",
        help="how the losses come from D's scores, in place of --loss or the recipe's own: "
        f"{', '.join(NAMES)} (default: --loss's, or the recipe's); the post's ensembles "
        "cannot train wgan-gp (its gradient penalty): sweep --data ring8|grid25|digits",
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
        "--device",
        default=defaults.device,
        metavar="DEVICE",
        help="where the post's GANs train and draw their data, such as cpu or cuda; a GPU's "
        f"numbers differ from the CPU's (default: {defaults.device})",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        metavar="N",
        help="split the seeds among N worker processes (default: 1, this process only)",
    )
    parser.add_argument(
        "--chunk-size",
        type=positive_int,
        metavar="N",
        help="seeds trained together per chunk (default: all, or an even split among workers)",
    )
    parser.add_argument(
        "--compile",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="train the ensembles through the native kernel (C, built once per machine, "
        "about a second; rows within float tolerance of --no-compile's); --no-compile "
        "trains them with the fused step in torch, exactly as tinygan.sweep() does "
        "(default: --compile for the post's pattern on the CPU with --backend auto, "
        "--no-compile otherwise)",
    )
    parser.add_argument(
        "--backend",
        choices=("auto", "native", "fused", "vmap"),
        default="auto",
        help="what trains the ensembles, by name, as tinygan.sweep(backend=...) takes it: "
        "native (the kernel), fused (the step in torch), vmap (torch.func.vmap and "
        "autograd), or auto (the fused step, or --compile's native kernel); the output "
        "names what ran (default: auto)",
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


_POST_OPTIONS = ("pattern", "lr", "batch_size", "bias", "loss", "optimizer", "noise", "device")
_SAVED = (
    "seeds", "first_seed", "data", "steps", *_POST_OPTIONS, "objective", "chunk_size",
    "compile", "backend",
)  # fmt: skip
COMMAND = "command.json"
_RESUME_DEFAULTS: dict[str, Any] = {
    "first_seed": 0, "data": "pattern", "steps": None, "objective": None, "chunk_size": None,
    "compile": None, "backend": "auto",
}  # fmt: skip
"""What the options that make a sweep are when not given (with the post's defaults)."""


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    """The options that make the sweep what it is (saved beside it, for --resume)."""
    if args.resume is not None:
        post = SweepConfig()
        unset = {**_RESUME_DEFAULTS, **{k: getattr(post, k) for k in _POST_OPTIONS}}
        given = [k for k, default in unset.items() if getattr(args, k) != default]
        if given:  # the sweep in DIR is what it was: its command.json says what
            flags = ", ".join("--" + name.replace("_", "-") for name in given)
            raise CLIError(
                f"{flags} cannot be given with --resume: the sweep in {args.resume} keeps "
                f"the settings it started with ({COMMAND}); only --workers may change"
            )
        path = args.resume / COMMAND
        try:
            saved = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise CLIError(f"--resume {args.resume}: cannot read {path}: {exc}") from None
        return {key: saved[key] for key in _SAVED if key in saved}
    settings = {key: getattr(args, key) for key in _SAVED}
    kind = KINDS[args.data]
    if kind is not None:
        defaults = SweepConfig()
        changed = [k for k in _POST_OPTIONS if getattr(args, k) != getattr(defaults, k)]
        if changed:
            flags = ", ".join("--" + name.replace("_", "-") for name in changed)
            raise CLIError(f"{flags} {set_the_post(changed)}")
    if settings["steps"] is None:
        settings["steps"] = SweepConfig().steps if kind is None else kind.default_steps()
    if settings["compile"] is None:  # the native kernel serves the post's GANs on the CPU
        on_cpu = str(settings["device"]).split(":")[0] == "cpu"
        kernel_serves = settings["objective"] in (None, "least-squares", "non-saturating")
        settings["compile"] = (
            on_cpu and kind is None and settings["backend"] == "auto" and kernel_serves
        )
    return settings


def _sweep(settings: dict[str, Any], out: Path | None, resume: bool, workers: int) -> SweepResult:
    seeds = range(settings["first_seed"], settings["first_seed"] + settings["seeds"])
    kind = KINDS[settings["data"]]
    options: dict[str, Any] = {"steps": settings["steps"], "out": out, "resume": resume}
    options.update(compile=settings["compile"], chunk_size=settings["chunk_size"])
    options["backend"] = settings.get("backend", "auto")  # a command.json from before it
    options["objective"] = settings.get("objective")
    if kind is None:  # a command.json from before an option existed holds its default
        defaults = SweepConfig()
        options.update({key: settings.get(key, getattr(defaults, key)) for key in _POST_OPTIONS})
    recipe = None if kind is None else kind.load()
    one_thread = kind is not None  # a --data kind's small networks: as tinygan train runs them
    threads = torch.get_num_threads()
    if one_thread:
        torch.set_num_threads(1)
    try:
        if workers > 1:
            spawn = multiprocessing.get_context("spawn")  # fork is unsafe once torch ran
            with ProcessPoolExecutor(
                workers, spawn, initializer=_start_worker, initargs=(one_thread,)
            ) as pool:
                if options["chunk_size"] is None:
                    options["chunk_size"] = -(-settings["seeds"] // workers)
                return sweep(seeds, recipe=recipe, executor=pool, **options)
        return sweep(seeds, recipe=recipe, **options)
    finally:
        torch.set_num_threads(threads)


def _start_worker(one_thread: bool) -> None:
    """Start a worker process: its warnings as one line each, as here; one thread if asked."""
    show_warnings("sweep")
    if one_thread:
        torch.set_num_threads(1)


def _rows_in(path: Path) -> int:
    """How many seeds' rows a ``seeds.csv`` holds (0 if there is none)."""
    try:
        with path.open() as file:
            return max(0, sum(1 for _ in file) - 1)
    except OSError:
        return 0


def run(args: argparse.Namespace) -> int:
    """Run ``tinygan sweep``; return the exit status (130 after Ctrl-C)."""
    settings = _settings(args)
    kind = KINDS[settings["data"]]
    if kind is not None:  # before any file is written
        kind.check_installed()
    out = args.resume if args.resume is not None else args.out
    if args.resume is None and out is not None:
        prepare_out(out, force=args.force)
        for name in SWEEP_FILES:  # --force: the user replaces the sweep that was there
            (out / name).unlink(missing_ok=True)
        (out / COMMAND).write_text(json.dumps(settings, indent=2) + "\n")
    before = _rows_in(out / "seeds.csv") if args.resume is not None else 0
    start = time.perf_counter()
    try:
        result = _sweep(settings, out, args.resume is not None, args.workers)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        if out is None:
            print("nothing was kept: sweep with --out DIR to keep finished chunks", file=sys.stderr)
        else:
            print(f"finished chunks are in {out / 'seeds.csv'}; resume with:", file=sys.stderr)
            print(f"  tinygan sweep --resume {shlex.quote(str(out))}", file=sys.stderr)
        return 130
    except (ValueError, TypeError) as exc:  # e.g. seeds past 2**64, another sweep's folder
        raise CLIError(str(exc)) from None
    seconds = time.perf_counter() - start
    shown = {k: v for k, v in settings.items() if k not in ("seeds", "first_seed")}
    if KINDS[settings["data"]] is not None:
        shown = {k: v for k, v in shown.items() if k not in _POST_OPTIONS}
    config = ", ".join(f"{key}={value}" for key, value in shown.items() if value is not None)
    resumed = f"; {before} were done before, {result.n - before} trained now" if before else ""
    print(f"swept {settings['seeds']} seeds ({config}) in {seconds:.1f} s{resumed}")
    print(backend_line(result.summary()["backend"]))
    for line in summary_lines(result):
        print(line)
    if out is not None:
        names = ["sweep.json", "seeds.csv", "summary.json", "histogram.png"]
        written = [out / name for name in names if (out / name).exists()]
        print("wrote " + ", ".join(str(p) for p in written))  # a missing histogram: warned
    return 0


def summary_lines(result: SweepResult) -> list[str]:
    """The lines ``tinygan sweep`` prints about a result: the rate, then each number's median."""
    low, high = result.interval
    lines = [
        f"{result.successes}/{result.n} seeds succeeded: success rate {result.success_rate:.3f}, "
        f"95% Wilson interval [{low:.3f}, {high:.3f}]",
    ]
    numbers = result.summary()["numbers"]
    judged = f", each judged on {result.eval_inputs:,} fixed inputs" if result.eval_inputs else ""
    if "spread_1" in numbers:
        spreads = [statistics.fmean(row.spread) for row in result.rows]
        lines.append(
            f"median spread of G's output over the seeds{judged}: "
            f"{statistics.median(spreads):.4f} per position (fuzzy real data: 0.058)"
        )
    else:
        medians = [
            _median(name, stats, [float(row.values[name]) for row in result.rows])
            for name, stats in numbers.items()
            if name != "d_loss" and stats["median"] is not None
        ]
        if medians:
            lines.append(f"medians over the seeds{judged}: " + ", ".join(medians))
    d_losses = [row.d_loss for row in result.rows if not math.isnan(row.d_loss)]
    if d_losses:
        window = min(LOSS_WINDOW, result.config.steps)
        hint, config = "", result.config
        if isinstance(config, SweepConfig):  # the post's objective, or its loss's, or named
            level = ensemble_objective(config.loss, config.objective).chance_loss()
            hint = f" ({level:.3g} means D cannot tell G's output from real data)"
        lines.append(
            f"median over the seeds of D's mean loss in their last {window:,} iterations: "
            f"{statistics.median(d_losses):.3f}{hint}"
        )
    return lines


def _median(name: str, stats: dict[str, Any], values: list[float]) -> str:
    """``name``'s median over the seeds, saying so where some seeds' value is not finite."""
    shown = f"{name} {stats['median']:.4g}"
    if stats["finite"] == len(values):
        return shown
    known = [v for v in values if not math.isnan(v)]  # infinities sort; NaN has no place
    overall = f"; over all {len(known)}: {statistics.median(known):.4g}" if known else ""
    finite = stats["finite"]
    return f"{shown} (over the {finite} seed{'s' * (finite != 1)} where it is finite{overall})"
