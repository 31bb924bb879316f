"""The ``tinygan`` command line: ``tinygan COMMAND [OPTIONS]`` or ``python -m tinygan``.

Each command is a module in this package that defines two functions:

- ``add_parser(subparsers)`` adds the command's parser (with ``help`` and a description
  for ``--help``) to the ``subparsers`` of the top-level parser, and calls
  ``parser.set_defaults(run=run)``;
- ``run(args) -> int`` does the work and returns the exit status.

:data:`COMMANDS` lists the modules, in the order ``tinygan --help`` shows them; to add a
command, write its module and add its name there.

Exit status: 0 on success, 2 for a usage error (a bad argument, an existing ``--out``),
printed as one line ``tinygan CMD: error: ...`` without a traceback, and 130 when
interrupted with Ctrl-C. While a command runs, Python's warnings and the library's
logged warnings (logger ``"tinygan"``, which has only a ``NullHandler`` of its own) are
printed to stderr as one line each, ``tinygan CMD: ...``.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import os
import sys
import warnings
from collections.abc import Sequence

from tinygan._version import __version__
from tinygan.cli._common import CLIError, Parser, show_warnings

__all__ = ["COMMANDS", "CLIError", "Parser", "build_parser", "console", "main"]

#: The command modules under :mod:`tinygan.cli`, in the order ``--help`` lists them.
COMMANDS: list[str] = ["train", "discriminator_test", "sweep"]


def build_parser() -> Parser:
    """Build the top-level parser with every command in :data:`COMMANDS`."""
    parser = Parser(
        prog="tinygan",
        description=(
            "Train the tiny GAN of 'Make Your Own GAN, Part II' and write its figures. "
            "Run 'tinygan COMMAND --help' for a command's options."
        ),
    )
    parser.add_argument("--version", action="version", version=f"tinygan {__version__}")
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMANDS:
        module = importlib.import_module(f"tinygan.cli.{name}")
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``tinygan`` command line.

    Args:
        argv: The arguments after the program name; ``sys.argv[1:]`` when ``None``.

    Returns:
        The exit status: 0 on success, 2 on a usage error or a missing extra (one line
        naming it), 130 when interrupted, 1
        when the output's reader went away (``tinygan sweep ... | head``).
        (``--help``, ``--version`` and argument errors exit through :class:`SystemExit`,
        as :mod:`argparse` does.)
    """
    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    with warnings.catch_warnings():  # Python's way of showing warnings: put back after
        shown = show_warnings(args.command)
        try:
            return _run(args)
        finally:
            logging.getLogger("tinygan").removeHandler(shown)


def _run(args: argparse.Namespace) -> int:
    """Run the parsed command; its exit status, with the errors :func:`main` describes."""
    try:
        status: int = args.run(args)
    except CLIError as exc:
        print(f"tinygan {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        if 'pip install "tinygan[' not in str(exc):
            raise  # not a missing extra: a bug to see whole
        print(f"tinygan {args.command}: error: {exc}", file=sys.stderr)  # one line
        return 2
    except KeyboardInterrupt:
        print(f"tinygan {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (``| head``): stop quietly
        _silence_stdout()
        return 1
    return status


def console() -> None:
    """The ``tinygan`` program (and ``python -m tinygan``): :func:`main`, then exit.

    The program imports torch, the library and every command first, then freezes the
    objects of those imports (``gc.freeze()``): they live as long as the process, so
    the garbage collector need not walk their hundreds of thousands of objects again,
    at each full collection or at exit. That saves about half a second per process.
    """
    gc.disable()  # no collection in the middle of the imports either
    try:
        for name in COMMANDS:
            importlib.import_module(f"tinygan.cli.{name}")
    finally:
        gc.freeze()
        gc.enable()
    sys.exit(main())


def _silence_stdout() -> None:
    """Point stdout at the null device, so that flushing it at exit raises nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # no file descriptor (a test's capture)
        pass
