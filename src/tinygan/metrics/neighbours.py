r"""Fidelity and diversity by nearest neighbours: ``coverage`` and ``density``.

Naeem, Oh, Uh, Choi and Yoo (2020), "Reliable Fidelity and Diversity Metrics for
Generative Models" (ICML), compare generated samples with real ones through balls around
the real samples: the ball of real sample :math:`r_i` has as its radius the distance to
its :math:`k`-th nearest real neighbour. Generated samples inside many balls are
faithful (``density``); real samples whose ball holds a generated sample are covered
(``coverage``). Unlike precision and recall (Kynkäänniemi et al. 2019), which draw balls
around the generated samples too, neither number is fooled by a few generated outliers
or by repeated samples: a generator that repeats a few real images covers only the real
samples near those few.

The functions work on feature vectors of any width; :class:`~tinygan.metrics.ImageJudge`
hands them its classifier's features.

>>> import torch
>>> real = torch.tensor([[0.0], [1.0], [10.0], [11.0]])
>>> cover = coverage_density(real, torch.tensor([[-0.5], [-0.25]]), neighbours=1)
>>> cover.coverage, cover.density
(0.25, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from tinygan._checks import check_int

__all__ = ["CoverageDensity", "coverage_density", "neighbour_radii"]


@dataclass(frozen=True)
class CoverageDensity:
    """What :func:`coverage_density` measured.

    Attributes:
        coverage: The share of real samples whose ball holds at least one generated
            sample, in ``[0, 1]``.
        density: The mean number of real balls a generated sample lies in, divided by
            ``k``; about 1 for samples distributed as the real ones, more where they
            crowd the densest real regions, 0 for samples far from every real one.
    """

    coverage: float
    density: float


def _check_features(name: str, x: object, least: int) -> torch.Tensor:
    if not isinstance(x, torch.Tensor) or x.dim() != 2 or x.shape[0] < least:
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"{name} must be features (n, width) with n >= {least}, got {shape}")
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} must be finite, got a NaN or an infinity")
    return x.detach().to("cpu", torch.float64)


def neighbour_radii(real: torch.Tensor, neighbours: int = 5) -> torch.Tensor:
    """Each real sample's distance to its ``neighbours``-th nearest other real sample.

    Euclidean distances in float64; a sample is not its own neighbour, but an equal
    sample elsewhere in ``real`` is one (at distance 0).

    Args:
        real: Features ``(n, width)``, ``n > neighbours``.
        neighbours: :math:`k`.

    Returns:
        The radii, float64 ``(n,)``.

    Raises:
        ValueError: If ``real`` is not such features or ``neighbours`` is below 1.

    Example:
        >>> import torch
        >>> neighbour_radii(torch.tensor([[0.0], [1.0], [3.0]]), 1).tolist()
        [1.0, 1.0, 2.0]
    """
    k = check_int("neighbours", neighbours, minimum=1)
    x = _check_features("real", real, k + 1)
    distances = torch.cdist(x, x)
    distances.fill_diagonal_(torch.inf)
    return distances.kthvalue(k, dim=1).values


def coverage_density(
    real: torch.Tensor,
    fake: torch.Tensor,
    *,
    neighbours: int = 5,
    radii: torch.Tensor | None = None,
) -> CoverageDensity:
    r"""Naeem et al.'s coverage and density of generated samples against real ones.

    With real samples :math:`r_1, \dots, r_n`, generated samples :math:`f_1, \dots, f_m`,
    :math:`\rho_i` the distance from :math:`r_i` to its :math:`k`-th nearest other real
    sample (:func:`neighbour_radii`) and :math:`B_i` the closed ball of radius
    :math:`\rho_i` around :math:`r_i`:

    - ``coverage`` :math:`= \frac1n \sum_i [\,\exists j: f_j \in B_i\,]`, the share of
      real samples with a generated sample in their ball: how much of the real data the
      generator reaches (diversity);
    - ``density`` :math:`= \frac{1}{km} \sum_j \sum_i [\,f_j \in B_i\,]`, how many real
      balls hold each generated sample, over :math:`k`: how close the generated samples
      lie to the real ones (fidelity).

    Both grow with :math:`m`: compare judgements made on equally many samples.

    Args:
        real: Real features ``(n, width)``, ``n > neighbours``.
        fake: Generated features ``(m, width)``, ``m >= 1``.
        neighbours: :math:`k` (the paper recommends 5).
        radii: The real samples' radii, if already computed (as
            :func:`neighbour_radii` gives them), to save computing them again.

    Returns:
        A :class:`CoverageDensity`.

    Raises:
        ValueError: If the features are not 2-d and finite, their widths differ, there
            are too few, or ``radii`` does not fit.

    Example:
        >>> import torch
        >>> real = torch.tensor([[0.0], [1.0], [2.0], [10.0]])
        >>> coverage_density(real, real[:1].repeat(5, 1), neighbours=1)
        CoverageDensity(coverage=0.5, density=2.0)
    """
    k = check_int("neighbours", neighbours, minimum=1)
    r = _check_features("real", real, k + 1)
    f = _check_features("fake", fake, 1)
    if r.shape[1] != f.shape[1]:
        raise ValueError(
            f"real and fake must have the same width, got {r.shape[1]} and {f.shape[1]}"
        )
    if radii is None:
        radii = neighbour_radii(r, k)
    elif radii.shape != (r.shape[0],):
        raise ValueError(
            f"radii must have one entry per real sample ({r.shape[0]}), got {tuple(radii.shape)}"
        )
    inside = torch.cdist(f, r) <= radii.to(torch.float64)[None, :]  # (m, n)
    coverage = float(inside.any(dim=0).double().mean())
    density = float(inside.double().sum() / (k * f.shape[0]))
    return CoverageDensity(coverage=coverage, density=density)
