"""Generate ``docs/digits_table.inc``: how often each digits recipe draws all ten digits.

Each variant trains an MLP GAN on scikit-learn's 8x8 digits over the same seeds and judges
every run with :class:`tinygan.metrics.ImageJudge` (its documented success rule) on 1,000
images from fixed noise. The rows go from the naive recipe
(:func:`tinygan.recipes.digits_naive`) through the changes that fix it to the default
recipe (:func:`tinygan.recipes.digits`, what ``tinygan train --data digits`` trains).
The table gives, per variant: seeds, iterations, successes, the success rate with its 95%
Wilson interval, the median number of classes covered, the median Fréchet distance and
the median CPU time of one run's training (one thread; the judging is not counted).

Every finished run is appended to ``benchmarks/digits_seeds.csv``, so an interrupted run
picks up where it stopped; the table is written from that file. The docs build only
includes the committed table. To regenerate it (about 35 CPU-minutes; ``--jobs`` runs
seeds in parallel processes)::

    nice python benchmarks/digits.py --jobs 2                      # 50 seeds per variant
    python benchmarks/digits.py --seeds 3 --out /tmp/t.rst --csv /tmp/s.csv   # a quick look
    python benchmarks/digits.py --figures docs/images              # the page's figures
"""

from __future__ import annotations

import argparse
import csv
import datetime
import functools
import os
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

import torch
from torch import nn

import tinygan as tg
from tinygan.metrics import ImageJudge
from tinygan.recipes import DIGITS_NAIVE_STEPS, DIGITS_STEPS, digits, digits_naive

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "digits_table.inc"
DEFAULT_CSV = ROOT / "benchmarks" / "digits_seeds.csv"
EVAL_SEED = 2026
"""Seeds the judged noise (1,000 inputs, the same for every run)."""

COLUMNS = [
    "variant",
    "seed",
    "steps",
    "classes_covered",
    "confident_share",
    "reverse_kl",
    "frechet_distance",
    "success",
    "seconds",
]


def _leaky() -> nn.Module:
    return nn.LeakyReLU(0.2)


def _layernorm(seed: int, data: tg.ImageData) -> tg.AdversarialTrainer:
    """The naive networks with LayerNorm, trained with the default recipe's Adam."""
    init = torch.Generator().manual_seed(seed)
    options = {"bias": True, "activation": _leaky, "norm": nn.LayerNorm, "generator": init}
    generator = tg.mlp([16, 128, 128, 64], output_activation=nn.Sigmoid, **options)
    discriminator = tg.mlp([64, 128, 1], output_activation=None, **options)
    return tg.AdversarialTrainer(
        generator,
        discriminator,
        data,
        tg.GaussianNoise(16),
        batch_size=64,
        loss=nn.BCEWithLogitsLoss(),
        optimizer=partial(torch.optim.Adam, lr=1e-3, betas=(0.5, 0.999)),
        seed=seed,
    )


#: name: (label, recipe(seed, data) -> trainer, iterations)
VARIANTS: dict[str, tuple[str, Callable[[int, tg.ImageData], tg.AdversarialTrainer], int]] = {
    "naive": (
        "naive: G 16-128-128-64, D 64-128-1, LeakyReLU, BCE, Adam 2e-4, batch 64",
        lambda seed, data: digits_naive(seed, data=data),
        DIGITS_NAIVE_STEPS,
    ),
    "layernorm": (
        "naive + LayerNorm in G and D + Adam 1e-3, betas (0.5, 0.999)",
        _layernorm,
        DIGITS_STEPS,
    ),
    "default": (
        "default: naive + LayerNorm + Adam 1e-3, betas (0.5, 0.999) + minibatch std in D",
        lambda seed, data: digits(seed, data=data),
        DIGITS_STEPS,
    ),
}


@functools.cache
def _data_and_judge() -> tuple[tg.ImageData, ImageJudge]:
    """The digits and their judge, once per process (the judge fits its classifier once)."""
    data = tg.digits()
    return data, ImageJudge(data)


def run_one(variant: str, seed: int) -> dict[str, object]:
    """Train one variant from one seed and judge it: one row of the seeds file."""
    torch.set_num_threads(1)
    data, judge = _data_and_judge()
    _, recipe, steps = VARIANTS[variant]
    trainer = recipe(seed, data)
    start = time.process_time()  # CPU time: what a run costs, however busy the machine
    trainer.fit(steps)
    seconds = time.process_time() - start
    noise = tg.GaussianNoise(trainer.noise.dim).sample(
        1000, generator=torch.Generator().manual_seed(EVAL_SEED)
    )
    with torch.no_grad():
        images = trainer.generator(noise)
    verdict = judge(images, data)
    return {"variant": variant, "seed": seed, "steps": steps, **verdict, "seconds": seconds}


