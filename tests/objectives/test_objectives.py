"""Objectives: each one's losses against hand-computed values, its penalties against a
critic whose input gradient is known, and trainers and ensembles that take them."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional

import tinygan as tg
from tinygan.objectives import (
    R1,
    WGANGP,
    Hinge,
    LeastSquares,
    Minimax,
    NonSaturating,
    TargetLoss,
    get,
    gradient_penalty,
    r1_penalty,
)

REAL = tg.FuzzyPattern("1010")
NOISE = tg.UniformNoise(4)
P = torch.tensor([[0.2], [0.9]])  # two probabilities
S = torch.tensor([[2.0], [-0.5]])  # two unbounded scores


def close(a, b):
    assert float(torch.as_tensor(a).detach()) == pytest.approx(b, rel=1e-6, abs=1e-7)


# -- the losses, by hand ---------------------------------------------------------------


def test_least_squares():
    obj = get("least-squares")
    close(obj.d_loss(P, 1.0), ((0.2 - 1) ** 2 + (0.9 - 1) ** 2) / 2)
    close(obj.d_loss(P, 0.0), (0.2**2 + 0.9**2) / 2)
    close(obj.g_loss(P), ((0.2 - 1) ** 2 + (0.9 - 1) ** 2) / 2)
    close(obj.d_loss(P, 0.9), ((0.2 - 0.9) ** 2 + 0.0) / 2)  # any target
    assert obj.loss is functional.mse_loss and obj == LeastSquares()


def test_cross_entropies():
    ns, mm = get("non-saturating"), get("minimax")
    real = -(math.log(0.2) + math.log(0.9)) / 2
    fake = -(math.log(0.8) + math.log(0.1)) / 2
    for obj in (ns, mm):
        close(obj.d_loss(P, 1.0), real)
        close(obj.d_loss(P, 0.0), fake)
    close(ns.g_loss(P), real)  # -E log D(G(z))
    close(mm.g_loss(P), -fake)  # E log(1 - D(G(z)))
    logits = torch.log(P / (1 - P))  # the same probabilities, as logits
    close(NonSaturating(logits=True).g_loss(logits), real)
    close(Minimax(logits=True).g_loss(logits), -fake)
    assert ns.loss is functional.binary_cross_entropy


def test_hinge_and_wasserstein():
    hinge, wgan = get("hinge"), get("wgan-gp")
    close(hinge.d_loss(S, 1.0), (max(0, 1 - 2.0) + max(0, 1 + 0.5)) / 2)
    close(hinge.d_loss(S, 0.0), (max(0, 1 + 2.0) + max(0, 1 - 0.5)) / 2)
    close(hinge.g_loss(S), -(2.0 - 0.5) / 2)
    close(wgan.d_loss(S, 1.0), -(2.0 - 0.5) / 2)
    close(wgan.d_loss(S, 0.0), (2.0 - 0.5) / 2)
    close(wgan.g_loss(S), -(2.0 - 0.5) / 2)
    for obj in (hinge, wgan):
        with pytest.raises(ValueError, match=r"takes target 1 \(real\) or 0"):
            obj.d_loss(S, 0.9)


def test_the_loss_of_a_discriminator_that_cannot_tell():
    """D scores every sample 0.5 (logit 0): (loss on a real step + on a generated one) / 2."""
    assert LeastSquares().chance_loss() == pytest.approx((0.5**2 + 0.5**2) / 2)
    for bce in (NonSaturating(), Minimax(), NonSaturating(logits=True), Minimax(logits=True)):
        assert bce.chance_loss() == pytest.approx(math.log(2))
    assert Hinge().chance_loss() == pytest.approx((1 - 0.5 + 1 + 0.5) / 2)
    assert WGANGP().chance_loss() == 0.0
    assert R1(Hinge()).chance_loss() == Hinge().chance_loss()
    assert TargetLoss(functional.l1_loss).chance_loss() == pytest.approx(0.5)
    logit_bce = TargetLoss(functional.binary_cross_entropy_with_logits)
    assert logit_bce.chance_loss(logits=True) == pytest.approx(math.log(2))


@settings(max_examples=30, deadline=None)
@given(p=st.floats(0.01, 0.99), target=st.sampled_from([0.0, 1.0]))
def test_target_objectives_are_their_loss(p, target):
    x = torch.tensor([[p]])
    for obj, loss in ((LeastSquares(), functional.mse_loss),
                      (NonSaturating(), functional.binary_cross_entropy)):  # fmt: skip
        assert torch.equal(obj.d_loss(x, target), loss(x, torch.full_like(x, target)))


def test_names_and_refusals():
    assert {name: type(get(name)).__name__ for name in tg.objectives.NAMES} == {
        "least-squares": "LeastSquares",
        "minimax": "Minimax",
        "non-saturating": "NonSaturating",
        "wgan-gp": "WGANGP",
        "hinge": "Hinge",
    }
    with pytest.raises(ValueError, match="objective must be one of 'least-squares'"):
        get("wasserstein")
    with pytest.raises(TypeError, match="objective must be a name"):
        get(3)
    assert R1(Hinge()).name == "hinge+r1" and R1().name == "least-squares+r1"
    assert WGANGP().penalized and R1().penalized and not Hinge().penalized


BAD_ARGUMENTS = [
    (WGANGP, {"gp": -1}, ValueError, "WGANGP: gp must be a finite number >= 0, got -1"),
    (WGANGP, {"gp": float("inf")}, ValueError, "WGANGP: gp must be a finite number >= 0"),
    (WGANGP, {"gp": float("nan")}, ValueError, "WGANGP: gp must be a finite number >= 0"),
    (WGANGP, {"gp": "a"}, TypeError, "WGANGP: gp must be a finite number >= 0, got 'a'"),
    (WGANGP, {"gp": True}, TypeError, "WGANGP: gp must be a finite number"),
    (WGANGP, {"name": ""}, ValueError, "WGANGP: name must be a non-empty str"),
    (R1, {"objective": "x"}, TypeError, r"R1: objective must be .*tinygan.objectives.get"),
    (R1, {"objective": Hinge}, TypeError, "R1: objective must be a tinygan.objectives.Objective"),
    (R1, {"gamma": "a"}, TypeError, "R1: gamma must be a finite number >= 0, got 'a'"),
    (R1, {"gamma": -0.5}, ValueError, "R1: gamma must be a finite number >= 0, got -0.5"),
    (R1, {"gamma": False}, TypeError, "R1: gamma must be a finite number"),
    (LeastSquares, {"loss": "mse"}, TypeError, "LeastSquares: loss must be a function"),
    (TargetLoss, {"loss": 5}, TypeError, "TargetLoss: loss must be a function"),
    (TargetLoss, {"name": 3}, TypeError, "TargetLoss: name must be a non-empty str, got 3"),
    (Minimax, {"logits": "y"}, TypeError, "Minimax: logits must be a bool, got 'y'"),
    (Minimax, {"logits": 1}, TypeError, "Minimax: logits must be a bool, got 1"),
    (NonSaturating, {"logits": "y"}, TypeError, "NonSaturating: logits must be a bool"),
    (NonSaturating, {"name": None}, TypeError, "NonSaturating: name must be a non-empty str"),
    (Hinge, {"name": ""}, ValueError, "Hinge: name must be a non-empty str, got ''"),
]


@pytest.mark.parametrize(
    ("cls", "kwargs", "error", "message"),
    BAD_ARGUMENTS,
    ids=[f"{cls.__name__}-{kw!r}" for cls, kw, _, _ in BAD_ARGUMENTS],
)
def test_bad_arguments_are_refused_when_made_naming_the_argument(cls, kwargs, error, message):
    with pytest.raises(error, match=message) as caught:
        cls(**kwargs)
    (argument,) = kwargs
    assert f"{cls.__name__}: {argument} must be" in str(caught.value)


def test_valid_arguments_still_make_the_same_objectives():
    assert WGANGP() == WGANGP(gp=10.0) == WGANGP(10.0, "wgan-gp") and WGANGP(gp=0).gp == 0
    assert WGANGP(gp=10).gp == 10 and type(WGANGP(gp=10).gp) is int  # kept as given
    assert R1() == R1(LeastSquares(), gamma=10.0) and R1(gamma=1).gamma == 1
    assert R1(Hinge(), gamma=10) == R1(Hinge(), gamma=10.0) and R1(R1(), 0.0).penalized
    assert type(R1(gamma=10).gamma) is int
    assert Minimax(logits=True) == Minimax(logits=True) != Minimax()
    assert NonSaturating(logits=True).loss is functional.binary_cross_entropy_with_logits
    assert NonSaturating().loss is functional.binary_cross_entropy
    assert NonSaturating(logits=True) == NonSaturating(logits=True) != NonSaturating()
    assert LeastSquares() == LeastSquares(functional.mse_loss, "least-squares")
    assert TargetLoss(functional.l1_loss, "l1") == TargetLoss(functional.l1_loss, "l1")
    assert TargetLoss(lambda o, t: (o - t).abs().mean()).name == "loss"
    assert Hinge() == Hinge() and hash(WGANGP()) == hash(WGANGP(gp=10.0))
    assert get("wgan-gp") == WGANGP() and get("non-saturating") == NonSaturating()


# -- the penalties, on a linear critic ---------------------------------------------------


def linear_critic():
    critic = nn.Linear(2, 1, bias=False)
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[3.0, 4.0]]))  # the input gradient: w, norm 5
    return critic


def test_the_gradient_penalty_and_its_gradient():
    critic = linear_critic()
    real, fake = torch.randn(6, 2), torch.randn(6, 2)
    gp = gradient_penalty(critic, real, fake, generator=torch.Generator().manual_seed(0))
    close(gp, (5.0 - 1.0) ** 2)  # wherever the interpolates lie
    (grad,) = torch.autograd.grad(gp, critic.weight)
    w = critic.weight.detach()
    expected = 2 * (5.0 - 1.0) * w / 5.0  # d/dw (|w| - 1)^2
    torch.testing.assert_close(grad, expected)
    with pytest.raises(ValueError, match="must match"):
        gradient_penalty(critic, real, fake[:3])


def test_r1_and_its_gradient():
    critic = linear_critic()
    r1 = r1_penalty(critic, torch.randn(5, 2))
    close(r1, 25.0)
    (grad,) = torch.autograd.grad(r1, critic.weight)
    torch.testing.assert_close(grad, 2 * critic.weight.detach())  # d/dw |w|^2
    obj = R1(Hinge(), gamma=4.0)
    x = torch.randn(5, 2)
    close(obj.d_penalty(critic, x, 1.0, None, None), 0.5 * 4.0 * 25.0)
    assert obj.d_penalty(critic, x, 0.0, x, None) is None  # a generated batch: none
    both = R1(WGANGP(gp=2.0), gamma=4.0)
    close(both.d_penalty(critic, x, 0.0, torch.randn(5, 2), torch.Generator()), 2.0 * 16)


def test_a_nonlinear_critic_against_finite_differences():
    g = torch.Generator().manual_seed(3)
    critic = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1))
    x = torch.randn(4, 3, generator=g, dtype=torch.float64)
    critic = critic.double()
    grad = torch.zeros_like(x)
    h = 1e-6
    for i in range(4):
        for j in range(3):
            e = torch.zeros_like(x)
            e[i, j] = h
            grad[i, j] = (critic(x + e)[i] - critic(x - e)[i]).item() / (2 * h)
    close(r1_penalty(critic, x), float(grad.pow(2).sum(dim=1).mean()))


# -- trainers ----------------------------------------------------------------------------


def trainer(seed=0, **kwargs):
    g = torch.Generator().manual_seed(seed)
    G, D = tg.mlp([4, 4, 4], generator=g), tg.mlp([4, 3, 1], generator=g)
    return tg.AdversarialTrainer(G, D, REAL, NOISE, seed=seed + 1, **kwargs)


def weights(t):
    return [p.detach().clone() for m in (t.generator, t.discriminator) for p in m.parameters()]


@pytest.mark.parametrize("backend", ["autograd", "fused"])
def test_least_squares_is_todays_default_bit_for_bit(backend):
    default = trainer(backend=backend).fit(300)
    for other in (trainer(objective="least-squares", backend=backend),
                  trainer(objective=LeastSquares(), backend=backend),
                  trainer(loss=functional.mse_loss, backend=backend)):  # fmt: skip
        other.fit(300)
        for a, b in zip(weights(default), weights(other), strict=True):
            assert torch.equal(a, b)
        assert torch.equal(default.rng.get_state(), other.rng.get_state())


def test_which_backend_serves_which_objective():
    assert trainer(objective="non-saturating").backend == "fused"
    assert trainer(loss=functional.binary_cross_entropy).objective == NonSaturating()
    for name in ("minimax", "hinge", "wgan-gp"):
        assert trainer(objective=name).backend == "autograd"
        with pytest.raises(ValueError, match=f"the objective '{name}' is not one the fused"):
            trainer(objective=name, backend="fused")
    assert trainer(d_steps=2).backend == "autograd"
    with pytest.raises(ValueError, match="d_steps=2: the fused step"):
        trainer(d_steps=2, backend="native")
    with pytest.raises(ValueError, match="loss= and objective= both"):
        trainer(loss=functional.mse_loss, objective="hinge")
    with pytest.raises(ValueError, match="d_steps must be"):
        trainer(d_steps=0)


def test_d_steps_takes_that_many_d_steps_on_fresh_batches():
    counted = []

    class Counting(tg.AdversarialTrainer):
        def train_discriminator(self, inputs, target):
            counted.append(float(target))
            return super().train_discriminator(inputs, target)

    g = torch.Generator().manual_seed(0)
    t = Counting(tg.mlp([4, 4, 4], generator=g), tg.mlp([4, 3, 1], generator=g), REAL, NOISE,
                 seed=1, d_steps=3)  # fmt: skip
    record = t.fit(4).step()
    assert counted == [1.0, 0.0] * 3 * 5
    draws = torch.Generator().manual_seed(1)
    for _ in range(5):  # each iteration: (real, noise) three times, then G's noise
        for _ in range(3):
            REAL.sample(1, generator=draws)
            NOISE.sample(1, generator=draws)
        NOISE.sample(1, generator=draws)
    assert torch.equal(t.rng.get_state(), draws.get_state())
    assert record.d_loss_real.shape == () and record.d_loss_fake.shape == ()


@pytest.mark.parametrize("objective", ["minimax", "hinge", "wgan-gp", R1(Hinge(), gamma=1.0)])
def test_every_objective_trains_the_same_way_twice(objective):
    a = trainer(objective=objective, d_steps=2).fit(50)
    b = trainer(objective=objective, d_steps=2).fit(50)
    for x, y in zip(weights(a), weights(b), strict=True):
        assert torch.equal(x, y) and torch.isfinite(x).all()


def test_the_gradient_penalty_needs_the_iterations_real_batch():
    t = trainer(objective="wgan-gp")
    with pytest.raises(ValueError, match="needs the iteration's real batch"):
        t.train_discriminator(torch.rand(1, 4), 0.0)


def test_replacing_the_loss_replaces_the_objective():
    t = trainer(objective="hinge")
    assert t.loss is None
    t.loss = functional.mse_loss
    assert t.objective == LeastSquares() and t.backend == "fused"
    t.loss = functional.l1_loss
    assert t.objective == TargetLoss(functional.l1_loss, "l1_loss") and t.backend == "autograd"


# -- ensembles ---------------------------------------------------------------------------


@pytest.mark.parametrize(("objective", "d_steps"), [("hinge", 1), ("minimax", 2)])
def test_ensembles_train_objectives_on_vmap_as_lone_trainers(objective, d_steps):
    seeds = [3, 8]
    trainers = [trainer(s, objective=objective, d_steps=d_steps) for s in seeds]
    ens = tg.EnsembleTrainer.from_trainers(trainers).fit(40)
    assert ens.backend == "vmap"
    for k, seed in enumerate(seeds):
        lone = trainer(seed, objective=objective, d_steps=d_steps).fit(40)
        G, D = ens.unstack()[k]
        for a, b in zip([*G.parameters(), *D.parameters()], weights(lone), strict=True):
            torch.testing.assert_close(a.detach(), b, rtol=1e-4, atol=1e-5)
    from_seeds = tg.EnsembleTrainer.from_seeds(seeds, REAL, NOISE, objective=objective,
                                               d_steps=d_steps)  # fmt: skip
    assert from_seeds.backend == "vmap"
    with pytest.raises(ValueError, match=r"is not one the stacked MLPs compute|d_steps="):
        tg.EnsembleTrainer.from_seeds(seeds, REAL, NOISE, objective=objective, d_steps=d_steps,
                                      backend="fused")  # fmt: skip


def test_penalties_are_refused_by_ensembles_with_the_reason():
    trainers = [trainer(s, objective="wgan-gp") for s in (0, 1)]
    with pytest.raises(ValueError, match="adds a penalty on D's input gradient"):
        tg.EnsembleTrainer.from_trainers(trainers)
    with pytest.raises(ValueError, match="no backend serves this ensemble"):
        tg.EnsembleTrainer.from_seeds([0, 1], REAL, NOISE, objective=R1())
    ns = tg.EnsembleTrainer.from_seeds([0, 1], REAL, NOISE, objective="non-saturating")
    assert ns.backend == "fused" and ns._backend.kind == "bce"
    with pytest.raises(ValueError, match="loss= and objective= both"):
        tg.EnsembleTrainer.from_seeds([0, 1], REAL, NOISE, loss="bce", objective="hinge")
