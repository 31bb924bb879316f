"""PacGAN's own configuration for the 2-D mixtures, as the authors' code trains it.

Lin, Khetan, Fanti and Oh, "PacGAN: The power of two samples in generative adversarial
networks" (NeurIPS 2018), trained their 2-D ring and grid experiments with the code of
ALI (Dumoulin et al. 2017) in Theano and Blocks (github.com/fjxmlzn/PacGAN,
``synthetic_data_experiments/``). :func:`paper_gan` builds that configuration in
PyTorch, with the same arithmetic:

- **generator**: 2-D standard normal noise, four hidden layers of 400 units, each a
  linear map *without bias* then batch normalisation (learned scale and shift) then
  ReLU; a linear output layer with bias. In training, the generator runs on each pack
  slot's noise separately, so batch normalisation takes its statistics per slot
  (:class:`SlotBatchNorm`); its running statistics move by 0.05 of the slots' mean
  batch statistics each step (momentum 0.05, Blocks' mean and standard deviation with
  ``epsilon = 1e-4`` inside the square root) and are what the judged generator uses;
- **discriminator**: three maxout layers of 200 units with 5 pieces (:class:`Maxout`),
  then a linear output, reading a pack of ``m`` samples side by side
  (:class:`~tinygan.Packed`);
- **initialisation**: every weight normal with standard deviation 0.02, every bias 0,
  batch normalisation's scale 1 and shift 0;
- **update** (:class:`SimultaneousTrainer`, ALI's algorithm): one forward pass per
  iteration on 100 packs of real data and 100 packs of generated data, and one
  simultaneous step of both networks from that pass: the discriminator down the
  gradient of ``softplus(-D(x)) + softplus(D(G(z)))``, the generator down that of
  ``softplus(-D(G(z)))``, both gradients taken at the same weights;
- **optimiser**: Adam, learning rate 1e-4, ``beta1 = 0.8`` (as the Blocks version of
  2017 on reads it: the decay of the first moment, as in PyTorch), ``beta2 = 0.999``,
  constant; 400 epochs of 100,000 samples: :data:`PAPER_STEPS` = 400,000 iterations.

Differences that remain: the authors draw a fixed set of 100,000 real packs and shuffle
it each epoch, where tinygan draws fresh samples every step; Blocks' Adam adds its
``epsilon`` before the bias correction of the second moment (a difference of order
``1e-8``); Theano's random numbers are not PyTorch's.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn
from torch.nn import functional

from tinygan._checks import check_int
from tinygan.callbacks import Callback
from tinygan.data import GaussianMixture, GaussianNoise
from tinygan.nets import Packed
from tinygan.protocols import StepRecord
from tinygan.training import AdversarialTrainer

__all__ = [
    "PAPER_LR",
    "PAPER_PACKS",
    "PAPER_STEPS",
    "Maxout",
    "SimultaneousTrainer",
    "SlotBatchNorm",
    "paper_gan",
]

#: Iterations of the paper's runs: 400 epochs of 100,000 samples in batches of 100.
PAPER_STEPS = 400 * 100_000 // 100
#: Packs per step (``100 * m`` samples for PacGAN-``m``).
PAPER_PACKS = 100
#: Adam's learning rate, constant.
PAPER_LR = 1e-4
_BETAS = (0.8, 0.999)
_INIT_STD = 0.02
_MOMENTUM = 0.05
_EPSILON = 1e-4


class Maxout(nn.Module):
    """A maxout layer: ``pieces`` linear maps per unit, the largest kept.

    ``Maxout(fan_in, units, pieces)(x)[:, u]`` is the maximum over ``k`` of
    ``linear(x)[:, u * pieces + k]``, one linear map of ``units * pieces`` outputs.

    Args:
        fan_in: The input's width.
        units: The output's width.
        pieces: Linear pieces per unit.
        generator: Draws the weights (normal, standard deviation 0.02; biases 0, as
            PacGAN's code); a fresh :class:`torch.Generator` if ``None``. The global
            random state is never touched.
    """

    def __init__(
        self, fan_in: int, units: int, pieces: int, generator: torch.Generator | None = None
    ) -> None:
        super().__init__()
        self.units = check_int("units", units, minimum=1)
        self.pieces = check_int("pieces", pieces, minimum=1)
        fan_in = check_int("fan_in", fan_in, minimum=1)
        self.linear = _linear(fan_in, units * pieces, True, generator or torch.Generator())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The maximum of each unit's pieces, shape ``(n, units)``."""
        out: torch.Tensor = self.linear(x)
        return out.view(-1, self.units, self.pieces).amax(dim=2)


class SlotBatchNorm(nn.Module):
    """Batch normalisation with per-slot statistics for packed batches, as PacGAN's.

    In training, a batch of ``n * slots`` rows is read as ``n`` packs of ``slots``
    consecutive rows (as :class:`~tinygan.Packed` reads them); the rows of each slot
    (rows ``i, i + slots, ...``) are normalised by their own mean and standard deviation
    ``sqrt(var + eps)`` (``var`` the biased variance), then scaled and shifted by the
    learned ``weight`` and ``bias``. The running mean and standard deviation move by
    ``momentum`` towards the slots' mean statistics. In inference mode
    (``eval()``) rows are normalised by the running statistics alone,
    ``(x - running_mean) / running_std * weight + bias``, whatever the batch.

    Args:
        features: The input's width.
        slots: Rows per pack (PacGAN's ``m``).
        momentum: How far the running statistics move per training call.
        eps: Added to the variance inside the square root in training.
    """

    def __init__(
        self, features: int, slots: int = 1, momentum: float = _MOMENTUM, eps: float = _EPSILON
    ) -> None:
        super().__init__()
        self.slots = check_int("slots", slots, minimum=1)
        self.momentum, self.eps = float(momentum), float(eps)
        width = check_int("features", features, minimum=1)
        self.weight = nn.Parameter(torch.ones(width))
        self.bias = nn.Parameter(torch.zeros(width))
        self.running_mean: torch.Tensor
        self.running_std: torch.Tensor
        self.register_buffer("running_mean", torch.zeros(width))
        self.register_buffer("running_std", torch.ones(width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalise ``x`` ``(n * slots, features)`` (per slot in training)."""
        if not self.training:
            return (x - self.running_mean) / self.running_std * self.weight + self.bias
        if x.shape[0] % self.slots:
            raise ValueError(
                f"SlotBatchNorm(slots={self.slots}) needs a batch size that slots divides, "
                f"got {x.shape[0]} rows"
            )
        rows = x.view(-1, self.slots, x.shape[1])
        mean = rows.mean(dim=0)
        std = torch.sqrt(((rows - mean) ** 2).mean(dim=0) + self.eps)
        with torch.no_grad():
            self.running_mean.lerp_(mean.mean(dim=0), self.momentum)
            self.running_std.lerp_(std.mean(dim=0), self.momentum)
        return ((rows - mean) / std * self.weight + self.bias).view_as(x)

    def extra_repr(self) -> str:
        """Show the width, slots and momentum in the module's repr."""
        return f"{self.weight.numel()}, slots={self.slots}, momentum={self.momentum}"


class SimultaneousTrainer(AdversarialTrainer):
    """One simultaneous step of both networks per iteration, on one forward pass (ALI's).

    Each iteration draws ``batch_size`` real samples and ``batch_size`` noise vectors,
    runs the generator once and the discriminator on both batches, and takes both
    gradients at the same weights: the discriminator's of ``mean softplus(-D(x)) + mean
    softplus(D(G(z)))``, the generator's of ``mean softplus(-D(G(z)))`` (the
    non-saturating loss; the authors' generator loss adds ``mean softplus(D(x))``, which
    has no gradient in the generator). Then both optimisers step. The trainer's ``loss``
    is not used. The record holds the two discriminator terms, the generator's loss and
    its output.
    """

    def step(self) -> StepRecord:
        """Run one simultaneous iteration and return what it produced."""
        n = self.batch_size
        real = self.real.sample(n, generator=self.rng)
        fake = self.generator(self.noise.sample(n, generator=self.rng))
        d_real, d_fake = self.discriminator(real), self.discriminator(fake)
        d_loss_real = functional.softplus(-d_real).mean()
        d_loss_fake = functional.softplus(d_fake).mean()
        g_loss = functional.softplus(-d_fake).mean()
        d_params = [p for p in self.discriminator.parameters() if p.requires_grad]
        d_grads = torch.autograd.grad(d_loss_real + d_loss_fake, d_params, retain_graph=True)
        g_grads = torch.autograd.grad(g_loss, self._g_params)
        for params, grads in ((d_params, d_grads), (self._g_params, g_grads)):
            for param, grad in zip(params, grads, strict=True):
                param.grad = grad
        self.d_optimizer.step()
        self.g_optimizer.step()
        return StepRecord(
            d_loss_real=d_loss_real.detach(),
            d_loss_fake=d_loss_fake.detach(),
            g_loss=g_loss.detach(),
            fake=fake.detach(),
        )


def _linear(fan_in: int, fan_out: int, bias: bool, generator: torch.Generator) -> nn.Linear:
    """A linear layer as PacGAN's code draws it: weights N(0, 0.02) from ``generator``, biases 0."""
    layer: nn.Linear = nn.utils.skip_init(nn.Linear, fan_in, fan_out, bias=bias)  # type: ignore[no-untyped-call]
    with torch.no_grad():
        layer.weight.normal_(0.0, _INIT_STD, generator=generator)
        if layer.bias is not None:
            layer.bias.zero_()
    return layer


def paper_gan(
    real: GaussianMixture,
    seed: int,
    *,
    pack: int = 1,
    packs: int = PAPER_PACKS,
    callbacks: Iterable[Callback] = (),
    device: torch.device | str | None = None,
) -> SimultaneousTrainer:
    """PacGAN's configuration for a 2-D mixture (see the module's docstring).

    Train it for :data:`PAPER_STEPS` iterations, as the paper does. The generator trains
    in training mode and is judged in inference mode (its running statistics), as the
    authors' evaluation does.

    Args:
        real: The mixture to imitate.
        seed: Seeds the weights (drawn on the CPU, then moved) and the trainer's draws.
        pack: The discriminator's pack size ``m`` (1: the plain GAN).
        packs: Packs per step: ``packs * pack`` samples.
        callbacks: The trainer's callbacks.
        device: Where the networks live and the batches are drawn (``None``: the CPU).

    Returns:
        The trainer, not yet trained.

    Raises:
        ValueError: If a number is out of range.
        TypeError: If an argument has the wrong type.

    Example:
        >>> import tinygan as tg
        >>> from tinygan.recipes.pacgan import paper_gan
        >>> trainer = paper_gan(tg.GaussianMixture.ring(), 0, pack=2, packs=4).fit(2)
        >>> trainer.batch_size, trainer.generator[1].slots, trainer.generator[0].bias
        (8, 2, None)
    """
    m = check_int("pack", pack, minimum=1)
    n = check_int("packs", packs, minimum=1)
    weights = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
    layers: list[nn.Module] = []
    width = 2
    for _ in range(4):
        layers += [_linear(width, 400, False, weights), SlotBatchNorm(400, m), nn.ReLU()]
        width = 400
    generator = nn.Sequential(*layers, _linear(400, real.dim, True, weights)).to(device)
    critic = nn.Sequential(
        Maxout(real.dim * m, 200, 5, weights),
        Maxout(200, 200, 5, weights),
        Maxout(200, 200, 5, weights),
        _linear(200, 1, True, weights),
    ).to(device)
    discriminator: nn.Module = critic if m == 1 else Packed(critic, m)
    generator.eval()  # the trainer probes the generator: no running statistic may move
    trainer = SimultaneousTrainer(
        generator,
        discriminator,
        real,
        GaussianNoise(2),
        lr=PAPER_LR,
        batch_size=n * m,
        optimizer=lambda params: torch.optim.Adam(params, lr=PAPER_LR, betas=_BETAS),
        seed=seed,
        callbacks=callbacks,
        device=device,
    )
    generator.train()
    return trainer
