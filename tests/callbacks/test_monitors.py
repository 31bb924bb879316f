"""Metrics callback, measure_health, and the collapse and plateau detectors."""

from __future__ import annotations

import logging
import math

import numpy as np
import pytest
import torch
from tests.resume_helpers import assert_same_state, build
from torch import nn

import tinygan as tg

REAL = tg.FuzzyPattern("1010")


class _Affine(nn.Module):
    """G(z) = offset + scale * z, with a (frozen) parameter so it looks like a model."""

    def __init__(self, offset, scale) -> None:
        super().__init__()
        self.offset = nn.Parameter(torch.as_tensor(offset, dtype=torch.float32))
        self.scale = torch.as_tensor(scale, dtype=torch.float32)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.offset + self.scale * z


def rng(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_measure_health_keys_and_the_global_rng_untouched():
    G, D = tg.mlp([4, 4, 4], generator=rng(0)), tg.mlp([4, 3, 1], generator=rng(1))
    before = torch.get_rng_state()
    health = tg.measure_health(G, D, REAL, tg.UniformNoise(4))
    assert torch.equal(torch.get_rng_state(), before)
    assert health == tg.measure_health(G, D, REAL, tg.UniformNoise(4), rng=rng(0))
    per = [f"{k}_{j}" for k in ("inside", "centre_dist", "spread_ratio") for j in range(1, 5)]
    expected = {"inside", "centre_dist", "spread_ratio", "d_real", "d_fake", *per}
    assert set(health) == expected
    assert all(isinstance(v, float) for v in health.values())


def test_a_generator_that_copies_the_real_data_is_healthy():
    G = _Affine(REAL.lower, REAL.upper - REAL.lower)  # exactly the real distribution
    health = tg.measure_health(G, tg.mlp([4, 3, 1]), REAL, tg.UniformNoise(4), n=20_000, rng=rng())
    assert health["inside"] == 1.0
    assert health["spread_ratio"] == pytest.approx(1.0, abs=0.03)
    assert health["centre_dist"] == pytest.approx(0.0, abs=2e-3)


def test_a_constant_generator_is_collapsed():
    G = _Affine([0.9, 0.1, 0.9, 0.1], 0.0)  # the centre of every range, whatever the input
    health = tg.measure_health(G, tg.mlp([4, 3, 1]), REAL, tg.UniformNoise(4), rng=rng())
    assert health["inside"] == 1.0 and health["spread_ratio"] == 0.0
    assert health["centre_dist"] == pytest.approx(0.0, abs=1e-6)


def test_a_generator_off_target():
    G = _Affine([0.5, 0.5, 0.9, 0.1], 0.0)
    health = tg.measure_health(G, tg.mlp([4, 3, 1]), REAL, tg.UniformNoise(4), rng=rng())
    assert health["inside"] == 0.0
    assert [health[f"inside_{j}"] for j in range(1, 5)] == [0.0, 0.0, 1.0, 1.0]
    assert health["centre_dist_1"] == pytest.approx(0.4, abs=1e-6)
    assert health["centre_dist_2"] == pytest.approx(0.4, abs=1e-6)
    assert health["centre_dist"] == pytest.approx(0.2)


def test_d_scores_match_the_discriminator():
    D = tg.mlp([4, 3, 1], generator=rng(3))
    health = tg.measure_health(None, D, REAL, REAL.opposite(), n=50, rng=rng(1))
    assert set(health) == {"d_real", "d_fake"}
    g = rng(1)
    real, fake = REAL.sample(50, generator=g), REAL.opposite().sample(50, generator=g)
    with torch.no_grad():
        assert health["d_real"] == pytest.approx(float(D(real).mean()))
        assert health["d_fake"] == pytest.approx(float(D(fake).mean()))


def test_metrics_never_change_training():
    watched = build(callbacks=[tg.Metrics(every=3, n=50)]).fit(40)
    plain = build(callbacks=[]).fit(40)
    assert_same_state(watched.generator.state_dict(), plain.generator.state_dict())
    assert torch.equal(watched.rng.get_state(), plain.rng.get_state())


def test_metrics_draw_from_their_own_seed():
    a, b, c = tg.Metrics(every=5, seed=1), tg.Metrics(every=5, seed=1), tg.Metrics(every=5, seed=2)
    for cb in (a, b, c):
        build(callbacks=[cb]).fit(10)
    assert a.rows == b.rows and a.rows != c.rows
    assert a.steps == [5, 10] and a.latest == a.rows[-1]
    assert a.history == [{"step": 5, **a.rows[0]}, {"step": 10, **a.rows[1]}]
    table = a.as_dict()
    assert table["steps"].tolist() == [5, 10] and table["d_real"].shape == (2,)


def test_metrics_state_round_trip():
    a = tg.Metrics(every=2, n=30)
    build(callbacks=[a]).fit(6)
    b = tg.Metrics(every=2, n=30)
    b.load_state_dict(a.state_dict())
    assert b.rows == a.rows and b.steps == a.steps
    assert torch.equal(b.rng.get_state(), a.rng.get_state())
    with pytest.raises(KeyError, match="rng"):
        b.load_state_dict({"steps": [], "rows": []})


def test_metrics_on_the_posts_discriminator_test():
    health = tg.Metrics(every=2000, n=500)
    tg.DiscriminatorTrainer(
        tg.mlp([4, 3, 1], generator=rng(0)), REAL, REAL.opposite(), seed=0, callbacks=[health]
    ).fit(10_000)
    # The post: D(1010) ~ 0.94 and D(0101) ~ 0.05.
    assert health.latest is not None
    assert health.latest["d_real"] > 0.85 and health.latest["d_fake"] < 0.15
    assert set(health.latest) == {"d_real", "d_fake"}


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"every": 0}, ValueError), ({"n": 1}, ValueError), ({"seed": -1}, ValueError)],
)
def test_metrics_bad_arguments(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        tg.Metrics(**kwargs)


# --- detectors, driven with hand-made measurements ----------------------------------


class _Trainer:
    def __init__(self, callbacks=()) -> None:
        self.callbacks = list(callbacks)
        self.stops = 0

    def stop(self) -> None:
        self.stops += 1


def feed(detector, metrics: tg.Metrics, values, key="spread_ratio"):
    """Give the detector one measurement per value; return the trainer it acted on."""
    trainer = _Trainer([metrics, detector])
    detector.on_fit_start(trainer)
    for i, value in enumerate(values, start=1):
        metrics.steps.append(10 * i)
        metrics.rows.append({key: value})
        detector.on_step_end(trainer, 10 * i, tg.StepRecord())
    return trainer


def test_collapse_detector_needs_patience_checks_in_a_row(caplog):
    metrics = tg.Metrics()
    detector = tg.CollapseDetector(metrics, threshold=0.5, patience=3)
    with caplog.at_level(logging.WARNING, logger="tinygan"):
        trainer = feed(detector, metrics, [0.1, 0.2, 0.9, 0.3, 0.4, math.nan, 0.2])
    assert detector.triggered and detector.triggered_step == 60 and trainer.stops == 1
    assert detector.reason is not None and "mode collapse" in detector.reason
    assert "CollapseDetector at iteration 60 (stopping)" in caplog.text


def test_collapse_detector_that_only_warns():
    metrics = tg.Metrics()
    detector = tg.CollapseDetector(metrics, threshold=0.5, patience=1, stop=False)
    trainer = feed(detector, metrics, [0.6, 0.4, 0.3])
    assert detector.triggered_step == 20 and trainer.stops == 0


def test_collapse_detector_stays_quiet_on_a_healthy_run():
    metrics = tg.Metrics()
    detector = tg.CollapseDetector(metrics, threshold=0.5, patience=2)
    trainer = feed(detector, metrics, [0.4, 0.6, 0.4, 0.6, 0.4])
    assert not detector.triggered and detector.reason is None and trainer.stops == 0


def test_plateau_detector_min_and_max():
    metrics = tg.Metrics()
    detector = tg.PlateauDetector(metrics, key="centre_dist", min_delta=0.01, patience=2)
    feed(detector, metrics, [0.5, 0.4, 0.395, 0.3, 0.295, 0.291, 0.1], key="centre_dist")
    assert detector.triggered_step == 60 and detector.best == 0.3  # 0.1 came too late
    assert detector.reason is not None and "has not improved" in detector.reason

    metrics = tg.Metrics()
    detector = tg.PlateauDetector(metrics, key="inside", mode="max", min_delta=0.0, patience=1)
    feed(detector, metrics, [0.1, 0.2, 0.3, 0.3], key="inside")
    assert detector.triggered_step == 40


def test_detector_finds_the_trainers_metrics_and_stops_fit():
    detector = tg.CollapseDetector(threshold=10.0, patience=2)  # always "collapsed"
    trainer = build(callbacks=[tg.Metrics(every=4, n=50), detector]).fit(100)
    assert trainer.iteration == 8 and detector.triggered_step == 8


def test_detector_state_round_trip_resumes_counting(tmp_path):
    def make():
        metrics = tg.Metrics(every=2, n=40)
        return build(callbacks=[metrics, tg.CollapseDetector(metrics, threshold=10.0, patience=5)])

    straight = make().fit(9)  # checks at 2, 4, 6, 8: not yet 5
    tg.save_checkpoint(tmp_path / "c.pt", make().fit(5))
    resumed = make()
    tg.load_checkpoint(tmp_path / "c.pt", resumed)
    resumed.fit(20)
    straight.fit(20)
    assert resumed.iteration == straight.iteration == 10
    assert resumed.callbacks[1].triggered_step == straight.callbacks[1].triggered_step == 10


def test_detector_errors():
    with pytest.raises(ValueError, match=r"needs a tinygan\.Metrics"):
        build(callbacks=[tg.CollapseDetector()]).fit(1)
    metrics = tg.Metrics()
    with pytest.raises(KeyError, match="no metric 'nope'"):
        feed(tg.PlateauDetector(metrics, key="nope"), metrics, [1.0], key="centre_dist")
    with pytest.raises(TypeError, match="metrics"):
        tg.CollapseDetector(metrics=object())
    with pytest.raises(ValueError, match="threshold"):
        tg.CollapseDetector(threshold=0)
    with pytest.raises(ValueError, match="patience"):
        tg.PlateauDetector(patience=0)
    with pytest.raises(ValueError, match="mode"):
        tg.PlateauDetector(mode="up")
    with pytest.raises(ValueError, match="min_delta"):
        tg.PlateauDetector(min_delta=-1)
    with pytest.raises(TypeError, match="stop"):
        tg.CollapseDetector(stop="y")
    orphan = tg.Metrics(every=1)  # not among the trainer's callbacks: never measured
    with pytest.raises(ValueError, match="metrics= is not among the trainer's callbacks"):
        build(callbacks=[tg.CollapseDetector(orphan, threshold=10.0)]).fit(1)


# --- the post's own generator -------------------------------------------------------


@pytest.mark.slow
def test_the_posts_generator_is_flagged_as_partially_collapsed(caplog):
    """10,000 iterations of the post's GAN: G's mean lands in the real ranges, but its
    outputs spread about a fifth as widely as the real data. The metrics say so."""
    g = rng(0)
    G, D = tg.mlp([4, 4, 4], generator=g), tg.mlp([4, 3, 1], generator=g)
    health = tg.Metrics(every=1000, n=2000)
    collapse = tg.CollapseDetector(health, threshold=0.5, patience=3, stop=False)
    trainer = tg.AdversarialTrainer(
        G, D, REAL, tg.UniformNoise(4), seed=0, callbacks=[health, collapse]
    )
    with caplog.at_level(logging.WARNING, logger="tinygan"):
        trainer.fit(10_000)
    final = health.latest
    assert final is not None and health.steps[-1] == 10_000
    # Right place: the mean of each position is inside its range (so the post saw 1010)...
    with torch.no_grad():
        mean = G(tg.UniformNoise(4).sample(2000, generator=rng(5))).mean(dim=0)
    assert bool(((mean >= REAL.lower) & (mean <= REAL.upper)).all())
    assert final["inside"] > 0.9
    # ...but a fifth of the real spread: partial mode collapse, flagged.
    assert 0.1 < final["spread_ratio"] < 0.3
    assert all(final[f"spread_ratio_{j}"] < 0.35 for j in range(1, 5))
    assert collapse.triggered and "mode collapse" in (collapse.reason or "")
    assert "CollapseDetector" in caplog.text
    assert np.isclose(final["d_real"], 0.5, atol=0.1) and np.isclose(final["d_fake"], 0.5, atol=0.1)
