"""Building the native kernel: compiled once per machine with its C compiler, then cached.

The kernel (``native_kernel.c`` beside this module, run by :mod:`tinygan.engine.native`)
is compiled with the machine's C compiler (``$CC``, else ``cc``) at first use and kept in
a cache folder (:func:`cache_dir`) under a name that hashes the source, the flags, the
compiler and the processor (it is tuned for the processor it is built on), so later
processes load it in a millisecond. Compiling takes about a second. The library is
written to a temporary file and renamed into place, so processes building it at once
(a cluster's workers) all succeed. Where no compiler works, :func:`load_kernel` raises
:class:`NativeKernelError` and the caller goes on another way.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import torch

from tinygan.engine.mt_states import MT_N

__all__ = ["NativeKernelError", "cache_dir", "draw", "load_kernel"]

_SOURCE = "native_kernel.c"
_FLAGS = ("-O3", "-fno-math-errno", "-fPIC", "-shared")
_TUNED = ("-march=native",)
_LOADED: dict[Path, Any] = {}


class NativeKernelError(RuntimeError):
    """The native kernel cannot be built or loaded here (the message says why)."""


def cache_dir() -> Path:
    """Where built kernels are kept (see the module's description)."""
    chosen = os.environ.get("TINYGAN_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tinygan"


def _processor() -> str:
    """What identifies this processor for ``-march=native`` (its model and flags)."""
    try:
        text = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return platform.processor()
    wanted = ("model name", "flags", "Features", "CPU part")
    lines = [line for line in text.splitlines()[:40] if line.startswith(wanted)]
    return "\n".join(lines)


def _compile(compiler: str, source: Path, target: Path) -> None:
    """Build ``source`` into the shared library ``target`` (atomically), tuned if possible."""
    target.parent.mkdir(parents=True, exist_ok=True)
    errors = []
    for flags in ((*_FLAGS, *_TUNED), _FLAGS):
        fd, tmp = tempfile.mkstemp(suffix=".so", dir=target.parent)
        os.close(fd)
        try:
            done = subprocess.run(
                [compiler, *flags, str(source), "-o", tmp],
                capture_output=True,
                text=True,
                timeout=300,
            )
        except subprocess.TimeoutExpired as exc:
            os.unlink(tmp)
            raise NativeKernelError(
                f"{compiler} took over 300 s to build the native kernel"
            ) from exc
        if done.returncode == 0:
            os.replace(tmp, target)  # atomic: processes building at once all succeed
            return
        os.unlink(tmp)
        errors.append(done.stderr.strip()[-500:])
    raise NativeKernelError(f"{compiler} could not build the native kernel: {errors[-1]}")


def load_kernel() -> Any:
    """The native kernel's library, built at first use and cached (see the module).

    Raises:
        NativeKernelError: If there is no C compiler, it fails, or the library cannot be
            loaded.
    """
    compiler = os.environ.get("CC") or "cc"
    found = shutil.which(compiler)
    if found is None:
        raise NativeKernelError(f"no C compiler: {compiler!r} is not on the PATH")
    source = resources.files("tinygan.engine").joinpath(_SOURCE)
    code = source.read_bytes()
    key = hashlib.sha256()
    for part in (code, " ".join(_FLAGS + _TUNED).encode(), found.encode(), _processor().encode()):
        key.update(part)
        key.update(b"\0")
    target = cache_dir() / f"native-{platform.machine()}-{key.hexdigest()[:20]}.so"
    lib = _LOADED.get(target)
    if lib is not None:
        return lib
    try:
        if not target.exists():
            with resources.as_file(source) as path:
                _compile(found, path, target)
        lib = ctypes.CDLL(str(target))
    except OSError as exc:
        raise NativeKernelError(f"cannot build or load the native kernel: {exc}") from exc
    lib.tg_train.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32]
    lib.tg_train.restype = ctypes.c_int
    lib.tg_lanes.restype = ctypes.c_int
    lib.tg_draw.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32, ctypes.c_void_p]
    lib.tg_draw.restype = ctypes.c_int
    lib.tg_forward.argtypes = [ctypes.c_void_p] * 2 + [ctypes.c_int32] * 2 + [ctypes.c_void_p] * 2
    lib.tg_forward.restype = ctypes.c_int
    _LOADED[target] = lib
    return lib


def draw(states: torch.Tensor, count: int) -> torch.Tensor:
    """Draw ``count`` uniforms per member in the kernel, advancing ``states`` in place.

    What the kernel feeds its networks, laid bare: column ``k`` of the result equals
    ``torch.rand(count, generator=g)`` for the generator ``g`` that column ``k`` of
    ``states`` came from (:func:`tinygan.engine.mt_states.read_states`).

    Args:
        states: Generators' states, ``(626, K)`` int32 with ``K`` a multiple of 16.
        count: How many uniforms per member.

    Returns:
        ``(count, K)`` float32.

    Raises:
        NativeKernelError: If the kernel cannot be built here.
        ValueError: If ``states`` is not such a tensor.
    """
    lib = load_kernel()
    k = states.shape[-1]
    shape = (MT_N + 2, k)
    if states.dtype != torch.int32 or not states.is_contiguous() or tuple(states.shape) != shape:
        raise ValueError(f"states must be a contiguous int32 tensor of shape {shape}")
    if k % int(lib.tg_lanes()):
        raise ValueError(f"states must have a multiple of {int(lib.tg_lanes())} columns, got {k}")
    out = torch.empty((count, k))
    if lib.tg_draw(states.data_ptr(), k, count, out.data_ptr()):
        raise MemoryError("native kernel: out of memory")
    return out
