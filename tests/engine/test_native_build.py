"""The native kernel's cache and self-check, tried as the engine issue tried them.

Every bad case ends with one clear warning and the fused step's rows, bit for bit: never
a crash, never a silent fallback, never a library that is not the user's own.
"""

import ctypes
import hashlib
import json
import multiprocessing
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import warnings

import pytest
import torch

import tinygan as tg
from tinygan.engine import native
from tinygan.engine.native import build, check, kernel
from tinygan.engine.native.cache import digest

REAL = tg.FuzzyPattern("1010")
NOISE = tg.UniformNoise(4)
OTHER_USER = 4242


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh cache folder, and a process that has loaded no kernel yet."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("TINYGAN_CACHE_DIR", str(folder))
    monkeypatch.setattr(native, "_LOADED", {})
    return folder


def rows(backend):
    """What a small sweep-like ensemble ends with on ``backend``: weights and rng states."""
    ens = tg.EnsembleTrainer.from_seeds(range(20), REAL, NOISE, backend=backend).fit(60)
    state = ens.state_dict()
    return ens.backend, [*state["generators"], *state["discriminators"]], state["rngs"]


def assert_fused_rows(got):
    name, weights, rngs = got
    assert name == "fused"
    _, expected, expected_rngs = rows("fused")
    for a, b in zip(weights, expected, strict=True):
        assert torch.equal(a, b)
    for a, b in zip(rngs, expected_rngs, strict=True):
        assert torch.equal(a, b)


def falls_back(match):
    """Asking for the native backend warns once, naming ``match``, and gives fused rows."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = rows("native")
    fallbacks = [w for w in caught if "training goes on with 'fused'" in str(w.message)]
    assert len(fallbacks) == 1, [str(w.message) for w in caught]
    assert issubclass(fallbacks[0].category, RuntimeWarning)
    assert match in str(fallbacks[0].message), str(fallbacks[0].message)
    assert "torch.compile" not in str(fallbacks[0].message)
    assert_fused_rows(got)
    return str(fallbacks[0].message)


def built(folder):
    """The libraries, records and temporary files in ``folder`` (its lock may stay)."""
    return [*folder.glob("kernel-*.so"), *folder.glob("kernel-*.json"), *folder.glob(".tmp-*")]


def libraries(folder):
    return sorted(folder.glob("kernel-*.so"))


def record_of(folder):
    (path,) = folder.glob("kernel-*.json")
    return path


def replace(path, data):
    """Put ``data`` at ``path`` as a new file, as damage or a planted file would arrive.

    Never in place: this process has the library mapped, and writing into a mapped
    library is what crashed later runs with a bus error.
    """
    fresh = path.with_name(path.name + ".new")
    fresh.write_bytes(data)
    os.replace(fresh, path)


LATER_RUN = """
import json, sys, warnings
import tinygan as tg
warnings.simplefilter("error")
ens = tg.EnsembleTrainer.from_seeds(range(20), tg.FuzzyPattern("1010"), tg.UniformNoise(4),
                                    backend="native").fit(60)
