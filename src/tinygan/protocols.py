"""The small interfaces that the layers of tinygan meet at, and what one iteration hands on.

:class:`DataSource`, :class:`Model` and :class:`Trainer` are protocols
(:class:`typing.Protocol`): a class satisfies one by having the right attributes, without
inheriting from anything. All three are :func:`~typing.runtime_checkable`, so
``isinstance(obj, tinygan.DataSource)`` checks that the attributes exist (not their
signatures). :class:`StepRecord` is what a trainer's ``step()`` returns and every callback
receives; it lives here, at the bottom of the layers, because engines, trainers and
callbacks all speak it.

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
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import torch

__all__ = ["DataSource", "LabelledSource", "Model", "StepRecord", "Trainer"]


@runtime_checkable
class DataSource(Protocol):
    """Anything that draws batches of vectors of a fixed length.

    What ``sample(n, generator=g)`` returns depends on ``n`` and the numbers it draws
    from ``g`` alone, not on earlier calls: the fast backends draw many iterations ahead
    (and draw again what a ``fit`` that ends early did not use), and an ensemble draws
    every member's data from one source object. A source that keeps state between calls
    (a curriculum, say) trains on ``backend="autograd"``, lone.
    """

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
class LabelledSource(DataSource, Protocol):
    """A data source whose examples carry one of ``classes`` integer labels.

    What :class:`tinygan.ConditionalTrainer` trains on: :class:`tinygan.ImageData` with
    labels (:func:`tinygan.digits`, :func:`tinygan.mnist`) is one, and so is a class of
    one's own with these attributes.

    Example:
        >>> import torch
        >>> import tinygan as tg
        >>> class Corners:
        ...     dim, classes = 2, 4
        ...     def sample(self, n, *, generator=None):
        ...         return self.sample_labelled(n, generator=generator)[0]
        ...     def sample_labelled(self, n, *, generator=None):
        ...         labels = torch.randint(4, (n,), generator=generator)
        ...         corners = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
        ...         return corners[labels], labels
        >>> isinstance(Corners(), tg.LabelledSource)
        True
    """

    @property
    def classes(self) -> int:
        """How many labels there are: every label is an integer in ``[0, classes)``."""
        ...

    def sample_labelled(
        self, n: int, *, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw ``n`` examples and their labels.

        Args:
            n: How many to draw (``n >= 0``).
            generator: The random number generator to draw from.

        Returns:
            ``(examples, labels)``: a float tensor ``(n, dim)`` and an integer tensor
            ``(n,)`` of values in ``[0, classes)``.
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


@dataclass(frozen=True)
class StepRecord:
    """The detached results of one training iteration, handed to every callback.

    Every field is optional: a trainer leaves ``None`` where it has no such quantity
    (:class:`tinygan.DiscriminatorTrainer` has no generator, so no ``g_loss`` or ``fake``).

    Attributes:
        d_loss_real: The discriminator's loss on real data (a 0-d tensor).
        d_loss_fake: The discriminator's loss on generated data (a 0-d tensor).
        g_loss: The generator's loss through the discriminator (a 0-d tensor).
        fake: The generator's output in its training step, shape ``(batch_size, dim)``.

    Example:
        >>> import torch
        >>> from tinygan.protocols import StepRecord
        >>> record = StepRecord(g_loss=torch.tensor(0.25))
        >>> record.d_loss_real is None
        True
    """

    d_loss_real: torch.Tensor | None = None
    d_loss_fake: torch.Tensor | None = None
    g_loss: torch.Tensor | None = None
    fake: torch.Tensor | None = None


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
