"""Image data: any fixed set of examples as a data source, and the digits to start with.

:class:`ImageData` turns a tensor of examples ``(n, ...)`` or a
:class:`torch.utils.data.Dataset` into a :class:`tinygan.DataSource`: each draw picks
rows with replacement, flattened to ``dim`` numbers, and the source remembers the image
shape (for figures) and the labels (for judging). :func:`digits` gives scikit-learn's
bundled 8x8 handwritten digits (no download), :func:`mnist` the 28x28 MNIST digits
through torchvision from files already on disk.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import torch

from tinygan._checks import check_int
from tinygan.data._draw import check_generator

__all__ = ["ImageData", "digits", "mnist"]

IMAGES_HINT = 'pip install "tinygan[images]"'


def _from_dataset(images: Any) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Read every item of a map-style dataset: tensors of one shape, or (tensor, label)."""
    try:
        count = len(images)
    except TypeError as exc:
        raise TypeError("images must be a tensor or a Dataset with a length") from exc
    rows: list[torch.Tensor] = []
    labels: list[int] = []
    for i in range(count):
        item = images[i]
        label = None
        if isinstance(item, (tuple, list)) and len(item) == 1:
            item = item[0]  # a TensorDataset of images alone gives 1-tuples
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            item, label = item
        if not isinstance(item, torch.Tensor):
            raise TypeError(
                f"images must be a Dataset whose items are tensors or (tensor, label) pairs; "
                f"item {i} is {type(item).__name__}"
            )
        if rows and item.shape != rows[0].shape:
            raise ValueError(
                f"images must be a Dataset whose items are tensors of one shape; item 0 has "
                f"shape {tuple(rows[0].shape)} but item {i} has {tuple(item.shape)}"
            )
        if i > 0 and (label is None) != (not labels):
            raise ValueError(
                f"images must be a Dataset whose items all have labels or none do; item 0 "
                f"{'has none' if not labels else 'has one'} but item {i} differs"
            )
        rows.append(item)
        if label is not None:
            labels.append(int(label))
    if not rows:
        raise ValueError("images must hold at least one example, got an empty Dataset")
    return torch.stack(rows), torch.tensor(labels) if labels else None


