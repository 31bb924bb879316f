"""Trainers: the post's three steps against a hand-written oracle, and step isolation."""

from __future__ import annotations

import copy
import warnings

import pytest
import torch
from tests.helpers import Recording, d_only_trainer, gen, post_nets, post_trainer, same, weights
from torch.nn import functional

import tinygan as tg


def sgd_step(net: torch.nn.Module, loss: torch.Tensor, lr: float) -> None:
    """Plain SGD on ``net`` alone, written out by hand."""
    params = list(net.parameters())
    grads = torch.autograd.grad(loss, params)
    with torch.no_grad():
        for p, g in zip(params, grads, strict=True):
            p -= lr * g


def mse(output: torch.Tensor, target: float) -> torch.Tensor:
    return ((output - target) ** 2).mean()


def replay_adversarial(G, D, real_rows, noise_rows, iterations, batch_size, lr):  # noqa: N803
    """The post's loop, written by hand, on the batches the trainer drew."""
    G, D = copy.deepcopy(G), copy.deepcopy(D)
    losses = []
    n = batch_size
    for i in range(iterations):
        x = torch.cat(real_rows[i * n : (i + 1) * n])
        z_fake = torch.cat(noise_rows[2 * i * n : (2 * i + 1) * n])
        z_gen = torch.cat(noise_rows[(2 * i + 1) * n : (2 * i + 2) * n])
        d_real = mse(D(x), 1.0)
        sgd_step(D, d_real, lr)
        d_fake = mse(D(G(z_fake).detach()), 0.0)
        sgd_step(D, d_fake, lr)
        g_loss = mse(D(G(z_gen)), 1.0)
        sgd_step(G, g_loss, lr)  # only G's weights move
        losses.append((d_real.item(), d_fake.item(), g_loss.item()))
    return G, D, losses


@pytest.mark.parametrize(("batch_size", "lr"), [(1, 0.01), (3, 0.5)])
def test_step_is_the_posts_three_steps(batch_size, lr):
    G, D = post_nets(4)
    G0, D0 = copy.deepcopy(G), copy.deepcopy(D)
    real = Recording(tg.FuzzyPattern("1010"))
    noise = Recording(tg.UniformNoise(4))
    records = []
    trainer = tg.AdversarialTrainer(
        G,
        D,
        real,
        noise,
        lr=lr,
        batch_size=batch_size,
        seed=4,
        callbacks=[tg.LambdaCallback(on_step_end=lambda t, s, r: records.append(r))],
    )
    iterations = 6
    trainer.fit(iterations)
    # Each iteration drew one real batch and two noise batches of batch_size rows.
    assert len(real.rows()) == iterations * batch_size
    assert len(noise.rows()) == 2 * iterations * batch_size
    G_ref, D_ref, losses = replay_adversarial(
        G0, D0, real.rows(), noise.rows(), iterations, batch_size, lr
    )
    for ours, ref in zip(weights(G, D), weights(G_ref, D_ref), strict=True):
        torch.testing.assert_close(ours, ref, atol=1e-6, rtol=1e-5)
    for record, (d_real, d_fake, g_loss) in zip(records, losses, strict=True):
        assert record.d_loss_real.item() == pytest.approx(d_real, abs=1e-6)
        assert record.d_loss_fake.item() == pytest.approx(d_fake, abs=1e-6)
        assert record.g_loss.item() == pytest.approx(g_loss, abs=1e-6)


def test_record_holds_detached_losses_and_the_generators_output():
    trainer = post_trainer(0, batch_size=5)
    record = trainer.step()
    for loss in (record.d_loss_real, record.d_loss_fake, record.g_loss):
        assert isinstance(loss, torch.Tensor) and loss.dim() == 0
        assert not loss.requires_grad
        assert 0.0 <= loss.item() <= 1.0
    assert record.fake.shape == (5, 4) and not record.fake.requires_grad
    assert trainer.iteration == 0  # step() alone does not count; fit() does


def test_record_fake_is_the_generators_output_for_the_g_step_noise():
    noise = Recording(tg.UniformNoise(4))
    G, D = post_nets(1)
    trainer = tg.AdversarialTrainer(G, D, tg.FuzzyPattern("1010"), noise, seed=1)
    G_before = copy.deepcopy(G)
    record = trainer.step()
    z_gen = noise.batches[-1]
    torch.testing.assert_close(record.fake, G_before(z_gen).detach())


