"""MNIST from its own files: the IDX format read directly, no torchvision needed.

MNIST ships as four files in the IDX format (LeCun et al.): ``train-images-idx3-ubyte``,
``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``,
often gzipped (``.gz``). An IDX file is a 4-byte magic number (two zero bytes, a type
code, ``0x08`` for unsigned bytes, and the number of dimensions), one big-endian 32-bit
size per dimension, then the values in C order. :func:`read_idx` reads one;
:func:`mnist` finds and reads a split's two, in the folder given or where torchvision
keeps them (``root/MNIST/raw``), so files fetched by ``torchvision.datasets.MNIST(root,
download=True)`` work as they are.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import torch

from tinygan.data.images import ImageData

__all__ = ["MNIST_FILES", "mnist", "read_idx"]

MNIST_FILES = {
    True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
"""The file names of MNIST's training split (``True``) and test split (``False``)."""

_PLACES = (".", "raw", "MNIST/raw")


def read_idx(path: str | os.PathLike[str]) -> torch.Tensor:
    """Read one IDX file of unsigned bytes (gzipped if its name ends in ``.gz``).

    Args:
        path: The file.

    Returns:
        A uint8 tensor of the shape the file's header gives.

    Raises:
        FileNotFoundError: If there is no such file.
        ValueError: If the file is not an IDX file of unsigned bytes, or its size does
            not match its header.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "two-idx1-ubyte"
        >>> _ = path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]))
        >>> read_idx(path)
        tensor([7, 9], dtype=torch.uint8)
    """
    file = Path(path)
    raw = gzip.decompress(file.read_bytes()) if file.suffix == ".gz" else file.read_bytes()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08 or raw[3] == 0:
        head = raw[:4].hex(" ") or "nothing"
        raise ValueError(
            f"{file} is not an IDX file of unsigned bytes: it must start with the bytes "
            f"00 00 08 and a dimension count, not {head}"
        )
    header = 4 + 4 * raw[3]
    sizes = raw[4:header] if len(raw) >= header else b""
    shape = tuple(int(v) for v in np.frombuffer(sizes, dtype=">u4"))
    expected = header + int(np.prod(shape, dtype=np.int64)) if shape else header
    if len(raw) != expected or not shape:
        raise ValueError(
            f"{file} is cut short or too long: its header gives shape {shape}, so "
            f"{expected} bytes, but it has {len(raw)}"
        )
    values = np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)
    return torch.from_numpy(values.copy())


def _find(root: Path, name: str) -> Path | None:
    for place in _PLACES:
        for candidate in (root / place / name, root / place / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


def mnist(root: str | os.PathLike[str], *, train: bool = True) -> ImageData:
    """MNIST's 28x28 handwritten digits in ``[0, 1]``, with labels, read from its files.

    Looks for the split's two files (:data:`~tinygan.data.mnist.MNIST_FILES`, plain or
    ``.gz``) in ``root``, ``root/raw`` and ``root/MNIST/raw`` (torchvision's layout),
    reads them with :func:`~tinygan.data.read_idx` and divides the pixels (0..255) by
    255. It never downloads.

    Args:
        root: The folder the files are in.
        train: The 60,000 training images, or else the 10,000 test images.

    Returns:
        An :class:`~tinygan.ImageData` of shape ``(28, 28)`` (or whatever the files
        hold), labels 0..9.

    Raises:
        TypeError: If ``train`` is not a bool.
        FileNotFoundError: If a file is missing (the message says where it looked and
            where to get the files).
        ValueError: If a file is not an IDX file, or the two files disagree.
    """
    if not isinstance(train, bool):
        raise TypeError(f"train must be a bool, got {train!r}")
    folder = Path(os.fspath(root))
    found = []
    for name in MNIST_FILES[train]:
        path = _find(folder, name)
        if path is None:
            places = ", ".join(str(folder / p) for p in _PLACES)
            raise FileNotFoundError(
                f"no {name} (or {name}.gz) under root={os.fspath(root)!r}: looked in "
                f"{places}. Get MNIST's four IDX files once (torchvision.datasets.MNIST(root, "
                "download=True) fetches them into root/MNIST/raw)"
            )
        found.append(path)
    images, labels = (read_idx(path) for path in found)
    if images.dim() != 3 or labels.dim() != 1 or len(images) != len(labels):
        raise ValueError(
            f"{found[0].name} and {found[1].name} do not match: images must be (n, height, "
            f"width) and labels (n,), got {tuple(images.shape)} and {tuple(labels.shape)}"
        )
    return ImageData(images.to(torch.float32) / 255.0, labels.to(torch.int64))
