"""device= on ensembles and sweeps: where the stacks live and every member's data is drawn."""

from __future__ import annotations

import json

import pytest
import torch

import tinygan as tg
from tinygan._checks import check_device
from tinygan.recipes import ring8

REAL = tg.FuzzyPattern("1010")
NOISE = tg.UniformNoise(4)
CUDA = torch.cuda.is_available()


def ensemble(**options):
    return tg.EnsembleTrainer.from_seeds([0, 7, 3], REAL, NOISE, **options)


def weights(ens):
    state = ens.state_dict()
    return [*state["generators"], *state["discriminators"]]


def test_the_default_is_where_the_networks_are():
    ens = ensemble()
    assert ens.device == torch.device("cpu")
    assert all(g.device.type == "cpu" for g in ens.rngs)


@pytest.mark.parametrize("device", ["cpu", torch.device("cpu")])
def test_naming_the_cpu_changes_no_number(device):
    a, b = ensemble().fit(40), ensemble(device=device).fit(40)
    for x, y in zip(weights(a), weights(b), strict=True):
        assert torch.equal(x, y)
    assert b.device == torch.device("cpu")
    for (g1, d1), (g2, d2) in zip(a.unstack(), b.unstack(), strict=True):
        assert next(g2.parameters()).device.type == next(d2.parameters()).device.type == "cpu"
        assert torch.equal(g1(torch.ones(1, 4)), g2(torch.ones(1, 4)))
        assert torch.equal(d1(torch.ones(1, 4)), d2(torch.ones(1, 4)))


@pytest.mark.parametrize(
    ("device", "error", "match"),
    [
        (3.5, TypeError, "device must be a torch.device"),
        ("gpu0", ValueError, "device must name a device"),
        pytest.param(
            "cuda",
            ValueError,
            "device is cuda but this machine has no CUDA device",
            marks=pytest.mark.skipif(CUDA, reason="this machine has a CUDA device"),
        ),
    ],
)
def test_bad_devices_are_named(device, error, match):
    with pytest.raises(error, match=match):
        ensemble(device=device)
    with pytest.raises(error, match=match):
        tg.sweep(2, steps=5, device=device)


def test_check_device_keeps_none_and_names_the_argument():
    assert check_device("where", None) is None
    assert check_device("where", "cpu") == torch.device("cpu")
    with pytest.raises(TypeError, match=r"^where must be"):
        check_device("where", 0)


def test_sweep_on_the_cpu_by_name_gives_the_default_rows(tmp_path):
    default = tg.sweep(3, steps=60)
    named = tg.sweep(3, steps=60, device="cpu", out=tmp_path / "s")
    assert named.rows == default.rows
    assert named.config.device == "cpu"
    spec = json.loads((tmp_path / "s" / "sweep.json").read_text())
    assert spec["config"]["device"] == "cpu"


def test_a_folder_written_before_sweeps_had_a_device_resumes(tmp_path):
    out = tmp_path / "old"
    first = tg.sweep([0, 1], steps=30, out=out)
    spec = json.loads((out / "sweep.json").read_text())
    del spec["config"]["device"]
    (out / "sweep.json").write_text(json.dumps(spec))
    assert tg.sweep([0, 1], steps=30, out=out, resume=True).rows == first.rows
    spec["config"]["device"] = "meta"  # another device is another sweep
    (out / "sweep.json").write_text(json.dumps(spec))
    with pytest.raises(ValueError, match=r"config\.device"):
        tg.sweep([0, 1], steps=30, out=out, resume=True)


def test_a_recipe_sweep_takes_its_device_from_the_recipe():
    with pytest.raises(TypeError, match="device configure the post's GAN"):
        tg.sweep(2, ring8, steps=5, device="cpu")


@pytest.mark.skipif(not CUDA, reason="needs a CUDA device")
def test_a_cuda_ensemble_draws_there_and_each_member_is_its_lone_cuda_run():
    ens = ensemble(device="cuda")
    record = ens.fit(30).step()
    assert record.fake.device.type == "cuda"
    assert all(g.device.type == "cuda" for g in ens.rngs)
    for k, seed in enumerate(ens.seeds):
        g = torch.Generator().manual_seed(seed)
        G = tg.mlp([4, 4, 4], generator=g).to("cuda")
        D = tg.mlp([4, 3, 1], generator=g).to("cuda")
        lone = tg.AdversarialTrainer(G, D, REAL, NOISE, seed=seed, device="cuda").fit(31)
        mine, _ = ens.unstack()[k]
        for a, b in zip(mine.parameters(), lone.generator.parameters(), strict=True):
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_a_vmapped_ensemble_trains_where_its_trainers_do():
    def trainer(seed):
        g = torch.Generator().manual_seed(seed)
        G = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Sigmoid())
        D = torch.nn.Sequential(torch.nn.Linear(4, 1), torch.nn.Sigmoid())
        with torch.no_grad():
            for p in [*G.parameters(), *D.parameters()]:
                p.uniform_(-0.5, 0.5, generator=g)
        return tg.AdversarialTrainer(G, D, REAL, NOISE, seed=seed, device="cpu")

    ens = tg.EnsembleTrainer.from_trainers([trainer(0), trainer(1)])
    assert ens.backend == "vmap"  # biases and nn.Sequential
    assert ens.device == torch.device("cpu")
    assert all(g.device.type == "cpu" for g in ens.rngs)


def test_a_sweep_configuration_may_name_another_machines_device():
    config = tg.SweepConfig(device="cuda:1")  # a cluster's GPU workers, say
    assert config.device == "cuda:1"
    with pytest.raises(ValueError, match="device must name a device"):
        tg.SweepConfig(device="gpu0")
    assert check_device("device", "cuda", here=False) == torch.device("cuda")
