"""The loop every trainer shares: fit, stop, iteration counting, and how fit ends."""

from __future__ import annotations

import pytest
import torch
from tests.helpers import d_only_trainer, post_trainer

import tinygan as tg


class Counter(tg.BaseTrainer):
    """The smallest trainer: each iteration records the iteration count it saw."""

    def __init__(self, *, fail_at=None, exc=RuntimeError, **kwargs):
        super().__init__(**kwargs)
        self.fail_at = fail_at
        self.exc = exc
        self.calls = 0

    def step(self):
        self.calls += 1
        if self.fail_at is not None and self.calls == self.fail_at:
            raise self.exc("boom")
        return tg.StepRecord(g_loss=torch.tensor(float(self.iteration)))


class Ends(tg.Callback):
    def __init__(self):
        self.starts = 0
        self.ends = 0
        self.steps = []

    def on_fit_start(self, trainer):
        self.starts += 1

    def on_step_end(self, trainer, step, record):
        self.steps.append(step)

    def on_fit_end(self, trainer):
        self.ends += 1


def test_fit_runs_steps_and_returns_the_trainer():
    trainer = Counter()
    assert trainer.fit(4) is trainer
    assert trainer.iteration == 4 and trainer.calls == 4


@pytest.mark.parametrize(
    "make",
    [
        lambda cbs: post_trainer(0, callbacks=cbs),
        lambda cbs: d_only_trainer(0, callbacks=cbs),
        lambda cbs: Counter(callbacks=cbs),
    ],
    ids=["adversarial", "discriminator", "counter"],
)
def test_step_numbers_go_on_across_fit_calls(make):
    ends = Ends()
    trainer = make([ends])
    trainer.fit(3)
    trainer.fit(0)
    trainer.fit(2)
    assert ends.steps == [1, 2, 3, 4, 5]
    assert trainer.iteration == 5
    assert (ends.starts, ends.ends) == (3, 3)  # fit(0) still starts and ends


def test_stop_from_a_callback_ends_fit_after_the_current_iteration():
    ends = Ends()
    later = Ends()

    def stopper(trainer, step, record):
        if step == 3:
            trainer.stop()

    trainer = post_trainer(0, callbacks=[ends, tg.LambdaCallback(on_step_end=stopper), later])
    trainer.fit(10)
    assert trainer.iteration == 3
    assert ends.steps == [1, 2, 3] and later.steps == [1, 2, 3]  # step 3 reached every callback
    assert (ends.starts, ends.ends) == (1, 1)
    trainer.fit(2)  # the request does not outlive the fit that received it
    assert trainer.iteration == 5 and ends.steps == [1, 2, 3, 4, 5]


def test_stop_in_on_fit_start_runs_no_iteration():
    ends = Ends()
    trainer = Counter(callbacks=[tg.LambdaCallback(on_fit_start=lambda t: t.stop()), ends])
    trainer.fit(5)
    assert trainer.iteration == 0 and ends.steps == [] and ends.ends == 1


def test_stop_from_the_discriminator_trainer():
    trainer = d_only_trainer(0)
    trainer.callbacks.append(tg.LambdaCallback(on_step_end=lambda t, s, r: t.stop()))
    assert trainer.fit(100).iteration == 1


def test_on_fit_end_runs_on_an_exception_which_propagates():
    ends = Ends()

    def explode(trainer, step, record):
        if step == 2:
            raise ValueError("from a callback")

    trainer = post_trainer(0, callbacks=[ends, tg.LambdaCallback(on_step_end=explode)])
    with pytest.raises(ValueError, match="from a callback"):
        trainer.fit(10)
    assert trainer.iteration == 2 and ends.ends == 1


def test_on_fit_end_runs_on_an_exception_in_step():
    ends = Ends()
    trainer = Counter(fail_at=3, callbacks=[ends])
    with pytest.raises(RuntimeError, match="boom"):
        trainer.fit(10)
    assert trainer.iteration == 2 and ends.steps == [1, 2] and ends.ends == 1


def test_on_fit_end_runs_on_keyboard_interrupt_which_propagates():
    ends = Ends()
    other = Ends()
    trainer = Counter(fail_at=4, exc=KeyboardInterrupt, callbacks=[ends, other])
    with pytest.raises(KeyboardInterrupt):
        trainer.fit(10)
    assert trainer.iteration == 3
    assert ends.ends == 1 and other.ends == 1


def test_keyboard_interrupt_in_a_real_trainer():
    ends = Ends()

    def interrupt(trainer, step, record):
        if step == 5:
            raise KeyboardInterrupt

    trainer = post_trainer(0, callbacks=[ends, tg.LambdaCallback(on_step_end=interrupt)])
    with pytest.raises(KeyboardInterrupt):
        trainer.fit(100)
    assert trainer.iteration == 5 and ends.ends == 1
    trainer.fit(1)  # the trainer is still usable afterwards
    assert ends.steps[-1] == 6


def test_step_must_return_a_step_record():
    class Bad(tg.BaseTrainer):
        def step(self):
            return {"g_loss": 0.0}

    ends = Ends()
    with pytest.raises(TypeError, match=r"step\(\)"):
        Bad(callbacks=[ends]).fit(1)
    assert ends.ends == 1


def test_base_trainer_step_is_abstract():
    with pytest.raises(NotImplementedError):
        tg.BaseTrainer().step()
    with pytest.raises(NotImplementedError):
        tg.BaseTrainer().fit(1)


def test_a_base_trainer_subclass_is_a_trainer():
    assert isinstance(Counter(), tg.Trainer)
