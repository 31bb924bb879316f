"""
The post's GAN: learning to imitate 1010
========================================

The whole of "Make Your Own GAN, Part II" in a few lines of tinygan. A generator network
turns four uniform random numbers into four numbers of its own; a discriminator network
learns to tell those from real fuzzy ``1010`` patterns; the generator learns, only
through the discriminator's verdicts, to make patterns the discriminator takes for real.

Each training iteration is the post's three steps: the discriminator on a real sample
(target 1.0), the discriminator on the generator's output (target 0.0), and the
generator through the discriminator (target 1.0, only the generator's weights change).
After 10,000 iterations the discriminator's loss hovers near 0.25 (it can no longer tell
the two apart) and the generator's outputs look like ``1010``.

Run it as ``python examples/gan_1010.py [--steps 10000] [--seed 0]``; it needs only
tinygan's runtime dependencies.
"""

# %%
# Options
# -------
# ``parse_known_args`` lets the script run both from the command line and inside a
# documentation build, whose own arguments it ignores.

import argparse

import torch

import tinygan as tg

parser = argparse.ArgumentParser(description="The post's GAN, learning fuzzy 1010 patterns.")
parser.add_argument("--steps", type=int, default=10_000, help="training iterations")
parser.add_argument("--seed", type=int, default=0, help="seeds the weights and the data")
args, _ = parser.parse_known_args()

# %%
# Data
# ----
# The real data is a fuzzy ``1010``: positions 1 and 3 uniform in ``[0.8, 1.0]``,
# positions 2 and 4 uniform in ``[0.0, 0.2]``. The generator's input is four numbers
# uniform in ``[0, 1)``, the most neutral input there is.

real = tg.FuzzyPattern("1010")
noise = tg.UniformNoise(4)

# %%
# Networks
# --------
# Both networks are the post's: linear layers without biases, each followed by a
# sigmoid. The generator is 4 -> 4 -> 4 (32 weights), the discriminator 4 -> 3 -> 1
# (15 weights). Their initial weights come from one seeded :class:`torch.Generator`,
# generator first: tinygan never uses PyTorch's global random state.

init = torch.Generator().manual_seed(args.seed)
G = tg.mlp([4, 4, 4], generator=init)
D = tg.mlp([4, 3, 1], generator=init)

# %%
# Training
# --------
# :class:`~tinygan.AdversarialTrainer` runs the three steps, with the post's mean squared
# error, plain SGD at a learning rate of 0.01 and one sample per step. Its ``seed`` seeds
# the trainer's own generator, from which every sample is drawn.
#
# Two callbacks watch the run: a :class:`~tinygan.LossLogger` keeps every loss and, with
# a reference, the post's "progress" (the generator's error to ``[0.9, 0, 0.9, 0]``, for
# plotting only, never for training); :class:`~tinygan.Snapshots` keeps the generator's
# output every 1,000 iterations, the columns of the post's snapshot image.

log = tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0])
snapshots = tg.Snapshots(every=1000)
trainer = tg.AdversarialTrainer(
    G, D, real, noise, lr=0.01, batch_size=1, seed=args.seed, callbacks=[log, snapshots]
)
trainer.fit(args.steps)
print(f"trained for {trainer.iteration} iterations")

# %%
# The discriminator's loss
# ------------------------
# Unlike in the discriminator-only test, the loss does not fall to zero: as the
# generator improves, the discriminator is right only half the time, and its mean
# squared error settles near 0.25.

last = min(1000, trainer.iteration)
if last > 0:
    d_last = log.d_loss[-2 * last :].mean()  # two D steps per iteration
    g_last = log.g_error[-last:].mean()
    print(f"mean D loss over the last {last} iterations: {d_last:.4f}   (the post: ~0.25)")
    print(f"G's error to [0.9, 0, 0.9, 0] over the last {last} iterations: {g_last:.4f}")

# %%
# The snapshots
# -------------
# One row per 1,000 iterations: the generator's output starts indistinct and becomes
# distinctly ``1010``. (The post shows these rows as an image, one column each.)

for step, row in zip(snapshots.steps, snapshots.array, strict=True):
    print(f"iteration {step:6d}: " + " ".join(f"{v:.3f}" for v in row))

# %%
# The generator's outputs
# -----------------------
# As the post's final check, run the trained generator on a few fresh random inputs:
# each output should look like ``1010``.

z = noise.sample(4, generator=torch.Generator().manual_seed(args.seed + 1))
with torch.no_grad():
    outputs = G(z)
for inputs, output in zip(z, outputs, strict=True):
    shown_in = " ".join(f"{v:.2f}" for v in inputs.tolist())
    shown_out = " ".join(f"{v:.3f}" for v in output.tolist())
    print(f"G({shown_in}) = {shown_out}")
