"""Generate ``docs/digits_table.inc``: Part III's ladder, each rung over many seeds.

Each rung of :data:`tinygan.recipes.digits.DIGITS_LADDER` (the post's plain GAN carried
to images, then BCE, then LeakyReLU and LayerNorm, then Adam, then the default recipe's
minibatch standard deviation) trains from the same seeds and is judged exactly as
``tinygan train --data digits`` judges a run: the default judge of the digits
(:class:`tinygan.metrics.ImageJudge`) on the generator's output for the
:data:`tinygan.sweeps.EVAL_INPUTS` fixed evaluation inputs
(:func:`tinygan.sweeps.chunk.evaluate_generator`), so a seed's numbers here and in that
command's ``summary.json`` are the same. The table gives, per rung: seeds, iterations,
successes, the success rate with its 95% Wilson interval, the medians of the judge's
main numbers and the median CPU time of one run's training (one thread; judging not
counted).

Every finished run is appended to ``benchmarks/digits_seeds.csv`` (so an interrupted run
picks up where it stopped; the table is written from that file) and, with ``--samples
DIR``, its 1,000 judged images are kept in ``DIR`` so that ``--rejudge`` can judge them
again (after a change to the judge) without training again. To regenerate everything
(53 CPU-minutes of training in the committed run, 80 minutes of wall time on this
busy 2-core machine, one run at a time)::

    nice python benchmarks/digits.py --samples /tmp/digits-samples   # 20 seeds, 50 default
    python benchmarks/digits.py --seeds 2 --steps 50 --out /tmp/t.inc --csv /tmp/s.csv
    python benchmarks/digits.py --rejudge --samples /tmp/digits-samples
    python benchmarks/digits.py --figures docs/images --samples /tmp/digits-samples  # figure
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import functools
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import torch

import tinygan as tg
from tinygan.metrics import ImageJudge, check_verdict, counts_as_integers, default_judge
from tinygan.recipes.digits import DIGITS_LADDER, DIGITS_STEPS, digits_ladder
from tinygan.recipes.images import DIGITS_CONV_STEPS, digits_conv
from tinygan.sweeps import EVAL_INPUTS
from tinygan.sweeps.chunk import evaluate_generator
from tinygan.sweeps.inputs import eval_inputs

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "digits_table.inc"
DEFAULT_CSV = ROOT / "benchmarks" / "digits_seeds.csv"
VARIANTS = (*DIGITS_LADDER, "conv")
"""The ladder's rungs, then the convolutional recipe (not a rung: beside the ladder)."""

SEEDS = {rung: 20 for rung in DIGITS_LADDER} | {"default": 50, "conv": 10}
"""Seeds per variant: at least 20 per rung, 50 for the default recipe, 10 for conv."""

LABELS = {
    "plain": "plain: the post's GAN on images (sigmoid MLPs, MSE, SGD 0.01)",
    "bce": "+ BCE in place of MSE",
    "leaky-layernorm": "+ LeakyReLU and LayerNorm in place of hidden sigmoids",
    "adam": "+ Adam 1e-3, betas (0.5, 0.999) in place of SGD",
    "default": "+ minibatch std in D: the default recipe",
    "conv": "beside the ladder: the convolutional recipe (digits_conv)",
}
MEDIANS = {
    "classes_covered": "classes covered",
    "reverse_kl": "reverse KL",
    "coverage": "coverage",
    "worst_class_coverage": "worst class's coverage",
    "density": "density",
    "frechet_distance": "Fréchet distance",
}
"""The judge's numbers whose medians the table gives, and their column names."""


@functools.cache
def _data_and_judge() -> tuple[tg.ImageData, ImageJudge]:
    """The digits and their default judge, once per process (it fits its classifier once)."""
    data = tg.digits()
    judge = default_judge(data)
    assert isinstance(judge, ImageJudge)
    return data, judge


