"""Callbacks: the documented order of events, LossLogger, Snapshots and LambdaCallback."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from tests.helpers import d_only_trainer, post_nets, post_trainer

import tinygan as tg
import tinygan.callbacks


class Recorder(tg.Callback):
    """Writes every hook call into a shared list of events."""

    def __init__(self, name: str, events: list) -> None:
        self.name = name
        self.events = events

    def on_fit_start(self, trainer):
        self.events.append((self.name, "on_fit_start", trainer.iteration))

    def on_step_end(self, trainer, step, record):
        assert isinstance(record, tg.StepRecord)
        self.events.append((self.name, "on_step_end", step, trainer.iteration))

    def on_fit_end(self, trainer):
        self.events.append((self.name, "on_fit_end", trainer.iteration))


class StepLogging(tg.AdversarialTrainer):
    """Writes a ``step`` event before each iteration runs."""

    events: list

    def step(self):
        self.events.append(("trainer", "step", self.iteration))
        return super().step()


def test_order_of_events_is_the_documented_one_across_two_fit_calls():
    """The order written in tinygan.callbacks' docstring, over fit(2) then fit(1)."""
    events: list = []
    G, D = post_nets(0)
    trainer = StepLogging(
        G,
        D,
        tg.FuzzyPattern("1010"),
        tg.UniformNoise(4),
        seed=0,
        callbacks=[Recorder("a", events), Recorder("b", events)],
    )
    trainer.events = events
    trainer.fit(2)
    trainer.fit(1)
    assert events == [
        ("a", "on_fit_start", 0),
        ("b", "on_fit_start", 0),
        ("trainer", "step", 0),
        ("a", "on_step_end", 1, 1),
        ("b", "on_step_end", 1, 1),
        ("trainer", "step", 1),
        ("a", "on_step_end", 2, 2),
        ("b", "on_step_end", 2, 2),
        ("a", "on_fit_end", 2),
        ("b", "on_fit_end", 2),
        ("a", "on_fit_start", 2),
        ("b", "on_fit_start", 2),
        ("trainer", "step", 2),
        ("a", "on_step_end", 3, 3),
        ("b", "on_step_end", 3, 3),
        ("a", "on_fit_end", 3),
        ("b", "on_fit_end", 3),
    ]


def test_the_order_is_written_down_in_the_callbacks_module():
    doc = tinygan.callbacks.__doc__
    for phrase in ("on_fit_start", "on_step_end", "on_fit_end", "stop()", "KeyboardInterrupt"):
        assert phrase in doc
    assert doc.index("on_fit_start") < doc.index("on_step_end") < doc.index("on_fit_end")


def test_callback_hooks_are_no_ops():
    cb = tg.Callback()
    trainer = post_trainer(0)
    assert cb.on_fit_start(trainer) is None
    assert cb.on_step_end(trainer, 1, tg.StepRecord()) is None
    assert cb.on_fit_end(trainer) is None
    trainer.callbacks = [cb]
    assert trainer.fit(2).iteration == 2


def test_lambda_callback_calls_the_functions_it_was_given():
    seen = []
    cb = tg.LambdaCallback(
        on_fit_start=lambda t: seen.append(("start", t.iteration)),
        on_step_end=lambda t, s, r: seen.append(("step", s, r.g_loss is not None)),
        on_fit_end=lambda t: seen.append(("end", t.iteration)),
    )
    post_trainer(0, callbacks=[cb]).fit(2)
    assert seen == [("start", 0), ("step", 1, True), ("step", 2, True), ("end", 2)]


def test_lambda_callback_hooks_are_optional():
    steps = []
    cb = tg.LambdaCallback(on_step_end=lambda t, s, r: steps.append(s))
    post_trainer(0, callbacks=[cb]).fit(3)
    assert steps == [1, 2, 3]
    post_trainer(0, callbacks=[tg.LambdaCallback()]).fit(1)


def test_callbacks_list_can_change_between_fits():
    steps = []
    trainer = post_trainer(0)
    trainer.fit(2)
    trainer.callbacks.append(tg.LambdaCallback(on_step_end=lambda t, s, r: steps.append(s)))
    trainer.fit(2)
    assert steps == [3, 4]


# --- LossLogger -------------------------------------------------------------------------


def collect(trainer, steps):
    records = []
    trainer.callbacks.append(tg.LambdaCallback(on_step_end=lambda t, s, r: records.append(r)))
    trainer.fit(steps)
    return records


def test_loss_logger_logs_every_records_losses():
    reference = [0.9, 0.0, 0.9, 0.0]
    log = tg.LossLogger(reference=reference)
    trainer = post_trainer(1, batch_size=3, callbacks=[log])
    records = collect(trainer, 7)
    for name in ("d_loss_real", "d_loss_fake", "g_loss"):
        values = getattr(log, name)
        assert isinstance(values, np.ndarray) and values.shape == (7,)
        np.testing.assert_array_equal(values, [getattr(r, name).item() for r in records])
    np.testing.assert_array_equal(log.steps, np.arange(1, 8))
    # The post plots both D losses in the order they happen: real, fake, real, fake, ...
    np.testing.assert_array_equal(log.d_loss[0::2], log.d_loss_real)
    np.testing.assert_array_equal(log.d_loss[1::2], log.d_loss_fake)
    # G's error to the reference is the MSE of its output, computed here in numpy.
    fakes = np.stack([r.fake.numpy().astype(np.float64) for r in records])
    expected = ((fakes - np.array(reference)) ** 2).mean(axis=(1, 2))
    np.testing.assert_allclose(log.g_error, expected, rtol=1e-5, atol=1e-7)
    assert set(log.as_dict()) == {"steps", "d_loss_real", "d_loss_fake", "g_loss", "g_error"}


