"""The settings of a ``tinygan train`` run, and where they are read from.

:class:`TrainConfig` comes from the command line over a ``config.json``
(:func:`resolve_config`), or from the folder of a run to resume (:func:`resume_config`).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, cast

import torch

from tinygan._version import __version__
from tinygan.callbacks import Callback
from tinygan.cli._common import CLIError, pattern, positive_float, positive_int, seed
from tinygan.data import FuzzyPattern, UniformNoise
from tinygan.nets import mlp
from tinygan.objectives import NAMES
from tinygan.protocols import DataSource
from tinygan.training import AdversarialTrainer

__all__ = [
    "BACKENDS",
    "SETTING_TYPES",
    "build_trainer",
    "FILES",
    "TrainConfig",
    "read_config_file",
    "reference_for",
    "resolve_config",
    "resume_config",
]

#: The files a run writes, by role.
FILES = {
    "config": "config.json",
    "history": "history.csv",
    "losses": "losses.png",
    "snapshots": "snapshots.png",
    "model": "model.pt",
    "summary": "summary.json",
}


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
        backend: What computes the iterations (``AdversarialTrainer(backend=...)``):
            ``auto``, ``autograd``, ``fused`` or ``native``.
        objective: How the losses come from D's scores (see :mod:`tinygan.objectives`):
            ``least-squares`` (the post's), ``minimax``, ``non-saturating``,
            ``wgan-gp`` or ``hinge``.
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
    backend: str = "auto"
    objective: str = "least-squares"

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


BACKENDS = ("auto", "autograd", "fused", "native")
"""The backends ``tinygan train`` takes for the post's GAN (see :mod:`tinygan.engine.table`)."""


def _choice(choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in choices:
            raise argparse.ArgumentTypeError(f"must be one of {', '.join(choices)}, got {text!r}")
        return text

    return parse


_backend = _choice(BACKENDS)
objective_name = _choice(tuple(NAMES))


# How each setting is read from the command line (and checked when read from a file).
SETTING_TYPES: dict[str, Callable[[str], Any]] = {
    "pattern": pattern,
    "steps": positive_int,
    "seed": seed,
    "lr": positive_float,
    "batch_size": positive_int,
    "snapshot_every": positive_int,
    "d_hidden": positive_int,
    "metrics_every": positive_int,
    "checkpoint_every": positive_int,
    "backend": _backend,
    "objective": objective_name,
}


def reference_for(pattern: str) -> list[float]:
    """The post's reference output for a pattern: 0.9 for each 1 and 0.0 for each 0.

    The post measures its generator's progress as the mean squared error to
    ``[0.9, 0.0, 0.9, 0.0]``.

    >>> reference_for("1010")
    [0.9, 0.0, 0.9, 0.0]
    """
    return [0.9 if ch == "1" else 0.0 for ch in pattern]


_RECORDED = {
    "data", "generator_sizes", "discriminator_sizes", "reference", "tinygan_version",
    "torch_version", "trained_by",
}  # fmt: skip
"""What a run's config.json records beside its settings (derived, not read back)."""


def read_config_file(path: Path, label: str | None = None) -> dict[str, Any]:
    """The settings in a run's ``config.json`` (``label`` names it in errors: ``--config PATH``).

    Raises:
        CLIError: If it cannot be read, holds something else than a pattern run's
            settings, or a bad value.
    """
    label = label or f"--config {path}"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CLIError(f"cannot read {label}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise CLIError(f"{label} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise CLIError(f"{label} must hold a JSON object, got {type(data).__name__}")
    kind = data.get("data", "pattern")
    if kind != "pattern":  # a --data run's config.json records its recipe's settings
        raise CLIError(
            f"{label} is a --data {kind} run's: its settings are its recipe's, and it keeps no "
            f"checkpoints; "
            f"train it again with tinygan train --data {kind} --seed {data.get('seed', 0)} "
            f"--steps {data.get('steps')}"
        )
    unknown = sorted(set(data) - set(SETTING_TYPES) - _RECORDED)
    if unknown:  # a misspelt setting would be left out without a word
        raise CLIError(
            f"{label}: unknown settings {', '.join(map(repr, unknown))} (the "
            f"settings are {', '.join(SETTING_TYPES)})"
        )
    settings: dict[str, Any] = {}
    for name, parse in SETTING_TYPES.items():
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise CLIError(f"{label}: {name} has a bad value {value!r}")
        try:
            settings[name] = parse(str(value))
        except argparse.ArgumentTypeError as exc:
            raise CLIError(f"{label}: {name} {exc}") from None
    return settings


def resolve_config(args: argparse.Namespace) -> TrainConfig:
    """Merge the defaults, ``--config`` and the command line (which wins) into a config.

    Raises:
        CLIError: If the config file cannot be read or holds a bad value.
    """
    settings: dict[str, Any] = {}
    if getattr(args, "config", None) is not None:
        settings.update(read_config_file(args.config))
    for field in fields(TrainConfig):
        value = getattr(args, field.name, None)
        if value is not None:
            settings[field.name] = value
    return TrainConfig(**settings)


def resume_config(args: argparse.Namespace) -> TrainConfig:
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
    settings = read_config_file(path, f"--resume {args.resume}'s {path.name}")
    missing = [name for name in _CORE if name not in settings]
    if missing:  # not what tinygan train wrote: its defaults would train another run
        raise CLIError(
            f"--resume {args.resume}'s {path.name} lacks {', '.join(missing)}: it is not "
            "the config.json of a run tinygan train wrote"
        )
    if args.steps is not None:
        settings["steps"] = args.steps
    return TrainConfig(**settings)


_CORE = ("pattern", "steps", "seed", "lr", "batch_size")
"""The settings every run's config.json has held."""


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
        backend=config.backend,
        objective=config.objective,
    )
