"""Packing (PacGAN): a discriminator that judges ``m`` samples at once."""

from __future__ import annotations

import torch
from torch import nn

from tinygan._checks import check_int

__all__ = ["Packed"]


class Packed(nn.Module):
    """Wrap a discriminator so that it scores packs of ``m`` samples (PacGAN).

    PacGAN (Lin et al. 2018) fights mode collapse by letting the discriminator see ``m``
    samples side by side, all real or all generated: a generator that repeats itself is
    easier to tell apart in a pack than one sample at a time.

    A batch of ``n * m`` samples of width ``dim`` is read as ``n`` packs of **consecutive
    rows**: pack ``j`` is rows ``j*m, ..., j*m + m - 1`` laid side by side into one
    input of width ``m * dim`` (row ``j*m`` first), exactly
    ``samples.reshape(n, m * dim)``. The wrapped discriminator maps those ``(n, m * dim)``
    inputs to ``n`` scores, so a trainer's loss compares ``n`` scores with ``n``
    targets. With ``m = 1`` it is the discriminator itself.

    Use it with a batch size that ``m`` divides (``batch_size = n * m``): real batches are
    packed from consecutive real samples, fake ones from consecutive generator outputs.
    The parameters are the wrapped discriminator's; its state dict keys are prefixed
    with ``discriminator.``.

    Trainers know about packing: :class:`tinygan.AdversarialTrainer` and
    :class:`tinygan.DiscriminatorTrainer` check a packed discriminator on ``2 * m`` rows
    and refuse a ``batch_size`` that ``m`` does not divide, naming both.

    Args:
        discriminator: Maps ``(n, m * dim)`` to scores ``(n, 1)`` (or ``(n, k)``).
        m: The pack size, the number of samples per input (``>= 1``).

    Attributes:
        discriminator: The wrapped network.
        m: The pack size.

    Raises:
        TypeError: If ``discriminator`` is not a :class:`torch.nn.Module` or ``m`` not an
            integer.
        ValueError: If ``m < 1``.

    Example:
        >>> import torch, tinygan as tg
        >>> D = tg.Packed(tg.mlp([4, 3, 1]), 2)   # 2 samples of width 2 -> one score
        >>> D(torch.zeros(6, 2)).shape
        torch.Size([3, 1])
    """

    def __init__(self, discriminator: nn.Module, m: int) -> None:
        super().__init__()
        if not isinstance(discriminator, nn.Module):
            raise TypeError(
                f"discriminator must be a torch.nn.Module, got {type(discriminator).__name__}"
            )
        self.m: int = check_int("m", m, minimum=1)
        self.discriminator = discriminator

    def pack(self, samples: torch.Tensor) -> torch.Tensor:
        """Lay each ``m`` consecutive rows side by side: ``(n * m, dim)`` to ``(n, m * dim)``.

        Args:
            samples: A batch of ``n * m`` samples, shape ``(n * m, dim)``.

        Returns:
            The packed inputs, shape ``(n, m * dim)``.

        Raises:
            ValueError: If ``samples`` is not 2-d or ``m`` does not divide its batch size.
        """
        if samples.dim() != 2:
            raise ValueError(
                f"Packed takes a batch of shape (n * m, dim), got shape {tuple(samples.shape)}"
            )
        batch = samples.shape[0]
        if batch % self.m:
            raise ValueError(
                f"Packed(m={self.m}) needs a batch size that m divides, got a batch of "
                f"{batch} samples (batch size {batch} is not a multiple of m={self.m})"
            )
        return samples.reshape(batch // self.m, self.m * samples.shape[1])

    def forward(self, samples: torch.Tensor) -> torch.Tensor:
        """Score each pack of ``m`` consecutive samples.

        Args:
            samples: A batch of ``n * m`` samples, shape ``(n * m, dim)``.

        Returns:
            The discriminator's output on the ``n`` packs, shape ``(n, 1)``.

        Raises:
            ValueError: If ``samples`` is not 2-d or ``m`` does not divide its batch size.
        """
        return self.discriminator(self.pack(samples))  # type: ignore[no-any-return]

    def extra_repr(self) -> str:
        """Show ``m`` in the module's repr."""
        return f"m={self.m}"
