"""Judging a conditional generator: does each image show the label it was asked for?

:class:`ConditionalJudge` extends an :class:`~tinygan.metrics.ImageJudge` to images drawn
for chosen labels. Its classifier (fitted on part of the real images, its accuracy on the
held-out rest in every verdict) reads each image; ``label_accuracy`` is the share read as
the label it was drawn for. Each label's images are also compared with that label's real
reference images alone (coverage and density), so a generator that draws one good image
per label, or the label's average, fails.

Four kinds of 2x2 image; each drawn for its own label passes, drawn for a label chosen
at random fails:

>>> import torch, tinygan as tg
>>> from tinygan.metrics import ImageJudge
>>> rng = torch.Generator().manual_seed(0)
>>> labels = torch.arange(800) % 4
>>> images = torch.eye(4)[labels] * 0.8 + 0.2 * torch.rand(800, 4, generator=rng)
>>> data = tg.ImageData(images, labels)
>>> judge = ConditionalJudge(ImageJudge(data, min_coverage=0.3))
>>> drawn = judge.judge.fit_index
>>> verdict = judge(data.images[drawn], labels[drawn])
>>> verdict["label_accuracy"], verdict["success"]
(1.0, True)
>>> shuffled = labels[drawn][torch.randperm(len(drawn), generator=rng)]
>>> verdict = judge(data.images[drawn], shuffled)
>>> verdict["label_accuracy"] < 0.4, verdict["success"]
(True, False)
"""

from __future__ import annotations

from typing import Any

import torch

from tinygan.metrics import _image_parts as parts
from tinygan.metrics.images import ImageJudge

__all__ = ["ConditionalJudge"]


