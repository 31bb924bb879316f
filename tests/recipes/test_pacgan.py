"""PacGAN's configuration: two steps of the trainer against a step written out by hand.

The reference follows the authors' Theano graph (fjxmlzn/PacGAN,
``synthetic_data_experiments``) rather than this module's code: the generator runs on
each pack slot's noise separately (so batch norm takes per-slot statistics), the packs
are those slots' outputs laid side by side, the discriminator reads real and generated
packs at the same weights, both losses come from that one pass, both networks step at
once, Adam is written out in float64, and the running statistics are Blocks' average
of the slots' batch statistics with momentum 0.05.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch.nn import functional

import tinygan as tg
from tinygan.recipes.pacgan import (
    PAPER_LR,
    PAPER_PACKS,
    PAPER_STEPS,
    Maxout,
    SimultaneousTrainer,
    SlotBatchNorm,
    paper_gan,
)

M, N = 3, 5  # PacGAN3, 5 packs: 15 samples a step, so every slot's statistics differ
BETA1, BETA2, EPS = 0.8, 0.999, 1e-8


@pytest.fixture(autouse=True)
def one_thread():
    """Small networks: one thread (two, on a busy machine, are many times slower)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _generator(params: dict[str, torch.Tensor], z: torch.Tensor, stats: list) -> torch.Tensor:
    """One slot's batch through G, by hand; appends each layer's (mean, std)."""
    h = z
    for i in range(4):
        h = h @ params[f"{3 * i}.weight"].T  # no bias in the hidden layers
        mean = h.mean(0)
        std = torch.sqrt(((h - mean) ** 2).mean(0) + 1e-4)
        stats.append((mean.detach(), std.detach()))
        h = (h - mean) / std * params[f"{3 * i + 1}.weight"] + params[f"{3 * i + 1}.bias"]
        h = torch.clamp(h, min=0.0)
    return h @ params["12.weight"].T + params["12.bias"]


