"""The native kernel on ensembles: its generators equal torch's, its step the fused step's."""

import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

import tinygan as tg
from tinygan.engine import fused, native, streams
from tinygan.engine.native import kernel, mt_states, runner
from tinygan.engine.native.job import make_job, param_shapes
from tinygan.ensemble._member_data import MemberData

REAL = tg.FuzzyPattern("1010")
NOISE = tg.UniformNoise(4)


def states_after(seeds, skip):
    """Generators seeded with ``seeds``, each after ``skip`` uniforms."""
    rngs = [torch.Generator().manual_seed(s) for s in seeds]
    for g in rngs:
        torch.rand(skip, generator=g)
    return rngs


# -- the generators ----------------------------------------------------------------------


def test_the_generator_layout_is_known_here():
    assert mt_states.layout_known()


IDENTITY_G = fused.NetSpec((4, 4), False, ("identity",))
SIGMOID_D = fused.NetSpec((4, 1), False, ("sigmoid",))


def through_identity(states, maps, batch, count, k=32):
    """What an identity G hands on, ``(count, batch * 4, k)``: the noise of its step."""
    params = [torch.eye(4).unsqueeze(-1).expand(4, 4, k).contiguous(), torch.zeros(1, 4, k)]
    lrs = (0.0, 0.0)
    job, _keep, _, fakes = make_job(
        IDENTITY_G, SIGMOID_D, "mse", "sgd", params, lrs, (0, 0), [states], maps, count
    )
    kernel().train(job, k, 1)
    return fakes.permute(1, 2, 0, 3).reshape(count, batch * 4, k)


@settings(max_examples=25, deadline=None)
@given(
    seeds=st.lists(st.integers(0, 2**63 - 1), min_size=1, max_size=20),
    skip=st.integers(0, 1300),
    batch=st.integers(1, 40),
    count=st.integers(0, 12),
)
def test_kernel_draws_exactly_what_torch_rand_draws(seeds, skip, batch, count):
    rngs, twins = states_after(seeds, skip), states_after(seeds, skip)
    states = mt_states.read_states(rngs, 32)
    maps = streams.iteration_maps([(NOISE.uniform_map(), batch)] * 3)  # u -> u
    drawn = through_identity(states, maps, batch, count)
    expected = torch.stack([torch.rand(count * 12 * batch, generator=g) for g in twins], dim=1)
    assert torch.equal(
        drawn[..., : len(seeds)], expected.reshape(count, 3, 4 * batch, len(seeds))[:, 2]
    )
    mt_states.write_states(rngs, states)
    for g, twin in zip(rngs, twins, strict=True):  # and they stand where torch.rand left them
        assert torch.equal(g.get_state(), twin.get_state())


def test_read_then_write_changes_nothing_and_pads_with_the_first():
    rngs = states_after([5, 6, 7], 700)
    before = [g.get_state() for g in rngs]
    states = mt_states.read_states(rngs, 16)
    assert states.shape == (mt_states.MT_N + 2, 16) and states.dtype == torch.int32
    assert torch.equal(states[:, 3:], states[:, :1].expand(-1, 13))
    mt_states.write_states(rngs, states)
    for g, saved in zip(rngs, before, strict=True):
        assert torch.equal(g.get_state(), saved)


def test_generators_at_different_positions_are_not_read():
    rngs = states_after([5, 6], 0)
    torch.rand(3, generator=rngs[1])
    assert mt_states.read_states(rngs, 16) is None


def test_make_job_refuses_bad_generator_states():
    maps = streams.iteration_maps([(NOISE.uniform_map(), 1)] * 3)
    wrong = torch.zeros(626, 32), torch.zeros(626, 10, dtype=torch.int32)
    for states in (*wrong, torch.zeros(32, 626, dtype=torch.int32).T):
        with pytest.raises(ValueError, match=r"states must be contiguous int32 \(626, 32\)"):
            through_identity(states, maps, 1, 1)


# -- the step ----------------------------------------------------------------------------


def pair(seed, g_sizes, d_sizes, activation, bias):
    g = torch.Generator().manual_seed(seed)
    return (
        tg.mlp(g_sizes, bias=bias, activation=activation, generator=g),
        tg.mlp(d_sizes, bias=bias, generator=g),  # D ends with a sigmoid (for BCE)
    )


