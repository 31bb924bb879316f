"""Checkpoint files: round trip, atomic writes, and every kind of bad file refused clearly."""

from __future__ import annotations

import copy
import os
import pathlib
import re
import zipfile

import pytest
import torch
from tests.resume_helpers import assert_same_state, build

import tinygan as tg
from tinygan.checkpoint import atomic as ckpt_module


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, dict]:
    """A checkpoint of 12 iterations, and the trainer state it was written from."""
    path = tmp_path_factory.mktemp("ckpt") / "run.pt"
    trainer = build().fit(12)
    tg.save_checkpoint(path, trainer, extra={"note": "hello", "args": [1, 2.5, None]})
    return path, copy.deepcopy(trainer.state_dict())


def test_round_trip_restores_the_whole_state(saved):
    path, state = saved
    trainer = build()
    payload = tg.load_checkpoint(path, trainer)
    assert trainer.iteration == 12
    assert_same_state(trainer.state_dict(), state)
    assert payload["iteration"] == 12
    assert payload["extra"] == {"note": "hello", "args": [1, 2.5, None]}


def test_file_holds_configuration_and_version_as_plain_data(saved):
    path, _ = saved
    payload = torch.load(path, weights_only=True)  # plain data: loads with no allowlist
    assert payload["format"] == "tinygan.checkpoint"
    assert payload["tinygan_version"] == tg.__version__
    assert payload["torch_version"] == str(torch.__version__)
    config = payload["config"]
    assert config["trainer"] == "AdversarialTrainer"
    assert config["generator"]["sizes"] == [4, 4, 4]
    assert config["discriminator"]["sizes"] == [4, 3, 1]
    assert config["generator"]["shapes"] == {"0.weight": [4, 4], "2.weight": [4, 4]}
    assert config["lr"] == 0.01 and config["batch_size"] == 1 and config["seed"] == 0
    assert config["optimizers"] == {"g_optimizer": "SGD", "d_optimizer": "SGD"}
    assert config["real"].startswith("FuzzyPattern('1010'")
    assert config["loss"] == "mse_loss"
    assert re.fullmatch(r"[0-9a-f]{64}", payload["sha256"])


def test_read_checkpoint_needs_no_trainer(saved):
    path, _ = saved
    assert tg.read_checkpoint(path)["iteration"] == 12


# --- atomic writes ------------------------------------------------------------------


def test_crash_mid_write_leaves_previous_checkpoint_whole(tmp_path, monkeypatch):
    path = tmp_path / "run.pt"
    trainer = build().fit(3)
    tg.save_checkpoint(path, trainer)
    before = path.read_bytes()
    real_save = torch.save

    def half_then_crash(obj, f, *args, **kwargs):
        real_save(obj, f, *args, **kwargs)
        f.truncate(100)  # half a file on disk...
        raise KeyboardInterrupt  # ...and the process is interrupted

    monkeypatch.setattr(ckpt_module.torch, "save", half_then_crash)
    with pytest.raises(KeyboardInterrupt):
        tg.save_checkpoint(path, trainer.fit(2))
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.pt"]  # no temporary left
    fresh = build()
    tg.load_checkpoint(path, fresh)
    assert fresh.iteration == 3


def test_write_goes_through_a_temporary_then_rename(tmp_path, monkeypatch):
    calls = []
    real_replace, real_fsync = os.replace, os.fsync

    def replace(a, b):
        calls.append(("replace", a, b))
        real_replace(a, b)

    def fsync(fd):
        calls.append(("fsync",))
        real_fsync(fd)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "fsync", fsync)
    target = tmp_path / "sub" / "run.pt"
    tg.save_checkpoint(target, build().fit(1))
    replaces = [c for c in calls if c[0] == "replace"]
    assert len(replaces) == 1
    src, dst = pathlib.Path(replaces[0][1]), pathlib.Path(replaces[0][2])
    assert dst == target and src.parent == target.parent and src != target
    assert calls.index(("fsync",)) < calls.index(replaces[0])  # data on disk before rename


def test_save_refuses_what_could_not_be_loaded_safely(tmp_path):
    import numpy as np

    path = tmp_path / "run.pt"
    with pytest.raises(TypeError, match=r"\['extra'\]\['a'\] is a ndarray"):
        tg.save_checkpoint(path, build(), extra={"a": np.zeros(3)})
    with pytest.raises(TypeError, match="float64"):
        tg.save_checkpoint(path, build(), extra={"a": np.float64(1.0)})
    assert not path.exists()
    with pytest.raises(TypeError, match="state_dict"):
        tg.save_checkpoint(path, object())


