"""The image judge's parts: a split of labelled images by class, its classifier, its checks."""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import nn

from tinygan.metrics.neighbours import neighbour_radii
from tinygan.nets import mlp

__all__ = [
    "Reference",
    "broken_rules",
    "check_samples",
    "check_nonnegative",
    "check_positive",
    "check_share",
    "fit_classifier",
    "split_by_class",
]


def _shrink(counts: list[int], most: int, least: int) -> list[int]:
    """``counts`` scaled down alike (rounded down, but not below ``least``) to about ``most``.

    The sum is at most ``most`` unless the classes' ``least`` add up to more.
    """
    total = sum(counts)
    if total <= most:
        return counts
    return [max(min(least, c), c * most // total) for c in counts]


def split_by_class(
    targets: torch.Tensor,
    classes: int,
    *,
    held_out: float,
    most_held: int,
    most_fit: int,
    seed: int,
    fewest: int = 3,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Split example indices into a fitting part and a held-out part, class by class.

    Each class's indices are shuffled by a generator seeded with ``seed`` (classes in
    order, one permutation each); the first ``round(held_out * n_c)`` are held out (at
    least two, and at least one left to fit), the rest fit.
    Where the held-out part would exceed ``most_held`` examples (or the fitting part
    ``most_fit``), every class's share of it is scaled down alike, so both parts keep
    the classes in the real proportions.

    Args:
        targets: Each example's class index, ``0 .. classes - 1``.
        classes: The number of classes.
        held_out: The share of each class to hold out, in ``(0, 1)``.
        most_held: The most examples to hold out.
        most_fit: The most examples to fit on.
        seed: Seeds the shuffles.
        fewest: The fewest examples a class may have (at least 3).

    Returns:
        ``(fit, held)``: sorted int64 indices into ``targets``.

    Raises:
        ValueError: If a class has fewer than ``fewest`` examples.
    """
    smallest = int(torch.bincount(targets, minlength=classes).min())
    if smallest < fewest:
        raise ValueError(
            f"real must have at least {fewest} images of each class, to hold some out; a "
            f"class has {smallest}"
        )
    rng = torch.Generator().manual_seed(seed)
    shuffled = []
    for c in range(classes):
        members = (targets == c).nonzero().flatten()
        shuffled.append(members[torch.randperm(len(members), generator=rng)])
    sizes = [len(m) for m in shuffled]
    held = [min(max(round(held_out * n), 2), n - 1) for n in sizes]
    held = _shrink(held, most_held, 2)  # two at least: a class's neighbour radii need them
    fit = _shrink([n - h for n, h in zip(sizes, held, strict=True)], most_fit, 1)
    fit_parts = [m[h : h + f] for m, h, f in zip(shuffled, held, fit, strict=True)]
    held_parts = [m[:h] for m, h in zip(shuffled, held, strict=True)]
    return torch.cat(fit_parts).sort().values, torch.cat(held_parts).sort().values


def fit_classifier(
    images: torch.Tensor,
    targets: torch.Tensor,
    classes: int,
    *,
    hidden: int,
    epochs: int,
    seed: int,
) -> nn.Sequential:
    """A small MLP ``dim -> hidden -> classes`` (ReLU, biases) fitted to labelled images.

    Its weights come from ``seed``; it trains full-batch with Adam (learning rate 0.01)
    for ``epochs`` steps on cross-entropy, then is frozen (evaluation mode, no
    gradients). Deterministic: the same inputs give the same network, bit for bit.
    """
    net = mlp(
        [images.shape[1], hidden, classes],
        bias=True,
        activation=nn.ReLU,
        output_activation=None,
        generator=torch.Generator().manual_seed(seed),
    )
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    loss = nn.CrossEntropyLoss()
    with torch.enable_grad():
        for _ in range(epochs):
            optimizer.zero_grad()
            loss(net(images), targets).backward()
            optimizer.step()
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    return net


class Reference:
    """The judge's reference: its features, and their neighbour radii, whole and by class.

    Args:
        features: The reference images' features ``(n, width)``.
        targets: Their class indices (positions in ``classes``).
        classes: The class labels.
        neighbours: ``k``; a class of ``m <= k`` images uses ``m - 1``.
    """

    def __init__(
        self, features: torch.Tensor, targets: torch.Tensor, classes: torch.Tensor, neighbours: int
    ) -> None:
        self.features = features.double()
        self.targets = targets
        self.classes = classes.tolist()
        self.neighbours = neighbours
        self._radii: dict[int | None, tuple[torch.Tensor, torch.Tensor, int]] = {}

    def of(self, label: int | None) -> tuple[torch.Tensor, torch.Tensor, int]:
        """The features of class ``label`` (all for ``None``), their radii and their ``k``.

        Raises:
            ValueError: If ``label`` is not one of the classes.
        """
        if label not in self._radii:
            if label is None:
                mine = self.features
            elif isinstance(label, bool) or label not in self.classes:
                raise ValueError(f"label must be one of {self.classes}, got {label!r}")
            else:
                mine = self.features[self.targets == self.classes.index(label)]
            k = min(self.neighbours, len(mine) - 1)
            self._radii[label] = mine, neighbour_radii(mine, k), k
        return self._radii[label]


def check_samples(samples: object, dim: int) -> torch.Tensor:
    """``samples`` if it is a tensor ``(n, dim)`` with ``n >= 2``; else a named error."""
    if not isinstance(samples, torch.Tensor):
        raise TypeError(f"samples must be a tensor (n, dim), got {type(samples).__name__}")
    if samples.dim() != 2 or samples.shape[1] != dim or samples.shape[0] < 2:
        raise ValueError(
            f"samples must have shape (n, {dim}) with n >= 2, got {tuple(samples.shape)}"
        )
    return samples


def broken_rules(
    verdict: Mapping[str, float | bool],
    at_least: Mapping[str, float],
    at_most: Mapping[str, float],
) -> list[str]:
    """The rules a verdict breaks, in words such as ``"coverage 0.3 < 0.5"``, rules in order."""
    broken = [
        f"{k} {float(verdict[k]):.3g} < {v:g}" for k, v in at_least.items() if not verdict[k] >= v
    ]
    broken += [
        f"{k} {float(verdict[k]):.3g} > {v:g}" for k, v in at_most.items() if not verdict[k] <= v
    ]
    return broken


def check_share(name: str, value: object, *, open_: bool = False) -> float:
    """``value`` as a float if it is a number in ``[0, 1]`` (``(0, 1)`` if ``open_``)."""
    bad = isinstance(value, bool) or not isinstance(value, (int, float))
    if bad or not (0 < value < 1 if open_ else 0 <= value <= 1):  # type: ignore[operator]
        where = "(0, 1)" if open_ else "[0, 1]"
        raise ValueError(f"{name} must be a number in {where}, got {value!r}")
    return float(value)  # type: ignore[arg-type]


def check_positive(name: str, value: object) -> float:
    """``value`` as a float if it is a number ``> 0``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def check_nonnegative(name: str, value: object) -> float:
    """``value`` as a float if it is a number ``>= 0``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    return float(value)
