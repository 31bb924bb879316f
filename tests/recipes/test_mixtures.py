"""ring8 and grid25: everything from the seed, packing wired into the trainer, the decay."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional

import tinygan as tg
from tinygan.recipes import grid25, ring8
from tinygan.recipes.mixtures import MIXTURE_BATCH_SIZE, LinearDecay
from tinygan.recipes.pacgan import SimultaneousTrainer


@pytest.fixture(autouse=True)
def one_thread():
    """Small networks: one thread (two, on a busy machine, are many times slower)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def weights(trainer: tg.AdversarialTrainer) -> list[torch.Tensor]:
    nets = (trainer.generator, trainer.discriminator)
    return [p.detach().clone() for net in nets for p in net.parameters()]


def test_same_seed_same_run_bit_for_bit_and_the_global_rng_untouched():
    state = torch.get_rng_state()
    a, b = ring8(3).fit(5), ring8(3).fit(5)
    assert torch.equal(torch.get_rng_state(), state)
    assert all(torch.equal(x, y) for x, y in zip(weights(a), weights(b), strict=True))
    c = ring8(4)
    assert not torch.equal(weights(ring8(3))[0], weights(c)[0])


def test_what_the_recipes_build():
    ring, grid = ring8(0), grid25(0, pack=3)
    assert isinstance(ring.real, tg.GaussianMixture) and len(ring.real.means) == 8
    assert len(grid.real.means) == 25 and grid.real.std == 0.05
    assert isinstance(ring.noise, tg.GaussianNoise) and ring.noise.dim == 2
    assert ring.batch_size == MIXTURE_BATCH_SIZE == 100  # 100 samples, 100 packs of 1
    assert grid.batch_size == 300  # 100 packs of 3, as PacGAN
    assert isinstance(ring.g_optimizer, torch.optim.Adam)
    assert not isinstance(ring.discriminator, tg.Packed)
    assert isinstance(grid.discriminator, tg.Packed) and grid.discriminator.m == 3
    first = next(iter(grid.discriminator.parameters()))
    assert first.shape == (128, 6)
    out = ring.generator(torch.zeros(4, 2))
    assert out.shape == (4, 2)


@pytest.mark.parametrize("m", [2, 3, 4])
def test_a_packed_step_is_the_loss_of_the_hand_packed_discriminator(m):
    trainer = ring8(1, pack=m, batch_size=12)
    inner = trainer.discriminator.discriminator
    x = trainer.real.sample(12, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        logits = inner(x.reshape(12 // m, 2 * m))
        expected = functional.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
    assert torch.equal(trainer.train_discriminator(x, 1.0), expected)
    record = trainer.fit(3).step()
    assert record.fake is not None and record.fake.shape == (12, 2)


def test_a_batch_size_the_pack_does_not_divide_is_refused_at_construction():
    with pytest.raises(
        ValueError,
        match=r"batch_size must be a multiple of the packed discriminator's m=4 .*"
        r"got batch_size=10",
    ):
        ring8(0, pack=4, batch_size=10)
    with pytest.raises(ValueError, match="pack"):
        ring8(0, pack=0)


def test_learning_rate_decays_linearly_then_holds():
    trainer = ring8(0, steps=10, lr=0.01)
    decay = trainer.callbacks[0]
    assert isinstance(decay, LinearDecay)
    trainer.fit(4)
    for opt in (trainer.g_optimizer, trainer.d_optimizer):
        assert opt.param_groups[0]["lr"] == pytest.approx(0.01 * (1 - 4 / 10))
    trainer.fit(20)
    assert trainer.d_optimizer.param_groups[0]["lr"] == pytest.approx(0.01 * 0.05)


def test_extra_callbacks_come_after_the_decay():
    snaps = tg.Snapshots(every=2)
    trainer = grid25(0, callbacks=[snaps]).fit(4)
    assert trainer.callbacks[1] is snaps and snaps.steps == [2, 4]


def test_the_paper_option_builds_pacgans_configuration_and_refuses_cpu_knobs():
    paper = grid25(0, pack=2, paper=True)
    assert isinstance(paper, SimultaneousTrainer) and paper.batch_size == 200
    assert paper.real.std == 0.05 and len(paper.real.means) == 25
    with pytest.raises(ValueError, match="width, lr set the CPU recipe; paper=True builds"):
        ring8(0, paper=True, width=64, lr=0.1)


def test_adam_is_the_foreach_implementation_with_the_recipes_betas():
    opt = ring8(0).g_optimizer
    assert opt.defaults["foreach"] and opt.defaults["betas"] == (0.5, 0.999)


def test_seeds_trained_as_one_ensemble_follow_their_lone_trainers():
    # The table trains its seeds as vmap ensembles. (With Adam's fused=True they would
    # not: PyTorch's fused CPU Adam misreads the transposed gradients vmap hands it.)
    ensemble = tg.EnsembleTrainer.from_trainers([ring8(s, pack=2) for s in (0, 1)])
    assert ensemble.backend == "vmap"
    ensemble.fit(20)
    for seed, (G, D) in enumerate(ensemble.unstack()):
        lone = ring8(seed, pack=2).fit(20)
        for net, alone in ((G, lone.generator), (D, lone.discriminator)):
            for a, b in zip(net.parameters(), alone.parameters(), strict=True):
                assert torch.allclose(a, b, atol=1e-5), seed