# --- code in a checkpoint never runs --------------------------------------------------


class _Payload:
    """Unpickling this runs code: it writes the marker file."""

    def __init__(self, marker: pathlib.Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({str(self.marker)!r}, 'w').write('pwned')",))


def _malicious_checkpoint(good: pathlib.Path, marker: pathlib.Path, dest: pathlib.Path) -> None:
    payload = torch.load(good, weights_only=True)
    payload["extra"] = {"x": _Payload(marker)}
    torch.save(payload, dest)


def test_malicious_payload_is_refused_and_never_runs(saved, tmp_path):
    path, _ = saved
    marker, bad = tmp_path / "marker", tmp_path / "evil.pt"
    _malicious_checkpoint(path, marker, bad)
    trainer = build()
    before = copy.deepcopy(trainer.state_dict())
    with pytest.raises(tg.CheckpointError, match="refusing to load") as info:
        tg.load_checkpoint(bad, trainer)
    assert str(bad) in str(info.value) and "it names 'exec'" in str(info.value)
    with pytest.raises(tg.CheckpointError, match="refusing"):
        tg.read_checkpoint(bad)
    assert not marker.exists()
    assert_same_state(trainer.state_dict(), before)


def test_malicious_payload_is_real(saved, tmp_path):
    """Control: the same file, loaded unsafely, does run its code (so the test above bites)."""
    path, _ = saved
    marker, bad = tmp_path / "marker", tmp_path / "evil.pt"
    _malicious_checkpoint(path, marker, bad)
    torch.load(bad, weights_only=False)
    assert marker.read_text() == "pwned"


# --- bad files ----------------------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.pt"):
        tg.load_checkpoint(tmp_path / "nope.pt", build())


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.25, 0.5, 0.9, 0.999])
def test_truncated_file(saved, tmp_path, fraction):
    path, _ = saved
    data = path.read_bytes()
    cut = tmp_path / "cut.pt"
    cut.write_bytes(data[: int(len(data) * fraction)])
    trainer = build()
    with pytest.raises(tg.CheckpointError, match=re.escape(str(cut))):
        tg.load_checkpoint(cut, trainer)
    assert trainer.iteration == 0


def _member_span(path: pathlib.Path, suffix: str) -> tuple[int, int]:
    with zipfile.ZipFile(path) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith(suffix))
        with zf.open(info) as f:
            content = f.read()
    start = path.read_bytes().find(content)
    assert start >= 0
    return start, start + len(content)


def test_flipped_byte_in_weights_is_found(saved, tmp_path):
    """torch.load alone would hand back the wrong weight; the stored digest catches it."""
    path, _ = saved
    data = bytearray(path.read_bytes())
    start, _ = _member_span(path, "data/0")
    data[start + 1] ^= 0x40
    bad = tmp_path / "flipped.pt"
    bad.write_bytes(bytes(data))
    torch.load(bad, weights_only=True)  # loads without complaint...
    with pytest.raises(tg.CheckpointError, match=r"corrupted.*SHA-256"):  # ...but not here
        tg.load_checkpoint(bad, build())


