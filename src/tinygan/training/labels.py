"""Labels as network inputs: checked, and joined to a batch as one-hot vectors.

What :class:`tinygan.ConditionalTrainer` is built on, and what a user's own conditional
step can use: :func:`join_labels` gives each row of a batch its label as ``classes``
more columns (the tutorial's way, so any network reads them).

Layer: training (beside the trainers, which use it).
"""

from __future__ import annotations

from typing import Any

import torch
from torch.nn import functional

from tinygan.training.parts import check_source

__all__ = ["check_labels", "join_labels", "labelled_classes"]


def check_labels(labels: Any, classes: int, name: str = "labels") -> torch.Tensor:
    """``labels`` as an int64 tensor ``(n,)`` of values in ``[0, classes)``.

    Raises:
        TypeError: If ``labels`` are not integers.
        ValueError: If they are not one-dimensional or one is out of range.
    """
    try:
        values = torch.as_tensor(labels)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise TypeError(f"{name} must be integers in [0, {classes}), got {labels!r}") from exc
    if values.dtype.is_floating_point or values.is_complex() or values.dtype == torch.bool:
        raise TypeError(f"{name} must be integers in [0, {classes}), got dtype {values.dtype}")
    if values.dim() != 1:
        raise ValueError(f"{name} must be one-dimensional (n,), got shape {tuple(values.shape)}")
    if len(values) and (int(values.min()) < 0 or int(values.max()) >= classes):
        raise ValueError(
            f"{name} must be integers in [0, {classes}), got values from {int(values.min())} "
            f"to {int(values.max())}"
        )
    return values.to(torch.int64)


def join_labels(inputs: torch.Tensor, labels: torch.Tensor, classes: int) -> torch.Tensor:
    """``inputs`` ``(n, d)`` with each row's label joined as a one-hot vector: ``(n, d + classes)``.

    Example:
        >>> import torch
        >>> from tinygan.training.labels import join_labels
        >>> join_labels(torch.zeros(2, 1), torch.tensor([2, 0]), 3)
        tensor([[0., 0., 0., 1.],
                [0., 1., 0., 0.]])
    """
    one_hot = functional.one_hot(labels.to(inputs.device), classes).to(inputs.dtype)
    return torch.cat([inputs, one_hot], dim=1)


def labelled_classes(real: Any) -> int:
    """``real.classes`` if ``real`` is a labelled source with at least two classes."""
    check_source("real", real)
    classes = getattr(real, "classes", None)
    if not callable(getattr(real, "sample_labelled", None)) or classes is None:
        raise TypeError(
            "real must be a labelled data source (a tinygan.LabelledSource: 'classes' and "
            f"'sample_labelled(n, *, generator=None)'), such as tg.digits(); got {real!r}"
        )
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 2:
        raise ValueError(
            f"real.classes must be an integer of at least 2 (labelled examples of two classes "
            f"or more), got {classes!r}"
        )
    return classes
