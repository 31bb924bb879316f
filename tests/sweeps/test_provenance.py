"""What a sweep's files say of the backends that trained its seeds."""

import tinygan as tg
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


def test_compile_true_is_recorded_as_asking_for_native():
    result = tg.sweep(2, steps=20, compile=True)
    assert result.backend is not None and result.backend["requested"] == "native"
    assert tg.sweep(2, steps=20).backend == {"name": "fused", "requested": "auto", "seeds": 2}
