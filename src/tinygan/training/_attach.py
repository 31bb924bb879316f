"""Taking a trainer's generator: checked against its noise, its data and its discriminator."""

from __future__ import annotations

from typing import Any

import torch

from tinygan.protocols import DataSource, Model
from tinygan.training._steps import check_device, make_optimizer
from tinygan.training.parts import check_same_dtype, check_source, probe

__all__ = ["attach_generator"]


def attach_generator(
    trainer: Any, generator: Model, noise: DataSource, labels: int = 0
) -> tuple[torch.optim.Optimizer, list[torch.nn.Parameter]]:
    """Check ``generator`` against the noise, the data and D; make its optimiser.

    ``trainer`` has its discriminator, data and optimiser factory set already
    (``_setup``). ``labels`` one-hot numbers join both networks' inputs (a conditional
    GAN's).

    Returns:
        The generator's optimiser and the parameters it trains.
    """
    check_device(trainer.device, generator)
    check_same_dtype(generator, trainer.discriminator)
    noise_dim = check_source("noise", noise)
    joined = f" + classes ({labels})" if labels else ""
    fake = probe("the generator", generator, noise_dim + labels, "noise.dim" + joined)
    if fake.shape[1] != trainer.real.dim:
        raise ValueError(
            f"the generator's output has width {fake.shape[1]} but real.dim is "
            f"{trainer.real.dim}: the discriminator must read both"
        )
    trainer._check_discriminator_input(trainer.real.dim + labels, "real.dim" + joined)
    optimizer = make_optimizer("generator", trainer._optimizer_factory, generator, trainer.lr)
    return optimizer, [p for p in generator.parameters() if p.requires_grad]
