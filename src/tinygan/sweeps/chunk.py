"""Running a sweep's work: training one chunk of seeds, and judging each generator.

:func:`run_chunk` (the post's configuration) and :func:`run_recipe_chunk` (any recipe)
are the units :func:`tinygan.sweep` hands to an executor. Each trained generator is run
on the fixed evaluation inputs (noise vectors drawn with :data:`tinygan.sweeps.EVAL_SEED`,
as many as the judge declares: :mod:`tinygan.sweeps.inputs`) and its output goes to the judge.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch

from tinygan.callbacks import Callback
from tinygan.engine.table import warn_fallback
from tinygan.ensemble import EnsembleTrainer
from tinygan.ensemble.alike import stackable
from tinygan.metrics import Judge, check_verdict, default_judge, pattern_verdicts
from tinygan.protocols import DataSource, StepRecord
from tinygan.sweeps.config import EVAL_INPUTS, LOSS_WINDOW, SeedResult, SweepConfig
from tinygan.sweeps.inputs import eval_count, eval_inputs, judged_output
from tinygan.training import ConditionalTrainer

__all__ = [
    "LOSS_WINDOW",
    "evaluate_generator",
    "run_chunk",
    "run_recipe_chunk",
]


class _LossWindow(Callback):
    """Sum each member's two D losses over the iterations it sees."""

    reads_records_only = True  # see tinygan.Callback

    def __init__(self) -> None:
        self.total: torch.Tensor | None = None
        self.count = 0

    def on_step_end(self, trainer: Any, step: int, record: StepRecord) -> None:
        if record.d_loss_real is None or record.d_loss_fake is None:
            return
        both = record.d_loss_real.double() + record.d_loss_fake.double()
        self.total = both if self.total is None else self.total + both
        self.count += 2

    def means(self, members: int) -> list[float]:
        """Each member's mean D loss (NaN where none was seen)."""
        if self.total is None:
            return [math.nan] * members
        means: list[float] = (self.total / self.count).reshape(-1).cpu().tolist()
        return means


def evaluate_generator(
    generator: Callable[[torch.Tensor], torch.Tensor],
    real: DataSource,
    noise: DataSource,
    *,
    seed: int,
    d_loss: float = math.nan,
    judge: Judge | None = None,
) -> SeedResult:
    """Judge one trained generator as :func:`tinygan.sweep` judges each of its seeds.

    Runs ``generator`` (a module in inference mode for the call, see
    :func:`~tinygan.sweeps.inputs.judged_output`) on as many fixed inputs as the judge
    asks for (:func:`~tinygan.sweeps.inputs.eval_count`), drawn from ``noise`` with
    :data:`tinygan.sweeps.EVAL_SEED`, and hands its output to ``judge``.

    Args:
        generator: The trained generator (any model, e.g. one trained by
            :class:`tinygan.AdversarialTrainer` or by the post's own code).
        real: The real data.
        noise: The generator's input source.
        seed: The seed to label the result with.
        d_loss: The discriminator's recent loss, if known.
        judge: The judge; ``None`` takes ``real``'s default
            (:func:`tinygan.metrics.default_judge`).

    Returns:
        The :class:`tinygan.SeedResult`.

    Example:
        >>> import torch, tinygan as tg
        >>> from tinygan.sweeps.run import evaluate_generator
        >>> G = tg.mlp([4, 4, 4], generator=torch.Generator().manual_seed(0))
        >>> evaluate_generator(G, tg.FuzzyPattern("1010"), tg.UniformNoise(4), seed=0).success
        False
    """
    use = judge if judge is not None else default_judge(real)
    count = eval_count(use)
    outputs = judged_output(generator, eval_inputs(noise, count=count))
    return SeedResult(seed, check_verdict(use(outputs, real), use), d_loss, eval_inputs=count)


def run_chunk(
    config: SweepConfig,
    seeds: Sequence[int],
    *,
    compile: bool = False,
    before_training: Callable[[], object] | None = None,
    backend: str = "auto",
) -> list[SeedResult]:
    """Train and judge one chunk of the post's GANs as one ensemble.

    Args:
        config: What every GAN is.
        seeds: The chunk's seeds.
        compile: The older spelling of ``backend="native"`` (see
            :class:`tinygan.EnsembleTrainer`).
        before_training: Called once the networks are built, just before training.
        backend: What trains the ensemble (see :class:`tinygan.EnsembleTrainer`).

    Returns:
        One :class:`tinygan.SeedResult` per seed, in order, judged by
        :func:`tinygan.metrics.pattern_judge` (as :func:`tinygan.metrics.pattern_verdicts`),
        each with the backend that trained it.
    """
    real = config.real
    noise = config.make_noise()
    dim = real.dim
    trainer = EnsembleTrainer.from_seeds(
        list(seeds),
        real,
        noise,
        generator_sizes=(dim, dim, dim),
        discriminator_sizes=(dim, 3, 1),
        bias=config.bias,
        lr=config.lr,
        batch_size=config.batch_size,
        loss=config.loss,
        objective=config.objective,
        optimizer=config.optimizer,
        compile=compile,
        device=config.device,
        backend=backend,
    )
    if before_training is not None:
        before_training()
    d_losses = _fit_with_window(trainer, config.steps, len(seeds))
    outputs = trainer.generate(eval_inputs(noise, trainer.device)).double().cpu().numpy()
    verdicts = pattern_verdicts(outputs, real)
    return [
        SeedResult(int(seed), verdict, d_loss, trainer.backend, EVAL_INPUTS)
        for seed, verdict, d_loss in zip(seeds, verdicts, d_losses, strict=True)
    ]


