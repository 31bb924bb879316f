"""The Checkpoint callback: when it writes, what it keeps, and the final checkpoint."""

from __future__ import annotations

import pytest
import torch
from tests.resume_helpers import assert_same_state, build, standard_callbacks

import tinygan as tg


def names(folder):
    return sorted(p.name for p in folder.iterdir())


def test_every_and_keep(tmp_path):
    saver = tg.Checkpoint(tmp_path, every=10, keep=3)
    trainer = build(callbacks=[*standard_callbacks(), saver])
    trainer.fit(55)
    assert names(tmp_path) == [
        "checkpoint-00000040.pt",
        "checkpoint-00000050.pt",
        "checkpoint-00000055.pt",  # the final one, written when fit ended
    ]
    assert tg.latest_checkpoint(tmp_path) == tmp_path / "checkpoint-00000055.pt"
    assert saver.last_iteration == 55
    assert tg.read_checkpoint(tmp_path / "checkpoint-00000040.pt")["iteration"] == 40


def test_periodic_checkpoint_holds_that_iteration(tmp_path):
    """The file of iteration 20 is exactly a trainer that ran 20 iterations."""
    trainer = build(callbacks=[*standard_callbacks(), tg.Checkpoint(tmp_path, every=20, keep=None)])
    trainer.fit(30)
    straight = build().fit(20)
    fresh = build()
    tg.load_checkpoint(tmp_path / "checkpoint-00000020.pt", fresh)
    assert_same_state(fresh.state_dict(), straight.state_dict())
    assert len(names(tmp_path)) == 2  # 20 and the final 30; keep=None keeps all


def test_no_duplicate_final_checkpoint(tmp_path, monkeypatch):
    saver = tg.Checkpoint(tmp_path, every=5)
    writes = []
    real_save = saver.save
    monkeypatch.setattr(saver, "save", lambda t: writes.append(t.iteration) or real_save(t))
    build(callbacks=[saver]).fit(10)
    assert writes == [5, 10]


def test_single_file_mode(tmp_path):
    path = tmp_path / "latest.pt"
    trainer = build(callbacks=[*standard_callbacks(), tg.Checkpoint(path, every=4)])
    trainer.fit(10)
    assert names(tmp_path) == ["latest.pt"]
    assert tg.read_checkpoint(path)["iteration"] == 10


def test_final_checkpoint_on_stop(tmp_path):
    stopper = tg.LambdaCallback(on_step_end=lambda t, step, r: t.stop() if step == 7 else None)
    build(callbacks=[stopper, tg.Checkpoint(tmp_path, every=100)]).fit(50)
    assert names(tmp_path) == ["checkpoint-00000007.pt"]


def test_final_checkpoint_on_exception_in_a_callback(tmp_path):
    def boom(trainer, step, record):
        if step == 6:
            raise RuntimeError("boom")

    trainer = build(
        callbacks=[tg.Checkpoint(tmp_path, every=100), tg.LambdaCallback(on_step_end=boom)]
    )
    with pytest.raises(RuntimeError, match="boom"):
        trainer.fit(50)
    assert names(tmp_path) == ["checkpoint-00000006.pt"]


class _FailsInStep(tg.AdversarialTrainer):
    """Raises halfway through iteration ``fail_at``: after D's steps, before G's."""

    fail_at = 5

    def step(self) -> tg.StepRecord:
        n = self.batch_size
        d_real = self.train_discriminator(self.real.sample(n, generator=self.rng), 1.0)
        if self.iteration + 1 == self.fail_at:
            raise RuntimeError("failed inside an iteration")
        with torch.no_grad():
            fake = self.generator(self.noise.sample(n, generator=self.rng))
        d_fake = self.train_discriminator(fake, 0.0)
        g_loss, out = self.train_generator(self.noise.sample(n, generator=self.rng))
        return tg.StepRecord(d_loss_real=d_real, d_loss_fake=d_fake, g_loss=g_loss, fake=out)


def test_no_final_checkpoint_from_inside_an_iteration(tmp_path, caplog):
    trainer = build(cls=_FailsInStep, callbacks=[tg.Checkpoint(tmp_path, every=3)])
    with pytest.raises(RuntimeError, match="inside an iteration"):
        trainer.fit(50)
    # iteration 5 half ran: D changed, G did not; saving it as "iteration 4" would be a lie
    assert names(tmp_path) == ["checkpoint-00000003.pt"]
    assert "fit ended inside iteration 5: not checkpointed" in caplog.text


