"""The native kernel's job: what one call trains, as the C struct ``tg_job`` holds it.

:func:`make_job` checks every tensor's shape, type and layout against the networks (the
kernel itself trusts its job) and fills the struct with their addresses; the tensors
must outlive the call. The structs mirror ``kernel.c``'s; :data:`ABI` is what the kernel's
``tg_abi`` must report for a library to be used (its version, its lanes and the structs'
sizes), so a library built from other source is refused, not trusted.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from typing import Any

import torch

from tinygan.engine import fused
from tinygan.engine.native.mt_states import MT_N

__all__ = [
    "ABI",
    "LANES",
    "MAX_LAYERS",
    "Job",
    "Net",
    "check_tensor",
    "make_job",
    "net_struct",
    "param_shapes",
    "pointers",
]

LANES = 16
"""Members per block: the kernel computes every operation on 16 members at once."""

MAX_LAYERS = 16
"""The most linear layers a network may have."""

_VERSION = 3
_ACTIVATIONS = {"identity": 0, "sigmoid": 1, "tanh": 2, "relu": 3}


class Net(ctypes.Structure):
    """``tg_net``: one network's shape."""

    _fields_ = [
        ("layers", ctypes.c_int32),
        ("bias", ctypes.c_int32),
        ("sizes", ctypes.c_int32 * (MAX_LAYERS + 1)),
        ("acts", ctypes.c_int32 * MAX_LAYERS),
    ]


_Floats = ctypes.POINTER(ctypes.c_float)
_Tensors = ctypes.POINTER(_Floats)


class Job(ctypes.Structure):
    """``tg_job``: the networks, settings and addresses of one kernel call."""

    _fields_ = [
        ("g", Net),
        ("d", Net),
        ("loss", ctypes.c_int32),
        ("optimizer", ctypes.c_int32),
        ("batch", ctypes.c_int32),
        ("members", ctypes.c_int32),
        ("iterations", ctypes.c_int32),
        ("g_lr", ctypes.c_float),
        ("d_lr", ctypes.c_float),
        ("rest1", ctypes.c_float),
        ("rest2", ctypes.c_float),
        ("beta2", ctypes.c_float),
        ("eps", ctypes.c_float),
        ("g_params", _Tensors),
        ("d_params", _Tensors),
        ("g_exp_avgs", _Tensors),
        ("d_exp_avgs", _Tensors),
        ("g_exp_avg_sqs", _Tensors),
        ("d_exp_avg_sqs", _Tensors),
        ("adam_factors", _Floats),
        ("real", _Floats),
        ("noise_fake", _Floats),
        ("noise_gen", _Floats),
        ("generators", ctypes.POINTER(ctypes.c_uint32)),
        ("shift", _Floats),
        ("scale", _Floats),
        ("low", _Floats),
        ("high", _Floats),
        ("losses", _Floats),
        ("fakes", _Floats),
    ]


ABI = (_VERSION, LANES, ctypes.sizeof(Job), ctypes.sizeof(Net))
"""``(version, lanes, sizeof(tg_job), sizeof(tg_net))``: what ``tg_abi`` must report."""


def net_struct(spec: fused.NetSpec) -> Net:
    """``tg_net``: the network's shape as the kernel reads it."""
    net = Net()
    net.layers = spec.layers
    net.bias = int(spec.bias)
    for i, size in enumerate(spec.sizes):
        net.sizes[i] = size
    for i, name in enumerate(spec.activations):
        net.acts[i] = _ACTIVATIONS[name]
    return net


def _pointer(t: torch.Tensor) -> Any:
    return ctypes.cast(t.data_ptr(), _Floats)


def pointers(tensors: Sequence[torch.Tensor]) -> Any:
    """A C array of the tensors' data addresses (``float **``)."""
    return (_Floats * len(tensors))(*[_pointer(t) for t in tensors])


def check_tensor(name: str, t: torch.Tensor, shape: tuple[int, ...]) -> None:
    """Refuse ``t`` (named ``name``) unless it is a contiguous float32 CPU tensor of ``shape``.

    Raises:
        ValueError: Naming the tensor and what was expected.
    """
    if t.dtype != torch.float32 or t.device.type != "cpu" or not t.is_contiguous():
        raise ValueError(f"native kernel: {name} must be contiguous float32 on the CPU")
    if tuple(t.shape) != shape:
        raise ValueError(f"native kernel: {name} has shape {tuple(t.shape)}, expected {shape}")


def param_shapes(spec: fused.NetSpec, k: int) -> list[tuple[int, ...]]:
    """The shapes of a stack of ``k`` networks' parameters, members last."""
    shapes: list[tuple[int, ...]] = []
    for i in range(spec.layers):
        shapes.append((spec.sizes[i + 1], spec.sizes[i], k))
        if spec.bias:
            shapes.append((spec.sizes[i + 1], k))
    return shapes


