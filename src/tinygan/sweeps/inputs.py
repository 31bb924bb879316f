"""The fixed evaluation inputs trained generators are judged on, and how many a judge asks for.

Every judged number of tinygan (a sweep's rows, ``tinygan train``'s ``summary.json``, the
mixtures' table and figures) comes from a generator's output on the same inputs:
:func:`eval_inputs` draws them from ``torch.Generator().manual_seed(EVAL_SEED)``, as many
as the judge declares (:func:`eval_count`: its ``eval_inputs`` attribute, else
:data:`tinygan.sweeps.EVAL_INPUTS`).
"""

from __future__ import annotations

from typing import Any

import torch

from tinygan.nets.inference import inference_output
from tinygan.protocols import DataSource
from tinygan.sweeps.config import EVAL_INPUTS, EVAL_SEED

__all__ = ["eval_count", "eval_inputs", "judged_output"]


def eval_count(judge: object) -> int:
    """How many evaluation inputs ``judge`` judges: its ``eval_inputs``, else 1,000.

    A judge declares its count with an attribute ``eval_inputs`` (the mixtures' judge
    asks for 2,500, as PacGAN evaluates); without one it gets
    :data:`tinygan.sweeps.EVAL_INPUTS`.

    Raises:
        ValueError: If the judge's ``eval_inputs`` is not a positive integer.

    Example:
        >>> from tinygan.metrics import mixture_judge, pattern_judge
        >>> from tinygan.sweeps.inputs import eval_count
        >>> eval_count(pattern_judge), eval_count(mixture_judge)
        (1000, 2500)
    """
    count = getattr(judge, "eval_inputs", EVAL_INPUTS)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"a judge's eval_inputs must be a positive integer, got {count!r}")
    return count


def eval_inputs(
    noise: DataSource, device: torch.device | str | None = None, count: int = EVAL_INPUTS
) -> torch.Tensor:
    """The fixed noise trained generators are judged on: ``count`` draws, on ``device``.

    Drawn from ``torch.Generator().manual_seed(EVAL_SEED)``, so the same for every seed,
    run and command (:func:`eval_count` says how many a judge asks for).

    Args:
        noise: The generators' input source.
        device: Where to draw them (the CPU by default).
        count: How many.

    Returns:
        A tensor ``(count, noise.dim)``.
    """
    rng = torch.Generator(device=device or "cpu").manual_seed(EVAL_SEED)
    return noise.sample(count, generator=rng)


def judged_output(generator: Any, z: torch.Tensor) -> torch.Tensor:
    """The generator's output on ``z`` without gradients, a module in inference mode.

    A :class:`torch.nn.Module` is in inference mode for the call (batch norm then uses
    its running statistics, as PacGAN's evaluation does, and changes nothing) and as it
    was after it (:func:`tinygan.nets.inference.inference_output`; a model whose
    ``train`` means something else, as the post's ``Generator.train(inputs, targets)``
    does, is judged too).
    """
    return inference_output(generator, z)
