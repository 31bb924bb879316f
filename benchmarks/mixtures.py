"""Generate the mixtures' table and convergence figure: mode collapse on the 2-D ring and grid.

For each dataset (PacGAN's 8-mode ring and 25-mode grid) and each pack size ``m`` (1: a
plain GAN; 2, 3, 4: PacGAN2-4) the recipe of :mod:`tinygan.recipes.mixtures` is trained
from ``--seeds`` seeds, ``--chunk`` seeds at a time (20: a whole cell) as one ensemble
(the ``vmap`` backend: alike trainers train as one batched computation, each member as
its lone trainer would step by step, within float tolerance; about 1.6 times the
throughput of lone runs here, ``--throughput``). Every twentieth of the run each generator is
judged by :func:`tinygan.metrics.mode_coverage` on the fixed evaluation inputs every
tinygan judge of a mixture uses (2,500 draws from ``tinygan.sweeps.EVAL_SEED``, as many
samples as PacGAN's code judges): those are the convergence curves (``--curves``);
the last of them is the seed's row (``--csv``). A chunk's rows and curves are appended
as it finishes, so an interrupted run resumes where it stopped (a chunk in progress
starts again); the table (``--out``) and the figure (``--figure``) are written from the
files, by ``benchmarks/mixtures_report.py``.

The docs build only includes the committed table and figure; it never retrains. To
regenerate both (see docs/mixtures.rst for how long it takes)::

    nice python benchmarks/mixtures.py --jobs 2                # 20 seeds, both datasets
    python benchmarks/mixtures.py --seeds 2 --ring-steps 40 --grid-steps 40 \\
        --csv /tmp/m.csv --curves /tmp/c.csv --out /tmp/m.inc --figure /tmp/m.png

``--paper`` trains PacGAN's own configuration instead
(:func:`tinygan.recipes.pacgan.paper_gan`: 400,000 iterations of much bigger networks
per seed, one seed at a time; ``--device cuda`` for a GPU). ``--timing`` times one step
of each configuration; ``--throughput`` measures the ensemble against lone runs.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import math
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mixtures_report as report

import tinygan as tg
from tinygan.recipes.mixtures import GRID25_STEPS, MIXTURE_WIDTH, RING8_STEPS, grid25, ring8
from tinygan.recipes.pacgan import PAPER_STEPS, Maxout, paper_gan
from tinygan.sweeps.inputs import eval_inputs, judged_output

__all__ = ["Maxout", "main", "paper_trainer", "read_rows", "run_chunk"]

DOCS = Path(__file__).resolve().parent.parent / "docs"
DEFAULT_OUT = DOCS / "mixtures_table.inc"  # not .rst: included, never a page of its own
DEFAULT_CSV = DOCS / "mixtures_seeds.csv"
DEFAULT_CURVES = DOCS / "mixtures_curves.csv"
DEFAULT_FIGURE = DOCS / "mixtures_convergence.png"
EVAL_SAMPLES = tg.metrics.mixture_judge.eval_inputs  # 2,500, as PacGAN
CURVE_POINTS = 20
FIELDS = [
    "data", "pack", "seed", "steps", "config", "modes", "high_quality", "reverse_kl",
    "seconds", "backend",
]  # fmt: skip
CURVE_FIELDS = ["data", "pack", "seed", "steps", "config", "iteration", "modes"]
CURVE_FIELDS += ["high_quality", "reverse_kl"]
RECIPES = {"ring": ring8, "grid": grid25}
MIXTURES = {"ring": tg.GaussianMixture.ring, "grid": tg.GaussianMixture.grid}

read_rows = report.read_rows
mean_se = report.mean_se


def paper_trainer(data: str, seed: int, pack: int, device: str = "cpu") -> Any:
    """PacGAN's configuration for ``data`` (``"ring"`` or ``"grid"``), from ``seed`` alone."""
    return paper_gan(MIXTURES[data](), seed, pack=pack, device=device)


# --- one chunk of seeds -----------------------------------------------------------------


Task = tuple[str, int, tuple[int, ...], int, bool, str, int]
"""(data, pack, seeds, steps, paper, device, width)."""


def _judge(outputs: Any, real: tg.GaussianMixture) -> list[tg.metrics.ModeCoverage]:
    return [tg.metrics.mode_coverage(out, real) for out in outputs]


def run_chunk(task: Task) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Train one chunk of seeds (as one ensemble where it can) and judge it as it goes.

    Returns:
        ``(rows, curves)``: one row per seed (its final judgement) and one curve point
        per seed and twentieth of the run.
    """
    data, pack, seeds, steps, paper, device, width = task
    torch.set_num_threads(1)
    start = time.perf_counter()
    real = MIXTURES[data]()
    if paper:
        trainers = [paper_trainer(data, seed, pack, device) for seed in seeds]
    else:
        trainers = [RECIPES[data](seed, pack=pack, steps=steps, width=width) for seed in seeds]
    z = eval_inputs(trainers[0].noise, device if paper else None, EVAL_SAMPLES)
    if len(trainers) > 1 and tg.ensemble.alike.stackable(trainers) is None:
        ensemble = tg.EnsembleTrainer.from_trainers(trainers, backend="vmap")
        runs, backend = [ensemble], ensemble.backend

        def outputs() -> Any:
            return ensemble.generate(z)
    else:
        runs, backend = trainers, trainers[0].backend

        def outputs() -> Any:
            return [judged_output(t.generator, z).cpu() for t in trainers]

    config = _config(paper, width)
    every = max(1, steps // CURVE_POINTS)
    curves: list[dict[str, Any]] = []
    done = 0
    while done < steps:
        block = min(every, steps - done)
        for run in runs:
            run.fit(block)
        done += block
        for seed, cover in zip(seeds, _judge(outputs(), real), strict=True):
            curves.append({**_numbers(cover), "iteration": done, "seed": seed})
    seconds = (time.perf_counter() - start) / len(seeds)
    same = {"data": data, "pack": pack, "steps": steps, "config": config}
    curves = [{**same, **point} for point in curves]
    rows = [
        {**same, **point, "seconds": f"{seconds:.2f}", "backend": backend}
        for point in curves[-len(seeds) :]
    ]
    for row in rows:
        del row["iteration"]
    return rows, curves


def _numbers(cover: tg.metrics.ModeCoverage) -> dict[str, Any]:
    return {
        "modes": cover.modes,
        "high_quality": f"{cover.high_quality:.6f}",
        "reverse_kl": f"{cover.reverse_kl:.6f}",
    }


def _config(paper: bool, width: int) -> str:
    """The rows' ``config``: ``paper``, ``cpu`` (the recipe) or ``cpu-width<N>``."""
    if paper:
        return "paper"
    return "cpu" if width == MIXTURE_WIDTH else f"cpu-width{width}"


