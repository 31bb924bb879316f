"""The network factory: stacks of linear layers with an activation after each one."""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable, Sequence

import torch
from torch import nn

from tinygan._checks import check_bool

__all__ = ["MLP", "mlp"]


class MLP(nn.Sequential):
    """A multilayer perceptron: ``Linear`` then activation, for every layer, the last too.

    Build one with :func:`mlp`. It is a :class:`torch.nn.Sequential` whose even entries
    are the :class:`~torch.nn.Linear` layers, and it remembers how it was built.

    Attributes:
        sizes: The width of every layer, input first.
        bias: Whether the linear layers have biases.
    """

    sizes: tuple[int, ...]
    bias: bool

    @property
    def linears(self) -> list[nn.Linear]:
        """The linear layers, input side first."""
        return [layer for layer in self if isinstance(layer, nn.Linear)]

    @property
    def in_features(self) -> int:
        """The input width."""
        return self.sizes[0]

    @property
    def out_features(self) -> int:
        """The output width."""
        return self.sizes[-1]


def _check_sizes(sizes: object) -> tuple[int, ...]:
    expected = "a sequence of at least two positive integers, such as [4, 3, 1]"
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise TypeError(f"sizes must be {expected}, got {sizes!r}")
    if len(sizes) < 2:
        raise ValueError(f"sizes must be {expected}, got {list(sizes)!r}")
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, numbers.Integral):
            raise TypeError(f"sizes must be {expected}, got {list(sizes)!r}")
        if size < 1:
            raise ValueError(f"sizes must be {expected}, got {list(sizes)!r}")
    return tuple(int(size) for size in sizes)


def _init_linear(layer: nn.Linear, generator: torch.Generator | None) -> None:
    """Draw ``layer``'s parameters as :meth:`torch.nn.Linear.reset_parameters` does."""
    with torch.no_grad():
        nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
        if layer.bias is not None:
            bound = 1.0 / math.sqrt(layer.in_features)
            nn.init.uniform_(layer.bias, -bound, bound, generator=generator)


def mlp(
    sizes: Sequence[int],
    *,
    bias: bool = False,
    activation: Callable[[], nn.Module] = nn.Sigmoid,
    generator: torch.Generator | None = None,
) -> MLP:
    """Build the post's kind of network: linear layers, each followed by ``activation``.

    ``mlp([4, 3, 1])`` is the post's discriminator (15 weights) and ``mlp([4, 4, 4])`` its
    generator (32 weights). Weights are drawn as PyTorch's default
    :class:`~torch.nn.Linear` initialisation draws them (uniform in
    ``±1/sqrt(fan_in)``), from ``generator`` when one is given; so the same generator
    seed gives the same network as the post's classes after ``torch.manual_seed`` with
    that seed.

    Args:
        sizes: The width of every layer, input first, at least two entries.
        bias: Whether the linear layers have biases (the post has none).
        activation: A zero-argument callable, such as a module class, that returns the
            module applied after every linear layer.
        generator: The random number generator to draw the weights from; ``None`` means
            the global one, as :class:`torch.nn.Linear` uses.

    Returns:
        The network, an :class:`MLP`.

    Raises:
        ValueError: If ``sizes`` has fewer than two entries or a non-positive entry.
        TypeError: If ``sizes`` is not a sequence of integers, ``activation`` is not
            callable or does not return a module, or ``generator`` is not a generator.

    Example:
        >>> import torch
        >>> D = mlp([4, 3, 1], generator=torch.Generator().manual_seed(0))
        >>> sum(p.numel() for p in D.parameters())
        15
        >>> D(torch.zeros(2, 4)).shape
        torch.Size([2, 1])
        >>> D[0].bias is None
        True
    """
    dims = _check_sizes(sizes)
    check_bool("bias", bias)
    if not callable(activation):
        raise TypeError(f"activation must be a callable that returns a module, got {activation!r}")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {generator!r}")
    layers: list[nn.Module] = []
    for fan_in, fan_out in itertools.pairwise(dims):
        # skip_init builds the layer without drawing from the global RNG.
        linear = nn.utils.skip_init(nn.Linear, fan_in, fan_out, bias=bias)  # type: ignore[no-untyped-call]
        _init_linear(linear, generator)
        try:
            act = activation()
        except TypeError as exc:
            raise TypeError(
                f"activation must be a zero-argument callable that returns a module, such "
                f"as torch.nn.Sigmoid, got {activation!r}: {exc}"
            ) from exc
        if not isinstance(act, nn.Module):
            raise TypeError(
                f"activation must be a callable that returns a module, got {activation!r} "
                f"returning {act!r}"
            )
        layers += [linear, act]
    net = MLP(*layers)
    net.sizes = dims
    net.bias = bias
    return net
