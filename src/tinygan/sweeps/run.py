"""Sweeps: train one GAN per seed and count how often the configuration works.

GAN training is unstable, so the first question about any configuration is how often it
works. :func:`tinygan.sweep` trains one GAN per seed, all seeds of a chunk together as one
:class:`tinygan.EnsembleTrainer`, and judges each one at the end.

**Success.** A seed succeeds when its generator's *mean output* lies inside the real
data's range at every position (``[0.8, 1.0]`` for a 1 and ``[0.0, 0.2]`` for a 0 in
the post's ``1010``). The mean is taken over a fixed set of
:data:`tinygan.sweeps.EVAL_INPUTS` (1,000) noise inputs drawn from
``torch.Generator().manual_seed(EVAL_SEED)``, the same inputs for every seed. Each seed
also gets its generator's *spread* (the standard deviation of its output over those
inputs, per position; fuzzy real data has about 0.058, a much smaller spread means mode
collapse), its discriminator's mean loss over the last 1,000 iterations (both D steps;
the post's D settles near 0.25), and its *distance*: how far the mean lies outside the
real ranges at the worst position (0 for a success).

**Determinism.** Seed ``s`` gets its initial weights and its data from its own
``torch.Generator`` seeded with ``s`` (see :meth:`tinygan.EnsembleTrainer.from_seeds`),
so its result does not depend on the other seeds in the sweep, nor on how the seeds are
split into chunks, nor on which :class:`concurrent.futures.Executor` runs the chunks.
"""

from __future__ import annotations

import logging
import numbers
import os
from collections.abc import Iterable
from concurrent.futures import Executor

from tinygan._checks import check_bool, check_int
from tinygan.ensemble.stacking import check_seed
from tinygan.sweeps.chunk import LOSS_WINDOW as LOSS_WINDOW  # also tinygan.sweeps.run.LOSS_WINDOW
from tinygan.sweeps.chunk import evaluate_generator, run_chunk
from tinygan.sweeps.config import EVAL_INPUTS, EVAL_SEED, SeedResult, SweepConfig
from tinygan.sweeps.result import SweepResult

__all__ = [
    "EVAL_INPUTS",
    "EVAL_SEED",
    "SeedResult",
    "SweepConfig",
    "SweepResult",
    "evaluate_generator",
    "run_chunk",
    "sweep",
]

logger = logging.getLogger(__name__)



def _check_seeds(seeds: object) -> list[int]:
    if isinstance(seeds, bool):
        raise TypeError(f"seeds must be a count or a sequence of integers, got {seeds!r}")
    if isinstance(seeds, numbers.Integral):
        return list(range(check_int("seeds", seeds, minimum=1)))
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise TypeError(f"seeds must be a count or a sequence of integers, got {seeds!r}")
    items: list[object] = list(seeds)
    if not items:
        raise ValueError("seeds must hold at least one seed, got none")
    result = [check_seed(seed) for seed in items]
    if len(set(result)) != len(result):
        raise ValueError("seeds must not repeat a seed")
    return result


def sweep(
    seeds: int | Iterable[int],
    *,
    pattern: str = "1010",
    steps: int = 10_000,
    lr: float = 0.01,
    batch_size: int = 1,
    bias: bool = False,
    loss: str = "mse",
    optimizer: str = "sgd",
    noise: str = "uniform",
    out: str | os.PathLike[str] | None = None,
    executor: Executor | None = None,
    chunk_size: int | None = None,
    compile: bool = False,
) -> SweepResult:
    """Train one GAN per seed and count how many succeed.

    The seeds are split into chunks of ``chunk_size``; each chunk trains as one
    :class:`tinygan.EnsembleTrainer`. With an ``executor`` (a
    :class:`concurrent.futures.ProcessPoolExecutor`, or the executors Dask or Ray provide
    on a cluster) the chunks run there; the results are the same as in one process.

    Args:
        seeds: A count ``N`` (seeds ``0 .. N-1``) or the seeds themselves (distinct
            integers in ``[0, 2**64)``).
        pattern: The real data, as for :class:`tinygan.FuzzyPattern`.
        steps: Training iterations per seed.
        lr: The learning rate.
        batch_size: Samples per step.
        bias: Whether the networks' linear layers have biases.
        loss: ``"mse"`` or ``"bce"``.
        optimizer: ``"sgd"`` or ``"adam"``.
        noise: ``"uniform"`` or ``"constant"`` (0.5 at every position).
        out: A directory to write ``seeds.csv``, ``summary.json`` and
            ``histogram.png`` into (see :meth:`tinygan.SweepResult.write`); ``None`` writes
            nothing.
        executor: Runs the chunks; ``None`` runs them here, one after another. Give a
            process pool the ``"spawn"`` start method
            (``ProcessPoolExecutor(mp_context=multiprocessing.get_context("spawn"))``):
            a child forked from a process that has already run torch can hang.
        chunk_size: Seeds per chunk; by default 1,000 without an executor and an even
            split into ``os.cpu_count()`` chunks with one.
        compile: Train each chunk with ``EnsembleTrainer(..., compile=True)`` (see
            :doc:`/performance`): compiling costs about 4 s (20-30 s the first time on a
            machine) once per process and chunk size, then training runs about 2.5
            times as fast. Off by default: one sweep of 1,000 seeds x 10,000 iterations
            is faster eager end to end. Results agree with the eager sweep within float
            tolerance; a seed whose mean output lies within about 1e-6 of a range's edge
            could be judged differently.

    Returns:
        The :class:`tinygan.SweepResult`.

    Raises:
        ValueError: If an argument is out of range or names an unknown choice.
        TypeError: If an argument has the wrong type.

    Example:
        >>> import tinygan as tg
        >>> result = tg.sweep([0, 1, 2], steps=200)
        >>> result.n, [row.seed for row in result.rows]
        (3, [0, 1, 2])
        >>> sorted(result.summary())[:5]
        ['ci_high', 'ci_low', 'confidence', 'config', 'eval_inputs']
    """
    seed_list = _check_seeds(seeds)
    config = SweepConfig(
        pattern=pattern,
        steps=steps,
        lr=lr,
        batch_size=batch_size,
        bias=bias,
        loss=loss,
        optimizer=optimizer,
        noise=noise,
    )
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise TypeError(f"executor must be a concurrent.futures.Executor, got {executor!r}")
    if chunk_size is None:
        parts = 1 if executor is None else os.cpu_count() or 1
        chunk_size = min(1000, -(-len(seed_list) // parts))
    chunk_size = check_int("chunk_size", chunk_size, minimum=1)
    check_bool("compile", compile)
    chunks = [seed_list[i : i + chunk_size] for i in range(0, len(seed_list), chunk_size)]
    logger.info("sweep of %d seeds in %d chunks: %s", len(seed_list), len(chunks), config)
    rows: list[SeedResult] = []
    if executor is None:
        for chunk in chunks:
            rows += run_chunk(config, chunk, compile=compile)
            logger.info("%d/%d seeds done", len(rows), len(seed_list))
    else:
        futures = [executor.submit(run_chunk, config, chunk, compile=compile) for chunk in chunks]
        for future in futures:
            rows += future.result()
            logger.info("%d/%d seeds done", len(rows), len(seed_list))
    result = SweepResult(config=config, rows=tuple(rows))
    if out is not None:
        result.write(out)
    return result
