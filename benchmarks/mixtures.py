"""Generate ``docs/mixtures_table.inc``: mode collapse on the 2-D ring and grid, packed or not.

For each dataset (the 8-mode ring and the 25-mode grid of PacGAN) and each pack size
``m`` (1: a plain GAN; 2, 3, 4: PacGAN2-4), the recipe of :mod:`tinygan.recipes.mixtures`
is trained from ``--seeds`` seeds and judged by :func:`tinygan.metrics.mode_coverage` on
2,500 fresh samples (as many as the PacGAN authors' code evaluates; noise from a
fixed generator, seed 2018). The table gives the mean
and standard error over seeds of modes captured, the share of high-quality samples and
the reverse KL, and the share of seeds that capture every mode with its 95% Wilson
interval. Each finished run is appended to a CSV at once (``--csv``), so an interrupted
run resumes where it stopped; the table is written from the CSV.

The docs build only includes the committed table; it never reruns the training. To
regenerate it (about 30 minutes on two cores)::

    nice python benchmarks/mixtures.py --jobs 2             # 20 seeds, both datasets
    python benchmarks/mixtures.py --seeds 2 --ring-steps 50 --grid-steps 50 \\
        --csv /tmp/m.csv --out /tmp/m.inc                   # a quick look

``--paper`` trains PacGAN's own configuration instead (G: four hidden layers of 400
units with batch norm; D: three maxout layers of 200 units, 5 pieces; Adam 1e-4 with
beta1 0.8; batch 100 packs; 400 epochs of 100,000 samples, 400,000 iterations): meant
for a long run on a bigger machine, it is not what the committed table ran. As written
it trains on the CPU; the trainers' ``device=`` option is the way to a GPU (untried here:
no GPU was available).

``--timing`` prints the time of one training step of the CPU recipe next to the time of
the same step's matrix multiplications alone, and their share of the machine's float32
throughput.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import math
import multiprocessing
import os
import statistics
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

import tinygan as tg
from tinygan.recipes.mixtures import GRID25_STEPS, RING8_STEPS, grid25, ring8

DOCS = Path(__file__).resolve().parent.parent / "docs"
DEFAULT_OUT = DOCS / "mixtures_table.inc"  # not .rst: included, never a page of its own
DEFAULT_CSV = DOCS / "mixtures_seeds.csv"
EVAL_SAMPLES = 2500
EVAL_SEED = 2018
FIELDS = [
    "data",
    "pack",
    "seed",
    "steps",
    "config",
    "modes",
    "high_quality",
    "reverse_kl",
    "seconds",
]
DATA = {
    "ring": (ring8, RING8_STEPS, tg.GaussianMixture.ring),
    "grid": (grid25, GRID25_STEPS, tg.GaussianMixture.grid),
}


# --- the paper's configuration (--paper) -------------------------------------------------


class Maxout(nn.Module):
    """A maxout layer: ``pieces`` linear maps, the largest output kept per unit."""

    def __init__(self, fan_in: int, units: int, pieces: int, generator: torch.Generator):
        super().__init__()
        self.units, self.pieces = units, pieces
        self.linear = _linear(fan_in, units * pieces, generator)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x).view(-1, self.units, self.pieces).amax(dim=2)


def _linear(fan_in: int, fan_out: int, generator: torch.Generator) -> nn.Linear:
    """A linear layer initialised as the authors' code does: N(0, 0.02) weights, 0 biases."""
    layer = nn.utils.skip_init(nn.Linear, fan_in, fan_out)
    nn.init.normal_(layer.weight, 0.0, 0.02, generator=generator)
    nn.init.zeros_(layer.bias)
    return layer


def paper_trainer(data: str, seed: int, pack: int, device: str) -> tg.AdversarialTrainer:
    """PacGAN's 2-D configuration, from ``seed`` alone.

    As the paper describes it (Lin et al. 2018) and the authors' code sets it
    (github.com/fjxmlzn/PacGAN, ``synthetic_data_experiments/2DRing_GAN&PacGAN/config.py``):
    noise 2-D standard normal; G four ReLU hidden layers of 400 with batch norm; D three
    maxout layers of 200 units with 5 pieces; weights N(0, 0.02), biases 0; Adam 1e-4,
    beta1 0.8; 100 packs per batch (our reading: ``100 * m`` samples per step).
    """
    weights = torch.Generator().manual_seed(seed)
    g_layers: list[nn.Module] = []
    width = 2
    for _ in range(4):
        g_layers += [_linear(width, 400, weights), nn.BatchNorm1d(400), nn.ReLU()]
        width = 400
    generator = nn.Sequential(*g_layers, _linear(400, 2, weights)).to(device)
    critic = nn.Sequential(
        Maxout(2 * pack, 200, 5, weights),
        Maxout(200, 200, 5, weights),
        Maxout(200, 200, 5, weights),
        _linear(200, 1, weights),
    ).to(device)
    discriminator = critic if pack == 1 else tg.Packed(critic, pack)
    real = DATA[data][2]()

    return tg.AdversarialTrainer(
        generator,
        discriminator,
        real,
        tg.GaussianNoise(2),
        lr=1e-4,
        batch_size=100 * pack,
        loss=nn.functional.binary_cross_entropy_with_logits,
        optimizer=lambda p: torch.optim.Adam(p, lr=1e-4, betas=(0.8, 0.999)),
        seed=seed,
    )


