"""One member layout for every ensemble backend: torch optimisers, schedules, one state."""

from __future__ import annotations

import pytest
import torch

import tinygan as tg
from tinygan.recipes.mixtures import LinearDecay

REAL = tg.FuzzyPattern("1010")
NOISE = tg.UniformNoise(4)


def mlp_trainer(seed: int, optimizer, schedule: bool = True) -> tg.AdversarialTrainer:
    """tg.mlp networks with biases, BCE, the given optimiser and a shared lr schedule."""
    init = torch.Generator().manual_seed(seed)
    return tg.AdversarialTrainer(
        tg.mlp([4, 5, 4], bias=True, generator=init),
        tg.mlp([4, 3, 1], bias=True, generator=init),
        REAL, NOISE, seed=seed, loss=torch.nn.functional.binary_cross_entropy,
        optimizer=optimizer, batch_size=3, lr=0.05,
        callbacks=[LinearDecay(0.05, steps=30)] if schedule else [],
    )  # fmt: skip


def weights(g, d):
    return [*g.parameters(), *d.parameters()]


@pytest.mark.parametrize(
    ("backend", "optimizer"),
    [
        ("fused", lambda ps: torch.optim.AdamW(ps, lr=0.05, weight_decay=0.1)),
        ("fused", lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9)),
        ("native", lambda ps: torch.optim.Adam(ps, lr=0.05)),
        ("native", lambda ps: torch.optim.SGD(ps, lr=0.05)),
        ("vmap", lambda ps: torch.optim.Adam(ps, lr=0.05)),
    ],
)
def test_every_backend_trains_with_the_trainers_optimiser_and_schedule(backend, optimizer):
    seeds = [2, 7, 1]
    trainers = [mlp_trainer(s, optimizer) for s in seeds]
    ensemble = tg.EnsembleTrainer.from_trainers(trainers, backend=backend).fit(20)
    assert ensemble.backend == backend
    rate = ensemble.d_optimizer.param_groups[0]["lr"]
    assert rate == pytest.approx(0.05 * (1 - 20 / 30))  # the shared schedule ran
    for k, seed in enumerate(seeds):
        lone = mlp_trainer(seed, optimizer).fit(20)
        for mine, theirs in zip(
            weights(*ensemble.unstack()[k]), weights(lone.generator, lone.discriminator),
            strict=True,
        ):  # fmt: skip
            torch.testing.assert_close(mine, theirs, rtol=1e-4, atol=2e-5)


def test_auto_takes_the_fused_step_for_any_elementwise_optimiser():
    adamw = lambda ps: torch.optim.AdamW(ps, lr=0.05)  # noqa: E731
    assert tg.EnsembleTrainer.from_trainers([mlp_trainer(s, adamw) for s in (0, 1)]).backend == (
        "fused"
    )
    with pytest.raises(ValueError, match="native' cannot serve this ensemble: the optimisers"):
        tg.EnsembleTrainer.from_trainers([mlp_trainer(s, adamw) for s in (0, 1)], backend="native")


def test_state_holds_the_real_members_and_resumes_on_another_backend():
    def build(backend: str) -> tg.EnsembleTrainer:
        return tg.EnsembleTrainer.from_seeds(
            range(5), REAL, NOISE, optimizer="adam", lr=0.02, bias=True, backend=backend
        )

    straight = build("native").fit(30)
    first = build("native").fit(18)
    state = first.state_dict()
    moments = state["g_optimizer"]["state"][0]
    assert moments["exp_avg"].shape == (5, 4, 4) and float(moments["step"]) == 18
    assert float(state["d_optimizer"]["state"][0]["step"]) == 36  # two D updates per step
    resumed = build("fused")
    resumed.load_state_dict(state)
    resumed.fit(12)
    for (G, D), (H, E) in zip(straight.unstack(), resumed.unstack(), strict=True):
        for mine, theirs in zip(weights(G, D), weights(H, E), strict=True):
            torch.testing.assert_close(mine, theirs, rtol=0, atol=1e-5)
    again = build("fused")
    again.load_state_dict(resumed.state_dict())
    assert torch.equal(again.state_dict()["g_optimizer"]["state"][1]["exp_avg_sq"],
                       resumed.state_dict()["g_optimizer"]["state"][1]["exp_avg_sq"])  # fmt: skip


@pytest.mark.parametrize("backend", ["fused", "native"])
def test_plain_sgd_never_makes_the_optimiser_objects_until_asked(backend):
    """A sweep on plain SGD need not make torch optimisers (the first costs a second)."""
    ens = tg.EnsembleTrainer.from_seeds(range(3), REAL, NOISE, backend=backend).fit(5)
    assert ens._stack._made == [None, None]
    ens.g_optimizer.param_groups[0]["lr"] = 0.0  # made now; the next steps read its rate
    ens.d_optimizer.param_groups[0]["lr"] = 0.0
    frozen = [p.clone() for p in ens.state_dict()["generators"]]
    ens.fit(5)
    assert all(
        torch.equal(a, b) for a, b in zip(frozen, ens.state_dict()["generators"], strict=True)
    )


def test_a_state_of_the_older_layout_is_refused_with_the_reason():
    state = tg.EnsembleTrainer.from_seeds(range(2), REAL, NOISE).fit(3).state_dict()
    older = {k: v for k, v in state.items() if not k.endswith("_optimizer")}
    older |= {"adam_steps": [0, 0], "moments": []}  # what tinygan wrote before
    with pytest.raises(ValueError, match=r"before December 2026.*'moments' or 'vmapped'"):
        tg.EnsembleTrainer.from_seeds(range(2), REAL, NOISE).load_state_dict(older)


@pytest.mark.parametrize(
    ("optimizer", "change"),
    [
        ("sgd", lambda ens: ens.g_optimizer.param_groups[0].update(momentum=0.9)),
        ("adam", lambda ens: ens.g_optimizer.param_groups[0].update(lr=0.001)),
    ],
)
def test_the_native_kernel_refuses_optimisers_changed_into_others(optimizer, change):
    """A rate may change; an optimiser the kernel does not compute is an error, not wrong rows."""
    ens = tg.EnsembleTrainer.from_seeds(
        range(3), REAL, NOISE, optimizer=optimizer, backend="native"
    )
    ens.g_optimizer.param_groups[0]["lr"] = ens.d_optimizer.param_groups[0]["lr"] = 0.02
    ens.fit(3)  # both rates changed alike: still served
    change(ens)
    with pytest.raises(ValueError, match=f"no longer '{optimizer}' as the native kernel"):
        ens.fit(1)
