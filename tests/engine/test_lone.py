"""A lone trainer on the native backend: the fused step's numbers, hundreds per call.

The fused step equals autograd (``tests/engine/test_fused.py``); here the native kernel
serving one trainer is held to the fused step (within float tolerance, the same data bit
for bit), and its bookkeeping to the exact rules every backend keeps: ``fit(a)`` then
``fit(b)`` equals ``fit(a + b)``, a ``fit`` that ends early leaves the last whole
iteration, and a callback that looks at the trainer sees each iteration as it leaves it.
"""

import warnings

import pytest
import torch
from torch import nn
from torch.nn import functional

import tinygan as tg
from tinygan.engine import native

REAL = tg.FuzzyPattern("1010")
NOISE = tg.UniformNoise(4)


def trainer(backend, seed=0, *, sizes=((4, 4, 4), (4, 3, 1)), real=REAL, noise=NOISE, **kw):
    g = torch.Generator().manual_seed(seed)
    activation = kw.pop("activation", nn.Sigmoid)
    bias = kw.pop("bias", False)
    G = tg.mlp(sizes[0], bias=bias, activation=activation, generator=g)
    D = tg.mlp(sizes[1], bias=bias, generator=g)
    return tg.AdversarialTrainer(G, D, real, noise, seed=seed + 1, backend=backend, **kw)


def weights(t):
    return [p.detach().clone() for m in (t.generator, t.discriminator) for p in m.parameters()]


def assert_close(a, b, atol):
    for x, y in zip(weights(a), weights(b), strict=True):
        torch.testing.assert_close(x, y, rtol=0, atol=atol)
    assert torch.equal(a.rng.get_state(), b.rng.get_state())  # the same data, to the bit


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"batch_size": 3, "bias": True, "lr": 0.05},
        {"activation": nn.Tanh, "loss": functional.binary_cross_entropy},
        {"activation": nn.ReLU, "bias": True, "batch_size": 2},
        {
            "real": tg.GaussianMixture.ring(),
            "noise": tg.GaussianNoise(2),
            "sizes": ((2, 6, 2), (2, 5, 1)),
            "batch_size": 4,
        },
        {
            "sizes": ((2, 8, 5, 3), (3, 6, 1)),
            "noise": tg.UniformNoise(2, low=-1.0, high=1.0),
            "real": tg.FuzzyPattern("101"),
        },
    ],
)
def test_native_equals_fused_within_float_tolerance(options):
    log = tg.LossLogger()
    fast = trainer("native", callbacks=[log], **options).fit(300)
    assert fast.backend == "native"
    slow_log = tg.LossLogger()
    slow = trainer("fused", callbacks=[slow_log], **options).fit(300)
    assert_close(fast, slow, atol=1e-5)
    torch.testing.assert_close(log.g_loss, slow_log.g_loss, rtol=0, atol=1e-5)
    assert log.d_loss_real.shape == (300,)


def test_fit_splits_are_bit_identical_and_records_are_a_lone_trainers():
    split = trainer("native", callbacks=[tg.Snapshots(every=1)])
    split.fit(5).fit(0).fit(990)
    split.fit(5)
    whole = trainer("native").fit(1000)
    for a, b in zip(weights(split), weights(whole), strict=True):
        assert torch.equal(a, b)
    assert torch.equal(split.rng.get_state(), whole.rng.get_state())
    record = trainer("native").step()
    assert record.g_loss.shape == () and record.fake.shape == (1, 4)
    seen = split.callbacks[0].outputs
    assert len(seen) == 1000 and seen[-1].shape == (1, 4)


def test_a_callback_that_looks_at_the_trainer_sees_each_iteration():
    seen = []

    def look(t, step, record):
        seen.append((t.iteration, t.generator[0].weight.detach().clone(), record.fake.clone()))

    looking = trainer("native", callbacks=[tg.LambdaCallback(on_step_end=look)]).fit(40)
    assert [s[0] for s in seen] == list(range(1, 41))
    for step, (_, w, _) in enumerate(seen[::13]):
        ref = trainer("native").fit(13 * step + 1)
        assert torch.equal(w, ref.generator[0].weight)  # the weights of that very iteration
    reference = trainer("native").fit(40)
    for a, b in zip(weights(looking), weights(reference), strict=True):
        assert torch.equal(a, b)


def test_an_error_mid_call_leaves_the_last_whole_iteration():
    bad = tg.LossLogger(reference=[0.9, 0.0, 0.9])  # 3 entries: fails at the first record
    t = trainer("native", callbacks=[bad])
    with pytest.raises(ValueError, match="reference"):
        t.fit(100)
    assert t.iteration == 1
    one = trainer("native").fit(1)
    for a, b in zip(weights(t), weights(one), strict=True):
        assert torch.equal(a, b)
    assert torch.equal(t.rng.get_state(), one.rng.get_state())

    stopped = trainer("native", callbacks=[tg.LambdaCallback(
        on_step_end=lambda tr, step, r: tr.stop() if step == 37 else None)])  # fmt: skip
    stopped.fit(500)
    assert stopped.iteration == 37
    for a, b in zip(weights(stopped), weights(trainer("native").fit(37)), strict=True):
        assert torch.equal(a, b)


def test_a_checkpoint_taken_mid_run_resumes_exactly(tmp_path):
    t = trainer("native", callbacks=[tg.Checkpoint(tmp_path, every=50)])
    t.fit(120)
    resumed = trainer("native")
    tg.load_checkpoint(tmp_path / "checkpoint-00000100.pt", resumed)
    resumed.fit(20)
    for a, b in zip(weights(t), weights(resumed), strict=True):
        assert torch.equal(a, b)


def test_without_the_kernel_the_fused_step_runs_after_one_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("CC", "no-such-compiler-here")
    monkeypatch.setenv("TINYGAN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(native, "_LOADED", {})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fallback = trainer("native")
        fallback.fit(100).fit(50)
    assert fallback.backend == "fused"
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(messages) == 1 and "no C compiler" in messages[0]
    fused = trainer("fused").fit(150)
    for a, b in zip(weights(fallback), weights(fused), strict=True):
        assert torch.equal(a, b)  # the fused step, bit for bit
    assert torch.equal(fallback.rng.get_state(), fused.rng.get_state())
