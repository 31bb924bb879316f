"""``tinygan train --data digits --conditional``: a conditional GAN and its figures.

Trains :func:`tinygan.recipes.conditional.digits_conditional` from ``--seed`` (on MNIST
with ``--data mnist --root DIR``), then writes into ``--out``: ``config.json``,
``history.csv``, ``model.pt``, ``summary.json``, ``losses.png``, ``classes.png`` (one
row per digit, ten images each, the same ten noise vectors in every row) and
``classes.gif`` (that grid as training went).

The trained generator is judged on the sweeps' fixed evaluation noise, input ``i``
asked for the digit ``i % 10`` (100 images per digit), by
:class:`tinygan.metrics.ConditionalJudge`: ``summary.json`` holds ``label_accuracy``
beside the classifier's own ``held_out_accuracy``, each digit's accuracy, coverage and
density, and the image judge's numbers on all the images.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import torch

from tinygan.callbacks import CSVLogger, LossLogger, Snapshots
from tinygan.checkpoint import write_atomically
from tinygan.cli._common import CLIError, backend_line
from tinygan.cli._data import DataKind
from tinygan.cli._train_output import (
    PLOT_HINT,
    backend_of,
    fit_and_save,
    prepare_out,
    recent_d_loss,
)
from tinygan.data import ImageData, mnist
from tinygan.metrics import ConditionalJudge, ImageJudge, counts_as_integers
from tinygan.recipes.conditional import CONDITIONAL_STEPS, digits_conditional
from tinygan.sweeps import EVAL_INPUTS, EVAL_SEED
from tinygan.sweeps.inputs import eval_inputs

__all__ = ["LABELLED", "run_conditional"]

LABELLED = ("digits", "mnist")
"""The ``--data`` kinds whose images carry labels, which ``--conditional`` trains."""

_SNAPSHOTS = 10
_ROW = 10  # images per digit in classes.png and each GIF frame


def _data(kind: DataKind, args: argparse.Namespace) -> ImageData | None:
    if kind.name == "digits":
        return None  # the recipe loads them
    try:
        return mnist(args.root)
    except (FileNotFoundError, ValueError) as exc:
        raise CLIError(str(exc)) from None


def judged_inputs(trainer: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """The fixed evaluation noise and the digit each input is asked for (``i % classes``)."""
    noise = eval_inputs(trainer.noise)
    return noise, torch.arange(len(noise)) % trainer.classes


def _figures(
    log: LossLogger, snaps: Snapshots, rows: list[torch.Tensor], verdict: dict[str, Any],
    shape: tuple[int, ...], out: Path, title: str,
) -> list[Path]:  # fmt: skip
    from tinygan import plotting

    written = [out / "losses.png", out / "classes.png", out / "classes.gif"]
    plotting.plot_gan_losses(log).savefig(written[0], dpi=100)
    names = [f"{c}: {verdict[f'label_{c}_accuracy']:.0%}" for c in range(len(rows))]
    figure = plotting.plot_image_rows(
        rows, shape, names, title=title, ylabel="digit asked for: share read as it"
    )
    figure.savefig(written[1], dpi=100)
    plotting.save_image_animation(snaps, shape, written[2], count=len(rows) * _ROW)
    return written


def run_conditional(args: argparse.Namespace, kind: DataKind) -> int:
    """Train the conditional recipe as ``tinygan train --conditional`` asks; the exit status."""
    if kind.name not in LABELLED:
        raise CLIError(
            f"--conditional needs labelled images: --data digits or mnist, not --data {kind.name}"
        )
    seed = 0 if args.seed is None else args.seed
    steps = CONDITIONAL_STEPS if args.steps is None else args.steps
    every = args.snapshot_every or max(1, steps // _SNAPSHOTS)
    objective = getattr(args, "objective", None)
    extra = {} if objective is None else {"objective": objective}
    trainer = digits_conditional(seed, data=_data(kind, args), **extra)
    out = Path(args.out)
    prepare_out(out, force=args.force)
    grid_noise = eval_inputs(trainer.noise)[:_ROW]
    asked = torch.arange(trainer.classes).repeat_interleave(_ROW)
    grid = trainer.join(grid_noise.repeat(trainer.classes, 1), asked)
    log, snaps = LossLogger(), Snapshots(every=every, inputs=grid)
    history = CSVLogger(out / "history.csv")
    config: dict[str, Any] = {"data": kind.name, "conditional": True}
    config.update(recipe="tinygan.recipes.conditional:digits_conditional", seed=seed, steps=steps)
    seconds = fit_and_save(trainer, config, args, [log, snaps, history], steps, out)
    if seconds is None:
        return 130
    last, recent = recent_d_loss(log, trainer.iteration)
    real = trainer.real
    assert isinstance(real, ImageData)
    judge = ConditionalJudge(ImageJudge(real))
    noise, labels = judged_inputs(trainer)
    verdict = counts_as_integers(judge(trainer.generate(labels, noise), labels), judge)
    summary = {**verdict, "reasons": judge.reasons(verdict), "d_loss": recent}
    summary.update(d_loss_window=last, **config)
    summary.update(seconds=round(seconds, 3), eval_inputs=EVAL_INPUTS, eval_seed=EVAL_SEED)
    summary["backend"] = backend_of(trainer)
    summary["judged"] = (
        f"the generator's images for the {EVAL_INPUTS:,} fixed evaluation inputs, input i "
        f"asked for the digit i % {trainer.classes}"
    )
    text = json.dumps(summary, indent=2) + "\n"
    write_atomically(out / "summary.json", lambda f: f.write(text.encode()))
    written = [out / "config.json", history.path, out / "model.pt", out / "summary.json"]
    rows = [trainer.generate(torch.full((_ROW,), c), grid_noise) for c in range(trainer.classes)]
    outcome = "succeeds" if verdict["success"] else "fails"
    title = (
        f"{kind.name}, conditional, seed {seed}, {trainer.iteration:,} iterations\n"
        f"label accuracy {verdict['label_accuracy']:.1%} of {EVAL_INPUTS:,} judged images "
        f"({outcome})"
    )
    try:
        written += _figures(log, snaps, rows, verdict, real.shape, out, title)
    except ImportError:
        print(f"note: the figures need matplotlib: {PLOT_HINT}", file=sys.stderr)
    print(
        f"trained {kind.name}, conditional, for {steps} iterations (seed {seed}) in {seconds:.1f} s"
    )
    print(backend_line(backend_of(trainer)))
    print(
        f"judged on {EVAL_INPUTS:,} generated images, {EVAL_INPUTS // trainer.classes} per "
        f"digit: label accuracy "
        f"{verdict['label_accuracy']:.3f} (the judge's classifier reads held-out real digits "
        f"with accuracy {verdict['held_out_accuracy']:.3f}), worst digit's accuracy "
        f"{verdict['worst_label_accuracy']:.3f} and coverage {verdict['worst_label_coverage']:.3f}"
    )
    print("succeeds" if verdict["success"] else "fails: " + "; ".join(summary["reasons"]))
    print(f"D's mean loss over the last {last} iterations: {recent:.3f}")
    print("wrote " + ", ".join(str(p) for p in written))
    return 0
