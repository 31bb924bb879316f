"""EnsembleTrainer: K GANs in lockstep, each member exactly its own run."""

import pytest
import torch
from torch.nn import functional

import tinygan as tg

REAL = tg.FuzzyPattern("1010")
NOISE = tg.UniformNoise(4)


def lone_trainer(
    seed, *, bias=False, batch_size=1, loss="mse", optimizer="sgd", lr=0.01, real=REAL
):
    """The member `seed` of an ensemble, as a plain AdversarialTrainer (autograd path)."""
    g = torch.Generator().manual_seed(seed)
    G = tg.mlp([4, 4, 4], bias=bias, generator=g)
    D = tg.mlp([4, 3, 1], bias=bias, generator=g)
    kwargs = {}
    if optimizer == "adam":
        kwargs["optimizer"] = lambda params: torch.optim.Adam(params, lr=lr)
    if loss == "bce":
        kwargs["loss"] = functional.binary_cross_entropy
    return tg.AdversarialTrainer(
        G, D, real, NOISE, lr=lr, batch_size=batch_size, seed=seed, **kwargs
    )


def weights(pair):
    G, D = pair
    return [p.detach() for p in (*G.parameters(), *D.parameters())]


def stacked(ens):
    state = ens.state_dict()
    return [*state["generators"], *state["discriminators"]]


@pytest.mark.parametrize(
    ("optimizer", "loss", "bias", "batch_size"),
    [
        ("sgd", "mse", False, 1),
        ("sgd", "mse", True, 16),
        ("adam", "mse", False, 1),
        ("adam", "bce", True, 8),
        ("sgd", "bce", False, 4),
    ],
)
def test_each_member_matches_its_lone_run(optimizer, loss, bias, batch_size):
    seeds = [5, 17, 2]
    cfg = dict(bias=bias, batch_size=batch_size, loss=loss, optimizer=optimizer)
    records = []
    ens = tg.EnsembleTrainer.from_seeds(
        seeds,
        REAL,
        NOISE,
        **cfg,
        callbacks=[tg.LambdaCallback(on_step_end=lambda t, s, r: records.append(r))],
    )
    ens.fit(100)
    for k, seed in enumerate(seeds):
        lone = lone_trainer(seed, **cfg)
        log = tg.LossLogger()
        lone.callbacks.append(log)
        lone.fit(100)
        for mine, theirs in zip(
            weights(ens.unstack()[k]), weights((lone.generator, lone.discriminator)), strict=True
        ):
            torch.testing.assert_close(mine, theirs, rtol=0, atol=1e-5)
        got = torch.stack([r.g_loss[k] for r in records]).numpy()
        torch.testing.assert_close(
            torch.as_tensor(got), torch.as_tensor(log.g_loss), rtol=0, atol=1e-5
        )


def test_members_do_not_depend_on_the_other_seeds():
    cfg = dict(batch_size=5, optimizer="adam", bias=True)
    whole = tg.EnsembleTrainer.from_seeds(range(70), REAL, NOISE, **cfg).fit(40)
    for chunk in ([69, 3], [10], list(range(20, 60))):
        part = tg.EnsembleTrainer.from_seeds(chunk, REAL, NOISE, **cfg).fit(40)
        for a, b in zip(stacked(whole), stacked(part), strict=True):
            assert torch.equal(a[chunk], b[: len(chunk)])


def test_fit_splits_equal_one_fit():
    one = tg.EnsembleTrainer.from_seeds([1, 2, 3], REAL, NOISE, optimizer="adam").fit(100)
    split = tg.EnsembleTrainer.from_seeds([1, 2, 3], REAL, NOISE, optimizer="adam")
    split.fit(37).fit(0).fit(63)
    assert split.iteration == 100
    for a, b in zip(stacked(one), stacked(split), strict=True):
        assert torch.equal(a, b)
    assert all(
        torch.equal(g1.get_state(), g2.get_state())
        for g1, g2 in zip(one.rngs, split.rngs, strict=True)
    )


def test_state_dict_round_trip_mid_chunk():
    def stop_at_10(trainer, step, record):
        if step == 10:
            trainer.stop()

    ens = tg.EnsembleTrainer.from_seeds(
        [4, 8], REAL, NOISE, optimizer="adam", callbacks=[tg.LambdaCallback(on_step_end=stop_at_10)]
    )
    ens.fit(50)  # stops after 10 with data for 40 more iterations drawn
    assert ens.iteration == 10
    state = ens.state_dict()
    ens.callbacks.clear()
    ens.fit(30)
    other = tg.EnsembleTrainer.from_seeds([4, 8], REAL, NOISE, optimizer="adam")
    other.load_state_dict(state)
    assert other.iteration == 10
    other.fit(30)
    for a, b in zip(stacked(ens), stacked(other), strict=True):
        assert torch.equal(a, b)
    straight = tg.EnsembleTrainer.from_seeds([4, 8], REAL, NOISE, optimizer="adam").fit(40)
    for a, b in zip(stacked(straight), stacked(ens), strict=True):
        assert torch.equal(a, b)


def test_user_data_source_is_sampled_step_by_step():
    class Halves:
        dim = 4

        def sample(self, n, *, generator=None):
            return 0.5 * torch.rand(n, 4, generator=generator)

    ens = tg.EnsembleTrainer.from_seeds([2, 9], Halves(), NOISE).fit(30)
    lone = lone_trainer(9, real=Halves()).fit(30)
    for mine, theirs in zip(
        weights(ens.unstack()[1]), weights((lone.generator, lone.discriminator)), strict=True
    ):
        torch.testing.assert_close(mine, theirs, rtol=0, atol=1e-6)