def test_loss_logger_goes_on_across_fit_calls():
    log = tg.LossLogger()
    trainer = post_trainer(0, callbacks=[log])
    trainer.fit(3)
    trainer.fit(2)
    np.testing.assert_array_equal(log.steps, [1, 2, 3, 4, 5])
    assert log.g_loss.shape == (5,) and log.g_error is None


def test_loss_logger_with_the_discriminator_trainer():
    log = tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0])
    d_only_trainer(0, callbacks=[log]).fit(4)
    assert log.d_loss_real.shape == (4,) and log.d_loss_fake.shape == (4,)
    assert log.g_loss.shape == (0,) and log.g_error.shape == (0,)
    assert log.d_loss.shape == (8,)
    assert set(log.as_dict()) == {"steps", "d_loss_real", "d_loss_fake", "g_error"}


def test_empty_loss_logger():
    log = tg.LossLogger()
    assert log.d_loss_real.shape == (0,) and log.d_loss.shape == (0,) and log.steps.shape == (0,)


def test_loss_logger_keeps_tensors_without_a_host_sync(monkeypatch):
    """on_step_end never turns a tensor into a Python number or a numpy array."""
    log = tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0])
    record = post_trainer(0).step()

    def forbidden(*args, **kwargs):
        raise AssertionError("host sync in LossLogger.on_step_end")

    for name in ("item", "tolist", "numpy", "__float__", "__bool__", "cpu"):
        monkeypatch.setattr(torch.Tensor, name, forbidden)
    for step in range(1, 4):
        log.on_step_end(None, step, record)
    monkeypatch.undo()
    assert log.g_loss.shape == (3,)


# --- Snapshots --------------------------------------------------------------------------


def test_snapshots_on_fixed_inputs_see_the_generator_in_inference_mode():
    gen = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.BatchNorm1d(4))
    disc = tg.mlp([4, 3, 1])
    z = torch.randn(5, 4, generator=torch.Generator().manual_seed(1))
    snaps = tg.Snapshots(every=2, inputs=z)
    trainer = tg.AdversarialTrainer(
        gen, disc, tg.FuzzyPattern("1010"), tg.UniformNoise(4), batch_size=8, seed=0,
        callbacks=[snaps],
    )  # fmt: skip
    trainer.fit(2)
    assert gen.training  # switched back after the snapshot
    gen.eval()
    with torch.no_grad():
        expected = gen(z)  # batch norm on its running statistics, as a judge sees it
    assert torch.equal(torch.from_numpy(snaps.outputs[-1]), expected)


def test_snapshots_keep_the_output_every_n_steps():
    snaps = tg.Snapshots(every=3)
    trainer = post_trainer(2, batch_size=2, callbacks=[snaps])
    records = collect(trainer, 10)
    assert snaps.steps == [3, 6, 9]
    assert snaps.outputs.shape == (3, 2, 4)
    for k, step in enumerate(snaps.steps):
        np.testing.assert_array_equal(snaps.outputs[k], records[step - 1].fake.numpy())
    # The post's image: the snapshots' rows stacked, transposed to one column per row.
    assert snaps.array.shape == (6, 4)
    np.testing.assert_array_equal(snaps.array, snaps.outputs.reshape(6, 4))


def test_snapshots_default_every_1000():
    snaps = tg.Snapshots()
    assert snaps.every == 1000
    trainer = post_trainer(0, callbacks=[snaps])
    trainer.fit(999)
    assert snaps.steps == []
    trainer.fit(1)
    assert snaps.steps == [1000] and snaps.array.shape == (1, 4)


def test_snapshots_of_the_discriminator_trainer_are_empty():
    snaps = tg.Snapshots(every=1)
    d_only_trainer(0, callbacks=[snaps]).fit(3)
    assert snaps.steps == [] and snaps.outputs.size == 0
    assert snaps.array.shape == (0, 0)


def test_snapshots_before_any_snapshot():
    snaps = tg.Snapshots(every=10)
    assert snaps.outputs.shape == (0, 0, 0) and snaps.array.shape == (0, 0)
    post_trainer(0, callbacks=[snaps]).fit(3)
    assert snaps.steps == [] and snaps.array.shape == (0, 0)


@pytest.mark.parametrize("every", [1, 2, 5])
def test_snapshot_count(every):
    snaps = tg.Snapshots(every=every)
    post_trainer(0, callbacks=[snaps]).fit(10)
    assert snaps.steps == list(range(every, 11, every))


def test_snapshots_on_fixed_inputs_show_the_same_inputs_every_time():
    grid = torch.rand(5, 4, generator=torch.Generator().manual_seed(9))
    snaps = tg.Snapshots(every=2, inputs=grid)
    plain = tg.Snapshots(every=2)
    assert snaps.reads_records_only is False and plain.reads_records_only is True
    trainer = post_trainer(0, callbacks=[snaps])
    twin = post_trainer(0, callbacks=[plain])
    trainer.fit(4)
    twin.fit(4)
    assert snaps.steps == [2, 4] and snaps.outputs.shape == (2, 5, 4)
    with torch.no_grad():
        assert torch.equal(torch.as_tensor(snaps.outputs[-1]), trainer.generator(grid))
    # watching on fixed inputs changes nothing of the run
    assert torch.equal(trainer.rng.get_state(), twin.rng.get_state())
    for p, q in zip(trainer.generator.parameters(), twin.generator.parameters(), strict=True):
        assert torch.equal(p, q)


def test_snapshot_inputs_must_be_a_batch():
    with pytest.raises(TypeError, match=r"inputs must be a tensor \(n, noise_dim\)"):
        tg.Snapshots(inputs=torch.zeros(4))