class ConditionalJudge:
    r"""Judge images drawn for requested labels, through an image judge's classifier.

    For generated images :math:`x_i` drawn for labels :math:`y_i`, and the classifier's
    reading :math:`\hat y(x)`:

    - ``label_accuracy`` :math:`= \frac1n \sum_i [\hat y(x_i) = y_i]`: the share read as
      the label asked for. Read it beside ``held_out_accuracy``, the classifier's
      accuracy on real images it never saw (about 0.97 on the digits): real images drawn
      for their own labels score about that, a generator that ignores its label about
      one over the number of classes;
    - for each label ``c``: ``label_c_accuracy``, and ``label_c_coverage`` and
      ``label_c_density`` (:meth:`ImageJudge.diversity
      <tinygan.metrics.ImageJudge.diversity>`: the images drawn for ``c`` against the
      real reference images of ``c``); ``worst_label_accuracy`` and
      ``worst_label_coverage`` are the smallest;
    - the image judge's own numbers on all the images together (``coverage``,
      ``density``, ``frechet_distance``, ...), under their own names;
    - ``success``: ``label_accuracy >= min_label_accuracy``, every label's coverage at
      least ``min_label_coverage``, and the image judge's success on all the images.

    The rules are calibrated on real images and failures made on purpose (real images
    under shuffled or shifted labels, one real image per label repeated, each label's
    mean image): real images pass, each failure fails (the tests under
    ``tests/metrics``).

    Args:
        judge: The image judge whose classifier and reference are used.
        min_label_accuracy: Success needs ``label_accuracy`` at least this.
        min_label_coverage: Success needs every label's coverage at least this; by
            default the image judge's ``min_class_coverage``.

    Raises:
        TypeError: If ``judge`` is not an :class:`~tinygan.metrics.ImageJudge`.
        ValueError: If a threshold is not in ``[0, 1]``.
    """

    def __init__(
        self,
        judge: ImageJudge,
        *,
        min_label_accuracy: float = 0.9,
        min_label_coverage: float | None = None,
    ) -> None:
        if not isinstance(judge, ImageJudge):
            raise TypeError(f"judge must be a tinygan.metrics.ImageJudge, got {judge!r}")
        self.judge = judge
        self.min_label_accuracy = parts.check_share("min_label_accuracy", min_label_accuracy)
        if min_label_coverage is None:
            min_label_coverage = judge.min_class_coverage
        self.min_label_coverage = parts.check_share("min_label_coverage", min_label_coverage)
        self.labels: list[int] = [int(c) for c in judge.classes]

    @property
    def counts(self) -> tuple[str, ...]:
        """The names of the verdict's numbers that are counts (files write them as integers)."""
        return tuple(getattr(self.judge, "counts", ()))

    def _check_labels(self, labels: Any, n: int) -> torch.Tensor:
        if not isinstance(labels, torch.Tensor) or labels.dtype.is_floating_point:
            raise TypeError(f"labels must be an integer tensor (n,), got {labels!r}")
        if labels.shape != (n,):
            raise ValueError(
                f"labels must have one entry per sample, shape ({n},), got {tuple(labels.shape)}"
            )
        asked = set(labels.tolist())
        missing = [c for c in self.labels if c not in asked]
        unknown = sorted(asked - set(self.labels))
        if unknown or missing:
            raise ValueError(
                f"labels must ask for every real label {self.labels} and no other; "
                f"{'unknown ' + str(unknown) if unknown else 'never asked for ' + str(missing)}"
            )
        return labels.cpu().to(torch.int64)

    def __call__(self, samples: torch.Tensor, labels: torch.Tensor) -> dict[str, float | bool]:
        """Judge ``samples`` ``(n, dim)``, sample ``i`` drawn for ``labels[i]``.

        Args:
            samples: Generated images, flattened (at least two).
            labels: The label each was drawn for; every real label must be asked for.

        Returns:
            ``label_accuracy``, ``worst_label_accuracy``, ``worst_label_coverage``, the
            ``label_c_*`` numbers of every label ``c``, the image judge's numbers on all
            the samples, and ``success``.

        Raises:
            TypeError: If ``samples`` or ``labels`` is not a tensor of the right kind.
            ValueError: If the shapes do not fit or a label is missing or unknown.
        """
        samples = parts.check_samples(samples, self.judge.real.dim).detach().cpu()
        wanted = self._check_labels(labels, samples.shape[0])
        read = self.judge.classes[self.judge.probabilities(samples).argmax(dim=1)]
        right = (read == wanted).double()
        verdict: dict[str, float | bool] = {"label_accuracy": float(right.mean())}
        accuracies, coverages = [], []
        for c in self.labels:
            mine = wanted == c
            diversity = self.judge.diversity(samples[mine], c)
            accuracies.append(float(right[mine].mean()))
            coverages.append(diversity.coverage)
            verdict[f"label_{c}_accuracy"] = accuracies[-1]
            verdict[f"label_{c}_coverage"] = diversity.coverage
            verdict[f"label_{c}_density"] = diversity.density
        verdict["worst_label_accuracy"] = min(accuracies)
        verdict["worst_label_coverage"] = min(coverages)
        pooled = self.judge(samples)
        verdict.update({k: v for k, v in pooled.items() if k != "success"})
        verdict["images_success"] = bool(pooled["success"])
        verdict["success"] = not self.reasons(verdict)
        return verdict

    def reasons(self, verdict: dict[str, float | bool]) -> list[str]:
        """The rules of success ``verdict`` breaks, in words (none: success)."""
        broken = parts.broken_rules(
            verdict,
            {
                "label_accuracy": self.min_label_accuracy,
                "worst_label_coverage": self.min_label_coverage,
            },
            {},
        )
        if not verdict["images_success"]:
            pooled = {k: v for k, v in verdict.items() if not k.startswith("label")}
            broken += [f"images.{why}" for why in self.judge.reasons(pooled)]
        return broken

    def __repr__(self) -> str:
        return f"ConditionalJudge({self.judge!r}, min_label_accuracy={self.min_label_accuracy})"