def _sample_path(folder: Path, rung: str, seed: int) -> Path:
    return folder / f"{rung}_{seed}.pt"


def _trainer(variant: str, seed: int, data: tg.ImageData) -> tg.AdversarialTrainer:
    if variant == "conv":
        return digits_conv(seed, data=data)
    return digits_ladder(seed, variant, data=data)


def run_one(
    rung: str, seed: int, steps: int | None = None, samples: Path | None = None
) -> dict[str, object]:
    """Train one variant from one seed and judge it as the CLI does: one seeds-file row."""
    torch.set_num_threads(1)
    data, judge = _data_and_judge()
    trainer = _trainer(rung, seed, data)
    steps = steps or (DIGITS_CONV_STEPS if rung == "conv" else DIGITS_STEPS)
    start = time.process_time()  # CPU time: what a run costs, however busy the machine
    trainer.fit(steps)
    seconds = time.process_time() - start
    row = evaluate_generator(trainer.generator, data, trainer.noise, seed=seed, judge=judge)
    if samples is not None:
        samples.mkdir(parents=True, exist_ok=True)
        with torch.no_grad():
            images = trainer.generator(eval_inputs(trainer.noise))
        torch.save(images, _sample_path(samples, rung, seed))
    verdict = counts_as_integers(row.values, judge)
    return {"variant": rung, "seed": seed, "steps": steps, **verdict, "seconds": seconds}


def _read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _fmt(row: list[str]) -> str:
    return "   * - " + "\n     - ".join(row)


def _median(rows: list[dict[str, str]], name: str) -> str:
    value = statistics.median(float(r[name]) for r in rows)
    return f"{value:g}" if name == "classes_covered" else f"{value:.2f}"


def table(rows: list[dict[str, str]], rungs: list[str]) -> str:
    """The reStructuredText table of the seeds file's rows, one line per rung."""
    header = ["rung", "seeds", "iterations", "successes", "success rate (95% interval)"]
    header += [f"{label} (median)" for label in MEDIANS.values()]
    header += ["CPU seconds per run (median)"]
    lines = [".. list-table::", "   :header-rows: 1", "", _fmt(header)]
    for rung in rungs:
        mine = [r for r in rows if r["variant"] == rung]
        if not mine:
            continue
        wins = sum(r["success"] == "True" for r in mine)
        low, high = tg.wilson_interval(wins, len(mine))
        cells = [LABELS[rung], str(len(mine)), f"{int(mine[0]['steps']):,}", str(wins)]
        cells.append(f"{wins / len(mine):.0%} ({low:.0%} to {high:.0%})")
        cells += [_median(mine, name) for name in MEDIANS]
        cells.append(f"{statistics.median(float(r['seconds']) for r in mine):.0f}")
        lines.append(_fmt(cells))
    return "\n".join(lines) + "\n"


def rejudge(path: Path, samples: Path) -> None:
    """Judge every kept run's images again with today's judge; rewrite the seeds file."""
    torch.set_num_threads(1)  # as the runs were judged: the same threads, the same bits
    data, judge = _data_and_judge()
    rows: list[dict[str, object]] = []
    for row in _read(path):
        images = torch.load(_sample_path(samples, row["variant"], int(row["seed"])))
        verdict = counts_as_integers(check_verdict(judge(images, data), judge), judge)
        fixed = {k: row[k] for k in ("variant", "seed", "steps")}
        rows.append({**fixed, **verdict, "seconds": row["seconds"]})
    if rows:
        _write(path, rows)


