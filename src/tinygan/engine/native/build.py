"""Building the native kernel once per machine with fixed flags, and finding it again.

The kernel (``kernel.c`` beside this module) is compiled with the machine's C compiler
(``$CC``, split as a shell would split it, else ``cc``) at first use, with fixed flags:
``-O3``, floating-point contraction off, and an instruction-set level from a fixed list
(:func:`isa_level`: the highest of ``x86-64-v4``, ``-v3``, ``-v2`` the processor has, or
the architecture's baseline). Every operation of the kernel is one IEEE operation per
lane, so every level gives the same numbers: a library built on one machine computes
what one built on another computes, and only the speed differs.

The library goes into the user's private cache folder (:mod:`~tinygan.engine.native.cache`)
under a name that holds its SHA-256 digest, with a record of the build beside it; it is
checked against the record before it is loaded, and a library that fails the check is
removed and rebuilt. A fresh build is loaded in a separate process before it is recorded,
so that one the loader cannot map (a truncated file from a compiler that exited 0) fails
the build instead of crashing this process. Every failure is a
:class:`~tinygan.engine.native.cache.NativeKernelError`.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from tinygan.engine.native import cache
from tinygan.engine.native.cache import NativeKernelError

__all__ = ["FLAGS", "Build", "build", "isa_level", "load"]

FLAGS = ("-std=gnu11", "-O3", "-ffp-contract=off", "-fno-math-errno", "-fPIC", "-shared")
"""The flags of every build, before the instruction-set level."""

_SOURCE = "kernel.c"
# loads, and is the kernel; the current folder off the path first (a ctypes.py there)
_PROBE = (
    "import sys; sys.path = [p for p in sys.path if p]; import ctypes; "
    "ctypes.CDLL(sys.argv[1]).tg_abi"
)
_TIMEOUT = 300  # seconds a build may take

# x86-64 micro-architecture levels (as GCC and Clang name them), highest first, with the
# processor flags each one needs beyond the levels below it (as /proc/cpuinfo names them).
_X86_LEVELS = (
    ("x86-64-v4", ("avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl")),
    ("x86-64-v3", ("avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave")),
    ("x86-64-v2", ("cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3")),
)


@dataclass(frozen=True)
class Build:
    """A built kernel library: where it is and what made it.

    Attributes:
        path: The library in the cache folder.
        source_sha256: The digest of the C source it was built from.
        library_sha256: The digest of the library itself (checked before loading).
        compiler: The compiler's command and the first line of its ``--version``.
        flags: Every flag it was built with.
        isa: The instruction-set level (a ``-march`` value).
    """

    path: Path
    source_sha256: str
    library_sha256: str
    compiler: str
    flags: tuple[str, ...]
    isa: str

    def describe(self) -> dict[str, Any]:
        """What a run's files record of this build."""
        return {
            "source_sha256": self.source_sha256,
            "library_sha256": self.library_sha256,
            "compiler": self.compiler,
            "flags": list(self.flags),
            "isa": self.isa,
        }


def isa_level() -> str:
    """The instruction-set level to build for on this processor (a ``-march`` value).

    On x86-64 the highest of ``x86-64-v4``, ``x86-64-v3``, ``x86-64-v2`` whose flags the
    processor has, else ``x86-64``; on 64-bit Arm ``armv8-a``; elsewhere ``""`` (the
    compiler's default). The numbers do not depend on the level, only the speed.
    """
    machine = platform.machine().lower()
    if machine in ("aarch64", "arm64"):
        return "armv8-a"
    if machine not in ("x86_64", "amd64"):
        return ""
    try:
        text = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        text = ""
    have = next((set(line.split(":")[1].split()) for line in text.splitlines()
                 if line.startswith("flags")), set())  # fmt: skip
    for i, (name, _) in enumerate(_X86_LEVELS):  # a level needs the ones below it too
        if all(set(flags) <= have for _, flags in _X86_LEVELS[i:]):
            return name
    return "x86-64"


def _compiler() -> list[str]:
    """``$CC`` split as a shell would (else ``cc``), its program found on the PATH."""
    try:
        words = shlex.split(os.environ.get("CC") or "cc") or ["cc"]
    except ValueError as exc:  # an unbalanced quote, say
        raise NativeKernelError(
            f"CC={os.environ['CC']!r} cannot be split as a shell would split it: {exc}"
        ) from None
    found = shutil.which(words[0])
    if found is None:
        raise NativeKernelError(
            f"no C compiler: {words[0]!r} is not on the PATH (set CC to one, such as gcc)"
        )
    return [found, *words[1:]]


def _compile(command: list[str], flags: tuple[str, ...], source: Path, folder: Path) -> Path:
    """Build ``source`` into a temporary library in ``folder``, synced; return its path."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".so", dir=folder)
    os.close(fd)
    try:
        done = _run([*command, *flags, str(source), "-o", tmp, "-lm"], _TIMEOUT)
        if done.returncode != 0:
            why = done.stderr.strip()[-500:] or f"exit status {done.returncode}"
            raise NativeKernelError(
                f"{shlex.join(command)} could not build the native kernel: {why}"
            )
        _probe(command, tmp)
        os.chmod(tmp, 0o700)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        return Path(tmp)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, subprocess.TimeoutExpired):
            raise NativeKernelError(
                f"{shlex.join(command)} took over {_TIMEOUT} s to build the native kernel"
            ) from None
        raise


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ``args``; its output as text (bytes that are not UTF-8 replaced, not raised)."""
    return subprocess.run(
        args, capture_output=True, text=True, errors="replace", timeout=timeout, check=False
    )


