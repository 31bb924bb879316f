"""Checkpoints written by tinygan 0.1, before the package was split into layers, still load."""

from __future__ import annotations

from pathlib import Path

import torch

import tinygan as tg

OLD = Path(__file__).resolve().parents[1] / "fixtures" / "checkpoint_v0_1.pt"


def build() -> tg.AdversarialTrainer:
    """The trainer the fixture was saved from (40 iterations of this, seed 3)."""
    init = torch.Generator().manual_seed(3)
    return tg.AdversarialTrainer(
        tg.mlp([4, 4, 4], generator=init),
        tg.mlp([4, 3, 1], generator=init),
        tg.FuzzyPattern("1010"),
        tg.UniformNoise(4),
        seed=3,
        callbacks=[
            tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0]),
            tg.Snapshots(every=10),
            tg.Metrics(every=10),
        ],
    )


def test_a_checkpoint_from_before_the_move_loads_and_continues_exactly():
    payload = tg.read_checkpoint(OLD)
    assert payload["tinygan_version"] == "0.1.0"
    assert payload["extra"] == {"note": "written by tinygan 0.1 before the layout move"}

    resumed = build()
    assert tg.load_checkpoint(OLD, resumed)["iteration"] == 40
    straight = build().fit(40)
    assert resumed.iteration == straight.iteration == 40
    for a, b in zip(resumed.generator.parameters(), straight.generator.parameters(), strict=True):
        assert torch.equal(a, b)
    snaps = resumed.callbacks[1]
    assert snaps.steps == [10, 20, 30, 40]

    resumed.fit(25)
    straight.fit(25)
    for a, b in zip(resumed.generator.parameters(), straight.generator.parameters(), strict=True):
        assert torch.equal(a, b)
    assert (resumed.callbacks[0].d_loss == straight.callbacks[0].d_loss).all()
