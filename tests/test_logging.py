"""The ``tinygan`` logger: a ``NullHandler`` only, as the logging HOWTO asks of a library."""

from __future__ import annotations

import logging
import subprocess
import sys

import tinygan  # noqa: F401 - importing the package sets up its logger


def _stderr_of(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_the_library_logger_has_a_null_handler_and_nothing_else() -> None:
    logger = logging.getLogger("tinygan")
    assert [type(h) for h in logger.handlers] == [logging.NullHandler]
    assert logger.level == logging.NOTSET and logger.propagate  # the application decides


def test_an_unconfigured_application_is_not_written_to() -> None:
    # Without the NullHandler, Python's last-resort handler prints warnings to stderr.
    code = "import logging, tinygan; logging.getLogger('tinygan.sweeps').warning('quiet')"
    assert _stderr_of(code) == ""


def test_an_application_that_configures_logging_sees_every_message_once() -> None:
    code = (
        "import logging, tinygan; logging.basicConfig(format='%(name)s: %(message)s'); "
        "logging.getLogger('tinygan.sweeps').warning('shown')"
    )
    assert _stderr_of(code) == "tinygan.sweeps: shown\n"
