"""The network factory: structure, forward pass, initialisation and gradients."""

from __future__ import annotations

import copy
import itertools
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from tests import strategies as s
from torch import nn

import tinygan as tg


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def numpy_forward(net: tg.MLP, x: np.ndarray) -> np.ndarray:
    """The post's forward pass, in numpy: ``sigmoid(x @ W.T)`` for every layer."""
    for layer in net.linears:
        x = sigmoid(x @ layer.weight.detach().double().numpy().T)
    return x


# --- structure --------------------------------------------------------------------------


@pytest.mark.parametrize(("sizes", "count"), [([4, 3, 1], 15), ([4, 4, 4], 32)])
def test_post_networks_have_the_posts_parameter_counts(sizes, count):
    net = tg.mlp(sizes, generator=gen(0))
    assert sum(p.numel() for p in net.parameters()) == count
    assert [tuple(p.shape) for p in net.parameters()] == [
        (sizes[1], sizes[0]),
        (sizes[2], sizes[1]),
    ]


def test_structure_is_linear_then_sigmoid_for_every_layer():
    net = tg.mlp([4, 3, 1], generator=gen(0))
    kinds = [type(m) for m in net]
    assert kinds == [nn.Linear, nn.Sigmoid, nn.Linear, nn.Sigmoid]
    assert all(layer.bias is None for layer in net.linears)
    assert net.sizes == (4, 3, 1) and net.bias is False
    assert (net.in_features, net.out_features) == (4, 1)
    assert isinstance(net, nn.Module)


@settings(deadline=None)
@given(sizes=s.mlp_sizes, seed=s.seeds)
def test_no_biases_and_one_weight_matrix_per_layer(sizes, seed):
    net = tg.mlp(sizes, generator=gen(seed))
    assert len(net.linears) == len(sizes) - 1
    assert all(layer.bias is None for layer in net.linears)
    assert sum(p.numel() for p in net.parameters()) == sum(
        a * b for a, b in itertools.pairwise(sizes)
    )
    assert all(p.dtype == torch.float32 and p.requires_grad for p in net.parameters())


def test_bias_option_adds_biases():
    net = tg.mlp([4, 3, 1], bias=True, generator=gen(0))
    assert sum(p.numel() for p in net.parameters()) == 15 + 3 + 1
    assert all(layer.bias is not None for layer in net.linears)


# --- forward pass -----------------------------------------------------------------------


def test_forward_by_hand():
    """A 2 -> 1 -> 1 network with hand-set weights, computed with math.exp."""
    net = tg.mlp([2, 1, 1], generator=gen(0))
    with torch.no_grad():
        net.linears[0].weight.copy_(torch.tensor([[0.5, -0.25]]))
        net.linears[1].weight.copy_(torch.tensor([[2.0]]))
    x = torch.tensor([[1.0, 2.0], [0.0, 0.0]])
    h0 = 1 / (1 + math.exp(-(0.5 * 1.0 - 0.25 * 2.0)))  # sigmoid(0) = 0.5
    y0 = 1 / (1 + math.exp(-2.0 * h0))  # sigmoid(1)
    y1 = 1 / (1 + math.exp(-2.0 * 0.5))
    expected = torch.tensor([[y0], [y1]])
    torch.testing.assert_close(net(x), expected)
    assert abs(y0 - 0.7310585786300049) < 1e-12


@settings(deadline=None)
@given(sizes=s.mlp_sizes, seed=s.seeds)
def test_forward_matches_numpy_oracle(sizes, seed):
    net = tg.mlp(sizes, generator=gen(seed))
    x = torch.rand(5, sizes[0], generator=gen(seed + 1)) * 4 - 2
    out = net(x)
    assert out.shape == (5, sizes[-1])
    np.testing.assert_allclose(
        out.detach().double().numpy(), numpy_forward(net, x.double().numpy()), atol=1e-6
    )


