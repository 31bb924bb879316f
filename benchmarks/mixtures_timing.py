"""Times for the mixtures: one step of each configuration, and the ensemble against lone runs.

``python benchmarks/mixtures.py --timing`` times one training step of the CPU recipe
(lone, on the backend ``tinygan train`` uses) and of PacGAN's configuration
(:func:`tinygan.recipes.pacgan.paper_gan`), each on one thread, and states what the
paper's table would cost here. ``--throughput`` trains each cell of the table both
ways, side by side in one process on one thread: lone trainers one after another, and
``--chunk`` seeds as one ensemble (the ``vmap`` backend), interleaved over rounds, and
reports seeds-iterations per second and their ratio per cell and for the whole table
(each cell weighted by its iterations).

Times are the process's CPU time (:func:`time.process_time`; one thread), so that the
time this process waits for the machine's other jobs is not counted; on a machine of
its own the wall-clock times are the same.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import torch

import tinygan as tg
from tinygan.recipes.mixtures import grid25, ring8
from tinygan.recipes.pacgan import PAPER_STEPS, paper_gan

__all__ = ["main", "paper_step", "throughput"]

RECIPES = {"ring": ring8, "grid": grid25}
MIXTURES = {"ring": tg.GaussianMixture.ring, "grid": tg.GaussianMixture.grid}


def _per_iteration(run: Any, iterations: int) -> float:
    start = time.process_time()
    run.fit(iterations)
    return (time.process_time() - start) / iterations


def paper_step(pack: int, iterations: int = 20, device: str = "cpu") -> float:
    """Seconds per iteration of PacGAN's configuration (median of three timings)."""
    trainer = paper_gan(tg.GaussianMixture.ring(), 0, pack=pack, device=device).fit(3)
    return statistics.median(_per_iteration(trainer, iterations) for _ in range(3))


def throughput(data: str, pack: int, chunk: int, rounds: int, iterations: int) -> dict[str, Any]:
    """Lone against ensemble for one cell: seconds per seed-iteration each way (medians)."""
    recipe = RECIPES[data]
    lone = recipe(0, pack=pack).fit(3)
    ensemble = tg.EnsembleTrainer.from_trainers(
        [recipe(seed, pack=pack) for seed in range(chunk)], backend="vmap"
    ).fit(3)
    lone_s, ensemble_s = [], []
    for _ in range(rounds):
        lone_s.append(_per_iteration(lone, iterations))
        ensemble_s.append(_per_iteration(ensemble, max(1, iterations // chunk)) / chunk)
    a, b = statistics.median(lone_s), statistics.median(ensemble_s)
    return {"data": data, "pack": pack, "lone": a, "ensemble": b, "ratio": a / b}


def main(args: argparse.Namespace) -> dict[str, Any]:
    torch.set_num_threads(1)
    steps = {"ring": args.ring_steps, "grid": args.grid_steps}
    result: dict[str, Any] = {}
    if args.timing:
        lone = {}
        for data in args.data:
            for pack in args.packs:
                trainer = RECIPES[data](0, pack=pack).fit(3)
                lone[data, pack] = statistics.median(_per_iteration(trainer, 100) for _ in range(3))
                print(
                    f"{data} m={pack}: one step of the CPU recipe {lone[data, pack] * 1e3:.2f} ms "
                    f"({trainer.backend}), {lone[data, pack] * steps[data]:.0f} s for its "
                    f"{steps[data]:,} iterations"
                )
        paper = {pack: paper_step(pack, device=args.device) for pack in args.packs}
        total = sum(paper[p] * PAPER_STEPS * args.seeds for p in args.packs) * len(args.data)
        for pack, seconds in paper.items():
            print(
                f"PacGAN's configuration, m={pack}: one step {seconds * 1e3:.1f} ms on "
                f"{args.device}; one seed's {PAPER_STEPS:,} iterations "
                f"{seconds * PAPER_STEPS / 3600:.1f} hours"
            )
        print(
            f"the paper's table ({len(args.data)} datasets x {len(args.packs)} methods x "
            f"{args.seeds} seeds) would take {total / 3600:.0f} hours of one such thread"
        )
        result.update(lone=lone, paper=paper, paper_table_hours=total / 3600)
    if args.throughput:
        cells = [
            throughput(data, pack, args.chunk, rounds=5, iterations=200)
            for data in args.data
            for pack in args.packs
        ]
        for c in cells:
            print(
                f"{c['data']} m={c['pack']}: lone {c['lone'] * 1e3:.2f} ms per iteration, "
                f"ensemble of {args.chunk} {c['ensemble'] * 1e3:.2f} ms per seed-iteration: "
                f"{c['ratio']:.2f}x"
            )
        lone_total = sum(c["lone"] * steps[c["data"]] for c in cells)
        ensemble_total = sum(c["ensemble"] * steps[c["data"]] for c in cells)
        ratio = lone_total / ensemble_total
        print(
            f"whole table: {ratio:.2f}x the throughput of one run at a time "
            f"({lone_total:.0f} s against {ensemble_total:.0f} s per seed of every cell)"
        )
        result.update(cells=cells, ratio=ratio)
    return result
