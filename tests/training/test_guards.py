"""The non-finite guard: a NaN or infinite loss stops fit, naming the iteration and the loss."""

from __future__ import annotations

import math
import time

import pytest
import torch
from tests.resume_helpers import build

import tinygan as tg


class _PoisonAt:
    """A data source (inheriting nothing) that hands out ``value`` on its ``at``-th call."""

    def __init__(self, source, at: int, value: float) -> None:
        self.source, self.at, self.value = source, at, value
        self.dim = source.dim
        self.calls = 0

    def sample(self, n, *, generator=None):
        self.calls += 1
        x = self.source.sample(n, generator=generator)
        if self.calls == self.at:
            x[0, 0] = self.value
        return x


def trainer_with(real=None, noise=None, **kwargs):
    g = torch.Generator().manual_seed(0)
    return tg.AdversarialTrainer(
        tg.mlp([4, 4, 4], generator=g),
        tg.mlp([4, 3, 1], generator=g),
        real or tg.FuzzyPattern("1010"),
        noise or tg.UniformNoise(4),
        seed=0,
        **kwargs,
    )


def test_nan_in_real_data_names_iteration_and_loss():
    logger = tg.LossLogger()
    ended = []
    trainer = trainer_with(
        real=_PoisonAt(tg.FuzzyPattern("1010"), at=7, value=math.nan),
        callbacks=[logger, tg.LambdaCallback(on_fit_end=lambda t: ended.append(t.iteration))],
    )
    with pytest.raises(FloatingPointError, match=r"d_loss_real is nan at iteration 7"):
        trainer.fit(20)
    assert trainer.iteration == 7
    assert logger.steps.tolist() == list(range(1, 7))  # the callbacks never saw the bad one
    assert ended == [7]  # but on_fit_end ran


def test_loss_that_overflows_is_caught_as_g_loss():
    def loss(output, target):
        mse = torch.nn.functional.mse_loss(output, target)
        return mse * 1e39 if loss.calls == 9 else mse  # the 3rd loss of iteration 3 overflows

    loss.calls = 0

    def counting(output, target):
        loss.calls += 1
        return loss(output, target)

    trainer = trainer_with(loss=counting)
    with pytest.raises(FloatingPointError, match=r"g_loss is inf at iteration 3"):
        trainer.fit(10)


def test_discriminator_trainer_is_guarded_too():
    trainer = tg.DiscriminatorTrainer(
        tg.mlp([4, 3, 1], generator=torch.Generator().manual_seed(0)),
        tg.FuzzyPattern("1010"),
        _PoisonAt(tg.FuzzyPattern("0101"), at=4, value=math.nan),
        seed=0,
    )
    with pytest.raises(FloatingPointError, match=r"d_loss_fake is nan at iteration 4"):
        trainer.fit(10)


def test_guard_can_be_turned_off():
    trainer = trainer_with(real=_PoisonAt(tg.FuzzyPattern("1010"), at=2, value=math.nan))
    trainer.check_finite = False
    trainer.fit(5)
    assert trainer.iteration == 5
    assert not bool(torch.isfinite(next(trainer.discriminator.parameters())).all())


def test_checkpoint_is_not_written_for_nan_weights(tmp_path, caplog):
    trainer = trainer_with(
        real=_PoisonAt(tg.FuzzyPattern("1010"), at=5, value=math.nan),
        callbacks=[tg.Checkpoint(tmp_path, every=2)],
    )
    with pytest.raises(FloatingPointError):
        trainer.fit(10)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "checkpoint-00000002.pt",
        "checkpoint-00000004.pt",
    ]
    assert "weights are not finite at iteration 5" in caplog.text


def test_guard_costs_little():
    """Median time per iteration with and without the guard, in one process: under 15%."""
    on, off = build(callbacks=[]), build(callbacks=[])
    off.check_finite = False
    on.fit(50), off.fit(50)
    ratios = []
    for _ in range(7):
        t0 = time.perf_counter()
        on.fit(100)
        t1 = time.perf_counter()
        off.fit(100)
        t2 = time.perf_counter()
        ratios.append((t1 - t0) / (t2 - t1))
    assert sorted(ratios)[3] < 1.15


def test_one_loss_per_member_names_the_members():
    """An ensemble-style record (one loss per member) names which members diverged."""

    class Members(tg.BaseTrainer):
        def step(self) -> tg.StepRecord:
            loss = torch.full((5,), 0.25)
            if self.iteration == 2:
                loss[1], loss[3] = math.nan, math.inf
            return tg.StepRecord(g_loss=loss)

    trainer = Members()
    message = r"g_loss is nan for entries \[1, 3\] at iteration 3"
    with pytest.raises(FloatingPointError, match=message):
        trainer.fit(10)
    assert trainer.iteration == 3
