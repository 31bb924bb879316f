r"""Judging generated images: a classifier fitted on the real ones names what each shows.

:class:`ImageJudge` fits a small classifier to labelled real images (once per judge, from
its own seed) and reads generated images through it: which class each one shows and how
sure the classifier is, how the classes are spread, and how far the generated images lie
from the real ones in the classifier's feature space.

The numbers, their formulas and the success rule are in :class:`ImageJudge`.

Two kinds of 2x2 image, bright on the left or on the right: real images pass, images of
one kind only fail.

>>> import torch, tinygan as tg
>>> rng = torch.Generator().manual_seed(0)
>>> labels = torch.arange(200) % 2
>>> left = torch.tensor([1.0, 0.0, 1.0, 0.0])
>>> images = torch.where(labels[:, None] == 0, left, 1 - left) * 0.8
>>> data = tg.ImageData(images + 0.2 * torch.rand(200, 4, generator=rng), labels)
>>> judge = ImageJudge(data)
>>> verdict = judge(data.sample(500, generator=rng), data)
>>> verdict["classes_covered"], verdict["success"]
(2, True)
>>> one_kind = judge(data.images[labels == 0], data)
>>> one_kind["classes_covered"], round(one_kind["reverse_kl"], 3), one_kind["success"]
(1, 0.693, False)
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from tinygan._checks import check_int
from tinygan.data import ImageData
from tinygan.nets import mlp

__all__ = ["ImageJudge", "frechet_distance"]


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


class ImageJudge:
    r"""Judge generated images against labelled real ones, through a fitted classifier.

    The classifier, fitted at the first call and kept on this object, is a small MLP
    ``dim -> hidden -> K`` (ReLU, biases) whose weights come from ``seed``, trained
    full-batch with Adam on every real image (``epochs`` steps, learning rate 0.01):
    deterministic, under a second for scikit-learn's digits on an idle CPU. Its hidden
    layer is the feature space of the Fréchet distance.

    With :math:`K` classes, :math:`p_c` the share of real images of class :math:`c` and
    :math:`q_c` the share of generated images the classifier assigns to class :math:`c`:

    - ``classes_covered``: the number of classes with :math:`q_c > 0`;
    - ``confident_share``: the share of generated images whose most likely class has
      probability at least ``confidence`` (a collapsed or noisy generator draws images
      no class claims);
    - ``reverse_kl`` :math:`= \sum_c q_c \log(q_c / p_c)` in nats, classes with
      :math:`q_c = 0` adding nothing (:math:`0 \log 0 = 0`); it is 0 when the generated
      classes come in the real proportions and :math:`\log(1/p_c)`, about
      :math:`\log 10 \approx 2.3` for ten even classes, when every image shows class
      :math:`c`. Every :math:`p_c > 0` because the classes are the labels that occur;
    - ``frechet_distance`` :math:`= \lVert \mu_r - \mu_g \rVert^2 +
      \operatorname{tr}(\Sigma_r + \Sigma_g - 2 (\Sigma_r^{1/2} \Sigma_g
      \Sigma_r^{1/2})^{1/2})`, between Gaussians fitted to the classifier's hidden features
      of all real images and of the generated ones (the Fréchet inception distance, with
      this small classifier in place of Inception);
    - ``success``: all classes covered, ``reverse_kl <= max_reverse_kl`` (0.1 nats),
      ``confident_share >= min_confident_share`` (half the images read with probability
      at least ``confidence``, 0.9) and ``frechet_distance <= max_frechet_distance``
      (10). For scale, on scikit-learn's digits with the default classifier: 1,000 real
      images drawn with replacement score about 0.005 nats, a confident share of 0.9 and
      a distance of 0.15; the images of one digit class about 2.3 nats and 35; uniform
      noise in ``[0, 1)`` about 66. The rule asks for every digit, in about the real
      proportions, mostly legible, and near the real images as a whole.

    Args:
        real: The real images, with labels.
        seed: Seeds the classifier's weights.
        confidence: The probability at which a classification counts as confident.
        min_confident_share: Success needs at least this share of confident images.
        max_reverse_kl: Success needs the reverse KL (nats) at most this.
        max_frechet_distance: Success needs the Fréchet distance at most this.
        hidden: The classifier's hidden width.
        epochs: The classifier's training steps.

    Raises:
        ValueError: If ``real`` has no labels, or a number is out of range.
    """

    def __init__(
        self,
        real: ImageData,
        *,
        seed: int = 0,
        confidence: float = 0.9,
        min_confident_share: float = 0.5,
        max_reverse_kl: float = 0.1,
        max_frechet_distance: float = 10.0,
        hidden: int = 64,
        epochs: int = 100,
    ) -> None:
        if not isinstance(real, ImageData) or real.labels is None:
            raise ValueError(f"real must be an ImageData with labels, got {real!r}")
        self.real = real
        self.seed = check_int("seed", seed, minimum=0)
        self.confidence = _check_share("confidence", confidence)
        self.min_confident_share = _check_share("min_confident_share", min_confident_share)
        self.max_reverse_kl = _check_positive("max_reverse_kl", max_reverse_kl)
        self.max_frechet_distance = _check_positive("max_frechet_distance", max_frechet_distance)
        self.hidden = check_int("hidden", hidden, minimum=1)
        self.epochs = check_int("epochs", epochs, minimum=1)
        self.classes, targets = torch.unique(real.labels, return_inverse=True)
        self._targets = targets
        self.real_shares = torch.bincount(targets, minlength=len(self.classes)).double()
        self.real_shares /= self.real_shares.sum()
        self._classifier: nn.Sequential | None = None
        self._real_features: torch.Tensor | None = None

    @property
    def classifier(self) -> nn.Sequential:
        """The fitted classifier (fitted at the first use), logits out."""
        if self._classifier is None:
            self._classifier = self._fit()
        return self._classifier

    def _fit(self) -> nn.Sequential:
        x = self.real.images.cpu()
        net = mlp(
            [self.real.dim, self.hidden, len(self.classes)],
            bias=True,
            activation=nn.ReLU,
            output_activation=None,
            generator=torch.Generator().manual_seed(self.seed),
        )
        optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
        loss = nn.CrossEntropyLoss()
        with torch.enable_grad():
            for _ in range(self.epochs):
                optimizer.zero_grad()
                loss(net(x), self._targets).backward()
                optimizer.step()
        net.eval()
        for p in net.parameters():
            p.requires_grad_(False)
        return net

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """The classifier's hidden features of ``images`` ``(n, dim)``: ``(n, hidden)``."""
        net = self.classifier
        with torch.no_grad():
            hidden: torch.Tensor = net[1](net[0](images.detach().float().cpu()))
        return hidden

    def probabilities(self, images: torch.Tensor) -> torch.Tensor:
        """Each image's class probabilities, ``(n, K)``, classes in the order of ``classes``."""
        last = self.classifier[2]
        with torch.no_grad():
            return torch.softmax(last(self.features(images)), dim=1)

    def __call__(self, samples: torch.Tensor, real: Any = None) -> dict[str, float | bool]:
        """Judge ``samples`` (the generator's output, ``(n, dim)``, ``n >= 2``).

        Args:
            samples: Generated images, flattened.
            real: The real source, as every judge is handed it; the judge's own is used
                (pass the same one, or ``None``).

        Returns:
            ``classes_covered``, ``confident_share``, ``reverse_kl``,
            ``frechet_distance`` and ``success``.

        Raises:
            TypeError: If ``samples`` is not a tensor.
            ValueError: If its shape is not ``(n, dim)`` with ``n >= 2``.
        """
        if not isinstance(samples, torch.Tensor):
            raise TypeError(f"samples must be a tensor (n, dim), got {type(samples).__name__}")
        if samples.dim() != 2 or samples.shape[1] != self.real.dim or samples.shape[0] < 2:
            raise ValueError(
                f"samples must have shape (n, {self.real.dim}) with n >= 2, got "
                f"{tuple(samples.shape)}"
            )
        if self._real_features is None:
            self._real_features = self.features(self.real.images)
        probs = self.probabilities(samples).double()
        best, assigned = probs.max(dim=1)
        counts = torch.bincount(assigned, minlength=len(self.classes)).double()
        shares = counts / counts.sum()
        seen = shares > 0
        reverse_kl = float((shares[seen] * (shares[seen] / self.real_shares[seen]).log()).sum())
        covered = int(seen.sum())
        confident = float((best >= self.confidence).double().mean())
        distance = frechet_distance(self._real_features, self.features(samples))
        if not math.isfinite(distance):
            distance = math.inf
        success = (
            covered == len(self.classes)
            and reverse_kl <= self.max_reverse_kl
            and confident >= self.min_confident_share
            and distance <= self.max_frechet_distance
        )
        return {
            "classes_covered": covered,
            "confident_share": confident,
            "reverse_kl": max(reverse_kl, 0.0),
            "frechet_distance": distance,
            "success": success,
        }

    def __repr__(self) -> str:
        return f"ImageJudge({self.real!r}, seed={self.seed})"


def _check_share(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    return float(value)


def _check_positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)
