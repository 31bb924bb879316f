"""What one training iteration produced."""

from __future__ import annotations

from dataclasses import dataclass

import torch

__all__ = ["StepRecord"]


@dataclass(frozen=True)
class StepRecord:
    """The detached results of one training iteration, handed to every callback.

    Every field is optional: a trainer leaves ``None`` where it has no such quantity
    (:class:`tinygan.DiscriminatorTrainer` has no generator, so no ``g_loss`` or ``fake``).

    Attributes:
        d_loss_real: The discriminator's loss on real data (a 0-d tensor).
        d_loss_fake: The discriminator's loss on generated data (a 0-d tensor).
        g_loss: The generator's loss through the discriminator (a 0-d tensor).
        fake: The generator's output in its training step, shape ``(batch_size, dim)``.

    Example:
        >>> import torch
        >>> record = StepRecord(g_loss=torch.tensor(0.25))
        >>> record.d_loss_real is None
        True
    """

    d_loss_real: torch.Tensor | None = None
    d_loss_fake: torch.Tensor | None = None
    g_loss: torch.Tensor | None = None
    fake: torch.Tensor | None = None
