"""The native kernel: its generators equal torch's, its step the fused step's, its cache."""

import ctypes
import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

import tinygan as tg
from tinygan.engine import fused, mt_states, native, native_build
from tinygan.ensemble._member_data import MemberData

REAL = tg.FuzzyPattern("1010")
NOISE = tg.UniformNoise(4)


def states_after(seeds, skips):
    """Generators seeded with ``seeds``, each after ``skips[k]`` uniforms."""
    rngs = [torch.Generator().manual_seed(s) for s in seeds]
    for g, n in zip(rngs, skips, strict=True):
        torch.rand(n, generator=g)
    return rngs


# -- the generators ----------------------------------------------------------------------


def test_the_generator_layout_is_known_here():
    assert mt_states.layout_known()


@settings(max_examples=25, deadline=None)
@given(
    seeds=st.lists(st.integers(0, 2**63 - 1), min_size=1, max_size=20),
    skip=st.integers(0, 1300),
    spread=st.booleans(),
    count=st.integers(0, 1400),
)
def test_kernel_draws_exactly_what_torch_rand_draws(seeds, skip, spread, count):
    # spread: members at different positions (each drawn on its own), else side by side
    skips = [skip + (97 * k if spread else 0) for k in range(len(seeds))]
    rngs = states_after(seeds, skips)
    twins = states_after(seeds, skips)
    states = mt_states.read_states(rngs, 32)
    drawn = native.draw(states, count)
    expected = torch.stack([torch.rand(count, generator=g) for g in twins], dim=1)
    assert torch.equal(drawn[:, : len(seeds)], expected)
    mt_states.write_states(rngs, states)
    for g, twin in zip(rngs, twins, strict=True):  # and they stand where torch.rand left them
        assert torch.equal(g.get_state(), twin.get_state())


def test_read_then_write_changes_nothing_and_pads_with_the_first():
    rngs = states_after([5, 6, 7], [0, 10, 700])
    before = [g.get_state() for g in rngs]
    states = mt_states.read_states(rngs, 16)
    assert states.shape == (mt_states.MT_N + 2, 16) and states.dtype == torch.int32
    assert torch.equal(states[:, 3:], states[:, :1].expand(-1, 13))
    mt_states.write_states(rngs, states)
    for g, saved in zip(rngs, before, strict=True):
        assert torch.equal(g.get_state(), saved)


def test_draw_refuses_bad_states():
    with pytest.raises(ValueError, match="int32"):
        native.draw(torch.zeros(626, 16), 3)
    with pytest.raises(ValueError, match="multiple of 16"):
        native.draw(torch.zeros(626, 10, dtype=torch.int32), 3)


# -- the step ----------------------------------------------------------------------------


def pair(seed, g_sizes, d_sizes, activation, bias):
    g = torch.Generator().manual_seed(seed)
    return (
        tg.mlp(g_sizes, bias=bias, activation=activation, generator=g),
        tg.mlp(d_sizes, bias=bias, generator=g),  # D ends with a sigmoid (for BCE)
    )


def make(
    compile,
    *,
    activation=nn.Sigmoid,
    bias=False,
    batch_size=1,
    loss="mse",
    optimizer="sgd",
    real=REAL,
    noise=NOISE,
    sizes=((4, 4, 4), (4, 3, 1)),
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
        compile=compile,
    )


def assert_close_ensembles(a, b, atol):
    for x, y in zip((*a._g, *a._d), (*b._g, *b._d), strict=True):
        torch.testing.assert_close(x[..., : a.members], y[..., : b.members], rtol=0, atol=atol)
    for g, h in zip(a.rngs, b.rngs, strict=True):
        assert torch.equal(g.get_state(), h.get_state())


@pytest.mark.parametrize(
    "options",
    [
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
    ],
)
def test_native_step_equals_the_eager_step_within_float_tolerance(options):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        native_run = make(True, **options).fit(7).fit(33)
    assert native_run._compiled.native
    eager = make(False, **options).fit(40)
    assert_close_ensembles(native_run, eager, atol=1e-5)


