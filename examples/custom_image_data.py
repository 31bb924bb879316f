"""
Your own images as data
=======================

Any fixed set of images is a data source: a tensor ``(n, height, width)``, or a
:class:`torch.utils.data.Dataset` whose items are images or ``(image, label)`` pairs,
wrapped in :class:`tinygan.ImageData`. Here the images are made up on the spot (a bar
on a 6x6 grid, horizontal or vertical, in the second or the fifth row or column: four
kinds), so the example needs no download; your own Dataset goes in the same way.

Run it as ``python examples/custom_image_data.py [--steps 3000] [--seed 0]``
(``--steps`` is capped at 3,000).
It needs matplotlib: ``pip install "tinygan[plot]"``.
"""

import argparse
from functools import partial

import torch
from torch import nn

import tinygan as tg
from tinygan.metrics import ImageJudge
from tinygan.plotting import plot_images

parser = argparse.ArgumentParser(description="A GAN on images of your own.")
parser.add_argument("--steps", type=int, default=3000, help="training iterations")
parser.add_argument("--seed", type=int, default=0, help="seeds weights and data")
args = parser.parse_args()
steps = min(args.steps, 3000)
torch.set_num_threads(1)  # networks this small train fastest on one thread

# %%
# A Dataset of your own
# ---------------------
# Each item is ``(image, label)``: a 6x6 tensor with one bright bar, a little noise
# around it, and the bar's kind (0 and 1 horizontal, 2 and 3 vertical).


class Bars(torch.utils.data.Dataset):
    """``n`` noisy bars, drawn once from ``seed``."""

    def __init__(self, n: int, seed: int) -> None:
        rng = torch.Generator().manual_seed(seed)
        self.labels = torch.randint(4, (n,), generator=rng)
        self.images = 0.1 * torch.rand(n, 6, 6, generator=rng)
        for i, label in enumerate(self.labels.tolist()):
            place = (1, 4)[label % 2]
            if label < 2:
                self.images[i, place, :] = 0.9
            else:
                self.images[i, :, place] = 0.9

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        return self.images[i], int(self.labels[i])


# %%
# Wrapped as a data source
# ------------------------
# :class:`~tinygan.ImageData` reads the Dataset once, checks it (tensors of one shape,
# finite values, labels on all items or none) and from then on draws flattened rows
# with replacement from the trainer's generator: ``dim`` is 36, ``shape`` is (6, 6).

data = tg.ImageData(Bars(600, seed=0))
print(data, "dim", data.dim)
real_figure = plot_images(data.images[:24], data.shape, columns=12, title="the real bars")

# %%
# A GAN for it
# ------------
# The networks of the default digits recipe, smaller: :func:`tinygan.mlp` with biases,
# LeakyReLU, LayerNorm and a sigmoid for the generator; for the discriminator the same
# hidden layer, then :class:`~tinygan.MinibatchStd` (so it sees how varied a batch is)
# and a last layer giving logits to :class:`~torch.nn.BCEWithLogitsLoss`.

init = torch.Generator().manual_seed(args.seed)
leaky = lambda: nn.LeakyReLU(0.2)  # noqa: E731
G = tg.mlp(
    [8, 64, data.dim], bias=True, activation=leaky, norm=nn.LayerNorm,
    output_activation=nn.Sigmoid, generator=init,
)  # fmt: skip
body = tg.mlp([data.dim, 64], bias=True, activation=leaky, generator=init)
head = tg.mlp([65, 1], bias=True, output_activation=None, generator=init)
D = nn.Sequential(body[0], nn.LayerNorm(64), body[1], tg.MinibatchStd(), head[0])
trainer = tg.AdversarialTrainer(
    G,
    D,
    data,
    tg.GaussianNoise(8),
    batch_size=32,
    loss=nn.BCEWithLogitsLoss(),
    optimizer=partial(torch.optim.Adam, lr=1e-3, betas=(0.5, 0.999)),
    seed=args.seed,
)
trainer.fit(steps)

# %%
# Judged
# ------
# :class:`~tinygan.metrics.ImageJudge` works for any labelled :class:`~tinygan.ImageData`:
# it learns the four kinds from the real bars, then counts the kinds the generator
# draws.

with torch.no_grad():
    images = G(trainer.noise.sample(500, generator=torch.Generator().manual_seed(1)))
verdict = ImageJudge(data)(images, data)
print({k: round(v, 3) if isinstance(v, float) else v for k, v in verdict.items()})
fake_figure = plot_images(
    images[:24],
    data.shape,
    columns=12,
    title=f"generated after {steps:,} iterations: {verdict['classes_covered']} of 4 kinds",
)
