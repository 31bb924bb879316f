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
for the mixtures, 1,000 for images). For the mixtures every snapshot is taken on those
inputs too, so each panel and GIF frame is judged as the summary is; for images the
snapshots are the generator's images for the first 36 of them, the same at every
snapshot, ten snapshots evenly spaced, and ``samples.png`` sets the first 50 of the
judged images beside 50 real ones.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import torch

from tinygan.callbacks import CSVLogger, LossLogger, Snapshots
from tinygan.cli._common import CLIError, backend_line
from tinygan.cli._data import DataKind, set_the_post
from tinygan.cli._train_conditional import run_conditional
from tinygan.cli._train_output import (
    PLOT_HINT,
    backend_of,
    fit_and_save,
    prepare_out,
    recent_d_loss,
    write_judged,
)
from tinygan.data import GaussianMixture, ImageData
from tinygan.metrics import default_judge
from tinygan.sweeps.inputs import eval_count, eval_inputs, judged_output

__all__ = ["run_kind"]

_POST_ONLY = (
    "config", "pattern", "lr", "batch_size", "d_hidden", "metrics_every", "resume", "backend",
    "checkpoint_every",
)  # fmt: skip
_SNAPSHOTS = 10
_GRID = 36  # fixed inputs an image generator is snapshotted on (the GIF shows them all)


def _figures(
    log: LossLogger, snaps: Snapshots, samples: torch.Tensor, real: Any, out: Path, title: str
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
        plotting.plot_image_snapshots(snaps, shape, rows=_SNAPSHOTS).savefig(written[1], dpi=100)
        drawn = real.sample(50, generator=torch.Generator().manual_seed(0))
        beside = plotting.plot_generated_beside_real(samples, drawn, shape, title=title)
        beside.savefig(written[2], dpi=100)
        plotting.save_image_animation(snaps, shape, written[3], count=_GRID)
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
    auto = {"backend": "auto"}  # --backend auto goes with any kind
    given = [n for n in _POST_ONLY if getattr(args, n, None) not in (None, auto.get(n))]
    if given == ["backend"]:
        raise CLIError(
            f"--backend {args.backend}: a --data kind's recipe builds its trainer on the "
            "backend it serves best (summary.json records it); --backend goes with --data "
            "pattern, or leave it at auto"
        )
    if given:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise CLIError(f"{flags} {set_the_post(given)}")
    if getattr(args, "conditional", False):
        return run_conditional(args, kind)
    seed = 0 if args.seed is None else args.seed
    steps = kind.default_steps() if args.steps is None else args.steps
    every = args.snapshot_every or max(1, steps // _SNAPSHOTS)
    recipe = kind.load()
    options: dict[str, Any] = {"root": args.root} if kind.files else {}
    objective = getattr(args, "objective", None)
    if objective is not None:  # in place of the recipe's own loss
        options["objective"] = objective
    try:
        trainer = recipe(seed, **options)
    except (FileNotFoundError, ValueError) as exc:  # the files under --root
        raise CLIError(str(exc)) from None
    out = Path(args.out)
    prepare_out(out, force=args.force)
    judge = default_judge(trainer.real)
    inputs = eval_inputs(trainer.noise, count=eval_count(judge))
    grid = inputs[:_GRID] if isinstance(trainer.real, ImageData) else inputs
    log, snaps = LossLogger(), Snapshots(every=every, inputs=grid)
    history = CSVLogger(out / "history.csv")
    config = {"data": kind.name, "recipe": kind.recipe, "seed": seed, "steps": steps}
    seconds = fit_and_save(trainer, config, args, [log, snaps, history], steps, out)
    if seconds is None:
        return 130
    last, recent = recent_d_loss(log, trainer.iteration)
    settings = {**config, "seconds": round(seconds, 3)}
    row = write_judged(trainer, (last, recent), seed, settings, out / "summary.json", judge)
    written = [out / "config.json", history.path, out / "model.pt", out / "summary.json"]
    samples = judged_output(trainer.generator, inputs)
    what = "images" if isinstance(trainer.real, ImageData) else "samples"
    title = (
        f"{kind.name}, seed {seed}, {trainer.iteration:,} iterations: the first 50 of the "
        f"{len(inputs):,} judged {what} ({'succeeds' if row.success else 'fails'})"
    )
    try:
        written += _figures(log, snaps, samples, trainer.real, out, title)
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
