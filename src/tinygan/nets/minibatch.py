r"""Minibatch standard deviation: a layer that lets a discriminator see a batch's variety.

A discriminator that scores one sample at a time cannot tell a generator that draws the
same digit over and over from one that draws them all. :class:`MinibatchStd` (Karras
et al. 2018, "Progressive growing of GANs") appends one feature to every sample: how much
the batch varies, on average over the features. Real batches vary; a collapsed
generator's batches do not, and the discriminator learns to notice.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["MinibatchStd"]


class MinibatchStd(nn.Module):
    r"""Append the batch's mean standard deviation to every sample: ``(n, k) -> (n, k + 1)``.

    For a batch :math:`h \in \mathbb{R}^{n \times k}` the new feature is

    .. math:: s = \frac1k \sum_j \sqrt{\frac1n \sum_i (h_{ij} - \bar h_j)^2 + \epsilon}

    the same for every sample (:math:`\epsilon = 10^{-8}` keeps the gradient finite
    when the batch does not vary). It has no parameters. Put it before a
    discriminator's last linear layer, which then reads ``k + 1`` features.

    Example:
        >>> import torch
        >>> layer = MinibatchStd()
        >>> out = layer(torch.tensor([[0.0, 1.0], [2.0, 1.0]]))
        >>> out.shape, round(float(out[0, 2]), 3)
        (torch.Size([2, 3]), 0.5)
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return ``x`` with the feature appended as its last column."""
        if x.dim() != 2:
            raise ValueError(f"MinibatchStd takes a batch (n, features), got {tuple(x.shape)}")
        std = torch.sqrt(x.var(dim=0, unbiased=False) + 1e-8).mean()
        return torch.cat([x, std.expand(x.shape[0], 1)], dim=1)
