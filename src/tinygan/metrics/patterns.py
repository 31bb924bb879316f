"""Health metrics for data with per-position ranges (the post's fuzzy patterns).

Pure functions of tensors: no state, no random numbers. Their formulas are in the
docstrings and in :mod:`tinygan.metrics`.
"""

from __future__ import annotations

import torch

from tinygan.protocols import Model

__all__ = [
    "centre_distance",
    "mean_score",
    "share_all_inside",
    "share_inside",
    "spread",
    "spread_ratio",
]


def _check_samples(name: str, samples: object) -> torch.Tensor:
    if not isinstance(samples, torch.Tensor):
        raise TypeError(f"{name} must be a tensor of shape (n, dim), got {type(samples).__name__}")
    if samples.dim() != 2 or samples.shape[0] < 1 or samples.shape[1] < 1:
        raise ValueError(
            f"{name} must have shape (n, dim) with n >= 1 and dim >= 1, got {tuple(samples.shape)}"
        )
    return samples


def _check_bounds(
    samples: torch.Tensor, low: torch.Tensor | float, high: torch.Tensor | float
) -> tuple[torch.Tensor, torch.Tensor]:
    dim = samples.shape[1]
    result = []
    for name, value in (("low", low), ("high", high)):
        bound = torch.as_tensor(value, dtype=samples.dtype, device=samples.device)
        if bound.dim() > 1 or (bound.dim() == 1 and bound.shape[0] not in (1, dim)):
            raise ValueError(
                f"{name} must be a number or a tensor of shape ({dim},), got shape "
                f"{tuple(bound.shape)}"
            )
        result.append(bound.expand(dim))
    lo, hi = result
    if bool((lo > hi).any()) or not bool(torch.isfinite(lo).all() and torch.isfinite(hi).all()):
        raise ValueError(f"low and high must be finite with low <= high, got {lo} and {hi}")
    return lo, hi


def _inside(samples: torch.Tensor, low: torch.Tensor, high: torch.Tensor) -> torch.Tensor:
    return (samples >= low) & (samples <= high)


def share_inside(
    samples: torch.Tensor, low: torch.Tensor | float, high: torch.Tensor | float
) -> torch.Tensor:
    r"""The share of samples inside the real range, position by position.

    .. math:: s_j = \frac{1}{n} \sum_{i=1}^{n} [\, l_j \le x_{ij} \le h_j \,]

    Args:
        samples: A batch ``(n, dim)``, ``n >= 1``.
        low: The lower bound of each position (a number or shape ``(dim,)``).
        high: The upper bound of each position.

    Returns:
        Shape ``(dim,)``, each entry in ``[0, 1]``.

    Raises:
        ValueError: If ``samples`` is not ``(n, dim)`` with ``n >= 1``, or the bounds
            have the wrong shape, are not finite, or have ``low > high``.
    """
    x = _check_samples("samples", samples)
    lo, hi = _check_bounds(x, low, high)
    return _inside(x, lo, hi).to(x.dtype).mean(dim=0)


def share_all_inside(
    samples: torch.Tensor, low: torch.Tensor | float, high: torch.Tensor | float
) -> torch.Tensor:
    r"""The share of samples inside the real range at every position at once.

    .. math:: s = \frac{1}{n} \sum_{i=1}^{n} \prod_{j=1}^{d} [\, l_j \le x_{ij} \le h_j \,]

    It is at most the smallest of :func:`share_inside`'s entries.

    Args:
        samples: A batch ``(n, dim)``, ``n >= 1``.
        low: The lower bound of each position.
        high: The upper bound of each position.

    Returns:
        A 0-d tensor in ``[0, 1]``.

    Raises:
        ValueError: As :func:`share_inside`.
    """
    x = _check_samples("samples", samples)
    lo, hi = _check_bounds(x, low, high)
    return _inside(x, lo, hi).all(dim=1).to(x.dtype).mean()


