"""Which objective collapses least: each objective in the same recipe, over many seeds.

Every objective of :data:`tinygan.objectives.NAMES` takes the place of the recipe's own
loss (``objective=`` on :func:`tinygan.recipes.ring8` and
:func:`tinygan.recipes.digits.digits`), nothing else changed: the converged ring recipe
(15,000 iterations, the mode-collapse page) and the default digits recipe (10,000
iterations, Part III). Each seed is judged as ``tinygan train`` judges it: the data's
default judge on its fixed evaluation inputs (2,500 for the ring, 1,000 for the
digits). A cell's seeds train as one ``vmap`` ensemble where the backend serves the
objective, and as lone ``autograd`` trainers where it does not (``wgan-gp``: its
gradient penalty). Rows go to the CSV as each task finishes, so a stopped run resumes;
the report is a table for the docs with each cell's successes, their 95% Wilson
interval and the judge's numbers::

    nice python benchmarks/objectives.py --jobs 2

``--seeds``, ``--data``, ``--objectives``, ``--ring-steps`` and ``--digits-steps``
change the sweep; ``--csv`` and ``--out`` write elsewhere (``--seeds 2 --ring-steps 30
--digits-steps 30 --csv /tmp/o.csv --out /tmp/o.inc`` is a quick look).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import time
from collections.abc import Callable
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import torch

import tinygan as tg
from tinygan.metrics import default_judge
from tinygan.recipes import ring8
from tinygan.recipes.digits import DIGITS_STEPS, digits
from tinygan.recipes.mixtures import RING8_STEPS
from tinygan.sweeps.inputs import eval_count, eval_inputs, judged_output

DOCS = Path(__file__).resolve().parent.parent / "docs"
DEFAULT_CSV = DOCS / "objectives_seeds.csv"
DEFAULT_OUT = DOCS / "objectives_table.inc"
RECIPES: dict[str, Callable[..., tg.AdversarialTrainer]] = {"ring": ring8, "digits": digits}
NUMBERS = {
    "ring": ["modes", "high_quality", "reverse_kl"],
    "digits": ["classes_covered", "coverage", "density", "frechet_distance"],
}
FIELDS = ["data", "objective", "seed", "steps", "success", "backend", "seconds"]
FIELDS += sorted({name for names in NUMBERS.values() for name in names})
LONE_CHUNK = 4  # seeds per task where each seed trains alone

Task = tuple[str, str, tuple[int, ...], int]
"""(data, objective, seeds, steps)."""


def run_task(task: Task) -> list[dict[str, Any]]:
    """Train one task's seeds (one ensemble, or lone trainers) and judge each seed."""
    data, objective, seeds, steps = task
    torch.set_num_threads(1)
    start = time.perf_counter()
    real = tg.digits() if data == "digits" else None
    build = RECIPES[data]
    trainers = [
        build(seed, objective=objective, **({"data": real} if real is not None else {}))
        for seed in seeds
    ]
    judge = default_judge(trainers[0].real)
    z = eval_inputs(trainers[0].noise, count=eval_count(judge))
    if len(trainers) > 1 and tg.ensemble.alike.stackable(trainers) is None:
        ensemble = tg.EnsembleTrainer.from_trainers(trainers, backend="vmap")
        ensemble.fit(steps)
        outputs, backend = list(ensemble.generate(z)), ensemble.backend
    else:
        for trainer in trainers:
            trainer.fit(steps)
        outputs = [judged_output(trainer.generator, z) for trainer in trainers]
        backend = trainers[0].backend
    seconds = (time.perf_counter() - start) / len(seeds)
    rows = []
    for seed, out in zip(seeds, outputs, strict=True):
        verdict = judge(out, trainers[0].real)
        row = {"data": data, "objective": objective, "seed": seed, "steps": steps}
        row.update(success=bool(verdict["success"]), backend=backend, seconds=f"{seconds:.2f}")
        row.update({name: f"{float(verdict[name]):.6g}" for name in NUMBERS[data]})
        rows.append(row)
    return rows


def make_tasks(args: argparse.Namespace) -> list[Task]:
    """Every cell's tasks: one per ensemble, or per ``LONE_CHUNK`` lone seeds."""
    tasks: list[Task] = []
    seeds = tuple(range(args.seeds))
    for data in args.data:
        steps = args.ring_steps if data == "ring" else args.digits_steps
        for objective in args.objectives:
            lone = tg.objectives.get(objective).penalized
            size = LONE_CHUNK if lone else len(seeds)
            for i in range(0, len(seeds), size):
                tasks.append((data, objective, seeds[i : i + size], steps))
    return tasks