def test_record_shapes_generate_and_unstack():
    ens = tg.EnsembleTrainer.from_seeds(range(3), REAL, NOISE, batch_size=2)
    record = ens.step()
    assert ens.members == 3
    assert record.d_loss_real.shape == record.d_loss_fake.shape == record.g_loss.shape == (3,)
    assert record.fake.shape == (3, 2, 4)
    z = torch.rand(5, 4, generator=torch.Generator().manual_seed(0))
    out = ens.generate(z)
    assert out.shape == (3, 5, 4)
    pairs = ens.unstack()
    for k, (G, _) in enumerate(pairs):
        torch.testing.assert_close(G(z).detach(), out[k])
    assert torch.equal(ens.generate(z.expand(3, 5, 4)), out)
    with torch.no_grad():
        pairs[0][0][0].weight.add_(1.0)  # the copies are independent of the ensemble
    assert torch.equal(ens.generate(z), out)


def test_loss_logger_and_snapshots_work_per_member():
    log, snaps = tg.LossLogger(), tg.Snapshots(every=5)
    tg.EnsembleTrainer.from_seeds(range(4), REAL, NOISE, callbacks=[log, snaps]).fit(10)
    assert log.g_loss.shape == (10, 4)
    assert snaps.outputs.shape == (2, 4, 1, 4)


def test_constructor_checks_its_arguments():
    G, D = tg.mlp([4, 4, 4]), tg.mlp([4, 3, 1])
    with pytest.raises(ValueError, match="loss"):
        tg.EnsembleTrainer([G], [D], REAL, NOISE, loss="hinge")
    with pytest.raises(ValueError, match="optimizer"):
        tg.EnsembleTrainer([G], [D], REAL, NOISE, optimizer="rmsprop")
    with pytest.raises(ValueError, match="same length"):
        tg.EnsembleTrainer([G, G], [D], REAL, NOISE)
    with pytest.raises(ValueError, match="same sizes"):
        tg.EnsembleTrainer([G, tg.mlp([4, 5, 4])], [D, D], REAL, NOISE)
    with pytest.raises(TypeError, match="generators"):
        tg.EnsembleTrainer([torch.nn.Linear(4, 4)], [D], REAL, NOISE)
    with pytest.raises(ValueError, match=r"noise\.dim"):
        tg.EnsembleTrainer([G], [D], REAL, tg.UniformNoise(3))
    with pytest.raises(ValueError, match="seeds"):
        tg.EnsembleTrainer([G], [D], REAL, NOISE, seeds=[1, 2])
    with pytest.raises(ValueError, match="lr"):
        tg.EnsembleTrainer([G], [D], REAL, NOISE, lr=0)
    with pytest.raises(ValueError, match="seeds"):
        tg.EnsembleTrainer.from_seeds([], REAL, NOISE)
    with pytest.raises(ValueError, match="bce"):
        tg.EnsembleTrainer(
            [G], [tg.mlp([4, 1], activation=torch.nn.Identity)], REAL, NOISE, loss="bce"
        )
    ens = tg.EnsembleTrainer([G], [D], REAL, NOISE)
    with pytest.raises(ValueError, match="z must have shape"):
        ens.generate(torch.zeros(2, 3))
    with pytest.raises(KeyError):
        ens.load_state_dict({"iteration": 0})


@pytest.mark.parametrize(
    "noise", [tg.UniformNoise(4), tg.UniformNoise(4, low=-1.0, high=2.0), tg.ConstantNoise(4)]
)
def test_chunked_draws_are_the_step_by_step_samples_bit_for_bit(noise):
    from tinygan.engine.streams import draw_steps, uniform_map

    real = tg.FuzzyPattern("110010")
    sources = [(real, 3), (noise, 3), (noise, 3)]
    maps = [uniform_map(real), uniform_map(noise), uniform_map(noise)]
    assert all(m is not None for m in maps)
    rngs = [torch.Generator().manual_seed(s) for s in (4, 5)]
    drawn = draw_steps(rngs, sources, 7, maps, padded=64)
    for k, seed in enumerate((4, 5)):
        g = torch.Generator().manual_seed(seed)
        for t in range(7):
            for (source, n), x in zip(sources, drawn, strict=True):
                assert torch.equal(x[t, ..., k], source.sample(n, generator=g))
        assert torch.equal(g.get_state(), rngs[k].get_state())


@pytest.mark.parametrize("bias", [False, True])
def test_from_seeds_draws_exactly_what_mlp_draws(bias):
    seeds = [0, 7, 2**63 + 5]
    ens = tg.EnsembleTrainer.from_seeds(
        seeds, tg.FuzzyPattern("110"), tg.UniformNoise(5), (5, 6, 3), (3, 2, 4, 1), bias=bias
    )
    for (G, D), seed in zip(ens.unstack(), seeds, strict=True):
        g = torch.Generator().manual_seed(seed)
        G0 = tg.mlp([5, 6, 3], bias=bias, generator=g)
        D0 = tg.mlp([3, 2, 4, 1], bias=bias, generator=g)
        for a, b in zip(weights((G, D)), weights((G0, D0)), strict=True):
            assert torch.equal(a, b)
