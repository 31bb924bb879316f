"""compile=True: the fused step through torch.compile, and its fallback to eager."""

import copy
import warnings

import pytest
import torch

import tinygan as tg
import tinygan._compiled

REAL = tg.FuzzyPattern("1010")
NOISE = tg.UniformNoise(4)


class PlainAdversarial(tg.AdversarialTrainer):
    def train_generator(self, noise, target=1.0):
        return super().train_generator(noise, target)


def nets(seed=0):
    g = torch.Generator().manual_seed(seed)
    return tg.mlp([4, 4, 4], generator=g), tg.mlp([4, 3, 1], generator=g)


def weights(*modules):
    return [p.detach() for m in modules for p in m.parameters()]


@pytest.mark.slow
def test_compiled_step_equals_plain_path():
    G, D = nets()
    G2, D2 = copy.deepcopy(G), copy.deepcopy(D)
    log = tg.LossLogger()
    compiled = tg.AdversarialTrainer(G, D, REAL, NOISE, seed=1, compile=True, callbacks=[log])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compiled.fit(400)
        compiled.d_optimizer.param_groups[0]["lr"] = 0.02  # a new lr: no recompilation
        compiled.fit(600)
    assert not [w for w in caught if "compile=True" in str(w.message)]  # it did compile
    plain = PlainAdversarial(G2, D2, REAL, NOISE, seed=1)
    plain.fit(400)
    plain.d_optimizer.param_groups[0]["lr"] = 0.02
    plain.fit(600)
    assert G[0].weight.grad is None
    for a, b in zip(weights(G, D), weights(G2, D2), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-6)
    assert torch.equal(compiled.rng.get_state(), plain.rng.get_state())
    assert log.g_loss.shape == (1000,)


def test_no_compiler_falls_back_with_one_warning(monkeypatch):
    def broken(*args, **kwargs):
        def step(*tensors):
            raise RuntimeError("simulated: no working C++ compiler")

        return step

    monkeypatch.setattr(tinygan._compiled, "compiled_step", broken)
    G, D = nets(2)
    G2, D2 = copy.deepcopy(G), copy.deepcopy(D)
    with pytest.warns(RuntimeWarning, match="compile=True") as caught:
        tg.AdversarialTrainer(G, D, REAL, NOISE, seed=3, compile=True).fit(100).fit(50)
    assert len([w for w in caught if issubclass(w.category, RuntimeWarning)]) == 1
    tg.AdversarialTrainer(G2, D2, REAL, NOISE, seed=3).fit(150)
    for a, b in zip(weights(G, D), weights(G2, D2), strict=True):
        assert torch.equal(a, b)  # the eager fused step, bit for bit


def test_compile_must_be_a_bool():
    G, D = nets()
    with pytest.raises(TypeError, match="compile"):
        tg.AdversarialTrainer(G, D, REAL, NOISE, compile="yes")
