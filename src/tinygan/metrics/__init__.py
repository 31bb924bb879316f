r"""Health metrics of a GAN: pure functions of tensors, with their formulas.

Notation: ``samples`` is a batch :math:`x \in \mathbb{R}^{n \times d}` (``n`` samples of
``d`` positions); ``low`` and ``high`` are the per-position bounds :math:`l, h \in
\mathbb{R}^d` of the real data (for :class:`tinygan.FuzzyPattern` ``"1010"``: :math:`l =
(0.8, 0, 0.8, 0)`, :math:`h = (1, 0.2, 1, 0.2)`). Every function returns a tensor and
changes nothing: no state, no random numbers.

Together they tell a GAN that imitates the real data from one that only looks right on
average. The post's generator, after its 10,000 iterations, has its mean in the real
ranges (:func:`share_inside` near 1, :func:`centre_distance` a few hundredths) but a
:func:`spread_ratio` near 0.2: whatever its input, it gives nearly the same output.
That is partial mode collapse.

For a :class:`tinygan.GaussianMixture` (the 2-D ring and grid), :func:`mode_coverage`
gives the mode-collapse literature's three numbers: modes captured, the share of
high-quality samples and the reverse KL of the mode histogram.

>>> import torch
>>> x = torch.tensor([[0.9, 0.1], [0.7, 0.1], [0.95, 0.3]])
>>> low, high = torch.tensor([0.8, 0.0]), torch.tensor([1.0, 0.2])
>>> from tinygan.metrics import share_all_inside, share_inside
>>> share_inside(x, low, high)
tensor([0.6667, 0.6667])
>>> share_all_inside(x, low, high)
tensor(0.3333)

Layer: measures, above :mod:`tinygan.protocols` and :mod:`tinygan.data` (whose sources
some measures read); callbacks, sweeps and the CLI import it.
"""

from tinygan.metrics.conditional import ConditionalJudge
from tinygan.metrics.frechet import frechet_distance
from tinygan.metrics.images import ImageJudge
from tinygan.metrics.judges import (
    Judge,
    Verdict,
    check_verdict,
    counts_as_integers,
    default_judge,
    pattern_judge,
    pattern_verdicts,
)
from tinygan.metrics.mixtures import (
    SUCCESS_HIGH_QUALITY,
    ModeCoverage,
    mixture_judge,
    mode_coverage,
)
from tinygan.metrics.neighbours import CoverageDensity, coverage_density, neighbour_radii
from tinygan.metrics.patterns import (
    centre_distance,
    mean_score,
    share_all_inside,
    share_inside,
    spread,
    spread_ratio,
)

__all__ = [
    "ConditionalJudge",
    "SUCCESS_HIGH_QUALITY",
    "CoverageDensity",
    "ImageJudge",
    "Judge",
    "ModeCoverage",
    "Verdict",
    "centre_distance",
    "check_verdict",
    "counts_as_integers",
    "coverage_density",
    "default_judge",
    "frechet_distance",
    "mean_score",
    "mixture_judge",
    "mode_coverage",
    "neighbour_radii",
    "pattern_judge",
    "pattern_verdicts",
    "share_all_inside",
    "share_inside",
    "spread",
    "spread_ratio",
]
