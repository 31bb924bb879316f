"""Settings shared by every test."""

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def kernel_cache(tmp_path_factory):
    """Build the native kernel into a folder of this session, not the user's cache."""
    saved = os.environ.get("TINYGAN_CACHE_DIR")
    os.environ["TINYGAN_CACHE_DIR"] = str(tmp_path_factory.mktemp("kernel-cache"))
    yield
    if saved is None:
        os.environ.pop("TINYGAN_CACHE_DIR", None)
    else:
        os.environ["TINYGAN_CACHE_DIR"] = saved


@pytest.fixture(autouse=True, scope="session")
def ctrl_c_raises():
    """Ctrl-C raises KeyboardInterrupt in the tests, as in a terminal.

    A shell starts a background job (``cmd &``, ``nohup``) with SIGINT ignored, and
    Python then leaves it ignored; the Ctrl-C tests send SIGINT and expect Python's own
    handler, so they put it back for the session.
    """
    import signal

    before = signal.getsignal(signal.SIGINT)
    if before is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    if before is signal.SIG_IGN:
        signal.signal(signal.SIGINT, before)
