r"""Penalties on the discriminator's gradient with respect to its input.

- :func:`gradient_penalty` (Gulrajani et al. 2017):
  :math:`\mathbb{E}_{\hat x}(\lVert\nabla_{\hat x} D(\hat x)\rVert_2 - 1)^2` with
  :math:`\hat x = \epsilon x + (1 - \epsilon)\tilde x`, :math:`\epsilon \sim U[0, 1)` per
  pair of a real :math:`x` and a generated :math:`\tilde x`;
- :func:`r1_penalty` (Mescheder et al. 2018):
  :math:`\mathbb{E}_x \lVert\nabla_x D(x)\rVert_2^2` on real samples, and :class:`R1`,
  which adds :math:`\tfrac{\gamma}{2}` times it to any objective's real step.

Both keep the graph (``create_graph``), so D's step differentiates through them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from tinygan.objectives.base import LeastSquares, Objective, check_weight

__all__ = ["R1", "gradient_penalty", "r1_penalty"]


def _input_gradient(
    discriminator: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor
) -> torch.Tensor:
    """``d sum(D(x)) / dx``, one row per sample, with the graph kept."""
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(discriminator(x).sum(), x, create_graph=True)
    return grad.reshape(grad.shape[0], -1)


def gradient_penalty(
    discriminator: Callable[[torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """The mean of ``(||grad D(x_hat)|| - 1)^2`` between ``real`` and ``fake`` (same shape).

    Each ``x_hat`` lies at a uniform point between a real sample and the generated one
    beside it (one draw per pair, from ``generator``). The score of a sample must depend
    on that sample alone (not on a pack or a batch statistic).

    Example:
        >>> import torch
        >>> critic = torch.nn.Linear(2, 1, bias=False)
        >>> with torch.no_grad():
        ...     _ = critic.weight.copy_(torch.tensor([[3.0, 4.0]]))  # gradient norm 5
        >>> from tinygan.objectives import gradient_penalty
        >>> gradient_penalty(critic, torch.zeros(4, 2), torch.ones(4, 2)).item()
        16.0
    """
    if real.shape != fake.shape:
        raise ValueError(f"real {tuple(real.shape)} and fake {tuple(fake.shape)} must match")
    eps = torch.rand(real.shape[0], 1, generator=generator, device=real.device)
    mixed = eps * real.detach() + (1.0 - eps) * fake.detach()
    grad = _input_gradient(discriminator, mixed)
    penalty: torch.Tensor = ((grad.norm(dim=1) - 1.0) ** 2).mean()
    return penalty


def r1_penalty(
    discriminator: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor
) -> torch.Tensor:
    """The mean over real samples of ``||grad D(x)||^2``.

    Example:
        >>> import torch
        >>> critic = torch.nn.Linear(2, 1, bias=False)
        >>> with torch.no_grad():
        ...     _ = critic.weight.copy_(torch.tensor([[3.0, 4.0]]))
        >>> from tinygan.objectives import r1_penalty
        >>> r1_penalty(critic, torch.randn(5, 2)).item()
        25.0
    """
    grad = _input_gradient(discriminator, real)
    return grad.pow(2).sum(dim=1).mean()


@dataclass(frozen=True)
class R1(Objective):
    r"""Any objective, with ``gamma / 2`` times the R1 penalty on D's real steps.

    A real step is one whose target is at least 0.5 (1, or a smoothed 0.9).

    Args:
        objective: The objective it adds to (the post's least squares by default); an
            :class:`Objective`, so a name goes through :func:`tinygan.objectives.get`.
        gamma: :math:`\gamma` (10 is common), a finite number ``>= 0``.

    Raises:
        TypeError: If ``objective`` is not an :class:`Objective` or ``gamma`` not a
            real number.
        ValueError: If ``gamma`` is negative or not finite.

    Example:
        >>> from tinygan.objectives import R1, Hinge
        >>> R1(Hinge(), gamma=1.0).name
        'hinge+r1'
    """

    objective: Objective = field(default_factory=LeastSquares)
    gamma: float = 10.0

    def __post_init__(self) -> None:
        if not isinstance(self.objective, Objective):
            raise TypeError(
                "R1: objective must be a tinygan.objectives.Objective (use "
                f"tinygan.objectives.get(name) for a name), got {self.objective!r}"
            )
        check_weight(self, "gamma", self.gamma)

    @property
    def name(self) -> str:  # type: ignore[override]
        """The objective's name with ``+r1``."""
        return f"{self.objective.name}+r1"

    def d_loss(self, scores: torch.Tensor, target: float | torch.Tensor) -> torch.Tensor:
        """The objective's."""
        return self.objective.d_loss(scores, target)

    def g_loss(self, scores: torch.Tensor, target: float | torch.Tensor = 1.0) -> torch.Tensor:
        """The objective's."""
        return self.objective.g_loss(scores, target)

    def chance_loss(self, logits: bool | None = None) -> float:
        """The objective's (see :meth:`Objective.chance_loss`)."""
        return self.objective.chance_loss(logits)

    def d_penalty(
        self,
        discriminator: Callable[[torch.Tensor], torch.Tensor],
        inputs: torch.Tensor,
        target: float | torch.Tensor,
        real: torch.Tensor | None,
        generator: torch.Generator | None,
    ) -> torch.Tensor | None:
        """The objective's own penalty, plus ``gamma / 2`` R1 on a real batch."""
        own = self.objective.d_penalty(discriminator, inputs, target, real, generator)
        if float(torch.as_tensor(target).float().mean()) < 0.5 or self.gamma == 0:
            return own  # not a batch D should call real
        r1 = 0.5 * self.gamma * r1_penalty(discriminator, inputs)
        return r1 if own is None else own + r1