def test_the_three_ways_to_feed_the_kernel_give_the_same_bits():
    k, steps = 32, 50
    rngs = [torch.Generator().manual_seed(s) for s in range(k)]
    twins = [torch.Generator().manual_seed(s) for s in range(k)]
    g_spec = fused.NetSpec((4, 4, 4), False, ("sigmoid", "sigmoid"))
    d_spec = fused.NetSpec((4, 3, 1), False, ("sigmoid", "sigmoid"))
    runner = native.NativeRunner(g_spec, d_spec, "mse")
    init = [
        torch.rand(s, generator=torch.Generator().manual_seed(9))
        for s in [(4, 4, k), (4, 4, k), (3, 4, k), (1, 3, k)]
    ]
    data = MemberData(rngs, REAL, NOISE, 1, k)
    data.planned = steps
    parts = [p.contiguous() for p in data.draw(steps)]
    raw = MemberData(twins, REAL, NOISE, 1, k)
    raw.raw = True
    raw.planned = steps
    is_raw, uniforms = raw.draw_raw(steps)
    assert is_raw
    words = mt_states.read_states([torch.Generator().manual_seed(s) for s in range(k)], k)
    results = []
    for feed, maps in ((parts, None), (uniforms, data.maps), ([words], data.maps)):
        state = [t.clone() for t in init]
        if maps is not None and feed[0].dtype == torch.int32:
            state.append(feed[0])
        losses, fakes = runner._call(state, (0.01, 0.01), (0, 0), feed, maps, steps)
        results.append([losses, fakes, *state[:4]])
    for other in results[1:]:
        for x, y in zip(results[0], other, strict=True):
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
        runner = native.NativeRunner(g_spec, d_spec, "bce", "sgd", threads=threads)
        state = [t.clone() for t in init]
        losses, fakes = runner._call([*state, words], (0.1, 0.1), (0, 0), [words], maps, steps)
        out.append([losses, fakes, words, *state])
    for x, y in zip(*out, strict=True):
        assert torch.equal(x, y)


def test_a_diverging_member_leaves_the_others_alone():
    ens = tg.EnsembleTrainer.from_seeds(range(20), REAL, NOISE, lr=0.01, compile=True)
    alone = tg.EnsembleTrainer.from_seeds(range(1, 20), REAL, NOISE, lr=0.01, compile=True)
    with torch.no_grad():
        ens._g[0][..., 0] = float("nan")  # member 0 broken
    record = ens.fit(30).step()
    assert torch.isnan(record.g_loss[0]) and not torch.isnan(record.g_loss[1:]).any()
    alone.fit(31)
    for x, y in zip((*ens._g, *ens._d), (*alone._g, *alone._d), strict=True):
        assert torch.equal(x[..., 1:20], y[..., :19])  # the others are as without it


def test_the_kernel_refuses_shapes_that_do_not_fit():
    g_spec = fused.NetSpec((4, 4, 4), False, ("sigmoid", "sigmoid"))
    d_spec = fused.NetSpec((4, 3, 1), False, ("sigmoid", "sigmoid"))
    runner = native.NativeRunner(g_spec, d_spec, "mse")
    state = [torch.zeros(s) for s in [(4, 4, 16), (4, 4, 16), (3, 4, 16), (1, 3, 16)]]
    parts = [torch.zeros(5, 1, 4, 16) for _ in range(3)]
    with pytest.raises(ValueError, match=r"state\[2\] has shape"):
        runner._call(
            [*state[:2], torch.zeros(3, 4, 8), state[3]], (0.1, 0.1), (0, 0), parts, None, 5
        )
    with pytest.raises(ValueError, match="noise_gen has shape"):
        runner._call(state, (0.1, 0.1), (0, 0), [*parts[:2], torch.zeros(5, 1, 3, 16)], None, 5)
    with pytest.raises(ValueError, match="multiple of 16"):
        runner._call(
            [s[..., :8].contiguous() for s in state],
            (0.1, 0.1),
            (0, 0),
            [p[..., :8].contiguous() for p in parts],
            None,
            5,
        )
    with pytest.raises(ValueError, match="contiguous float32"):
        runner._call([state[0].double(), *state[1:]], (0.1, 0.1), (0, 0), parts, None, 5)


# -- building and caching ----------------------------------------------------------------


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYGAN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(native_build, "_LOADED", {})
    return tmp_path


def test_the_kernel_is_built_once_into_the_cache_folder(fresh_cache):
    lib = native.load_kernel()
    built = list(fresh_cache.glob("native-*.so"))
    assert len(built) == 1
    assert native.load_kernel() is lib
    assert isinstance(lib, ctypes.CDLL)


def test_no_compiler_is_named(fresh_cache, monkeypatch):
    monkeypatch.setenv("CC", "no-such-compiler-here")
    with pytest.raises(native.NativeKernelError, match="no-such-compiler-here"):
        native.load_kernel()