def read_rows(path: Path) -> list[dict[str, str]]:
    """The CSV's rows (none if it does not exist)."""
    if not path.exists():
        return []
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _key(row: dict[str, Any]) -> tuple[str, str, str, str]:
    return (row["data"], row["objective"], str(row["seed"]), str(row["steps"]))


def _append(path: Path, rows: list[dict[str, Any]]) -> None:
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        if new:
            writer.writeheader()
        writer.writerows(rows)
        f.flush()
        os.fsync(f.fileno())


def run_all(tasks: list[Task], path: Path, jobs: int) -> None:
    """Run the tasks whose rows the CSV lacks, ``jobs`` at a time, appending as they end."""
    done = {_key(row) for row in read_rows(path)}
    todo = [t for t in tasks if any((t[0], t[1], str(s), str(t[3])) not in done for s in t[2])]
    todo.sort(key=lambda t: -len(t[2]) * t[3] * (3 if t[1] == "wgan-gp" else 1))
    if not todo:
        return
    with get_context("spawn").Pool(max(1, jobs)) as pool:
        for rows in pool.imap_unordered(run_task, todo):
            _append(path, rows)
            for row in rows:
                verdict = "succeeds" if row["success"] else "fails"
                print(f"{row['data']} {row['objective']} seed {row['seed']}: {verdict}", flush=True)


def _median(rows: list[dict[str, str]], name: str) -> float:
    return statistics.median(float(row[name]) for row in rows)


def report(path: Path, out: Path, seeds: int) -> str:
    """Write the docs table from the CSV's rows; return it."""
    rows = read_rows(path)
    lines = [
        ".. list-table:: Each objective in the same recipe; successes over seeds 0 to "
        f"{seeds - 1} with their 95% Wilson interval, and the judge's medians",
        "   :header-rows: 1",
        "",
        "   * - data",
        "     - objective",
        "     - succeed",
        "     - rate (95% interval)",
        "     - the judge's medians",
        "     - backend, wall s per seed",
    ]
    for data in NUMBERS:
        for objective in tg.objectives.NAMES:
            cell = [r for r in rows if r["data"] == data and r["objective"] == objective]
            cell = [r for r in cell if int(r["seed"]) < seeds]
            if not cell:
                continue
            wins = sum(r["success"] == "True" for r in cell)
            low, high = tg.wilson_interval(wins, len(cell))
            if data == "ring":
                numbers = (
                    f"{_median(cell, 'modes'):.0f} modes, "
                    f"{_median(cell, 'high_quality'):.0%} high quality, "
                    f"reverse KL {_median(cell, 'reverse_kl'):.3f}"
                )
            else:
                numbers = (
                    f"{_median(cell, 'classes_covered'):.0f} classes, "
                    f"coverage {_median(cell, 'coverage'):.2f}, "
                    f"density {_median(cell, 'density'):.2f}, "
                    f"Frechet {_median(cell, 'frechet_distance'):.2f}"
                )
            steps = f"{int(cell[0]['steps']):,}"
            lines += [
                f"   * - {data} ({steps} it.)",
                f"     - ``{objective}``",
                f"     - {wins} / {len(cell)}",
                f"     - {wins / len(cell):.0%} ({low:.0%} to {high:.0%})",
                f"     - {numbers}",
                f"     - {cell[0]['backend']}, {_median(cell, 'seconds'):.0f}",
            ]
    text = "\n".join(lines) + "\n"
    out.write_text(text, encoding="utf-8")
    return text


def main(argv: list[str] | None = None) -> None:
    """Run the missing tasks, then write and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--data", nargs="+", default=list(RECIPES), choices=list(RECIPES))
    parser.add_argument(
        "--objectives", nargs="+", default=list(tg.objectives.NAMES),
        choices=list(tg.objectives.NAMES),
    )  # fmt: skip
    parser.add_argument("--ring-steps", type=int, default=RING8_STEPS)
    parser.add_argument("--digits-steps", type=int, default=DIGITS_STEPS)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    run_all(make_tasks(args), args.csv, args.jobs)
    print(report(args.csv, args.out, args.seeds))
    print(f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