print(json.dumps({"backend": ens.backend}))
"""


# -- what works ------------------------------------------------------------------------


def test_a_build_is_cached_private_recorded_and_loaded_once_per_process(cache):
    found = kernel()
    assert kernel() is found
    (lib,) = libraries(cache)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert not stat.S_IMODE(lib.stat().st_mode) & 0o022
    record = json.loads(record_of(cache).read_text())
    assert record["library_sha256"] == found.build.library_sha256 == digest(lib)
    assert record["library"] == lib.name and found.build.library_sha256[:16] in lib.name
    assert "-ffp-contract=off" in record["flags"] and "-march=native" not in record["flags"]
    assert found.describe()["source_sha256"] == found.build.source_sha256
    assert isinstance(found._lib, ctypes.CDLL)
    monkey = native._LOADED.copy()
    native._LOADED.clear()  # a new process: found in the cache, not built again
    before = lib.stat().st_mtime_ns
    assert kernel().build == found.build
    assert lib.stat().st_mtime_ns == before
    native._LOADED.update(monkey)


def test_cc_is_split_as_a_shell_would_split_it(cache, monkeypatch):
    monkeypatch.setenv("CC", f"{shutil.which('cc')} -pipe")
    found = kernel()
    assert found.build.compiler.split(":")[0].endswith("cc -pipe")
    name, _, _ = rows("native")
    assert name == "native"


def test_two_builds_with_different_flags_give_identical_rows(cache, monkeypatch):
    fast = rows("native")
    assert fast[0] == "native" and kernel().build.isa != "x86-64"
    monkeypatch.setattr(native, "_LOADED", {})
    monkeypatch.setattr(build, "isa_level", lambda: "x86-64")  # the baseline: SSE2 only
    baseline = rows("native")
    assert kernel().build.isa == "x86-64" and len(libraries(cache)) == 2
    for a, b in zip(fast[1], baseline[1], strict=True):
        assert torch.equal(a, b)


def test_processes_building_at_once_all_succeed(cache):
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(2) as pool:
        digests = pool.map(_build_in_a_process, [str(cache)] * 2)
    assert digests[0] == digests[1]
    assert len(libraries(cache)) == 1 and not list(cache.glob(".tmp-*"))


def _build_in_a_process(folder):
    os.environ["TINYGAN_CACHE_DIR"] = folder
    return kernel().build.library_sha256


# -- what is refused, each with a warning and the fused rows ---------------------------


def test_no_compiler(cache, monkeypatch):
    monkeypatch.setenv("CC", "no-such-compiler-here")
    with pytest.raises(native.NativeKernelError, match="no C compiler: 'no-such-compiler-here'"):
        kernel()
    falls_back("no-such-compiler-here")


def test_a_failing_compiler_leaves_nothing_behind(cache, monkeypatch):
    monkeypatch.setenv("CC", "false")
    falls_back("could not build the native kernel")
    assert not libraries(cache) and not list(cache.glob(".tmp-*"))


def test_cc_that_a_shell_cannot_split_is_reported_as_itself(cache, monkeypatch):
    monkeypatch.setenv("CC", '"gcc')  # an unbalanced quote
    falls_back("""CC='"gcc' cannot be split as a shell would split it: No closing quotation""")


def _compiler_script(tmp_path, body):
    script = tmp_path / "cc-script"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return str(script)


def test_compiler_output_that_is_not_utf8_is_read_not_raised(cache, monkeypatch, tmp_path):
    failing = _compiler_script(tmp_path, r"printf 'Fehler \377\376\n' >&2; exit 1")
    monkeypatch.setenv("CC", failing)
    message = falls_back("could not build the native kernel: Fehler")
    assert "\ufffd" in message  # the undecodable bytes, replaced
    assert not built(cache)
    cc = shutil.which("cc")
    working = _compiler_script(
        tmp_path, f'[ "$1" = --version ] && {{ printf "cc \\377\\n"; exit 0; }}; exec {cc} "$@"'
    )
    monkeypatch.setenv("CC", working)
    monkeypatch.setattr(native, "_LOADED", {})
    assert kernel().build.compiler.endswith("cc \ufffd")
    assert rows("native")[0] == "native" and not list(cache.glob(".tmp-*"))


TRUNCATING = """
import json, os, sys, warnings
os.environ["TINYGAN_CACHE_DIR"], os.environ["CC"] = sys.argv[1], sys.argv[2]
import tinygan as tg
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    ens = tg.EnsembleTrainer.from_seeds(range(4), tg.FuzzyPattern("1010"), tg.UniformNoise(4),
                                        backend="native").fit(10)
