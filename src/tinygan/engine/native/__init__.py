"""The native kernel: adversarial iterations in C, hundreds per call, checked before use.

``kernel.c`` trains ``K`` members' MLP GANs (:class:`tinygan.MLP` shapes with any of the
fused step's activations, with or without biases) for many iterations in one call,
members last, 16 at a time, with the post's three steps per iteration, plain SGD or Adam,
and the MSE or BCE loss. Nothing crosses into Python between iterations, and the call
releases the GIL; blocks of members are split over threads. A lone trainer is one member
of a block. Its arithmetic is the fused step's (:mod:`tinygan.engine.fused`) with its own
exponential and logarithm: results agree with the fused step within float tolerance, not
bit for bit.

:func:`kernel` builds (:mod:`~tinygan.engine.native.build`), loads and checks it once per
process: the library must report the version and struct sizes this module expects
(:data:`~tinygan.engine.native.job.ABI`); its uniforms must equal ``torch.rand``'s past a
refill of the generator state, and one step of a small GAN the fused step's
(:mod:`~tinygan.engine.native.check`). Any failure is a :class:`NativeKernelError`
naming it, and the caller goes on with the fused step.

``build`` builds the library into the private folder that ``cache`` keeps, ``job``
mirrors its structs, ``mt_states``
reads CPU generators' states, ``check`` is the self-check and ``runner`` hands out the
records of many iterations computed per call.

Layer: part of :mod:`tinygan.engine`; it imports :mod:`tinygan.engine.fused` (whose
arithmetic it reproduces) and the records, nothing above.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Sequence
from typing import Any

import torch

from tinygan.engine import fused
from tinygan.engine.native import build as _build
from tinygan.engine.native.cache import NativeKernelError, cache_dir
from tinygan.engine.native.job import ABI, LANES, Job, check_tensor, net_struct, param_shapes
from tinygan.engine.native.job import pointers as _pointers

__all__ = ["LANES", "Kernel", "NativeKernelError", "cache_dir", "kernel", "supports"]

_LOADED: dict[tuple[str, ...], Kernel | NativeKernelError] = {}  # per process: dlopen is


def supports(g_spec: fused.NetSpec, d_spec: fused.NetSpec, kind: str, optimizer: str) -> str | None:
    """Why the kernel cannot train these networks, loss and optimiser (``None``: it can)."""
    for name, spec in (("generator", g_spec), ("discriminator", d_spec)):
        if not 0 < spec.layers <= 16:
            return f"the {name} has {spec.layers} layers (the kernel takes 1 to 16)"
    if kind not in fused.LOSSES:
        return f"the loss {kind!r} is not one the kernel computes ({', '.join(fused.LOSSES)})"
    if optimizer not in fused.OPTIMIZERS:
        return f"the optimiser {optimizer!r} is not one the kernel computes"
    return None


class Kernel:
    """A loaded and checked kernel library.

    Attributes:
        build: What made the library (:class:`~tinygan.engine.native.build.Build`).
        draws: Whether the kernel draws members' uniforms from their generators itself
            (this torch's generator state has the layout it reads and its draws passed
            the self-check); otherwise it is fed samples drawn by torch.
    """

    def __init__(self, lib: Any, build: _build.Build) -> None:
        abi = (ctypes.c_int32 * 4)()
        try:
            lib.tg_abi(abi)
        except AttributeError:
            raise NativeKernelError(f"{build.path} is no tinygan kernel (no tg_abi)") from None
        if tuple(abi) != ABI:
            raise NativeKernelError(
                f"{build.path} reports version, lanes and struct sizes {tuple(abi)}, this "
                f"tinygan expects {ABI}: a library built from other source"
            )
        lib.tg_train.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32]
        lib.tg_train.restype = ctypes.c_int
        pointer, count = ctypes.c_void_p, ctypes.c_int32
        lib.tg_forward.argtypes = [pointer, pointer, count, count, pointer, pointer]
        lib.tg_forward.restype = ctypes.c_int
        self._lib = lib
        self.build = build
        self.draws = False

    def describe(self) -> dict[str, Any]:
        """What a run's files record of the kernel: its source digest, build and flags."""
        return {**self.build.describe(), "draws": "in the kernel" if self.draws else "by torch"}

    def train(self, job: Job, members: int, threads: int) -> None:
        """Run ``job`` on ``members`` members, blocks of them split over ``threads`` threads."""
        blocks = members // LANES
        threads = max(1, min(threads, blocks))
        bounds = [LANES * (blocks * i // threads) for i in range(threads + 1)]
        codes = [0] * threads

        def work(i: int) -> None:
            codes[i] = self._lib.tg_train(ctypes.addressof(job), bounds[i], bounds[i + 1])

        workers = [threading.Thread(target=work, args=(i,)) for i in range(1, threads)]
        for w in workers:
            w.start()
        work(0)
        for w in workers:
            w.join()
        if any(codes):
            raise MemoryError("native kernel: out of memory for its scratch space")

    def forward(
        self, spec: fused.NetSpec, params: Sequence[torch.Tensor], x: torch.Tensor
    ) -> torch.Tensor:
        """Run stacked networks forward: ``x (n, in, K)`` to ``(n, out, K)``, members last.

        Within float tolerance of :func:`tinygan.engine.fused.forward`'s, on float32
        stacks with ``K`` a multiple of 16 (judging a sweep's 1,000 generators on 1,000
        inputs takes milliseconds here, a third of a second in torch).

        Raises:
            ValueError: If a tensor does not fit ``spec``.
        """
        k = x.shape[-1]
        shapes = param_shapes(spec, k)
        if len(params) != len(shapes) or k % LANES:
            raise ValueError(f"native forward: {len(params)} stacks of {k} members do not fit")
        for i, (t, shape) in enumerate(zip(params, shapes, strict=True)):
            check_tensor(f"native forward's params[{i}]", t, shape)
        check_tensor("native forward's x", x, (x.shape[0], spec.sizes[0], k))
        out = torch.empty((x.shape[0], spec.sizes[-1], k))
        net, table = net_struct(spec), _pointers(list(params))
        addresses = (ctypes.addressof(net), table, k, x.shape[0], x.data_ptr(), out.data_ptr())
        if self._lib.tg_forward(*addresses):
            raise MemoryError("native kernel: out of memory")
        return out


def kernel(isa: str | None = None) -> Kernel:
    """The native kernel, built, loaded and checked at its first use in this process.

    A library that fails its digest check is rebuilt (see
    :mod:`~tinygan.engine.native.build`); one that fails to load or reports other
    sizes is removed and rebuilt once. The outcome, kernel or error, is kept for the
    process (per cache folder, compiler and instruction-set level).

    Args:
        isa: The instruction-set level to build for; ``None``: this processor's
            (:func:`~tinygan.engine.native.build.isa_level`).

    Raises:
        NativeKernelError: Naming what failed: no compiler, a cache folder that is not
            the user's own, a failed build or load, or a failed self-check.
    """
    from tinygan.engine.native.check import self_check

    try:
        key = (str(cache_dir()), os.environ.get("CC") or "cc", str(isa))
    except NativeKernelError as exc:
        raise NativeKernelError(str(exc)) from None
    known = _LOADED.get(key)
    if isinstance(known, Kernel):
        return known
    if known is not None:
        raise NativeKernelError(str(known))
    try:
        found = _build.build(isa)
        try:
            loaded = Kernel(_build.load(found), found)
        except NativeKernelError:  # damaged or stale: rebuilt once
            found = _build.build(isa, rebuild=True)
            loaded = Kernel(_build.load(found), found)
        self_check(loaded)
    except NativeKernelError as exc:
        _LOADED[key] = exc
        raise
    _LOADED[key] = loaded
    return loaded
