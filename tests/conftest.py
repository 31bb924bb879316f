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