PAPER_STEPS = 400 * 100_000 // 100  # 400 epochs of 100,000 samples, batches of 100


# --- one run -----------------------------------------------------------------------------


def run_one(task: tuple[str, int, int, int, bool, str]) -> dict[str, Any]:
    """Train one (data, pack, seed) configuration and judge it."""
    data, pack, seed, steps, paper, device = task
    torch.set_num_threads(1)
    start = time.perf_counter()
    if paper:
        trainer = paper_trainer(data, seed, pack, device)
    else:
        trainer = DATA[data][0](seed, pack=pack, steps=steps)
    trainer.fit(steps)
    noise = tg.GaussianNoise(2).sample(
        EVAL_SAMPLES, generator=torch.Generator().manual_seed(EVAL_SEED)
    )
    generator = trainer.generator
    if isinstance(generator, nn.Module):
        generator.eval()
    with torch.no_grad():
        samples = generator(noise.to(device) if paper else noise).cpu()
    cover = tg.metrics.mode_coverage(samples, trainer.real)
    return {
        "data": data,
        "pack": pack,
        "seed": seed,
        "steps": steps,
        "config": "paper" if paper else "cpu",
        "modes": cover.modes,
        "high_quality": f"{cover.high_quality:.6f}",
        "reverse_kl": f"{cover.reverse_kl:.6f}",
        "seconds": f"{time.perf_counter() - start:.2f}",
    }


