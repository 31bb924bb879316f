"""Protocols: structural typing, user data sources and user trainers."""

from __future__ import annotations

import numpy as np
import torch
from tests.helpers import Recording, gen, post_nets, same, weights
from tests.sweep_recipes import TwoToOne
from torch import nn

import tinygan as tg


class Ones:
    """A data source that inherits nothing."""

    dim = 4

    def sample(self, n, *, generator=None):
        return torch.ones(n, self.dim)


class ShiftedNoise:
    """A random data source that inherits nothing and draws from the generator given."""

    def __init__(self, dim):
        self.dim = dim

    def sample(self, n, *, generator=None):
        return torch.rand(n, self.dim, generator=generator) * 0.5 + 0.25


class NotASource:
    dim = 4


class MinimalTrainer:
    """A Trainer without inheriting anything: it counts."""

    def __init__(self):
        self.iteration = 0
        self._stop = False

    def step(self):
        return tg.StepRecord()

    def fit(self, steps):
        self._stop = False
        for _ in range(steps):
            if self._stop:
                break
            self.step()
            self.iteration += 1
        return self

    def stop(self):
        self._stop = True


def test_library_classes_satisfy_the_protocols():
    assert isinstance(tg.FuzzyPattern("1010"), tg.DataSource)
    assert isinstance(tg.UniformNoise(4), tg.DataSource)
    assert isinstance(tg.mlp([4, 3, 1]), tg.Model)
    assert isinstance(nn.Linear(2, 2), tg.Model)
    G, D = post_nets(0)
    trainer = tg.AdversarialTrainer(G, D, tg.FuzzyPattern("1010"), tg.UniformNoise(4), seed=0)
    assert isinstance(trainer, tg.Trainer)
    d_only = tg.DiscriminatorTrainer(D, tg.FuzzyPattern("1010"), tg.FuzzyPattern("0101"))
    assert isinstance(d_only, tg.Trainer)


def test_user_classes_satisfy_the_protocols_structurally():
    assert isinstance(Ones(), tg.DataSource)
    assert isinstance(ShiftedNoise(3), tg.DataSource)
    assert not isinstance(NotASource(), tg.DataSource)
    assert isinstance(MinimalTrainer(), tg.Trainer)
    assert not isinstance(Ones(), tg.Trainer)
    assert not isinstance(object(), tg.Model)
    assert MinimalTrainer().fit(3).iteration == 3


def test_user_data_sources_work_with_the_adversarial_trainer():
    G, D = post_nets(0)
    log = tg.LossLogger()
    trainer = tg.AdversarialTrainer(G, D, Ones(), ShiftedNoise(4), seed=0, callbacks=[log])
    before = weights(G, D)
    trainer.fit(5)
    assert trainer.iteration == 5 and log.g_loss.shape == (5,)
    assert all(not torch.equal(a, b) for a, b in zip(before, weights(G, D), strict=True))


def test_user_data_source_draws_from_the_trainers_generator():
    """Two trainers with the same seed hand the same generator state to user sources."""
    runs = []
    for _ in range(2):
        G, D = post_nets(1)
        noise = Recording(ShiftedNoise(4))
        tg.AdversarialTrainer(G, D, Ones(), noise, seed=7).fit(3)
        runs.append(torch.cat(noise.batches))
    assert torch.equal(*runs)


def test_user_data_sources_work_with_the_discriminator_trainer():
    D = tg.mlp([4, 3, 1], generator=gen(0))
    trainer = tg.DiscriminatorTrainer(D, Ones(), ShiftedNoise(4), seed=0)
    assert trainer.fit(4).iteration == 4


def build_two_to_one(seed, callbacks=()):
    G, D = post_nets(seed)
    real = Recording(tg.FuzzyPattern("1010"))
    noise = Recording(tg.UniformNoise(4))
    return TwoToOne(G, D, real, noise, batch_size=2, seed=seed, callbacks=callbacks)


def test_custom_trainer_subclass_works_with_fit_and_callbacks():
    log = tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0])
    snaps = tg.Snapshots(every=2)
    steps = []
    trainer = build_two_to_one(
        0, [log, snaps, tg.LambdaCallback(on_step_end=lambda t, s, r: steps.append(s))]
    )
    assert isinstance(trainer, tg.Trainer)
    trainer.fit(3)
    trainer.fit(2)
    assert trainer.iteration == 5 and steps == [1, 2, 3, 4, 5]
    assert log.d_loss_real.shape == (5,) and log.g_error.shape == (5,)
    assert snaps.steps == [2, 4] and snaps.array.shape == (4, 4)
    # Two real batches and three noise batches per iteration, of batch_size rows each.
    assert len(trainer.real.batches) == 10 and len(trainer.noise.batches) == 15
    assert all(batch.shape == (2, 4) for batch in trainer.noise.batches)


def test_custom_trainer_is_reproducible_and_stoppable():
    a, b = build_two_to_one(3), build_two_to_one(3)
    log_a, log_b = tg.LossLogger(), tg.LossLogger()
    a.callbacks.append(log_a)
    b.callbacks.append(log_b)
    a.fit(4)
    b.fit(1)
    b.fit(3)
    assert same(weights(a.generator, a.discriminator), weights(b.generator, b.discriminator))
    np.testing.assert_array_equal(log_a.g_loss, log_b.g_loss)
    a.callbacks.append(tg.LambdaCallback(on_step_end=lambda t, s, r: t.stop()))
    assert a.fit(10).iteration == 5


def test_structural_trainer_drives_callbacks_through_base_trainer():
    """A new class built on BaseTrainer, not AdversarialTrainer, gets fit and callbacks."""

    class Walk(tg.BaseTrainer):
        def __init__(self, seed, **kwargs):
            super().__init__(**kwargs)
            self.rng = gen(seed)
            self.position = torch.zeros(())

        def step(self):
            self.position = self.position + torch.randn((), generator=self.rng)
            return tg.StepRecord(g_loss=self.position.clone())

    log = tg.LossLogger()
    walk = Walk(0, callbacks=[log])
    assert isinstance(walk, tg.Trainer)
    walk.fit(6)
    assert log.g_loss.shape == (6,) and log.d_loss_real.shape == (0,)
    expected = torch.cumsum(torch.randn(6, generator=gen(0)), 0)
    np.testing.assert_allclose(log.g_loss, expected.numpy(), rtol=1e-6)
