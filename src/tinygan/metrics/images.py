r"""Judging generated images: a classifier fitted on part of the real ones reads them.

:class:`ImageJudge` holds out part of the real images as a **reference** its classifier
never sees, reads the generated images through the classifier, and compares them with
the reference in its features, as a whole and image by image (``coverage``, ``density``).

Two kinds of 2x2 image, bright on the left or right: real images pass, one kind fails.

>>> import torch, tinygan as tg
>>> rng = torch.Generator().manual_seed(0)
>>> labels = torch.arange(400) % 2
>>> left = torch.tensor([1.0, 0.0, 1.0, 0.0])
>>> images = torch.where(labels[:, None] == 0, left, 1 - left) * 0.8
>>> data = tg.ImageData(images + 0.2 * torch.rand(400, 4, generator=rng), labels)
>>> judge = ImageJudge(data, min_coverage=0.3)
>>> verdict = judge(data.images[judge.fit_index], data)
>>> verdict["classes_covered"], verdict["held_out_accuracy"], verdict["success"]
(2, 1.0, True)
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
from tinygan.metrics import _image_parts as parts
from tinygan.metrics.frechet import frechet_distance
from tinygan.metrics.neighbours import CoverageDensity, coverage_density

__all__ = ["ImageJudge", "frechet_distance"]


class ImageJudge:
    r"""Judge generated images against labelled real ones, through a classifier it fits.

    Each class's real images are shuffled (from ``seed``) and split: a share ``held_out``
    (half) becomes the **reference** (at most ``reference_size`` images), the rest fits
    the classifier (at most ``fit_size``), both in the real class proportions. The
    classifier, fitted at first use, is an MLP ``dim -> hidden -> K`` (ReLU, biases,
    weights from ``seed``) trained full-batch by Adam (``epochs`` steps, learning rate
    0.01): deterministic, under a second on the digits. Its hidden layer is the feature
    space of every distance below.

    With :math:`K` classes, :math:`p_c` the share of real images of class :math:`c` and
    :math:`q_c` the share of generated images the classifier assigns to class :math:`c`:

    - ``classes_covered``: the number of classes with :math:`q_c > 0`;
    - ``confident_share``: the share of generated images whose most likely class has
      probability at least ``confidence``;
    - ``reverse_kl`` :math:`= \sum_c q_c \log(q_c / p_c)` in nats, classes with
      :math:`q_c = 0` adding nothing; 0 when the generated classes come in the real
      proportions, :math:`\log(1/p_c)` (about 2.3 for ten even classes) when every image
      shows class :math:`c`;
    - ``frechet_distance``: :func:`~tinygan.metrics.frechet_distance` between the
      features of the reference and of the generated images (the FID's formula, with
      this classifier in place of Inception);
    - ``coverage`` and ``density``: :func:`~tinygan.metrics.coverage_density` of the
      generated features against the reference's, with ``neighbours`` (:math:`k`, 5)
      nearest neighbours (Naeem et al. 2020): the share of reference images with a
      generated image within the distance of their :math:`k`-th nearest reference
      neighbour (diversity), and how many such neighbourhoods hold each generated image,
      over :math:`k` (fidelity; about 1 for real images);
    - ``worst_class_coverage``: the smallest of the classes' own coverages: each class's
      reference images against the generated images read as that class, radii measured
      within the class (:meth:`diversity`); one class drawn one way only shows here;
    - ``held_out_accuracy``: the classifier's accuracy on the reference, which it never
      saw (about 0.97 on the digits);
    - ``success``: no rule broken (:meth:`reasons`): every class covered,
      ``reverse_kl <= max_reverse_kl``, ``confident_share >= min_confident_share``,
      ``frechet_distance <= max_frechet_distance``, ``coverage >= min_coverage``,
      ``worst_class_coverage >= min_class_coverage``, ``density >= min_density``.

    The thresholds are calibrated on scikit-learn's digits for judgements of 1,000
    images (``coverage`` and ``density`` grow with the number judged): real digits pass,
    and failures made on purpose (noise, blur, a few digits per class repeated, the
    class means) each fail; the table is on the "Part III: digits" page.

    Args:
        real: The real images, with labels.
        seed: Seeds the split and the classifier's weights.
        confidence: The probability at which a classification counts as confident.
        min_confident_share: Success needs at least this share of confident images.
        max_reverse_kl: Success needs the reverse KL (nats) at most this.
        max_frechet_distance: Success needs the Fréchet distance at most this.
        hidden: The classifier's hidden width.
        epochs: The classifier's training steps.
        held_out: The share of each class held out as the reference, in ``(0, 1)``.
        reference_size: The most reference images (but two of each class at least).
        fit_size: The most images the classifier is fitted on.
        neighbours: :math:`k` of ``coverage`` and ``density``.
        min_coverage: Success needs ``coverage`` at least this.
        min_class_coverage: Success needs ``worst_class_coverage`` at least this.
        min_density: Success needs ``density`` at least this.

    Raises:
        ValueError: If ``real`` has no labels, a class has fewer than ``neighbours + 2``
            images (too few to hold out), or a number is out of range.
    """

    counts = ("classes_covered",)
    """The names of the verdict's numbers that are counts (files write them as integers)."""

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
        held_out: float = 0.5,
        reference_size: int = 1000,
        fit_size: int = 10_000,
        neighbours: int = 5,
        min_coverage: float = 0.5,
        min_class_coverage: float = 0.25,
        min_density: float = 0.25,
    ) -> None:
        if not isinstance(real, ImageData) or real.labels is None:
            raise ValueError(f"real must be an ImageData with labels, got {real!r}")
        self.real = real
        self.seed = check_int("seed", seed, minimum=0)
        self.confidence = parts.check_share("confidence", confidence)
        self.min_confident_share = parts.check_share("min_confident_share", min_confident_share)
        self.max_reverse_kl = parts.check_positive("max_reverse_kl", max_reverse_kl)
        self.max_frechet_distance = parts.check_positive(
            "max_frechet_distance", max_frechet_distance
        )
        self.hidden = check_int("hidden", hidden, minimum=1)
        self.epochs = check_int("epochs", epochs, minimum=1)
        self.held_out = parts.check_share("held_out", held_out, open_=True)
        self.neighbours = check_int("neighbours", neighbours, minimum=1)
        self.min_coverage = parts.check_share("min_coverage", min_coverage)
        self.min_class_coverage = parts.check_share("min_class_coverage", min_class_coverage)
        self.min_density = parts.check_nonnegative("min_density", min_density)
        self.classes, targets = torch.unique(real.labels, return_inverse=True)
        counts = torch.bincount(targets, minlength=len(self.classes))
        self.real_shares = counts.double() / counts.sum()
        most_held = check_int("reference_size", reference_size, minimum=self.neighbours + 1)
        self.fit_index, self.reference_index = parts.split_by_class(
            targets,
            len(self.classes),
            held_out=self.held_out,
            most_held=most_held,
            most_fit=check_int("fit_size", fit_size, minimum=1),
            seed=self.seed,
            fewest=self.neighbours + 2,
        )
        self._targets: torch.Tensor = targets
        self._classifier: nn.Sequential | None = None
        self._kept: parts.Reference | None = None
        self._accuracy: float | None = None

    @property
    def classifier(self) -> nn.Sequential:
        """The fitted classifier (fitted at the first use, on the fitting part), logits out."""
        if self._classifier is None:
            self._classifier = parts.fit_classifier(
                self.real.images[self.fit_index].cpu(),
                self._targets[self.fit_index],
                len(self.classes),
                hidden=self.hidden,
                epochs=self.epochs,
                seed=self.seed,
            )
        return self._classifier

    @property
    def reference_targets(self) -> torch.Tensor:
        """The reference images' class indices (positions in ``classes``, the labels in order)."""
        return self._targets[self.reference_index]

    @property
    def held_out_accuracy(self) -> float:
        """The classifier's accuracy on the reference images, which it was not fitted on."""
        if self._accuracy is None:
            read = self.probabilities(self.real.images[self.reference_index]).argmax(dim=1)
            self._accuracy = float((read == self.reference_targets).double().mean())
        return self._accuracy

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """The classifier's hidden features of ``images`` ``(n, dim)``: ``(n, hidden)``."""
        net = self.classifier
        with torch.no_grad():
            hidden: torch.Tensor = net[1](net[0](images.detach().float().cpu()))
        return hidden

    def probabilities(self, images: torch.Tensor) -> torch.Tensor:
        """Each image's class probabilities, ``(n, K)``, classes in the order of ``classes``."""
        return self._read(self.features(images))

    def _read(self, features: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return torch.softmax(self.classifier[2](features), dim=1)

    def _reference(self) -> parts.Reference:
        if self._kept is None:
            found = self.features(self.real.images[self.reference_index])
            self._kept = parts.Reference(
                found, self.reference_targets, self.classes, self.neighbours
            )
        return self._kept

    def _diversity(self, features: torch.Tensor, label: int | None) -> CoverageDensity:
        reference, radii, k = self._reference().of(label)
        if len(features) == 0:
            return CoverageDensity(coverage=0.0, density=0.0)
        return coverage_density(reference, features.double(), neighbours=k, radii=radii)

    def diversity(self, samples: torch.Tensor, label: int | None = None) -> CoverageDensity:
        """Coverage and density of ``samples`` against the reference images of ``label``.

        With ``label=None``, against the whole reference (the verdict's numbers); with a
        label, against that class's reference images alone, their radii measured within
        the class. Pass the images meant to show ``label``: a conditional generator's for
        it, or those the classifier reads as it (as ``worst_class_coverage`` does).

        Args:
            samples: Generated images ``(n, dim)``; none gives coverage and density 0.
            label: A class label (a value of ``real.labels``), or ``None``.

        Returns:
            A :class:`~tinygan.metrics.CoverageDensity`.

        Raises:
            ValueError: If ``label`` is not one of the real labels.
        """
        return self._diversity(self.features(samples), label)

    def __call__(self, samples: torch.Tensor, real: Any = None) -> dict[str, float | bool]:
        """Judge ``samples`` (the generator's output, ``(n, dim)``, ``n >= 2``).

        Args:
            samples: Generated images, flattened.
            real: The real source, as every judge is handed it; the judge's own is used
                (pass the same one, or ``None``).

        Returns:
            ``classes_covered``, ``confident_share``, ``reverse_kl``,
            ``frechet_distance``, ``coverage``, ``density``, ``worst_class_coverage``,
            ``held_out_accuracy`` and ``success``.

        Raises:
            TypeError: If ``samples`` is not a tensor.
            ValueError: If its shape is not ``(n, dim)`` with ``n >= 2``.
        """
        features = self.features(parts.check_samples(samples, self.real.dim))
        best, assigned = self._read(features).double().max(dim=1)
        shares = torch.bincount(assigned, minlength=len(self.classes)).double() / len(samples)
        seen = shares > 0
        reverse_kl = float((shares[seen] * (shares[seen] / self.real_shares[seen]).log()).sum())
        distance = frechet_distance(self._reference().features, features)
        whole = self._diversity(features, None)
        labels = self.classes.tolist()
        worst = min(
            self._diversity(features[assigned == i], c).coverage for i, c in enumerate(labels)
        )
        verdict: dict[str, float | bool] = {
            "classes_covered": int(seen.sum()),
            "confident_share": float((best >= self.confidence).double().mean()),
            "reverse_kl": max(reverse_kl, 0.0),
            "frechet_distance": distance if math.isfinite(distance) else math.inf,
            "coverage": whole.coverage,
            "density": whole.density,
            "worst_class_coverage": worst,
            "held_out_accuracy": self.held_out_accuracy,
        }
        verdict["success"] = not self.reasons(verdict)
        return verdict

    def reasons(self, verdict: dict[str, float | bool]) -> list[str]:
        """The rules of success ``verdict`` breaks, in words (none: success).

        Each reads as the number, the comparison that failed and the threshold, such as
        ``"coverage 0.17 < 0.5"``: the stated reason a verdict fails.
        """
        at_least = {
            "classes_covered": len(self.classes),
            "confident_share": self.min_confident_share,
            "coverage": self.min_coverage,
            "worst_class_coverage": self.min_class_coverage,
            "density": self.min_density,
        }
        at_most = {"reverse_kl": self.max_reverse_kl, "frechet_distance": self.max_frechet_distance}
        return parts.broken_rules(verdict, at_least, at_most)

    def __repr__(self) -> str:
        return f"ImageJudge({self.real!r}, seed={self.seed})"