def _fit_with_window(trainer: Any, steps: int, members: int) -> list[float]:
    """Fit ``steps`` iterations; return each member's mean D loss over the last ones."""
    window = min(LOSS_WINDOW, steps)
    trainer.fit(steps - window)
    losses = _LossWindow()
    trainer.callbacks.append(losses)
    try:
        trainer.fit(window)
    finally:
        trainer.callbacks.remove(losses)
    return losses.means(members)


def _check_trainer(trainer: object, seed: int) -> Any:
    if isinstance(trainer, ConditionalTrainer):
        raise TypeError(
            f"recipe({seed}) returned a ConditionalTrainer, whose generator draws the class "
            "it is given: a sweep judges generators of noise alone (judge a conditional "
            "GAN with tinygan.metrics.ConditionalJudge, as tinygan train --conditional does)"
        )
    for name in ("fit", "generator", "noise", "real", "callbacks"):
        if not hasattr(trainer, name):
            raise TypeError(
                f"recipe({seed}) must return a trainer with fit(), generator, noise, real "
                f"and callbacks (such as a tinygan.AdversarialTrainer); it returned "
                f"{trainer!r}, which has no {name}"
            )
    return trainer


def _alike_groups(trainers: Sequence[Any]) -> tuple[list[list[int]], dict[int, str]]:
    """Split ``trainers`` into groups that can train as one ensemble, and the rest.

    Whether a trainer joins an ensemble, and which, depends on that trainer alone (a
    group is the trainers alike with its first), so a seed trains the same way in any
    chunk. Returns the groups (indices, in order) and why each other trainer cannot.
    """
    groups: list[list[int]] = []
    alone: dict[int, str] = {}
    for i, trainer in enumerate(trainers):
        reason = stackable([trainer])
        if reason is not None:
            alone[i] = reason
            continue
        group = next((g for g in groups if stackable([trainers[g[0]], trainer]) is None), None)
        if group is None:
            groups.append([i])
        else:
            group.append(i)
    return groups, alone


def run_recipe_chunk(
    recipe: Callable[[int], Any],
    seeds: Sequence[int],
    *,
    steps: int,
    judge: Judge | None = None,
    compile: bool = False,
    before_training: Callable[[], object] | None = None,
    backend: str = "auto",
) -> list[SeedResult]:
    """Build one trainer per seed with ``recipe``, train them, and judge each generator.

    Trainers that can train as an ensemble (see :func:`tinygan.ensemble.alike.stackable`)
    do, with the others of the chunk alike with them (one of one, too); the rest train
    one after another, each on the backend its recipe chose. Whether and how a trainer is
    stacked depends on that trainer alone, and a member's numbers on its own weights and
    data, so seed ``s``'s row is the same, bit for bit, in any chunk or alone; it equals
    what ``recipe(s)``'s lone trainer gives within float tolerance. Each generator is
    judged as a module (unstacked from its ensemble), as a lone trainer's would be.

    Args:
        recipe: ``recipe(seed) -> trainer``, everything random drawn from ``seed``.
        seeds: The chunk's seeds.
        steps: Training iterations per seed.
        judge: The judge; ``None`` takes the real data's default.
        compile: The older spelling of ``backend="native"`` (see
            :class:`tinygan.EnsembleTrainer`).
        before_training: Called once the trainers are built, just before training.
        backend: The ensembles' backend (see :class:`tinygan.EnsembleTrainer`); one
            other than ``"auto"`` needs trainers that can train as an ensemble.

    Returns:
        One :class:`tinygan.SeedResult` per seed, in order, each with the backend that
        trained it.

    Raises:
        ValueError: If ``backend`` names one that cannot serve these trainers.
    """
    trainers = [_check_trainer(recipe(int(seed)), int(seed)) for seed in seeds]
    first = trainers[0]
    use = judge if judge is not None else default_judge(first.real)
    device = next(iter(first.generator.parameters()), torch.zeros(0)).device
    count = eval_count(use)
    z = eval_inputs(first.noise, device, count)
    groups, alone = _alike_groups(trainers)
    if alone and backend != "auto":
        i, reason = next(iter(alone.items()))
        raise ValueError(
            f"backend={backend!r} trains ensembles, and recipe({seeds[i]})'s trainer cannot "
            f"train in one ({reason}): with backend='auto' it trains alone"
        )
    if alone and compile:  # compile=True asks softly: as "auto" would
        own = "+".join(sorted({str(getattr(trainers[i], "backend", "autograd")) for i in alone}))
        reason = f"a trainer cannot train in an ensemble: {alone[min(alone)]}"
        warn_fallback("native", reason, own)
    kinds = ([trainers[i] for i in group] for group in groups)
    ensembles = [EnsembleTrainer.from_trainers(t, compile=compile, backend=backend) for t in kinds]
    if before_training is not None:
        before_training()
    d_losses: list[float] = [math.nan] * len(trainers)
    outputs: list[Any] = [None] * len(trainers)
    backends: list[str | None] = [None] * len(trainers)
    for group, ensemble in zip(groups, ensembles, strict=True):
        losses = _fit_with_window(ensemble, steps, len(group))
        for i, (generator, _), loss in zip(group, ensemble.unstack(), losses, strict=True):
            d_losses[i], backends[i] = loss, ensemble.backend
            outputs[i] = judged_output(generator, z)  # the lone trainer's own forward pass
    for i in alone:
        trainer = trainers[i]
        d_losses[i] = _fit_with_window(trainer, steps, 1)[0]
        outputs[i] = judged_output(trainer.generator, z)
        backends[i] = getattr(trainer, "backend", None)
    return [
        SeedResult(int(seed), check_verdict(use(out, trainer.real), use), d_loss, backend, count)
        for seed, out, trainer, d_loss, backend in zip(
            seeds, outputs, trainers, d_losses, backends, strict=True
        )
    ]