print(json.dumps({"backend": ens.backend, "warnings": [str(w.message) for w in caught]}))
"""


@pytest.mark.parametrize("keep", [0, 1000, 8000])
def test_a_build_the_loader_cannot_map_fails_the_build_not_the_process(cache, tmp_path, keep):
    # A compiler that exits 0 with a short library: its record would agree with it, and
    # loading it in this process would die of a bus error (the exit 135).
    cc = shutil.which("cc")
    short = _compiler_script(
        tmp_path,
        f'{cc} "$@" || exit 1\nfor a in "$@"; do [ "$prev" = -o ] && out="$a"; prev="$a"; done\n'
        '[ -n "$out" ] || exit 0\n'  # cc --version
        f'head -c {keep} "$out" > "$out.cut" && mv "$out.cut" "$out"',
    )
    done = subprocess.run(
        [sys.executable, "-c", TRUNCATING, str(cache), short],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout)
    assert got["backend"] == "fused"
    (message,) = [w for w in got["warnings"] if "training goes on with 'fused'" in w]
    assert "built a library that does not load as the kernel" in message
    assert not built(cache)


@pytest.mark.parametrize(
    ("probe", "reason"),
    [
        ("empty", "cannot load a fresh build in another Python: sys.executable is empty"),
        ("slow", "cannot load a fresh build in another Python: Command"),
        ("signal", "ended that process ("),
    ],
)
def test_a_probe_that_cannot_run_or_dies_oddly_is_a_fallback(cache, monkeypatch, probe, reason):
    real_run = build._run

    def run(args, timeout):
        if args[1:3] != ["-s", "-S"]:  # the compiler: as it is
            return real_run(args, timeout)
        if probe == "slow":
            raise subprocess.TimeoutExpired(args, timeout)
        return subprocess.CompletedProcess(args, -40, "", "")  # a real-time signal

    monkeypatch.setattr(build, "_run", run)
    if probe == "empty":  # an embedded interpreter
        monkeypatch.setattr(sys, "executable", "")
    falls_back(reason)
    assert not built(cache)


def test_a_ctypes_module_in_the_current_folder_is_not_run_by_the_probe(
    cache, monkeypatch, tmp_path
):
    planted = tmp_path / "here"
    planted.mkdir()
    (planted / "ctypes.py").write_text("raise ImportError('planted ctypes ran')\n")
    monkeypatch.chdir(planted)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback: the kernel is built and probed
        assert rows("native")[0] == "native"


def test_a_compiler_that_writes_nothing_leaves_nothing(cache, monkeypatch):
    monkeypatch.setenv("CC", "true")  # exits 0, and the library stays empty
    falls_back("does not load as the kernel")
    assert not built(cache)


def test_a_cache_folder_that_cannot_be_made(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("TINYGAN_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(native, "_LOADED", {})
    falls_back("cannot use the kernel's cache folder")


def test_an_unwritable_cache_folder(cache, monkeypatch):
    cache.mkdir(mode=0o500)
    if os.geteuid() == 0:  # root writes anywhere: its writes fail as they would for a user

        def denied(*args, **kwargs):
            raise PermissionError(13, "Permission denied", str(cache))

        monkeypatch.setattr(tempfile, "mkstemp", denied)
    message = falls_back("Permission denied")
    assert str(cache) in message


def test_a_cache_folder_others_may_write_is_refused(cache):
    cache.mkdir()
    cache.chmod(0o777)
    message = falls_back("may be written by others (mode 777)")
    assert str(cache) in message
    assert not libraries(cache)  # nothing was built, let alone loaded, there


def own(path, uid, monkeypatch):
    """Make ``path`` belong to another user: by chown as root, else by who we claim to be."""
    if os.geteuid() == 0:
        os.chown(path, uid, -1)
    else:
        monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 1)


def test_a_cache_folder_of_another_user_is_refused(cache, monkeypatch):
    cache.mkdir(mode=0o700)
    own(cache, OTHER_USER, monkeypatch)
    falls_back("belongs to user")


def test_a_planted_lock_file_is_refused(cache, monkeypatch, tmp_path):
    kernel()
    (lock,) = cache.glob("kernel-*.lock")
    target = tmp_path / "someone-elses-file"
    target.write_text("not to be opened for writing")
    lock.unlink()
    lock.symlink_to(target)  # a link: never followed
    monkeypatch.setattr(native, "_LOADED", {})
    falls_back("Too many levels of symbolic links")
    assert target.read_text() == "not to be opened for writing"
    lock.unlink()
    lock.write_text("")
    own(lock, OTHER_USER, monkeypatch)
    monkeypatch.setattr(native, "_LOADED", {})
    message = falls_back("belongs to user")
    assert "lock file" in message or os.geteuid() != 0  # not root: the folder is refused first


def test_a_library_of_another_user_is_never_loaded(cache, monkeypatch):
    kernel()
    (lib,) = libraries(cache)
    own(lib, OTHER_USER, monkeypatch)
    monkeypatch.setattr(native, "_LOADED", {})
    falls_back("belongs to user")
    assert libraries(cache) == [lib]  # left alone: neither loaded nor removed


def test_a_library_others_may_write_is_refused(cache, monkeypatch):
    kernel()
    (lib,) = libraries(cache)
    lib.chmod(0o666)
    monkeypatch.setattr(native, "_LOADED", {})
    falls_back("may be written by others (mode 666)")


@pytest.mark.parametrize("damage", ["truncated", "zero-filled"])
def test_a_damaged_library_is_rebuilt_not_loaded(cache, monkeypatch, damage):
    found = kernel()
    (lib,) = libraries(cache)
    data = lib.read_bytes()
    damaged = data[: len(data) // 2] if damage == "truncated" else bytes(len(data))
    replace(lib, damaged)
    later = subprocess.run([sys.executable, "-c", LATER_RUN], capture_output=True, text=True)
    assert later.returncode == 0, later.stderr[-2000:]  # no bus error, no warning
    assert json.loads(later.stdout)["backend"] == "native"
    assert lib.read_bytes() == data  # healed: rebuilt, the same library
    replace(lib, damaged)
    monkeypatch.setattr(native, "_LOADED", {})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        name, _, _ = rows("native")
    assert name == "native" and kernel().build == found.build


@pytest.mark.parametrize(
    ("key", "value"), [("flags", ["-O3", "-ffp-contract=fast"]), ("source_sha256", "0" * 64)]
)
def test_a_record_that_describes_another_build_is_rebuilt_not_reported(
    cache, monkeypatch, key, value
):
    found = kernel()
    record = json.loads(record_of(cache).read_text())
    record[key] = value  # the library itself is untouched: only what the files would say
    replace(record_of(cache), json.dumps(record).encode())
    monkeypatch.setattr(native, "_LOADED", {})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = kernel()
    assert again.build.describe()[key] == found.build.describe()[key] != value
    assert json.loads(record_of(cache).read_text())[key] == found.build.describe()[key]


def test_a_library_that_fails_to_load_is_rebuilt_once(cache, monkeypatch):
    found = kernel()
    (lib,) = libraries(cache)
    junk = b"not a shared library"  # its record agrees: only loading can tell
    digest = hashlib.sha256(junk).hexdigest()
    bad = lib.with_name(lib.name.replace(found.build.library_sha256[:16], digest[:16]))
    bad.write_bytes(junk)
    lib.unlink()
    record = json.loads(record_of(cache).read_text())
    record["library_sha256"] = digest
    record_of(cache).write_text(json.dumps(record))
    monkeypatch.setattr(native, "_LOADED", {})
    assert kernel().build == found.build
    assert libraries(cache) == [lib]


def test_a_library_of_other_sizes_is_refused(cache, monkeypatch):
    monkeypatch.setattr(native, "ABI", (99, 16, 0, 0))  # as if built from other source
    falls_back("reports version, lanes and struct sizes")


def test_a_killed_builds_leftovers_are_cleaned(cache):
    cache.mkdir(mode=0o700)
    old, fresh = cache / ".tmp-killed.so", cache / ".tmp-building-now.so"
    old.write_bytes(b"half a library")
    fresh.write_bytes(b"another build's work in progress")
    long_ago = time.time() - 3600
    os.utime(old, (long_ago, long_ago))
    kernel()
    assert not old.exists() and fresh.exists()


def test_home_unset_is_reported_as_itself(monkeypatch):
    import pwd

    for name in ("TINYGAN_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)

    def nobody(uid):
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.setattr(pwd, "getpwuid", nobody)
    monkeypatch.setattr(native, "_LOADED", {})
    falls_back("set TINYGAN_CACHE_DIR")


def test_an_empty_home_is_reported_not_taken_for_the_root_folder(monkeypatch):
    for name in ("TINYGAN_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", "")
    monkeypatch.setattr(native, "_LOADED", {})
    falls_back("HOME is set but empty; set TINYGAN_CACHE_DIR")


def test_a_draw_mismatch_is_caught_at_load(cache, monkeypatch):
    def changed(count, generator):  # as a torch whose rand mapped its bits otherwise
        return torch.rand(count, generator=generator) * (1 - 2**-10)

    monkeypatch.setattr(check, "reference_uniforms", changed)
    message = falls_back("self-check: the kernel's uniforms differ from torch.rand's")
    assert "(generator 0, draw " in message


def test_a_torch_that_maps_its_uniforms_otherwise_is_fed_samples(cache, monkeypatch):
    from tinygan.data import UniformMap

    def two_roundings(self, u):  # as a torch whose addcmul rounds the product first
        shift, scale, low, high = self.columns
        return torch.clamp(u * scale + shift, low, high)

    monkeypatch.setattr(UniformMap, "apply", two_roundings)
    with pytest.warns(RuntimeWarning, match="fed samples drawn by torch instead"):
        assert not kernel().draws
    name, weights, rngs = rows("native")
    assert name == "native"
    _, expected, expected_rngs = rows("fused")
    for a, b in zip(weights, expected, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-5)
    for a, b in zip(rngs, expected_rngs, strict=True):
        assert torch.equal(a, b)  # the same data: drawn by torch


def test_an_arithmetic_mismatch_is_caught_at_load(cache, monkeypatch):
    monkeypatch.setattr(check, "_TOLERANCE", -1.0)  # no step can pass
    falls_back("differ from the fused step's")


def test_a_failure_is_kept_for_the_process(cache, monkeypatch):
    monkeypatch.setenv("CC", "no-such-compiler-here")
    calls = []
    real = build.build
    monkeypatch.setattr(build, "build", lambda *a, **k: calls.append(1) or real(*a, **k))
    for _ in range(3):
        with pytest.raises(native.NativeKernelError):
            kernel()
    assert len(calls) == 1
