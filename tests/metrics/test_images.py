"""ImageJudge and frechet_distance: real images pass, one class fails, numbers checked
against independent computations (scipy's matrix square root, hand-made histograms)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygan as tg
from tinygan.metrics import ImageJudge, check_verdict, default_judge, frechet_distance

sklearn = pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def data():
    return tg.digits()


@pytest.fixture(scope="module")
def judge(data):
    return ImageJudge(data)


def gen(seed):
    return torch.Generator().manual_seed(seed)


def test_real_images_pass(judge, data):
    verdict = check_verdict(judge(data.sample(1000, generator=gen(0)), data))
    assert verdict["classes_covered"] == 10 and verdict["success"] is True
    assert verdict["confident_share"] > 0.9
    assert verdict["reverse_kl"] < 0.02
    assert verdict["frechet_distance"] < 2.0


@pytest.mark.parametrize("digit", [0, 7])
def test_a_generator_that_draws_one_class_fails(judge, data, digit):
    one = data.images[data.labels == digit]
    verdict = judge(one, data)
    share = float((data.labels == digit).double().mean())
    assert verdict["classes_covered"] == 1 and verdict["success"] is False
    assert verdict["reverse_kl"] == pytest.approx(math.log(1 / share), rel=1e-9)
    assert verdict["frechet_distance"] > 20


def test_reverse_kl_of_two_even_classes(judge, data):
    """Half 3s, half 8s (that the classifier reads as such): KL by hand over two classes."""
    read = judge.probabilities(data.images).argmax(dim=1)
    threes = data.images[(data.labels == 3) & (read == 3)][:50]
    eights = data.images[(data.labels == 8) & (read == 8)][:50]
    verdict = judge(torch.cat([threes, eights]), data)
    counts = torch.bincount(data.labels, minlength=10).double()
    p = counts / counts.sum()
    expected = 0.5 * math.log(0.5 / p[3]) + 0.5 * math.log(0.5 / p[8])
    assert verdict["classes_covered"] == 2
    assert verdict["reverse_kl"] == pytest.approx(expected, rel=1e-9)


def test_the_classifier_is_fitted_once_and_is_the_same_for_the_same_seed(judge, data):
    a, b = judge, ImageJudge(data)
    first = a.classifier
    assert a.classifier is first
    x = data.sample(200, generator=gen(1))
    assert a(x, data) == b(x, data)


def test_default_judge_of_labelled_images_is_an_image_judge(data):
    judge = default_judge(data)
    assert isinstance(judge, ImageJudge)
    with pytest.raises(TypeError, match="no default judge"):
        default_judge(tg.ImageData(torch.rand(5, 4)))


def test_frechet_distance_matches_scipy():
    linalg = pytest.importorskip("scipy.linalg")
    rng = np.random.default_rng(0)
    a = rng.normal(size=(200, 5)) @ rng.normal(size=(5, 5))
    b = rng.normal(size=(300, 5)) + 1.0
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    expected = float(
        ((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(ca + cb - 2 * linalg.sqrtm(ca @ cb).real)
    )
    got = frechet_distance(torch.as_tensor(a), torch.as_tensor(b))
    assert got == pytest.approx(expected, rel=1e-7)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), shift=st.floats(-3, 3), k=st.integers(1, 6))
def test_frechet_distance_of_a_shift_is_its_squared_length(seed, shift, k):
    a = torch.randn(50, k, generator=gen(seed), dtype=torch.float64)
    assert frechet_distance(a, a + shift) == pytest.approx(k * shift**2, abs=1e-6)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    ("samples", "error", "match"),
    [
        ([[0.0] * 64] * 2, TypeError, "samples must be a tensor"),
        (torch.zeros(5, 63), ValueError, r"samples must have shape \(n, 64\)"),
        (torch.zeros(1, 64), ValueError, "n >= 2"),
    ],
)
def test_bad_samples_are_named(judge, data, samples, error, match):
    with pytest.raises(error, match=match):
        judge(samples, data)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"confidence": 1.5}, "confidence must be a number in"),
        ({"max_reverse_kl": 0}, "max_reverse_kl must be a positive"),
        ({"max_frechet_distance": -1.0}, "max_frechet_distance must be a positive"),
        ({"min_confident_share": "x"}, "min_confident_share"),
    ],
)
def test_bad_settings_are_named(data, kwargs, match):
    with pytest.raises(ValueError, match=match):
        ImageJudge(data, **kwargs)


def test_unlabelled_images_are_refused():
    with pytest.raises(ValueError, match="real must be an ImageData with labels"):
        ImageJudge(tg.ImageData(torch.rand(4, 4)))