def test_any_flipped_byte_is_refused_or_harmless(saved, tmp_path):
    """Flip bytes all over the file: each load either fails clearly or gives the true state."""
    path, state = saved
    data = path.read_bytes()
    bad = tmp_path / "flipped.pt"
    refused = 0
    for pos in range(0, len(data), max(1, len(data) // 150)):
        flipped = bytearray(data)
        flipped[pos] ^= 0xFF
        bad.write_bytes(bytes(flipped))
        trainer = build()
        try:
            tg.load_checkpoint(bad, trainer)
        except tg.CheckpointError as exc:
            assert str(bad) in str(exc)
            refused += 1
            assert trainer.iteration == 0
        else:
            assert_same_state(trainer.state_dict(), state)
    assert refused > 100


@pytest.mark.parametrize(
    "content",
    [b"", b"hello, world\n", bytes(range(256)) * 4, b"PK\x03\x04" + b"\x00" * 40],
    ids=["empty", "text", "noise", "zip-header"],
)
def test_not_a_checkpoint_at_all(tmp_path, content):
    path = tmp_path / "junk.pt"
    path.write_bytes(content)
    with pytest.raises(tg.CheckpointError, match=re.escape(str(path))) as info:
        tg.load_checkpoint(path, build())
    if not content:
        assert "is not a tinygan checkpoint: it is empty" in str(info.value)
    elif not content.startswith(b"PK"):
        assert "not a file written by torch.save" in str(info.value)


@pytest.mark.parametrize(
    "obj",
    [
        lambda: build().generator.state_dict(),
        lambda: [1, 2, 3],
        lambda: {"format": "something-else", "trainer": {}},
        lambda: torch.zeros(3),
    ],
    ids=["state-dict", "list", "other-format", "tensor"],
)
def test_torch_file_that_is_not_a_tinygan_checkpoint(tmp_path, obj):
    path = tmp_path / "model.pt"
    torch.save(obj(), path)
    with pytest.raises(tg.CheckpointError, match="is not a tinygan checkpoint") as info:
        tg.load_checkpoint(path, build())
    assert str(path) in str(info.value)


def test_newer_format_is_refused(saved, tmp_path):
    path, _ = saved
    payload = torch.load(path, weights_only=True)
    payload["format_version"] = 99
    torch.save(payload, tmp_path / "new.pt")
    with pytest.raises(tg.CheckpointError, match=r"format version 99.*upgrade"):
        tg.load_checkpoint(tmp_path / "new.pt", build())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"g_sizes": [4, 8, 4]},
            r"generator's '0.weight' has shape \(4, 4\) in the file but \(8, 4\)",
        ),
        (
            {"g_sizes": [4, 4, 4, 4]},
            r"generator's tensors are \['0.weight', '2.weight'\] in the file",
        ),
        ({"d_sizes": [4, 5, 1]}, r"discriminator's '0.weight' has shape \(3, 4\)"),
    ],
)
def test_different_architecture(saved, kwargs, match):
    path, _ = saved
    trainer = build(**kwargs)
    before = copy.deepcopy(trainer.state_dict())
    with pytest.raises(tg.CheckpointError, match="different architecture") as info:
        tg.load_checkpoint(path, trainer)
    assert re.search(match, str(info.value)) and str(path) in str(info.value)
    assert_same_state(trainer.state_dict(), before)


def test_discriminator_trainer_checkpoint_into_adversarial(tmp_path):
    path = tmp_path / "d.pt"
    d_trainer = tg.DiscriminatorTrainer(
        tg.mlp([4, 3, 1]), tg.FuzzyPattern("1010"), tg.FuzzyPattern("0101"), seed=0
    )
    tg.save_checkpoint(path, d_trainer.fit(5))
    with pytest.raises(tg.CheckpointError, match="has no 'generator'"):
        tg.load_checkpoint(path, build(callbacks=[]))
    fresh = tg.DiscriminatorTrainer(
        tg.mlp([4, 3, 1]), tg.FuzzyPattern("1010"), tg.FuzzyPattern("0101"), seed=1
    )
    tg.load_checkpoint(path, fresh)
    assert_same_state(fresh.state_dict(), d_trainer.state_dict())


def test_different_optimizer(saved):
    path, _ = saved
    trainer = build(optimizer=lambda p: torch.optim.Adam(p, lr=1e-3))
    with pytest.raises(tg.CheckpointError, match=r"saved with SGD as g_optimizer.*uses Adam"):
        tg.load_checkpoint(path, trainer)


def test_different_stateful_callbacks_leave_trainer_untouched(saved):
    path, _ = saved
    trainer = build(callbacks=[tg.Snapshots(every=4), tg.LossLogger()])
    before = copy.deepcopy(trainer.state_dict())
    with pytest.raises(tg.CheckpointError, match="callbacks that keep state differ"):
        tg.load_checkpoint(path, trainer)
    assert_same_state(trainer.state_dict(), before)


def test_trainer_without_callbacks_takes_only_the_networks(saved):
    path, state = saved
    trainer = build(callbacks=[])
    tg.load_checkpoint(path, trainer)
    assert_same_state(trainer.generator.state_dict(), state["generator"])
    assert trainer.iteration == 12


class _FailsToPickle:
    def __reduce__(self):
        raise RuntimeError("cannot be saved")


def test_save_atomically_keeps_the_old_file_whole_when_a_write_fails(tmp_path):
    from tinygan.checkpoint import save_atomically

    path = tmp_path / "model.pt"
    save_atomically({"w": torch.ones(3)}, path)
    with pytest.raises(RuntimeError, match="cannot be saved"):
        save_atomically({"w": torch.zeros(3), "bad": _FailsToPickle()}, path)
    assert torch.equal(torch.load(path, weights_only=True)["w"], torch.ones(3))
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"]  # no temporary file left
