"""Reproducibility: the same seed gives the same numbers bit for bit, however a run is split."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.helpers import d_only_trainer, post_trainer, same, weights

import tinygan as tg


def run(make, seed, splits, **kwargs):
    """Train with ``fit`` called once per entry of ``splits``; return weights and logs."""
    log = tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0])
    snaps = tg.Snapshots(every=7)
    trainer = make(seed, callbacks=[log, snaps], **kwargs)
    for steps in splits:
        trainer.fit(steps)
    nets = [trainer.discriminator]
    if isinstance(trainer, tg.AdversarialTrainer):
        nets.insert(0, trainer.generator)
    return {
        "weights": weights(*nets),
        "log": log.as_dict(),
        "snapshots": snaps.outputs,
        "rng": trainer.rng.get_state(),
        "iteration": trainer.iteration,
    }


def assert_identical(a, b):
    assert same(a["weights"], b["weights"])
    assert a["log"].keys() == b["log"].keys()
    for key in a["log"]:
        np.testing.assert_array_equal(a["log"][key], b["log"][key])
    np.testing.assert_array_equal(a["snapshots"], b["snapshots"])
    assert torch.equal(a["rng"], b["rng"])
    assert a["iteration"] == b["iteration"]


def test_same_seed_same_weights_and_logs():
    assert_identical(run(post_trainer, 0, [300]), run(post_trainer, 0, [300]))


def test_same_seed_same_weights_and_logs_in_batches():
    assert_identical(
        run(post_trainer, 5, [60], batch_size=8), run(post_trainer, 5, [60], batch_size=8)
    )


@settings(max_examples=8, deadline=None)
@given(a=st.integers(0, 40), b=st.integers(0, 40), seed=st.integers(0, 1000))
def test_fit_a_then_b_equals_fit_a_plus_b(a, b, seed):
    assert_identical(run(post_trainer, seed, [a, b]), run(post_trainer, seed, [a + b]))


def test_many_small_fits_equal_one_long_fit():
    assert_identical(run(post_trainer, 2, [1] * 25 + [0, 75]), run(post_trainer, 2, [100]))


def test_step_by_step_equals_fit():
    """Calling step() directly draws the same numbers as fit does."""
    by_fit = post_trainer(4)
    by_fit.fit(20)
    by_step = post_trainer(4)
    for _ in range(20):
        by_step.step()
    assert same(
        weights(by_fit.generator, by_fit.discriminator),
        weights(by_step.generator, by_step.discriminator),
    )


def test_different_seeds_differ():
    a, b = run(post_trainer, 0, [50]), run(post_trainer, 1, [50])
    assert not same(a["weights"], b["weights"])
    assert not np.array_equal(a["log"]["g_loss"], b["log"]["g_loss"])


def test_different_data_seeds_with_the_same_nets_differ():
    from tests.helpers import post_nets

    results = []
    for data_seed in (0, 1):
        G, D = post_nets(0)
        trainer = tg.AdversarialTrainer(
            G, D, tg.FuzzyPattern("1010"), tg.UniformNoise(4), seed=data_seed
        )
        trainer.fit(20)
        results.append(weights(G, D))
    assert not same(*results)


def test_seed_none_draws_a_fresh_seed():
    from tests.helpers import post_nets

    results = []
    for _ in range(2):
        G, D = post_nets(0)
        tg.AdversarialTrainer(G, D, tg.FuzzyPattern("1010"), tg.UniformNoise(4)).fit(10)
        results.append(weights(G, D))
    assert not same(*results)


def test_discriminator_trainer_reproducible_and_splittable():
    assert_identical(run(d_only_trainer, 3, [200]), run(d_only_trainer, 3, [200]))
    assert_identical(run(d_only_trainer, 3, [70, 0, 130]), run(d_only_trainer, 3, [200]))
    assert not same(
        run(d_only_trainer, 3, [50])["weights"], run(d_only_trainer, 4, [50])["weights"]
    )


def test_global_rng_does_not_influence_training():
    """The trainer draws only from its own generator: global seeding changes nothing."""
    results = []
    for global_seed in (0, 12345):
        with torch.random.fork_rng():
            torch.manual_seed(global_seed)
            results.append(run(post_trainer, 8, [50]))
    assert_identical(*results)
