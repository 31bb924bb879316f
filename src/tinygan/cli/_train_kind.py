"""``tinygan train --data KIND``: train a kind's recipe and write its own figures.

For every ``--data`` but the post's pattern: the recipe of :mod:`tinygan.recipes` built
from ``--seed``, trained ``--steps`` iterations (by default what the recipe is built
for), then into ``--out``: ``config.json``, ``history.csv`` (the losses per iteration),
``model.pt``, ``summary.json`` (the kind's default judge on the trained generator, as a
sweep judges each seed: its numbers under its names, then ``d_loss`` and the settings),
``losses.png``, ``snapshots.png`` (the generator's output as training went),
``samples.png`` (its final output) and ``snapshots.gif``.

The judge and the figures see the same samples: the generator's output on the fixed
evaluation inputs (:mod:`tinygan.sweeps.inputs`: as many as the judge asks for, 2,500
for the mixtures). For the mixtures every snapshot is taken on those inputs too, so each
panel and GIF frame is judged as the summary is.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import torch

from tinygan.callbacks import CSVLogger, LossLogger, Snapshots
from tinygan.cli._common import CLIError, ProgressBar, backend_line, show_progress
from tinygan.cli._data import DataKind
from tinygan.cli._train_output import (
    PLOT_HINT,
    backend_of,
    prepare_out,
    recent_d_loss,
    save_model,
    write_judged,
)
from tinygan.data import GaussianMixture, ImageData
from tinygan.metrics import default_judge
from tinygan.protocols import StepRecord
from tinygan.sweeps.inputs import eval_count, eval_inputs, judged_output

__all__ = ["run_kind"]

_POST_ONLY = (
    "config", "pattern", "lr", "batch_size", "d_hidden", "metrics_every", "resume", "backend",
)  # fmt: skip
_SNAPSHOTS = 10


class _FixedSnapshots(Snapshots):
    """Snapshots of the generator's output on fixed inputs, not on its training batch."""

    reads_records_only = False  # runs the generator

    def __init__(self, inputs: torch.Tensor, every: int) -> None:
        super().__init__(every)
        self.inputs = inputs

    def on_step_end(self, trainer: Any, step: int, record: StepRecord) -> None:
        """Keep the output on the fixed inputs every ``every``-th iteration."""
        if step % self.every == 0:
            super().on_step_end(trainer, step, StepRecord(fake=self.output(trainer)))

    def output(self, trainer: Any) -> torch.Tensor:
        """The trainer's generator on the fixed inputs (in inference mode)."""
        return judged_output(trainer.generator, self.inputs)


def _figures(
    log: LossLogger, snaps: Snapshots, samples: torch.Tensor, real: Any, out: Path
) -> list[Path]:
    from tinygan import plotting

    written = [
        out / "losses.png",
        out / "snapshots.png",
        out / "samples.png",
        out / "snapshots.gif",
    ]
    plotting.plot_gan_losses(log).savefig(written[0], dpi=100)
    if isinstance(real, GaussianMixture):
        plotting.plot_points(snaps, real, final=samples).savefig(written[1], dpi=100)
        plotting.plot_coverage(samples, real).savefig(written[2], dpi=100)
        plotting.animate_points(snaps, real, written[3])
    elif isinstance(real, ImageData):
        shape = real.shape
        plotting.plot_image_snapshots(snaps, shape).savefig(written[1], dpi=100)
        plotting.plot_images(samples[:100], shape, title="generated").savefig(written[2], dpi=100)
        plotting.save_image_animation(snaps, shape, written[3])
    else:
        return written[:1]
    return written


def run_kind(args: argparse.Namespace, kind: DataKind) -> int:
    """Train ``kind``'s recipe as ``tinygan train --data`` asks; return the exit status.

    Training runs on one thread: the recipes' networks are small, and two threads on a
    machine with anything else to do can be many times slower (see :doc:`/performance`).
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _run_kind(args, kind)
    finally:
        torch.set_num_threads(threads)


def _run_kind(args: argparse.Namespace, kind: DataKind) -> int:
    given = [name for name in _POST_ONLY if getattr(args, name, None) is not None]
    if given:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise CLIError(f"{flags} set the post's GAN: they go with --data pattern only")
    out = Path(args.out)
    prepare_out(out, force=args.force)
    seed = 0 if args.seed is None else args.seed
    steps = kind.default_steps() if args.steps is None else args.steps
    every = args.snapshot_every or max(1, steps // _SNAPSHOTS)
    trainer = kind.load()(seed)
    judge = default_judge(trainer.real)
    inputs = eval_inputs(trainer.noise, count=eval_count(judge))
    log = LossLogger()
    fixed = isinstance(trainer.real, GaussianMixture)
    snaps = _FixedSnapshots(inputs, every) if fixed else Snapshots(every=every)
    history = CSVLogger(out / "history.csv")
    config = {"data": kind.name, "recipe": kind.recipe, "seed": seed, "steps": steps}
    config["backend"] = backend_of(trainer)["name"]  # the recipe's trainer chooses its own
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    trainer.callbacks += [
        log,
        snaps,
        history,
        ProgressBar(steps, enabled=show_progress(args.quiet)),
    ]
    start = time.perf_counter()
    try:
        trainer.fit(steps)
    except KeyboardInterrupt:
        print(f"\ninterrupted at iteration {trainer.iteration} of {steps}", file=sys.stderr)
        return 130
    seconds = time.perf_counter() - start
    save_model(trainer, out / "model.pt")
    last, recent = recent_d_loss(log, trainer.iteration)
    settings = {**config, "seconds": round(seconds, 3)}
    row = write_judged(trainer, recent, seed, settings, out / "summary.json", judge)
    written = [out / "config.json", history.path, out / "model.pt", out / "summary.json"]
    samples = judged_output(trainer.generator, inputs)
    try:
        written += _figures(log, snaps, samples, trainer.real, out)
    except ImportError:
        print(f"note: the figures need matplotlib: {PLOT_HINT}", file=sys.stderr)
    took = f"{steps} iterations (seed {seed}) in {seconds:.1f} s"
    print(f"trained {kind.name} ({kind.summary}) for {took}")
    print(backend_line(backend_of(trainer)))
    numbers = ", ".join(
        f"{name} {value}" if isinstance(value, bool) else f"{name} {value:.4g}"
        for name, value in row.values.items()
    )
    print(f"judged on {len(inputs)} generated samples (fixed inputs): {numbers}")
    print(f"D's mean loss over the last {last} iterations: {recent:.3f}")
    print("wrote " + ", ".join(str(p) for p in written))
    return 0