def make_job(
    g_spec: fused.NetSpec,
    d_spec: fused.NetSpec,
    kind: str,
    optimizer: str,
    state: Sequence[torch.Tensor],
    lrs: tuple[float, float],
    adam_steps: tuple[int, int],
    data: Sequence[torch.Tensor],
    maps: Sequence[torch.Tensor] | None,
    count: int,
) -> tuple[Job, list[Any], torch.Tensor, torch.Tensor]:
    """The job of one kernel call of ``count`` iterations, every tensor checked.

    Args:
        g_spec: The generators' shape.
        d_spec: The discriminators' shape.
        kind: The loss, ``"mse"`` or ``"bce"``.
        optimizer: ``"sgd"`` or ``"adam"``.
        state: The generators' then the discriminators' stacked parameters, members last
            (then, for Adam, their first and second moments in the same order).
        lrs: The generators' and the discriminators' learning rates.
        adam_steps: The generators' and the discriminators' update counts so far.
        data: Either the three parts ``(count, n, dim, K)`` (real, noise for the fake
            batch, noise for the generator step), or with ``maps`` the generators'
            states ``(626, K)`` int32 (:func:`~tinygan.engine.native.mt_states.read_states`),
            which the kernel draws from and advances.
        maps: The sources' ``(shift, scale, low, high)`` per uniform of an iteration
            (:func:`tinygan.engine.streams.iteration_maps`), with generator states.
        count: How many iterations.

    Returns:
        ``(job, keep, losses, fakes)``: the struct, objects that must outlive the call,
        and the outputs it fills, block by block of :data:`LANES` members: losses
        ``(K / 16, count, 3, 16)`` and the generators' outputs ``(K / 16, count, n *
        dim, 16)`` (see :class:`tinygan.engine.native.runner.BlockRecords`).

    Raises:
        ValueError: If a tensor does not fit the networks; the message names it.
    """
    k = state[0].shape[-1]
    if k % LANES:
        raise ValueError(f"native kernel: {k} members is not a multiple of {LANES}")
    shapes = param_shapes(g_spec, k) + param_shapes(d_spec, k)
    adam = optimizer == "adam"
    parts = 3 if adam else 1
    if len(state) != parts * len(shapes):
        raise ValueError(
            f"native kernel: {len(state)} state tensors, expected {parts * len(shapes)}"
        )
    for i, t in enumerate(state):
        check_tensor(f"state[{i}]", t, shapes[i % len(shapes)])
    job = Job()
    keep: list[Any] = []
    dims = (d_spec.sizes[0], g_spec.sizes[0], g_spec.sizes[0])
    if maps is None:
        n = data[0].shape[1]
        for name, part, dim in zip(("real", "noise_fake", "noise_gen"), data, dims, strict=True):
            check_tensor(name, part, (count, n, dim, k))
        job.real, job.noise_fake, job.noise_gen = (_pointer(part) for part in data)
    else:
        n = maps[0].numel() // sum(dims)
        words = data[0]
        if words.dtype != torch.int32 or not words.is_contiguous() or words.shape != (MT_N + 2, k):
            raise ValueError(
                f"native kernel: generator states must be contiguous int32 {(MT_N + 2, k)}"
            )
        job.generators = ctypes.cast(words.data_ptr(), ctypes.POINTER(ctypes.c_uint32))
        for name, column in zip(("shift", "scale", "low", "high"), maps, strict=True):
            check_tensor(name, column, (n * sum(dims),))
        job.shift, job.scale, job.low, job.high = (_pointer(column) for column in maps)
    losses = torch.empty((k // LANES, count, 3, LANES))
    fakes = torch.empty((k // LANES, count, n * g_spec.sizes[-1], LANES))
    job.g, job.d = net_struct(g_spec), net_struct(d_spec)
    job.loss = fused.LOSSES.index(kind)
    job.optimizer = fused.OPTIMIZERS.index(optimizer)
    job.batch, job.members, job.iterations = n, k, count
    job.g_lr, job.d_lr = lrs
    beta1, beta2 = fused.ADAM_BETAS
    job.rest1, job.rest2, job.beta2, job.eps = 1 - beta1, 1 - beta2, beta2, fused.ADAM_EPS
    n_g = g_spec.n_params
    params = list(state[: len(shapes)])
    job.g_params, job.d_params = pointers(params[:n_g]), pointers(params[n_g:])
    keep += [job.g_params, job.d_params]
    if adam:  # one learning rate for both, as an ensemble has
        factors = fused.adam_factors(lrs[0], adam_steps[0], adam_steps[1], count)
        m, v = state[len(shapes) : 2 * len(shapes)], state[2 * len(shapes) :]
        job.g_exp_avgs, job.d_exp_avgs = pointers(m[:n_g]), pointers(m[n_g:])
        job.g_exp_avg_sqs, job.d_exp_avg_sqs = pointers(v[:n_g]), pointers(v[n_g:])
        job.adam_factors = _pointer(factors)
        keep += [factors, job.g_exp_avgs, job.d_exp_avgs, job.g_exp_avg_sqs, job.d_exp_avg_sqs]
    job.losses, job.fakes = _pointer(losses), _pointer(fakes)
    return job, keep, losses, fakes
