"""Mixtures of Gaussians: the 2-D ring and grid on which mode collapse is measured."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from tinygan._checks import check_int, check_positive_float
from tinygan.data._draw import check_generator

__all__ = ["GaussianMixture"]


def _check_means(means: Any) -> torch.Tensor:
    try:
        array = np.asarray(
            means.detach().cpu().numpy() if isinstance(means, torch.Tensor) else means,
            dtype=np.float64,
        )
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"means must be a 2-d array (components, dim) of finite numbers, got {means!r}"
        ) from exc
    if array.ndim != 2 or array.shape[0] < 1 or array.shape[1] < 1:
        raise ValueError(
            "means must be a 2-d array (components, dim) with at least one component and "
            f"one dimension, got an array of shape {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError("means must hold finite numbers only, got a NaN or an infinity")
    return torch.from_numpy(array).to(torch.float32)


def _check_weights(weights: Any, components: int) -> torch.Tensor:
    if weights is None:
        return torch.full((components,), 1.0 / components, dtype=torch.float64)
    try:
        array = np.asarray(
            weights.detach().cpu().numpy() if isinstance(weights, torch.Tensor) else weights,
            dtype=np.float64,
        )
    except (TypeError, ValueError) as exc:
        raise TypeError(f"weights must be a 1-d sequence of numbers, got {weights!r}") from exc
    if array.shape != (components,):
        raise ValueError(
            f"weights must have one entry per component ({components}), got shape {array.shape}"
        )
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(f"weights must be finite and non-negative, got {array.tolist()}")
    if not math.isclose(float(array.sum()), 1.0, rel_tol=0.0, abs_tol=1e-6):
        raise ValueError(f"weights must sum to 1, got a sum of {float(array.sum())!r}")
    return torch.from_numpy(array)


class GaussianMixture:
    r"""A mixture of isotropic Gaussians with one shared standard deviation.

    A sample is drawn by picking component :math:`k` with probability :math:`p_k`
    (``weights``), then adding independent normal noise of standard deviation
    :math:`\sigma` (``std``) to its mean :math:`\mu_k`:
    :math:`x = \mu_k + \sigma \varepsilon,\ \varepsilon \sim \mathcal N(0, I)`.
    Both the components and the noise are drawn from the generator given to
    :meth:`sample`, on its device; the global random state is never touched.

    :meth:`ring` and :meth:`grid` build the two mixtures of the mode-collapse
    literature (VEEGAN, PacGAN); :func:`tinygan.metrics.mode_coverage` measures how many
    of their modes a generator captures.

    Args:
        means: The components' means, a 2-d array ``(K, dim)`` of finite numbers.
        std: The standard deviation of every component (finite, ``> 0``).
        weights: The components' probabilities, ``K`` non-negative numbers summing to 1
            (within 1e-6); equal weights by default.

    Attributes:
        means: The means, a float32 tensor ``(K, dim)``.
        std: The standard deviation.
        weights: The probabilities, a float64 tensor ``(K,)``.
        dim: The dimension of a sample, ``means.shape[1]``.

    Raises:
        TypeError: If ``means``, ``std`` or ``weights`` is not made of numbers.
        ValueError: If ``means`` is not 2-d or not finite, ``std`` is not positive and
            finite, or ``weights`` has the wrong length, a negative entry or a sum other
            than 1.

    Example:
        >>> import torch
        >>> mix = GaussianMixture([[0.0, 0.0], [10.0, 0.0]], 0.1, weights=[0.25, 0.75])
        >>> x = mix.sample(1000, generator=torch.Generator().manual_seed(0))
        >>> share = float((x[:, 0] > 5).float().mean())   # near the weight 0.75
        >>> x.shape, x.dtype, abs(share - 0.75) < 0.05
        (torch.Size([1000, 2]), torch.float32, True)
    """

    def __init__(self, means: Any, std: float, weights: Any = None) -> None:
        self.means: torch.Tensor = _check_means(means)
        self.std: float = check_positive_float("std", std)
        self.weights: torch.Tensor = _check_weights(weights, self.means.shape[0])
        self.dim: int = int(self.means.shape[1])
        cumulative = torch.cumsum(self.weights, 0)
        self._cumulative = cumulative / cumulative[-1]

    @classmethod
    def ring(cls, modes: int = 8, radius: float = 1.0, std: float = 0.01) -> GaussianMixture:
        r"""``modes`` equal components on a circle: the 2-D ring of the PacGAN paper.

        Mode :math:`k` has mean :math:`r(\cos(2\pi k / K), \sin(2\pi k / K))`, so the
        first lies on the positive x axis and they go anticlockwise.

        Args:
            modes: The number of components :math:`K` (``>= 1``).
            radius: The circle's radius :math:`r` (finite, ``> 0``).
            std: Each component's standard deviation (finite, ``> 0``).

        Returns:
            The mixture, with equal weights.

        Raises:
            ValueError: If an argument is out of range.
            TypeError: If an argument is not a number.

        Example:
            >>> (GaussianMixture.ring(4).means + 0.0).tolist()
            [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]]
        """
        k = check_int("modes", modes, minimum=1)
        r = check_positive_float("radius", radius)
        angles = 2.0 * np.pi * np.arange(k) / k
        means = r * np.stack([np.cos(angles), np.sin(angles)], axis=1)
        return cls(np.round(means, 12), std)

    @classmethod
    def grid(cls, side: int = 5, spacing: float = 2.0, std: float = 0.05) -> GaussianMixture:
        """``side * side`` equal components on a square grid centred on the origin.

        The means' coordinates are ``spacing * (i - (side - 1) / 2)`` for
        ``i = 0, ..., side - 1`` on both axes (``-4, -2, 0, 2, 4`` for the defaults: the
        2-D grid of the PacGAN paper), the first coordinate varying slowest.

        Args:
            side: Components per axis (``>= 1``).
            spacing: The distance between neighbouring means (finite, ``> 0``).
            std: Each component's standard deviation (finite, ``> 0``).

        Returns:
            The mixture, with equal weights.

        Raises:
            ValueError: If an argument is out of range.
            TypeError: If an argument is not a number.

        Example:
            >>> GaussianMixture.grid().means[:6].tolist()[::5]
            [[-4.0, -4.0], [-2.0, -4.0]]
        """
        n = check_int("side", side, minimum=1)
        step = check_positive_float("spacing", spacing)
        axis = step * (np.arange(n) - (n - 1) / 2.0)
        xs, ys = np.meshgrid(axis, axis, indexing="ij")
        return cls(np.stack([xs.ravel(), ys.ravel()], axis=1), std)

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """Draw ``n`` samples: a component for each, then its Gaussian noise.

        Args:
            n: How many to draw (``n >= 0``).
            generator: The random number generator to draw from (and whose device the
                draw is made on); ``None`` uses PyTorch's default generator.

        Returns:
            A float32 tensor of shape ``(n, dim)``.
        """
        count = check_int("n", n, minimum=0)
        rng = check_generator(generator)
        device = rng.device if rng is not None else torch.device("cpu")
        u = torch.rand(count, generator=rng, dtype=torch.float64, device=device)
        cumulative = self._cumulative.to(device)
        index = torch.searchsorted(cumulative, u, right=True).clamp_(max=len(cumulative) - 1)
        noise = torch.randn(count, self.dim, generator=rng, dtype=torch.float32, device=device)
        return self.means.to(device)[index] + self.std * noise

    def __repr__(self) -> str:
        means = self.means.tolist()
        weights: Sequence[float] = self.weights.tolist()
        equal = bool(torch.all(self.weights == self.weights[0]))
        tail = "" if equal else f", weights={weights}"
        shown = means if len(means) <= 4 else f"<{len(means)} means of dim {self.dim}>"
        return f"GaussianMixture({shown}, std={self.std}{tail})"
