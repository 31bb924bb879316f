"""Draw many steps' data at once, with exactly the numbers that step-by-step sampling gives.

A trainer draws, at every step, a batch from each of several data sources, one after the
other, from one :class:`torch.Generator`. For the library's own sources, whose ``sample``
is one ``torch.rand`` call followed by an elementwise map, ``T`` steps of that sequence can
be drawn in a single ``torch.rand`` call: the generator hands out its numbers in order,
so the result is the same, bit for bit, and leaves the generator in the same state. Each
source's elementwise map is checked against its own ``sample`` once, when it is first
seen; a source that fails the check, or any other source, is sampled step by step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch

from tinygan.data import ConstantNoise, FuzzyPattern, UniformNoise

__all__ = ["affine", "draw_steps", "draw_uniforms", "uniforms_to_parts", "vectorised"]

Transform = Callable[[torch.Tensor], torch.Tensor]


def _fuzzy(source: FuzzyPattern) -> Transform:
    lower, width, low, high = source._lower, source._width, source._min, source._max
    return lambda u: torch.clamp(torch.addcmul(lower, u, width), low, high)


def _uniform(source: UniformNoise) -> Transform:
    if source.low == 0.0 and source.high == 1.0:
        return lambda u: u
    low, span, lo, hi = source.low, source.high - source.low, source._min, source._max
    return lambda u: torch.clamp(low + u * span, lo, hi)


def _candidate(source: Any) -> tuple[int, Transform] | None:
    kind = type(source)
    if kind is FuzzyPattern:
        return source.dim, _fuzzy(source)
    if kind is UniformNoise:
        return source.dim, _uniform(source)
    if kind is ConstantNoise:
        value, dim = source.value, source.dim
        return 0, lambda u: torch.full((*u.shape[:-1], dim), value, dtype=torch.float32)
    return None


def affine(source: Any) -> tuple[list[float], list[float], list[float], list[float]] | None:
    """One sample's map from uniforms, per value, if ``source``'s is an affine map and a clamp.

    Returns:
        ``(shift, scale, low, high)``, one entry per value of a sample (``dim`` of them):
        value ``j`` is ``clamp(shift[j] + u[j] * scale[j], low[j], high[j])`` in float32,
        exactly as ``source.sample`` computes it from its uniforms; or ``None`` if the
        source is not one whose :func:`vectorised` map has that form.
    """
    if vectorised(source) is None:
        return None
    if type(source) is FuzzyPattern:
        parts = (source._lower, source._width, source._min, source._max)
        return tuple(t.tolist() for t in parts)  # type: ignore[return-value]
    if type(source) is UniformNoise:
        dim = source.dim
        if source.low == 0.0 and source.high == 1.0:  # the identity
            inf = float("inf")
            return [0.0] * dim, [1.0] * dim, [-inf] * dim, [inf] * dim
        span = source.high - source.low
        return [source.low] * dim, [span] * dim, [source._min] * dim, [source._max] * dim
    return None


def vectorised(source: Any) -> tuple[int, Transform] | None:
    """Return ``(width, transform)`` if ``source`` can be sampled many steps at a time.

    ``width`` is how many uniform numbers one sample consumes, and
    ``transform(u)`` maps uniforms ``(..., width)`` to samples ``(..., dim)`` exactly as
    ``source.sample`` would. The map is checked against ``source.sample`` before it is
    trusted; ``None`` means: sample this source step by step.
    """
    found = _candidate(source)
    if found is None:
        return None
    width, transform = found
    try:
        g1 = torch.Generator().manual_seed(20240607)
        g2 = torch.Generator().manual_seed(20240607)
        expected = source.sample(3, generator=g1)
        got = transform(torch.rand(3, width, generator=g2))
        ok = torch.equal(expected, got) and torch.equal(g1.get_state(), g2.get_state())
    except Exception:
        return None
    return found if ok else None


def draw_steps(
    rngs: Sequence[torch.Generator],
    sources: Sequence[tuple[Any, int]],
    steps: int,
    plans: Sequence[tuple[int, Transform] | None],
    padded: int = 0,
    members_last: bool = False,
) -> list[torch.Tensor]:
    """Draw ``steps`` steps of data for each of ``len(rngs)`` members.

    At each step, each member ``k`` draws ``source.sample(n, generator=rngs[k])`` for every
    ``(source, n)`` in ``sources``, in that order. The data is on the generators' device.

    Args:
        rngs: One generator per member.
        sources: The sources drawn from at each step, with their batch sizes.
        steps: How many steps to draw.
        plans: :func:`vectorised` of each source, for CPU generators only (off the CPU a
            generator's numbers depend on how many one call draws: pass ``None``s there,
            and every step is sampled as a lone trainer samples it).
        padded: Pad the member dimension with zeros up to this many members.
        members_last: Return ``(steps, n, dim, K)`` instead.

    Returns:
        One contiguous tensor per source, shape ``(steps, K, n, dim)`` with
        ``K = len(rngs)``, or ``padded`` if that is more.
    """
    k = max(len(rngs), padded)
    if all(plan is not None for plan in plans):
        total = sum(n * plan[0] for (_, n), plan in zip(sources, plans, strict=True) if plan)
        u = draw_uniforms(rngs, total, steps, padded)
        return uniforms_to_parts(u, sources, plans, members_last)
    per_step: list[list[torch.Tensor]] = [[] for _ in sources]
    device = rngs[0].device if rngs else torch.device("cpu")  # padding beside the samples
    for _ in range(steps):
        for g in rngs:
            for i, (source, n) in enumerate(sources):
                per_step[i].append(source.sample(n, generator=g))
        for i, (source, n) in enumerate(sources):
            per_step[i] += [torch.zeros(n, source.dim, device=device)] * (k - len(rngs))
    stacked = [
        torch.stack(samples).reshape(steps, k, n, source.dim)
        for samples, (source, n) in zip(per_step, sources, strict=True)
    ]
    if members_last:
        return [x.permute(0, 2, 3, 1).contiguous() for x in stacked]
    return stacked


def draw_uniforms(
    rngs: Sequence[torch.Generator], total: int, steps: int, padded: int = 0
) -> torch.Tensor:
    """``steps`` rows of ``total`` uniforms from each CPU generator, members first.

    Returns:
        ``(K, steps, total)`` with ``K = max(len(rngs), padded)``; rows past the
        generators are zeros. Row ``k`` is what ``torch.rand(steps, total,
        generator=rngs[k])`` returns.
    """
    k = max(len(rngs), padded)
    u = torch.empty(k, steps, total)  # members first: each draws into its own rows
    if total:
        for i, g in enumerate(rngs):
            torch.rand(steps, total, generator=g, out=u[i])
        u[len(rngs) :] = 0.0
    return u


def uniforms_to_parts(
    u: torch.Tensor,
    sources: Sequence[tuple[Any, int]],
    plans: Sequence[tuple[int, Transform] | None],
    members_last: bool = False,
) -> list[torch.Tensor]:
    """Map :func:`draw_uniforms`' numbers ``(K, steps, total)`` to each source's samples.

    Returns:
        As :func:`draw_steps`: one contiguous tensor per source, ``(steps, K, n, dim)``,
        or ``(steps, n, dim, K)`` with ``members_last``.
    """
    k, steps = u.shape[0], u.shape[1]
    widths = [n * plan[0] for (_, n), plan in zip(sources, plans, strict=True) if plan]
    total = sum(widths)
    if members_last:  # one 2-d transpose (fast) to (steps, total, K), then the maps
        u = u.reshape(k, steps * total).t().contiguous().reshape(steps, total, k)
    out: list[torch.Tensor] = []
    start = 0
    for (source, n), plan, width in zip(sources, plans, widths, strict=True):
        assert plan is not None
        if members_last:  # the maps run on a (steps, K, n, w) view of members-last memory
            block = u[:, start : start + width].reshape(steps, n, plan[0], k)
            x = plan[1](block.permute(0, 3, 1, 2)).reshape(steps, k, n, source.dim)
            out.append(x.permute(0, 2, 3, 1).contiguous())
        else:
            block = u[..., start : start + width].reshape(k, steps, n, plan[0])
            x = plan[1](block).reshape(k, steps, n, source.dim)
            out.append(x.transpose(0, 1).contiguous())
        start += width
    return out