def test_trainer_attributes():
    G, D = post_nets(0)
    real, noise = tg.FuzzyPattern("1010"), tg.UniformNoise(4)
    trainer = tg.AdversarialTrainer(G, D, real, noise, batch_size=2, seed=9)
    assert trainer.generator is G and trainer.discriminator is D
    assert trainer.real is real and trainer.noise is noise
    assert trainer.batch_size == 2 and trainer.iteration == 0
    assert isinstance(trainer.rng, torch.Generator)
    assert torch.equal(trainer.rng.get_state(), gen(9).get_state())
    assert isinstance(trainer.g_optimizer, torch.optim.SGD)
    assert isinstance(trainer.d_optimizer, torch.optim.SGD)
    assert trainer.g_optimizer.param_groups[0]["lr"] == 0.01


# --- the public parts against finite differences -----------------------------------------


def fd_grad(net, loss_fn, eps=1e-6):
    grads = []
    with torch.no_grad():
        for p in net.parameters():
            g = torch.zeros_like(p)
            for i in range(p.numel()):
                old = p.view(-1)[i].item()
                p.view(-1)[i] = old + eps
                up = loss_fn().item()
                p.view(-1)[i] = old - eps
                down = loss_fn().item()
                p.view(-1)[i] = old
                g.view(-1)[i] = (up - down) / (2 * eps)
            grads.append(g)
    return grads


def float64_trainer(seed, lr=0.1):
    G, D = (net.double() for net in post_nets(seed))
    return tg.AdversarialTrainer(
        G, D, tg.FuzzyPattern("1010"), tg.UniformNoise(4), lr=lr, seed=seed
    )


@pytest.mark.parametrize("batch", [1, 4])
def test_train_generator_steps_along_the_finite_difference_gradient(batch):
    lr = 0.1
    trainer = float64_trainer(3, lr)
    G, D = trainer.generator, trainer.discriminator
    z = torch.rand(batch, 4, generator=gen(0), dtype=torch.float64)
    expected = fd_grad(G, lambda: mse(D(G(z)), 1.0))
    loss_before = mse(D(G(z)), 1.0).item()
    out_before = G(z).detach()
    before = weights(G)
    loss, out = trainer.train_generator(z)
    assert loss.item() == pytest.approx(loss_before, abs=1e-12)
    torch.testing.assert_close(out, out_before)
    for w0, w1, g in zip(before, weights(G), expected, strict=True):
        torch.testing.assert_close((w0 - w1) / lr, g, atol=1e-8, rtol=1e-6)


@pytest.mark.parametrize("target", [0.0, 1.0, 0.3])
def test_train_discriminator_steps_along_the_finite_difference_gradient(target):
    lr = 0.1
    trainer = float64_trainer(5, lr)
    D = trainer.discriminator
    x = torch.rand(3, 4, generator=gen(1), dtype=torch.float64)
    expected = fd_grad(D, lambda: mse(D(x), target))
    loss_before = mse(D(x), target).item()
    before = weights(D)
    loss = trainer.train_discriminator(x, target)
    assert loss.item() == pytest.approx(loss_before, abs=1e-12)
    for w0, w1, g in zip(before, weights(D), expected, strict=True):
        torch.testing.assert_close((w0 - w1) / lr, g, atol=1e-8, rtol=1e-6)


def test_train_discriminator_returns_the_loss_before_the_step():
    trainer = post_trainer(2)
    x = tg.FuzzyPattern("1010").sample(4, generator=gen(3))
    expected = mse(trainer.discriminator(x), 1.0).item()
    loss = trainer.train_discriminator(x, 1.0)
    assert loss.item() == pytest.approx(expected, abs=1e-7)
    assert not loss.requires_grad


def test_tensor_target():
    trainer = post_trainer(2)
    x = torch.rand(2, 4, generator=gen(0))
    target = torch.tensor([[1.0], [0.0]])
    expected = functional.mse_loss(trainer.discriminator(x), target).item()
    assert trainer.train_discriminator(x, target).item() == pytest.approx(expected, abs=1e-7)


# --- step isolation -----------------------------------------------------------------------


def test_generator_step_never_changes_the_discriminator_or_its_grads():
    trainer = post_trainer(0, batch_size=3)
    D = trainer.discriminator
    trainer.fit(20)
    for p in D.parameters():
        p.grad = torch.full_like(p, 7.0)
    d_before = weights(D)
    g_before = weights(trainer.generator)
    trainer.train_generator(torch.rand(3, 4, generator=gen(1)))
    assert same(weights(D), d_before)
    assert all(torch.equal(p.grad, torch.full_like(p, 7.0)) for p in D.parameters())
    assert not same(weights(trainer.generator), g_before)


