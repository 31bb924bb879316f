"""Does the post's outcome hold over many seeds? tinygan's default trainer and the post's loop.

For each seed this trains tinygan's default :class:`tinygan.AdversarialTrainer` (the
post's configuration) and the post's own loop (``benchmarks/post_loop.py``) for 10,000
iterations, then prints for each:

- G's mean output over 1,000 fresh noise inputs, per position;
- G's spread: the standard deviation of its output across those inputs, per position
  (fuzzy real data has about 0.058; a smaller spread means partial mode collapse);
- D's mean loss over the last 1,000 iterations (both D steps; the post expects ~0.25);
- success: G's mean output inside the real ranges ([0.8, 1.0] for a 1 and [0.0, 0.2] for
  a 0) at every position.

Run ``python benchmarks/seed_stats.py`` (17 seeds, several minutes on two cores) or
``python benchmarks/seed_stats.py --seeds 4 --steps 2000`` for a quick look.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

import tinygan as tg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from post_loop import run_post_loop

REAL = tg.FuzzyPattern("1010")
EVAL_INPUTS = 1000


def evaluate(
    G: Any,  # noqa: N803
    d_loss: np.ndarray,
    seed: int,
) -> dict[str, Any]:
    """Summarise a trained generator and the discriminator's loss log."""
    z = tg.UniformNoise(4).sample(EVAL_INPUTS, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        out = G(z).double().numpy()
    mean = out.mean(axis=0)
    lower = REAL.lower.double().numpy()
    upper = REAL.upper.double().numpy()
    return {
        "mean": mean,
        "spread": out.std(axis=0),
        "d_last": float(np.mean(d_loss[-2000:])),  # last 1,000 iterations = 2,000 D steps
        "success": bool(np.all((mean >= lower) & (mean <= upper))),
    }


def run_tinygan(steps: int, seed: int) -> dict[str, Any]:
    """Train tinygan's default trainer from ``seed`` and summarise it."""
    g = torch.Generator().manual_seed(seed)
    G = tg.mlp([4, 4, 4], generator=g)
    D = tg.mlp([4, 3, 1], generator=g)
    log = tg.LossLogger()
    tg.AdversarialTrainer(G, D, REAL, tg.UniformNoise(4), seed=seed, callbacks=[log]).fit(steps)
    return evaluate(G, log.d_loss, seed + 1_000_000)


def run_post(steps: int, seed: int) -> dict[str, Any]:
    """Train the post's loop from ``seed`` and summarise it."""
    result = run_post_loop(steps, seed)
    return evaluate(result["G"], np.asarray(result["d_loss"]), seed + 1_000_000)


def fmt(row: dict[str, Any]) -> str:
    mean = " ".join(f"{v:.3f}" for v in row["mean"])
    spread = " ".join(f"{v:.3f}" for v in row["spread"])
    ok = "yes" if row["success"] else "NO "
    return f"mean [{mean}]  spread [{spread}]  D last-1000 {row['d_last']:.3f}  1010 {ok}"


def summary(name: str, rows: list[dict[str, Any]]) -> str:
    means = np.stack([r["mean"] for r in rows])
    spreads = np.stack([r["spread"] for r in rows])
    d_last = np.array([r["d_last"] for r in rows])
    wins = sum(r["success"] for r in rows)
    mean = " ".join(f"{v:.3f}" for v in means.mean(axis=0))
    return (
        f"{name:8s} success {wins}/{len(rows)}  mean output [{mean}]  "
        f"spread {spreads.mean():.4f}  D last-1000 {d_last.mean():.3f} "
        f"(min {d_last.min():.3f}, max {d_last.max():.3f})"
    )


def main(argv: list[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Run every seed through both loops and print per-seed rows and a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=17, help="how many seeds")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=10_000, help="iterations per run")
    parser.add_argument("--skip-post", action="store_true", help="run tinygan only")
    args = parser.parse_args(argv)

    results: dict[str, list[dict[str, Any]]] = {"tinygan": [], "post": []}
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        row = run_tinygan(args.steps, seed)
        results["tinygan"].append(row)
        print(f"seed {seed:3d} tinygan  {fmt(row)}", flush=True)
        if not args.skip_post:
            row = run_post(args.steps, seed)
            results["post"].append(row)
            print(f"seed {seed:3d} post     {fmt(row)}", flush=True)

    print(f"real data spread per position: {0.2 / np.sqrt(12):.4f}")
    for name, rows in results.items():
        if rows:
            print(summary(name, rows))
    return results


if __name__ == "__main__":
    main()
