"""Trainers and sweeps with a packed discriminator (PacGAN): batches that m divides."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional

import tinygan as tg

REAL = tg.FuzzyPattern("1010")


def packed_trainer(seed: int, m: int = 2, batch_size: int = 4) -> tg.AdversarialTrainer:
    init = torch.Generator().manual_seed(seed)
    G = tg.mlp([4, 4, 4], generator=init)
    D = tg.Packed(tg.mlp([4 * m, 3, 1], generator=init), m)
    return tg.AdversarialTrainer(G, D, REAL, tg.UniformNoise(4), seed=seed, batch_size=batch_size)


def test_a_packed_step_is_the_hand_written_one():
    trainer = packed_trainer(0)
    inner = trainer.discriminator.discriminator
    real = REAL.sample(4, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():  # by hand: consecutive rows side by side, two packs, two scores
        scores = inner(real.reshape(2, 8))
        expected = functional.mse_loss(scores, torch.ones(2, 1))
    before = [p.detach().clone() for p in inner.parameters()]
    loss = trainer.train_discriminator(real, 1.0)
    torch.testing.assert_close(loss, expected)
    assert all(not torch.equal(p, q) for p, q in zip(before, inner.parameters(), strict=True))


def test_training_runs_and_records_one_loss_per_step():
    record = packed_trainer(1).fit(30).step()
    assert record.d_loss_real.dim() == 0 and record.fake.shape == (4, 4)


@pytest.mark.parametrize(("m", "batch_size"), [(2, 3), (3, 4), (4, 2)])
def test_a_batch_size_m_does_not_divide_is_refused_naming_both(m, batch_size):
    with pytest.raises(ValueError, match=f"batch_size must be a multiple .* m={m}"):
        packed_trainer(0, m=m, batch_size=batch_size)


def packed_recipe(seed: int) -> tg.AdversarialTrainer:
    return packed_trainer(seed, m=2, batch_size=4)


def test_packed_trainers_sweep_as_an_ensemble_like_lone_ones():
    result = tg.sweep(3, packed_recipe, steps=25, chunk_size=3)
    for row in result.rows:
        trainer = packed_recipe(row.seed).fit(25)
        z = tg.UniformNoise(4).sample(
            tg.sweeps.EVAL_INPUTS, generator=torch.Generator().manual_seed(tg.sweeps.EVAL_SEED)
        )
        with torch.no_grad():
            lone = tg.metrics.pattern_judge(trainer.generator(z), REAL)
        for name, value in lone.items():
            assert float(row.values[name]) == pytest.approx(float(value), abs=1e-5)