def make(
    backend,
    *,
    activation=nn.Sigmoid,
    bias=False,
    batch_size=1,
    loss="mse",
    optimizer="sgd",
    real=REAL,
    noise=NOISE,
    sizes=((4, 4, 4), (4, 3, 1)),
    callbacks=(),
):
    seeds = [1, 2, 3, 40, 41]
    nets = [pair(s, *sizes, activation, bias) for s in seeds]
    return tg.EnsembleTrainer(
        [g for g, _ in nets],
        [d for _, d in nets],
        real,
        noise,
        lr=0.05,
        batch_size=batch_size,
        loss=loss,
        optimizer=optimizer,
        seeds=seeds,
        backend=backend,
        callbacks=callbacks,
    )


def everything(ens):
    """Weights, then each optimiser's state (Adam's counts and moments, as tensors)."""
    state = ens.state_dict()
    optimizers = [state[key]["state"] for key in ("g_optimizer", "d_optimizer")]
    moments = [
        torch.as_tensor(t) for o in optimizers for s in o.values() for _, t in sorted(s.items())
    ]
    return [*state["generators"], *state["discriminators"], *moments]


def assert_close_ensembles(a, b, atol):
    for x, y in zip(everything(a), everything(b), strict=True):
        torch.testing.assert_close(x, y, rtol=0, atol=atol)
    for g, h in zip(a.rngs, b.rngs, strict=True):
        assert torch.equal(g.get_state(), h.get_state())


OPTIONS = [
    {},
    {"bias": True, "batch_size": 3},
    {"activation": nn.Tanh, "loss": "bce"},
    {"activation": nn.ReLU, "optimizer": "adam", "bias": True},
    {"activation": nn.Identity, "batch_size": 2, "loss": "bce", "optimizer": "adam"},
    {
        "sizes": ((2, 8, 5, 3), (3, 6, 1)),
        "noise": tg.UniformNoise(2, low=-1.0, high=1.0),
        "real": tg.FuzzyPattern("101"),
    },
    {
        "real": tg.GaussianMixture.ring(),
        "noise": tg.GaussianNoise(2),
        "sizes": ((2, 6, 2), (2, 5, 1)),
        "batch_size": 4,
    },
]


@pytest.mark.parametrize("options", OPTIONS)
def test_native_step_equals_the_fused_step_within_float_tolerance(options):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        native_run = make("native", **options).fit(7).fit(33)
    assert native_run.backend == "native"
    assert_close_ensembles(native_run, make("fused", **options).fit(40), atol=1e-5)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_splits_state_round_trips_and_errors_mid_call(optimizer):
    log = tg.LossLogger()
    split = make("native", optimizer=optimizer, callbacks=[log])
    split.fit(5).fit(0).fit(146)  # many iterations per call, ending mid-call
    state = split.state_dict()
    split.fit(149)
    whole = make("native", optimizer=optimizer).fit(300)
    for a, b in zip(everything(split), everything(whole), strict=True):
        assert torch.equal(a, b)  # fit splits are bit-identical
    assert log.g_loss.shape == (300, 5)
    fused_log = tg.LossLogger()
    make("fused", optimizer=optimizer, callbacks=[fused_log]).fit(300)
    torch.testing.assert_close(log.g_loss, fused_log.g_loss, rtol=0, atol=1e-5)
    resumed = make("native", optimizer=optimizer)
    resumed.load_state_dict(state)
    resumed.fit(149)
    for a, b in zip(everything(split), everything(resumed), strict=True):
        assert torch.equal(a, b)

    # An error in a callback mid-call leaves the state of the last whole iteration.
    bad = make("native", optimizer=optimizer, callbacks=[tg.LossLogger(reference=[0.9, 0.0])])
    with pytest.raises(ValueError, match="reference"):
        bad.fit(50)
    assert bad.iteration == 1
    bad.callbacks.clear()
    bad.fit(299)
    for a, b in zip(everything(bad), everything(whole), strict=True):
        assert torch.equal(a, b)
    for g, h in zip(bad.rngs, whole.rngs, strict=True):
        assert torch.equal(g.get_state(), h.get_state())  # the generators too


def test_the_two_ways_to_feed_the_kernel_give_the_same_bits():
    k, steps = 32, 50
    g_spec = fused.NetSpec((4, 4, 4), False, ("sigmoid", "sigmoid"))
    d_spec = fused.NetSpec((4, 3, 1), False, ("sigmoid", "sigmoid"))
    run = runner.NativeRunner(kernel(), g_spec, d_spec, "mse")
    init = [
        torch.rand(s, generator=torch.Generator().manual_seed(9))
        for s in [(4, 4, k), (4, 4, k), (3, 4, k), (1, 3, k)]
    ]
    data = MemberData([torch.Generator().manual_seed(s) for s in range(k)], REAL, NOISE, 1, k)
    data.planned = steps
    parts = [p.contiguous() for p in data.draw(steps)]
    words = mt_states.read_states([torch.Generator().manual_seed(s) for s in range(k)], k)
    results = []
    for feed, maps in ((parts, None), ([words], data.maps)):
        state = [t.clone() for t in init]
        losses, fakes = run._call(state, (0.01, 0.01), (0, 0), feed, maps, steps)
        results.append([losses, fakes, *state])
    for x, y in zip(*results, strict=True):
        assert torch.equal(x, y)


