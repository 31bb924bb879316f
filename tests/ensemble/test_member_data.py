"""The members' data: drawn ahead in a background thread, with the foreground's numbers."""

from __future__ import annotations

import pytest
import torch

import tinygan as tg

REAL = tg.FuzzyPattern("1010")
NOISE = tg.UniformNoise(4)
SEEDS = [3, 11, 7]
STEPS = 2600  # more than two buffers (1,024 iterations each here): two background draws


def ensemble(background: bool, callbacks=()):
    ens = tg.EnsembleTrainer.from_seeds(
        SEEDS, REAL, NOISE, optimizer="adam", callbacks=list(callbacks)
    )
    ens._data._background = background
    return ens


def stacked(ens):
    state = ens.state_dict()
    return [*state["generators"], *state["discriminators"]]


def assert_same(a, b):
    assert a.iteration == b.iteration
    for x, y in zip(stacked(a), stacked(b), strict=True):
        assert torch.equal(x, y)
    for g1, g2 in zip(a.rngs, b.rngs, strict=True):
        assert torch.equal(g1.get_state(), g2.get_state())


def test_background_draws_give_the_foreground_numbers():
    seen = []
    watch = tg.LambdaCallback(
        on_step_end=lambda trainer, step, record: seen.append(trainer._data._next is not None)
    )
    ahead = ensemble(True, [watch]).fit(STEPS)
    assert any(seen), "no background draw ran: the test would prove nothing"
    assert ahead._data._next is None  # fit settles its draws before it returns
    assert_same(ahead, ensemble(False).fit(STEPS))


def test_stopping_while_a_draw_runs_keeps_what_it_drew():
    def stop(trainer, step, record):
        if step == 1100:
            assert trainer._data._next is not None
            trainer.stop()

    ens = ensemble(True, [tg.LambdaCallback(on_step_end=stop)])
    ens.fit(STEPS)
    assert ens.iteration == 1100
    ens.callbacks.clear()
    ens.fit(STEPS - 1100)
    assert_same(ens, ensemble(False).fit(STEPS))


def test_state_dict_taken_mid_fit_resumes_exactly():
    states = {}

    def save(trainer, step, record):
        if step == 1500:
            states["mid"] = trainer.state_dict()

    ensemble(True, [tg.LambdaCallback(on_step_end=save)]).fit(STEPS)
    resumed = ensemble(True)
    resumed.load_state_dict(states["mid"])
    resumed.fit(STEPS - 1500)
    assert_same(resumed, ensemble(False).fit(STEPS))


def test_an_error_in_a_background_draw_reaches_the_caller():
    ens = ensemble(True)
    calls = []
    draw = ens._data._draw

    def failing(steps):
        calls.append(steps)
        if len(calls) == 2:  # the first background draw
            raise RuntimeError("drawing failed")
        return draw(steps)

    ens._data._draw = failing
    with pytest.raises(RuntimeError, match="drawing failed"):
        ens.fit(STEPS)


def test_a_failing_fit_shows_its_own_error_over_a_failing_draw(caplog):
    def fail(trainer, step, record):
        if step == 10:
            raise ValueError("the callback's own error")

    ens = ensemble(True, [tg.LambdaCallback(on_step_end=fail)])
    draw = ens._data._draw
    calls = []

    def failing(steps):
        calls.append(steps)
        if len(calls) == 2:  # the background draw started with the first buffer
            raise RuntimeError("drawing failed")
        return draw(steps)

    ens._data._draw = failing
    with pytest.raises(ValueError, match="the callback's own error"):
        ens.fit(STEPS)
    assert len(calls) == 2
    assert "drawing failed" in caplog.text  # not lost: logged
    assert ens._data._next is None