def test_generator_step_leaves_unset_discriminator_grads_unset():
    trainer = post_trainer(0)
    for p in trainer.discriminator.parameters():
        p.grad = None
    trainer.train_generator(torch.rand(1, 4, generator=gen(1)))
    assert all(p.grad is None for p in trainer.discriminator.parameters())


def test_discriminator_step_on_fake_never_changes_the_generator():
    trainer = post_trainer(0, batch_size=2)
    trainer.fit(10)
    G, D = trainer.generator, trainer.discriminator
    g_before, d_before = weights(G), weights(D)
    grads_before = [None if p.grad is None else p.grad.clone() for p in G.parameters()]
    fake = G(torch.rand(2, 4, generator=gen(2)))  # not detached: still attached to G
    assert fake.requires_grad
    trainer.train_discriminator(fake, 0.0)
    assert same(weights(G), g_before)
    for p, g in zip(G.parameters(), grads_before, strict=True):
        assert (p.grad is None and g is None) or torch.equal(p.grad, g)
    assert not same(weights(D), d_before)


def test_only_the_discriminator_changes_in_the_discriminator_trainer():
    trainer = d_only_trainer(0)
    before = weights(trainer.discriminator)
    trainer.fit(3)
    assert not same(weights(trainer.discriminator), before)


# --- options ----------------------------------------------------------------------------


def test_targets_match_outputs_so_no_broadcast_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        post_trainer(0).fit(5)
        post_trainer(0, batch_size=4).fit(5)
        d_only_trainer(0, batch_size=3).fit(5)


def test_custom_loss_is_used_for_all_three_steps():
    calls = []

    def loss(output, target):
        calls.append((tuple(output.shape), tuple(target.shape), target.flatten()[0].item()))
        return functional.binary_cross_entropy(output, target)

    trainer = post_trainer(0, loss=loss, batch_size=2)
    trainer.fit(2)
    assert calls == [((2, 1), (2, 1), 1.0), ((2, 1), (2, 1), 0.0), ((2, 1), (2, 1), 1.0)] * 2


def test_custom_optimizer_is_built_once_per_network():
    built = []

    def factory(params):
        params = list(params)
        built.append(sum(p.numel() for p in params))
        return torch.optim.Adam(params, lr=1e-3)

    trainer = post_trainer(0, optimizer=factory)
    assert sorted(built) == [15, 32]
    assert isinstance(trainer.g_optimizer, torch.optim.Adam)
    assert isinstance(trainer.d_optimizer, torch.optim.Adam)
    before = weights(trainer.generator, trainer.discriminator)
    trainer.fit(3)
    after = weights(trainer.generator, trainer.discriminator)
    assert all(not torch.equal(a, b) for a, b in zip(before, after, strict=True))


def test_learning_rate_scales_the_first_update():
    deltas = []
    for lr in (0.01, 0.02):
        trainer = post_trainer(3, lr=lr)
        x = torch.rand(1, 4, generator=gen(0))
        before = weights(trainer.discriminator)
        trainer.train_discriminator(x, 1.0)
        deltas.append([b - a for a, b in zip(before, weights(trainer.discriminator), strict=True)])
    for small, large in zip(*deltas, strict=True):
        torch.testing.assert_close(large, 2 * small, atol=1e-7, rtol=1e-4)


# --- the discriminator-only trainer -------------------------------------------------------


def test_discriminator_trainer_is_the_posts_d_only_test():
    D = tg.mlp([4, 3, 1], generator=gen(6))
    D0 = copy.deepcopy(D)
    real = Recording(tg.FuzzyPattern("1010"))
    fake = Recording(tg.FuzzyPattern("0101"))
    trainer = tg.DiscriminatorTrainer(D, real, fake, seed=6, batch_size=2)
    records = [trainer.step() for _ in range(5)]
    for i, record in enumerate(records):
        assert record.g_loss is None and record.fake is None
        x, y = real.batches[i], fake.batches[i]
        d_real = mse(D0(x), 1.0)
        sgd_step(D0, d_real, 0.01)
        d_fake = mse(D0(y), 0.0)
        sgd_step(D0, d_fake, 0.01)
        assert record.d_loss_real.item() == pytest.approx(d_real.item(), abs=1e-6)
        assert record.d_loss_fake.item() == pytest.approx(d_fake.item(), abs=1e-6)
    for ours, ref in zip(weights(D), weights(D0), strict=True):
        torch.testing.assert_close(ours, ref, atol=1e-6, rtol=1e-5)
    assert trainer.fake is fake and trainer.real is real