# --- every chunk, resumable ------------------------------------------------------------


def _key(row: dict[str, Any]) -> tuple[str, str, str, str, str]:
    return (row["data"], str(row["pack"]), str(row["seed"]), str(row["steps"]), row["config"])


def _append(path: Path, fields: list[str], rows: list[dict[str, Any]]) -> None:
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        if new:
            writer.writeheader()
        writer.writerows(rows)
        f.flush()
        os.fsync(f.fileno())


def run_all(tasks: list[Task], rows_path: Path, curves_path: Path, jobs: int) -> None:
    """Run the chunks whose rows ``rows_path`` lacks, appending rows and curves as each ends.

    A chunk's curves are written before its rows: a chunk with rows is complete.
    """
    done = {_key(r) for r in read_rows(rows_path)}
    todo = []
    for data, pack, seeds, steps, paper, device, width in tasks:
        config = _config(paper, width)
        left = tuple(s for s in seeds if (data, str(pack), str(s), str(steps), config) not in done)
        if left:
            todo.append((data, pack, left, steps, paper, device, width))
    for rows, curves in _results(todo, jobs):
        _append(curves_path, CURVE_FIELDS, curves)
        _append(rows_path, FIELDS, rows)
        for row in rows:
            print(
                f"{row['data']} m={row['pack']} seed {row['seed']}: {row['modes']} modes, "
                f"{float(row['high_quality']):.0%} high quality, KL {row['reverse_kl']}, "
                f"{row['seconds']} s per seed ({row['backend']})",
                flush=True,
            )


def _results(todo: list[Task], jobs: int) -> Iterator[Any]:
    if jobs == 1:
        yield from map(run_chunk, todo)
        return
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        yield from pool.imap_unordered(run_chunk, todo)


def make_tasks(args: argparse.Namespace) -> list[Task]:
    """The chunks, first chunk of every cell first, so a stopped run is even across cells."""
    steps = {"ring": args.ring_steps, "grid": args.grid_steps}
    chunk = 1 if args.paper else args.chunk
    if args.paper:
        steps = {"ring": PAPER_STEPS, "grid": PAPER_STEPS}
    starts = range(0, args.seeds, chunk)
    return [
        (data, pack, tuple(range(a, min(a + chunk, args.seeds))), steps[data], args.paper,
         args.device, args.width)
        for a in starts
        for data in args.data
        for pack in args.packs
    ]  # fmt: skip


# --- main ------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--packs", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--data", nargs="+", default=["ring", "grid"], choices=sorted(RECIPES))
    parser.add_argument("--ring-steps", type=int, default=RING8_STEPS)
    parser.add_argument("--grid-steps", type=int, default=GRID25_STEPS)
    parser.add_argument("--chunk", type=int, default=20, help="seeds per ensemble")
    parser.add_argument("--width", type=int, default=MIXTURE_WIDTH, help="hidden width")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--curves", type=Path, default=DEFAULT_CURVES)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--figure", type=Path, default=DEFAULT_FIGURE)
    parser.add_argument("--paper", action="store_true", help="PacGAN's own configuration")
    parser.add_argument("--device", default="cpu", help="where --paper trains")
    parser.add_argument("--timing", action="store_true", help="time one step of each")
    parser.add_argument("--throughput", action="store_true", help="ensemble against lone")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse(argv)
    if args.timing or args.throughput:
        import mixtures_timing as timing  # a sibling script

        return timing.main(args)
    start = time.perf_counter()
    run_all(make_tasks(args), args.csv, args.curves, args.jobs)
    elapsed = time.perf_counter() - start
    rows = read_rows(args.csv)
    total = sum(float(r["seconds"]) for r in rows)
    note = (
        f"{datetime.date.today():%Y-%m-%d}, {args.jobs} processes, ensembles of up to "
        f"{args.chunk} seeds; {total / 3600:.1f} hours of training per seed summed "
        f"({math.fsum(float(r['seconds']) for r in rows) / max(1, len(rows)):.0f} s per "
        f"seed on average), {elapsed / 60:.1f} minutes for this call"
    )
    text = report.write_table(args.csv, args.out, note, args.curves)
    figure = report.write_figure(args.curves, args.figure)
    print(text)
    print(f"wrote {args.out} and {figure} ({elapsed:.0f} s)")
    return {"table": text, "seconds": elapsed}


if __name__ == "__main__":
    main()