def test_threads_do_not_change_the_numbers():
    g_spec = fused.NetSpec((4, 4, 4), True, ("tanh", "sigmoid"))
    d_spec = fused.NetSpec((4, 3, 1), True, ("relu", "sigmoid"))
    k, steps = 64, 30
    init = [
        torch.rand(s, generator=torch.Generator().manual_seed(4))
        for s in [(4, 4, k), (4, k), (4, 4, k), (4, k), (3, 4, k), (3, k), (1, 3, k), (1, k)]
    ]
    maps = MemberData([torch.Generator()], REAL, NOISE, 2, 16).maps
    out = []
    for threads in (1, 3):
        words = mt_states.read_states([torch.Generator().manual_seed(s) for s in range(k)], k)
        run = runner.NativeRunner(kernel(), g_spec, d_spec, "bce", "sgd", threads=threads)
        state = [t.clone() for t in init]
        losses, fakes = run._call(state, (0.1, 0.1), (0, 0), [words], maps, steps)
        out.append([losses, fakes, words, *state])
    for x, y in zip(*out, strict=True):
        assert torch.equal(x, y)


def test_a_diverging_member_leaves_the_others_alone():
    ens = tg.EnsembleTrainer.from_seeds(range(20), REAL, NOISE, backend="native")
    alone = tg.EnsembleTrainer.from_seeds(range(1, 20), REAL, NOISE, backend="native")
    with torch.no_grad():
        ens._stack.g[0][..., 0] = float("nan")  # member 0 broken
    record = ens.fit(30).step()
    assert torch.isnan(record.g_loss[0]) and not torch.isnan(record.g_loss[1:]).any()
    alone.fit(31)
    for x, y in zip(everything(ens), everything(alone), strict=True):
        assert torch.equal(x[1:20], y[:19])  # the others are as without it


def test_the_kernel_refuses_shapes_that_do_not_fit():
    g_spec = fused.NetSpec((4, 4, 4), False, ("sigmoid", "sigmoid"))
    d_spec = fused.NetSpec((4, 3, 1), False, ("sigmoid", "sigmoid"))
    run = runner.NativeRunner(kernel(), g_spec, d_spec, "mse")
    state = [torch.zeros(s) for s in param_shapes(g_spec, 16) + param_shapes(d_spec, 16)]
    parts = [torch.zeros(5, 1, 4, 16) for _ in range(3)]
    with pytest.raises(ValueError, match=r"state\[2\] has shape"):
        run._call([*state[:2], torch.zeros(3, 4, 8), state[3]], (0.1, 0.1), (0, 0), parts, None, 5)
    with pytest.raises(ValueError, match="noise_gen has shape"):
        run._call(state, (0.1, 0.1), (0, 0), [*parts[:2], torch.zeros(5, 1, 3, 16)], None, 5)
    with pytest.raises(ValueError, match="multiple of 16"):
        eight = [s[..., :8].contiguous() for s in state]
        run._call(eight, (0.1, 0.1), (0, 0), [p[..., :8].contiguous() for p in parts], None, 5)
    with pytest.raises(ValueError, match="contiguous float32"):
        run._call([state[0].double(), *state[1:]], (0.1, 0.1), (0, 0), parts, None, 5)
    deep = fused.NetSpec(tuple([4] * 18), False, ("sigmoid",) * 17)
    with pytest.raises(native.NativeKernelError, match="17 layers"):
        runner.NativeRunner(kernel(), deep, d_spec, "mse")


@settings(max_examples=10, deadline=None)
@given(skips=st.lists(st.integers(0, 50), min_size=20, max_size=20), steps=st.integers(1, 40))
def test_members_at_different_positions_are_fed_samples_with_the_same_numbers(skips, steps):
    ensembles = []
    for backend in ("native", "fused"):
        ens = tg.EnsembleTrainer.from_seeds(range(20), REAL, NOISE, backend=backend)
        for g, skip in zip(ens.rngs, skips, strict=True):
            torch.rand(skip, generator=g)  # each generator elsewhere
        ensembles.append(ens.fit(steps))
    assert ensembles[0].backend == "native"
    assert_close_ensembles(*ensembles, atol=1e-6)


