"""The files and summary of a ``tinygan train`` run: its folder, figures and closing lines."""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import torch

from tinygan.callbacks import LossLogger, Snapshots
from tinygan.checkpoint import save_atomically, write_atomically
from tinygan.cli._common import CLIError, ProgressBar, show_progress
from tinygan.cli._train_config import FILES, TrainConfig
from tinygan.metrics import Judge, counts_as_integers, default_judge
from tinygan.objectives import Objective
from tinygan.sweeps import EVAL_SEED, SeedResult
from tinygan.sweeps.chunk import evaluate_generator
from tinygan.sweeps.config import LOSS_WINDOW
from tinygan.sweeps.inputs import eval_count
from tinygan.training import AdversarialTrainer

__all__ = [
    "check_out",
    "PLOT_HINT",
    "fit_and_save",
    "prepare_out",
    "recent_d_loss",
    "save_model",
    "summarize",
    "write_figures",
    "write_judged",
    "write_summary",
    "backend_of",
]

PLOT_HINT = 'pip install "tinygan[plot]"'


def check_out(out: Path, *, force: bool) -> None:
    """Refuse an ``out`` that is a file, or a non-empty folder unless ``force``.

    Raises:
        CLIError: Saying which.
    """
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise CLIError(
            f"--out {out} already holds files; choose another folder or pass --force "
            "to write over them"
        )


def prepare_out(out: Path, *, force: bool) -> None:
    """Create ``out``, refusing an existing non-empty folder unless ``force``.

    Raises:
        CLIError: If ``out`` is a file, or a non-empty folder and ``force`` is false, or
            cannot be created.
    """
    check_out(out, force=force)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CLIError(f"cannot create --out {out}: {exc.strerror or exc}") from None


def write_figures(
    log: LossLogger, snapshots: Snapshots, out: Path, objective: Objective
) -> list[Path]:
    """Write ``losses.png`` and ``snapshots.png`` into ``out``; return their paths.

    D's loss is drawn from 0 to twice the loss of a D that cannot tell
    (:meth:`~tinygan.objectives.Objective.chance_loss`): the post's 0 to 0.5 for its
    objective; fitted to the losses where that is 0 (the Wasserstein critic's).

    Raises:
        ImportError: If matplotlib is not installed.
    """
    from tinygan.plotting import plot_losses, plot_snapshots

    written = []
    losses = out / FILES["losses"]
    level = objective.chance_loss()
    title = "discriminator loss"
    if objective.name != "least-squares":
        title += f" ({objective.name}; {level:.3g} where D cannot tell)"
    ylim = (0.0, 2 * level) if level > 0 else None
    plot_losses(log, loss_ylim=ylim, loss_title=title).savefig(losses, dpi=100)
    written.append(losses)
    if snapshots.steps:
        path = out / FILES["snapshots"]
        plot_snapshots(snapshots).savefig(path, dpi=100)
        written.append(path)
    return written


def recent_d_loss(log: LossLogger, iterations: int) -> tuple[int, float]:
    """D's mean loss over the last (up to) 1,000 iterations, both D steps; NaN for none.

    Returns:
        ``(how many iterations, the mean)``.
    """
    last = min(LOSS_WINDOW, iterations)
    if not last:
        return 0, math.nan
    return last, float((log.d_loss_real[-last:].mean() + log.d_loss_fake[-last:].mean()) / 2)


def backend_of(trainer: Any) -> dict[str, Any]:
    """What computed ``trainer``'s iterations, as its files record it."""
    info = getattr(trainer, "backend_info", None)
    return info() if callable(info) else {"name": f"{type(trainer).__name__}'s own step"}


def save_model(trainer: Any, path: Path) -> None:
    """Write ``{"generator": ..., "discriminator": ...}`` state dicts to ``path``, atomically."""
    nets = {
        "generator": trainer.generator.state_dict(),
        "discriminator": trainer.discriminator.state_dict(),
    }
    save_atomically(nets, path)


