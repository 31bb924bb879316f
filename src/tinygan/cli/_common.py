"""What every ``tinygan`` subcommand shares: the parser class, argument types, progress bar.

The argument types here are for ``argparse``'s ``type=``: each turns a command-line string
into a value or raises :class:`argparse.ArgumentTypeError`, whose message argparse prints
as ``tinygan CMD: error: argument --NAME: MESSAGE`` before exiting with status 2.
"""

from __future__ import annotations

import argparse
import functools
import logging
import math
import sys
import warnings
from typing import IO, Any, NoReturn

from tinygan._checks import FLOAT32_MAX
from tinygan.callbacks import Callback

__all__ = [
    "show_warnings",
    "backend_line",
    "CLIError",
    "Parser",
    "ProgressBar",
    "add_force",
    "add_quiet",
    "non_negative_int",
    "pattern",
    "positive_float",
    "positive_int",
    "seed",
    "show_progress",
]


class CLIError(Exception):
    """A user error found after parsing (a bad ``--out``, a bad config file).

    :func:`tinygan.cli.main` prints it as one line, ``tinygan CMD: error: MESSAGE``, and
    returns exit status 2.
    """


class Parser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` whose errors are one line, exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: error: MESSAGE (see PROG --help)`` on stderr and exit with 2."""
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _integer(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, got {text!r}")
    return value


def non_negative_int(text: str) -> int:
    """An integer ``>= 0``."""
    return _integer(text, 0)


def positive_int(text: str) -> int:
    """An integer ``>= 1``."""
    return _integer(text, 1)


def positive_float(text: str) -> float:
    """A finite number ``> 0``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a positive finite number, got {text!r}"
        ) from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive finite number, got {text!r}")
    if value > FLOAT32_MAX:
        raise argparse.ArgumentTypeError(
            f"must be at most {FLOAT32_MAX:.4g} (float32's largest), got {text!r}"
        )
    return value


def seed(text: str) -> int:
    """An integer in ``[0, 2**64)``."""
    value = _integer(text, 0)
    if value >= 2**64:
        raise argparse.ArgumentTypeError(f"must be an integer in [0, 2**64), got {text!r}")
    return value


def pattern(text: str) -> str:
    """A non-empty string of ``0`` and ``1``, such as ``1010``."""
    if not text or any(ch not in "01" for ch in text):
        raise argparse.ArgumentTypeError(
            f"must be a non-empty string of 0 and 1 such as 1010, got {text!r}"
        )
    return text


def add_quiet(parser: argparse.ArgumentParser) -> None:
    """Add ``--quiet`` (no progress bar) to a subcommand's ``parser``."""
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar (there is none anyway when stderr is not a terminal)",
    )


def add_force(parser: argparse.ArgumentParser) -> None:
    """Add ``--force`` (write into a non-empty ``--out``) to a subcommand's ``parser``."""
    parser.add_argument(
        "--force",
        action="store_true",
        help="write into --out even if it already holds files (they may be overwritten)",
    )


def show_progress(quiet: bool, stream: IO[str] | None = None) -> bool:
    """Whether to draw a progress bar: not with ``--quiet``, and only on a terminal."""
    stream = sys.stderr if stream is None else stream
    if quiet:
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())


class ProgressBar(Callback):
    """A :mod:`tqdm` progress bar on stderr, one tick per iteration.

    Args:
        total: The number of iterations the bar counts to.
        enabled: Draw nothing when ``False``.
        desc: The bar's label.
    """

    def __init__(self, total: int, *, enabled: bool = True, desc: str = "training") -> None:
        self.total = total
        self.enabled = enabled
        self.desc = desc
        self._bar: Any = None

    def on_fit_start(self, trainer: Any) -> None:
        """Open the bar."""
        if self.enabled:
            from tqdm import tqdm

            self._bar = tqdm(
                total=self.total, desc=self.desc, unit="it", file=sys.stderr, mininterval=0.2
            )

    def on_step_end(self, trainer: Any, step: int, record: Any) -> None:
        """Advance the bar by one."""
        if self._bar is not None:
            self._bar.update(1)

    def on_fit_end(self, trainer: Any) -> None:
        """Close the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def backend_line(record: dict[str, Any]) -> str:
    """One line saying which backend ran, from its record (name, kernel build, seeds).

    >>> backend_line({"name": "fused", "seeds": 3})
    'backend: fused, 3 seeds'
    >>> backend_line({"name": "native", "source_sha256": "4cf4d61a7", "isa": "x86-64-v4"})
    'backend: native (kernel source 4cf4d61a, built for x86-64-v4)'
    >>> backend_line({"name": "fused", "requested": "native", "fallback": "no C compiler"})
    "backend: fused, in place of 'native' (no C compiler)"
    >>> backend_line({"name": "fused+native", "requested": "native", "seeds": {"fused": 1}})
    'backend: fused+native (fused 1 seeds)'
    """
    text = f"backend: {record['name']}"
    if "source_sha256" in record:
        text += f" (kernel source {record['source_sha256'][:8]}, built for {record['isa']})"
    seeds = record.get("seeds")
    if isinstance(seeds, dict):
        text += " (" + ", ".join(f"{name} {n} seeds" for name, n in seeds.items()) + ")"
    elif seeds is not None:
        text += f", {seeds} seeds"
    requested = record.get("requested", "auto")
    if requested not in ("auto", *record["name"].split("+")):  # "fused+native": some ran it
        text += f", in place of {requested!r}"
        text += f" ({record['fallback']})" if "fallback" in record else ""
    return text


def show_warnings(command: str) -> logging.Handler:
    """Print warnings as one line each on stderr, ``tinygan COMMAND: ...``, from now on.

    Python's warnings (``warnings.showwarning``, which a caller's
    :class:`warnings.catch_warnings` restores) and the ``tinygan`` logger's (a handler,
    returned for the caller to remove; the library gives the logger only a
    ``NullHandler``). Also a sweep's worker processes' initializer.
    """
    warnings.showwarning = functools.partial(_show_warning, command)
    shown = logging.StreamHandler(sys.stderr)
    shown.setLevel(logging.WARNING)
    shown.setFormatter(logging.Formatter(f"tinygan {command}: %(message)s"))
    logging.getLogger("tinygan").addHandler(shown)
    return shown


def _show_warning(command: str, message: Any, *args: Any, **kwargs: Any) -> None:
    """Print a warning as ``tinygan COMMAND: message`` (not where in the source it rose)."""
    print(f"tinygan {command}: {message}", file=sys.stderr)
