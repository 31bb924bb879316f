"""The network factory: stacks of linear layers with an activation after each one.

The post's networks are bias-free sigmoid stacks; the same factory builds the usual
image GAN networks too: biases, LeakyReLU hidden layers, an optional normalisation of
each hidden layer, and no activation after the last layer where the loss wants logits.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Literal

import torch
from torch import nn

from tinygan._checks import check_bool
from tinygan.nets._bare import bare

__all__ = ["MLP", "mlp"]


class MLP(nn.Sequential):
    """A multilayer perceptron: ``Linear`` then activation, for every layer, the last too.

    Build one with :func:`mlp`. It is a :class:`torch.nn.Sequential` of the
    :class:`~torch.nn.Linear` layers, each followed by its normalisation (hidden layers,
    when asked for) and its activation (the last layer's may be left out), and it
    remembers how it was built. The post's networks alternate ``Linear`` and activation.

    Attributes:
        sizes: The width of every layer, input first.
        bias: Whether the linear layers have biases.
        norm: The name of the normalisation after each hidden linear layer, such as
            ``"LayerNorm"``, or ``None``.
        output_activation: Whether the last linear layer has an activation after it.
    """

    sizes: tuple[int, ...]
    bias: bool
    norm: str | None = None
    output_activation: bool = True

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
    output_activation: Callable[[], nn.Module] | Literal["same"] | None = "same",
    norm: Callable[[int], nn.Module] | None = None,
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
        output_activation: The module maker for after the last linear layer; ``"same"``
            (the default) means ``activation`` again, as in the post. ``None`` leaves the
            last layer bare, for a discriminator that gives logits to
            :class:`~torch.nn.BCEWithLogitsLoss`.
        norm: A callable taking a layer's width and returning the module applied after
            each hidden linear layer, before its activation, such as
            :class:`torch.nn.LayerNorm`; ``None`` (the default) for none. It should draw
            no random numbers (``LayerNorm`` starts at weight 1, bias 0).

    Returns:
        The network, an :class:`MLP`.

    Raises:
        ValueError: If ``sizes`` has fewer than two entries or a non-positive entry.
        TypeError: If ``sizes`` is not a sequence of integers, ``activation``,
            ``output_activation`` or ``norm`` is not callable or does not return a
            module, or ``generator`` is not a generator.

    Example:
        >>> import torch
        >>> D = mlp([4, 3, 1], generator=torch.Generator().manual_seed(0))
        >>> sum(p.numel() for p in D.parameters())
        15
        >>> D(torch.zeros(2, 4)).shape
        torch.Size([2, 1])
        >>> D[0].bias is None
        True

        An image discriminator: biases, LeakyReLU, LayerNorm, logits out.

        >>> from torch import nn
        >>> D = mlp([64, 128, 1], bias=True, activation=lambda: nn.LeakyReLU(0.2),
        ...         output_activation=None, norm=nn.LayerNorm)
        >>> [type(m).__name__ for m in D]
        ['Linear', 'LayerNorm', 'LeakyReLU', 'Linear']
        >>> D.norm, D.output_activation
        ('LayerNorm', False)
    """
    dims = _check_sizes(sizes)
    check_bool("bias", bias)
    _check_maker("activation", activation)
    last = activation if output_activation == "same" else output_activation
    if last is not None:
        _check_maker("output_activation", last)
    if norm is not None:
        _check_maker("norm", norm)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {generator!r}")
    layers: list[nn.Module] = []
    norm_name: str | None = None
    pairs = list(itertools.pairwise(dims))
    for i, (fan_in, fan_out) in enumerate(pairs):
        linear = bare(nn.Linear, fan_in, fan_out, bias=bias)  # no global RNG draw
        _init_linear(linear, generator)
        layers.append(linear)
        hidden = i < len(pairs) - 1
        if hidden and norm is not None:
            layer_norm = _make("norm", norm, fan_out)
            norm_name = type(layer_norm).__name__
            layers.append(layer_norm)
        maker = activation if hidden else last
        if maker is not None:
            same = hidden or output_activation == "same"
            layers.append(_make("activation" if same else "output_activation", maker))
    net = MLP(*layers)
    net.sizes = dims
    net.bias = bias
    if norm_name is not None:
        net.norm = norm_name
    if last is None:
        net.output_activation = False
    return net


def _check_maker(name: str, maker: object) -> None:
    if not callable(maker):
        raise TypeError(f"{name} must be a callable that returns a module, got {maker!r}")


def _make(name: str, maker: Callable[..., nn.Module], *args: int) -> nn.Module:
    kind = "a one-argument callable (the width)" if args else "a zero-argument callable"
    example = "torch.nn.LayerNorm" if args else "torch.nn.Sigmoid"
    try:
        module = maker(*args)
    except TypeError as exc:
        raise TypeError(
            f"{name} must be {kind} that returns a module, such as {example}, got {maker!r}: {exc}"
        ) from exc
    if not isinstance(module, nn.Module):
        raise TypeError(
            f"{name} must be a callable that returns a module, got {maker!r} returning {module!r}"
        )
    return module