def write_judged(
    trainer: Any,
    d_loss: tuple[int, float],
    seed: int,
    settings: dict[str, Any],
    path: Path,
    judge: Judge | None = None,
) -> SeedResult:
    """Judge the trained generator as a sweep judges a seed; write ``summary.json``.

    ``d_loss`` is :func:`recent_d_loss`'s ``(window, mean)``. The judge's numbers come
    first, under its names, then ``d_loss`` (D's mean loss over the last
    ``d_loss_window`` iterations), ``settings``, ``eval_inputs`` and
    ``eval_seed`` (the fixed inputs it judged: how many, drawn with which seed) and
    ``backend`` (what computed the iterations: its name and, for the native kernel, its
    build). ``judge=None`` takes the real data's default.
    """
    use = judge if judge is not None else default_judge(trainer.real)
    window, mean = d_loss
    row = evaluate_generator(
        trainer.generator, trainer.real, trainer.noise, seed=seed, d_loss=mean, judge=use
    )
    values = counts_as_integers(row.values, use)  # classes_covered 10, not 10.0
    summary = {**values, "d_loss": mean, "d_loss_window": window, **settings}
    summary.update(eval_inputs=eval_count(use), eval_seed=EVAL_SEED)
    summary["backend"] = backend_of(trainer)
    text = json.dumps(summary, indent=2) + "\n"
    write_atomically(path, lambda f: f.write(text.encode()))
    return row


def summarize(trainer: AdversarialTrainer, log: LossLogger, config: TrainConfig) -> list[str]:
    """The summary lines: G's output per position, D's recent loss.

    G's output is measured on 1,000 fresh noise vectors drawn from a generator seeded
    with ``config.seed`` (so the trainer's own random state is untouched).
    """
    noise = trainer.noise.sample(1000, generator=torch.Generator().manual_seed(config.seed))
    with torch.no_grad():
        out = trainer.generator(noise).double()
    mean = " ".join(f"{v:.3f}" for v in out.mean(dim=0).tolist())
    spread = " ".join(f"{v:.3f}" for v in out.std(dim=0).tolist())
    last, d_recent = recent_d_loss(log, trainer.iteration)
    return [
        f"G's mean output per position, on 1,000 fresh inputs: {mean}   (pattern {config.pattern})",
        f"G's spread (std) per position, on the same inputs: {spread}",
        f"D's mean loss over the last {last} iterations: {d_recent:.3f} "
        f"({trainer.objective.chance_loss():.3g} means D cannot tell G's output from real data)",
    ]


def write_summary(
    trainer: AdversarialTrainer, log: LossLogger, config: TrainConfig, path: Path
) -> str:
    """Judge the trained generator as a sweep judges a seed; write it to ``path`` (JSON).

    Returns:
        The line to print about it.
    """
    d_recent = recent_d_loss(log, trainer.iteration)
    settings = {"data": "pattern", "pattern": config.pattern, "seed": config.seed}
    settings["steps"] = config.steps
    row = write_judged(trainer, d_recent, config.seed, settings, path)
    verdict = "succeeds" if row.success else "fails"
    return (
        f"judged as a sweep judges each seed: {verdict} (distance outside the real ranges "
        f"{row.distance:.3f}; all numbers in {path.name})"
    )


def fit_and_save(
    trainer: Any,
    config: dict[str, Any],
    args: Any,
    callbacks: list[Any],
    steps: int,
    out: Path,
) -> float | None:
    """Train a ``--data`` kind's trainer as ``tinygan train`` does; its seconds, or ``None``.

    Completes ``config`` (``--root`` where the data are files, the ``--objective`` asked
    for, the backend the trainer chose) and writes it to ``config.json``, trains
    ``steps`` iterations with ``callbacks`` and a progress bar, then writes
    ``model.pt``. Ctrl-C (between iterations) writes ``model.pt`` with the networks as the
    last whole iteration left them, prints where it stopped, and returns ``None`` (exit
    status 130): a ``--data`` run keeps no checkpoints, and is not resumed.
    """
    if getattr(args, "root", None) is not None:
        config["root"] = str(args.root)
    asked = getattr(args, "objective", None)
    config["objective"] = trainer.objective.name if asked is not None else None
    config["backend"] = backend_of(trainer)["name"]  # the recipe's trainer chooses its own
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    trainer.callbacks += [*callbacks, ProgressBar(steps, enabled=show_progress(args.quiet))]
    start = time.perf_counter()
    try:
        trainer.fit(steps)
    except KeyboardInterrupt:
        save_model(trainer, out / "model.pt")
        print(
            f"\ninterrupted at iteration {trainer.iteration} of {steps}; {out / 'model.pt'} "
            f"holds the networks as they were then (a --data run keeps no checkpoints: "
            f"train again with --steps {trainer.iteration} or more)",
            file=sys.stderr,
        )
        return None
    seconds = time.perf_counter() - start
    save_model(trainer, out / "model.pt")
    return seconds
