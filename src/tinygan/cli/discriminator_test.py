"""``tinygan discriminator-test``: the post's check that the discriminator can learn.

The discriminator (4-3-1) is trained on fuzzy ``1010`` (target 1.0) and fuzzy ``0101``
(target 0.0); then it is shown fresh samples of each. The post reports D(1010) ~ 0.94 and
D(0101) ~ 0.05.
"""

from __future__ import annotations

import argparse
import time
from typing import Any, cast

import torch

from tinygan.callbacks import LossLogger
from tinygan.cli._common import (
    CLIError,
    ProgressBar,
    add_quiet,
    backend_line,
    pattern,
    positive_float,
    positive_int,
    seed,
    show_progress,
)
from tinygan.data import FuzzyPattern
from tinygan.nets import mlp
from tinygan.protocols import DataSource
from tinygan.training import DiscriminatorTrainer

__all__ = ["add_parser", "run"]

#: How many fresh samples of each pattern the trained discriminator is shown.
EVAL_SAMPLES = 1000


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``discriminator-test`` command to the top-level parser's ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "discriminator-test",
        help="train the discriminator alone on a pattern and its opposite",
        description=(
            "The post's discriminator-only test: train the 4-3-1 discriminator to score "
            "the fuzzy pattern 1.0 and its opposite (0101 for 1010) 0.0, then print its "
            "mean score on fresh samples of each."
        ),
    )
    parser.add_argument(
        "--steps",
        type=positive_int,
        default=10_000,
        metavar="N",
        help="training iterations, each one real and one opposite sample (default: 10000)",
    )
    parser.add_argument(
        "--seed",
        type=seed,
        default=0,
        help="seeds the initial weights and every random draw (default: 0)",
    )
    parser.add_argument(
        "--pattern",
        type=pattern,
        default="1010",
        help="the pattern the discriminator calls real; its opposite is fake (default: 1010)",
    )
    parser.add_argument(
        "--lr",
        type=positive_float,
        default=0.01,
        help="learning rate of SGD, > 0 (default: 0.01)",
    )
    parser.add_argument(
        "--backend",
        choices=("auto", "autograd", "fused"),
        default="auto",
        help="what computes the iterations: auto (the fused step), autograd or fused, all "
        "the same numbers; the output names what ran (default: auto)",
    )
    add_quiet(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run ``tinygan discriminator-test``; return the exit status."""
    real = FuzzyPattern(args.pattern)
    fake = real.opposite()
    discriminator = mlp([real.dim, 3, 1], generator=torch.Generator().manual_seed(args.seed))
    log = LossLogger()
    progress = ProgressBar(args.steps, enabled=show_progress(args.quiet))
    try:
        trainer = DiscriminatorTrainer(
            discriminator,
            cast(DataSource, real),  # FuzzyPattern.dim is a read-only property
            cast(DataSource, fake),
            lr=args.lr,
            seed=args.seed,
            callbacks=[log, progress],
            backend=args.backend,
        )
    except ValueError as exc:  # a backend that cannot serve this trainer
        raise CLIError(str(exc)) from None
    start = time.perf_counter()
    trainer.fit(args.steps)
    seconds = time.perf_counter() - start

    rng = torch.Generator().manual_seed(args.seed)
    with torch.no_grad():
        on_real = float(discriminator(real.sample(EVAL_SAMPLES, generator=rng)).mean())
        on_fake = float(discriminator(fake.sample(EVAL_SAMPLES, generator=rng)).mean())
    last = min(1000, args.steps)
    d_loss = float(log.d_loss[-2 * last :].mean())
    print(
        f"trained the discriminator on {real.pattern} vs {fake.pattern} for {args.steps} "
        f"iterations (seed {args.seed}) in {seconds:.1f} s"
    )
    print(backend_line(trainer.backend_info()))
    print(f"D({real.pattern}) = {on_real:.3f}   (mean over {EVAL_SAMPLES} fresh samples; 1 = real)")
    print(f"D({fake.pattern}) = {on_fake:.3f}   (mean over {EVAL_SAMPLES} fresh samples; 0 = fake)")
    print(f"D's mean loss over the last {last} iterations: {d_loss:.4f}")
    return 0
