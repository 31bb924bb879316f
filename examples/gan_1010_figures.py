"""
The post's GAN, with its figures
================================

Train the GAN of "Make Your Own GAN, Part II" and draw the post's figures with
:mod:`tinygan.plotting`: the discriminator's loss when it trains alone, then in the
GAN, the generator's progress, and the generator's output every 1,000 iterations as an
image.

Run it as ``python examples/gan_1010_figures.py [--steps 10000] [--seed 0] [--out DIR]``;
``tinygan train --out DIR`` does the same from the command line.
It needs matplotlib: ``pip install "tinygan[plot]"``.
"""

import argparse
from pathlib import Path

import torch

import tinygan as tg
from tinygan.plotting import plot_losses, plot_snapshots

parser = argparse.ArgumentParser(description="The post's GAN and its figures.")
parser.add_argument("--steps", type=int, default=10_000, help="training iterations")
parser.add_argument("--seed", type=int, default=0, help="seeds weights and data")
parser.add_argument("--out", type=Path, default=None, help="save the figures here as PNG")
args = parser.parse_args()

# %%
# First, the discriminator alone
# ------------------------------
# Before the generator exists, the post checks that its discriminator can learn at all:
# fuzzy ``1010`` is real (target 1.0), fuzzy ``0101`` false (target 0.0). Its loss
# comes in two bands, one per kind of input, starting near 0.39 (real) and 0.12 (false),
# either side of 0.25, and both fall towards 0.

real = tg.FuzzyPattern("1010")
d_alone = tg.mlp([4, 3, 1], generator=torch.Generator().manual_seed(args.seed))
d_log = tg.LossLogger()
tg.DiscriminatorTrainer(d_alone, real, real.opposite(), seed=args.seed, callbacks=[d_log]).fit(
    args.steps
)
d_figure = plot_losses(d_log)
with torch.no_grad():
    print(f"D(1010) = {d_alone(torch.tensor([[1.0, 0.0, 1.0, 0.0]])).item():.2f}")
    print(f"D(0101) = {d_alone(torch.tensor([[0.0, 1.0, 0.0, 1.0]])).item():.2f}")

# %%
# The post's networks and data
# ----------------------------
# The discriminator is 4-3-1 and the generator 4-4-4, linear layers without bias and a
# sigmoid after each. Their weights come from a :class:`torch.Generator` seeded with
# ``--seed``, so the run is the same every time.

init = torch.Generator().manual_seed(args.seed)
G = tg.mlp([4, 4, 4], generator=init)
D = tg.mlp([4, 3, 1], generator=init)
noise = tg.UniformNoise(4)

# %%
# Training, with two callbacks
# ----------------------------
# :class:`~tinygan.LossLogger` keeps every loss, and the generator's error to the post's
# reference ``[0.9, 0.0, 0.9, 0.0]``; :class:`~tinygan.Snapshots` keeps the generator's
# output every 1,000 iterations (every tenth of the run when it is shorter).

log = tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0])
snapshots = tg.Snapshots(every=max(1, min(1000, args.steps // 10)))
trainer = tg.AdversarialTrainer(G, D, real, noise, seed=args.seed, callbacks=[log, snapshots])
trainer.fit(args.steps)

# %%
# The losses
# ----------
# Above, the discriminator's loss: it starts near 0.25, dips while it is winning, and
# settles back around 0.25 once it cannot tell the generator's output from real data.
# Below, the generator's error to ``[0.9, 0.0, 0.9, 0.0]`` (the post's "progress"):
# it falls towards 0.

losses = plot_losses(log)

# %%
# The snapshots
# -------------
# One column per snapshot, one row per output position: the image starts as a vague
# blue and turns into a clear ``1010``, dark rows 1 and 3, pale rows 2 and 4.

images = plot_snapshots(snapshots)

# %%
# What the generator makes now
# ----------------------------
# Fed fresh noise, the trained generator writes fuzzy ``1010`` patterns.

with torch.no_grad():
    samples = G(noise.sample(5, generator=torch.Generator().manual_seed(args.seed + 1)))
for row in samples.tolist():
    print(" ".join(f"{v:.2f}" for v in row))
last = min(1000, args.steps)
d_last = (log.d_loss_real[-last:].mean() + log.d_loss_fake[-last:].mean()) / 2
print(f"D's mean loss over the last {last} iterations: {d_last:.3f}")

if args.out is not None:
    args.out.mkdir(parents=True, exist_ok=True)
    d_figure.savefig(args.out / "discriminator_alone.png")
    losses.savefig(args.out / "losses.png")
    images.savefig(args.out / "snapshots.png")
    print(f"saved discriminator_alone.png, losses.png and snapshots.png in {args.out}")
