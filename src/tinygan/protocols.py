"""The three small interfaces that the parts of tinygan meet at.

Every interface here is a :class:`typing.Protocol`: a class satisfies it by having the
right attributes, without inheriting from anything. All three are
:func:`~typing.runtime_checkable`, so ``isinstance(obj, tinygan.DataSource)`` checks that
the attributes exist (not their signatures).

>>> import torch
>>> import tinygan as tg
>>> class Ones:
...     dim = 2
...     def sample(self, n, *, generator=None):
...         return torch.ones(n, self.dim)
>>> isinstance(Ones(), tg.DataSource)
True
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import torch

if TYPE_CHECKING:
    from tinygan.records import StepRecord

__all__ = ["DataSource", "Model", "Trainer"]


@runtime_checkable
class DataSource(Protocol):
    """Anything that draws batches of vectors of a fixed length."""

    @property
    def dim(self) -> int:
        """The length of each vector drawn (a plain attribute or a read-only property)."""
        ...

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """Draw ``n`` vectors.

        Args:
            n: How many vectors to draw (``n >= 0``).
            generator: The random number generator to draw from; ``None`` means the
                global one.

        Returns:
            A float tensor of shape ``(n, dim)``.
        """
        ...


@runtime_checkable
class Model(Protocol):
    """A trainable function of a tensor: what a :class:`torch.nn.Module` already is."""

    def __call__(self, inputs: torch.Tensor, /) -> torch.Tensor:
        """Map a batch ``(n, in_features)`` to a batch ``(n, out_features)``."""
        ...

    def parameters(self, recurse: bool = True) -> Iterator[torch.nn.Parameter]:
        """Yield the tensors that training changes."""
        ...


@runtime_checkable
class Trainer(Protocol):
    """A training loop that runs one iteration at a time and drives callbacks.

    Attributes:
        iteration: How many iterations have completed so far, across all ``fit`` calls.
    """

    iteration: int

    def step(self) -> StepRecord:
        """Run one iteration and return what it produced."""
        ...

    def fit(self, steps: int) -> Any:
        """Run ``steps`` more iterations, calling the callbacks' hooks around them."""
        ...

    def stop(self) -> None:
        """Ask ``fit`` to end after the iteration in progress."""
        ...
