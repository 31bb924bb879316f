"""Judges: a trained generator's samples in, named numbers out, ``"success"`` among them.

A judge is any function ``judge(samples, real) -> Mapping[str, float | bool]``. It sees
the generator's output on a sweep's fixed evaluation inputs (a tensor ``(n, dim)``) and
the real data source, and returns named numbers; ``"success"`` (a bool) says whether the
generator did what the data asks. Sweeps write one column per name into ``seeds.csv``
and summarise each over the seeds; ``tinygan train --out DIR`` writes them into
``DIR/summary.json``.

Each of tinygan's data sources brings a default judge (:func:`default_judge`); a data
source of a user's own may bring one too, as a method ``judge(samples)`` returning the
same kind of mapping. Any other judge is passed as ``judge=``.

>>> import torch, tinygan as tg
>>> from tinygan.metrics import default_judge
>>> real = tg.FuzzyPattern("10")
>>> verdict = default_judge(real)(torch.tensor([[0.9, 0.1], [0.85, 0.05]]), real)
>>> verdict["success"], verdict["distance"]
(True, 0.0)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch

from tinygan.data import FuzzyPattern, GaussianMixture, ImageData
from tinygan.metrics.images import ImageJudge
from tinygan.metrics.mixtures import mixture_judge

__all__ = [
    "Judge",
    "Verdict",
    "check_verdict",
    "counts_as_integers",
    "default_judge",
    "pattern_judge",
    "pattern_verdicts",
]

Verdict = dict[str, float | bool]
"""What a judge returns, once checked: names to numbers, ``"success"`` a bool."""

Judge = Callable[[torch.Tensor, Any], Mapping[str, float | bool]]
"""The type of a judge: ``judge(samples, real) -> Mapping[str, float | bool]``."""


def _as_array(samples: object) -> np.ndarray:
    if not isinstance(samples, torch.Tensor) or samples.dim() != 2:
        shape = tuple(samples.shape) if isinstance(samples, torch.Tensor) else samples
        raise TypeError(f"samples must be a tensor of shape (n, dim), got {shape!r}")
    return samples.detach().double().cpu().numpy()


def pattern_judge(samples: torch.Tensor, real: FuzzyPattern) -> Verdict:
    r"""Judge samples against a :class:`~tinygan.FuzzyPattern`: is their mean in range?

    With samples :math:`x \in \mathbb{R}^{n \times L}` and the pattern's ranges
    :math:`[l_j, h_j]`:

    - ``mean_j`` :math:`= \bar x_j`, the mean output at position :math:`j` (1-based);
    - ``spread_j`` :math:`= \sqrt{\frac1n \sum_i (x_{ij} - \bar x_j)^2}`, its standard
      deviation (fuzzy real data has about 0.058; much less means mode collapse);
    - ``distance`` :math:`= \max_j \max(l_j - \bar x_j,\ \bar x_j - h_j,\ 0)`, how far the
      mean lies outside the ranges at the worst position;
    - ``success``: the mean lies inside its range at every position (``distance == 0``).

    Args:
        samples: The generator's output, shape ``(n, L)``.
        real: The pattern.

    Returns:
        ``{"mean_1": ..., "mean_L": ..., "spread_1": ..., "spread_L": ..., "distance": ...,
        "success": ...}``, in that order.

    Raises:
        TypeError: If ``samples`` is not a 2-d tensor.
        ValueError: If its width is not the pattern's length.
    """
    out = _as_array(samples)
    if out.shape[1] != real.dim:
        raise ValueError(f"samples have {out.shape[1]} positions but the pattern has {real.dim}")
    return pattern_verdicts(out[None], real)[0]


def pattern_verdicts(outputs: np.ndarray, real: FuzzyPattern) -> list[Verdict]:
    """:func:`pattern_judge` of many generators' samples at once, with the same numbers.

    ``pattern_judge(x, real)`` is ``pattern_verdicts(x[None], real)[0]``: each
    generator's numbers come from the same reductions over its own samples, so they do
    not depend on the others.

    Args:
        outputs: The generators' samples, a float64 array ``(K, n, L)``.
        real: The pattern.

    Returns:
        One verdict per generator, as :func:`pattern_judge` returns it.
    """
    lower = np.array([lo for lo, _ in real.ranges])
    upper = np.array([hi for _, hi in real.ranges])
    means = outputs.mean(axis=1)
    spreads = outputs.std(axis=1)
    outside = np.maximum(np.maximum(lower - means, means - upper), 0.0).max(axis=1)
    inside = np.all((means >= lower) & (means <= upper), axis=1)
    names = [f"mean_{j + 1}" for j in range(outputs.shape[2])]
    names += [f"spread_{j + 1}" for j in range(outputs.shape[2])]
    verdicts: list[Verdict] = []
    for row, distance, success in zip(
        np.concatenate([means, spreads], axis=1).tolist(),
        outside.tolist(),
        inside.tolist(),
        strict=True,
    ):
        verdict: Verdict = dict(zip(names, row, strict=True))
        verdict["distance"] = distance
        verdict["success"] = bool(success)
        verdicts.append(verdict)
    return verdicts


def _own_judge(real: Any) -> Judge:
    method = real.judge

    def judge(samples: torch.Tensor, source: Any) -> Mapping[str, float | bool]:
        return method(samples)  # type: ignore[no-any-return]

    return judge


def default_judge(real: Any) -> Judge:
    """The judge a sweep uses for ``real`` when it is given none.

    Args:
        real: A data source: a :class:`~tinygan.FuzzyPattern` (:func:`pattern_judge`), a
            :class:`~tinygan.GaussianMixture`
            (:func:`~tinygan.metrics.mixture_judge`), an :class:`~tinygan.ImageData`
            with labels (a new :class:`~tinygan.metrics.ImageJudge`, which fits its
            classifier once and keeps it), or any source with a method ``judge(samples)``.

    Returns:
        A judge, ``judge(samples, real) -> Mapping[str, float | bool]``.

    Raises:
        TypeError: If tinygan has no judge for ``real``: pass one as ``judge=``.
    """
    if isinstance(real, FuzzyPattern):
        return pattern_judge
    if isinstance(real, GaussianMixture):
        return mixture_judge
    if isinstance(real, ImageData) and real.labels is not None:
        return ImageJudge(real)
    if callable(getattr(real, "judge", None)):
        return _own_judge(real)
    raise TypeError(
        f"there is no default judge for {type(real).__name__}: pass judge=..., a function "
        "judge(samples, real) returning named numbers with 'success' among them"
    )


def check_verdict(verdict: object, judge: object = None) -> Verdict:
    """Check what a judge returned and make it plain: names to floats, ``success`` a bool.

    Names must be non-empty strings without commas, quotes or line breaks (they become
    CSV columns), and neither ``"seed"`` nor ``"d_loss"`` (a sweep's own columns); values
    must be real numbers or bools; ``"success"`` must be there.
    Integers become floats, NumPy and tensor scalars become Python numbers.

    Args:
        verdict: The judge's return value.
        judge: The judge, to name in error messages.

    Returns:
        The checked verdict, in the judge's order.

    Raises:
        TypeError: If it is not such a mapping.
        ValueError: If ``"success"`` is missing or a name cannot be a column.
    """
    who = getattr(judge, "__name__", None) or ("the judge" if judge is None else repr(judge))
    if not isinstance(verdict, Mapping):
        raise TypeError(f"{who} must return a mapping of names to numbers, got {verdict!r}")
    checked: Verdict = {}
    for name, value in verdict.items():
        if not isinstance(name, str) or not name or any(c in name for c in ',"\n\r'):
            raise ValueError(f"{who} returned the name {name!r}: names become CSV columns")
        if name in ("seed", "d_loss"):
            raise ValueError(
                f"{who} returned the name {name!r}, which a sweep's seeds.csv and summary.json "
                "give their own column: name it otherwise"
            )
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            value = value.item()
        if isinstance(value, (bool, np.bool_)):
            checked[name] = bool(value)
        elif isinstance(value, numbers.Real):
            checked[name] = float(value)
        else:
            raise TypeError(f"{who} returned {name}={value!r}: values must be numbers or bools")
    if "success" not in checked:
        raise ValueError(f"{who} must return 'success' among its numbers, got {sorted(checked)}")
    success = checked["success"]
    if not isinstance(success, bool):
        if success not in (0.0, 1.0) or math.isnan(success):
            raise ValueError(f"{who} returned success={success!r}: it must be a bool")
        checked["success"] = bool(success)
    return checked


def counts_as_integers(verdict: Mapping[str, float | bool], judge: object) -> dict[str, Any]:
    """A checked verdict with the judge's counts as integers again, as files write them.

    :func:`check_verdict` makes every number a float; a judge that names some of its
    numbers as counts, in an attribute ``counts`` (such as
    :attr:`ImageJudge.counts <tinygan.metrics.ImageJudge.counts>`), gets those back as
    ``int`` here, so that ``summary.json`` says ``10``, not ``10.0``.

    Args:
        verdict: A checked verdict.
        judge: The judge that gave it.

    Returns:
        A new dict, in the same order.

    Example:
        >>> class Judge:
        ...     counts = ("classes_covered",)
        >>> counts_as_integers({"classes_covered": 10.0, "success": True}, Judge())
        {'classes_covered': 10, 'success': True}
    """
    counts = getattr(judge, "counts", ())
    return {
        name: int(value) if name in counts and float(value).is_integer() else value
        for name, value in verdict.items()
    }
