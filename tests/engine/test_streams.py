"""The batched streams take a source's uniform map only where it describes its ``sample``.

A user's subclass either takes the fast path (its map is its own, and agrees with its
``sample``) or is told why not and sampled step by step: never silently other numbers.
The stateful and batch-size-dependent subclasses below pass any check on a few draws,
so only the rule "a new ``sample`` needs its own map" keeps them right.
"""

import warnings

import pytest
import torch

import tinygan as tg
from tinygan.engine.streams import uniform_map

NOISE = tg.UniformNoise(4)


class Curriculum(tg.FuzzyPattern):
    """The pattern for 20 batches, then its opposite: stateful."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls = 0

    def sample(self, n, *, generator=None):
        self.calls += 1
        x = super().sample(n, generator=generator)
        return x if self.calls <= 20 else 1 - x


class OnlyBatchesOfOne(tg.FuzzyPattern):
    """Another sample only where ``n == 1``: a check on three samples cannot see it."""

    def sample(self, n, *, generator=None):
        x = super().sample(n, generator=generator)
        return x.flip(1) if n == 1 else x


class FlipsBatchesOfOne:
    """A mixin whose ``sample`` comes before the pattern's in the lookup order."""

    def sample(self, n, *, generator=None):
        x = super().sample(n, generator=generator)
        return x.flip(1) if n == 1 else x


class MixedIn(FlipsBatchesOfOne, tg.FuzzyPattern):
    """The mixin's ``sample``, the pattern's ``uniform_map``: not a subclass of it."""


class Renamed(tg.FuzzyPattern):
    """Only a new default: the parent's ``sample`` and map, which still agree."""

    def __init__(self, pattern="1010"):
        super().__init__(pattern)


class OwnMap(tg.FuzzyPattern):
    """A new ``sample`` with its own map, as the docs ask."""

    def sample(self, n, *, generator=None):
        return super().sample(n, generator=generator)

    def uniform_map(self):
        return super().uniform_map()


class NoMap(tg.FuzzyPattern):
    """A new ``sample`` that says it has no map."""

    def sample(self, n, *, generator=None):
        return super().sample(n, generator=generator) * 0.5

    def uniform_map(self):
        return None


class WrongMap(tg.FuzzyPattern):
    """Its own map, which is another pattern's."""

    def uniform_map(self):
        return tg.FuzzyPattern("0101").uniform_map()


def test_a_new_sample_with_the_parents_map_is_refused_with_a_reason():
    cases = {
        "Curriculum": Curriculum("1010"),
        "OnlyBatchesOfOne": OnlyBatchesOfOne("1010"),
        "FlipsBatchesOfOne": MixedIn("1010"),
    }
    for name, source in cases.items():
        with pytest.warns(RuntimeWarning, match=f"{name} overrides sample.. but keeps Fuzzy"):
            assert uniform_map(source) is None
        assert getattr(source, "calls", 0) == 0  # no draw used up in deciding
    lent = Curriculum("1010")  # a map set on the instance does not vouch for the new sample
    lent.uniform_map = tg.FuzzyPattern("1010").uniform_map
    with pytest.warns(RuntimeWarning, match="Curriculum overrides sample.. but keeps Fuzzy"):
        assert uniform_map(lent) is None
    own = tg.FuzzyPattern("1010")
    own.sample = lambda n, *, generator=None: tg.FuzzyPattern("0101").sample(n, generator=generator)
    with pytest.warns(RuntimeWarning, match="this FuzzyPattern overrides sample"):
        assert uniform_map(own) is None


def test_what_keeps_its_map_takes_the_fast_path_without_a_word():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for source in (tg.FuzzyPattern("1010"), Renamed(), OwnMap("1010"), NOISE):
            assert uniform_map(source) is not None
        assert uniform_map(NoMap("1010")) is None  # no map: step by step, nothing to say


class Proxy:
    """A slotted stand-in that lends its pattern's attributes through ``__getattr__``."""

    __slots__ = ("inner",)

    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(object.__getattribute__(self, "inner"), name)

    def sample(self, n, *, generator=None):
        return self.inner.sample(n, generator=generator)


def test_odd_sources_are_answered_not_crashed_on():
    with pytest.warns(RuntimeWarning, match="overrides sample.. but keeps another object's map"):
        assert uniform_map(Proxy(tg.FuzzyPattern("1010"))) is None

    class Slotted(tg.FuzzyPattern):
        __slots__ = ()

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert uniform_map(Slotted("1010")) is not None


def test_a_map_that_disagrees_with_sample_is_refused_with_a_reason():
    with pytest.warns(RuntimeWarning, match="its samples differ from the map's"):
        assert uniform_map(WrongMap("1010")) is None


def _post(source, seed, backend, batch_size):
    g = torch.Generator().manual_seed(seed)
    G, D = tg.mlp([4, 4, 4], generator=g), tg.mlp([4, 3, 1], generator=g)
    return tg.AdversarialTrainer(
        G, D, source, NOISE, seed=seed, backend=backend, batch_size=batch_size
    )


def _weights(nets):
    return torch.cat([p.detach().flatten() for net in nets for p in net.parameters()])


@pytest.mark.parametrize("kind", [Curriculum, OnlyBatchesOfOne, MixedIn, WrongMap])
def test_every_backend_trains_on_the_numbers_sample_gives(kind):
    # A stateful source is outside tg.DataSource's contract for ensembles (they draw every
    # member's data from one object): a lone trainer's fast backends still serve it here.
    steps, seeds, batch = 60, range(3), 1
    expected = []
    for seed in seeds:  # autograd: the trainer's own sample() at every step
        lone = _post(kind("1010"), seed, "autograd", batch).fit(steps)
        expected.append(_weights([lone.generator, lone.discriminator]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the refusal, tested above
        for backend in ("fused", "native"):
            lone = _post(kind("1010"), 0, backend, batch).fit(steps)
            assert lone.backend == backend  # the kernel is built, not fallen back from
            got = _weights([lone.generator, lone.discriminator])
            torch.testing.assert_close(got, expected[0], rtol=0, atol=1e-5)
        for backend in ("fused", "native", "vmap") if kind is not Curriculum else ():
            trainers = [_post(kind("1010"), seed, "auto", batch) for seed in seeds]
            ensemble = tg.EnsembleTrainer.from_trainers(trainers, backend=backend).fit(steps)
            assert ensemble.backend == backend
            for pair, want in zip(ensemble.unstack(), expected, strict=True):
                torch.testing.assert_close(_weights(pair), want, rtol=0, atol=1e-5)
