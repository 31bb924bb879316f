"""mlp's image options (output_activation, norm): structure, defaults kept, and training
on the plain autograd path, which must match a hand-written loop."""

from __future__ import annotations

import copy

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from tests import strategies as s
from torch import nn

import tinygan as tg
from tinygan.checkpoint.files import trainer_config
from tinygan.engine import fused


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def leaky() -> nn.Module:
    return nn.LeakyReLU(0.2)


@settings(max_examples=20, deadline=None)
@given(sizes=s.mlp_sizes, seed=s.seeds, bias=st.booleans())
def test_explicit_defaults_give_the_same_network_bit_for_bit(sizes, seed, bias):
    plain = tg.mlp(sizes, bias=bias, generator=gen(seed))
    spelled = tg.mlp(sizes, bias=bias, generator=gen(seed), output_activation="same", norm=None)
    explicit = tg.mlp(sizes, bias=bias, generator=gen(seed), output_activation=nn.Sigmoid)
    for net in (spelled, explicit):
        assert [type(m) for m in net] == [type(m) for m in plain]
        for a, b in zip(plain.parameters(), net.parameters(), strict=True):
            assert torch.equal(a, b)
        assert fused.net_spec(net) == fused.net_spec(plain) is not None
    assert plain.norm is None and plain.output_activation is True


def test_image_discriminator_structure():
    net = tg.mlp(
        [64, 128, 32, 1],
        bias=True,
        activation=leaky,
        output_activation=None,
        norm=nn.LayerNorm,
        generator=gen(0),
    )
    kinds = [type(m).__name__ for m in net]
    assert kinds == [
        "Linear", "LayerNorm", "LeakyReLU", "Linear", "LayerNorm", "LeakyReLU", "Linear"
    ]  # fmt: skip
    assert net[1].normalized_shape == (128,) and net[4].normalized_shape == (32,)
    assert net.norm == "LayerNorm" and net.output_activation is False
    assert [lin.out_features for lin in net.linears] == [128, 32, 1]


def test_norm_and_activation_draw_nothing_the_linears_do_not():
    """The weights are the same with or without the options: only Linear layers draw."""
    plain = tg.mlp([5, 7, 3], bias=True, generator=gen(3))
    fancy = tg.mlp(
        [5, 7, 3], bias=True, activation=leaky, output_activation=None,
        norm=nn.LayerNorm, generator=gen(3),
    )  # fmt: skip
    for a, b in zip(plain.linears, fancy.linears, strict=True):
        assert torch.equal(a.weight, b.weight) and torch.equal(a.bias, b.bias)


def test_forward_matches_a_hand_computed_pass():
    net = tg.mlp(
        [3, 4, 2], bias=True, activation=leaky, output_activation=None,
        norm=nn.LayerNorm, generator=gen(1),
    )  # fmt: skip
    x = torch.randn(5, 3, generator=gen(2))
    l1, l2 = net.linears
    h = x @ l1.weight.T + l1.bias
    h = (h - h.mean(1, keepdim=True)) / torch.sqrt(h.var(1, unbiased=False, keepdim=True) + 1e-5)
    h = torch.where(h > 0, h, 0.2 * h)
    expected = h @ l2.weight.T + l2.bias
    assert torch.allclose(net(x), expected, atol=1e-6)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"norm": nn.LayerNorm},
        {"activation": leaky},
        {"output_activation": leaky},
    ],
)
def test_the_fused_path_declines_what_it_cannot_reproduce(kwargs):
    assert fused.net_spec(tg.mlp([4, 6, 4], generator=gen(0), **kwargs)) is None


def test_no_output_activation_is_the_fused_paths_identity_and_trains_bit_for_bit():
    def trainer(backend):
        init = gen(0)
        G = tg.mlp([4, 8, 4], bias=True, activation=nn.Tanh, output_activation=None, generator=init)
        D = tg.mlp([4, 8, 1], bias=True, generator=init)
        real, noise = tg.FuzzyPattern("1010"), tg.UniformNoise(4)
        return tg.AdversarialTrainer(G, D, real, noise, seed=3, backend=backend).fit(50)

    spec = fused.net_spec(trainer("autograd").generator)
    assert spec is not None and spec.activations == ("tanh", "identity")
    lone, reference = trainer("auto"), trainer("autograd")
    assert lone.backend == "fused"
    for a, b in zip(lone.generator.parameters(), reference.generator.parameters(), strict=True):
        assert torch.equal(a, b)
    norm = tg.mlp([4, 6, 1], norm=nn.LayerNorm, generator=gen(0))
    assert fused.spec_or_reason(norm) == (
        "has LayerNorm layers (norm=), which the fused step does not compute"
    )