def _probe(command: list[str], library: str) -> None:
    """Load a fresh build in a separate process, where a crash does no harm.

    A library the loader cannot map (truncated by a compiler that still exited 0, say)
    fails the build instead of crashing this process.
    """
    python = sys.executable
    try:
        if not python:
            raise OSError("sys.executable is empty")
        done = _run([python, "-s", "-S", "-c", _PROBE, library], timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NativeKernelError(f"cannot load a fresh build in another Python: {exc}") from None
    if done.returncode < 0:
        died = signal.strsignal(-done.returncode) or f"signal {-done.returncode}"
        why = f"loading it in {python} ended that process ({died})"
    else:
        lines = done.stderr.strip().splitlines()
        why = f"{python} says: {lines[-1] if lines else f'exit status {done.returncode}'}"
    if done.returncode != 0:
        raise NativeKernelError(
            f"{shlex.join(command)} built a library that does not load as the kernel ({why})"
        )


def _version(command: list[str]) -> str:
    try:
        done = _run([*command, "--version"], timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return shlex.join(command)
    first = (done.stdout or done.stderr).strip().splitlines()
    return f"{shlex.join(command)}: {first[0]}" if first else shlex.join(command)


def _install(folder: Path, name: str, made: Build, temporary: Path) -> Build:
    """Put a built library in place under its digest, then its record; drop older ones."""
    made = replace(made, path=folder / f"{name}-{made.library_sha256[:16]}.so")
    os.replace(temporary, made.path)
    record = json.dumps({**made.describe(), "library": made.path.name}, indent=2)
    cache.write_synced(folder, folder / f"{name}.json", record.encode())
    for old in folder.glob(f"{name}-*.so"):  # a process that maps one keeps its copy
        if old != made.path:
            old.unlink(missing_ok=True)
    cache.sync_folder(folder)
    return made


def _recorded(folder: Path, name: str, source_sha: str, flags: tuple[str, ...]) -> Build | None:
    """The build that ``name``'s record describes, if the record and library are sound.

    Sound: the library's digest is the recorded one, and the record names the source and
    flags this build is for (what the files will report of it).
    """
    record_path = folder / f"{name}.json"
    if not record_path.exists():
        return None
    cache.owned_privately(record_path, "record")
    try:
        record = json.loads(record_path.read_text())
        digest = str(record["library_sha256"])
        path = folder / f"{name}-{digest[:16]}.so"
        found = Build(path, str(record["source_sha256"]), digest, str(record["compiler"]),
                      tuple(record["flags"]), str(record["isa"]))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if (found.source_sha256, found.flags) != (source_sha, flags):
        return None
    if not path.exists():
        return None
    cache.owned_privately(path, "library")
    return found if cache.digest(path) == digest else None


def _remove(folder: Path, name: str) -> None:
    for doomed in (folder / f"{name}.json", *folder.glob(f"{name}-*.so")):
        doomed.unlink(missing_ok=True)


def build(isa: str | None = None, *, rebuild: bool = False) -> Build:
    """The kernel library for this machine: found in the cache, or built and cached.

    Args:
        isa: The instruction-set level; ``None``: :func:`isa_level`'s.
        rebuild: Remove a cached library first (one that failed to load, say).

    Returns:
        The :class:`Build`, its library checked against its recorded digest. The
        library's file is named after its digest, so that a rebuilt library is a new
        file to the dynamic loader, which keeps libraries by name.

    Raises:
        NativeKernelError: If there is no working C compiler, the cache folder is not
            the user's own, or the build fails.
    """
    level = isa_level() if isa is None else isa
    flags = (*FLAGS, f"-march={level}") if level else FLAGS
    source = resources.files("tinygan.engine.native").joinpath(_SOURCE)
    source_sha = hashlib.sha256(source.read_bytes()).hexdigest()
    command = _compiler()
    key = hashlib.sha256("\0".join([source_sha, *flags, *command]).encode()).hexdigest()
    folder = cache.folder()
    name = f"kernel-{platform.machine()}-{level or 'default'}-{key[:20]}"
    try:
        with cache.locked(folder, name):
            cache.clean_stale(folder)
            if rebuild:
                _remove(folder, name)
            found = _recorded(folder, name, source_sha, flags)
            if found is not None:
                return found
            _remove(folder, name)  # absent, damaged, or without a sound record
            version = _version(command)
            with resources.as_file(source) as source_path:
                temporary = _compile(command, flags, source_path, folder)
            made = Build(temporary, source_sha, cache.digest(temporary), version, flags, level)
            return _install(folder, name, made, temporary)
    except OSError as exc:
        raise NativeKernelError(f"cannot build the native kernel in {folder}: {exc}") from None


def load(found: Build) -> Any:
    """Load a built library with :mod:`ctypes` (its digest checked once more first).

    Raises:
        NativeKernelError: If the library changed since it was checked or cannot load.
    """
    try:
        if cache.digest(found.path) != found.library_sha256:
            raise NativeKernelError(f"the kernel library {found.path} changed on disk")
        return ctypes.CDLL(str(found.path))
    except OSError as exc:
        raise NativeKernelError(f"cannot load the kernel library {found.path}: {exc}") from None
