"""device=: where a trainer's generator lives and its batches are drawn."""

from __future__ import annotations

import pytest
import torch

import tinygan as tg


def build(**options):
    init = torch.Generator().manual_seed(0)
    return tg.AdversarialTrainer(
        tg.mlp([4, 4, 4], generator=init), tg.mlp([4, 3, 1], generator=init),
        tg.FuzzyPattern("1010"), tg.UniformNoise(4), seed=0, **options,
    )  # fmt: skip


def test_the_default_is_where_the_networks_are():
    trainer = build()
    assert trainer.device == torch.device("cpu") and trainer.rng.device.type == "cpu"


@pytest.mark.parametrize("device", ["cpu", torch.device("cpu")])
def test_naming_the_device_changes_no_number(device):
    a, b = build().fit(30), build(device=device).fit(30)
    for x, y in zip(a.generator.parameters(), b.generator.parameters(), strict=True):
        assert torch.equal(x, y)


def test_the_discriminator_only_trainer_takes_a_device_too():
    D = tg.mlp([4, 3, 1], generator=torch.Generator().manual_seed(0))
    real, fake = tg.FuzzyPattern("1010"), tg.FuzzyPattern("0101")
    trainer = tg.DiscriminatorTrainer(D, real, fake, seed=0, device="cpu")
    assert trainer.fit(3).rng.device.type == "cpu"


@pytest.mark.parametrize(
    ("device", "error", "match"),
    [
        (3.5, TypeError, "device must be a torch.device"),
        ("gpu0", ValueError, "device must name a device"),
        ("cuda", ValueError, "device is cuda but a network's weights are on cpu"),
    ],
)
def test_bad_devices_are_named(device, error, match):
    with pytest.raises(error, match=match):
        build(device=device)


@pytest.mark.parametrize(
    "source",
    [tg.FuzzyPattern("10"), tg.UniformNoise(2), tg.GaussianNoise(2), tg.ConstantNoise(2)],
)
def test_sources_draw_on_their_generators_device(source):
    rng = torch.Generator(device="cpu").manual_seed(0)
    assert source.sample(3, generator=rng).device == rng.device


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_training_on_cuda_draws_there_and_matches_the_cpu_within_tolerance():
    trainer = build()
    cuda = tg.AdversarialTrainer(
        trainer.generator.to("cuda"), trainer.discriminator.to("cuda"),
        tg.FuzzyPattern("1010"), tg.UniformNoise(4), seed=0, device="cuda",
    )  # fmt: skip
    record = cuda.fit(20).step()
    assert record.fake.device.type == "cuda" and cuda.rng.device.type == "cuda"
