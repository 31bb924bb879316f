"""What a sweep's files say of the backends that trained its seeds."""

import json

import tinygan as tg
from tinygan.sweeps.folder import SweepFolder
from tinygan.sweeps.provenance import backend_record

BUILD = {"source_sha256": "ab12", "flags": ["-O3", "-ffp-contract=off"], "isa": "x86-64"}


def test_one_backend_with_its_build():
    assert backend_record({"native": 5}, BUILD, requested="native") == {
        "name": "native",
        "requested": "native",
        "seeds": 5,
        **BUILD,
    }
    assert backend_record({"fused": 5}, None) == {"name": "fused", "requested": "auto", "seeds": 5}


def test_several_backends_keep_the_kernels_build():
    record = backend_record({"native": 3, "fused": 2}, BUILD, requested="native")
    assert record == {
        "name": "fused+native",
        "requested": "native",
        "seeds": {"fused": 2, "native": 3},
        "native": BUILD,
    }
    assert "native" not in backend_record({"vmap": 1, "fused": 2}, None)


def test_compile_true_is_recorded_as_asking_for_native(tmp_path):
    result = tg.sweep(2, steps=20, compile=True, out=tmp_path / "done")
    assert result.backend is not None and result.backend["requested"] == "native"
    written = json.loads((tmp_path / "done" / "sweep.json").read_text())["trained_by"]
    assert written == result.backend
    assert tg.sweep(2, steps=20).backend == {"name": "fused", "requested": "auto", "seeds": 2}


def test_a_sweep_folder_records_the_request_while_the_sweep_runs(tmp_path):
    spec = {"config": {}, "seeds": [0, 1], "backend": "auto"}
    SweepFolder(tmp_path, spec, resume=False, requested="native")  # compile=True's request
    written = json.loads((tmp_path / "sweep.json").read_text())
    assert written["backend"] == "auto"  # the argument, which a resume compares
    assert written["trained_by"] == {"name": "", "requested": "native", "seeds": {}}