def test_post_discriminator_forward_matches_the_posts_class():
    """The post's Discriminator.forward with the same weights gives the same outputs."""

    class PostDiscriminator(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear_ih = nn.Linear(4, 3, bias=False)
            self.linear_ho = nn.Linear(3, 1, bias=False)
            self.activation = nn.Sigmoid()

        def forward(self, inputs):
            return self.activation(self.linear_ho(self.activation(self.linear_ih(inputs))))

    with torch.random.fork_rng():
        torch.manual_seed(7)
        post = PostDiscriminator()
    ours = tg.mlp([4, 3, 1], generator=gen(7))
    x = torch.rand(10, 4, generator=gen(1))
    assert torch.equal(post(x), ours(x))


def test_other_activation():
    net = tg.mlp([3, 2], activation=nn.Tanh, generator=gen(0))
    x = torch.rand(4, 3, generator=gen(1))
    w = net.linears[0].weight.detach()
    torch.testing.assert_close(net(x), torch.tanh(x @ w.T))
    assert isinstance(net[1], nn.Tanh)


# --- initialisation ---------------------------------------------------------------------


@settings(deadline=None)
@given(sizes=s.mlp_sizes, seed=s.seeds)
def test_initial_weights_lie_within_one_over_sqrt_fan_in(sizes, seed):
    net = tg.mlp(sizes, bias=True, generator=gen(seed))
    for layer, fan_in in zip(net.linears, sizes, strict=False):
        bound = 1.0 / math.sqrt(fan_in)
        assert layer.weight.abs().max().item() <= bound
        assert layer.bias is not None and layer.bias.abs().max().item() <= bound


def test_initial_weights_are_uniform_over_the_whole_bound():
    net = tg.mlp([400, 100], generator=gen(0))
    w = net.linears[0].weight.detach().double().numpy().ravel()
    bound = 1.0 / math.sqrt(400)
    assert w.min() < -0.99 * bound and w.max() > 0.99 * bound
    assert abs(w.mean()) < 0.02 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound


@settings(deadline=None, max_examples=25)
@given(sizes=s.mlp_sizes, seed=s.small_seeds)
def test_initialisation_equals_torch_linear_under_manual_seed(sizes, seed):
    for bias in (False, True):
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            reference = [nn.Linear(a, b, bias=bias) for a, b in itertools.pairwise(sizes)]
        net = tg.mlp(sizes, bias=bias, generator=gen(seed))
        for ours, theirs in zip(net.linears, reference, strict=True):
            assert torch.equal(ours.weight, theirs.weight)
            if bias:
                assert torch.equal(ours.bias, theirs.bias)


def test_without_a_generator_the_global_rng_is_used_like_torch_linear():
    with torch.random.fork_rng():
        torch.manual_seed(5)
        net = tg.mlp([4, 4, 4])
    assert all(
        torch.equal(a, b)
        for a, b in zip(
            net.parameters(), tg.mlp([4, 4, 4], generator=gen(5)).parameters(), strict=True
        )
    )


def test_same_generator_seed_same_weights_and_different_seeds_differ():
    a, b, c = (tg.mlp([4, 3, 1], generator=gen(seed)) for seed in (1, 1, 2))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not all(torch.equal(p, q) for p, q in zip(a.parameters(), c.parameters(), strict=True))


def test_building_advances_the_generator():
    g = gen(0)
    first = tg.mlp([4, 4, 4], generator=g)
    second = tg.mlp([4, 4, 4], generator=g)
    assert not torch.equal(first.linears[0].weight, second.linears[0].weight)


# --- gradients --------------------------------------------------------------------------


def finite_difference_gradients(net: nn.Module, loss_fn, eps: float = 1e-6) -> list[torch.Tensor]:
    """Central differences of ``loss_fn(net)`` for every weight of a float64 ``net``."""
    grads = []
    with torch.no_grad():
        for p in net.parameters():
            g = torch.zeros_like(p)
            flat, gflat = p.view(-1), g.view(-1)
            for i in range(flat.numel()):
                old = flat[i].item()
                flat[i] = old + eps
                up = loss_fn(net).item()
                flat[i] = old - eps
                down = loss_fn(net).item()
                flat[i] = old
                gflat[i] = (up - down) / (2 * eps)
            grads.append(g)
    return grads


@settings(max_examples=15, deadline=None)
@given(sizes=s.mlp_sizes, seed=s.small_seeds)
def test_gradients_match_finite_differences(sizes, seed):
    net = copy.deepcopy(tg.mlp(sizes, generator=gen(seed))).double()
    x = torch.rand(3, sizes[0], generator=gen(seed + 1), dtype=torch.float64)
    target = torch.rand(3, sizes[-1], generator=gen(seed + 2), dtype=torch.float64)

    def loss_fn(model):
        return ((model(x) - target) ** 2).mean()

    loss = loss_fn(net)
    autograd = torch.autograd.grad(loss, list(net.parameters()))
    for a, f in zip(autograd, finite_difference_gradients(net, loss_fn), strict=True):
        torch.testing.assert_close(a, f, atol=1e-8, rtol=1e-6)
