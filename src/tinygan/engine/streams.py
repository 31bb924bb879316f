"""Draw many iterations' data at once, with exactly the numbers step-by-step sampling gives.

A trainer draws, at every iteration, a batch from each of several data sources, one after
the other, from one :class:`torch.Generator`. For a source that describes its sampling
as uniforms and an elementwise map (:meth:`~tinygan.FuzzyPattern.uniform_map`, see
:class:`tinygan.UniformMap`), ``T`` iterations of that sequence can be drawn with a
single ``torch.rand`` call: the generator hands out its numbers in order, so the result
is the same, bit for bit, and leaves the generator in the same state. A source's map is
checked against its own ``sample`` when it is first seen here. A source without a map is
sampled step by step; so, after a warning that says why, is one whose ``sample`` hides
the one its map describes (a subclass's or a mixin's ``sample`` over an inherited
``uniform_map``), or whose map and ``sample`` disagree.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import torch

from tinygan.data import UniformMap

__all__ = ["draw_steps", "iteration_maps", "uniform_map"]

_CHECK_SEED = 20240607


def uniform_map(source: Any) -> UniformMap | None:
    """``source``'s :class:`~tinygan.UniformMap`, if it has one that its ``sample`` keeps.

    A map is used only where it describes the ``sample`` that runs: not where a
    ``sample`` that comes earlier in the lookup order (a subclass's, a mixin's, the
    instance's own) hides the one beside the map (a stateful ``sample``, or one that
    differs only at some batch sizes, would pass any check on a few draws); and the map
    is tried against ``source.sample`` on a few draws: the same numbers, and the
    generator left in the same state. A map that is not used is refused after a
    :class:`RuntimeWarning` naming the source and why.
    """
    get = getattr(source, "uniform_map", None)
    found = get() if callable(get) else None
    if not isinstance(found, UniformMap):
        return None
    sampler, owner = _definer(source, "sample"), _definer(source, "uniform_map", classes=True)
    if sampler[0] < owner[0]:
        # The map describes a sample() that another one (a subclass's, a mixin's) hides:
        # no check on a few draws can tell whether that one (stateful, say) keeps it.
        ok, why = False, f"{sampler[1]} overrides sample() but keeps {owner[1]}'s map"
    else:
        ok, why = _agrees(source, found)
    if not ok:
        warnings.warn(
            f"{type(source).__name__}.uniform_map() may not describe its sample() ({why}): "
            "it is sampled step by step (slower, the same numbers as sample()); a subclass "
            "that changes sample() overrides uniform_map() too, returning its map or None",
            RuntimeWarning,
            stacklevel=2,
        )
        return None
    return found


def _definer(source: Any, name: str, classes: bool = False) -> tuple[int, str]:
    """Where ``source``'s attribute ``name`` comes from, and that class's name.

    The place is in the lookup order: -1 for the instance itself (unless ``classes``),
    0 for its class, past the end for anything else (an attribute lent by
    ``__getattr__``, say).
    """
    try:  # not through __getattr__: a proxy's lent __dict__ is not its own
        own = object.__getattribute__(source, "__dict__")
    except AttributeError:  # __slots__
        own = {}
    if not classes and isinstance(own, dict) and name in own:
        return -1, f"this {type(source).__name__}"
    mro = type(source).__mro__
    found = ((i, c.__name__) for i, c in enumerate(mro) if name in vars(c))
    return next(found, (len(mro), "another object"))


def _agrees(source: Any, found: UniformMap) -> tuple[bool, str]:
    """Whether ``found`` gives ``source.sample``'s numbers on a few draws, and if not, why."""
    try:
        g1 = torch.Generator().manual_seed(_CHECK_SEED)
        g2 = torch.Generator().manual_seed(_CHECK_SEED)
        expected = source.sample(3, generator=g1)
        got = found.apply(torch.rand(3, found.width, generator=g2))
        ok = torch.equal(expected, got) and torch.equal(g1.get_state(), g2.get_state())
    except Exception as exc:  # a source that fails here is sampled as it asks to be
        return False, f"trying it raised {type(exc).__name__}: {exc}"
    return ok, "its samples differ from the map's"


def iteration_maps(maps: Sequence[tuple[UniformMap, int]]) -> tuple[torch.Tensor, ...] | None:
    """The float32 ``(shift, scale, low, high)`` of one iteration's uniforms, for the kernel.

    Args:
        maps: Each source's map with its batch size, in drawing order.

    Returns:
        Four tensors of one entry per uniform of an iteration; ``None`` unless every map
        draws one uniform per value (the kernel's form).
    """
    if any(m.width != m.dim for m, _ in maps):
        return None
    return tuple(torch.cat([m.columns[i].repeat(n) for m, n in maps]) for i in range(4))


def draw_steps(
    rngs: Sequence[torch.Generator],
    sources: Sequence[tuple[Any, int]],
    steps: int,
    maps: Sequence[UniformMap | None],
    padded: int = 0,
) -> list[torch.Tensor]:
    """Draw ``steps`` iterations of data for each of ``len(rngs)`` members, members last.

    At each iteration, member ``k`` draws ``source.sample(n, generator=rngs[k])`` for
    every ``(source, n)`` in ``sources``, in that order; the data is on the generators'
    device.

    Args:
        rngs: One generator per member.
        sources: The sources drawn from at each iteration, with their batch sizes.
        steps: How many iterations to draw.
        maps: :func:`uniform_map` of each source, for CPU generators only (off the CPU a
            generator's numbers depend on how many one call draws: pass ``None`` for
            each there, and every iteration is sampled as a lone trainer samples it).
        padded: Pad the member dimension with zeros up to this many members.

    Returns:
        One contiguous tensor per source, ``(steps, n, dim, K)``, with ``K`` the larger
        of ``len(rngs)`` and ``padded``.
    """
    k = max(len(rngs), padded)
    if all(m is not None for m in maps):
        widths = [n * m.width for (_, n), m in zip(sources, maps, strict=True) if m]
        u = torch.empty(k, steps, sum(widths))  # members first: each draws its own rows
        for i, g in enumerate(rngs):
            torch.rand(steps, sum(widths), generator=g, out=u[i])
        u[len(rngs) :] = 0.0
        # one 2-d transpose (fast) to (steps, total, K), then each source's map
        u = u.reshape(k, -1).t().contiguous().reshape(steps, sum(widths), k)
        out, start = [], 0
        for (source, n), m, width in zip(sources, maps, widths, strict=True):
            assert m is not None
            block = u[:, start : start + width].reshape(steps, n, m.width, k)
            x = m.apply(block.permute(0, 3, 1, 2)).reshape(steps, k, n, source.dim)
            out.append(x.permute(0, 2, 3, 1).contiguous())
            start += width
        return out
    per_step: list[list[torch.Tensor]] = [[] for _ in sources]
    device = rngs[0].device if rngs else torch.device("cpu")  # padding beside the samples
    for _ in range(steps):
        for g in rngs:
            for i, (source, n) in enumerate(sources):
                per_step[i].append(source.sample(n, generator=g))
        for i, (source, n) in enumerate(sources):
            per_step[i] += [torch.zeros(n, source.dim, device=device)] * (k - len(rngs))
    return [
        torch.stack(samples).reshape(steps, k, n, source.dim).permute(0, 2, 3, 1).contiguous()
        for samples, (source, n) in zip(per_step, sources, strict=True)
    ]
