"""The backend table: which backend runs what, what is refused and why, and how a fallback
is said once and recorded beside the backend that runs in its place."""

import logging
import warnings

import pytest
import torch
from torch import nn
from torch.nn import functional

import tinygan as tg
from tinygan.engine import native
from tinygan.engine.table import (
    AUTO,
    BACKENDS,
    Fallback,
    Request,
    check_backend,
    choose,
    warn_fallback,
)

REAL = tg.FuzzyPattern("1010")
NOISE = tg.UniformNoise(4)


def post(seed=0, **kwargs):
    g = torch.Generator().manual_seed(seed)
    return tg.AdversarialTrainer(
        tg.mlp([4, 4, 4], generator=g), tg.mlp([4, 3, 1], generator=g), REAL, NOISE,
        seed=seed, **kwargs,
    )  # fmt: skip


def test_the_names_and_what_auto_tries():
    assert BACKENDS == ("autograd", "fused", "native", "vmap")
    assert AUTO == {"trainer": ("fused", "autograd"), "ensemble": ("fused", "vmap")}


@pytest.mark.parametrize(
    ("backend", "compile", "expected"),
    [
        ("auto", False, Request("auto")),
        ("fused", False, Request("fused")),
        ("auto", True, Request("native", soft=True)),
        ("native", True, Request("native")),
    ],
)
def test_check_backend(backend, compile, expected):
    assert check_backend(backend, compile) == expected


def test_check_backend_refuses_with_the_argument_named():
    with pytest.raises(ValueError, match=r"backend must be one of 'auto', 'autograd'.*got 'cuda'"):
        check_backend("cuda")
    with pytest.raises(ValueError, match=r"compile=True .* cannot go with 'fused'"):
        check_backend("fused", True)
    with pytest.raises(TypeError, match="compile must be True or False"):
        check_backend("auto", "yes")


def test_choose_takes_the_first_that_serves_and_names_why_not():
    def why_not(name):
        return {"fused": "the loss is its own"}.get(name)

    assert choose("trainer", Request(), why_not) == "autograd"
    assert choose("trainer", Request("autograd"), why_not) == "autograd"
    with pytest.raises(ValueError, match="backend='fused' cannot serve this trainer: the loss"):
        choose("trainer", Request("fused"), why_not)
    with pytest.raises(ValueError, match="'vmap' cannot serve this trainer: it trains ensembles"):
        choose("trainer", Request("vmap"), why_not)
    with pytest.warns(RuntimeWarning, match="'fused' cannot run here .*goes on with 'autograd'"):
        assert choose("trainer", Request("fused", soft=True), why_not) == "autograd"


# -- lone trainers -------------------------------------------------------------------------


def test_a_lone_trainer_names_its_backend():
    assert post().backend == "fused"
    assert post(backend="autograd").backend == "autograd"
    assert post(backend="native").backend == "native"
    assert post(compile=True).backend == "native"
    d = tg.DiscriminatorTrainer(tg.mlp([4, 3, 1]), REAL, REAL.opposite(), seed=0)
    assert d.backend == "fused"


def test_what_the_fused_step_cannot_serve_is_named():
    cases = {
        "the loss is not mean squared error": {"loss": lambda out, t: ((out - t) ** 4).mean()},
        "optimiser is not a plain torch.optim.SGD": {
            "optimizer": lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9)
        },
    }
    for reason, options in cases.items():
        assert post(**options).backend == "autograd"
        with pytest.raises(
            ValueError, match=f"backend='fused' cannot serve this trainer: .*{reason}"
        ):
            post(backend="fused", **options)
    G = nn.Sequential(nn.Linear(4, 4), nn.Sigmoid())
    trainer = tg.AdversarialTrainer(G, tg.mlp([4, 3, 1]), REAL, NOISE, seed=0)
    assert trainer.backend == "autograd"
    with pytest.raises(ValueError, match=r"the generator is not a tg\.mlp network"):
        tg.AdversarialTrainer(G, tg.mlp([4, 3, 1]), REAL, NOISE, seed=0, backend="native")

    class TwoToOne(tg.AdversarialTrainer):
        def step(self):
            return super().step()

    g = torch.Generator().manual_seed(0)
    mine = TwoToOne(tg.mlp([4, 4, 4], generator=g), tg.mlp([4, 3, 1], generator=g), REAL, NOISE)
    assert mine.backend == "autograd"  # its own step runs, out of the autograd parts
    with pytest.raises(ValueError, match="TwoToOne overrides step"):
        TwoToOne(tg.mlp([4, 4, 4]), tg.mlp([4, 3, 1]), REAL, NOISE, backend="fused")
    with pytest.raises(ValueError, match="adversarial pairs only"):
        tg.DiscriminatorTrainer(tg.mlp([4, 3, 1]), REAL, REAL.opposite(), backend="native")
    with pytest.raises(ValueError, match=r"trains ensembles .*; a lone trainer runs on 'autograd'"):
        post(backend="vmap")
    with pytest.raises(ValueError, match=r"'autograd' cannot serve this ensemble: .* an ens"):
        tg.EnsembleTrainer.from_seeds(range(2), REAL, NOISE, backend="autograd")


