"""Sweeps: train one GAN per seed and count how often a configuration works.

GAN training is unstable, so the first question about any configuration is how often it
works. :func:`tinygan.sweep` trains one GAN per seed and judges each one at the end.

**What is trained.** Either a *recipe*, ``recipe(seed) -> trainer``, any function that
builds a trainer from the seed alone (a :class:`tinygan.AdversarialTrainer`, a subclass,
or any trainer with ``fit``, ``generator``, ``noise``, ``real`` and ``callbacks``), or,
without one, the post's configuration and its variants (:class:`tinygan.SweepConfig`).
Alike trainers of a chunk train together as one :class:`tinygan.EnsembleTrainer` (see
:mod:`tinygan.ensemble.alike`); others one after another.

**Judging.** Each trained generator runs on a fixed set of noise inputs drawn from
``torch.Generator().manual_seed(EVAL_SEED)``, the same for every seed, as many as the
judge declares (:mod:`tinygan.sweeps.inputs`: 1,000, :data:`tinygan.sweeps.EVAL_INPUTS`,
for the post's patterns; 2,500 for the mixtures), and a judge turns its output into
named numbers with ``"success"`` among them (see :mod:`tinygan.metrics.judges`). For
the post's patterns a seed succeeds when its generator's *mean output* lies inside the
real data's range at every position; each seed also gets its *spread* per position (fuzzy
real data has about 0.058; much less means mode collapse), its *distance* outside the
ranges, and its discriminator's mean loss over the last 1,000 iterations (the post's D
settles near 0.25).

**Determinism.** Seed ``s``'s row depends on ``s`` alone: not on the other seeds in the
sweep, nor on how the seeds are split into chunks, nor on which
:class:`concurrent.futures.Executor` runs them, nor on whether the sweep was interrupted
and resumed.
"""

from __future__ import annotations

import inspect
import logging
import numbers
import os
from collections.abc import Callable, Iterable, Sized
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import torch

from tinygan._checks import check_bool, check_int, check_seed
from tinygan.engine.native import NativeKernelError, kernel
from tinygan.engine.table import check_backend
from tinygan.metrics import Judge
from tinygan.objectives import NAMES, Objective
from tinygan.sweeps.chunk import LOSS_WINDOW as LOSS_WINDOW  # also tinygan.sweeps.run.LOSS_WINDOW
from tinygan.sweeps.chunk import evaluate_generator, run_chunk, run_recipe_chunk
from tinygan.sweeps.config import (
    EVAL_INPUTS,
    EVAL_SEED,
    RecipeConfig,
    SeedResult,
    SweepConfig,
    config_dict,
    qualified_name,
)
from tinygan.sweeps.folder import SweepFolder
from tinygan.sweeps.histogram import HistogramProcess
from tinygan.sweeps.inputs import eval_count
from tinygan.sweeps.provenance import backend_record, count_backends
from tinygan.sweeps.result import SweepResult

__all__ = [
    "EVAL_INPUTS",
    "EVAL_SEED",
    "RecipeWithObjective",
    "SeedResult",
    "SweepConfig",
    "SweepResult",
    "check_recipe_call",
    "check_seeds",
    "objective_name",
    "evaluate_generator",
    "run_chunk",
    "run_recipe_chunk",
    "sweep",
]

logger = logging.getLogger(__name__)


MAX_SEEDS = 10_000_000
"""The most seeds one sweep takes (the post's would train for hours; a bigger one is split
into sweeps by their seeds)."""


def check_seeds(seeds: object) -> list[int]:
    """The seeds a sweep trains: a count ``N`` (``0 .. N-1``) or distinct integers.

    At most :data:`MAX_SEEDS` of them.
    """
    if isinstance(seeds, bool):
        raise TypeError(f"seeds must be a count or a sequence of integers, got {seeds!r}")
    too_many = f"seeds: a sweep takes at most {MAX_SEEDS:,} (split a bigger one by its seeds)"
    if isinstance(seeds, numbers.Integral):
        count = check_int("seeds", seeds, minimum=1)
        if count > MAX_SEEDS:
            raise ValueError(f"{too_many}, got {count:,}")
        return list(range(count))
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise TypeError(f"seeds must be a count or a sequence of integers, got {seeds!r}")
    if isinstance(seeds, Sized) and len(seeds) > MAX_SEEDS:
        raise ValueError(f"{too_many}, got {len(seeds):,}")
    items: list[object] = list(seeds)
    if not items:
        raise ValueError("seeds must hold at least one seed, got none")
    result = [check_seed("seeds", seed) for seed in items]
    if len(set(result)) != len(result):
        raise ValueError("seeds must not repeat a seed")
    return result


