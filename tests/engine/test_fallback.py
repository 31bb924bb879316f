"""A fallback is said once, and recorded beside the backend that runs in its place."""

import logging
import warnings

import pytest
import torch

import tinygan as tg
from tinygan.engine import native
from tinygan.engine.fallback import Fallback, warn_fallback

REAL = tg.FuzzyPattern("1010")
NOISE = tg.UniformNoise(4)


def test_warn_fallback_warns_and_logs_naming_the_reason_and_what_runs(caplog):
    caplog.set_level(logging.INFO, logger="tinygan")
    with pytest.warns(RuntimeWarning) as caught:
        warn_fallback("native", "no C compiler", "fused")
    expected = "backend 'native' cannot run here (no C compiler); training goes on with 'fused'"
    assert [str(w.message) for w in caught] == [expected]
    assert caplog.records[-1].name == "tinygan.engine"
    assert caplog.records[-1].getMessage() == expected


def test_a_fallback_warns_once_per_reason_and_keeps_the_latest():
    fallback = Fallback()
    assert fallback.record({"name": "fused"}) == {"name": "fused"}  # nothing asked for
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            fallback("native", "no C compiler", "fused")
        fallback("native", "a 20-layer generator", "fused")
    assert len(caught) == 2
    assert fallback.record({"name": "fused"}) == {
        "name": "fused",
        "requested": "native",
        "fallback": "a 20-layer generator",
    }
    # where the backend asked for runs after all (the owner changed), nothing is added
    assert fallback.record({"name": "native", "isa": "x86-64"}) == {
        "name": "native",
        "isa": "x86-64",
    }


@pytest.fixture
def no_compiler(tmp_path, monkeypatch):
    monkeypatch.setenv("CC", "no-such-compiler-here")
    monkeypatch.setenv("TINYGAN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(native, "_LOADED", {})


def _post(**kwargs):
    g = torch.Generator().manual_seed(0)
    G, D = tg.mlp([4, 4, 4], generator=g), tg.mlp([4, 3, 1], generator=g)
    return tg.AdversarialTrainer(G, D, REAL, NOISE, seed=0, **kwargs)


@pytest.mark.usefixtures("no_compiler")
def test_trainers_and_ensembles_record_what_was_asked_for_and_why_it_did_not_run():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        owners = [
            _post(backend="native"),
            _post(compile=True),
            tg.EnsembleTrainer.from_seeds(range(3), REAL, NOISE, backend="native"),
            tg.EnsembleTrainer.from_seeds(range(3), REAL, NOISE, compile=True),
        ]
    for owner in owners:
        info = owner.fit(2).backend_info()
        assert owner.backend == info["name"] == "fused"
        assert info["requested"] == "native"
        assert info["fallback"].startswith("no C compiler: 'no-such-compiler-here'")
    assert _post().backend_info() == {"name": "fused"}  # auto: nothing fell back


def test_a_soft_request_that_cannot_serve_records_the_reason():
    with pytest.warns(RuntimeWarning, match="hinge.*training goes on with .vmap."):
        ensemble = tg.EnsembleTrainer.from_seeds(
            range(2), REAL, NOISE, objective="hinge", compile=True
        )
    info = ensemble.backend_info()
    assert info["name"] == "vmap" and info["requested"] == "native"
    assert "hinge" in info["fallback"]


@pytest.mark.usefixtures("no_compiler")
def test_the_record_gives_the_reason_that_holds_now():
    from torch.nn import functional

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trainer = _post(compile=True).fit(2)
        assert trainer.backend_info()["fallback"].startswith("no C compiler")
        trainer.loss = lambda out, target: functional.mse_loss(out, target)  # not the fused one
        assert trainer.fit(2).backend_info()["name"] == "autograd"
        assert "the loss is not" in trainer.backend_info()["fallback"]
        trainer.loss = functional.mse_loss
        info = trainer.fit(2).backend_info()
    assert info["name"] == "fused" and info["fallback"].startswith("no C compiler")
    assert len(caught) == 2  # each reason said once