def test_networks_deeper_than_the_kernel_takes_are_refused_or_left_to_fused():
    g = torch.Generator().manual_seed(0)
    deep = [4] * 20 + [4]  # 20 layers: the kernel takes 1 to 16

    def trainer(**kwargs):
        G, D = tg.mlp(deep, generator=g), tg.mlp([4, 3, 1], generator=g)
        return tg.AdversarialTrainer(G, D, REAL, NOISE, seed=0, **kwargs)

    with pytest.raises(ValueError, match=r"'native' cannot serve .*20 layers .*1 to 16"):
        trainer(backend="native")
    with pytest.warns(RuntimeWarning, match=r"20 layers .*training goes on with 'fused'"):
        asked = trainer(compile=True)
    assert asked.backend == "fused" and trainer().backend == "fused"
    asked.fit(3)
    assert asked.iteration == 3


def test_compile_true_falls_back_with_one_warning_naming_why():
    with pytest.warns(RuntimeWarning, match="'native' cannot run here .*tg.mlp.*'autograd'"):
        trainer = tg.AdversarialTrainer(
            nn.Sequential(nn.Linear(4, 4), nn.Sigmoid()), tg.mlp([4, 3, 1]), REAL, NOISE,
            seed=0, compile=True,
        )  # fmt: skip
    assert trainer.backend == "autograd"


def test_the_choice_follows_the_trainer_as_it_changes():
    trainer = post()
    trainer.fit(3)
    assert trainer.backend == "fused"
    trainer.loss = lambda out, target: functional.mse_loss(out, target)
    assert trainer.backend == "autograd"
    trainer.fit(3)  # on autograd now
    assert trainer.discriminator[0].weight.grad is not None
    trainer.loss = functional.mse_loss
    assert trainer.backend == "fused"
    strict = post(backend="fused")
    strict.loss = lambda out, target: functional.mse_loss(out, target)
    with pytest.raises(ValueError, match="backend='fused' cannot serve"):
        strict.fit(1)


def test_backend_info_names_what_ran_and_the_kernel_it_ran():
    assert post().backend_info() == {"name": "fused"}
    info = post(backend="native").backend_info()
    assert info["name"] == "native"
    assert {"source_sha256", "library_sha256", "flags", "isa", "compiler"} <= set(info)


# -- ensembles -----------------------------------------------------------------------------


def test_an_ensemble_names_its_backend():
    ens = tg.EnsembleTrainer.from_seeds(range(3), REAL, NOISE)
    assert ens.backend == "fused" and ens.backend_info() == {"name": "fused"}
    assert tg.EnsembleTrainer.from_seeds(range(3), REAL, NOISE, compile=True).backend == "native"
    for name in ("native", "fused", "vmap"):
        assert tg.EnsembleTrainer.from_seeds(range(3), REAL, NOISE, backend=name).backend == name
    with pytest.raises(ValueError, match="'autograd' cannot serve this ensemble: it runs a lone"):
        tg.EnsembleTrainer.from_seeds(range(3), REAL, NOISE, backend="autograd")


def test_an_ensemble_of_other_networks_is_vmapped_or_refused():
    def trainer(seed):
        g = torch.Generator().manual_seed(seed)
        G = nn.Sequential(nn.Linear(4, 4), nn.Tanh())
        D = tg.mlp([4, 3, 1], generator=g)
        return tg.AdversarialTrainer(G, D, REAL, NOISE, seed=seed)

    assert tg.EnsembleTrainer.from_trainers([trainer(0), trainer(1)]).backend == "vmap"
    with pytest.raises(
        ValueError, match="'native' cannot serve this ensemble: each of the generators is not a tg"
    ):
        tg.EnsembleTrainer.from_trainers([trainer(0), trainer(1)], backend="native")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ens = tg.EnsembleTrainer.from_trainers([trainer(0), trainer(1)], compile=True)
    assert ens.backend == "vmap"
    assert ["goes on with 'vmap'" in str(w.message) for w in caught] == [True]


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


@pytest.mark.usefixtures("no_compiler")
def test_trainers_and_ensembles_record_what_was_asked_for_and_why_it_did_not_run():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        owners = [
            post(backend="native"),
            post(compile=True),
            tg.EnsembleTrainer.from_seeds(range(3), REAL, NOISE, backend="native"),
            tg.EnsembleTrainer.from_seeds(range(3), REAL, NOISE, compile=True),
        ]
    for owner in owners:
        info = owner.fit(2).backend_info()
        assert owner.backend == info["name"] == "fused"
        assert info["requested"] == "native"
        assert info["fallback"].startswith("no C compiler: 'no-such-compiler-here'")
    assert post().backend_info() == {"name": "fused"}  # auto: nothing fell back


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
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trainer = post(compile=True).fit(2)
        assert trainer.backend_info()["fallback"].startswith("no C compiler")
        trainer.loss = lambda out, target: functional.mse_loss(out, target)  # not the fused one
        assert trainer.fit(2).backend_info()["name"] == "autograd"
        assert "the loss is not" in trainer.backend_info()["fallback"]
        trainer.loss = functional.mse_loss
        info = trainer.fit(2).backend_info()
    assert info["name"] == "fused" and info["fallback"].startswith("no C compiler")
    assert len(caught) == 2  # each reason said once
