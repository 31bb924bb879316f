"""``tinygan train``: train the post's GAN and write its files into one folder.

``tinygan train --out run`` writes:

- ``config.json``: every setting of the run; ``tinygan train --config run/config.json
  --out run2`` reruns it, bit for bit (its ``backend`` is the setting, ``trained_by``
  what runs);
- ``history.csv``: one row per iteration, ``step,d_loss_real,d_loss_fake,g_loss,g_error``
  (``g_error``: the generator's mean squared error to the reference pattern, the post's
  "progress");
- ``losses.png`` and ``snapshots.png``: the post's figures (needs matplotlib);
- ``summary.json``: the pattern's judge (:func:`tinygan.metrics.pattern_judge`) on the
  trained generator, the numbers a sweep gives each seed, under the judge's names, and the
  ``backend`` that ran;
- ``model.pt``: ``{"generator": state_dict, "discriminator": state_dict}``, loadable with
  ``torch.load(path, weights_only=True)``;
- ``checkpoints/``: a checkpoint every ``--checkpoint-every`` iterations (the last three
  kept) and one when the run ends, however it ends;

``--data ring8|grid25|digits`` trains another kind of data instead (see ``_train_kind``).
Then it prints a short summary, with the generator's health (:mod:`tinygan.metrics`).
``history.csv`` also has the health metrics as columns, filled every ``--metrics-every``
iterations.

On Ctrl-C the run writes a checkpoint of the last whole iteration, prints the command
that resumes it and exits with status 130. ``tinygan train --resume DIR [--steps N]``
continues the run in ``DIR`` from its newest checkpoint up to ``--steps`` iterations in
all (by default the run's own ``steps``), appending to ``history.csv``: the result is
the same, bit for bit, as a run that was never interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import warnings
from pathlib import Path
from typing import Any, cast

from tinygan.callbacks import (
    Checkpoint,
    LossLogger,
    Metrics,
    Snapshots,
    latest_checkpoint,
)
from tinygan.checkpoint import CheckpointError, load_checkpoint, read_checkpoint
from tinygan.cli._common import (
    CLIError,
    ProgressBar,
    add_force,
    add_quiet,
    backend_line,
    show_progress,
)
from tinygan.cli._data import add_data_argument, kind_of
from tinygan.cli._resume import (
    CHECKPOINTS,
    HistoryLogger,
    clear_checkpoints,
    health_lines,
    resume_command,
    truncate_history,
)
from tinygan.cli._train_config import (
    FILES,
    SETTING_TYPES,
    TrainConfig,
    build_trainer,
    reference_for,
    resolve_config,
    resume_config,
)
from tinygan.cli._train_kind import run_kind
from tinygan.cli._train_output import (
    PLOT_HINT,
    backend_of,
    check_out,
    prepare_out,
    save_model,
    summarize,
    write_figures,
    write_summary,
)

__all__ = [
    "TrainConfig",
    "add_parser",
    "build_trainer",
    "prepare_out",
    "reference_for",
    "resolve_config",
    "run",
    "summarize",
    "write_figures",
]

logger = logging.getLogger(__name__)

# The settings' options: metavar and help (their parsers are TrainConfig's own).
_HELP = {
    "pattern": ("PATTERN", "the pattern of 0 and 1 the real data fuzzes"),
    "steps": ("N", "training iterations, each of three steps"),
    "seed": ("SEED", "seeds the initial weights and every random draw: the same run"),
    "lr": ("LR", "learning rate of SGD for both networks, > 0"),
    "batch_size": ("N", "samples per step"),
    "snapshot_every": ("N", "snapshot the generator's output every N iterations"),
    "d_hidden": ("N", "the discriminator's hidden width (the post's is 3)"),
    "metrics_every": ("N", "measure G's health (see docs/metrics) every N iterations"),
    "checkpoint_every": ("N", f"write DIR/{CHECKPOINTS}/checkpoint-<N>.pt every N, keep 3"),
    "objective": (
        "NAME",
        "how the losses come from D's scores: least-squares (the post's), "
        "minimax, non-saturating, wgan-gp or hinge",
    ),
    "backend": (
        "NAME",
        "what computes the iterations: auto, autograd, fused or native (C, "
        "within float tolerance); summary.json records what ran",
    ),
}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``train`` command to the top-level parser's ``subparsers``."""
    defaults = TrainConfig()
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "train",
        help="train the post's GAN and write its history, figures and weights",
        description=(
            "Train the GAN of 'Make Your Own GAN, Part II' (generator 4-4-4, discriminator "
            "4-3-1, sigmoid, MSE loss, plain SGD, one sample per step) and write into --out: "
            "config.json, history.csv (one row per iteration), losses.png, snapshots.png "
            "and model.pt (state dicts of both networks), and checkpoints/ as it goes. "
            "Then print a summary, with the generator's health. On Ctrl-C, write a "
            "checkpoint, print the command that resumes (--resume DIR) and exit with 130."
        ),
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder to write the run's files into (created if needed)",
    )
    where.add_argument(
        "--resume",
        type=Path,
        metavar="DIR",
        help="continue the run in DIR from its newest checkpoint, up to --steps iterations "
        "in all (default: the run's own), appending to its history.csv; no other setting "
        "may be given",
    )
    add_force(parser)
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="read settings from a config.json written by an earlier run; options given "
        "on the command line override them",
    )
    what = "trained by its recipe in tinygan.recipes and drawn in its own figures"
    add_data_argument(parser, what, files=True)
    for name, (metavar, text) in _HELP.items():
        default = getattr(defaults, name)
        parser.add_argument(
            "--" + name.replace("_", "-"), type=SETTING_TYPES[name], metavar=metavar,
            help=f"{text} (default: {default})",
        )  # fmt: skip
    parser.add_argument(
        "--conditional",
        action="store_true",
        help="with --data digits (or mnist): a conditional GAN that draws the digit it is "
        "asked for; writes classes.png and classes.gif, and summary.json's label_accuracy",
    )
    add_quiet(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run ``tinygan train``; return the exit status."""
    kind = kind_of(args)  # --root checked against --data
    if kind is None and args.conditional:
        raise CLIError("--conditional needs labelled images: --data digits or mnist")
    if kind is not None:
        return run_kind(args, kind)
    resuming = args.resume is not None
    if resuming:
        config, out = resume_config(args), cast(Path, args.resume)
    else:
        config, out = resolve_config(args), cast(Path, args.out)
        check_out(out, force=args.force)  # before the trainer (and its kernel) is built
    try:  # before any file: a backend that cannot serve the objective is a usage error
        trainer = build_trainer(config, [])
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    if not resuming:
        prepare_out(out, force=args.force)
    paths = {role: out / name for role, name in FILES.items()}
    folder = out / CHECKPOINTS
    found = latest_checkpoint(folder) if resuming else None
    if resuming:
        if found is None:
            raise CLIError(f"--resume {out}: no checkpoint in {folder} to resume from")
        found = _readable_checkpoint(out, folder, found)
    else:
        clear_checkpoints(folder)

    reference = reference_for(config.pattern)
    log = LossLogger(reference=reference)
    snapshots = Snapshots(every=config.snapshot_every)
    metrics = Metrics(every=config.metrics_every, seed=config.seed)
    history = HistoryLogger(
        paths["history"],
        metrics=metrics,
        dim=len(config.pattern),
        reference=reference,
        append=resuming,
    )
    saver = Checkpoint(folder, every=config.checkpoint_every, keep=3)
    trainer.callbacks += [log, snapshots, metrics, history]
    if found is not None:
        try:
            load_checkpoint(found, trainer)
        except CheckpointError as exc:
            raise CLIError(str(exc)) from None
        if trainer.iteration > config.steps:
            raise CLIError(
                f"--resume {out}: its checkpoint is at iteration {trainer.iteration}, past "
                f"--steps {config.steps}"
            )
        truncate_history(paths["history"], trainer.iteration)
    # Only now, with every check passed: a refused --resume leaves the run as it was.
    settings = {**config.to_json(), "trained_by": backend_of(trainer)}  # what runs: asked or not
    paths["config"].write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    first = trainer.iteration
    remaining = config.steps - first
    trainer.callbacks += [ProgressBar(remaining, enabled=show_progress(args.quiet)), saver]

    start = time.perf_counter()
    try:
        trainer.fit(remaining)
    except KeyboardInterrupt:
        print(
            f"\ninterrupted at iteration {trainer.iteration} of {config.steps}; "
            f"checkpoint: {saver.last_saved}\nresume with: {resume_command(out)}",
            file=sys.stderr,
        )
        return 130
    seconds = time.perf_counter() - start

    save_model(trainer, paths["model"])
    summary = write_summary(trainer, log, config, paths["summary"])
    written = [paths["config"], paths["history"], paths["model"], paths["summary"]]
    missing_plots = False
    try:
        written += write_figures(log, snapshots, out, trainer.objective)
    except ImportError:
        missing_plots = True

    done = f"from iteration {first} to {config.steps}" if resuming else f"for {config.steps}"
    print(
        f"trained the post's GAN on {config.pattern} {done} iterations "
        f"(seed {config.seed}) in {seconds:.1f} s"
    )
    print(backend_line(backend_of(trainer)))
    for line in summarize(trainer, log, config):
        print(line)
    print(summary)
    for line in health_lines(trainer, config.seed):
        print(line)
    print("wrote " + ", ".join(str(p) for p in written) + f", and checkpoints in {folder}")
    if missing_plots:
        print(
            f"note: matplotlib is not installed, so {FILES['losses']} and "
            f"{FILES['snapshots']} were not drawn; {PLOT_HINT} and rerun",
            file=sys.stderr,
        )
    return 0


def _readable_checkpoint(out: Path, folder: Path, newest: Path) -> Path:
    """The newest checkpoint that can be read; one passed over is warned of, and kept.

    Raises:
        CLIError: If none can be read, naming why the newest cannot.
    """
    found = latest_checkpoint(folder, readable=True)
    if found == newest:
        return found
    try:
        read_checkpoint(newest)
        reason = "it cannot be read"
    except CheckpointError as exc:
        reason = str(exc)
    if found is None:
        raise CLIError(f"--resume {out}: no checkpoint in {folder} can be read: {reason}")
    warnings.warn(
        f"{reason}; resuming from {found.name}, the newest that can be read (the other is "
        "left where it is)",
        RuntimeWarning,
        stacklevel=2,
    )
    return found
