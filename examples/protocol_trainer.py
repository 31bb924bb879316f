"""
A trainer of your own: the protocol route
=========================================

:class:`tinygan.Trainer` is a :class:`typing.Protocol`: any class with ``step()``,
``fit(steps)``, ``stop()`` and an ``iteration`` count is a trainer, and tinygan's
callbacks and figures work with it. This one inherits nothing. It writes the post's three
steps in plain PyTorch, with its own choice the library's trainer does not offer: a
separate optimiser and learning rate for each network.

Its ``fit`` calls the callbacks' hooks in the order documented in
:mod:`tinygan.callbacks`. (To skip writing ``fit`` and ``stop``, inherit
:class:`tinygan.BaseTrainer` and write ``step`` alone.)

Run it as ``python examples/protocol_trainer.py [--d-lr 0.01] [--g-lr 0.01] [--steps 10000]
[--seed 0] [--out DIR]``.
It needs matplotlib: ``pip install "tinygan[plot]"``.
"""

import argparse
from pathlib import Path

import torch
from torch.nn import functional

import tinygan as tg
from tinygan.plotting import plot_losses, plot_snapshots

parser = argparse.ArgumentParser(description="A trainer that satisfies tinygan.Trainer.")
parser.add_argument("--d-lr", type=float, default=0.01, help="the discriminator's SGD rate")
parser.add_argument("--g-lr", type=float, default=0.01, help="the generator's SGD rate")
parser.add_argument("--steps", type=int, default=10_000, help="training iterations")
parser.add_argument("--seed", type=int, default=0, help="seeds weights and data")
parser.add_argument("--out", type=Path, default=None, help="save the figures here as PNG")
args = parser.parse_args()

# %%
# The trainer
# -----------


class TwoRateGAN:
    """The post's GAN with one learning rate per network, written from scratch."""

    def __init__(self, generator, discriminator, *, d_lr, g_lr, seed, callbacks=()):
        self.generator = generator
        self.discriminator = discriminator
        self.real = tg.FuzzyPattern("1010")
        self.noise = tg.UniformNoise(4)
        self.rng = torch.Generator().manual_seed(seed)
        self.d_opt = torch.optim.SGD(discriminator.parameters(), lr=d_lr)
        self.g_opt = torch.optim.SGD(generator.parameters(), lr=g_lr)
        self.callbacks = list(callbacks)
        self.iteration = 0
        self._stop = False

    def _d_step(self, inputs, target):
        out = self.discriminator(inputs)
        loss = functional.mse_loss(out, torch.full_like(out, target))
        self.d_opt.zero_grad()
        loss.backward()
        self.d_opt.step()
        return loss.detach()

    def step(self):
        d_real = self._d_step(self.real.sample(1, generator=self.rng), 1.0)
        with torch.no_grad():
            fake = self.generator(self.noise.sample(1, generator=self.rng))
        d_fake = self._d_step(fake, 0.0)
        # The generator's step: the gradient flows through D, but only G's optimiser
        # steps. D's gradients are cleared at its next step.
        out = self.generator(self.noise.sample(1, generator=self.rng))
        score = self.discriminator(out)
        g_loss = functional.mse_loss(score, torch.ones_like(score))
        self.g_opt.zero_grad()
        g_loss.backward()
        self.g_opt.step()
        return tg.StepRecord(
            d_loss_real=d_real, d_loss_fake=d_fake, g_loss=g_loss.detach(), fake=out.detach()
        )

    def stop(self):
        self._stop = True

    def fit(self, steps):
        self._stop = False
        try:
            for cb in self.callbacks:
                cb.on_fit_start(self)
            for _ in range(steps):
                if self._stop:
                    break
                record = self.step()
                self.iteration += 1
                for cb in self.callbacks:
                    cb.on_step_end(self, self.iteration, record)
        finally:
            for cb in self.callbacks:
                cb.on_fit_end(self)
        return self


# %%
# Training it, with tinygan's callbacks
# -------------------------------------

init = torch.Generator().manual_seed(args.seed)
log = tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0])
snapshots = tg.Snapshots(every=max(1, min(1000, args.steps // 10)))
trainer = TwoRateGAN(
    tg.mlp([4, 4, 4], generator=init),
    tg.mlp([4, 3, 1], generator=init),
    d_lr=args.d_lr,
    g_lr=args.g_lr,
    seed=args.seed,
    callbacks=[log, snapshots],
)
print("a tinygan.Trainer:", isinstance(trainer, tg.Trainer))
trainer.fit(args.steps)

# %%
# The figures
# -----------

losses = plot_losses(log)

# %%

images = plot_snapshots(snapshots)

# %%

with torch.no_grad():
    out = trainer.generator(trainer.noise.sample(1000, generator=torch.Generator().manual_seed(1)))
print("G's mean output:", " ".join(f"{v:.3f}" for v in out.mean(dim=0).tolist()))

if args.out is not None:
    args.out.mkdir(parents=True, exist_ok=True)
    losses.savefig(args.out / "losses.png")
    images.savefig(args.out / "snapshots.png")
    print(f"saved {args.out / 'losses.png'} and {args.out / 'snapshots.png'}")
