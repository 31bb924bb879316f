import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import tinygan as tg


@given(
    st.integers(min_value=1, max_value=16),
    st.integers(min_value=0, max_value=64),
    st.floats(min_value=-10, max_value=10, allow_nan=False),
)
def test_sample_is_constant(dim, n, value):
    x = tg.ConstantNoise(dim, value=value).sample(n)
    assert x.shape == (n, dim)
    assert x.dtype == torch.float32
    assert torch.equal(x, torch.full((n, dim), value, dtype=torch.float32))


def test_default_is_one_half_and_a_data_source():
    noise = tg.ConstantNoise(4)
    assert isinstance(noise, tg.DataSource)
    assert noise.dim == 4
    assert noise.value == 0.5
    assert torch.equal(noise.sample(2), torch.full((2, 4), 0.5))
    assert "ConstantNoise(4" in repr(noise)


def test_does_not_draw_from_the_generator():
    g = torch.Generator().manual_seed(3)
    state = g.get_state()
    tg.ConstantNoise(4).sample(5, generator=g)
    assert torch.equal(g.get_state(), state)


def test_trains_a_generator_to_a_single_output():
    G, D = tg.mlp([4, 4, 4], generator=torch.Generator().manual_seed(0)), tg.mlp([4, 3, 1])
    trainer = tg.AdversarialTrainer(G, D, tg.FuzzyPattern("1010"), tg.ConstantNoise(4), seed=0)
    trainer.fit(20)
    with torch.no_grad():
        out = G(tg.ConstantNoise(4).sample(3))
    assert torch.equal(out[0], out[1]) and torch.equal(out[1], out[2])


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"dim": 0}, ValueError, "dim"),
        ({"dim": 2.0}, TypeError, "dim"),
        ({"dim": 4, "value": math.inf}, ValueError, "value"),
        ({"dim": 4, "value": math.nan}, ValueError, "value"),
        ({"dim": 4, "value": "0.5"}, TypeError, "value"),
        ({"dim": 4, "value": True}, TypeError, "value"),
    ],
)
def test_bad_arguments(kwargs, error, name):
    with pytest.raises(error, match=name):
        tg.ConstantNoise(**kwargs)


def test_bad_sample_arguments():
    noise = tg.ConstantNoise(4)
    with pytest.raises(ValueError, match="n"):
        noise.sample(-1)
    with pytest.raises(TypeError, match="generator"):
        noise.sample(1, generator=0)