def test_checkpoint_runs_after_the_other_callbacks_wherever_it_is(tmp_path):
    """Listed first, it still saves what every other callback made of its iteration."""
    order = []
    saver = tg.Checkpoint(tmp_path, every=10)
    real_save = saver.save
    saver.save = lambda t: (order.append("save"), real_save(t))[1]
    stamp = tg.LambdaCallback(on_step_end=lambda t, s, r: order.append(s) if s % 10 == 0 else 0)
    trainer = build(callbacks=[saver, *standard_callbacks(), stamp])
    trainer.fit(20)
    assert order == [10, "save", 20, "save"]
    fresh = build()
    tg.load_checkpoint(tmp_path / "checkpoint-00000010.pt", fresh)
    assert_same_state(fresh.state_dict(), build().fit(10).state_dict())


def test_runs_last_keeps_list_order_otherwise():
    calls = []

    def hook(name):
        return tg.LambdaCallback(on_step_end=lambda t, s, r: calls.append(name))

    late_a, late_b = hook("late_a"), hook("late_b")
    late_a.runs_last = late_b.runs_last = True
    build(callbacks=[late_a, hook("x"), late_b, hook("y")]).fit(1)
    assert calls == ["x", "y", "late_a", "late_b"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"every": 0}, ValueError, "every"),
        ({"every": 1.5}, TypeError, "every"),
        ({"keep": 0}, ValueError, "keep"),
        ({"path": 3}, TypeError, "path"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, error, match):
    kwargs = {"path": tmp_path, **kwargs}
    with pytest.raises(error, match=match):
        tg.Checkpoint(**kwargs)


def test_latest_checkpoint_ignores_other_files(tmp_path):
    assert tg.latest_checkpoint(tmp_path / "missing") is None
    (tmp_path / "checkpoint-00000100.pt.tmp").write_text("x")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "checkpoint-9.pt").write_text("x")
    (tmp_path / "checkpoint-00000010.pt").write_text("x")
    assert tg.latest_checkpoint(tmp_path) == tmp_path / "checkpoint-00000010.pt"


def test_latest_readable_checkpoint_passes_over_a_damaged_one(tmp_path):
    trainer = build(seed=0, callbacks=[tg.Checkpoint(tmp_path, every=5, keep=3)])
    trainer.fit(15)
    newest = tmp_path / "checkpoint-00000015.pt"
    assert tg.latest_checkpoint(tmp_path, readable=True) == newest
    newest.write_bytes(newest.read_bytes()[:200])
    assert tg.latest_checkpoint(tmp_path) == newest  # the newest, read or not
    assert tg.latest_checkpoint(tmp_path, readable=True) == tmp_path / "checkpoint-00000010.pt"
    for path in tmp_path.glob("checkpoint-*.pt"):
        path.write_bytes(b"")
    assert tg.latest_checkpoint(tmp_path, readable=True) is None


def test_loggers_are_flushed_before_each_checkpoint(tmp_path):
    """A logger's file is never behind the newest checkpoint (so a resume leaves no gap)."""
    history = tmp_path / "history.csv"
    seen = []

    def lines_on_disk(trainer, step, record):
        if step % 10 == 0:
            seen.append(len(history.read_text().splitlines()) - 1)

    probe = tg.LambdaCallback(on_step_end=lines_on_disk)
    probe.runs_last = True  # after the Checkpoint, which runs after the CSVLogger
    saver = tg.Checkpoint(tmp_path / "ckpts", every=10)
    callbacks = [tg.CSVLogger(history, flush_every=1000), saver, probe]
    build(callbacks=callbacks).fit(30)
    assert seen == [10, 20, 30]


def test_a_fresh_trainer_never_writes_over_another_runs_checkpoints(tmp_path):
    first = build(seed=0, callbacks=[tg.Checkpoint(tmp_path, every=50, keep=3)])
    first.fit(100)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    second = build(seed=1, callbacks=[tg.Checkpoint(tmp_path, every=1, keep=3)])
    with pytest.raises(ValueError, match=r"already holds checkpoint-00000100.pt and 1 more"):
        second.fit(4)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert second.iteration == 0
    single = tmp_path / "one.pt"
    build(seed=0, callbacks=[tg.Checkpoint(single, every=5)]).fit(5)
    with pytest.raises(ValueError, match=r"already holds one\.pt"):
        build(seed=1, callbacks=[tg.Checkpoint(single, every=5)]).fit(5)
    resumed = build(seed=0, callbacks=[tg.Checkpoint(tmp_path, every=50, keep=3)])
    tg.load_checkpoint(tg.latest_checkpoint(tmp_path), resumed)
    resumed.fit(50)  # its own run, resumed: allowed
    assert tg.latest_checkpoint(tmp_path).name == "checkpoint-00000150.pt"
