r"""The objectives people reach for when a GAN collapses or stalls.

With :math:`D(x)` the discriminator's score (a probability for the cross-entropy
objectives, unless ``logits=True``; any real number for hinge and Wasserstein):

- :class:`NonSaturating` (Goodfellow et al. 2014, the practical version):
  :math:`L_D = -\mathbb{E}\log D(x) - \mathbb{E}\log(1 - D(G(z)))`,
  :math:`L_G = -\mathbb{E}\log D(G(z))`;
- :class:`Minimax` (the same paper's game as written): the same :math:`L_D`,
  :math:`L_G = \mathbb{E}\log(1 - D(G(z)))`, which saturates while D wins;
- :class:`Hinge` (Lim and Ye 2017; Miyato et al. 2018):
  :math:`L_D = \mathbb{E}\max(0, 1 - D(x)) + \mathbb{E}\max(0, 1 + D(G(z)))`,
  :math:`L_G = -\mathbb{E}D(G(z))`;
- :class:`WGANGP` (Gulrajani et al. 2017): :math:`L_D = \mathbb{E}D(G(z)) - \mathbb{E}D(x)
  + \lambda\,\mathbb{E}(\lVert\nabla_{\hat x} D(\hat x)\rVert_2 - 1)^2`, :math:`\hat x`
  uniformly between a real and a generated sample, :math:`L_G = -\mathbb{E}D(G(z))`.

tinygan takes D's real and generated halves as two steps, real first, as the post does;
a penalty joins the step whose samples it needs (the gradient penalty the generated
step, which sees the iteration's real batch too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.nn import functional

from tinygan.objectives.base import (
    Objective,
    TargetLoss,
    check_logits,
    check_name,
    check_weight,
    scalar_target,
    target_like,
)
from tinygan.objectives.penalties import gradient_penalty

__all__ = ["WGANGP", "Hinge", "Minimax", "NonSaturating"]


def _bce(scores: torch.Tensor, target: float | torch.Tensor, logits: bool) -> torch.Tensor:
    tgt = target_like(scores, target)
    if logits:
        return functional.binary_cross_entropy_with_logits(scores, tgt)
    return functional.binary_cross_entropy(scores, tgt)


@dataclass(frozen=True)
class NonSaturating(TargetLoss):
    """Binary cross-entropy against 1 (real, and G's samples) and 0 (generated).

    This is ``loss=functional.binary_cross_entropy`` of earlier tinygan: the fused and
    native backends serve it on probabilities (``logits=False``).

    Args:
        logits: D's scores are logits (no sigmoid at its end): the loss takes
            :func:`~torch.nn.functional.binary_cross_entropy_with_logits`
            (a ``bool``; anything else raises :class:`TypeError`).

    Example:
        >>> import math, torch
        >>> from tinygan.objectives import NonSaturating
        >>> round(float(NonSaturating().g_loss(torch.tensor([[0.5]]))), 4) == round(math.log(2), 4)
        True
    """

    logits: bool = False
    name: str = "non-saturating"

    def __post_init__(self) -> None:
        check_logits(self, self.logits)
        check_name(self, self.name)
        bce = functional.binary_cross_entropy
        if self.logits:
            bce = functional.binary_cross_entropy_with_logits
        object.__setattr__(self, "loss", bce)


@dataclass(frozen=True)
class Minimax(Objective):
    """The original GAN game: D's cross-entropy, and G minimises ``E log(1 - D(G(z)))``.

    Args:
        logits: D's scores are logits (no sigmoid at its end); a ``bool``, anything else
            raises :class:`TypeError`.
    """

    logits: bool = False
    name: str = "minimax"

    def __post_init__(self) -> None:
        check_logits(self, self.logits)
        check_name(self, self.name)

    def d_loss(self, scores: torch.Tensor, target: float | torch.Tensor) -> torch.Tensor:
        """Binary cross-entropy of ``scores`` against ``target``."""
        return _bce(scores, target, self.logits)

    def g_loss(self, scores: torch.Tensor, target: float | torch.Tensor = 1.0) -> torch.Tensor:
        """Minus D's cross-entropy against the other label: ``E log(1 - D)`` for target 1."""
        other = 1.0 - target_like(scores, target)
        return -_bce(scores, other, self.logits)


@dataclass(frozen=True)
class Hinge(Objective):
    """The hinge loss: D pushes real scores above 1 and generated ones below -1."""

    name: str = "hinge"

    def __post_init__(self) -> None:
        check_name(self, self.name)

    def d_loss(self, scores: torch.Tensor, target: float | torch.Tensor) -> torch.Tensor:
        """``E max(0, 1 - D(x))`` for real batches, ``E max(0, 1 + D(x))`` for generated."""
        sign = 1.0 if scalar_target(self.name, target) else -1.0
        return torch.relu(1.0 - sign * scores).mean()

    def g_loss(self, scores: torch.Tensor, target: float | torch.Tensor = 1.0) -> torch.Tensor:
        """``-E D(G(z))``."""
        scalar_target(self.name, target)
        return -scores.mean()


@dataclass(frozen=True)
class WGANGP(Objective):
    r"""The Wasserstein critic with a gradient penalty (weight ``gp``, 10 in the paper).

    Args:
        gp: The penalty's weight :math:`\lambda`, a finite number ``>= 0``.

    Raises:
        TypeError: If ``gp`` is not a real number.
        ValueError: If ``gp`` is negative or not finite.
    """

    gp: float = 10.0
    name: str = "wgan-gp"

    def __post_init__(self) -> None:
        check_weight(self, "gp", self.gp)
        check_name(self, self.name)

    def d_loss(self, scores: torch.Tensor, target: float | torch.Tensor) -> torch.Tensor:
        """``-E D(x)`` for real batches, ``E D(x)`` for generated ones."""
        return -scores.mean() if scalar_target(self.name, target) else scores.mean()

    def g_loss(self, scores: torch.Tensor, target: float | torch.Tensor = 1.0) -> torch.Tensor:
        """``-E D(G(z))``."""
        scalar_target(self.name, target)
        return -scores.mean()

    def d_penalty(
        self,
        discriminator: Callable[[torch.Tensor], torch.Tensor],
        inputs: torch.Tensor,
        target: float | torch.Tensor,
        real: torch.Tensor | None,
        generator: torch.Generator | None,
    ) -> torch.Tensor | None:
        """``gp`` times the gradient penalty, on the generated step (with its real batch)."""
        if scalar_target(self.name, target) or self.gp == 0:
            return None
        if real is None:
            raise ValueError(
                "wgan-gp's gradient penalty needs the iteration's real batch: train D on a "
                "real batch (target 1) before the generated one (target 0)"
            )
        return self.gp * gradient_penalty(discriminator, real, inputs, generator=generator)
