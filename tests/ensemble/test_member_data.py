"""The members' data: drawn many iterations at a time, with the step-by-step numbers."""

from __future__ import annotations

import pytest
import torch

import tinygan as tg

REAL = tg.FuzzyPattern("1010")
NOISE = tg.UniformNoise(4)
SEEDS = [3, 11, 7]
STEPS = 2600  # more than two buffers (1,024 iterations each here)


def ensemble(callbacks=(), step_by_step: bool = False):
    ens = tg.EnsembleTrainer.from_seeds(
        SEEDS, REAL, NOISE, optimizer="adam", callbacks=list(callbacks)
    )
    if step_by_step:  # a buffer of one iteration: each drawn when it runs
        ens._data._cap = lambda: 1
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


def test_buffered_draws_give_the_step_by_step_numbers():
    sizes = []
    watch = tg.LambdaCallback(on_step_end=lambda t, step, r: sizes.append(t._data._steps()))
    buffered = ensemble([watch]).fit(STEPS)
    assert max(sizes) == 1024, "no buffer of many iterations: the test would prove nothing"
    assert_same(buffered, ensemble(step_by_step=True).fit(STEPS))


def test_stopping_mid_buffer_keeps_what_it_drew():
    def stop(trainer, step, record):
        if step == 1100:
            assert trainer._data.pos < trainer._data._steps()  # drawn but not yet used
            trainer.stop()

    ens = ensemble([tg.LambdaCallback(on_step_end=stop)])
    ens.fit(STEPS)
    assert ens.iteration == 1100
    ens.callbacks.clear()
    ens.fit(STEPS - 1100)
    assert_same(ens, ensemble(step_by_step=True).fit(STEPS))


def test_state_dict_taken_mid_fit_resumes_exactly():
    states = {}

    def save(trainer, step, record):
        if step == 1500:
            states["mid"] = trainer.state_dict()

    ensemble([tg.LambdaCallback(on_step_end=save)]).fit(STEPS)
    resumed = ensemble()
    resumed.load_state_dict(states["mid"])
    resumed.fit(STEPS - 1500)
    assert_same(resumed, ensemble(step_by_step=True).fit(STEPS))


def test_an_error_in_a_draw_reaches_the_caller():
    ens = ensemble()
    calls = []
    draw = ens._data._draw

    def failing(steps):
        calls.append(steps)
        if len(calls) == 2:  # the second buffer
            raise RuntimeError("drawing failed")
        return draw(steps)

    ens._data._draw = failing
    with pytest.raises(RuntimeError, match="drawing failed"):
        ens.fit(STEPS)
    assert ens.iteration == 1024


def test_a_failing_fit_shows_its_own_error_over_a_failing_end(caplog):
    def fail(trainer, step, record):
        if step == 10:
            raise ValueError("the callback's own error")

    ens = ensemble([tg.LambdaCallback(on_step_end=fail)])

    def finish():
        raise RuntimeError("ending failed")

    ens._backend.finish = finish
    with pytest.raises(ValueError, match="the callback's own error"):
        ens.fit(STEPS)
    assert "ending failed" in caplog.text  # not lost: logged
