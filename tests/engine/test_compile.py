"""compile=True: chunks of fused steps through torch.compile, and the fallback to eager.

Compiling costs seconds, so every compiled trainer here has the post's shapes and loss:
they share one compiled function (compiled once per process).
"""

import warnings

import pytest
import torch

import tinygan as tg
import tinygan.engine.compiled
import tinygan.engine.native

REAL = tg.FuzzyPattern("1010")
NOISE = tg.UniformNoise(4)


class PlainAdversarial(tg.AdversarialTrainer):
    def train_generator(self, noise, target=1.0):
        return super().train_generator(noise, target)


def nets(seed=0):
    g = torch.Generator().manual_seed(seed)
    return tg.mlp([4, 4, 4], generator=g), tg.mlp([4, 3, 1], generator=g)


def weights(*modules):
    return [p.detach().clone() for m in modules for p in m.parameters()]


def trainer(cls=tg.AdversarialTrainer, seed=0, **kwargs):
    G, D = nets(seed)
    return cls(G, D, REAL, NOISE, seed=seed + 1, **kwargs)


@pytest.fixture
def no_compiler(monkeypatch):
    """Every compiled chunk fails, as it does where torch.compile finds no C++ compiler."""

    def broken(*args, **kwargs):
        def chunk(*tensors):
            raise RuntimeError("simulated: no working C++ compiler")

        return chunk

    monkeypatch.setattr(tinygan.engine.compiled, "compiled_chunk", broken)
    monkeypatch.setattr(tinygan.engine.compiled, "_CACHE", {})
    no_native(monkeypatch)


def no_native(monkeypatch):
    """The native kernel cannot be built, as where there is no C compiler."""

    def unavailable():
        raise tinygan.engine.native.NativeKernelError("simulated: no C compiler")

    monkeypatch.setattr(tinygan.engine.native, "load_kernel", unavailable)


@pytest.fixture(params=["native", "inductor"])
def backend(request, monkeypatch):
    """Which compiled step an ensemble takes: the native kernel, or torch.compile's."""
    if request.param == "inductor":
        no_native(monkeypatch)
    return request.param


@pytest.mark.slow
def test_compiled_equals_plain_and_fit_splits_are_bit_identical():
    log = tg.LossLogger()
    split = trainer(compile=True, callbacks=[log])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        split.fit(5).fit(0).fit(990)
        split.fit(5)
    assert not [w for w in caught if "compile=True" in str(w.message)]  # it did compile
    whole = trainer(compile=True, callbacks=[tg.LossLogger()]).fit(1000)
    plain = trainer(PlainAdversarial).fit(1000)
    fast = weights(split.generator, split.discriminator)
    assert split.generator[0].weight.grad is None
    for a, b in zip(fast, weights(whole.generator, whole.discriminator), strict=True):
        assert torch.equal(a, b)
    for a, b in zip(fast, weights(plain.generator, plain.discriminator), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-6)
    assert torch.equal(split.rng.get_state(), plain.rng.get_state())
    assert log.g_loss.shape == (1000,)

    # A callback that looks at the trainer gets one iteration per compiled call, same numbers.
    seen = []
    looking = trainer(
        compile=True,
        callbacks=[tg.LambdaCallback(on_step_end=lambda t, s, r: seen.append(t.iteration))],
    ).fit(40)
    reference = trainer(compile=True).fit(40)
    for a, b in zip(
        weights(looking.generator, looking.discriminator),
        weights(reference.generator, reference.discriminator),
        strict=True,
    ):
        assert torch.equal(a, b)
    assert seen == list(range(1, 41))


@pytest.mark.slow
def test_an_error_mid_chunk_leaves_the_state_of_the_last_whole_iteration():
    """Iterations computed ahead but never handed out are undone (weights and rng)."""
    bad = tg.LossLogger(reference=[0.9, 0.0, 0.9])  # 3 entries: fails at the first record
    compiled = trainer(compile=True, callbacks=[bad])
    with pytest.raises(ValueError, match="reference"):
        compiled.fit(100)
    assert compiled.iteration == 1
    plain = trainer(PlainAdversarial).fit(1)
    for a, b in zip(
        weights(compiled.generator, compiled.discriminator),
        weights(plain.generator, plain.discriminator),
        strict=True,
    ):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-7)
    assert torch.equal(compiled.rng.get_state(), plain.rng.get_state())


def test_no_compiler_falls_back_with_one_warning(no_compiler):
    with pytest.warns(RuntimeWarning, match="compile=True") as caught:
        fallback = trainer(seed=2, compile=True).fit(100).fit(50)
    assert len([w for w in caught if issubclass(w.category, RuntimeWarning)]) == 1
    eager = trainer(seed=2).fit(150)
    for a, b in zip(
        weights(fallback.generator, fallback.discriminator),
        weights(eager.generator, eager.discriminator),
        strict=True,
    ):
        assert torch.equal(a, b)  # the eager fused step, bit for bit
    assert torch.equal(fallback.rng.get_state(), eager.rng.get_state())


def test_compile_must_be_a_bool():
    with pytest.raises(TypeError, match="compile"):
        trainer(compile="yes")


# -- EnsembleTrainer(compile=True) -----------------------------------------------------------

SEEDS = [3, 11, 7]


def ensemble(optimizer="sgd", **kwargs):
    return tg.EnsembleTrainer.from_seeds(SEEDS, REAL, NOISE, optimizer=optimizer, **kwargs)


def stacked(ens):
    return [p[..., : ens.members].clone() for p in (*ens._g, *ens._d, *ens._moments)]


