"""Hypothesis strategies shared by the test modules (add new ones; keep old ones stable)."""

from __future__ import annotations

import math

from hypothesis import strategies as st

#: Pattern strings such as "1010": one or more 0/1 characters.
patterns = st.text(alphabet="01", min_size=1, max_size=12)

#: Patterns as sequences of 0/1 integers (lists or tuples).
pattern_sequences = st.lists(st.integers(0, 1), min_size=1, max_size=12).flatmap(
    lambda bits: st.sampled_from([bits, tuple(bits)])
)

#: Sample counts, zero included.
sample_counts = st.integers(min_value=0, max_value=64)

#: Seeds for torch.Generator.manual_seed.
seeds = st.integers(min_value=0, max_value=2**63 - 1)

#: Small seeds, for when a test trains from them.
small_seeds = st.integers(min_value=0, max_value=10_000)

#: Finite floats in a range where float32 still has plenty of precision.
_ends = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False)


#: The same, as float32 values.
_ends32 = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False, width=32)


@st.composite
def ranges(draw: st.DrawFn) -> tuple[float, float]:
    """A finite range ``(low, high)``, ``low <= high``, that holds float32 values.

    Either both ends are float32 values (zero-width ranges included), or the range is
    wide enough (relative width >= 1e-6) to hold several float32 values strictly inside,
    while its ends need not be float32 values.
    """
    if draw(st.booleans()):
        a, b = draw(_ends32), draw(_ends32)
        return (min(a, b), max(a, b))
    a = draw(_ends)
    width = draw(st.floats(min_value=1e-6, max_value=1e3)) * (1.0 + abs(a))
    return (a, a + width)


#: Ranges that are surely reversed: low > high.
reversed_ranges = ranges().filter(lambda r: r[0] < r[1]).map(lambda r: (r[1], r[0]))

#: Non-finite numbers.
non_finite = st.sampled_from([math.inf, -math.inf, math.nan])

#: Layer widths of an mlp: two to five small positive integers.
mlp_sizes = st.lists(st.integers(min_value=1, max_value=6), min_size=2, max_size=5)

#: Data dimensions.
dims = st.integers(min_value=1, max_value=16)

#: Strings that are not valid patterns: empty, or holding a character other than 0/1.
bad_pattern_strings = st.one_of(
    st.just(""),
    st.tuples(
        st.text(alphabet="01", max_size=4),
        st.characters(blacklist_characters="01", blacklist_categories=("Cs",)),
        st.text(alphabet="01", max_size=4),
    ).map("".join),
)

#: Shapes of small image sets ``(n, *image)``: 1 to 20 examples of 1 to 3 axes.
image_shapes = st.tuples(
    st.integers(1, 20), st.lists(st.integers(1, 5), min_size=1, max_size=3)
).map(lambda t: (t[0], *t[1]))


@st.composite
def mixtures(draw: st.DrawFn, max_components: int = 6, max_dim: int = 3) -> dict[str, object]:
    """Arguments of a ``tg.GaussianMixture``: ``{"means", "std", "weights"}``.

    ``means`` is a list of ``K`` rows of ``dim`` finite numbers in [-5, 5]; ``std`` is in
    [0.01, 1]; ``weights`` is ``None`` or ``K`` non-negative numbers summing to 1 (as float64),
    at least one of them positive.
    """
    k = draw(st.integers(1, max_components))
    dim = draw(st.integers(1, max_dim))
    coordinate = st.floats(-5, 5, allow_nan=False, allow_infinity=False)
    means = draw(st.lists(st.lists(coordinate, min_size=dim, max_size=dim), min_size=k, max_size=k))
    std = draw(st.floats(0.01, 1.0))
    raw = draw(st.none() | st.lists(st.integers(0, 10), min_size=k, max_size=k))
    if raw is None or sum(raw) == 0:
        return {"means": means, "std": std, "weights": None}
    total = sum(raw)
    return {"means": means, "std": std, "weights": [w / total for w in raw]}
