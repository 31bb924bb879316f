"""
The discriminator-only test
===========================

Before pitting two networks against each other, the post checks that its discriminator
can learn at all: it shows the discriminator fuzzy ``1010`` patterns, labelled real
(target 1.0), and fuzzy ``0101`` patterns, labelled false (target 0.0), 10,000 times
each, and then feeds it a clean ``1010`` and a clean ``0101``. The post reports 0.94 and
0.05.

This script is that test with tinygan, using nothing but the runtime dependencies. Run
it as ``python examples/discriminator_test.py [--steps 10000] [--seed 0]``.
"""

# %%
# Options
# -------
# ``parse_known_args`` lets the script run both from the command line and inside a
# documentation build, whose own arguments it ignores.

import argparse

import torch

import tinygan as tg

parser = argparse.ArgumentParser(description="The post's discriminator-only test.")
parser.add_argument("--steps", type=int, default=10_000, help="training iterations")
parser.add_argument("--seed", type=int, default=0, help="seeds the weights and the data")
args, _ = parser.parse_known_args()

# %%
# The data
# --------
# :class:`~tinygan.FuzzyPattern` draws each ``1`` uniformly from ``[0.8, 1.0]`` and each
# ``0`` from ``[0.0, 0.2]``: ``"1010"`` is the post's ``generate_real()`` and ``"0101"``
# its ``generate_false()``.

real = tg.FuzzyPattern("1010")
false = tg.FuzzyPattern("0101")
print("a real sample: ", real.sample(1, generator=torch.Generator().manual_seed(1)))
print("a false sample:", false.sample(1, generator=torch.Generator().manual_seed(1)))

# %%
# The discriminator
# -----------------
# ``tg.mlp([4, 3, 1])`` is the post's ``Discriminator``: 4 inputs, 3 hidden nodes and 1
# output, linear layers without biases, a sigmoid after each layer; 15 weights in all,
# drawn as PyTorch draws a ``Linear`` layer's, here from a generator of our own so the
# run is reproducible without touching PyTorch's global random state.

D = tg.mlp([4, 3, 1], generator=torch.Generator().manual_seed(args.seed))
print(D)

# %%
# Training
# --------
# :class:`~tinygan.DiscriminatorTrainer` runs the post's loop: each iteration is one
# step on a real sample (target 1.0) and one on a false sample (target 0.0), with the
# post's mean squared error and plain SGD at a learning rate of 0.01. A
# :class:`~tinygan.LossLogger` keeps both losses of every iteration.

log = tg.LossLogger()
trainer = tg.DiscriminatorTrainer(D, real, false, lr=0.01, seed=args.seed, callbacks=[log])
trainer.fit(args.steps)

# The post plots both losses in the order they happen; they fall from about 0.25.
print(f"trained for {trainer.iteration} iterations")
window = min(1000, trainer.iteration)
if window > 0:
    first = log.d_loss[: 2 * window].mean()  # two D steps per iteration
    last = log.d_loss[-2 * window :].mean()
    print(f"mean D loss over the first {window} iterations: {first:.4f}")
    print(f"mean D loss over the last {window} iterations:  {last:.4f}")

# %%
# The test
# --------
# A well-trained discriminator scores a clean ``1010`` near 1 (real) and a clean
# ``0101`` near 0 (false).

with torch.no_grad():
    d_1010 = D(torch.tensor([[1.0, 0.0, 1.0, 0.0]])).item()
    d_0101 = D(torch.tensor([[0.0, 1.0, 0.0, 1.0]])).item()
print(f"D(1010) = {d_1010:.4f}   (the post: 0.94)")
print(f"D(0101) = {d_0101:.4f}   (the post: 0.05)")
