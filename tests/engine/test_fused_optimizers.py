"""Which optimisers the fused arithmetic computes: read from an optimiser or its settings."""

from __future__ import annotations

import pytest
import torch

from tinygan.engine.fused import optimizer_name, settings_name

CASES = [
    (lambda ps: torch.optim.SGD(ps, lr=0.1), "sgd"),
    (lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9), None),
    (lambda ps: torch.optim.SGD(ps, lr=0.1, weight_decay=0.01), None),
    (lambda ps: torch.optim.SGD(ps, lr=0.1, maximize=True), None),
    (lambda ps: torch.optim.Adam(ps, lr=0.01), "adam"),
    (lambda ps: torch.optim.Adam(ps, lr=0.01, amsgrad=True), None),
    (lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.5, 0.999)), None),
    (lambda ps: torch.optim.AdamW(ps, lr=0.01), None),
    (lambda ps: torch.optim.RMSprop(ps, lr=0.01), None),
]


@pytest.mark.parametrize(("make", "expected"), CASES)
def test_an_optimiser_and_its_settings_are_named_alike(make, expected):
    params = [torch.zeros(3, requires_grad=True)]
    opt = make(params)
    assert optimizer_name(opt, params) == expected
    assert settings_name(type(opt), opt.param_groups[0]) == expected


def test_constructor_keywords_name_as_the_object_does():
    """An ensemble's settings before its optimiser exists: missing keys take the defaults."""
    assert settings_name(torch.optim.SGD, {"lr": 0.1}) == "sgd"
    assert settings_name(torch.optim.Adam, {"lr": 0.01}) == "adam"
    assert settings_name(torch.optim.SGD, {"lr": 0.1, "momentum": 0.5}) is None


def test_what_only_the_object_can_say():
    params = [torch.zeros(3, requires_grad=True)]
    opt = torch.optim.SGD(params, lr=0.1)
    assert optimizer_name(opt, [torch.zeros(3)]) is None  # over other parameters
    opt.register_step_pre_hook(lambda *args: None)
    assert optimizer_name(opt) is None  # a hook runs in step()
    assert settings_name(torch.optim.SGD, {"lr": 1}) is None  # an int rate is not read as float
