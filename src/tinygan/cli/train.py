"""``tinygan train``: train the post's GAN and write its files into one folder.

``tinygan train --out run`` writes:

- ``config.json``: every setting of the run; ``tinygan train --config run/config.json
  --out run2`` reruns it, bit for bit;
- ``history.csv``: one row per iteration, ``step,d_loss_real,d_loss_fake,g_loss,g_error``
  (``g_error``: the generator's mean squared error to the reference pattern, the post's
  "progress");
- ``losses.png`` and ``snapshots.png``: the post's figures (needs matplotlib);
- ``model.pt``: ``{"generator": state_dict, "discriminator": state_dict}``, loadable with
  ``torch.load(path, weights_only=True)``;
- ``checkpoints/``: a checkpoint every ``--checkpoint-every`` iterations (the last three
  kept) and one when the run ends, however it ends;

then prints a short summary, with the generator's health (:mod:`tinygan.metrics`).
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
import math
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, cast

import torch

from tinygan._version import __version__
from tinygan.autosave import Checkpoint, latest_checkpoint
from tinygan.callbacks import Callback, LossLogger, Snapshots
from tinygan.checkpoint import CheckpointError, load_checkpoint
from tinygan.cli._common import (
    CLIError,
    ProgressBar,
    pattern,
    positive_float,
    positive_int,
    seed,
    show_progress,
)
from tinygan.cli._resume import (
    CHECKPOINTS,
    HistoryLogger,
    clear_checkpoints,
    health_lines,
    resume_command,
    truncate_history,
)
from tinygan.data import FuzzyPattern, UniformNoise
from tinygan.monitors import Metrics
from tinygan.nets import mlp
from tinygan.protocols import DataSource
from tinygan.training import AdversarialTrainer

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

#: The files a run writes, by role.
FILES = {
    "config": "config.json",
    "history": "history.csv",
    "losses": "losses.png",
    "snapshots": "snapshots.png",
    "model": "model.pt",
}

_PLOT_HINT = 'pip install "tinygan[plot]"'


@dataclass(frozen=True)
class TrainConfig:
    """Every setting of a ``tinygan train`` run: what ``config.json`` holds.

    Attributes:
        pattern: The real data's pattern, such as ``"1010"``.
        steps: Training iterations.
        seed: Seeds the networks' initial weights and the trainer's random draws.
        lr: The learning rate of plain SGD, for both networks.
        batch_size: Samples per step.
        snapshot_every: Take a snapshot of the generator's output every this many
            iterations.
        d_hidden: The discriminator's hidden width (the post's is 3).
        metrics_every: Measure the generator's health every this many iterations.
        checkpoint_every: Write a checkpoint every this many iterations.
    """

    pattern: str = "1010"
    steps: int = 10_000
    seed: int = 0
    lr: float = 0.01
    batch_size: int = 1
    snapshot_every: int = 1000
    d_hidden: int = 3
    metrics_every: int = 1000
    checkpoint_every: int = 1000

    @property
    def generator_sizes(self) -> list[int]:
        """Layer widths of the generator, the pattern's length three times (post 4-4-4)."""
        n = len(self.pattern)
        return [n, n, n]

    @property
    def discriminator_sizes(self) -> list[int]:
        """Layer widths of the discriminator (post 4-3-1)."""
        return [len(self.pattern), self.d_hidden, 1]

    def to_json(self) -> dict[str, Any]:
        """The settings, plus what was derived from them and the versions used."""
        return {
            **asdict(self),
            "generator_sizes": self.generator_sizes,
            "discriminator_sizes": self.discriminator_sizes,
            "reference": reference_for(self.pattern),
            "tinygan_version": __version__,
            "torch_version": torch.__version__,
        }


# How each setting is read from the command line (and checked when read from a file).
_TYPES: dict[str, Callable[[str], Any]] = {
    "pattern": pattern,
    "steps": positive_int,
    "seed": seed,
    "lr": positive_float,
    "batch_size": positive_int,
    "snapshot_every": positive_int,
    "d_hidden": positive_int,
    "metrics_every": positive_int,
    "checkpoint_every": positive_int,
}