def centre_distance(
    samples: torch.Tensor, low: torch.Tensor | float, high: torch.Tensor | float
) -> torch.Tensor:
    r"""How far the samples' mean is from the centre of the real range, per position.

    .. math:: c_j = \left| \frac{1}{n} \sum_{i=1}^{n} x_{ij} - \frac{l_j + h_j}{2} \right|

    Args:
        samples: A batch ``(n, dim)``, ``n >= 1``.
        low: The lower bound of each position.
        high: The upper bound of each position.

    Returns:
        Shape ``(dim,)``, each entry ``>= 0``; a mean inside the range has
        :math:`c_j \le (h_j - l_j) / 2`.

    Raises:
        ValueError: As :func:`share_inside`.
    """
    x = _check_samples("samples", samples)
    lo, hi = _check_bounds(x, low, high)
    return (x.mean(dim=0) - (lo + hi) / 2).abs()


def spread(samples: torch.Tensor) -> torch.Tensor:
    r"""The standard deviation of each position across the batch (population form).

    .. math:: \sigma_j(x) = \sqrt{\frac{1}{n} \sum_{i=1}^{n} (x_{ij} - \bar{x}_j)^2}

    Uniform data on a range of width :math:`w` has :math:`\sigma = w / \sqrt{12}`
    (0.0577 for the post's ranges of width 0.2).

    Args:
        samples: A batch ``(n, dim)``, ``n >= 1``.

    Returns:
        Shape ``(dim,)``, each entry ``>= 0``.

    Raises:
        ValueError: If ``samples`` is not ``(n, dim)`` with ``n >= 1``.
    """
    x = _check_samples("samples", samples)
    return x.std(dim=0, correction=0)


def spread_ratio(samples: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    r"""The spread of generated samples over that of real ones, position by position.

    .. math:: r_j = \frac{\sigma_j(x)}{\sigma_j(y)}

    with :math:`\sigma` as in :func:`spread`, :math:`x` the generator's outputs for a
    batch of different inputs and :math:`y` a batch of real data. Near 1, the generator
    varies as much as the data; near 0, it gives the same output whatever its input
    (mode collapse). The post's generator ends near 0.2. A position where the real data
    does not vary at all gives ``inf`` (or ``nan`` if neither varies).

    Args:
        samples: Generated samples ``(n, dim)``, ``n >= 1``.
        real: Real samples ``(m, dim)``, ``m >= 1``, the same ``dim``.

    Returns:
        Shape ``(dim,)``, each entry ``>= 0``.

    Raises:
        ValueError: If a batch is not 2-d and non-empty, or the widths differ.

    Example:
        >>> import torch
        >>> real = torch.tensor([[0.0], [1.0]])
        >>> spread_ratio(torch.tensor([[0.25], [0.75]]), real)
        tensor([0.5000])
    """
    x = _check_samples("samples", samples)
    y = _check_samples("real", real)
    if x.shape[1] != y.shape[1]:
        raise ValueError(
            f"samples and real must have the same width, got {x.shape[1]} and {y.shape[1]}"
        )
    return spread(x) / spread(y).to(x.dtype)


def mean_score(discriminator: Model, samples: torch.Tensor) -> torch.Tensor:
    r"""The discriminator's mean output on a batch: :math:`\frac{1}{n} \sum_i D(x_i)`.

    On real data a well-trained discriminator scores near 1, on generated data near 0;
    at the balance a GAN aims for, both are near 0.5. Runs without gradients and leaves
    the discriminator unchanged.

    Args:
        discriminator: Maps ``(n, dim)`` to ``(n, 1)``.
        samples: A batch ``(n, dim)``, ``n >= 1``.

    Returns:
        A 0-d tensor.

    Raises:
        ValueError: If ``samples`` is not ``(n, dim)`` with ``n >= 1``.

    Example:
        >>> import tinygan as tg
        >>> D = tg.mlp([2, 1], generator=torch.Generator().manual_seed(0))
        >>> float(mean_score(D, torch.zeros(3, 2)))
        0.5
    """
    x = _check_samples("samples", samples)
    with torch.no_grad():
        return discriminator(x).mean()
