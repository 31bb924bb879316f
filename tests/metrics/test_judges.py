"""Judges: the pattern judge against a hand computation, defaults, and checked verdicts."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygan as tg
from tinygan.metrics import check_verdict, default_judge, pattern_judge, pattern_verdicts


@settings(max_examples=40, deadline=None)
@given(
    pattern=st.text(alphabet="01", min_size=1, max_size=6),
    n=st.integers(1, 50),
    seed=st.integers(0, 2**31 - 1),
)
def test_pattern_judge_matches_a_plain_numpy_computation(pattern, n, seed):
    real = tg.FuzzyPattern(pattern)
    samples = torch.rand(n, real.dim, generator=torch.Generator().manual_seed(seed))
    verdict = pattern_judge(samples, real)
    x = samples.double().numpy()
    for j in range(real.dim):
        mean = x[:, j].mean()
        assert verdict[f"mean_{j + 1}"] == pytest.approx(mean, abs=1e-12)
        assert verdict[f"spread_{j + 1}"] == pytest.approx(x[:, j].std(), abs=1e-12)
    means = x.mean(axis=0)
    lows = np.array([lo for lo, _ in real.ranges])
    highs = np.array([hi for _, hi in real.ranges])
    inside = bool(((means >= lows) & (means <= highs)).all())
    assert verdict["success"] is inside
    assert (verdict["distance"] == 0.0) is inside


def test_real_data_succeeds_and_its_opposite_fails():
    real = tg.FuzzyPattern("1010")
    g = torch.Generator().manual_seed(0)
    assert pattern_judge(real.sample(500, generator=g), real)["success"] is True
    verdict = pattern_judge(real.opposite().sample(500, generator=g), real)
    assert verdict["success"] is False
    assert verdict["distance"] == pytest.approx(0.7, abs=0.02)


def test_default_judges():
    assert default_judge(tg.FuzzyPattern("10")) is pattern_judge

    class Mine:
        dim = 1

        def sample(self, n, *, generator=None):
            return torch.zeros(n, 1)

        def judge(self, samples):
            return {"mean": float(samples.mean()), "success": True}

    source = Mine()
    assert default_judge(source)(torch.ones(3, 1), source) == {"mean": 1.0, "success": True}
    with pytest.raises(TypeError, match="judge="):
        default_judge(tg.UniformNoise(2))


def test_check_verdict_makes_plain_numbers():
    verdict = check_verdict(
        {"a": 1, "b": np.float32(0.5), "c": torch.tensor(2.0), "success": np.bool_(True)}
    )
    assert verdict == {"a": 1.0, "b": 0.5, "c": 2.0, "success": True}
    assert type(verdict["a"]) is float and verdict["success"] is True
    assert check_verdict({"success": 1})["success"] is True
    assert math.isnan(check_verdict({"x": float("nan"), "success": False})["x"])


@pytest.mark.parametrize(
    ("verdict", "error", "match"),
    [
        ([1, 2], TypeError, "mapping"),
        ({"x": 1.0}, ValueError, "'success'"),
        ({"a,b": 1.0, "success": True}, ValueError, "CSV"),
        ({"seed": 99.0, "success": True}, ValueError, "'seed', which a sweep's seeds.csv"),
        ({"d_loss": 5.0, "success": True}, ValueError, "'d_loss', which a sweep's seeds.csv"),
        ({"x": "high", "success": True}, TypeError, "numbers or bools"),
        ({"success": 0.5}, ValueError, "bool"),
    ],
)
def test_check_verdict_errors_name_the_judge(verdict, error, match):
    def my_judge(samples, real):
        return verdict

    with pytest.raises(error, match=match) as info:
        check_verdict(verdict, my_judge)
    assert "my_judge" in str(info.value)


@settings(max_examples=20, deadline=None)
@given(
    pattern=st.text(alphabet="01", min_size=1, max_size=5),
    members=st.integers(1, 6),
    n=st.integers(1, 40),
    seed=st.integers(0, 2**31 - 1),
)
def test_pattern_verdicts_are_each_generators_own_verdict(pattern, members, n, seed):
    real = tg.FuzzyPattern(pattern)
    outputs = torch.rand(members, n, real.dim, generator=torch.Generator().manual_seed(seed))
    many = pattern_verdicts(outputs.double().numpy(), real)
    assert many == [pattern_judge(x, real) for x in outputs]  # exactly, not approximately
