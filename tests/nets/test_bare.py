"""bare: layers with uninitialised weights, built without touching the global RNG."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from tinygan.nets._bare import bare


@pytest.mark.parametrize(
    ("cls", "args", "kwargs"),
    [
        (nn.Linear, (4, 3), {"bias": True}),
        (nn.Linear, (4, 3), {"bias": False}),
        (nn.Conv2d, (1, 8, 4), {"stride": 2, "padding": 1}),
        (nn.ConvTranspose2d, (8, 1, 4), {"stride": 2, "padding": 1}),
        (nn.BatchNorm1d, (5,), {}),
    ],
)
def test_bare_layers_have_the_real_shapes_on_the_cpu_and_draw_nothing(cls, args, kwargs):
    state = torch.get_rng_state()
    layer = bare(cls, *args, **kwargs)
    assert torch.equal(state, torch.get_rng_state())  # nothing drawn from the global RNG
    expected = cls(*args, **kwargs)
    assert type(layer) is cls
    mine, theirs = dict(layer.named_parameters()), dict(expected.named_parameters())
    assert mine.keys() == theirs.keys()
    for name, param in mine.items():
        assert isinstance(param, nn.Parameter) and param.requires_grad
        assert param.device.type == "cpu" and param.dtype == theirs[name].dtype
        assert param.shape == theirs[name].shape
    buffers = dict(expected.named_buffers())
    assert {n: (b.shape, b.dtype) for n, b in layer.named_buffers()} == {
        n: (b.shape, b.dtype) for n, b in buffers.items()
    }
    assert all(b.device.type == "cpu" for b in layer.buffers())
    x = torch.ones(2, *((args[0],) if cls in (nn.Linear, nn.BatchNorm1d) else (args[0], 8, 8)))
    with torch.no_grad():
        for p in layer.parameters():
            p.fill_(0.5)
        assert layer(x).shape == expected(x).shape  # it runs, as the real layer does
