"""Exact resume: N iterations, save, load into a fresh trainer, M more == N + M straight.

And Ctrl-C: an interrupt anywhere in an iteration leaves the trainer whole.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.resume_helpers import assert_same_logs, assert_same_state, build, standard_callbacks

import tinygan as tg


def resumed(tmp_path, n: int, m: int, **kwargs) -> tg.AdversarialTrainer:
    path = tmp_path / "mid.pt"
    tg.save_checkpoint(path, build(**kwargs).fit(n))
    fresh = build(**kwargs)
    tg.load_checkpoint(path, fresh)
    return fresh.fit(m)


@settings(max_examples=12, deadline=None)
@given(n=st.integers(0, 23), m=st.integers(0, 23))
def test_resume_in_process_is_bit_identical(tmp_path_factory, n, m):
    tmp_path = tmp_path_factory.mktemp("resume")
    straight = build().fit(n + m)
    again = resumed(tmp_path, n, m)
    assert again.iteration == n + m
    assert_same_state(again.state_dict(), straight.state_dict())  # weights, optimisers, rng
    assert_same_logs(again, straight)


def test_resume_with_adam_and_batches(tmp_path):
    """An optimiser with state of its own (Adam's moments and step) resumes exactly too."""
    kwargs = {"optimizer": lambda p: torch.optim.Adam(p, lr=1e-3), "batch_size": 3}
    straight = build(**kwargs).fit(30)
    again = resumed(tmp_path, 13, 17, **kwargs)
    assert_same_state(again.state_dict(), straight.state_dict())
    assert_same_logs(again, straight)
    assert again.g_optimizer.state_dict()["state"][0]["step"] == 30


def test_resume_in_a_new_process_is_bit_identical(tmp_path):
    n, m = 40, 35
    first, last = tmp_path / "first.pt", tmp_path / "last.pt"
    tg.save_checkpoint(first, build().fit(n))
    script = textwrap.dedent(
        f"""
        import tinygan as tg
        from tests.resume_helpers import build
        trainer = build()
        tg.load_checkpoint({str(first)!r}, trainer)
        tg.save_checkpoint({str(last)!r}, trainer.fit({m}))
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    straight = build().fit(n + m)
    back = build()
    tg.load_checkpoint(last, back)
    assert back.iteration == n + m
    assert_same_state(back.state_dict(), straight.state_dict())
    assert_same_logs(back, straight)
    # ...and training on from there still matches.
    assert_same_state(back.fit(5).state_dict(), straight.fit(5).state_dict())


def test_periodic_checkpoints_resume_exactly(tmp_path):
    """Resume from a checkpoint the Checkpoint callback wrote in the middle of a fit."""
    folder = tmp_path / "ckpts"
    build(callbacks=[*standard_callbacks(), tg.Checkpoint(folder, every=15, keep=None)]).fit(37)
    fresh = build()
    tg.load_checkpoint(folder / "checkpoint-00000030.pt", fresh)
    straight = build().fit(50)
    assert_same_state(fresh.fit(20).state_dict(), straight.state_dict())
    assert_same_logs(fresh, straight)


# --- Ctrl-C -------------------------------------------------------------------------


class _Interrupting(tg.AdversarialTrainer):
    """Sends itself SIGINT (``times`` of them) between the D steps and the G step."""

    interrupt_at = 6
    times = 1

    def step(self) -> tg.StepRecord:
        n = self.batch_size
        d_real = self.train_discriminator(self.real.sample(n, generator=self.rng), 1.0)
        with torch.no_grad():
            fake = self.generator(self.noise.sample(n, generator=self.rng))
        d_fake = self.train_discriminator(fake, 0.0)
        if self.iteration + 1 == self.interrupt_at:
            for _ in range(self.times):
                signal.raise_signal(signal.SIGINT)  # the handler runs right here
        g_loss, out = self.train_generator(self.noise.sample(n, generator=self.rng))
        return tg.StepRecord(d_loss_real=d_real, d_loss_fake=d_fake, g_loss=g_loss, fake=out)


def interrupting(callbacks, times: int = 1) -> _Interrupting:
    trainer = build(cls=_Interrupting, callbacks=callbacks)
    trainer.times = times
    return trainer


def test_ctrl_c_mid_step_leaves_the_last_iteration_whole(tmp_path):
    folder = tmp_path / "ckpts"
    trainer = interrupting([*standard_callbacks(), tg.Checkpoint(folder, every=100)])
    with pytest.raises(KeyboardInterrupt):
        trainer.fit(50)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    # The interrupted iteration ran to its end, was counted and logged, and no more ran.
    assert trainer.iteration == 6
    straight = build().fit(6)
    assert_same_state(trainer.state_dict(), straight.state_dict())
    assert_same_logs(trainer, straight)
    # The final checkpoint holds it, and resuming from it gives the straight run.
    assert tg.latest_checkpoint(folder) == folder / "checkpoint-00000006.pt"
    fresh = build()
    tg.load_checkpoint(folder / "checkpoint-00000006.pt", fresh)
    assert_same_state(fresh.fit(14).state_dict(), build().fit(20).state_dict())


def fit_until_sigint(trainer: tg.AdversarialTrainer, delay: float) -> None:
    """Fit ``trainer`` until a real SIGINT, sent by another thread after ``delay`` s, stops it."""
    timer = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            trainer.fit(10**7)
    finally:
        timer.join()


@pytest.mark.parametrize("delay", [0.005, 0.02, 0.05, 0.11, 0.17])
def test_ctrl_c_at_any_moment_leaves_a_whole_iteration(delay):
    """A real SIGINT from another thread, landing wherever it lands (in the fused step, in a
    callback, between them): the trainer equals a straight run of its iteration count."""
    trainer = build()
    fit_until_sigint(trainer, delay)
    straight = build().fit(trainer.iteration)
    assert_same_state(trainer.state_dict(), straight.state_dict())
    assert_same_logs(trainer, straight)


def test_ctrl_c_in_a_callback_lets_every_callback_see_the_iteration():
    def interrupt(trainer, step, record):
        if step == 4:
            signal.raise_signal(signal.SIGINT)

    trainer = build(callbacks=[tg.LambdaCallback(on_step_end=interrupt), *standard_callbacks()])
    with pytest.raises(KeyboardInterrupt):
        trainer.fit(30)
    assert trainer.iteration == 4
    assert trainer.callbacks[1].steps.tolist() == [1, 2, 3, 4]  # the LossLogger, after it


def test_ctrl_c_during_on_fit_end_is_raised_after_it():
    seen = []

    def at_end(trainer):
        signal.raise_signal(signal.SIGINT)
        seen.append("finished")  # the rest of the hook still runs

    trainer = build(callbacks=[tg.LambdaCallback(on_fit_end=at_end)])
    with pytest.raises(KeyboardInterrupt):
        trainer.fit(3)
    assert seen == ["finished"] and trainer.iteration == 3


def test_second_ctrl_c_interrupts_at_once(tmp_path, caplog):
    folder = tmp_path / "ckpts"
    trainer = interrupting([tg.LossLogger(), tg.Checkpoint(folder, every=2)], times=2)
    with pytest.raises(KeyboardInterrupt):
        trainer.fit(50)
    assert trainer.iteration == 5  # iteration 6 was cut short, so it is not counted...
    assert tg.latest_checkpoint(folder) == folder / "checkpoint-00000004.pt"  # ...nor saved
    assert "not checkpointed" in caplog.text
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_own_sigint_handler_is_left_alone():
    calls = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: calls.append(signum))
    try:
        trainer = interrupting([])
        trainer.fit(10)  # the program's handler took the signal; fit went on
        assert calls == [signal.SIGINT] and trainer.iteration == 10
    finally:
        signal.signal(signal.SIGINT, previous)


def test_fit_in_another_thread_installs_nothing():
    seen = []

    def probe(trainer, step, record):
        seen.append(signal.getsignal(signal.SIGINT))

    trainer = build(callbacks=[tg.LambdaCallback(on_step_end=probe)])
    worker = threading.Thread(target=trainer.fit, args=(3,))
    worker.start()
    worker.join()
    assert trainer.iteration == 3
    assert seen == [signal.default_int_handler] * 3


def test_handler_is_installed_only_during_fit():
    seen = []
    trainer = build(
        callbacks=[tg.LambdaCallback(on_step_end=lambda t, s, r: seen.append(signal.getsignal(2)))]
    )
    trainer.fit(2)
    assert all(h is not signal.default_int_handler for h in seen)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(ValueError):
        trainer.fit(-1)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_compiled_trainer_resumes_and_interrupts_exactly(tmp_path):
    """compile=True computes iterations ahead in chunks; what it saves is still whole."""

    def make():
        return build(compile=True, callbacks=[tg.LossLogger(), tg.Snapshots(every=5)])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # where no compiler works
        straight = make().fit(53)
        tg.save_checkpoint(tmp_path / "c.pt", make().fit(21))
        again = make()
        tg.load_checkpoint(tmp_path / "c.pt", again)
        assert_same_state(again.fit(32).state_dict(), straight.state_dict())

        interrupted = make()
        fit_until_sigint(interrupted, 0.3)
        reference = make().fit(interrupted.iteration)
        assert_same_state(interrupted.state_dict(), reference.state_dict())
