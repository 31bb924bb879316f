"""
Your own data: a data source that inherits nothing
==================================================

Anything with an integer ``dim`` and a ``sample(n, *, generator=None)`` method that
returns an ``(n, dim)`` tensor is a :class:`~tinygan.DataSource`: no base class needed.
Here the real data is not the post's fuzzy ``1010`` but a tiny 3x3 image of a cross
(the post's Part III moves on to images), nine numbers drawn from normal distributions
around 0.9 (ink) and 0.1 (paper). The generator learns it from four noise numbers.

Run it as ``python examples/custom_data_source.py [--steps 10000] [--seed 0] [--out DIR]``.
It needs matplotlib: ``pip install "tinygan[plot]"``.
"""

import argparse
from pathlib import Path

import torch
from matplotlib.figure import Figure

import tinygan as tg
from tinygan.plotting import plot_losses, plot_snapshots

parser = argparse.ArgumentParser(description="A GAN on a user-written data source.")
parser.add_argument("--steps", type=int, default=10_000, help="training iterations")
parser.add_argument("--seed", type=int, default=0, help="seeds weights and data")
parser.add_argument("--out", type=Path, default=None, help="save the figures here as PNG")
args = parser.parse_args()

# %%
# The data source
# ---------------
# All randomness comes from the ``generator`` argument, so the trainer's seed decides
# every sample; one vectorised call draws the whole batch.


class FuzzyCross:
    """A 3x3 cross, flattened row by row: ink near 0.9, paper near 0.1."""

    dim = 9

    def __init__(self, spread=0.05):
        ink = torch.tensor([1, 0, 1, 0, 1, 0, 1, 0, 1], dtype=torch.float32)
        self.centre = 0.1 + 0.8 * ink
        self.spread = spread

    def sample(self, n, *, generator=None):
        z = torch.randn(n, self.dim, generator=generator)
        return (self.centre + self.spread * z).clamp(0.0, 1.0)


real = FuzzyCross()
print("a DataSource:", isinstance(real, tg.DataSource))
print(real.sample(1, generator=torch.Generator().manual_seed(0)).reshape(3, 3))

# %%
# Training
# --------
# The generator maps 4 noise numbers to 9 outputs and the discriminator reads 9; the
# trainer checks that these widths fit together when it is built.

init = torch.Generator().manual_seed(args.seed)
log = tg.LossLogger(reference=real.centre)
snapshots = tg.Snapshots(every=max(1, min(1000, args.steps // 10)))
trainer = tg.AdversarialTrainer(
    tg.mlp([4, 9, 9], generator=init),
    tg.mlp([9, 3, 1], generator=init),
    real,
    tg.UniformNoise(4),
    seed=args.seed,
    callbacks=[log, snapshots],
)
trainer.fit(args.steps)

# %%
# The figures
# -----------
# The generator's error is measured against the cross's centre.

losses = plot_losses(log)

# %%
# Nine rows now: the odd ones (ink) darken, the even ones (paper) fade.

images = plot_snapshots(snapshots)

# %%
# And as the images they are: three samples of real data above, three of the
# generator's below. The generated crosses are cleaner than the real ones, and all
# alike: the generator has found one convincing cross and draws it whatever its input,
# a partial *mode collapse* (see :class:`~tinygan.CollapseDetector`).

with torch.no_grad():
    fakes = trainer.generator(trainer.noise.sample(3, generator=torch.Generator().manual_seed(1)))
reals = real.sample(3, generator=torch.Generator().manual_seed(1))
gallery = Figure(figsize=(6, 4), layout="constrained")
axes = gallery.subplots(2, 3)
for ax, sample, name in zip(
    axes.flat, [*reals, *fakes], ["real"] * 3 + ["generated"] * 3, strict=True
):
    ax.imshow(sample.reshape(3, 3), cmap="Blues", vmin=0, vmax=1)
    ax.set_title(name)
    ax.set_axis_off()

# %%

with torch.no_grad():
    out = trainer.generator(trainer.noise.sample(1000, generator=torch.Generator().manual_seed(2)))
print("centre:         ", " ".join(f"{v:.2f}" for v in real.centre.tolist()))
print("G's mean output:", " ".join(f"{v:.2f}" for v in out.mean(dim=0).tolist()))

if args.out is not None:
    args.out.mkdir(parents=True, exist_ok=True)
    for name, fig in [("losses", losses), ("snapshots", images), ("samples", gallery)]:
        fig.savefig(args.out / f"{name}.png")
    print(f"saved losses.png, snapshots.png and samples.png in {args.out}")