def figures(folder: Path, samples: Path | None = None) -> Path:
    """The ladder figure: real digits, then each variant's images (seed 0) on the same inputs.

    A variant's images kept in ``samples`` (by a run with ``--samples``) are used as they
    are; the others are trained again.
    """
    from tinygan.plotting import plot_image_rows

    torch.set_num_threads(1)
    data, judge = _data_and_judge()
    pick = torch.randperm(len(judge.fit_index), generator=torch.Generator().manual_seed(0))
    real = data.images[judge.fit_index][pick[:20]]
    rows, names = [real], ["real digits"]
    for variant in VARIANTS:
        kept = None if samples is None else _sample_path(samples, variant, 0)
        if kept is not None and kept.exists():
            images = torch.load(kept)
        else:
            trainer = _trainer(variant, 0, data)
            trainer.fit(DIGITS_CONV_STEPS if variant == "conv" else DIGITS_STEPS)
            with torch.no_grad():
                images = trainer.generator(eval_inputs(trainer.noise))
        verdict = judge(images, data)
        rows.append(images[:20])
        names.append(f"{variant}: {'succeeds' if verdict['success'] else 'fails'}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "digits_ladder.png"
    title = "seed 0: the first 20 of the 1,000 judged images of each rung, and of conv"
    plot_image_rows(rows, data.shape, names, per_row=20, title=title).savefig(path, dpi=100)
    return path


def _pending(csv_path: Path, seeds: dict[str, int], rungs: list[str]) -> list[tuple[str, int]]:
    done = {(r["variant"], int(r["seed"])) for r in _read(csv_path)}
    most = max(seeds[r] for r in rungs)
    # Seed by seed, every rung at each seed: an interrupted run leaves rows alike.
    return [(r, s) for s in range(most) for r in rungs if s < seeds[r] and (r, s) not in done]


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=None, help="seeds 0..N-1 for every rung")
    parser.add_argument("--rungs", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--steps", type=int, default=None, help="iterations per run")
    parser.add_argument("--jobs", type=int, default=1, help="parallel processes")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--samples", type=Path, default=None, help="keep judged images here")
    parser.add_argument("--rejudge", action="store_true", help="judge the kept images again")
    parser.add_argument("--figures", type=Path, default=None, help="write the figure there only")
    parser.add_argument("--table-only", action="store_true", help="no runs, only the table")
    args = parser.parse_args(argv)
    if args.figures is not None:
        return str(figures(args.figures, args.samples))
    seeds = dict.fromkeys(VARIANTS, args.seeds) if args.seeds else SEEDS
    if args.rejudge:
        if args.samples is None:
            parser.error("--rejudge needs --samples DIR, where the runs' images were kept")
        rejudge(args.csv, args.samples)
    todo = [] if args.table_only or args.rejudge else _pending(args.csv, seeds, args.rungs)
    args.csv.parent.mkdir(parents=True, exist_ok=True)
    existing = _read(args.csv)
    runs = [(rung, seed, args.steps, args.samples) for rung, seed in todo]
    with args.csv.open("a", newline="") as f, contextlib.ExitStack() as stack:
        writer = None
        if args.jobs > 1:  # else in this process, one run after another
            done = stack.enter_context(ProcessPoolExecutor(args.jobs)).map(_run, runs)
        else:
            done = map(_run, runs)
        for row in done:
            if writer is None:
                if existing and list(existing[0]) != list(row):
                    raise SystemExit(f"{args.csv} has other columns: rejudge it or start afresh")
                writer = csv.DictWriter(f, list(row))
                if not existing:
                    writer.writeheader()
            writer.writerow(row)
            f.flush()
            print(f"{row['variant']} seed {row['seed']}: success {row['success']}", flush=True)
    rows = [r for r in _read(args.csv) if int(r["seed"]) < seeds[r["variant"]]]
    text = (
        f".. Generated by benchmarks/digits.py on {datetime.date.today()} "
        f"({os.cpu_count()} CPUs, one thread per run, {EVAL_INPUTS:,} judged images per "
        "run); do not edit.\n\n" + table(rows, [r for r in VARIANTS if r in args.rungs])
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    return text


def _run(job: tuple[str, int, int | None, Path | None]) -> dict[str, object]:
    return run_one(*job)


if __name__ == "__main__":
    print(main())
