"""A general ensemble against lone trainers: per-GAN throughput, measured side by side.

The issue's case: 1,000 post-sized GANs whose networks are not built by ``tg.mlp``
(``nn.Sequential`` of ``Linear`` and ``Sigmoid`` with biases), with a loss of the user's
own (a Python function) and AdamW with weight decay, so that nothing takes the fused
path. The lone trainers run the plain autograd path one after another; the ensemble
(``tg.EnsembleTrainer.from_trainers``) runs all members through ``torch.func.vmap``.
Per-GAN throughput is iterations per second times GANs; the script prints both and their
ratio, median over alternating repeats in one process, and checks that member 0 still
equals its lone trainer.

    python benchmarks/general_ensemble.py                    # 1,000 members
    python benchmarks/general_ensemble.py --members 100 --repeats 1   # a quick look
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

import tinygan as tg


def user_loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return ((output - target) ** 2).mean()


def recipe(seed: int) -> tg.AdversarialTrainer:
    init = torch.Generator().manual_seed(seed)
    G = nn.Sequential(nn.Linear(4, 4), nn.Sigmoid(), nn.Linear(4, 4), nn.Sigmoid())
    D = nn.Sequential(nn.Linear(4, 3), nn.Sigmoid(), nn.Linear(3, 1), nn.Sigmoid())
    with torch.no_grad():
        for p in [*G.parameters(), *D.parameters()]:
            p.uniform_(-0.5, 0.5, generator=init)
    return tg.AdversarialTrainer(
        G, D, tg.FuzzyPattern("1010"), tg.UniformNoise(4), seed=seed, loss=user_loss,
        optimizer=lambda ps: torch.optim.AdamW(ps, lr=1e-2, weight_decay=1e-2),
    )  # fmt: skip


def lone_rate(steps: int, trainers: int) -> float:
    """Iterations per second of lone trainers, one after another."""
    built = [recipe(s) for s in range(trainers)]
    start = time.perf_counter()
    for trainer in built:
        trainer.fit(steps)
    return steps * trainers / (time.perf_counter() - start)


def ensemble_rate(steps: int, members: int) -> float:
    """Member-iterations per second of one vmapped ensemble of ``members``."""
    ensemble = tg.EnsembleTrainer.from_trainers([recipe(s) for s in range(members)])
    ensemble.fit(2)  # warm-up: first vmap trace
    start = time.perf_counter()
    ensemble.fit(steps)
    return steps * members / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=200, help="ensemble iterations per repeat")
    parser.add_argument("--lone-steps", type=int, default=300)
    parser.add_argument("--lone-trainers", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    lone, ensemble = [], []
    for _ in range(args.repeats):
        lone.append(lone_rate(args.lone_steps, args.lone_trainers))
        ensemble.append(ensemble_rate(args.steps, args.members))
    a, b = statistics.median(lone), statistics.median(ensemble)
    print(f"lone plain-path trainers: {a:,.0f} iterations/s (median of {args.repeats})")
    print(f"vmapped ensemble of {args.members}: {b:,.0f} member-iterations/s")
    print(f"per-GAN throughput: {b / a:.1f}x the lone trainers")
    check = tg.EnsembleTrainer.from_trainers([recipe(s) for s in range(3)]).fit(50)
    lone0 = recipe(0).fit(50)
    pairs = zip(check.unstack()[0][0].parameters(), lone0.generator.parameters(), strict=True)
    worst = max(float((x - y).detach().abs().max()) for x, y in pairs)
    print(f"member 0 against its lone trainer after 50 iterations: max difference {worst:.1e}")


if __name__ == "__main__":
    main()
