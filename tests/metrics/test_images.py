"""ImageJudge and frechet_distance: real images pass, one class fails, numbers checked
against independent computations (scipy's matrix square root, hand-made histograms, the
reference's features through coverage_density); the split holds out half of each class."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygan as tg
from tinygan.metrics import (
    CoverageDensity,
    ImageJudge,
    check_verdict,
    counts_as_integers,
    coverage_density,
    default_judge,
    frechet_distance,
)

sklearn = pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def data():
    return tg.digits()


@pytest.fixture(scope="module")
def judge(data):
    return ImageJudge(data)


def gen(seed):
    return torch.Generator().manual_seed(seed)


def test_real_images_pass_with_every_number(judge, data):
    outside = data.images[judge.fit_index]  # real digits the reference does not hold
    verdict = check_verdict(judge(outside[torch.randint(len(outside), (1000,), generator=gen(0))]))
    assert list(verdict) == [
        "classes_covered", "confident_share", "reverse_kl", "frechet_distance", "coverage",
        "density", "worst_class_coverage", "held_out_accuracy", "success",
    ]  # fmt: skip
    assert verdict["classes_covered"] == 10 and verdict["success"] is True
    assert verdict["reverse_kl"] < 0.02 and verdict["frechet_distance"] < 2.0
    assert verdict["coverage"] > 0.85 and 0.8 < verdict["density"] < 1.2
    assert judge.reasons(verdict) == []


@pytest.mark.parametrize("digit", [0, 7])
def test_a_generator_that_draws_one_class_fails(judge, data, digit):
    read = judge.probabilities(data.images).argmax(dim=1)
    one = data.images[(data.labels == digit) & (read == digit)]
    verdict = judge(one, data)
    share = float((data.labels == digit).double().mean())
    assert verdict["classes_covered"] == 1 and verdict["success"] is False
    assert verdict["reverse_kl"] == pytest.approx(math.log(1 / share), rel=1e-9)
    assert verdict["frechet_distance"] > 20 and verdict["coverage"] < 0.15
    assert verdict["worst_class_coverage"] == 0.0


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


def test_the_split_holds_out_half_of_each_class_disjointly(judge, data):
    fit, held = judge.fit_index, judge.reference_index
    assert set(fit.tolist()).isdisjoint(held.tolist())
    assert sorted(fit.tolist() + held.tolist()) == list(range(len(data)))
    for c in range(10):
        mine = int((data.labels == c).sum())
        assert int((data.labels[held] == c).sum()) == round(mine / 2)
    again = ImageJudge(data)
    assert torch.equal(again.reference_index, held)
    other = ImageJudge(data, seed=1)
    assert not torch.equal(other.reference_index, held)


def test_caps_keep_the_class_proportions():
    labels = torch.arange(3000) % 10
    images = torch.rand(3000, 4, generator=gen(0)) + labels[:, None].float()
    judge = ImageJudge(tg.ImageData(images, labels), reference_size=100, fit_size=500)
    assert len(judge.reference_index) == 100 and len(judge.fit_index) == 500
    assert torch.bincount(labels[judge.reference_index]).tolist() == [10] * 10


def test_held_out_accuracy_is_the_classifiers_accuracy_on_the_reference(judge, data):
    held = judge.reference_index
    read = judge.probabilities(data.images[held]).argmax(dim=1)
    expected = float((read == data.labels[held]).double().mean())
    assert judge.held_out_accuracy == expected
    assert 0.95 < expected < 1.0  # not 1: the classifier never saw these
    fit = judge.fit_index
    on_fit = judge.probabilities(data.images[fit]).argmax(dim=1)
    assert float((on_fit == data.labels[fit]).double().mean()) > expected


def test_coverage_and_density_are_against_the_reference_features(judge, data):
    samples = data.sample(300, generator=gen(3))
    verdict = judge(samples, data)
    reference = judge.features(data.images[judge.reference_index])
    whole = coverage_density(reference, judge.features(samples), neighbours=5)
    assert (verdict["coverage"], verdict["density"]) == (whole.coverage, whole.density)
    read = judge.probabilities(samples).argmax(dim=1)
    each = []
    for c in range(10):
        mine = reference[data.labels[judge.reference_index] == c]
        each.append(coverage_density(mine, judge.features(samples[read == c])).coverage)
    assert verdict["worst_class_coverage"] == pytest.approx(min(each), abs=1e-12)
    assert judge.diversity(samples[read == 4], 4).coverage == pytest.approx(each[4], abs=1e-12)
    assert judge.diversity(samples) == whole


def test_diversity_names_a_bad_label_and_takes_no_samples(judge, data):
    with pytest.raises(ValueError, match="label must be one of"):
        judge.diversity(data.images[:3], 10)
    assert judge.diversity(data.images[:0], 2) == CoverageDensity(0.0, 0.0)


def test_reasons_name_each_broken_rule(judge):
    verdict = {
        "classes_covered": 9, "confident_share": 0.4, "reverse_kl": 0.2,
        "frechet_distance": 11.0, "coverage": 0.3, "density": 0.1, "worst_class_coverage": 0.2,
    }  # fmt: skip
    assert judge.reasons(verdict) == [
        "classes_covered 9 < 10",
        "confident_share 0.4 < 0.5",
        "coverage 0.3 < 0.5",
        "worst_class_coverage 0.2 < 0.25",
        "density 0.1 < 0.25",
        "reverse_kl 0.2 > 0.1",
        "frechet_distance 11 > 10",
    ]


def test_counts_are_written_as_integers(judge, data):
    verdict = check_verdict(judge(data.images[:100], data))
    assert type(verdict["classes_covered"]) is float  # check_verdict makes floats
    written = counts_as_integers(verdict, judge)
    assert type(written["classes_covered"]) is int and written["coverage"] == verdict["coverage"]


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
        ({"held_out": 1.0}, r"held_out must be a number in \(0, 1\)"),
        ({"min_coverage": 2}, "min_coverage must be a number in"),
        ({"min_density": -0.5}, "min_density must be a number >= 0"),
        ({"neighbours": 0}, "neighbours must be an integer >= 1"),
        ({"reference_size": 3}, "reference_size must be an integer >= 6"),
    ],
)
def test_bad_settings_are_named(data, kwargs, match):
    with pytest.raises(ValueError, match=match):
        ImageJudge(data, **kwargs)


def test_classes_too_small_to_hold_out_are_refused():
    data = tg.ImageData(torch.rand(30, 4, generator=gen(0)), torch.arange(30) % 5)
    with pytest.raises(ValueError, match="at least 7 images of each class"):
        ImageJudge(data)
    assert ImageJudge(data, neighbours=2).neighbours == 2  # 6 a class is enough for k = 2


def test_unlabelled_images_are_refused():
    with pytest.raises(ValueError, match="real must be an ImageData with labels"):
        ImageJudge(tg.ImageData(torch.rand(4, 4)))