def _hand_written(g_net, d_net, real, noise, *, seed, steps, lr, batch, loss):
    """The post's three steps in plain PyTorch: the oracle for the trainer's numbers."""
    rng = gen(seed)
    g_opt = torch.optim.SGD(g_net.parameters(), lr=lr)
    d_opt = torch.optim.SGD(d_net.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        x = real.sample(batch, generator=rng)
        out = d_net(x)
        d_real = loss(out, torch.ones_like(out))
        d_opt.zero_grad()
        d_real.backward()
        d_opt.step()
        with torch.no_grad():
            fake = g_net(noise.sample(batch, generator=rng))
        out = d_net(fake)
        d_fake = loss(out, torch.zeros_like(out))
        d_opt.zero_grad()
        d_fake.backward()
        d_opt.step()
        out = d_net(g_net(noise.sample(batch, generator=rng)))
        g_loss = loss(out, torch.ones_like(out))
        g_opt.zero_grad()
        g_loss.backward()
        g_opt.step()
        losses.append((d_real.item(), d_fake.item(), g_loss.item()))
    return losses


@pytest.mark.parametrize("variant", ["norm", "leaky", "logits"])
def test_image_networks_train_on_the_plain_path_like_a_hand_written_loop(variant):
    options = {
        "norm": {"norm": nn.LayerNorm, "bias": True},
        "leaky": {"activation": leaky},
        "logits": {"output_activation": None, "bias": True},
    }[variant]
    d_options = dict(options)
    loss = nn.BCEWithLogitsLoss() if variant == "logits" else nn.MSELoss()
    if variant != "logits":
        d_options["output_activation"] = nn.Sigmoid
    g_options = {k: v for k, v in options.items() if k != "output_activation"}
    G = tg.mlp([4, 8, 6], generator=gen(0), **g_options)
    D = tg.mlp([6, 5, 1], generator=gen(1), **d_options)
    real = tg.ImageData(torch.rand(30, 2, 3, generator=gen(2)))
    noise = tg.GaussianNoise(4)
    G2, D2 = copy.deepcopy(G), copy.deepcopy(D)
    trainer = tg.AdversarialTrainer(G, D, real, noise, lr=0.05, batch_size=8, loss=loss, seed=7)
    got = [trainer.step() for _ in range(20)]
    expected = _hand_written(G2, D2, real, noise, seed=7, steps=20, lr=0.05, batch=8, loss=loss)
    for record, (d_real, d_fake, g_loss) in zip(got, expected, strict=True):
        assert float(record.d_loss_real) == pytest.approx(d_real, rel=1e-5, abs=1e-6)
        assert float(record.d_loss_fake) == pytest.approx(d_fake, rel=1e-5, abs=1e-6)
        assert float(record.g_loss) == pytest.approx(g_loss, rel=1e-5, abs=1e-6)
    for a, b in zip(G.parameters(), G2.parameters(), strict=True):
        assert torch.allclose(a, b, atol=1e-6, rtol=1e-5)
    for a, b in zip(D.parameters(), D2.parameters(), strict=True):
        assert torch.allclose(a, b, atol=1e-6, rtol=1e-5)
    if variant == "logits":  # the fused step computes the network, not the loss
        assert fused.net_spec(D).activations[-1] == "identity"
    else:
        assert fused.net_spec(G if variant == "leaky" else D) is None
    assert trainer.backend == "autograd"  # a norm, a LeakyReLU or a loss on logits


def test_checkpoints_describe_image_networks():
    G = tg.mlp([4, 8, 6], bias=True, activation=leaky, norm=nn.LayerNorm, generator=gen(0))
    D = tg.mlp([6, 5, 1], bias=True, activation=leaky, output_activation=None, generator=gen(1))
    trainer = tg.AdversarialTrainer(
        G, D, tg.ImageData(torch.rand(10, 6)), tg.GaussianNoise(4),
        loss=nn.BCEWithLogitsLoss(), seed=0,
    )  # fmt: skip
    config = trainer_config(trainer)
    assert config["generator"]["sizes"] == [4, 8, 6]
    assert config["discriminator"]["activation"] == "LeakyReLU"
    assert "0.weight" in config["generator"]["shapes"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"output_activation": 3}, "output_activation must be a callable"),
        ({"output_activation": lambda x: x}, "output_activation must be a zero-argument"),
        ({"norm": "LayerNorm"}, "norm must be a callable"),
        ({"norm": nn.Sigmoid}, "norm must be a one-argument callable"),
        ({"norm": lambda width: width}, "norm must be a callable that returns a module"),
    ],
)
def test_bad_options_are_named(kwargs, match):
    with pytest.raises(TypeError, match=match):
        tg.mlp([3, 4, 2], **kwargs)