class ImageData:
    """A fixed set of examples, such as images, as a :class:`tinygan.DataSource`.

    Each :meth:`sample` picks ``n`` examples uniformly with replacement (one
    :func:`torch.randint` call from the generator it is given) and returns them
    flattened: ``(n, dim)`` float32, ``dim`` the number of values in one example.

    Args:
        images: A tensor ``(n, ...)`` of ``n >= 1`` examples, or a map-style
            :class:`torch.utils.data.Dataset` whose items are tensors of one shape,
            ``(tensor,)`` or ``(tensor, label)`` (as a
            :class:`~torch.utils.data.TensorDataset` gives them), read once, here.
        labels: One integer class per example, or ``None``; a Dataset of pairs brings
            its own.
        shape: The shape of one example, for figures; by default the examples' own
            shape (``(8, 8)`` for ``images`` of shape ``(n, 8, 8)``). Its product must be
            ``dim``.

    Attributes:
        images: The examples, flattened: float32 ``(n, dim)``.
        labels: The labels, int64 ``(n,)``, or ``None``.
        shape: The shape of one example.
        dim: The number of values in one example.

    Raises:
        TypeError: If ``images`` is neither a tensor nor a Dataset of tensors, or
            ``labels`` are not integers.
        ValueError: If there are no examples, a value is not finite, the items of a
            Dataset differ in shape, ``labels`` has the wrong length or ``shape`` does
            not fit.

    Example:
        >>> import torch
        >>> data = ImageData(torch.rand(10, 8, 8), labels=torch.arange(10))
        >>> data.dim, data.shape, len(data)
        (64, (8, 8), 10)
        >>> data.sample(3, generator=torch.Generator().manual_seed(0)).shape
        torch.Size([3, 64])
    """

    def __init__(
        self,
        images: torch.Tensor | torch.utils.data.Dataset[Any],
        labels: torch.Tensor | Sequence[int] | None = None,
        *,
        shape: Sequence[int] | None = None,
    ) -> None:
        own_labels: torch.Tensor | None = None
        if isinstance(images, torch.Tensor):
            data = images
        elif not hasattr(images, "__getitem__") or isinstance(images, (str, bytes)):  # type: ignore[unreachable]
            raise TypeError(
                f"images must be a tensor (n, ...) or a torch.utils.data.Dataset, got "
                f"{type(images).__name__}"
            )
        else:
            data, own_labels = _from_dataset(images)
        if data.dim() < 1 or data.shape[0] == 0 or data[0].numel() == 0:
            raise ValueError(
                f"images must hold at least one non-empty example, got shape {tuple(data.shape)}"
            )
        if data.is_complex() or data.dtype == torch.bool:
            raise TypeError(f"images must be real numbers, got dtype {data.dtype}")
        data = data.detach().to(torch.float32)
        if not bool(torch.isfinite(data).all()):
            raise ValueError("images must hold finite values only, got NaN or infinity")
        own_shape = tuple(int(v) for v in data.shape[1:]) or (1,)
        self.images: torch.Tensor = data.reshape(data.shape[0], -1).contiguous()
        self.dim: int = int(self.images.shape[1])
        self.shape: tuple[int, ...] = own_shape if shape is None else self._check_shape(shape)
        if labels is not None:
            own_labels = self._check_labels(labels)
        self.labels: torch.Tensor | None = own_labels

    def _check_shape(self, shape: Sequence[int]) -> tuple[int, ...]:
        if isinstance(shape, (str, bytes)) or not isinstance(shape, Sequence) or not shape:
            raise TypeError(f"shape must be a sequence of positive integers, got {shape!r}")
        dims = tuple(check_int("shape", v, minimum=1) for v in shape)
        if math.prod(dims) != self.dim:
            raise ValueError(
                f"shape must hold dim = {self.dim} values, got {dims} ({math.prod(dims)} values)"
            )
        return dims

    def _check_labels(self, labels: torch.Tensor | Sequence[int]) -> torch.Tensor:
        try:
            values = torch.as_tensor(labels)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise TypeError(f"labels must be a sequence of integers, got {labels!r}") from exc
        if values.dtype.is_floating_point or values.is_complex() or values.dtype == torch.bool:
            raise TypeError(f"labels must be integers, got dtype {values.dtype}")
        if values.dim() != 1 or values.shape[0] != len(self):
            raise ValueError(
                f"labels must have one entry per example ({len(self)}), got shape "
                f"{tuple(values.shape)}"
            )
        return values.to(torch.int64)

    def __len__(self) -> int:
        """The number of examples."""
        return int(self.images.shape[0])

    @property
    def classes(self) -> int:
        """The number of classes: the largest label plus one (0 without labels)."""
        return 0 if self.labels is None else int(self.labels.max()) + 1

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """Draw ``n`` examples uniformly, with replacement.

        Args:
            n: How many to draw (``n >= 0``).
            generator: The random number generator to draw the rows from; the draw is
                made on its device and the rows come back there.

        Returns:
            A float32 tensor of shape ``(n, dim)``.
        """
        count = check_int("n", n, minimum=0)
        rng = check_generator(generator)
        device = rng.device if rng is not None else torch.device("cpu")
        rows = torch.randint(len(self), (count,), generator=rng, device=device)
        return self.images.to(device)[rows]

    def sample_labelled(
        self, n: int, *, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw ``n`` examples uniformly, with replacement, and their labels.

        The rows are the ones :meth:`sample` draws from the same generator state (one
        :func:`torch.randint` call), so a :class:`tinygan.LabelledSource` and a plain
        source that read the same generator see the same examples.

        Args:
            n: How many to draw (``n >= 0``).
            generator: The random number generator to draw the rows from.

        Returns:
            ``(examples, labels)``: float32 ``(n, dim)`` and int64 ``(n,)``.

        Raises:
            ValueError: If the examples have no labels.

        Example:
            >>> import torch
            >>> data = ImageData(torch.eye(3), labels=[0, 1, 2])
            >>> x, y = data.sample_labelled(4, generator=torch.Generator().manual_seed(0))
            >>> bool((x.argmax(dim=1) == y).all())
            True
        """
        if self.labels is None:
            raise ValueError(
                "sample_labelled needs labelled examples: build the ImageData with labels="
            )
        count = check_int("n", n, minimum=0)
        rng = check_generator(generator)
        device = rng.device if rng is not None else torch.device("cpu")
        rows = torch.randint(len(self), (count,), generator=rng, device=device)
        return self.images.to(device)[rows], self.labels.to(device)[rows]

    def __repr__(self) -> str:
        labelled = "" if self.labels is None else f", {self.classes} classes"
        return f"ImageData({len(self)} examples of shape {self.shape}{labelled})"


def digits() -> ImageData:
    """scikit-learn's 1,797 handwritten digits, 8x8 pixels in ``[0, 1]``, with labels.

    The images ship with scikit-learn (``sklearn.datasets.load_digits``): nothing is
    downloaded. Pixel values 0..16 are divided by 16.

    Returns:
        An :class:`ImageData` of shape ``(8, 8)``, ``dim`` 64, labels 0..9.

    Raises:
        ImportError: If scikit-learn is not installed (``pip install "tinygan[images]"``).

    Example:
        >>> data = digits()
        >>> len(data), data.shape, data.classes
        (1797, (8, 8), 10)
        >>> float(data.images.min()), float(data.images.max())
        (0.0, 1.0)
    """
    try:
        from sklearn.datasets import load_digits  # type: ignore[import-untyped,unused-ignore]
    except ImportError as exc:
        raise ImportError(f"tg.digits() needs scikit-learn: {IMAGES_HINT}") from exc
    bunch = load_digits()
    images = torch.as_tensor(bunch.images, dtype=torch.float32) / 16.0
    return ImageData(images, torch.as_tensor(bunch.target, dtype=torch.int64))


def mnist(root: str | os.PathLike[str], *, train: bool = True) -> ImageData:
    """MNIST's 28x28 handwritten digits in ``[0, 1]``, with labels, through torchvision.

    Reads the files torchvision keeps under ``root``; it never downloads (fetch them
    once yourself with ``torchvision.datasets.MNIST(root, download=True)``).

    Args:
        root: The folder torchvision's MNIST files are in.
        train: The 60,000 training images, or else the 10,000 test images.

    Returns:
        An :class:`ImageData` of shape ``(28, 28)``, ``dim`` 784, labels 0..9.

    Raises:
        ImportError: If torchvision is not installed (``pip install torchvision``).
        FileNotFoundError: If the files are not under ``root``.
    """
    if not isinstance(train, bool):
        raise TypeError(f"train must be a bool, got {train!r}")
    try:
        from torchvision.datasets import MNIST  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        raise ImportError("tg.mnist() needs torchvision: pip install torchvision") from exc
    try:
        dataset = MNIST(os.fspath(root), train=train, download=False)
    except RuntimeError as exc:
        raise FileNotFoundError(
            f"no MNIST files under root={os.fspath(root)!r}: download them once with "
            f"torchvision.datasets.MNIST(root, download=True)"
        ) from exc
    images = dataset.data.to(torch.float32) / 255.0
    return ImageData(images, dataset.targets.to(torch.int64))
