"""
A convolutional GAN for digits
==============================

:func:`tinygan.conv_generator` and :func:`tinygan.conv_discriminator` are a small
DCGAN-style pair for flattened images. Out of the box (no normalisation) they train
poorly on the 8x8 digits; with a :class:`~torch.nn.LayerNorm` over each hidden feature
map and the discriminator's minibatch standard deviation channel they draw every digit.
:func:`tinygan.recipes.images.digits_conv` is that recipe, from a seed.

Run it as ``python examples/conv_digits.py [--steps 5000] [--seed 0] [--out DIR]``
(``--steps`` is capped at the recipe's 5,000). It needs scikit-learn and matplotlib:
``pip install "tinygan[images,plot]"``.
"""

import argparse
from pathlib import Path

import torch

import tinygan as tg
from tinygan.metrics import default_judge
from tinygan.plotting import plot_generated_beside_real, plot_image_snapshots
from tinygan.recipes.images import DIGITS_CONV_STEPS, digits_conv
from tinygan.sweeps.inputs import eval_inputs

parser = argparse.ArgumentParser(description="A convolutional GAN on the 8x8 digits.")
parser.add_argument("--steps", type=int, default=DIGITS_CONV_STEPS, help="training iterations")
parser.add_argument("--seed", type=int, default=0, help="seeds weights and data")
parser.add_argument("--out", type=Path, default=None, help="save the figures here")
args = parser.parse_args()
steps = min(args.steps, DIGITS_CONV_STEPS)
torch.set_num_threads(1)

# %%
# The networks
# ------------
# The generator grows a 2x2 map of 64 channels into 4x4 and then 8x8 by transposed
# convolutions; the discriminator shrinks the image the same way and reads one logit.

data = tg.digits()
snapshots = tg.Snapshots(every=max(1, steps // 10), inputs=eval_inputs(tg.GaussianNoise(16))[:36])
trainer = digits_conv(args.seed, data=data, callbacks=[snapshots])
print(trainer.generator)
print(trainer.discriminator)

# %%
# Training, on a fixed noise grid
# -------------------------------
# Each column follows one of the same 36 inputs through training.

trainer.fit(steps)
snapshot_figure = plot_image_snapshots(snapshots, data.shape)

# %%
# Judged
# ------
# The digits' judge on the 1,000 evaluation inputs, as ``tinygan train`` and the
# benchmark judge every run.

judge = default_judge(data)
with torch.no_grad():
    images = trainer.generator(eval_inputs(trainer.noise))
verdict = judge(images, data)
print({k: round(v, 3) if isinstance(v, float) else v for k, v in verdict.items()})
samples_figure = plot_generated_beside_real(
    images,
    data.sample(50, generator=torch.Generator().manual_seed(1)),
    data.shape,
    title=f"convolutional, {steps:,} iterations: coverage {verdict['coverage']:.2f}, "
    f"{'succeeds' if verdict['success'] else 'fails'} (first 50 of 1,000 judged)",
)

if args.out is not None:
    args.out.mkdir(parents=True, exist_ok=True)
    snapshot_figure.savefig(args.out / "snapshots.png")
    samples_figure.savefig(args.out / "samples.png")
    print(f"saved snapshots.png and samples.png in {args.out}")
