"""
Another loss and optimiser: binary cross-entropy and Adam
=========================================================

The post trains with mean squared error and plain SGD. Most GANs use binary
cross-entropy (the discriminator's output is a probability) and Adam.
:class:`~tinygan.AdversarialTrainer` takes both as arguments: ``loss`` is any
``loss(output, target) -> scalar tensor`` and ``optimizer`` any
``optimizer(params) -> torch.optim.Optimizer``, called once for each network.

Run it as ``python examples/loss_and_optimizer.py [--steps 10000] [--seed 0] [--out DIR]``.
It needs matplotlib: ``pip install "tinygan[plot]"``.
"""

import argparse
from pathlib import Path

import torch
from matplotlib.figure import Figure
from torch.nn import functional

import tinygan as tg
from tinygan.plotting import plot_snapshots, scatter_series

parser = argparse.ArgumentParser(description="The post's GAN with BCE loss and Adam.")
parser.add_argument("--steps", type=int, default=10_000, help="training iterations")
parser.add_argument("--seed", type=int, default=0, help="seeds weights and data")
parser.add_argument("--lr", type=float, default=1e-4, help="Adam's learning rate")
parser.add_argument("--out", type=Path, default=None, help="save the figures here as PNG")
args = parser.parse_args()

# %%
# Training
# --------
# ``functional.binary_cross_entropy`` fits the sigmoid output of the post's
# discriminator; Adam gets its own learning rate through the factory. Adam's usual
# ``1e-3`` is too fast for this tiny GAN: the two networks chase each other and the
# generator swings between patterns such as ``1000`` and ``1010`` (try ``--lr 1e-3``).
# ``1e-4`` settles.

init = torch.Generator().manual_seed(args.seed)
log = tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0])
snapshots = tg.Snapshots(every=max(1, min(1000, args.steps // 10)))
trainer = tg.AdversarialTrainer(
    tg.mlp([4, 4, 4], generator=init),
    tg.mlp([4, 3, 1], generator=init),
    tg.FuzzyPattern("1010"),
    tg.UniformNoise(4),
    loss=functional.binary_cross_entropy,
    optimizer=lambda params: torch.optim.Adam(params, lr=args.lr),
    seed=args.seed,
    callbacks=[log, snapshots],
)
trainer.fit(args.steps)

# %%
# The losses
# ----------
# Cross-entropy has another scale than the post's squared error: a discriminator that
# cannot tell real from fake scores 0.5 everywhere, a loss of ``ln 2 = 0.69`` on each
# step. So this figure is drawn with :func:`~tinygan.plotting.scatter_series` on axes of
# our own, with a y range to fit.

losses = Figure(figsize=(16, 8), layout="constrained")
d_ax, g_ax = losses.subplots(2, 1)
scatter_series(d_ax, log.d_loss, x=log.steps.repeat(2), title="discriminator loss (BCE)")
d_ax.set_ylim(0, 1.5)
d_ax.set_yticks([0, 0.69, 1.5])
scatter_series(
    g_ax,
    log.g_error,
    x=log.steps,
    title="generator's error to the reference",
    ylabel="mean squared error",
)
g_ax.set_xlabel("iteration")

# %%
# The snapshots
# -------------

images = plot_snapshots(snapshots)

# %%

with torch.no_grad():
    out = trainer.generator(trainer.noise.sample(1000, generator=torch.Generator().manual_seed(1)))
print("G's mean output:", " ".join(f"{v:.3f}" for v in out.mean(dim=0).tolist()))
print("G's spread (std):", " ".join(f"{v:.3f}" for v in out.std(dim=0).tolist()))

if args.out is not None:
    args.out.mkdir(parents=True, exist_ok=True)
    losses.savefig(args.out / "losses.png")
    images.savefig(args.out / "snapshots.png")
    print(f"saved {args.out / 'losses.png'} and {args.out / 'snapshots.png'}")