def test_an_unknown_generator_layout_feeds_samples(monkeypatch):
    monkeypatch.setattr(mt_states, "layout_known", lambda: False)  # as a torch that differs
    fast = tg.EnsembleTrainer.from_seeds(range(5), REAL, NOISE, backend="native").fit(600)
    assert fast.backend == "native" and fast._data._kernel is None
    assert_close_ensembles(
        fast, tg.EnsembleTrainer.from_seeds(range(5), REAL, NOISE).fit(600), 1e-5
    )


def test_a_calls_outputs_stay_within_their_memory_budget(monkeypatch):
    # 32 members (padded), batch 2 of 4 numbers: 4 * 32 * (3 + 8) bytes per iteration
    monkeypatch.setattr(runner, "OUTPUT_BYTES", 4 * 32 * 11 * 5)
    computed = []
    run = runner.NativeRunner.run

    def spy(self, *args, **kwargs):
        record = run(self, *args, **kwargs)
        computed.append(self.computed)
        return record

    monkeypatch.setattr(runner.NativeRunner, "run", spy)
    fast = make("native", batch_size=2).fit(23)
    assert computed and max(computed) == 5 and sum(computed) == 23
    assert_close_ensembles(fast, make("fused", batch_size=2).fit(23), atol=1e-5)


def test_block_records_gather_each_members_values():
    from tinygan.engine.native.runner import BlockRecords

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
    with pytest.raises(IndexError):
        records[-1]
    lone = BlockRecords(losses, fakes, members=1, sample_shape=(n, dim), lone=True)
    assert lone[1].g_loss.shape == () and lone[1].g_loss == losses[0, 1, 2, 0]
    assert torch.equal(lone[1].fake, fakes[0, 1, :, 0].reshape(n, dim))


def test_native_fakes_equal_the_fused_ones():
    logs = []
    for backend in ("native", "fused"):
        snaps = tg.Snapshots(every=7)
        ens = tg.EnsembleTrainer.from_seeds(range(70), REAL, NOISE, batch_size=2,
                                            callbacks=[snaps], backend=backend)  # fmt: skip
        ens.fit(30)
        logs.append(snaps)
    assert logs[0].steps == logs[1].steps == [7, 14, 21, 28]
    for a, b in zip(logs[0].outputs, logs[1].outputs, strict=True):
        assert a.shape == (70, 2, 4)
        torch.testing.assert_close(a, b, rtol=0, atol=1e-5)


def test_a_native_ensemble_generates_in_the_kernel_within_tolerance():
    fast = tg.EnsembleTrainer.from_seeds(range(5), REAL, NOISE, backend="native").fit(50)
    slow = tg.EnsembleTrainer.from_seeds(range(5), REAL, NOISE).fit(50)
    z = torch.rand(100, 4, generator=torch.Generator().manual_seed(0))
    out = fast.generate(z)
    assert out.shape == (5, 100, 4)
    torch.testing.assert_close(out, slow.generate(z), rtol=0, atol=1e-5)
    assert torch.equal(out, fast._stack.generate(z.expand(5, -1, -1), kernel()))
    spec = fused.NetSpec((3, 5, 2), True, ("tanh", "sigmoid"))
    g = torch.Generator().manual_seed(3)
    params = [torch.randn(s, generator=g) for s in param_shapes(spec, 32)]
    x = torch.rand(7, 3, 32, generator=g)
    expected = fused.forward(spec, params, x, sums=True)[-1]
    torch.testing.assert_close(kernel().forward(spec, params, x), expected, rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match="native forward"):
        kernel().forward(spec, params, x[..., :16].contiguous())


@pytest.mark.parametrize("target", [8, 9, 623, 624, 705, 1248, 1400, 2027])
def test_the_self_check_sees_every_draw_from_the_eighth_on(monkeypatch, target):
    """One uniform of generator 0 changed anywhere in the checked stream is named."""
    from tinygan.engine.native import check

    loaded = kernel()  # checked with the real torch.rand first
    skips = [start + shift for start in (0, 700) for shift in check._SHIFTS]
    calls = []

    def changed(count, generator):  # called per skip, then per generator, in order
        skip, lane = skips[len(calls) // 16], len(calls) % 16
        calls.append(skip)
        out = torch.rand(count, generator=generator)
        if lane == 0 and skip <= target < skip + count:
            out[target - skip] += 0.5
        return out

    monkeypatch.setattr(check, "reference_uniforms", changed)
    with pytest.raises(native.NativeKernelError, match=rf"\(generator 0, draw {target}: "):
        check._check_draws(loaded)