def close(a, b, atol=1e-5):
    for x, y in zip(stacked(a), stacked(b), strict=True):
        torch.testing.assert_close(x, y, rtol=0, atol=atol)


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_compiled_ensemble_equals_eager_splits_and_state_round_trip(optimizer, backend):
    log = tg.LossLogger()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # it must compile
        split = ensemble(optimizer, compile=True, callbacks=[log])
        split.fit(5).fit(0).fit(146)  # ahead in chunks, ending mid-chunk
    assert split._compiled.native is (backend == "native")
    state = split.state_dict()
    split.fit(149)
    eager = ensemble(optimizer).fit(300)
    close(split, eager)
    assert log.g_loss.shape == (300, 3)
    eager_log = tg.LossLogger()
    ensemble(optimizer, callbacks=[eager_log]).fit(300)
    torch.testing.assert_close(log.g_loss, eager_log.g_loss, rtol=0, atol=1e-5)
    whole = ensemble(optimizer, compile=True).fit(300)
    for a, b in zip(stacked(split), stacked(whole), strict=True):
        assert torch.equal(a, b)  # fit splits are bit-identical
    resumed = ensemble(optimizer, compile=True)
    resumed.load_state_dict(state)
    resumed.fit(149)
    for a, b in zip(stacked(split), stacked(resumed), strict=True):
        assert torch.equal(a, b)

    # An error in a callback mid-chunk leaves the state of the last whole iteration.
    bad = ensemble(optimizer, compile=True, callbacks=[tg.LossLogger(reference=[0.9, 0.0])])
    with pytest.raises(ValueError, match="reference"):
        bad.fit(50)
    assert bad.iteration == 1
    bad.callbacks.clear()
    bad.fit(299)
    for a, b in zip(stacked(bad), stacked(whole), strict=True):
        assert torch.equal(a, b)
    for g, h in zip(bad.rngs, whole.rngs, strict=True):
        assert torch.equal(g.get_state(), h.get_state())  # the generators too


def test_compiled_ensemble_falls_back_with_one_warning(no_compiler):
    with pytest.warns(RuntimeWarning, match="compile=True") as caught:
        fallback = ensemble("adam", compile=True).fit(60).fit(40)
    assert len([w for w in caught if issubclass(w.category, RuntimeWarning)]) == 1
    eager = ensemble("adam").fit(100)
    for a, b in zip(stacked(fallback), stacked(eager), strict=True):
        assert torch.equal(a, b)  # the eager step, bit for bit
    with pytest.raises(TypeError, match="compile"):
        ensemble(compile=1)


def test_chunk_records_give_one_record_per_iteration_as_views():
    from tinygan.engine.compiled import chunk_records

    losses = torch.arange(2 * 3 * 5, dtype=torch.float32).reshape(2, 3, 5)
    fakes = torch.arange(2 * 4 * 5, dtype=torch.float32).reshape(2, 4, 5)
    records = chunk_records(losses, fakes)
    assert len(records) == 2
    for t, record in enumerate(records):
        assert torch.equal(record.d_loss_real, losses[t, 0])
        assert torch.equal(record.d_loss_fake, losses[t, 1])
        assert torch.equal(record.g_loss, losses[t, 2])
        assert torch.equal(record.fake, fakes[t])
        assert record.g_loss.data_ptr() == losses[t, 2].data_ptr()  # a view, not a copy
    assert isinstance(records[0], tg.StepRecord)
    assert torch.equal(records[-1].fake, fakes[1])
    assert [torch.equal(r.g_loss, losses[t, 2]) for t, r in enumerate(records[:5])] == [True] * 2
    with pytest.raises(IndexError):
        records[2]


def test_block_records_gather_each_members_values():
    from tinygan.engine.chunk_records import BlockRecords

    blocks, count, lanes, n, dim = 2, 3, 4, 2, 3
    losses = torch.arange(blocks * count * 3 * lanes, dtype=torch.float32)
    losses = losses.reshape(blocks, count, 3, lanes)
    fakes = torch.arange(blocks * count * n * dim * lanes, dtype=torch.float32)
    fakes = fakes.reshape(blocks, count, n * dim, lanes)
    records = BlockRecords(losses, fakes, members=7, sample_shape=(n, dim))
    assert len(records) == count
    for t in range(count):
        record = records[t]
        for which, value in enumerate((record.d_loss_real, record.d_loss_fake, record.g_loss)):
            assert value.shape == (7,)
            for k in range(7):  # member k is lane k % lanes of block k // lanes
                assert value[k] == losses[k // lanes, t, which, k % lanes]
        assert record.fake.shape == (7, n, dim)
        for k in range(7):
            for s in range(n):
                for j in range(dim):
                    assert record.fake[k, s, j] == fakes[k // lanes, t, s * dim + j, k % lanes]
    with pytest.raises(IndexError):
        records[count]
    assert len(records[1:]) == count - 1


def test_a_compiled_ensembles_fakes_equal_the_eager_ones():
    logs = []
    for compile in (True, False):
        snaps = tg.Snapshots(every=7)
        ens = tg.EnsembleTrainer.from_seeds(range(70), REAL, NOISE, batch_size=2,
                                            callbacks=[snaps], compile=compile)  # fmt: skip
        ens.fit(30)
        logs.append(snaps)
    assert logs[0].steps == logs[1].steps == [7, 14, 21, 28]
    for a, b in zip(logs[0].outputs, logs[1].outputs, strict=True):
        assert a.shape == (70, 2, 4)
        torch.testing.assert_close(a, b, rtol=0, atol=1e-5)
