"""The files and summary of a ``tinygan train`` run: its folder, figures and closing lines."""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch

from tinygan.callbacks import LossLogger, Snapshots
from tinygan.checkpoint import write_atomically
from tinygan.cli._common import CLIError
from tinygan.cli._train_config import FILES, TrainConfig
from tinygan.sweeps import EVAL_INPUTS
from tinygan.sweeps.chunk import evaluate_generator
from tinygan.training import AdversarialTrainer

__all__ = ["PLOT_HINT", "prepare_out", "summarize", "write_figures", "write_summary"]

PLOT_HINT = 'pip install "tinygan[plot]"'


def prepare_out(out: Path, *, force: bool) -> None:
    """Create ``out``, refusing an existing non-empty folder unless ``force``.

    Raises:
        CLIError: If ``out`` is a file, or a non-empty folder and ``force`` is false, or
            cannot be created.
    """
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise CLIError(
            f"--out {out} already holds files; choose another folder or pass --force "
            "to write over them"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CLIError(f"cannot create --out {out}: {exc.strerror or exc}") from None


def write_figures(log: LossLogger, snapshots: Snapshots, out: Path) -> list[Path]:
    """Write ``losses.png`` and ``snapshots.png`` into ``out``; return their paths.

    Raises:
        ImportError: If matplotlib is not installed.
    """
    from tinygan.plotting import plot_losses, plot_snapshots

    written = []
    losses = out / FILES["losses"]
    plot_losses(log).savefig(losses, dpi=100)
    written.append(losses)
    if snapshots.steps:
        path = out / FILES["snapshots"]
        plot_snapshots(snapshots).savefig(path, dpi=100)
        written.append(path)
    return written


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
    last = min(1000, trainer.iteration)
    d_real, d_fake = log.d_loss_real[-last:], log.d_loss_fake[-last:]
    d_recent = float((d_real.mean() + d_fake.mean()) / 2) if last else math.nan
    return [
        f"G's mean output per position: {mean}   (pattern {config.pattern})",
        f"G's spread (std) per position: {spread}",
        f"D's mean loss over the last {last} iterations: {d_recent:.3f} "
        "(0.25 means D cannot tell G's output from real data)",
    ]


def write_summary(
    trainer: AdversarialTrainer, log: LossLogger, config: TrainConfig, path: Path
) -> str:
    """Judge the trained generator as a sweep judges a seed; write it to ``path`` (JSON).

    Returns:
        The line to print about it.
    """
    last = min(1000, trainer.iteration)
    d_recent = float((log.d_loss_real[-last:].mean() + log.d_loss_fake[-last:].mean()) / 2)
    row = evaluate_generator(
        trainer.generator, trainer.real, trainer.noise, seed=config.seed, d_loss=d_recent
    )
    summary = {**row.values, "d_loss": d_recent, "data": "pattern", "pattern": config.pattern}
    summary.update(seed=config.seed, steps=config.steps, eval_inputs=EVAL_INPUTS)
    text = json.dumps(summary, indent=2) + "\n"
    write_atomically(path, lambda f: f.write(text.encode()))
    verdict = "succeeds" if row.success else "fails"
    return (
        f"judged as a sweep judges each seed: {verdict} (distance outside the real ranges "
        f"{row.distance:.3f}; all numbers in {path.name})"
    )
