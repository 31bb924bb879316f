"""The fused path: hand-written backward passes against autograd, and trainers on both paths."""

import copy
import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional

import tinygan as tg
from tinygan import fused

REAL = tg.FuzzyPattern("1010")
NOISE = tg.UniformNoise(4)
ACTIVATIONS = [nn.Sigmoid, nn.Tanh, nn.ReLU, nn.Identity]


def autograd_grads(net, x, target, loss_fn):
    out = net(x)
    loss = loss_fn(out, torch.full_like(out, target))
    params = list(net.parameters())
    grads = torch.autograd.grad(loss, [*params, x])
    return loss.detach(), list(grads[:-1]), grads[-1]


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 5), min_size=2, max_size=4),
    bias=st.booleans(),
    act=st.sampled_from(ACTIVATIONS),
    n=st.integers(1, 12),
    target=st.sampled_from([0.0, 1.0, 0.3]),
    seed=st.integers(0, 2**16),
)
def test_backward_matches_autograd(sizes, bias, act, n, target, seed):
    g = torch.Generator().manual_seed(seed)
    net = tg.mlp(sizes, bias=bias, activation=act, generator=g)
    spec = fused.net_spec(net)
    assert spec is not None
    x = torch.rand(n, sizes[0], generator=g, requires_grad=True)
    want_loss, want_grads, want_dx = autograd_grads(net, x, target, functional.mse_loss)
    params = [p.detach() for p in net.parameters()]
    ys = fused.forward(spec, params, x.detach())
    loss, grad_out = fused.loss_and_grad("mse", ys[-1], target)
    grads, dx = fused.backward(spec, params, ys, grad_out, input_grad=True)
    torch.testing.assert_close(loss, want_loss)
    for got, want in zip(grads, want_grads, strict=True):
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-7)
    torch.testing.assert_close(dx, want_dx, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("sums", [False, True])
def test_bce_and_stacked_members_match_autograd(sums):
    """Members first (batched products) or members last (sums): each member its own net."""
    g = torch.Generator().manual_seed(3)
    nets = [tg.mlp([4, 3, 1], bias=True, generator=g) for _ in range(3)]
    spec = fused.net_spec(nets[0])
    xs = torch.rand(3, 5, 4, generator=g)
    per_net = [[p.detach() for p in n.parameters()] for n in nets]
    dim = -1 if sums else 0
    stacked = [torch.stack(ps, dim=dim).contiguous() for ps in zip(*per_net, strict=True)]
    inputs = xs.permute(1, 2, 0).contiguous() if sums else xs
    ys = fused.forward(spec, stacked, inputs, sums=sums)
    losses, grad_out = fused.loss_and_grad("bce", ys[-1], 1.0, sums=sums)
    grads, _ = fused.backward(spec, stacked, ys, grad_out, sums=sums)
    for k, net in enumerate(nets):
        x = xs[k].clone().requires_grad_(True)
        want_loss, want_grads, _ = autograd_grads(net, x, 1.0, functional.binary_cross_entropy)
        torch.testing.assert_close(losses[k], want_loss)
        for got, want in zip(grads, want_grads, strict=True):
            member = got[..., k] if sums else got[k]
            torch.testing.assert_close(member, want, rtol=1e-5, atol=1e-7)


def test_finite_differences_oracle():
    """The fused gradient against central differences (float64), independent of autograd."""
    g = torch.Generator().manual_seed(0)
    net = tg.mlp([3, 2, 1], generator=g).double()
    spec = fused.net_spec(net)
    params = [p.detach().clone() for p in net.parameters()]
    x = torch.rand(4, 3, generator=g, dtype=torch.float64)

    def loss_at(ps):
        return fused.loss_and_grad("mse", fused.forward(spec, ps, x)[-1], 1.0)[0]

    ys = fused.forward(spec, params, x)
    grads, _ = fused.backward(spec, params, ys, fused.loss_and_grad("mse", ys[-1], 1.0)[1])
    eps = 1e-6
    for i, p in enumerate(params):
        for j in range(p.numel()):
            plus = [q.clone() for q in params]
            minus = [q.clone() for q in params]
            plus[i].view(-1)[j] += eps
            minus[i].view(-1)[j] -= eps
            numeric = (loss_at(plus) - loss_at(minus)) / (2 * eps)
            assert abs(numeric - grads[i].view(-1)[j]) < 1e-8


def test_net_spec_refuses_what_it_cannot_compute():
    assert fused.net_spec(nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())) is None
    assert fused.net_spec(tg.mlp([4, 1], activation=nn.Softplus)) is None
    net = tg.mlp([4, 1])
    net.register_forward_hook(lambda *args: None)
    assert fused.net_spec(net) is None
    frozen = tg.mlp([4, 1])
    frozen[0].weight.requires_grad_(False)
    assert fused.net_spec(frozen) is None
    assert fused.loss_kind(lambda out, target: ((out - target) ** 2).sum()) is None
    assert fused.loss_kind(nn.MSELoss(reduction="sum")) is None
    assert fused.loss_kind(nn.BCELoss()) == "bce"