_POST_DEFAULTS = {
    "pattern": "1010",
    "lr": 0.01,
    "batch_size": 1,
    "bias": False,
    "loss": "mse",
    "optimizer": "sgd",
    "noise": "uniform",
    "device": None,
}


class RecipeWithObjective:
    """``recipe(seed, objective=objective)`` as a recipe of the seed alone (picklable)."""

    def __init__(self, recipe: Callable[..., Any], objective: str) -> None:
        try:
            parameters = list(inspect.signature(recipe).parameters.values())
        except (TypeError, ValueError):  # no signature to read: the call will tell
            parameters = []
        takes = not parameters or any(
            p.name == "objective" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters
        )
        if not takes:
            raise TypeError(
                f"objective={objective!r} is handed to the recipe as recipe(seed, "
                f"objective=...), but {qualified_name(recipe)} takes no objective="
            )
        self.recipe, self.objective = recipe, objective

    def __call__(self, seed: int) -> Any:
        """The recipe's trainer for ``seed``, with the objective."""
        return self.recipe(seed, objective=self.objective)


def check_recipe_call(recipe: object, options: dict[str, object]) -> None:
    """Refuse a recipe that is not callable, or one given with the post's options."""
    if not callable(recipe):
        raise TypeError(f"recipe must be a function recipe(seed) -> trainer, got {recipe!r}")
    changed = [name for name, value in options.items() if value != _POST_DEFAULTS[name]]
    if changed:
        raise TypeError(
            f"{', '.join(changed)} configure the post's GAN and cannot go with a recipe: "
            "set them inside the recipe instead"
        )


def objective_name(objective: object) -> str | None:
    """A sweep's ``objective=`` as the name its files record (``None`` stays ``None``).

    Raises:
        ValueError: If it is an objective no name stands for (other settings than a
            name's own): a recipe builds such a one.
    """
    if not isinstance(objective, Objective):
        return objective  # type: ignore[return-value]  # a name: checked by the config
    named = NAMES.get(objective.name)
    if named is None or named() != objective:
        raise ValueError(
            f"objective={objective!r} is not what any name stands for (a sweep records its "
            f"objective by name: {', '.join(NAMES)}); build it in your recipe instead"
        )
    return objective.name


def _native_build(counts: dict[str, int]) -> dict[str, Any] | None:
    """The native kernel's build, where it trained seeds (as this process loads it)."""
    if "native" not in counts:
        return None
    try:
        return kernel().describe()
    except NativeKernelError:  # it ran elsewhere (a cluster's workers), not here
        return None


