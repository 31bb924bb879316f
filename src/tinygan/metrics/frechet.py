r"""The Fréchet distance between two sets of feature vectors (the FID's formula).

Heusel et al. (2017) compare generated images with real ones by fitting a Gaussian to
each set's features (Inception's, for photographs) and measuring the Fréchet (2-Wasserstein)
distance between the two Gaussians. :class:`~tinygan.metrics.ImageJudge` uses it with its
own small classifier's features.
"""

from __future__ import annotations

import torch

__all__ = ["frechet_distance"]


def _covariance(x: torch.Tensor) -> torch.Tensor:
    centred = x - x.mean(dim=0)
    return centred.T @ centred / max(x.shape[0] - 1, 1)


def _psd_sqrt(matrix: torch.Tensor) -> torch.Tensor:
    values, vectors = torch.linalg.eigh((matrix + matrix.T) / 2)
    root: torch.Tensor = (vectors * values.clamp(min=0).sqrt()) @ vectors.T
    return root


def frechet_distance(a: torch.Tensor, b: torch.Tensor) -> float:
    r"""The Fréchet distance between Gaussians fitted to two sets of feature vectors.

    .. math:: \lVert \mu_a - \mu_b \rVert^2 + \operatorname{tr}\big(\Sigma_a + \Sigma_b
       - 2 (\Sigma_a^{1/2} \Sigma_b \Sigma_a^{1/2})^{1/2}\big)

    computed in float64 through symmetric eigendecompositions (negative eigenvalues of
    rounding clamped to 0).

    Args:
        a: Features ``(n, k)``, ``n >= 2``.
        b: Features ``(m, k)``, ``m >= 2``.

    Returns:
        The distance, ``>= 0`` up to rounding.

    Raises:
        ValueError: If a set is not 2-d with at least two rows, or the widths differ.

    Example:
        >>> import torch
        >>> a = torch.tensor([[0.0], [2.0]])
        >>> frechet_distance(a, a + 3.0)
        9.0
    """
    for name, x in (("a", a), ("b", b)):
        if x.dim() != 2 or x.shape[0] < 2:
            raise ValueError(f"{name} must be features (n, k) with n >= 2, got {tuple(x.shape)}")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"a and b must have the same width, got {a.shape[1]} and {b.shape[1]}")
    x, y = a.detach().double().cpu(), b.detach().double().cpu()
    root = _psd_sqrt(_covariance(x))
    middle = torch.linalg.eigvalsh(root @ _covariance(y) @ root).clamp(min=0).sqrt().sum()
    trace = torch.trace(_covariance(x)) + torch.trace(_covariance(y)) - 2 * middle
    return float(((x.mean(0) - y.mean(0)) ** 2).sum() + trace)