def test_each_refusal_names_its_own_reason():
    hooked, frozen = tg.mlp([4, 3, 1]), tg.mlp([4, 3, 1])
    hooked[2].register_forward_pre_hook(lambda *args: None)
    frozen[0].weight.requires_grad_(False)
    replaced, unbiased = tg.mlp([4, 3, 1]), tg.mlp([4, 3, 1], bias=True)
    replaced[0] = nn.Linear(4, 5)
    unbiased[2].bias = None
    half = tg.mlp([4, 3, 1]).to(torch.float16)
    appended = tg.mlp([4, 3, 1])
    appended.append(nn.Sigmoid())
    cases = {
        "is not a tg.mlp network": nn.Sequential(nn.Linear(4, 1), nn.Sigmoid()),
        "has a Softplus activation, not one of Sigmoid": tg.mlp([4, 1], activation=nn.Softplus),
        "has module hooks": hooked,
        "has frozen parameters": frozen,
        "has a layer 1 that is not the Linear(4, 3) it was": replaced,
        "has a layer 2 whose bias was added or removed": unbiased,
        "has torch.float16 parameters": half,
        "whose layers were replaced, added or removed": appended,
    }
    for reason, net in cases.items():
        found = fused.spec_or_reason(net)
        assert isinstance(found, str) and reason in found, (reason, found)
        assert fused.net_spec(net) is None
    assert fused.spec_or_reason(tg.mlp([4, 3, 1])) == fused.net_spec(tg.mlp([4, 3, 1]))
    g = torch.Generator().manual_seed(0)
    with pytest.raises(ValueError, match=r"'fused' cannot serve .*the discriminator has frozen"):
        tg.AdversarialTrainer(
            tg.mlp([4, 4, 4], generator=g), frozen, tg.FuzzyPattern("1010"), tg.UniformNoise(4),
            backend="fused",
        )  # fmt: skip


# -- trainers: fused path against the plain (autograd) path --------------------------------


