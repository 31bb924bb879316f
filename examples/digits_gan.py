"""
Drawing handwritten digits
==========================

Part III: the same trainer and callbacks as the post, now drawing 8x8 handwritten digits
(scikit-learn's 1,797, bundled with it: nothing is downloaded). First the post's own
GAN carried to images, the bottom rung of :func:`tinygan.recipes.digits.digits_ladder`,
which learns next to nothing; then the top rung, the default recipe
:func:`tinygan.recipes.digits.digits` (LeakyReLU and LayerNorm, binary cross-entropy,
Adam, a minibatch standard deviation feature in the discriminator). The digits' judge
reads every generator's images through a classifier fitted on half the real digits and
compares them with the other half.

Run it as ``python examples/digits_gan.py [--steps 10000] [--seed 0] [--out DIR]``
(``--steps`` is capped at the recipes' own 10,000; fewer make a quick look).
It needs scikit-learn and matplotlib: ``pip install "tinygan[images,plot]"``.
"""

import argparse
from pathlib import Path

import torch

import tinygan as tg
from tinygan.metrics import default_judge
from tinygan.plotting import (
    plot_generated_beside_real,
    plot_image_snapshots,
    plot_images,
    save_image_animation,
)
from tinygan.recipes.digits import DIGITS_STEPS, digits, digits_ladder
from tinygan.sweeps.inputs import eval_inputs

parser = argparse.ArgumentParser(description="The post's GAN and the default one, on digits.")
parser.add_argument("--steps", type=int, default=DIGITS_STEPS, help="training iterations")
parser.add_argument("--seed", type=int, default=0, help="seeds weights and data")
parser.add_argument("--out", type=Path, default=None, help="save the figures here")
args = parser.parse_args()
steps = min(args.steps, DIGITS_STEPS)
torch.set_num_threads(1)  # networks this small train fastest on one thread

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
# The judge
# ---------
# The digits' default judge (:class:`~tinygan.metrics.ImageJudge`) fits a small
# classifier on half of each class and keeps the other half as its reference. It
# judges the generator's images for the 1,000 fixed evaluation inputs every tinygan
# judgement uses (``eval_inputs``, as ``tinygan train`` and the sweeps): which digits
# they show, how evenly, how close to the reference as a whole (Fréchet distance) and
# one by one (``coverage``: the share of reference digits with a generated digit near
# them; ``density``: how near). When it says "fails", it says why.

judge = default_judge(data)


def judged(trainer: tg.AdversarialTrainer, name: str) -> tuple[torch.Tensor, dict]:
    """The generator's images for the evaluation inputs, and the judge's verdict, printed."""
    with torch.no_grad():
        images = trainer.generator(eval_inputs(trainer.noise))
    verdict = judge(images, data)
    numbers = ", ".join(
        f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in verdict.items()
    )
    print(f"{name}: {numbers}")
    if not verdict["success"]:
        print(f"  fails on: {'; '.join(judge.reasons(verdict))}")
    return images, verdict


# %%
# The post's GAN, carried to images
# ---------------------------------
# Sigmoids after every layer, mean squared error, plain SGD at 0.01, as the post; wider
# networks (G 16-128-128-64, D 64-128-1) and batches of 64. It learns the average
# stroke and not much more.

plain = digits_ladder(args.seed, "plain", data=data)
plain.fit(steps)
plain_images, plain_verdict = judged(plain, "plain")
plain_figure = plot_images(
    plain_images[:50],
    data.shape,
    title=f"the post's GAN, {steps:,} iterations: {plain_verdict['classes_covered']} of 10 digits",
)

# %%
# The default recipe, snapshotted on a fixed noise grid
# -----------------------------------------------------
# A recipe builds the whole trainer from a seed. :class:`~tinygan.Snapshots` given
# ``inputs`` keeps the generator's images for the same 36 inputs every time, so each
# column of the figure follows one input through training.

grid = eval_inputs(tg.GaussianNoise(16))[:36]
snapshots = tg.Snapshots(every=max(1, steps // 10), inputs=grid)
trainer = digits(args.seed, data=data, callbacks=[snapshots])
trainer.fit(steps)
snapshot_figure = plot_image_snapshots(snapshots, data.shape)

# %%
# What it draws now, judged
# -------------------------
# The same judge, the same inputs: every digit, in about the real proportions, beside
# real digits.

images, verdict = judged(trainer, "default")
samples_figure = plot_generated_beside_real(
    images,
    data.sample(50, generator=torch.Generator().manual_seed(1)),
    data.shape,
    title=f"default recipe, {steps:,} iterations: coverage {verdict['coverage']:.2f}, "
    f"{'succeeds' if verdict['success'] else 'fails'} (first 50 of 1,000 judged)",
)

if args.out is not None:
    args.out.mkdir(parents=True, exist_ok=True)
    real_figure.savefig(args.out / "real.png")
    plain_figure.savefig(args.out / "plain.png")
    snapshot_figure.savefig(args.out / "snapshots.png")
    samples_figure.savefig(args.out / "samples.png")
    save_image_animation(snapshots, data.shape, args.out / "snapshots.gif")
    print(f"saved real.png, plain.png, snapshots.png, samples.png and snapshots.gif in {args.out}")
