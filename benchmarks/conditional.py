"""How often the conditional digits recipe works: many seeds, each judged as the CLI does.

Trains :func:`tinygan.recipes.conditional.digits_conditional` for its
:data:`~tinygan.recipes.conditional.CONDITIONAL_STEPS` iterations from each seed and
judges it exactly as ``tinygan train --data digits --conditional`` does (the 1,000
fixed evaluation inputs, input ``i`` asked for the digit ``i % 10``, by
:class:`tinygan.metrics.ConditionalJudge`). One row per seed goes to the CSV as soon as
it is judged, so a run that stops resumes where it stopped; the summary gives the
successes with a 95% Wilson interval and the spread of each number, and ``--out``
writes it as a table for the docs::

    python benchmarks/conditional.py --seeds 20 --out docs/conditional_table.inc
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from pathlib import Path

import torch

import tinygan as tg
from tinygan.cli._train_conditional import judged_inputs
from tinygan.metrics import ConditionalJudge, ImageJudge
from tinygan.recipes.conditional import CONDITIONAL_STEPS, digits_conditional

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = [
    "seed",
    "steps",
    "success",
    "label_accuracy",
    "worst_label_accuracy",
    "worst_label_coverage",
    "coverage",
    "density",
    "frechet_distance",
    "held_out_accuracy",
    "seconds",
]


def judge_seed(seed: int, steps: int, data: tg.ImageData, judge: ConditionalJudge) -> dict:
    """Train one seed and judge it as the CLI does; its row."""
    trainer = digits_conditional(seed, data=data)
    start = time.perf_counter()
    trainer.fit(steps)
    seconds = time.perf_counter() - start
    noise, labels = judged_inputs(trainer)
    verdict = judge(trainer.generate(labels, noise), labels)
    row = {name: verdict[name] for name in COLUMNS if name in verdict}
    return {**row, "seed": seed, "steps": steps, "seconds": round(seconds, 2)}


def summary(rows: list[dict]) -> str:
    """Successes with their Wilson interval, and each number's median and range."""
    wins = sum(str(r["success"]) == "True" for r in rows)
    low, high = tg.wilson_interval(wins, len(rows))
    lines = [
        f"{wins} of {len(rows)} seeds succeed: {wins / len(rows):.0%} ({low:.0%} to {high:.0%})"
    ]
    for name in COLUMNS[3:]:
        values = [float(r[name]) for r in rows]
        lines.append(
            f"  {name}: median {statistics.median(values):.3f}, "
            f"{min(values):.3f} to {max(values):.3f}"
        )
    return "\n".join(lines)


LABELS = {
    "label_accuracy": "label accuracy",
    "worst_label_accuracy": "the worst digit's accuracy",
    "worst_label_coverage": "the worst digit's coverage",
    "coverage": "coverage, all images",
    "density": "density, all images",
    "frechet_distance": "Frechet distance",
}


def table(rows: list[dict], steps: int) -> str:
    """The docs' table: the successes with their interval, then each number's spread."""
    wins = sum(str(r["success"]) == "True" for r in rows)
    low, high = tg.wilson_interval(wins, len(rows))
    seeds = len(rows)
    lines = [
        f"**{wins} of {seeds} seeds succeed** ({wins / seeds:.0%}, 95% Wilson interval "
        f"{low:.0%} to {high:.0%}): :func:`~tinygan.recipes.conditional.digits_conditional` "
        f"from seeds 0 to {seeds - 1}, {steps:,} iterations each, judged as "
        "``tinygan train --data digits --conditional`` judges (``python "
        "benchmarks/conditional.py --out docs/conditional_table.inc``).",
        "",
        ".. list-table:: The judge's numbers over the seeds",
        "   :header-rows: 1",
        "",
        "   * - number",
        "     - median",
        "     - lowest",
        "     - highest",
    ]
    for name, label in LABELS.items():
        values = [float(r[name]) for r in rows]
        lines += [
            f"   * - {label}",
            f"     - {statistics.median(values):.3f}",
            f"     - {min(values):.3f}",
            f"     - {max(values):.3f}",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--steps", type=int, default=CONDITIONAL_STEPS)
    parser.add_argument("--csv", type=Path, default=ROOT / "benchmarks" / "conditional_seeds.csv")
    parser.add_argument("--out", type=Path, default=None, help="write the docs' table here")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    rows: list[dict] = []
    if args.csv.exists():
        with args.csv.open() as f:
            rows = [r for r in csv.DictReader(f) if int(r["steps"]) == args.steps]
    done = {int(r["seed"]) for r in rows}
    data = tg.digits()
    judge = ConditionalJudge(ImageJudge(data))
    new = not args.csv.exists()
    with args.csv.open("a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        if new:
            writer.writeheader()
        for seed in range(args.seeds):
            if seed in done:
                continue
            row = judge_seed(seed, args.steps, data, judge)
            writer.writerow(row)
            f.flush()
            rows.append(row)
            print(f"seed {seed}: {row}", flush=True)
    chosen = sorted((r for r in rows if int(r["seed"]) < args.seeds), key=lambda r: int(r["seed"]))
    text = summary(chosen)
    print(text)
    if args.out is not None:
        args.out.write_text(table(chosen, args.steps), encoding="utf-8")
    return text


if __name__ == "__main__":
    main()