@pytest.fixture(autouse=True)
def one_thread():
    """The plain path's BLAS calls on batches of 32 crawl when threads fight for 2 busy cores."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


class PlainAdversarial(tg.AdversarialTrainer):
    """Overriding a public part sends every step down the plain path."""

    def train_generator(self, noise, target=1.0):
        return super().train_generator(noise, target)


class PlainDiscriminator(tg.DiscriminatorTrainer):
    def train_discriminator(self, inputs, target):
        return super().train_discriminator(inputs, target)


def nets(bias, seed=0):
    g = torch.Generator().manual_seed(seed)
    return tg.mlp([4, 4, 4], bias=bias, generator=g), tg.mlp([4, 3, 1], bias=bias, generator=g)


def params_of(*modules):
    return [p.detach() for m in modules for p in m.parameters()]


def assert_same_weights(a, b, atol=1e-6):
    for x, y in zip(a, b, strict=True):
        torch.testing.assert_close(x, y, rtol=0, atol=atol)


@pytest.mark.parametrize(("bias", "batch_size"), [(False, 1), (True, 1), (False, 32), (True, 32)])
def test_adversarial_fused_equals_plain(bias, batch_size):
    G, D = nets(bias)
    G2, D2 = copy.deepcopy(G), copy.deepcopy(D)
    fast = tg.AdversarialTrainer(G, D, REAL, NOISE, seed=3, batch_size=batch_size).fit(1000)
    plain = PlainAdversarial(G2, D2, REAL, NOISE, seed=3, batch_size=batch_size).fit(1000)
    assert G[0].weight.grad is None  # the fused path never touches .grad
    assert G2[0].weight.grad is not None
    assert_same_weights(params_of(G, D), params_of(G2, D2))
    assert torch.equal(fast.rng.get_state(), plain.rng.get_state())
    assert fast.d_optimizer.state_dict() == plain.d_optimizer.state_dict()


@pytest.mark.parametrize(("bias", "batch_size"), [(False, 1), (True, 32)])
def test_discriminator_fused_equals_plain(bias, batch_size):
    D = nets(bias)[1]
    D2 = copy.deepcopy(D)
    fake = tg.FuzzyPattern("0101")
    fast = tg.DiscriminatorTrainer(D, REAL, fake, seed=5, batch_size=batch_size).fit(1000)
    plain = PlainDiscriminator(D2, REAL, fake, seed=5, batch_size=batch_size).fit(1000)
    assert D[0].weight.grad is None and D2[0].weight.grad is not None
    assert_same_weights(params_of(D), params_of(D2))
    assert torch.equal(fast.rng.get_state(), plain.rng.get_state())


def test_bce_loss_and_tanh_generator_take_the_fused_path():
    g = torch.Generator().manual_seed(1)
    G = tg.mlp([4, 5, 4], activation=nn.Tanh, generator=g)
    D = tg.mlp([4, 3, 1], generator=g)
    G2, D2 = copy.deepcopy(G), copy.deepcopy(D)
    loss = nn.BCELoss()
    tg.AdversarialTrainer(G, D, REAL, NOISE, seed=2, loss=loss).fit(300)
    PlainAdversarial(G2, D2, REAL, NOISE, seed=2, loss=loss).fit(300)
    assert G[0].weight.grad is None
    assert_same_weights(params_of(G, D), params_of(G2, D2))


@pytest.mark.parametrize(
    "options",
    [
        {"loss": lambda out, target: ((out - target) ** 2).mean()},
        {"optimizer": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9)},
        {"optimizer": lambda params: torch.optim.Adam(params, lr=0.01)},
    ],
)
def test_other_losses_and_optimizers_take_the_plain_path(options):
    G, D = nets(False)
    trainer = tg.AdversarialTrainer(G, D, REAL, NOISE, seed=0, **options).fit(3)
    assert G[0].weight.grad is not None
    assert trainer.iteration == 3


def test_a_changed_optimizer_switches_paths_at_once():
    G, D = nets(False)
    G2, D2 = copy.deepcopy(G), copy.deepcopy(D)
    calls = []

    def switch(trainer, step, record):
        calls.append(step)
        if step == 50:
            trainer.d_optimizer.param_groups[0]["momentum"] = 0.5

    a = tg.AdversarialTrainer(
        G, D, REAL, NOISE, seed=4, callbacks=[tg.LambdaCallback(on_step_end=switch)]
    )
    b = PlainAdversarial(
        G2, D2, REAL, NOISE, seed=4, callbacks=[tg.LambdaCallback(on_step_end=switch)]
    )
    a.fit(100)
    b.fit(100)
    assert D[0].weight.grad is not None  # plain steps after the switch
    assert_same_weights(params_of(G, D), params_of(G2, D2))


def test_schedulers_change_the_learning_rate_on_the_fused_path():
    def with_scheduler(cls, G, D):  # noqa: N803
        trainer = cls(G, D, REAL, NOISE, seed=6)
        sched = torch.optim.lr_scheduler.StepLR(trainer.g_optimizer, step_size=100, gamma=0.1)
        trainer.callbacks.append(tg.LambdaCallback(on_step_end=lambda t, s, r: sched.step()))
        return trainer

    G, D = nets(False)
    G2, D2 = copy.deepcopy(G), copy.deepcopy(D)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with_scheduler(tg.AdversarialTrainer, G, D).fit(300)
    with_scheduler(PlainAdversarial, G2, D2).fit(300)
    assert G[0].weight.grad is None
    assert_same_weights(params_of(G, D), params_of(G2, D2))


def test_fit_splits_are_bit_identical_and_records_are_fresh():
    G, D = nets(True)
    G2, D2 = copy.deepcopy(G), copy.deepcopy(D)
    log = tg.LossLogger()
    records = []
    keep = tg.LambdaCallback(on_step_end=lambda t, s, r: records.append((r, r.fake.clone())))
    one = tg.AdversarialTrainer(G, D, REAL, NOISE, seed=8, callbacks=[log, keep]).fit(250)
    log2 = tg.LossLogger()
    two = tg.AdversarialTrainer(G2, D2, REAL, NOISE, seed=8, callbacks=[log2])
    two.fit(100).fit(0).fit(150)
    for a, b in zip(params_of(G, D), params_of(G2, D2), strict=True):
        assert torch.equal(a, b)
    assert (log.g_loss == log2.g_loss).all() and (log.d_loss == log2.d_loss).all()
    assert torch.equal(one.rng.get_state(), two.rng.get_state())
    for record, fake_then in records:  # nothing a callback kept was changed later
        assert torch.equal(record.fake, fake_then)
        assert not record.fake.requires_grad and record.g_loss.dim() == 0


def test_loss_logger_blocks_keep_every_value():
    """LossLogger stacks its rows in blocks on long runs: nothing lost, nothing reordered."""
    G, D = nets(False)
    log = tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0])
    kept = []
    keep = tg.LambdaCallback(on_step_end=lambda t, s, r: kept.append(r))
    tg.AdversarialTrainer(G, D, REAL, NOISE, seed=1, callbacks=[log, keep]).fit(2500)
    assert log.steps.tolist() == list(range(1, 2501))
    want = torch.stack([r.g_loss for r in kept]).numpy()
    assert (log.g_loss == want).all()
    fakes = torch.stack([r.fake for r in kept])
    reference = torch.tensor([0.9, 0.0, 0.9, 0.0])
    want_error = ((fakes - reference) ** 2).mean(dim=(1, 2)).numpy()
    assert (log.g_error == want_error).all()
    again = tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0])
    again.load_state_dict(log.state_dict())
    assert (again.d_loss == log.d_loss).all() and (again.g_error == log.g_error).all()


def test_the_old_path_tinygan_fused_gives_the_engines_objects():
    import tinygan.engine.fused as engine_fused
    import tinygan.fused as old

    for name in engine_fused.__all__:
        assert getattr(old, name) is getattr(engine_fused, name), name
    assert old.nets is engine_fused.nets and old.losses is engine_fused.losses
    assert old.steps is engine_fused.steps and old.updates is engine_fused.updates