def reference_for(pattern: str) -> list[float]:
    """The post's reference output for a pattern: 0.9 for each 1 and 0.0 for each 0.

    The post measures its generator's progress as the mean squared error to
    ``[0.9, 0.0, 0.9, 0.0]``.

    >>> reference_for("1010")
    [0.9, 0.0, 0.9, 0.0]
    """
    return [0.9 if ch == "1" else 0.0 for ch in pattern]


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
    parser.add_argument(
        "--force",
        action="store_true",
        help="write into --out even if it already holds files (they may be overwritten)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="read settings from a config.json written by an earlier run; options given "
        "on the command line override them",
    )
    parser.add_argument(
        "--pattern",
        type=pattern,
        help=f"the pattern of 0 and 1 the real data fuzzes (default: {defaults.pattern})",
    )
    parser.add_argument(
        "--steps",
        type=positive_int,
        metavar="N",
        help=f"training iterations, each of three steps (default: {defaults.steps})",
    )
    parser.add_argument(
        "--seed",
        type=seed,
        help="seeds the initial weights and every random draw; the same seed gives the "
        f"same run (default: {defaults.seed})",
    )
    parser.add_argument(
        "--lr",
        type=positive_float,
        help=f"learning rate of SGD for both networks, > 0 (default: {defaults.lr})",
    )
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        metavar="N",
        help=f"samples per step (default: {defaults.batch_size}, as the post)",
    )
    parser.add_argument(
        "--snapshot-every",
        type=positive_int,
        metavar="N",
        help="snapshot the generator's output every N iterations, for snapshots.png "
        f"(default: {defaults.snapshot_every})",
    )
    parser.add_argument(
        "--d-hidden",
        type=positive_int,
        metavar="N",
        help=f"the discriminator's hidden width (default: {defaults.d_hidden}, as the post)",
    )
    parser.add_argument(
        "--metrics-every",
        type=positive_int,
        metavar="N",
        help="measure G's health (share inside the real ranges, distance to their centres, "
        f"spread ratio, D's scores) every N iterations (default: {defaults.metrics_every})",
    )
    parser.add_argument(
        "--checkpoint-every",
        type=positive_int,
        metavar="N",
        help=f"write DIR/{CHECKPOINTS}/checkpoint-<iteration>.pt every N iterations, keeping "
        f"the last three (default: {defaults.checkpoint_every})",
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar (there is none anyway when stderr is not a terminal)",
    )
    parser.set_defaults(run=run)
    return parser


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CLIError(f"cannot read --config {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise CLIError(f"--config {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise CLIError(f"--config {path} must hold a JSON object, got {type(data).__name__}")
    settings: dict[str, Any] = {}
    for name, parse in _TYPES.items():
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise CLIError(f"--config {path}: {name} has a bad value {value!r}")
        try:
            settings[name] = parse(str(value))
        except argparse.ArgumentTypeError as exc:
            raise CLIError(f"--config {path}: {name} {exc}") from None
    return settings


def resolve_config(args: argparse.Namespace) -> TrainConfig:
    """Merge the defaults, ``--config`` and the command line (which wins) into a config.

    Raises:
        CLIError: If the config file cannot be read or holds a bad value.
    """
    settings: dict[str, Any] = {}
    if getattr(args, "config", None) is not None:
        settings.update(_read_config_file(args.config))
    for field in fields(TrainConfig):
        value = getattr(args, field.name, None)
        if value is not None:
            settings[field.name] = value
    return TrainConfig(**settings)


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


def build_trainer(config: TrainConfig, callbacks: list[Callback]) -> AdversarialTrainer:
    """Build the post's GAN for ``config``: weights drawn from ``config.seed``.

    The generator's and then the discriminator's weights come from one
    :class:`torch.Generator` seeded with ``config.seed``; the trainer's own draws come from
    its ``rng``, seeded with the same seed.
    """
    init = torch.Generator().manual_seed(config.seed)
    generator = mlp(config.generator_sizes, generator=init)
    discriminator = mlp(config.discriminator_sizes, generator=init)
    return AdversarialTrainer(
        generator,
        discriminator,
        # cast: FuzzyPattern.dim is a read-only property; DataSource declares an attribute.
        cast(DataSource, FuzzyPattern(config.pattern)),
        UniformNoise(len(config.pattern)),
        lr=config.lr,
        batch_size=config.batch_size,
        seed=config.seed,
        callbacks=callbacks,
    )


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


def _resume_config(args: argparse.Namespace) -> TrainConfig:
    """The settings of the run in ``args.resume``, with ``--steps`` if given.

    Raises:
        CLIError: If another setting is given, or the run's config.json is unusable.
    """
    given = [f.name for f in fields(TrainConfig) if f.name != "steps"]
    given = [name for name in given if getattr(args, name, None) is not None]
    if given or args.config is not None or args.force:
        names = ", ".join("--" + n.replace("_", "-") for n in given) or "--config/--force"
        raise CLIError(
            f"{names} cannot be given with --resume: the run's settings come from "
            f"{args.resume / FILES['config']} (only --steps and --quiet may be given)"
        )
    path = args.resume / FILES["config"]
    if not path.is_file():
        raise CLIError(f"--resume {args.resume} is not a run's folder: it has no {path.name}")
    settings = _read_config_file(path)
    if args.steps is not None:
        settings["steps"] = args.steps
    return TrainConfig(**settings)


def run(args: argparse.Namespace) -> int:
    """Run ``tinygan train``; return the exit status."""
    resuming = args.resume is not None
    if resuming:
        config, out = _resume_config(args), cast(Path, args.resume)
    else:
        config, out = resolve_config(args), cast(Path, args.out)
        prepare_out(out, force=args.force)
    paths = {role: out / name for role, name in FILES.items()}
    folder = out / CHECKPOINTS
    found = latest_checkpoint(folder) if resuming else None
    if resuming:
        if found is None:
            raise CLIError(f"--resume {out}: no checkpoint in {folder} to resume from")
    else:
        clear_checkpoints(folder)
    paths["config"].write_text(json.dumps(config.to_json(), indent=2) + "\n", encoding="utf-8")

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
    trainer = build_trainer(config, [log, snapshots, metrics, history])
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

    torch.save(
        {
            "generator": trainer.generator.state_dict(),  # type: ignore[attr-defined]
            "discriminator": trainer.discriminator.state_dict(),  # type: ignore[attr-defined]
        },
        paths["model"],
    )
    written = [paths["config"], paths["history"], paths["model"]]
    missing_plots = False
    try:
        written += write_figures(log, snapshots, out)
    except ImportError:
        missing_plots = True

    done = f"from iteration {first} to {config.steps}" if resuming else f"for {config.steps}"
    print(
        f"trained the post's GAN on {config.pattern} {done} iterations "
        f"(seed {config.seed}) in {seconds:.1f} s"
    )
    for line in summarize(trainer, log, config):
        print(line)
    for line in health_lines(trainer, config.seed):
        print(line)
    print("wrote " + ", ".join(str(p) for p in written) + f", and checkpoints in {folder}")
    if missing_plots:
        print(
            f"note: matplotlib is not installed, so {FILES['losses']} and "
            f"{FILES['snapshots']} were not drawn; {_PLOT_HINT} and rerun",
            file=sys.stderr,
        )
    return 0
