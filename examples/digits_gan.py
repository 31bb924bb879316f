"""
Drawing handwritten digits
==========================

Part III: the same trainer and callbacks as the post, now drawing 8x8 handwritten digits
(scikit-learn's 1,797, bundled with it: nothing is downloaded). First the naive recipe,
:func:`tinygan.recipes.digits.digits_naive`, which collapses onto a digit or two; then the
default one, :func:`tinygan.recipes.digits.digits`, with LayerNorm, a minibatch standard
deviation feature in the discriminator and a faster Adam. A judge that has learnt to
read digits says which digits each generator draws.

Run it as ``python examples/digits_gan.py [--steps 5000] [--seed 0] [--out DIR]``
(``--steps`` is capped at each recipe's own iterations, 4,000 and 5,000; fewer make a
quick look).
It needs scikit-learn: ``pip install "tinygan[images,plot]"``.
"""

import argparse
from pathlib import Path

import torch

import tinygan as tg
from tinygan.metrics import ImageJudge
from tinygan.plotting import plot_image_snapshots, plot_images, save_image_animation
from tinygan.recipes import DIGITS_NAIVE_STEPS, DIGITS_STEPS, digits, digits_naive

parser = argparse.ArgumentParser(description="The default digits GAN and its figures.")
parser.add_argument("--steps", type=int, default=DIGITS_STEPS, help="training iterations")
parser.add_argument("--seed", type=int, default=0, help="seeds weights and data")
parser.add_argument("--out", type=Path, default=None, help="save the figures here")
args = parser.parse_args()
steps = min(args.steps, DIGITS_STEPS)
torch.set_num_threads(1)  # networks this small train fastest on one thread
naive_steps = min(args.steps, DIGITS_NAIVE_STEPS)

# %%
# The real digits
# ---------------
# :func:`tinygan.digits` gives the images as an :class:`~tinygan.ImageData`: a data
# source like ``FuzzyPattern("1010")``, whose samples are 64 numbers in ``[0, 1]``
# (one image, flattened), and which remembers the image shape and the labels.

data = tg.digits()
print(data)
real_figure = plot_images(
    data.sample(30, generator=torch.Generator().manual_seed(0)), data.shape, title="real digits"
)

# %%
# The naive recipe collapses
# --------------------------
# What a new user writes first: G 16-128-128-64 and D 64-128-1 with LeakyReLU, BCE on
# logits, Adam at 2e-4, batches of 64. The judge fits a small classifier to the real
# digits, then reads 1,000 generated images: how many of the ten digits appear, how sure
# it is, how far the digit histogram is from the real one (reverse KL, in nats) and how
# far the images lie from the real ones (Fréchet distance in the classifier's features).

judge = ImageJudge(data)
noise = tg.GaussianNoise(16).sample(1000, generator=torch.Generator().manual_seed(2026))


def judged(trainer: tg.AdversarialTrainer, name: str) -> tuple[torch.Tensor, dict]:
    """The generator's images for the fixed noise, and the judge's verdict, printed."""
    with torch.no_grad():
        images = trainer.generator(noise)
    verdict = judge(images, data)
    numbers = ", ".join(
        f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in verdict.items()
    )
    print(f"{name}: {numbers}")
    return images, verdict


naive = digits_naive(args.seed, data=data)
naive.fit(naive_steps)
naive_images, naive_verdict = judged(naive, "naive")
naive_figure = plot_images(
    naive_images[:50],
    data.shape,
    title=f"naive, {naive_steps:,} iterations: {naive_verdict['classes_covered']} of 10 digits",
)

# %%
# Training with the default recipe
# --------------------------------
# A recipe builds the whole trainer from a seed. :class:`~tinygan.Snapshots` keeps the
# generator's batch twenty times during the run, as the post keeps its ``1010``
# snapshots.

snapshots = tg.Snapshots(every=max(1, steps // 20))
trainer = digits(args.seed, data=data, callbacks=[snapshots])
trainer.fit(steps)

# %%
# The generator as it learns
# --------------------------
# One row per snapshot, iterations down the side: blurry blobs first, then strokes, then
# digits, and (this is what the recipe's changes are for) many different digits.

snapshot_figure = plot_image_snapshots(snapshots, data.shape)

# %%
# What it draws now, judged
# -------------------------
# The same judge, the same noise: every digit, in about the real proportions.

images, verdict = judged(trainer, "default")
samples_figure = plot_images(
    images[:50],
    data.shape,
    title=f"default, {steps:,} iterations: {verdict['classes_covered']} of 10 digits",
)

if args.out is not None:
    args.out.mkdir(parents=True, exist_ok=True)
    real_figure.savefig(args.out / "real.png")
    naive_figure.savefig(args.out / "naive.png")
    snapshot_figure.savefig(args.out / "snapshots.png")
    samples_figure.savefig(args.out / "samples.png")
    save_image_animation(snapshots, data.shape, args.out / "snapshots.gif")
    print(f"saved real.png, naive.png, snapshots.png, samples.png and snapshots.gif in {args.out}")
