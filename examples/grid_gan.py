"""
Mode collapse on the 5 x 5 grid
===============================

Train the CPU-sized GAN of :func:`tinygan.recipes.mixtures.grid25` on the 25-mode grid
of PacGAN's experiments (means at -4, -2, 0, 2 and 4 on both axes, standard deviation
0.05) and watch the modes fill in, or not. Then count them with
:func:`tinygan.metrics.mode_coverage` on the 2,500 fixed evaluation inputs every judge
of a mixture uses.

Run it as ``python examples/grid_gan.py [--steps 30000] [--seed 0] [--pack 1] [--out DIR]``
(``--steps`` is capped at the recipe's own ``GRID25_STEPS``, 30,000: about two minutes
on one core; the docs build runs the recipe's full run).
It needs matplotlib: ``pip install "tinygan[plot]"``.
"""

import argparse
from pathlib import Path

import torch

import tinygan as tg
from tinygan.plotting import plot_points
from tinygan.recipes.mixtures import GRID25_STEPS, grid25
from tinygan.sweeps.inputs import eval_count, eval_inputs, judged_output

parser = argparse.ArgumentParser(description="A GAN on the 25-mode grid, and its modes.")
parser.add_argument("--steps", type=int, default=GRID25_STEPS, help="training iterations")
parser.add_argument("--seed", type=int, default=0, help="seeds weights and data")
parser.add_argument("--pack", type=int, default=1, help="PacGAN's pack size (1: a GAN)")
parser.add_argument("--out", type=Path, default=None, help="save the figure here as PNG")
args = parser.parse_args()
steps = min(args.steps, GRID25_STEPS)  # the recipe's learning rate decays over these
# Networks this small gain nothing from a second thread, and lose much on a busy machine.
torch.set_num_threads(1)

# %%
# The data and the GAN
# --------------------
# The same recipe as the ring's (generator 2-128-128-2 on 2-D normal noise,
# discriminator 2m-128-128-1 giving logits, the logistic loss, Adam on 100 packs a step
# with a decaying learning rate), built for 30,000 iterations: the grid's modes are 25
# and far apart, and a generator needs longer to spread over them than over the ring's
# eight. Snapshots: the generator on the fixed evaluation inputs, every tenth of the run.

grid = tg.GaussianMixture.grid()
print(grid)
inputs = eval_inputs(tg.GaussianNoise(2), count=eval_count(tg.metrics.mixture_judge))
trainer = grid25(args.seed, pack=args.pack, steps=steps)
snapshots, taken = [], []
for _ in range(10):
    trainer.fit(max(1, steps // 10))
    snapshots.append(judged_output(trainer.generator, inputs))
    taken.append(trainer.iteration)

# %%
# Where the samples went
# ----------------------
# Each panel shades where the generated points pile up over the grey crosses of the
# real modes. The last panel marks the captured modes green and the missed ones red. A
# sample counts as high quality within 3 standard deviations (0.15) of a mode: points
# on the way between modes are the generator's unfinished business.

figure = plot_points(torch.stack(snapshots), grid, steps=taken)
cover = tg.metrics.mode_coverage(snapshots[-1], grid)
print(
    f"seed {args.seed}, m={args.pack}: {cover.modes} of 25 modes, "
    f"{cover.high_quality:.1%} high quality, reverse KL {cover.reverse_kl:.3f} nats on "
    f"{len(inputs):,} samples"
)

# %%
# Over many seeds
# ---------------
# One seed is an anecdote. The table on the "Mode collapse on 2-D mixtures" page trains
# this recipe from 20 seeds, plain and packed (:class:`tinygan.Packed`), beside PacGAN's
# numbers; ``tinygan sweep --data grid25 --seeds 20`` counts it for your own seeds.

if args.out is not None:
    args.out.mkdir(parents=True, exist_ok=True)
    figure.savefig(args.out / "grid_points.png", dpi=100)
