"""
Drawing the digit you ask for
=============================

The chapter after drawing digits: a conditional GAN. Both networks receive the digit's
label as ten one-hot numbers joined to their input (the tutorial's way, so the plain
MLPs of :func:`tinygan.mlp` work unchanged), and the generator learns to draw the digit
it is asked for. :class:`tinygan.ConditionalTrainer` runs the post's three steps on
those joined inputs; :func:`tinygan.recipes.conditional.digits_conditional` is the
recipe ``tinygan train --data digits --conditional`` trains.

Run it as ``python examples/conditional_digits.py [--steps 5000] [--seed 0] [--out DIR]``
(fewer steps make a quick look). It needs scikit-learn and matplotlib:
``pip install "tinygan[images,plot]"``.
"""

import argparse
from pathlib import Path

import torch

import tinygan as tg
from tinygan.metrics import ConditionalJudge, ImageJudge
from tinygan.plotting import plot_image_rows, save_image_animation
from tinygan.recipes import CONDITIONAL_STEPS, digits_conditional
from tinygan.sweeps.inputs import eval_inputs

parser = argparse.ArgumentParser(description="A conditional GAN on the 8x8 digits.")
parser.add_argument("--steps", type=int, default=CONDITIONAL_STEPS, help="training iterations")
parser.add_argument("--seed", type=int, default=0, help="seeds weights and data")
parser.add_argument("--out", type=Path, default=None, help="save the figures here")
args = parser.parse_args()
steps = min(args.steps, CONDITIONAL_STEPS)
torch.set_num_threads(1)  # networks this small train fastest on one thread

# %%
# Labelled data
# -------------
# :func:`tinygan.digits` carries each image's label: it is a
# :class:`tinygan.LabelledSource`, whose ``sample_labelled`` draws images and their
# labels together.

data = tg.digits()
images, labels = data.sample_labelled(5, generator=torch.Generator().manual_seed(0))
print(data, "labels drawn:", labels.tolist())

# %%
# Fixed inputs to watch
# ---------------------
# Ten noise vectors, each asked for every digit: one row per digit, the same ten noise
# vectors in every row. :class:`tinygan.Snapshots` keeps the generator's images for
# these joined inputs as training goes.

noise = tg.GaussianNoise(16).sample(10, generator=torch.Generator().manual_seed(2026))
asked = torch.arange(10).repeat_interleave(10)  # 0 x10, 1 x10, ...
trainer = digits_conditional(args.seed, data=data)
fixed = trainer.join(noise.repeat(10, 1), asked)
snapshots = tg.Snapshots(every=max(1, steps // 20), inputs=fixed)
trainer.callbacks.append(snapshots)
trainer.fit(steps)

# %%
# What it draws for each digit, judged
# ------------------------------------
# The image judge's classifier (fitted on a training split of the real digits; its
# accuracy on the held-out rest is the ceiling) reads the generator's images for the
# 1,000 fixed evaluation inputs that ``tinygan train --data digits --conditional``
# judges, input ``i`` asked for the digit ``i % 10``: the label accuracy is the share read
# as the digit asked for, and each digit's coverage compares its 100 images with that
# digit's held-out real ones, so one good image per digit would fail.

judge = ConditionalJudge(ImageJudge(data))
z = eval_inputs(trainer.noise)  # the 1,000 fixed inputs every judge of tinygan sees
wanted = torch.arange(len(z)) % 10
verdict = judge(trainer.generate(wanted, z), wanted)
print(
    f"label accuracy {verdict['label_accuracy']:.3f} (the classifier's own held-out "
    f"accuracy {verdict['held_out_accuracy']:.3f}), worst digit's coverage "
    f"{verdict['worst_label_coverage']:.2f}, success {verdict['success']}"
)
rows = [trainer.generate(torch.full((10,), c), noise) for c in range(10)]
row_labels = [f"{c}: {verdict[f'label_{c}_accuracy']:.0%}" for c in range(10)]
classes_figure = plot_image_rows(
    rows,
    data.shape,
    row_labels,
    title=(
        f"seed {args.seed}, {steps:,} iterations: label accuracy "
        f"{verdict['label_accuracy']:.1%} of 1,000 judged images"
    ),
    ylabel="digit asked for: share read as it",
)

if args.out is not None:
    args.out.mkdir(parents=True, exist_ok=True)
    classes_figure.savefig(args.out / "classes.png")
    save_image_animation(snapshots, data.shape, args.out / "classes.gif", count=100)
    print(f"saved classes.png and classes.gif in {args.out}")
