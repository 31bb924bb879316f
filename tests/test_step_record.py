"""StepRecord: a frozen record of one iteration, every field optional."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from tests.helpers import d_only_trainer, post_trainer

import tinygan as tg


def test_fields_are_the_designed_ones_and_default_to_none():
    assert [f.name for f in dataclasses.fields(tg.StepRecord)] == [
        "d_loss_real",
        "d_loss_fake",
        "g_loss",
        "fake",
    ]
    record = tg.StepRecord()
    assert all(getattr(record, f.name) is None for f in dataclasses.fields(record))


def test_record_is_frozen():
    record = tg.StepRecord(g_loss=torch.tensor(0.5))
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.g_loss = torch.tensor(0.0)


def test_record_can_be_copied_with_replace():
    record = tg.StepRecord(g_loss=torch.tensor(0.5))
    other = dataclasses.replace(record, d_loss_real=torch.tensor(0.1))
    assert other.g_loss is record.g_loss and other.d_loss_real.item() == pytest.approx(0.1)


def test_trainers_fill_the_fields_they_have_with_detached_tensors():
    full = post_trainer(0, batch_size=2).step()
    for name in ("d_loss_real", "d_loss_fake", "g_loss", "fake"):
        value = getattr(full, name)
        assert isinstance(value, torch.Tensor)
        assert value.grad_fn is None and not value.requires_grad
    assert full.fake.shape == (2, 4)
    d_only = d_only_trainer(0).step()
    assert d_only.g_loss is None and d_only.fake is None
    assert d_only.d_loss_real.dim() == 0 and d_only.d_loss_fake.dim() == 0
