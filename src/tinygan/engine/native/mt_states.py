"""CPU generators' mt19937 states as one tensor, for the native kernel to draw from.

A CPU :class:`torch.Generator` is ATen's mt19937: 624 state words and two counters
(``left_``, ``next_``); ``get_state()`` returns them inside a byte tensor of a fixed
layout. :func:`read_states` gathers the words and counters of many generators that stand
at one position (the same number of draws into their states) into one ``(626, K)``
tensor, members last, which the native kernel advances as it draws each member's
uniforms exactly as ``torch.rand`` would; :func:`write_states` puts them back, so that
afterwards every generator stands where ``torch.rand`` would have left it.

The layout is checked on a freshly seeded generator before it is trusted
(:func:`layout_known`); a torch whose state looks different is not read.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import torch

__all__ = ["MT_N", "layout_known", "read_states", "write_states"]

MT_N = 624
"""Words of one mt19937 state."""

_SIZE = 5056  # bytes of a CPU generator's state
_LEFT, _NEXT, _WORDS = slice(8, 12), slice(16, 24), slice(24, 24 + 8 * MT_N)


@functools.cache
def layout_known() -> bool:
    """Whether this torch's CPU generator state has the layout this module reads."""
    g = torch.Generator().manual_seed(5489)
    raw = g.get_state().numpy()
    if raw.size != _SIZE:
        return False
    words = raw[_WORDS].view(np.uint64)
    fresh = (
        int(raw[_LEFT].view(np.int32)[0]) == 1
        and int(raw[_NEXT].view(np.uint64)[0]) == 0
        and int(words[0]) == 5489
        and int(words[1]) == (1812433253 * (5489 ^ (5489 >> 30)) + 1) % 2**32
    )
    if not fresh:
        return False
    torch.rand(MT_N + 3, generator=g)  # past a second refill: 3 words into it
    raw = g.get_state().numpy()
    return int(raw[_LEFT].view(np.int32)[0]) == MT_N - 2 and int(raw[_NEXT].view(np.uint64)[0]) == 3


def _usable(rngs: Sequence[torch.Generator]) -> bool:
    return bool(rngs) and all(g.device.type == "cpu" for g in rngs) and layout_known()


def read_states(rngs: Sequence[torch.Generator], padded: int) -> torch.Tensor | None:
    """The generators' states, ``(626, padded)`` int32 holding uint32 words, or ``None``.

    Rows 0-623 are the state words, row 624 ``left_`` and row 625 ``next_``; columns past
    ``len(rngs)`` copy the first generator. ``None`` if a generator is not a CPU one, the
    layout is unknown, or the generators do not all stand at one position.
    """
    if not _usable(rngs):
        return None
    raw = np.stack([g.get_state().numpy() for g in rngs])
    k = len(rngs)
    out = np.empty((MT_N + 2, max(padded, k)), dtype=np.uint32)
    out[:MT_N, :k] = raw[:, _WORDS].view(np.uint64).T
    out[MT_N, :k] = raw[:, _LEFT].view(np.int32)[:, 0]
    out[MT_N + 1, :k] = raw[:, _NEXT].view(np.uint64)[:, 0]
    if (out[MT_N:, :k] != out[MT_N:, :1]).any():
        return None
    out[:, k:] = out[:, :1]
    return torch.from_numpy(out.view(np.int32))


def write_states(rngs: Sequence[torch.Generator], states: torch.Tensor) -> None:
    """Set each generator to its column of ``states`` (from :func:`read_states`)."""
    words = states.numpy().view(np.uint32)
    for k, g in enumerate(rngs):
        raw = g.get_state()
        view = raw.numpy()
        view[_WORDS].view(np.uint64)[:] = words[:MT_N, k]
        view[_LEFT].view(np.int32)[0] = words[MT_N, k]
        view[_NEXT].view(np.uint64)[0] = words[MT_N + 1, k]
        g.set_state(raw)
