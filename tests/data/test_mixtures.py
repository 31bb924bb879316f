"""GaussianMixture: the ring and grid means, draws from the given generator, checked input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.strategies import mixtures

import tinygan as tg


def test_ring_means_are_on_the_circle_at_equal_angles():
    ring = tg.GaussianMixture.ring()
    assert ring.means.shape == (8, 2) and ring.dim == 2 and ring.std == 0.01
    angles = [2 * math.pi * k / 8 for k in range(8)]
    expected = torch.tensor([[math.cos(a), math.sin(a)] for a in angles], dtype=torch.float32)
    assert torch.allclose(ring.means, expected, atol=1e-7)
    assert torch.allclose(ring.weights, torch.full((8,), 1 / 8, dtype=torch.float64))
    big = tg.GaussianMixture.ring(modes=3, radius=2.5, std=0.1)
    assert torch.allclose(big.means.norm(dim=1), torch.full((3,), 2.5))


def test_grid_means_are_the_pacgan_grid():
    grid = tg.GaussianMixture.grid()
    assert grid.means.shape == (25, 2) and grid.std == 0.05
    axis = [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert grid.means.tolist() == [[x, y] for x in axis for y in axis]
    assert tg.GaussianMixture.grid(side=2, spacing=1.0).means.tolist() == [
        [-0.5, -0.5],
        [-0.5, 0.5],
        [0.5, -0.5],
        [0.5, 0.5],
    ]


@settings(max_examples=30, deadline=None)
@given(args=mixtures(), n=st.integers(0, 200), seed=st.integers(0, 2**32 - 1))
def test_samples_are_float32_and_the_same_for_the_same_seed(args, n, seed):
    mix = tg.GaussianMixture(args["means"], args["std"], weights=args["weights"])
    a = mix.sample(n, generator=torch.Generator().manual_seed(seed))
    b = mix.sample(n, generator=torch.Generator().manual_seed(seed))
    assert a.shape == (n, len(args["means"][0])) and a.dtype == torch.float32
    assert torch.equal(a, b)
    assert isinstance(mix, tg.DataSource)


def test_draws_pick_components_then_noise_from_the_generator():
    # The oracle: one uniform per sample picks the component by the cumulative weights,
    # then one normal draw per coordinate, both from the same generator, in that order.
    mix = tg.GaussianMixture([[0.0, 0.0], [5.0, 5.0], [-5.0, 5.0]], 0.5, weights=[0.2, 0.3, 0.5])
    rng = torch.Generator().manual_seed(3)
    u = torch.rand(7, generator=rng, dtype=torch.float64)
    noise = torch.randn(7, 2, generator=rng)
    index = [0 if v < 0.2 else 1 if v < 0.5 else 2 for v in u.tolist()]
    expected = mix.means[index] + 0.5 * noise
    got = mix.sample(7, generator=torch.Generator().manual_seed(3))
    assert torch.equal(got, expected)


def test_component_shares_follow_the_weights_and_zero_weight_is_never_drawn():
    mix = tg.GaussianMixture([[0.0], [10.0], [20.0]], 0.1, weights=[0.25, 0.0, 0.75])
    x = mix.sample(20_000, generator=torch.Generator().manual_seed(0)).numpy()[:, 0]
    assert not np.any((x > 5) & (x < 15))
    assert abs(np.mean(x > 15) - 0.75) < 0.015
    ring = tg.GaussianMixture.ring()
    y = ring.sample(20_000, generator=torch.Generator().manual_seed(1))
    offsets = y - ring.means[torch.cdist(y, ring.means).argmin(dim=1)]
    assert abs(float(offsets.std()) - 0.01) < 0.0005


def test_never_touches_the_global_rng_and_repr():
    state = torch.get_rng_state()
    tg.GaussianMixture.grid().sample(5, generator=torch.Generator().manual_seed(0))
    assert torch.equal(torch.get_rng_state(), state)
    assert repr(tg.GaussianMixture([[0.0, 1.0]], 0.5)) == "GaussianMixture([[0.0, 1.0]], std=0.5)"
    assert "weights=[0.25, 0.75]" in repr(
        tg.GaussianMixture([[0.0], [1.0]], 1.0, weights=[0.25, 0.75])
    )
    assert repr(tg.GaussianMixture.ring()) == "GaussianMixture(<8 means of dim 2>, std=0.01)"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"means": [[0.0, 0.0]], "std": 0.0}, ValueError, "std"),
        ({"means": [[0.0, 0.0]], "std": -1.0}, ValueError, "std"),
        ({"means": [[0.0, 0.0]], "std": math.nan}, ValueError, "std"),
        ({"means": [[0.0, 0.0]], "std": math.inf}, ValueError, "std"),
        ({"means": [[0.0, 0.0]], "std": "1"}, TypeError, "std"),
        ({"means": [0.0, 0.0], "std": 1.0}, ValueError, "means"),
        ({"means": [[[0.0]]], "std": 1.0}, ValueError, "means"),
        ({"means": [], "std": 1.0}, ValueError, "means"),
        ({"means": [[0.0, math.nan]], "std": 1.0}, ValueError, "means"),
        ({"means": [[0.0, math.inf]], "std": 1.0}, ValueError, "means"),
        ({"means": [["a", "b"]], "std": 1.0}, TypeError, "means"),
        ({"means": [[0.0], [1.0]], "std": 1.0, "weights": [1.5, -0.5]}, ValueError, "weights"),
        ({"means": [[0.0], [1.0]], "std": 1.0, "weights": [0.3, 0.3]}, ValueError, "sum to 1"),
        ({"means": [[0.0], [1.0]], "std": 1.0, "weights": [1.0]}, ValueError, "weights"),
        ({"means": [[0.0], [1.0]], "std": 1.0, "weights": [0.5, math.nan]}, ValueError, "weights"),
        ({"means": [[0.0], [1.0]], "std": 1.0, "weights": "ab"}, TypeError, "weights"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        tg.GaussianMixture(kwargs.pop("means"), kwargs.pop("std"), **kwargs)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: tg.GaussianMixture.ring(modes=0), ValueError, "modes"),
        (lambda: tg.GaussianMixture.ring(modes=2.0), TypeError, "modes"),
        (lambda: tg.GaussianMixture.ring(radius=0), ValueError, "radius"),
        (lambda: tg.GaussianMixture.ring(std=-0.1), ValueError, "std"),
        (lambda: tg.GaussianMixture.grid(side=0), ValueError, "side"),
        (lambda: tg.GaussianMixture.grid(spacing=math.inf), ValueError, "spacing"),
        (lambda: tg.GaussianMixture.ring().sample(-1), ValueError, "n"),
        (lambda: tg.GaussianMixture.ring().sample(2, generator=0), TypeError, "generator"),
    ],
)
def test_bad_classmethod_and_sample_arguments_name_the_argument(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_means_may_be_a_tensor_and_are_copied():
    means = torch.tensor([[1.0, 2.0]])
    mix = tg.GaussianMixture(means, 1.0)
    means[0, 0] = 9.0
    assert mix.means.tolist() == [[1.0, 2.0]]
