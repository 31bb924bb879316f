"""A trainer's ``load_state_dict`` is all or nothing: a state that does not fit is refused
with a ValueError naming the part, and the trainer is left exactly as it was."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import torch
from tests.resume_helpers import assert_same_state, build

import tinygan as tg

REAL, NOISE = tg.FuzzyPattern("1010"), tg.UniformNoise(4)


def adam(params):
    return torch.optim.Adam(params, lr=0.01)  # optimiser state that a load would change


def trainer(seed: int, d_sizes=(4, 3, 1), **kwargs: Any) -> tg.AdversarialTrainer:
    return build(seed, d_sizes=list(d_sizes), optimizer=adam, **kwargs)


def whole(t: Any) -> dict[str, Any]:
    """Everything a load may change: weights, optimiser state, rng, callbacks, iteration."""
    return copy.deepcopy({**t.state_dict(), "iteration": t.iteration})


def assert_refused(t: Any, state: Any, match: str, error: type = ValueError) -> None:
    before = whole(t)
    with pytest.raises(error, match=match):
        t.load_state_dict(state)
    assert_same_state(whole(t), before)


def test_a_discriminator_of_another_shape_is_refused_and_nothing_changes():
    t = trainer(0).fit(5)
    other = trainer(1, d_sizes=(4, 5, 1)).fit(7)
    assert_refused(
        t,
        other.state_dict(),
        r"state does not fit this trainer: the discriminator's '0\.weight' has shape "
        r"\(5, 4\) in the state against \(3, 4\) in this trainer",
    )
    assert t.fit(3).iteration == 8  # and it trains on


def test_a_bad_rng_state_is_refused_before_the_weights_are_loaded():
    t, other = trainer(0).fit(5), trainer(1).fit(7)
    state = other.state_dict()
    for bad in (torch.zeros(3, dtype=torch.uint8), "not a state", None):
        assert_refused(t, {**state, "rng": bad}, r"state does not fit this trainer: its rng state")


@pytest.mark.parametrize("iteration", [-1, 2.5, "7"])
def test_a_bad_iteration_is_refused(iteration):
    t, other = trainer(0).fit(5), trainer(1).fit(7)
    assert_refused(
        t, {**other.state_dict(), "iteration": iteration}, r"fit this trainer: its iteration"
    )


def test_optimiser_states_that_do_not_fit_are_refused():
    t, other = trainer(0).fit(5), trainer(1).fit(7)
    state = other.state_dict()
    fewer = copy.deepcopy(state)
    fewer["d_optimizer"]["param_groups"][0]["params"].pop()
    assert_refused(t, {**state, "d_optimizer": fewer["d_optimizer"]}, r"the d_optimizer's param")
    wrong = copy.deepcopy(state)
    first = wrong["g_optimizer"]["param_groups"][0]["params"][0]
    wrong["g_optimizer"]["state"][first]["exp_avg"] = torch.zeros(7, 7)
    assert_refused(t, {**state, "g_optimizer": wrong["g_optimizer"]}, r"'exp_avg' has shape")
    assert_refused(t, {**state, "g_optimizer": [1, 2]}, r"the g_optimizer's state is not")


def test_network_states_that_do_not_fit_are_refused():
    t, other = trainer(0).fit(5), trainer(1).fit(7)
    state = other.state_dict()
    lacks = {k: v for k, v in state["generator"].items() if k != "0.weight"}
    assert_refused(t, {**state, "generator": lacks}, r"the generator's state lacks \['0\.weight'\]")
    extra = {**state["generator"], "9.weight": torch.zeros(1)}
    assert_refused(t, {**state, "generator": extra}, r"generator's state has \['9\.weight'\]")
    assert_refused(t, {**state, "generator": "weights"}, r"the generator's state is a str")


def test_a_missing_entry_is_a_key_error_and_nothing_changes():
    t, other = trainer(0).fit(5), trainer(1).fit(7)
    state = {k: v for k, v in other.state_dict().items() if k != "d_optimizer"}
    assert_refused(t, state, r"lacks \['d_optimizer'\]", KeyError)


class Fussy(tg.Callback):
    """A stateful callback whose load fails on a state marked bad (after the weights load)."""

    def __init__(self) -> None:
        self.seen = 0

    def on_step_end(self, trainer, step, record) -> None:
        self.seen += 1

    def state_dict(self) -> dict[str, Any]:
        return {"seen": self.seen}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if state.get("bad"):
            raise RuntimeError("this callback cannot take that state")
        self.seen = state["seen"]


def test_a_load_that_fails_midway_puts_back_what_it_loaded():
    t = trainer(0, callbacks=[tg.LossLogger(), Fussy()]).fit(5)
    other = trainer(1, callbacks=[tg.LossLogger(), Fussy()]).fit(7)
    state = other.state_dict()
    state["callbacks"][1]["state"]["bad"] = True
    assert_refused(t, state, r"state does not fit this trainer: RuntimeError: this callback")
    good = other.state_dict()
    t.load_state_dict(good)  # a state that fits still loads, whole
    assert_same_state(whole(t), whole(other))


def test_callbacks_that_differ_are_refused_before_anything_loads():
    t = trainer(0, callbacks=[tg.LossLogger(), Fussy()]).fit(5)
    other = trainer(1, callbacks=[Fussy(), tg.LossLogger()]).fit(7)
    assert_refused(t, other.state_dict(), r"callbacks that keep state differ")


def test_the_discriminator_trainer_loads_all_or_nothing_too():
    def d_only(seed, sizes):
        D = tg.mlp(sizes, generator=torch.Generator().manual_seed(seed))
        return tg.DiscriminatorTrainer(
            D, REAL, tg.FuzzyPattern("0101"), seed=seed, optimizer=adam
        ).fit(4)

    t, other = d_only(0, [4, 3, 1]), d_only(1, [4, 5, 1])
    assert_refused(t, other.state_dict(), r"the discriminator's '0\.weight' has shape \(5, 4\)")
    assert_refused(t, {**d_only(2, [4, 3, 1]).state_dict(), "rng": None}, r"its rng state")


def test_a_checkpoint_that_does_not_fit_leaves_the_trainer_as_it_was(tmp_path):
    path = tmp_path / "other.pt"
    tg.save_checkpoint(path, trainer(1, d_sizes=(4, 5, 1)).fit(3))
    t = trainer(0).fit(5)
    before = whole(t)
    with pytest.raises(tg.CheckpointError, match="different architecture"):
        tg.load_checkpoint(path, t)
    assert_same_state(whole(t), before)