def sweep(
    seeds: int | Iterable[int],
    recipe: Callable[[int], Any] | None = None,
    *,
    steps: int = 10_000,
    judge: Judge | None = None,
    out: str | os.PathLike[str] | None = None,
    resume: bool = False,
    executor: Executor | None = None,
    chunk_size: int | None = None,
    compile: bool = False,
    pattern: str = "1010",
    lr: float = 0.01,
    batch_size: int = 1,
    bias: bool = False,
    loss: str = "mse",
    optimizer: str = "sgd",
    noise: str = "uniform",
    device: torch.device | str | None = None,
    backend: str = "auto",
    objective: str | Objective | None = None,
) -> SweepResult:
    """Train one GAN per seed and count how many succeed.

    The seeds are split into chunks of ``chunk_size``; each chunk trains (alike trainers
    as one ensemble per kind, see :func:`~tinygan.sweeps.run.run_recipe_chunk`) and is
    judged. A seed's row depends on that seed alone, bit for bit, in any chunk. With an
    ``executor`` (a :class:`concurrent.futures.ProcessPoolExecutor`, or a Dask
    ``distributed.Client``, see :doc:`/how_often`) the chunks run there; the rows are the
    same as in one process.

    Args:
        seeds: A count ``N`` (seeds ``0 .. N-1``) or the seeds themselves (distinct
            integers in ``[0, 2**64)``).
        recipe: ``recipe(seed) -> trainer``, with everything random drawn from ``seed``;
            ``None`` sweeps the post's configuration set by ``pattern`` .. ``noise``. For
            an executor in other processes, a function they can import (defined at a
            module's top level).
        steps: Training iterations per seed.
        judge: ``judge(samples, real) -> Mapping[str, float | bool]``, ``"success"``
            among the names; ``None`` takes the real data's default
            (:func:`tinygan.metrics.default_judge`).
        out: A directory for ``sweep.json``, ``seeds.csv`` (rewritten as each chunk
            finishes, atomically), ``summary.json`` and ``histogram.png``; ``None``
            writes nothing. A sweep's files already there are never written over: they
            are resumed (``resume=True``), or refused.
        resume: Keep the rows already in ``out`` (which must hold this same sweep: a
            folder from another configuration is refused, naming the difference) and
            train only the missing seeds. The result equals an uninterrupted sweep's.
        executor: Runs the chunks; ``None`` runs them here, one after another. Give a
            process pool the ``"spawn"`` start method
            (``ProcessPoolExecutor(mp_context=multiprocessing.get_context("spawn"))``):
            a child forked from a process that has already run torch can hang.
        chunk_size: Seeds per chunk; by default 1,000 without an executor and an even
            split into ``os.cpu_count()`` chunks with one.
        compile: The older spelling of ``backend="native"``: where the native kernel
            cannot serve, the sweep goes on as ``"auto"`` would, after a warning.
        pattern: Without a recipe: the real data, as for :class:`tinygan.FuzzyPattern`.
        lr: Without a recipe: the learning rate.
        batch_size: Without a recipe: samples per step.
        bias: Without a recipe: whether the linear layers have biases.
        loss: Without a recipe: ``"mse"`` or ``"bce"``.
        optimizer: Without a recipe: ``"sgd"`` or ``"adam"``.
        noise: Without a recipe: ``"uniform"`` or ``"constant"`` (0.5 everywhere).
        device: Without a recipe: where the GANs train and draw their data (``None``:
            the CPU). With a recipe, the recipe puts its networks where it wants them
            and the sweep trains them there.
        backend: What trains the ensembles (see :doc:`/performance`): ``"auto"`` (the
            fused step, whose rows are the reference), ``"fused"``, ``"native"`` (the
            native kernel, built once per machine in about a second: about six times
            as fast, its rows within float tolerance of the fused step's) or ``"vmap"``.
            ``summary.json`` says which backend trained how many seeds. With a recipe,
            a backend other than ``"auto"`` needs trainers that train as one ensemble.
            (``"autograd"``, a lone trainer's, is refused.)
        objective: An objective's name (:data:`tinygan.objectives.NAMES`) to train
            with, or an objective equal to one of those names' (``Hinge()``: a sweep
            records its objective by name). Without a recipe it replaces ``loss`` (see
            :class:`~tinygan.SweepConfig`; ``"wgan-gp"`` is refused there, as no
            ensemble backend computes its penalty); with one, every trainer is built as
            ``recipe(seed, objective=objective)`` (tinygan's recipes take it; trainers
            that cannot train as one ensemble, such as ``"wgan-gp"``'s, train alone).
            ``sweep.json`` records it; ``None``: the recipe's or ``loss``'s own.

    Returns:
        The :class:`tinygan.SweepResult`.

    Raises:
        ValueError: If an argument is out of range or names an unknown choice.
        TypeError: If an argument has the wrong type.
        tinygan.sweeps.folder.SweepFolderError: If ``out`` holds a sweep's files and
            ``resume`` is false, or ``resume`` meets another sweep's folder.

    Example:
        >>> import tinygan as tg
        >>> result = tg.sweep([0, 1, 2], steps=200)
        >>> result.n, [row.seed for row in result.rows]
        (3, [0, 1, 2])
        >>> sorted(result.summary())[:5]
        ['backend', 'ci_high', 'ci_low', 'confidence', 'config']
    """
    seed_list = check_seeds(seeds)
    objective = objective_name(objective)
    options = {"pattern": pattern, "lr": lr, "batch_size": batch_size, "bias": bias}
    options.update(loss=loss, optimizer=optimizer, noise=noise, device=device)
    config: SweepConfig | RecipeConfig
    if recipe is None:
        if judge is not None:
            raise TypeError("judge= goes with a recipe; the post's sweep judges its pattern")
        post = {key: value for key, value in options.items() if key != "device"}
        post.update(device=device or "cpu", objective=objective)
        config = SweepConfig(steps=steps, **post)  # type: ignore[arg-type]
    else:
        check_recipe_call(recipe, options)
        if judge is not None and not callable(judge):
            raise TypeError(f"judge must be a function judge(samples, real), got {judge!r}")
        judge_name = "default" if judge is None else qualified_name(judge)
        name = qualified_name(recipe)
        config = RecipeConfig(recipe=name, judge=judge_name, steps=steps, objective=objective)
        if objective is not None:
            recipe = RecipeWithObjective(recipe, objective)
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise TypeError(f"executor must be a concurrent.futures.Executor, got {executor!r}")
    if chunk_size is None:
        parts = 1 if executor is None else os.cpu_count() or 1
        chunk_size = min(1000, -(-len(seed_list) // parts))
    chunk_size = check_int("chunk_size", chunk_size, minimum=1)
    requested = check_backend(backend, compile).name  # a clear error before anything runs
    if requested == "autograd":
        raise ValueError(
            "backend='autograd' is a lone trainer's backend; a sweep's backend= names what "
            "trains its ensembles ('fused', 'native' or 'vmap'), or 'auto' (trainers that "
            "cannot train as one then train one by one, each on its own backend)"
        )
    check_bool("resume", resume)
    if resume and out is None:
        raise ValueError("resume=True needs out=, the folder of the sweep to resume")
    count = EVAL_INPUTS if recipe is None else None if judge is None else eval_count(judge)
    folder = None
    if out is not None:
        spec = {"config": config_dict(config), "seeds": seed_list, "backend": backend}
        folder = SweepFolder(Path(out), spec, resume=resume, eval_inputs=count, requested=requested)
    todo = folder.missing(seed_list) if folder is not None else seed_list
    chunks = [todo[i : i + chunk_size] for i in range(0, len(todo), chunk_size)]
    logger.info(
        "sweep of %d seeds (%d to train) in %d chunks", len(seed_list), len(todo), len(chunks)
    )

    # histogram.png needs matplotlib: a process of its own loads it while the training
    # runs, and draws it at the end.
    drawers: list[HistogramProcess | None] = []

    def preload() -> None:
        if out is not None and not drawers:
            drawers.append(HistogramProcess.start())

    def work(chunk: list[int]) -> Any:
        # In this process the import starts as the training does (it would slow the
        # building of the networks); with an executor, the driver only waits.
        hook = {"before_training": preload} if executor is None else {}
        if recipe is None:
            assert isinstance(config, SweepConfig)
            return run_chunk, (config, chunk), {"compile": compile, "backend": backend, **hook}
        kwargs = {"steps": steps, "judge": judge, "compile": compile, "backend": backend, **hook}
        return run_recipe_chunk, (recipe, chunk), kwargs

    done: dict[int, SeedResult] = {} if folder is None else dict(folder.rows)
    results: Iterable[list[SeedResult]]
    if executor is None:
        results = (fn(*args, **kwargs) for fn, args, kwargs in map(work, chunks))
    else:
        futures = [executor.submit(fn, *args, **kwargs) for fn, args, kwargs in map(work, chunks)]
        preload()
        results = (future.result() for future in futures)
    try:
        for chunk_rows in results:
            done.update((row.seed, row) for row in chunk_rows)
            if folder is not None:
                folder.add(chunk_rows)
            logger.info("%d/%d seeds done", len(done), len(seed_list))
        counts = folder.backends if folder is not None else count_backends(done.values())
        rows = tuple(done[seed] for seed in seed_list)
        record = backend_record(counts, _native_build(counts), requested=requested)
        count = folder.spec["eval_inputs"] if folder is not None else count
        judged = next((row.eval_inputs for row in rows if row.eval_inputs), count)
        result = SweepResult(config, rows, record, eval_inputs=judged)
        if folder is not None:
            assert result.backend is not None
            folder.record_backend(result.backend)
        if out is not None:
            result.write(out, drawer=drawers[0] if drawers else None)
    finally:
        for drawer in drawers:  # after an error or Ctrl-C: nothing left running
            if drawer is not None:
                drawer.close()
    return result
