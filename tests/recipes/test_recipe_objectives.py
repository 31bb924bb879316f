"""objective= on tinygan's recipes: another objective in place of the recipe's own loss."""

from __future__ import annotations

import pytest
import torch

import tinygan as tg
from tinygan.objectives import WGANGP, Hinge, LeastSquares, Minimax, NonSaturating
from tinygan.recipes import grid25, ring8
from tinygan.recipes._objective import recipe_objective
from tinygan.recipes.conditional import digits_conditional
from tinygan.recipes.digits import digits, digits_ladder


def _weights(trainer: tg.AdversarialTrainer) -> list[torch.Tensor]:
    nets = [trainer.generator, trainer.discriminator]
    return [p.detach().clone() for net in nets for p in net.parameters()]


def _same_run(a: tg.AdversarialTrainer, b: tg.AdversarialTrainer, steps: int = 6) -> bool:
    torch.set_num_threads(1)
    a.fit(steps)
    b.fit(steps)
    return all(torch.equal(x, y) for x, y in zip(_weights(a), _weights(b), strict=True))


@pytest.mark.parametrize(
    ("build", "same_as"),
    [
        (lambda **kw: ring8(0, **kw), "non-saturating"),
        (lambda **kw: grid25(1, pack=2, **kw), "non-saturating"),
        (lambda **kw: digits(0, **kw), "non-saturating"),
        (lambda **kw: digits_ladder(0, "plain", **kw), "least-squares"),
        (lambda **kw: digits_ladder(0, "bce", **kw), "non-saturating"),
    ],
)
def test_naming_the_recipes_own_objective_is_the_same_run_bit_for_bit(build, same_as):
    assert _same_run(build(), build(objective=same_as))


def test_another_objective_changes_the_run():
    assert not _same_run(ring8(0), ring8(0, objective="hinge"))


def test_cross_entropy_names_read_the_recipes_logits():
    assert ring8(0, objective="minimax").objective == Minimax(logits=True)
    assert digits(0, objective="non-saturating").objective == NonSaturating(logits=True)
    plain = digits_ladder(0, "plain", objective="non-saturating").objective
    assert plain == NonSaturating(logits=False)  # the plain rung's D ends in a sigmoid
    assert digits_conditional(0, objective="hinge").objective == Hinge()
    assert ring8(0, objective=WGANGP(gp=1.0)).objective == WGANGP(gp=1.0)


def test_recipe_objective_keeps_none_and_refuses_unknown_names():
    assert recipe_objective(None, logits=True) is None
    assert recipe_objective("least-squares", logits=True) == LeastSquares()
    with pytest.raises(ValueError, match="objective must be one of"):
        recipe_objective("wasserstein", logits=True)
    with pytest.raises(ValueError, match="objective must be one of"):
        ring8(0, objective="wasserstein")


def test_paper_configuration_refuses_an_objective():
    with pytest.raises(ValueError, match="objective set the CPU recipe"):
        ring8(0, paper=True, objective="hinge")


def test_an_objective_without_a_penalty_still_trains_as_one_ensemble():
    trainers = [ring8(seed, objective="hinge") for seed in (0, 1)]
    assert tg.ensemble.alike.stackable(trainers) is None
    penalised = [ring8(seed, objective="wgan-gp") for seed in (0, 1)]
    assert "penalty" in str(tg.ensemble.alike.stackable(penalised))