def read_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def run_all(tasks: list[tuple[str, int, int, int, bool, str]], path: Path, jobs: int) -> None:
    """Run the tasks whose rows ``path`` lacks, appending each row as it finishes."""
    done = {(r["data"], r["pack"], r["seed"], r["steps"], r["config"]) for r in read_rows(path)}
    todo = [
        t
        for t in tasks
        if (t[0], str(t[1]), str(t[2]), str(t[3]), "paper" if t[4] else "cpu") not in done
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    with path.open("a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        if new:
            writer.writeheader()
        for row in _results(todo, jobs):
            writer.writerow(row)
            f.flush()
            print(
                f"{row['data']} m={row['pack']} seed {row['seed']}: {row['modes']} modes, "
                f"{float(row['high_quality']):.0%} high quality, KL {row['reverse_kl']}, "
                f"{row['seconds']} s",
                flush=True,
            )


def _results(todo: list[Any], jobs: int) -> Iterator[dict[str, Any]]:
    if jobs == 1:
        yield from map(run_one, todo)
        return
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        yield from pool.imap_unordered(run_one, todo)


# --- the table ---------------------------------------------------------------------------


def mean_se(values: Sequence[float], scale: float = 1.0, digits: int = 2) -> str:
    """``mean ± standard error`` (sample standard deviation over sqrt(n)).

    Infinite values (a reverse KL with no high-quality sample) are left out of the mean
    and counted after it.
    """
    finite = [v for v in values if math.isfinite(v)]
    left_out = len(values) - len(finite)
    if not finite:
        return f"inf ({left_out} seeds)"
    mean = statistics.fmean(finite) * scale
    se = statistics.stdev(finite) / math.sqrt(len(finite)) * scale if len(finite) > 1 else 0.0
    text = f"{mean:.{digits}f} ± {se:.{digits}f}"
    return text if not left_out else f"{text} ({len(finite)} seeds; {left_out} inf)"


def table(rows: list[dict[str, str]]) -> str:
    """The rst include: one list-table per dataset, ours beside the paper's."""
    label = {1: "GAN", 2: "PacGAN2", 3: "PacGAN3", 4: "PacGAN4"}
    out: list[str] = []
    for data, name, k in (("ring", "2-D ring (8 modes)", 8), ("grid", "2-D grid (25 modes)", 25)):
        mine = [r for r in rows if r["data"] == data and r["config"] == "cpu"]
        if not mine:
            continue
        steps = sorted({int(r["steps"]) for r in mine})
        out += [
            f".. list-table:: {name}: tinygan on this CPU ({', '.join(f'{s:,}' for s in steps)}"
            " iterations)",
            "   :header-rows: 1",
            "",
            "   * - method",
            "     - seeds",
            "     - modes",
            "     - high quality (%)",
            "     - reverse KL",
            "     - every mode (95% interval)",
            "     - s per run",
        ]
        for pack in sorted({int(r["pack"]) for r in mine}):
            runs = [r for r in mine if int(r["pack"]) == pack]
            modes = [float(r["modes"]) for r in runs]
            every = sum(int(r["modes"]) == k for r in runs)
            low, high = tg.wilson_interval(every, len(runs))
            seconds = statistics.fmean(float(r["seconds"]) for r in runs)
            out += [
                f"   * - {label.get(pack, f'PacGAN{pack}')}",
                f"     - {len(runs)}",
                f"     - {mean_se(modes, digits=1)}",
                f"     - {mean_se([float(r['high_quality']) for r in runs], 100, 1)}",
                f"     - {mean_se([float(r['reverse_kl']) for r in runs])}",
                f"     - {every}/{len(runs)} ({low:.0%} - {high:.0%})",
                f"     - {seconds:.0f}",
            ]
        out.append("")
    return "\n".join(out)


def write_table(csv_path: Path, out: Path, note: str) -> str:
    text = f".. Generated by benchmarks/mixtures.py on {note}; do not edit.\n\n"
    text += table(read_rows(csv_path))
    out.write_text(text)
    return text


# --- timing (--timing) -------------------------------------------------------------------


def _best(fn: Any, repeats: int = 7, number: int = 50) -> float:
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def step_matmuls(batch: int, pack: int, width: int) -> list[tuple[int, int, int]]:
    """The (rows, inner, cols) of every matrix product in one training step of the recipe.

    Per linear layer ``(rows, fan_in) @ (fan_in, fan_out)`` forward; backward, the
    weight's gradient ``(fan_out, rows) @ (rows, fan_in)`` and, where it is needed, the
    input's gradient ``(rows, fan_out) @ (fan_out, fan_in)``.
    """
    n = batch // pack
    g = [(2, width), (width, width), (width, 2)]
    d = [(2 * pack, width), (width, width), (width, 1)]
    fwd = lambda rows, layers: [(rows, a, b) for a, b in layers]  # noqa: E731
    wgrad = lambda rows, layers: [(b, rows, a) for a, b in layers]  # noqa: E731
    igrad = lambda rows, layers: [(rows, b, a) for a, b in layers]  # noqa: E731
    d_step = fwd(n, d) + wgrad(n, d) + igrad(n, d[1:])
    return (
        d_step  # D on real
        + fwd(batch, g)  # G's output for D's fake step (no grad)
        + d_step  # D on fake
        + fwd(batch, g)
        + fwd(n, d)
        + igrad(n, d)  # G's step: through D to G
        + wgrad(batch, g)
        + igrad(batch, g[1:])
    )


def timing(pack: int = 1) -> dict[str, float]:
    """Time one recipe step against its matrix products alone (one thread)."""
    torch.set_num_threads(1)
    trainer = ring8(0, pack=pack)
    trainer.fit(50)
    step = _best(trainer.step, repeats=5, number=100)
    shapes = step_matmuls(trainer.batch_size, pack, 128)
    mats = [(torch.randn(r, i), torch.randn(i, c)) for r, i, c in shapes]

    def products() -> None:
        for a, b in mats:
            torch.mm(a, b)

    mm = _best(products, repeats=5, number=100)
    flops = sum(2 * r * i * c for r, i, c in shapes)
    big = torch.randn(1024, 1024)
    peak = 2 * 1024**3 / _best(lambda: torch.mm(big, big), repeats=5, number=5)
    return {"step_s": step, "matmul_s": mm, "flops": flops, "peak_flops": peak}


# --- main --------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--packs", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--data", nargs="+", default=["ring", "grid"], choices=sorted(DATA))
    parser.add_argument("--ring-steps", type=int, default=RING8_STEPS)
    parser.add_argument("--grid-steps", type=int, default=GRID25_STEPS)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--paper",
        action="store_true",
        help="PacGAN's configuration (400,000 iterations per seed; a long run)",
    )
    parser.add_argument("--timing", action="store_true", help="time one step and its matmuls")
    args = parser.parse_args(argv)
    if args.timing:
        result = timing()
        print(
            f"one step {result['step_s'] * 1e3:.2f} ms; its {result['flops'] / 1e6:.1f} MFLOP "
            f"of matrix products alone {result['matmul_s'] * 1e3:.2f} ms "
            f"({result['matmul_s'] / result['step_s']:.0%} of the step); float32 peak "
            f"(1024x1024 matmul, one thread) {result['peak_flops'] / 1e9:.1f} GFLOP/s; the "
            f"step reaches {result['flops'] / result['step_s'] / result['peak_flops']:.1%} "
            "of it"
        )
        return result
    steps = {"ring": args.ring_steps, "grid": args.grid_steps}
    if args.paper:
        steps = {"ring": PAPER_STEPS, "grid": PAPER_STEPS}
    # Seed by seed, so that a run stopped early has as many seeds in every row.
    tasks = [
        (data, pack, seed, steps[data], args.paper, "cpu")
        for seed in range(args.seeds)
        for data in args.data
        for pack in args.packs
    ]
    start = time.perf_counter()
    run_all(tasks, args.csv, args.jobs)
    elapsed = time.perf_counter() - start
    total = sum(float(r["seconds"]) for r in read_rows(args.csv))
    note = (
        f"{datetime.date.today():%Y-%m-%d}, {args.seeds} seeds, {args.jobs} processes; "
        f"{total / 60:.0f} minutes of training in all, {elapsed / 60:.1f} minutes for this call"
    )
    text = write_table(args.csv, args.out, note)
    print(text)
    print(f"wrote {args.out} ({elapsed:.0f} s)")
    return {"table": text, "seconds": elapsed}


if __name__ == "__main__":
    main()