def test_a_failing_compiler_is_reported(fresh_cache, monkeypatch):
    monkeypatch.setenv("CC", "false")
    with pytest.raises(native.NativeKernelError, match="could not build"):
        native.load_kernel()
    assert not list(fresh_cache.glob("*.so"))  # no half-written library left behind


def test_without_a_compiler_an_ensemble_takes_torch_compile(fresh_cache, monkeypatch):
    monkeypatch.setenv("CC", "no-such-compiler-here")
    ens = make(True)
    ens.fit(2)
    assert not ens._compiled.native and not ens._compiled.failed


@settings(max_examples=10, deadline=None)
@given(
    skips=st.lists(st.integers(0, 50), min_size=20, max_size=20),
    steps=st.integers(1, 40),
)
def test_members_at_different_positions_equal_eager(skips, steps):
    ensembles = []
    for compile in (True, False):
        ens = tg.EnsembleTrainer.from_seeds(range(20), REAL, NOISE, compile=compile)
        for g, skip in zip(ens.rngs, skips, strict=True):
            torch.rand(skip, generator=g)  # each generator elsewhere
        ensembles.append(ens.fit(steps))
    assert ensembles[0]._compiled.native
    assert_close_ensembles(*ensembles, atol=1e-6)


def test_an_unknown_generator_layout_feeds_buffered_uniforms(monkeypatch):
    monkeypatch.setattr(mt_states, "_usable", lambda rngs: False)  # as a torch that differs
    fast = tg.EnsembleTrainer.from_seeds(range(5), REAL, NOISE, compile=True).fit(600)
    eager = tg.EnsembleTrainer.from_seeds(range(5), REAL, NOISE).fit(600)
    assert fast._compiled.native and fast._data._kernel is None
    assert_close_ensembles(fast, eager, atol=1e-5)


def test_sources_that_are_not_affine_feed_samples():
    data = MemberData([torch.Generator()], tg.GaussianMixture.ring(), tg.GaussianNoise(2), 1, 16)
    assert data.maps is None
    options = {
        "real": tg.GaussianMixture.ring(),
        "noise": tg.GaussianNoise(2),
        "sizes": ((2, 6, 2), (2, 5, 1)),
    }
    fast = make(True, **options).fit(30)
    assert fast._compiled.native and fast._data._kernel is None
    assert_close_ensembles(fast, make(False, **options).fit(30), atol=1e-5)


@pytest.mark.parametrize("bias", [False, True])
def test_native_forward_equals_the_fused_forward(bias):
    spec = fused.NetSpec((3, 5, 2), bias, ("tanh", "sigmoid"))
    k = 32
    g = torch.Generator().manual_seed(3)
    params = [torch.randn(s, generator=g) for s in native_job_shapes(spec, k)]
    x = torch.rand(7, 3, k, generator=g)
    expected = fused.forward(spec, params, x, sums=True)[-1]
    torch.testing.assert_close(native.forward(spec, params, x), expected, rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match="native forward"):
        native.forward(spec, params, x[..., :16].contiguous())


def native_job_shapes(spec, k):
    from tinygan.engine.native_job import param_shapes

    return param_shapes(spec, k)


def test_a_compiled_ensemble_generates_in_the_kernel_within_tolerance():
    fast = tg.EnsembleTrainer.from_seeds(range(5), REAL, NOISE, compile=True).fit(50)
    eager = tg.EnsembleTrainer.from_seeds(range(5), REAL, NOISE).fit(50)
    z = torch.rand(100, 4, generator=torch.Generator().manual_seed(0))
    assert fast._compiled.native
    torch.testing.assert_close(fast.generate(z), eager.generate(z), rtol=0, atol=1e-5)


def test_a_calls_outputs_stay_within_their_memory_budget(monkeypatch):
    # 64 members (padded), batch 2 of 4 numbers: 4 * 64 * (3 + 8) bytes per iteration
    monkeypatch.setattr(native, "OUTPUT_BYTES", 4 * 64 * 11 * 5)
    computed = []
    run = native.NativeRunner.run

    def spy(self, *args, **kwargs):
        record = run(self, *args, **kwargs)
        computed.append(self.computed)
        return record

    monkeypatch.setattr(native.NativeRunner, "run", spy)
    fast = make(True, batch_size=2).fit(23)
    assert computed and max(computed) == 5 and sum(computed) == 23
    assert_close_ensembles(fast, make(False, batch_size=2).fit(23), atol=1e-5)
