"""ImageData, digits and mnist: rows drawn with replacement, shapes kept, input checked."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from tests import strategies as s

import tinygan as tg


@settings(max_examples=25, deadline=None)
@given(shape=s.image_shapes, n=st.integers(0, 50), seed=s.seeds)
def test_samples_are_rows_of_the_examples_drawn_by_randint(shape, n, seed):
    images = torch.rand(*shape, generator=torch.Generator().manual_seed(1))
    data = tg.ImageData(images)
    got = data.sample(n, generator=torch.Generator().manual_seed(seed))
    rows = torch.randint(shape[0], (n,), generator=torch.Generator().manual_seed(seed))
    flat = images.reshape(shape[0], -1)
    assert got.shape == (n, data.dim) and got.dtype == torch.float32
    assert data.dim == flat.shape[1] and data.shape == tuple(shape[1:])
    assert torch.equal(got, flat[rows])


def test_the_global_rng_is_not_touched():
    data = tg.ImageData(torch.rand(5, 2, 2))
    state = torch.random.get_rng_state()
    data.sample(10, generator=torch.Generator().manual_seed(0))
    assert torch.equal(state, torch.random.get_rng_state())


def test_every_example_is_drawn_about_equally():
    data = tg.ImageData(torch.arange(4.0).reshape(4, 1))
    draws = data.sample(40_000, generator=torch.Generator().manual_seed(0)).flatten()
    counts = torch.bincount(draws.long(), minlength=4).double() / 40_000
    assert torch.allclose(counts, torch.full((4,), 0.25, dtype=torch.float64), atol=0.01)


def test_satisfies_the_data_source_protocol_and_trains():
    data = tg.ImageData(torch.rand(20, 2, 3), labels=[0, 1] * 10)
    assert isinstance(data, tg.DataSource)
    trainer = tg.AdversarialTrainer(
        tg.mlp([4, 8, 6], generator=torch.Generator().manual_seed(0)),
        tg.mlp([6, 4, 1], generator=torch.Generator().manual_seed(1)),
        data,
        tg.GaussianNoise(4),
        batch_size=8,
        seed=0,
    )
    assert trainer.fit(5).iteration == 5


def test_dataset_of_pairs_keeps_labels_and_shape():
    items = [(torch.full((1, 3, 3), float(i)), i % 3) for i in range(6)]
    data = tg.ImageData(items)  # a list is a map-style dataset
    assert data.shape == (1, 3, 3) and data.dim == 9 and data.classes == 3
    assert data.labels.tolist() == [0, 1, 2, 0, 1, 2]
    assert torch.equal(data.images[4], torch.full((9,), 4.0))


def test_tensor_datasets_with_and_without_labels():
    images = torch.rand(7, 2, 2, generator=torch.Generator().manual_seed(0))
    alone = tg.ImageData(torch.utils.data.TensorDataset(images), shape=(4,))
    assert alone.labels is None and alone.shape == (4,) and len(alone) == 7
    assert torch.equal(alone.images, images.reshape(7, 4))
    paired = tg.ImageData(torch.utils.data.TensorDataset(images, torch.arange(7) % 2))
    assert paired.labels.tolist() == [0, 1, 0, 1, 0, 1, 0] and paired.shape == (2, 2)


def test_digits_are_sklearns_scaled_to_unit_range():
    sklearn = pytest.importorskip("sklearn.datasets")
    data = tg.digits()
    bunch = sklearn.load_digits()
    assert (len(data), data.dim, data.shape, data.classes) == (1797, 64, (8, 8), 10)
    assert torch.allclose(data.images, torch.as_tensor(bunch.data, dtype=torch.float32) / 16)
    assert data.labels.tolist() == bunch.target.tolist()
    assert float(data.images.min()) == 0.0 and float(data.images.max()) == 1.0


def test_digits_without_sklearn_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r'pip install "tinygan\[images\]"'):
        tg.digits()


class FakePIL:
    """What a torchvision dataset without a transform gives: a PIL image (duck-typed)."""

    mode = "L"

    def __init__(self, pixels):
        self.pixels = pixels

    def getbands(self):
        return ("L",)

    def __array__(self, dtype=None, copy=None):
        return self.pixels


class PlainTorchvisionLike(torch.utils.data.Dataset):
    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def test_a_dataset_of_pil_images_is_read_as_to_tensor_reads_it():
    pixels = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    data = tg.ImageData(PlainTorchvisionLike([(FakePIL(pixels), 3), (FakePIL(pixels), 5)]))
    assert data.shape == (3, 4) and data.labels.tolist() == [3, 5]
    assert torch.allclose(data.images[0], torch.as_tensor(pixels.ravel() / 255.0).float())


def test_colour_pil_images_come_channels_first():
    pixels = np.zeros((2, 3, 3), dtype=np.uint8)
    pixels[..., 0] = 255  # red
    data = tg.ImageData(PlainTorchvisionLike([FakePIL(pixels)]))
    assert data.shape == (3, 2, 3) and data.images[0, :6].tolist() == [1.0] * 6


def test_a_dataset_of_arrays_is_read_as_it_is():
    data = tg.ImageData(PlainTorchvisionLike([np.ones((2, 2)) * 3, np.zeros((2, 2))]))
    assert data.images.tolist() == [[3.0] * 4, [0.0] * 4]


def test_a_dataset_of_other_things_is_refused_with_the_transform_named():
    with pytest.raises(TypeError, match=r"item 0 is str: .*transforms\.ToTensor\(\)"):
        tg.ImageData(PlainTorchvisionLike([("not an image", 1)]))


@pytest.mark.parametrize(
    ("images", "error", "match"),
    [
        (torch.empty(0, 8, 8), ValueError, "images must hold at least one"),
        (torch.empty(3, 0), ValueError, "images must hold at least one"),
        (torch.tensor([[0.0, float("nan")]]), ValueError, "images must hold finite"),
        (torch.tensor([[0.0, float("inf")]]), ValueError, "images must hold finite"),
        ([], ValueError, "empty Dataset"),
        ([torch.zeros(2), torch.zeros(3)], ValueError, "tensors of one shape"),
        ([torch.zeros(2), "x"], TypeError, "item 1 is str"),
        ([(torch.zeros(2), 1), torch.zeros(2)], ValueError, "all have labels or none"),
        (42, TypeError, "images must be a tensor"),
        (torch.ones(2, 2, dtype=torch.bool), TypeError, "images must be real numbers"),
    ],
)
def test_bad_images_are_refused_when_built(images, error, match):
    with pytest.raises(error, match=match):
        tg.ImageData(images)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"labels": [0, 1]}, ValueError, "labels must have one entry per example"),
        ({"labels": [0.5, 1.0, 2.0]}, TypeError, "labels must be integers"),
        ({"shape": (3, 3)}, ValueError, "shape must hold dim = 4"),
        ({"shape": (0, 4)}, ValueError, "shape"),
        ({"shape": "22"}, TypeError, "shape must be a sequence"),
    ],
)
def test_bad_labels_and_shapes_are_refused(kwargs, error, match):
    with pytest.raises(error, match=match):
        tg.ImageData(torch.zeros(3, 2, 2), **kwargs)


def test_bad_draws_are_refused():
    data = tg.ImageData(torch.zeros(3, 2))
    with pytest.raises(ValueError, match="n"):
        data.sample(-1)
    with pytest.raises(TypeError, match="generator must be"):
        data.sample(1, generator=0)  # type: ignore[arg-type]
