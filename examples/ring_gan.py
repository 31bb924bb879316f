"""
Mode collapse on the 2-D ring
=============================

Train the CPU-sized GAN of :func:`tinygan.recipes.mixtures.ring8` on the 8-mode ring of
PacGAN's experiments and watch where its samples go: the classic picture of mode
collapse, and how a generator trained long enough puts its samples on the modes. Then
count modes the way the literature does, with :func:`tinygan.metrics.mode_coverage`, on
the same 2,500 fixed evaluation inputs that ``tinygan train --data ring8``, the sweeps
and the table of the "Mode collapse on 2-D mixtures" page judge.

Run it as ``python examples/ring_gan.py [--steps 15000] [--seed 0] [--pack 1] [--out DIR]``
(``--steps`` is capped at the recipe's own ``RING8_STEPS``, 15,000: about a minute on
one core; the docs build runs the recipe's full run).
It needs matplotlib: ``pip install "tinygan[plot]"``.
"""

import argparse
from pathlib import Path

import torch

import tinygan as tg
from tinygan.plotting import plot_points
from tinygan.recipes.mixtures import RING8_STEPS, ring8
from tinygan.sweeps.inputs import eval_count, eval_inputs, judged_output

parser = argparse.ArgumentParser(description="A GAN on the 8-mode ring, and its modes.")
parser.add_argument("--steps", type=int, default=RING8_STEPS, help="training iterations")
parser.add_argument("--seed", type=int, default=0, help="seeds weights and data")
parser.add_argument("--pack", type=int, default=1, help="PacGAN's pack size (1: a GAN)")
parser.add_argument("--out", type=Path, default=None, help="save the figures here as PNG")
args = parser.parse_args()
steps = min(args.steps, RING8_STEPS)  # the recipe's learning rate decays over these
# Networks this small gain nothing from a second thread, and lose much on a busy machine.
torch.set_num_threads(1)

# %%
# The data and the GAN
# --------------------
# Eight Gaussians of standard deviation 0.01 on the unit circle. The recipe builds a
# generator 2-128-128-2 fed with 2-D normal noise and a discriminator 2m-128-128-1 that
# gives logits, trained with the logistic loss and Adam on 100 packs a step, the
# learning rate decaying to 5% over the run; every random number comes from the seed.
# The snapshots are the generator's output on the fixed evaluation inputs, every tenth
# of the run.

ring = tg.GaussianMixture.ring()
print(ring)
inputs = eval_inputs(tg.GaussianNoise(2), count=eval_count(tg.metrics.mixture_judge))
trainer = ring8(args.seed, pack=args.pack, steps=steps)
snapshots, taken = [], []
for _ in range(10):
    trainer.fit(max(1, steps // 10))
    snapshots.append(judged_output(trainer.generator, inputs))
    taken.append(trainer.iteration)

# %%
# Where the samples went
# ----------------------
# Each panel shades where the generated points pile up; the grey crosses are the real
# modes. Early on the generator draws a ring through the modes (its samples lie between
# them as much as on them); as the learning rate falls it gathers them onto the modes.
# The last panel marks the captured modes green and the missed ones red.

figure = plot_points(torch.stack(snapshots), ring, steps=taken)
cover = tg.metrics.mode_coverage(snapshots[-1], ring)
print(
    f"seed {args.seed}, m={args.pack}: {cover.modes} of 8 modes, {cover.high_quality:.1%} "
    f"high quality, reverse KL {cover.reverse_kl:.3f} nats on {len(inputs):,} samples; "
    f"per mode {list(cover.counts)}"
)

# %%
# One seed is an anecdote
# -----------------------
# Whether a GAN captures every mode, and how evenly, changes from seed to seed; the
# table on the "Mode collapse on 2-D mixtures" page counts it over 20 seeds for the
# plain GAN and PacGAN2-4, beside PacGAN's own numbers. ``--pack 2`` trains PacGAN2.

if args.out is not None:
    args.out.mkdir(parents=True, exist_ok=True)
    figure.savefig(args.out / "ring_points.png", dpi=100)
