"""General ensembles: any alike networks, loss and elementwise optimiser, member = lone trainer."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import tinygan as tg
from tinygan.ensemble.alike import stackable

REAL = tg.FuzzyPattern("1010")


def user_loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return ((output - target) ** 2).mean() + 0.1 * (output - target).abs().mean()


def custom_nets(seed: int) -> tuple[nn.Module, nn.Module]:
    """Networks not built by tg.mlp: biases, LeakyReLU, LayerNorm, Tanh."""
    g = torch.Generator().manual_seed(seed)
    G = nn.Sequential(nn.Linear(4, 8), nn.LeakyReLU(0.2), nn.LayerNorm(8), nn.Linear(8, 4))
    D = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 1), nn.Sigmoid())
    with torch.no_grad():
        for p in [*G.parameters(), *D.parameters()]:
            p.uniform_(-0.5, 0.5, generator=g)
    return G, D


OPTIMIZERS = {
    "adamw": lambda ps: torch.optim.AdamW(ps, lr=1e-2, weight_decay=0.1),
    "sgd-momentum": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    "rmsprop": lambda ps: torch.optim.RMSprop(ps, lr=1e-3),
}


def custom_trainer(seed: int, optimizer: str = "adamw", **options) -> tg.AdversarialTrainer:
    G, D = custom_nets(seed)
    return tg.AdversarialTrainer(
        G, D, REAL, tg.UniformNoise(4), seed=seed, loss=user_loss,
        optimizer=OPTIMIZERS[optimizer], **{"batch_size": 4, **options},
    )  # fmt: skip


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_each_member_follows_its_lone_trainer(optimizer):
    seeds = [3, 1, 4]
    ensemble = tg.EnsembleTrainer.from_trainers([custom_trainer(s, optimizer) for s in seeds])
    log = tg.LossLogger()
    ensemble.callbacks.append(log)
    ensemble.fit(30)
    assert ensemble.backend == "vmap"  # not the stacked MLPs
    for k, seed in enumerate(seeds):
        lone_log = tg.LossLogger()
        lone = custom_trainer(seed, optimizer, callbacks=[lone_log]).fit(30)
        G, D = ensemble.unstack()[k]
        for mine, theirs in zip(
            [*G.parameters(), *D.parameters()],
            [*lone.generator.parameters(), *lone.discriminator.parameters()],
            strict=True,
        ):
            torch.testing.assert_close(mine, theirs, rtol=1e-4, atol=1e-5)
        mine, theirs = torch.as_tensor(log.g_loss[:, k]), torch.as_tensor(lone_log.g_loss)
        torch.testing.assert_close(mine, theirs, rtol=1e-4, atol=1e-5)


def test_generate_runs_every_member_on_shared_noise():
    trainers = [custom_trainer(s) for s in range(3)]
    ensemble = tg.EnsembleTrainer.from_trainers(trainers).fit(5)
    z = torch.rand(7, 4, generator=torch.Generator().manual_seed(0))
    out = ensemble.generate(z)
    assert out.shape == (3, 7, 4)
    for k, (G, _) in enumerate(ensemble.unstack()):
        torch.testing.assert_close(out[k], G(z).detach())


def test_a_member_does_not_depend_on_how_many_share_its_ensemble():
    """Members are padded to a multiple of 32: member 2 of 3 or of 40 is bit for bit one."""
    z = torch.rand(7, 4, generator=torch.Generator().manual_seed(0))
    seen = []
    for seeds in ([2], [0, 1, 2], list(range(40))):
        ensemble = tg.EnsembleTrainer.from_trainers([custom_trainer(s) for s in seeds]).fit(20)
        k = seeds.index(2)
        weights = torch.cat([p.detach().flatten() for p in ensemble.unstack()[k][0].parameters()])
        seen.append((weights, ensemble.generate(z)[k]))
    for weights, out in seen[1:]:
        assert torch.equal(weights, seen[0][0]) and torch.equal(out, seen[0][1])


def test_the_trainers_are_left_untouched():
    trainers = [custom_trainer(s) for s in range(2)]
    before = [p.clone() for p in trainers[0].generator.parameters()]
    state = trainers[0].rng.get_state()
    tg.EnsembleTrainer.from_trainers(trainers).fit(5)
    assert all(
        torch.equal(a, b) for a, b in zip(before, trainers[0].generator.parameters(), strict=True)
    )
    assert torch.equal(trainers[0].rng.get_state(), state)


def test_state_dict_resumes_exactly():
    def build():
        return tg.EnsembleTrainer.from_trainers([custom_trainer(s) for s in range(2)])

    straight = build().fit(12)
    first = build().fit(7)
    resumed = build()
    resumed.load_state_dict(first.state_dict())
    resumed.fit(5)
    mine, theirs = straight.unstack()[1][0], resumed.unstack()[1][0]
    for a, b in zip(mine.parameters(), theirs.parameters(), strict=True):
        assert torch.equal(a, b)


def test_post_trainers_take_the_fused_path_bit_for_bit():
    def post(seed):
        init = torch.Generator().manual_seed(seed)
        return tg.AdversarialTrainer(
            tg.mlp([4, 4, 4], generator=init), tg.mlp([4, 3, 1], generator=init), REAL,
            tg.UniformNoise(4), seed=seed,
        )  # fmt: skip

    ensemble = tg.EnsembleTrainer.from_trainers([post(s) for s in (5, 6)]).fit(40)
    assert ensemble.backend == "fused"
    for k, seed in enumerate((5, 6)):
        lone = post(seed).fit(40)
        G, _ = ensemble.unstack()[k]
        assert all(
            torch.equal(a, b)
            for a, b in zip(G.parameters(), lone.generator.parameters(), strict=True)
        )


def test_what_is_not_alike_is_named():
    assert stackable([custom_trainer(0), custom_trainer(1)]) is None
    other = custom_trainer(1, "rmsprop")
    assert "g_optimizer" in stackable([custom_trainer(0), other])
    assert "batch_size" in stackable([custom_trainer(0), custom_trainer(1, batch_size=2)])
    with_cb = custom_trainer(1, callbacks=[tg.LossLogger()])
    assert "callbacks" in stackable([custom_trainer(0), with_cb])

    class Mine(tg.AdversarialTrainer):
        def step(self):
            return super().step()

    G, D = custom_nets(0)
    mine = Mine(G, D, REAL, tg.UniformNoise(4), seed=0)
    assert "overrides step()" in stackable([mine])
    bn = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.Sigmoid())
    with_buffers = tg.AdversarialTrainer(bn, custom_nets(0)[1], REAL, tg.UniformNoise(4), seed=0)
    assert "buffers" in stackable([with_buffers])
    lbfgs = tg.AdversarialTrainer(
        *custom_nets(0), REAL, tg.UniformNoise(4), seed=0,
        optimizer=lambda ps: torch.optim.LBFGS(ps),
    )  # fmt: skip
    assert "elementwise" in stackable([lbfgs])
    G, D = custom_nets(1)
    G[0].weight.requires_grad_(False)  # a lone trainer leaves it; a stack would train it
    frozen = tg.AdversarialTrainer(G, D, REAL, tg.UniformNoise(4), seed=1)
    assert "trainer 0 has frozen parameters" in stackable([frozen])
    assert "trainer 1 has frozen parameters" in stackable([custom_trainer(0), frozen])
    with pytest.raises(ValueError, match=r"cannot train as one ensemble: .*batch_size"):
        tg.EnsembleTrainer.from_trainers([custom_trainer(0), custom_trainer(1, batch_size=2)])


def test_a_shared_learning_rate_schedule_keeps_trainers_alike():
    from tinygan.recipes.mixtures import ring8

    trainers = [ring8(seed, steps=40) for seed in range(2)]  # each carries a LinearDecay
    assert stackable(trainers) is None
    ensemble = tg.EnsembleTrainer.from_trainers(trainers).fit(12)
    assert ensemble.g_optimizer.param_groups[0]["lr"] == trainers[0].lr * (1 - 12 / 40)
    lone = ring8(1, steps=40).fit(12)
    for mine, theirs in zip(
        ensemble.unstack()[1][0].parameters(), lone.generator.parameters(), strict=True
    ):
        torch.testing.assert_close(mine, theirs, rtol=1e-4, atol=1e-5)
    other = ring8(1, steps=41)  # another schedule: not alike
    assert "callbacks" in stackable([trainers[0], other])
