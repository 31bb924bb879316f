"""MNIST's IDX files read directly: generated files, gzipped or not, torchvision's layout,
and every malformed file named."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygan as tg
from tinygan.data import read_idx
from tinygan.data.mnist import MNIST_FILES


def idx_bytes(values: np.ndarray) -> bytes:
    """An IDX file of unsigned bytes, written by hand from the format's definition."""
    header = bytes([0, 0, 0x08, values.ndim]) + b"".join(struct.pack(">I", d) for d in values.shape)
    return header + values.astype(np.uint8).tobytes()


def write_mnist(folder, n=20, *, train=True, gz=False, size=28, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, size, size), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    for name, values in zip(MNIST_FILES[train], (images, labels), strict=True):
        raw = idx_bytes(values)
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(raw))
        else:
            (folder / name).write_bytes(raw)
    return images, labels


@settings(max_examples=20, deadline=None)
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=3), seed=st.integers(0, 2**31))
def test_read_idx_reads_what_was_written(tmp_path_factory, shape, seed):
    values = np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)
    path = tmp_path_factory.mktemp("idx") / "x-idx-ubyte"
    path.write_bytes(idx_bytes(values))
    got = read_idx(path)
    assert got.dtype == torch.uint8 and got.numpy().tolist() == values.tolist()


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("place", [".", "raw", "MNIST/raw"])
def test_mnist_reads_both_files_where_they_are_kept(tmp_path, gz, place):
    images, labels = write_mnist(tmp_path / place, gz=gz)
    data = tg.mnist(tmp_path)
    assert data.shape == (28, 28) and data.dim == 784 and len(data) == 20
    assert data.labels.tolist() == labels.tolist()
    assert torch.equal(data.images, torch.as_tensor(images.reshape(20, -1) / 255.0).float())


def test_the_test_split_has_its_own_files(tmp_path):
    write_mnist(tmp_path, n=10, train=False)
    assert len(tg.mnist(tmp_path, train=False)) == 10
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        tg.mnist(tmp_path)


def test_missing_files_say_where_it_looked_and_how_to_get_them(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"MNIST/raw.*download=True"):
        tg.mnist(tmp_path)


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        (b"\x00\x00\x0d\x01\x00\x00\x00\x01\x00\x00\x00\x00", "not an IDX file of unsigned bytes"),
        (b"", "not an IDX file"),
        (bytes([0, 0, 8, 1, 0, 0, 0, 3, 1, 2]), "cut short"),
        (bytes([0, 0, 8, 2, 0, 0]), "cut short"),
        (bytes([0, 0, 8, 1, 0, 0, 0, 1, 1, 2]), "too long"),
    ],
)
def test_malformed_files_are_named(tmp_path, raw, match):
    path = tmp_path / "bad-idx"
    path.write_bytes(raw)
    with pytest.raises(ValueError, match=match):
        read_idx(path)


def test_files_that_disagree_are_named(tmp_path):
    write_mnist(tmp_path, n=10)
    (tmp_path / MNIST_FILES[True][1]).write_bytes(idx_bytes(np.zeros(9, dtype=np.uint8)))
    with pytest.raises(ValueError, match="do not match"):
        tg.mnist(tmp_path)


def test_train_must_be_a_bool(tmp_path):
    with pytest.raises(TypeError, match="train must be a bool"):
        tg.mnist(tmp_path, train=1)
