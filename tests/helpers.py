"""Small helpers shared by the test modules: seeded trainers and recording data sources."""

from __future__ import annotations

from typing import Any

import torch

import tinygan as tg

REAL_1010 = [(0.8, 1.0), (0.0, 0.2), (0.8, 1.0), (0.0, 0.2)]


def gen(seed: int) -> torch.Generator:
    """A fresh CPU generator seeded with ``seed``."""
    return torch.Generator().manual_seed(seed)


def post_nets(seed: int) -> tuple[tg.MLP, tg.MLP]:
    """The post's generator and discriminator, G drawn first then D from one generator."""
    g = gen(seed)
    G = tg.mlp([4, 4, 4], generator=g)
    D = tg.mlp([4, 3, 1], generator=g)
    return G, D


def post_trainer(seed: int, **kwargs: Any) -> tg.AdversarialTrainer:
    """The post's configuration: nets and data both seeded by ``seed``."""
    G, D = post_nets(seed)
    return tg.AdversarialTrainer(
        G, D, tg.FuzzyPattern("1010"), tg.UniformNoise(4), seed=seed, **kwargs
    )


def d_only_trainer(seed: int, **kwargs: Any) -> tg.DiscriminatorTrainer:
    """The post's discriminator-only test, seeded by ``seed``."""
    D = tg.mlp([4, 3, 1], generator=gen(seed))
    return tg.DiscriminatorTrainer(
        D, tg.FuzzyPattern("1010"), tg.FuzzyPattern("0101"), seed=seed, **kwargs
    )


def weights(*nets: torch.nn.Module) -> list[torch.Tensor]:
    """Copies of every parameter of ``nets``."""
    return [p.detach().clone() for net in nets for p in net.parameters()]


def same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    """Whether two lists of tensors are equal bit for bit."""
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


class Recording:
    """A data source inheriting nothing: wraps another and keeps every batch it hands out."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.dim = source.dim
        self.batches: list[torch.Tensor] = []

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        x = self.source.sample(n, generator=generator)
        self.batches.append(x.clone())
        return x

    def rows(self) -> list[torch.Tensor]:
        """Every row handed out, in order, each of shape ``(1, dim)``."""
        return [row.unsqueeze(0) for batch in self.batches for row in batch]