def _read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _fmt(row: list[str]) -> str:
    return "   * - " + "\n     - ".join(row)


def table(rows: list[dict[str, str]], variants: list[str]) -> str:
    """The reStructuredText table of the seeds file's rows, one line per variant."""
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "",
        _fmt(
            [
                "variant",
                "seeds",
                "iterations",
                "successes",
                "success rate (95% interval)",
                "classes covered (median)",
                "Fréchet distance (median)",
                "CPU seconds per run (median)",
            ]
        ),
    ]
    for name in variants:
        mine = [r for r in rows if r["variant"] == name]
        if not mine:
            continue
        wins = sum(r["success"] == "True" for r in mine)
        low, high = tg.wilson_interval(wins, len(mine))
        lines.append(
            _fmt(
                [
                    VARIANTS[name][0],
                    str(len(mine)),
                    f"{int(mine[0]['steps']):,}",
                    str(wins),
                    f"{wins / len(mine):.0%} ({low:.0%} to {high:.0%})",
                    f"{statistics.median(float(r['classes_covered']) for r in mine):g}",
                    f"{statistics.median(float(r['frechet_distance']) for r in mine):.1f}",
                    f"{statistics.median(float(r['seconds']) for r in mine):.0f}",
                ]
            )
        )
    return "\n".join(lines) + "\n"


def figures(folder: Path) -> None:
    """Write the page's figures: the naive and the default recipe's samples, seed 0."""
    from tinygan.plotting import plot_image_snapshots, plot_images, save_image_animation

    torch.set_num_threads(1)
    folder.mkdir(parents=True, exist_ok=True)
    data = tg.digits()
    noise = tg.GaussianNoise(16).sample(1000, generator=torch.Generator().manual_seed(EVAL_SEED))
    for name, recipe, steps in (
        ("naive", digits_naive, DIGITS_NAIVE_STEPS),
        ("default", digits, DIGITS_STEPS),
    ):
        snaps = tg.Snapshots(every=steps // 20)
        trainer = recipe(0, data=data, callbacks=[snaps])
        trainer.fit(steps)
        with torch.no_grad():
            images = trainer.generator(noise)
        verdict = ImageJudge(data)(images, data)
        title = (
            f"{name} recipe, seed 0: {verdict['classes_covered']} classes, "
            f"reverse KL {verdict['reverse_kl']:.2f}"
        )
        plot_images(images[:50], data.shape, title=title).savefig(
            folder / f"digits_{name}_samples.png", dpi=90
        )
        plot_image_snapshots(snaps, data.shape).savefig(
            folder / f"digits_{name}_snapshots.png", dpi=90
        )
        save_image_animation(snaps, data.shape, folder / f"digits_{name}.gif")


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50, help="seeds 0..N-1 per variant")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--jobs", type=int, default=1, help="parallel processes")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--figures", type=Path, default=None, help="write figures there only")
    parser.add_argument(
        "--table-only", action="store_true", help="write the table from the seeds file, no runs"
    )
    args = parser.parse_args(argv)
    if args.figures is not None:
        figures(args.figures)
        return ""
    done = {(r["variant"], int(r["seed"])) for r in _read(args.csv)}
    # Seed by seed, every variant at each seed: an interrupted run leaves rows alike.
    todo = [(v, s) for s in range(args.seeds) for v in args.variants if (v, s) not in done]
    if args.table_only:
        todo = []
    args.csv.parent.mkdir(parents=True, exist_ok=True)
    fresh = not args.csv.exists()
    with args.csv.open("a", newline="") as f, ProcessPoolExecutor(args.jobs) as pool:
        writer = csv.DictWriter(f, COLUMNS)
        if fresh:
            writer.writeheader()
        for row in pool.map(_run_pair, todo):
            writer.writerow(row)
            f.flush()
    rows = [r for r in _read(args.csv) if int(r["seed"]) < args.seeds]
    text = (
        f".. Generated by benchmarks/digits.py on {datetime.date.today()} "
        f"({os.cpu_count()} CPUs, one thread per run); do not edit.\n\n"
        + table(rows, [name for name in VARIANTS if name in args.variants])
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    return text


def _run_pair(pair: tuple[str, int]) -> dict[str, object]:
    return run_one(*pair)


if __name__ == "__main__":
    print(main())
