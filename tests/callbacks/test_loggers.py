"""CSVLogger and TensorBoardLogger: what they write, checked against the records."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import tinygan as tg

REFERENCE = [0.9, 0.0, 0.9, 0.0]


def make_trainer(
    *callbacks: tg.Callback, seed: int = 0, batch_size: int = 1
) -> tg.AdversarialTrainer:
    return tg.AdversarialTrainer(
        tg.mlp([4, 4, 4], generator=torch.Generator().manual_seed(seed)),
        tg.mlp([4, 3, 1], generator=torch.Generator().manual_seed(seed + 1)),
        tg.FuzzyPattern("1010"),
        tg.UniformNoise(4),
        seed=seed,
        batch_size=batch_size,
        callbacks=list(callbacks),
    )


class Recorder(tg.Callback):
    def __init__(self) -> None:
        self.rows: list[tuple[int, tg.StepRecord]] = []

    def on_step_end(self, trainer: object, step: int, record: tg.StepRecord) -> None:
        self.rows.append((step, record))


def read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="") as file:
        header, *rows = list(csv.reader(file))
    return header, rows


def g_error_oracle(fake: torch.Tensor) -> float:
    ref = np.array(REFERENCE, dtype=np.float64)
    return float(((fake.double().numpy() - ref) ** 2).mean())


@pytest.mark.parametrize("batch_size", [1, 3])
def test_csv_rows_match_the_records(tmp_path: Path, batch_size: int) -> None:
    path = tmp_path / "h.csv"
    recorder = Recorder()
    make_trainer(
        tg.CSVLogger(path, reference=REFERENCE, flush_every=7), recorder, batch_size=batch_size
    ).fit(25)
    header, rows = read(path)
    assert header == ["step", "d_loss_real", "d_loss_fake", "g_loss", "g_error"]
    assert len(rows) == 25
    for row, (step, record) in zip(rows, recorder.rows, strict=True):
        assert int(row[0]) == step
        # Nine significant digits give back the float32 exactly.
        assert np.float32(row[1]) == record.d_loss_real.numpy()  # type: ignore[union-attr]
        assert np.float32(row[2]) == record.d_loss_fake.numpy()  # type: ignore[union-attr]
        assert np.float32(row[3]) == record.g_loss.numpy()  # type: ignore[union-attr]
        assert record.fake is not None
        assert float(row[4]) == pytest.approx(g_error_oracle(record.fake), rel=1e-5)


def test_csv_without_reference_has_no_g_error(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    make_trainer(tg.CSVLogger(path)).fit(3)
    header, rows = read(path)
    assert header == ["step", "d_loss_real", "d_loss_fake", "g_loss"]
    assert len(rows) == 3


def test_csv_is_the_same_however_fit_is_split_or_flushed(tmp_path: Path) -> None:
    whole, split = tmp_path / "whole.csv", tmp_path / "split.csv"
    make_trainer(tg.CSVLogger(whole, reference=REFERENCE)).fit(30)
    trainer = make_trainer(tg.CSVLogger(split, reference=REFERENCE, flush_every=1))
    trainer.fit(10)
    trainer.fit(0)
    trainer.fit(20)
    assert whole.read_bytes() == split.read_bytes()


def test_csv_append_continues_a_file(tmp_path: Path) -> None:
    whole, parts = tmp_path / "whole.csv", tmp_path / "parts.csv"
    make_trainer(tg.CSVLogger(whole)).fit(8)
    trainer = make_trainer(tg.CSVLogger(parts))
    trainer.fit(5)
    trainer.callbacks = [tg.CSVLogger(parts, append=True)]
    trainer.fit(3)
    assert parts.read_bytes() == whole.read_bytes()


def test_csv_append_to_a_new_file_writes_the_header(tmp_path: Path) -> None:
    path = tmp_path / "new.csv"
    make_trainer(tg.CSVLogger(path, append=True)).fit(2)
    header, rows = read(path)
    assert header[0] == "step" and len(rows) == 2


def test_csv_without_append_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("old contents\n")
    make_trainer(tg.CSVLogger(path)).fit(2)
    assert "old" not in path.read_text()


def test_csv_discriminator_trainer_leaves_g_loss_empty(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    tg.DiscriminatorTrainer(
        tg.mlp([4, 3, 1]),
        tg.FuzzyPattern("1010"),
        tg.FuzzyPattern("0101"),
        seed=0,
        callbacks=[tg.CSVLogger(path, reference=REFERENCE)],
    ).fit(4)
    _, rows = read(path)
    assert len(rows) == 4
    for row in rows:
        assert row[1] and row[2] and row[3] == "" and row[4] == ""


def test_csv_keeps_the_rows_before_an_exception(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"

    def boom(trainer: object, step: int, record: object) -> None:
        if step == 6:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        make_trainer(tg.CSVLogger(path), tg.LambdaCallback(on_step_end=boom)).fit(100)
    _, rows = read(path)
    assert [int(r[0]) for r in rows] == [1, 2, 3, 4, 5, 6]


def test_csv_writes_in_blocks(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    seen: list[int] = []

    def count(trainer: object, step: int, record: object) -> None:
        seen.append(len(path.read_text().splitlines()) - 1)

    make_trainer(tg.CSVLogger(path, flush_every=4), tg.LambdaCallback(on_step_end=count)).fit(9)
    assert seen == [0, 0, 0, 4, 4, 4, 4, 8, 8]
    assert len(path.read_text().splitlines()) == 10


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"path": 3}, TypeError, "path"),
        ({"path": "h.csv", "reference": [[0.1]]}, ValueError, "reference"),
        ({"path": "h.csv", "reference": []}, ValueError, "reference"),
        ({"path": "h.csv", "reference": [float("nan")]}, ValueError, "reference"),
        ({"path": "h.csv", "reference": "abc"}, TypeError, "reference"),
        ({"path": "h.csv", "flush_every": 0}, ValueError, "flush_every"),
        ({"path": "h.csv", "flush_every": 1.5}, TypeError, "flush_every"),
    ],
)
def test_csv_bad_arguments(kwargs: dict, error: type[Exception], words: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(error, match=words):
        tg.CSVLogger(**kwargs)


def test_reference_of_the_wrong_length(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="reference has 3 entries"):
        make_trainer(tg.CSVLogger(tmp_path / "h.csv", reference=[0.9, 0.0, 0.9])).fit(1)


def test_tensorboard_scalars_match_the_records(tmp_path: Path) -> None:
    event_accumulator = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator"
    )
    recorder = Recorder()
    trainer = make_trainer(
        tg.TensorBoardLogger(tmp_path, reference=REFERENCE, flush_every=4), recorder
    )
    trainer.fit(6)
    trainer.fit(4)
    acc = event_accumulator.EventAccumulator(str(tmp_path))
    acc.Reload()
    tags = set(acc.Tags()["scalars"])
    assert tags == {
        "loss/discriminator_real",
        "loss/discriminator_fake",
        "loss/generator",
        "generator/error_to_reference",
    }
    real = acc.Scalars("loss/discriminator_real")
    assert [e.step for e in real] == list(range(1, 11))
    for event, (_, record) in zip(real, recorder.rows, strict=True):
        assert np.float32(event.value) == record.d_loss_real.numpy()  # type: ignore[union-attr]
    for event, (_, record) in zip(
        acc.Scalars("generator/error_to_reference"), recorder.rows, strict=True
    ):
        assert record.fake is not None
        assert event.value == pytest.approx(g_error_oracle(record.fake), rel=1e-5)


def test_tensorboard_bad_arguments() -> None:
    with pytest.raises(TypeError, match="log_dir"):
        tg.TensorBoardLogger(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="flush_every"):
        tg.TensorBoardLogger("runs", flush_every=0)


def test_tensorboard_missing_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    with pytest.raises(ImportError, match=r'pip install "tinygan\[tensorboard\]"'):
        tg.TensorBoardLogger("runs")
