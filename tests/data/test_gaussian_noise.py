"""GaussianNoise: standard normal vectors, drawn from the generator given, checked input."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygan as tg


@settings(max_examples=25, deadline=None)
@given(dim=st.integers(1, 64), n=st.integers(0, 300), seed=st.integers(0, 2**32 - 1))
def test_shape_dtype_and_the_same_numbers_for_the_same_seed(dim, n, seed):
    noise = tg.GaussianNoise(dim)
    a = noise.sample(n, generator=torch.Generator().manual_seed(seed))
    b = noise.sample(n, generator=torch.Generator().manual_seed(seed))
    assert a.shape == (n, dim) and a.dtype == torch.float32
    assert torch.equal(a, b)
    assert bool(torch.isfinite(a).all())


def test_draws_are_torch_randn_of_the_generator():
    expected = torch.randn(5, 3, generator=torch.Generator().manual_seed(7))
    got = tg.GaussianNoise(3).sample(5, generator=torch.Generator().manual_seed(7))
    assert torch.equal(got, expected)


def test_moments_are_standard_normal():
    z = tg.GaussianNoise(8).sample(20_000, generator=torch.Generator().manual_seed(0))
    assert abs(float(z.mean())) < 0.02
    assert abs(float(z.std()) - 1.0) < 0.02


def test_it_is_a_data_source_and_never_touches_the_global_rng():
    state = torch.get_rng_state()
    noise = tg.GaussianNoise(2)
    noise.sample(4, generator=torch.Generator().manual_seed(0))
    assert torch.equal(torch.get_rng_state(), state)
    assert isinstance(noise, tg.DataSource)
    assert repr(noise) == "GaussianNoise(2)"


@pytest.mark.parametrize(("dim", "error"), [(0, ValueError), (2.5, TypeError), (True, TypeError)])
def test_bad_dim_names_the_argument(dim, error):
    with pytest.raises(error, match="dim"):
        tg.GaussianNoise(dim)


def test_bad_n_and_generator_name_the_argument():
    with pytest.raises(ValueError, match="n"):
        tg.GaussianNoise(2).sample(-1)
    with pytest.raises(TypeError, match="generator"):
        tg.GaussianNoise(2).sample(2, generator=0)