def _critic(params: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    for i in range(3):
        h = x @ params[f"{i}.linear.weight"].T + params[f"{i}.linear.bias"]
        x = h.view(len(x), 200, 5).max(dim=2).values
    return x @ params["3.weight"].T + params["3.bias"]


def _reference_gradients(g, d, real, z):
    """The two gradients of one iteration and each layer's slot-mean batch statistics."""
    g = {k: v.detach().requires_grad_(True) for k, v in g.items()}
    d = {k: v.detach().requires_grad_(True) for k, v in d.items()}
    stats: list[list] = []
    slots = []
    for i in range(M):
        stats.append([])
        slots.append(_generator(g, z[i::M], stats[i]))
    fake = torch.cat(slots, dim=1)  # pack j: slot 0's sample j, slot 1's, ... side by side
    d_real, d_fake = _critic(d, real.reshape(N, 2 * M)), _critic(d, fake)
    d_loss = functional.softplus(-d_real).mean() + functional.softplus(d_fake).mean()
    g_loss = functional.softplus(-d_fake).mean()
    d_grads = torch.autograd.grad(d_loss, list(d.values()), retain_graph=True)
    g_grads = torch.autograd.grad(g_loss, list(g.values()))
    layers = [[stats[i][layer] for i in range(M)] for layer in range(4)]
    means = [torch.stack([s[0] for s in slot]).mean(0) for slot in layers]
    stds = [torch.stack([s[1] for s in slot]).mean(0) for slot in layers]
    return dict(zip(g, g_grads, strict=True)), dict(zip(d, d_grads, strict=True)), means, stds


def _adam(value, grad, state, t):
    """Adam by hand (PyTorch's form), float64; ``state`` holds the two moments."""
    m1, v = state if state else (torch.zeros_like(value), torch.zeros_like(value))
    m1 = BETA1 * m1 + (1 - BETA1) * grad
    v = BETA2 * v + (1 - BETA2) * grad**2
    step = PAPER_LR * (m1 / (1 - BETA1**t)) / (torch.sqrt(v / (1 - BETA2**t)) + EPS)
    return value - step, (m1, v)


def _weights(net):
    return {k: v.detach().double().clone() for k, v in net.state_dict().items() if "run" not in k}


def test_two_steps_equal_the_authors_step_written_out_by_hand():
    trainer = paper_gan(tg.GaussianMixture.grid(), 7, pack=M, packs=N)
    G, D = trainer.generator, trainer.discriminator.discriminator
    running = [(torch.zeros(400, dtype=torch.float64), torch.ones(400, dtype=torch.float64))] * 4
    rng = torch.Generator().manual_seed(7)  # the trainer's: real batch, then noise
    moments: dict = {}
    for t in (1, 2):
        real = trainer.real.sample(N * M, generator=rng).double()
        z = trainer.noise.sample(N * M, generator=rng).double()
        g, d = _weights(G), _weights(D)
        g_grads, d_grads, means, stds = _reference_gradients(g, d, real, z)
        trainer.step()
        for key, net, before, grads in (("g", G, g, g_grads), ("d", D, d, d_grads)):
            for name, param in net.named_parameters():
                # Both gradients at the same weights, from one pass: the simultaneous step.
                want = grads[name]
                scale = float(want.abs().max())
                assert torch.allclose(param.grad.double(), want, atol=1e-4 * scale), name
                # Then Adam, lr 1e-4, beta1 0.8, on those gradients (its moments go on).
                expected, moments[key, name] = _adam(
                    before[name], param.grad.double(), moments.get((key, name)), t
                )
                moved = param.detach().double()
                assert torch.allclose(moved, expected, rtol=2.5e-7, atol=1e-3 * PAPER_LR), name
        running = [
            (0.95 * rm + 0.05 * mean, 0.95 * rs + 0.05 * std)
            for (rm, rs), mean, std in zip(running, means, stds, strict=True)
        ]
        for i, (rm, rs) in enumerate(running):
            bn = G[3 * i + 1]
            assert torch.allclose(bn.running_mean.double(), rm, atol=1e-6)
            assert torch.allclose(bn.running_std.double(), rs, atol=1e-6)
    assert trainer.iteration == 0  # step() alone; fit counts


def test_what_the_paper_configuration_builds():
    trainer = paper_gan(tg.GaussianMixture.ring(), 0, pack=2)
    assert isinstance(trainer, SimultaneousTrainer)
    assert trainer.batch_size == PAPER_PACKS * 2 == 200
    assert PAPER_STEPS == 400_000 and PAPER_LR == 1e-4
    G, D = trainer.generator, trainer.discriminator
    assert [type(layer).__name__ for layer in G] == ["Linear", "SlotBatchNorm", "ReLU"] * 4 + [
        "Linear"
    ]
    assert all(G[i].bias is None for i in (0, 3, 6, 9)) and G[12].bias is not None
    assert all(G[i].momentum == 0.05 and G[i].slots == 2 for i in (1, 4, 7, 10))
    assert isinstance(D, tg.Packed) and D.m == 2
    assert [type(layer) for layer in D.discriminator][:3] == [Maxout] * 3
    assert D.discriminator[0].linear.weight.shape == (1000, 4)
    for opt in (trainer.g_optimizer, trainer.d_optimizer):
        assert opt.defaults["betas"] == (0.8, 0.999) and opt.defaults["lr"] == 1e-4
    weights = torch.cat([p.detach().flatten() for p in D.parameters() if p.dim() == 2])
    assert abs(float(weights.std()) - 0.02) < 0.001  # N(0, 0.02), as the authors' code
    assert all(float(p.detach().abs().max()) == 0.0 for p in D.parameters() if p.dim() == 1)
    assert G.training  # built in training mode, its running statistics untouched
    assert torch.equal(G[1].running_std, torch.ones(400))


def test_the_same_seed_gives_the_same_run_and_leaves_the_global_rng_alone():
    state = torch.get_rng_state()
    a = paper_gan(tg.GaussianMixture.ring(), 3, packs=4).fit(2)
    b = paper_gan(tg.GaussianMixture.ring(), 3, packs=4).fit(2)
    assert torch.equal(torch.get_rng_state(), state)
    for x, y in zip(
        a.generator.state_dict().values(), b.generator.state_dict().values(), strict=True
    ):
        assert torch.equal(x, y)


def test_slot_batch_norm_in_inference_uses_the_running_statistics_only():
    bn = SlotBatchNorm(3, slots=2)
    x = torch.randn(8, 3, generator=torch.Generator().manual_seed(0))
    bn(x)  # training: the running statistics move
    bn.eval()
    expected = (x[:1] - bn.running_mean) / bn.running_std
    assert torch.allclose(bn(x[:1]), expected)  # one row, no batch statistics
    with pytest.raises(ValueError, match="slots divides, got 3 rows"):
        bn.train()(x[:3])


def test_maxout_keeps_the_largest_piece():
    layer = Maxout(2, 3, 4, torch.Generator().manual_seed(0))
    x = torch.randn(5, 2, generator=torch.Generator().manual_seed(1))
    pieces = layer.linear(x).view(5, 3, 4)
    assert torch.equal(layer(x), pieces.max(dim=2).values)
    assert math.isclose(float(layer.linear.bias.detach().abs().sum()), 0.0)
