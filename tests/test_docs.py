"""The docs cover the public API, and their build settings hold together.

The docs themselves are built (and their code run) by ``scripts/check``:
``sphinx-build -W -n -b html`` and ``-b doctest``.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import tinygan as tg

DOCS = Path(__file__).resolve().parent.parent / "docs"


def documented_names() -> set[str]:
    text = (DOCS / "api.rst").read_text()
    return set(
        re.findall(r"^\.\. auto(?:class|function|exception|data)::\s+tinygan\.(\w+)", text, re.M)
    )


def test_api_page_covers_every_public_name() -> None:
    names = documented_names()
    modules = set(
        re.findall(r"^\.\. automodule::\s+tinygan\.(\w+)", (DOCS / "api.rst").read_text(), re.M)
    )
    missing = [
        name
        for name in tg.__all__
        if not name.startswith("__") and name not in names and name not in modules
    ]
    assert not missing, f"docs/api.rst does not document {missing}"


def test_every_page_is_in_a_toctree() -> None:
    index = (DOCS / "index.rst").read_text()
    for page in (
        "installation",
        "quickstart",
        "tutorial",
        "custom_trainers",
        "callbacks",
        "cli",
        "api",
    ):
        assert re.search(rf"^\s+{page}$", index, re.M), page


def read_inventory(path: Path) -> dict[str, tuple[str, str]]:
    data = path.read_bytes()
    lines = data.split(b"\n", 4)
    assert lines[0] == b"# Sphinx inventory version 2"
    body = zlib.decompress(lines[4]).decode()
    entries = {}
    for line in body.splitlines():
        name, role, _priority, uri, _display = line.split(" ", 4)
        entries[name] = (role, uri)
    return entries


def test_offline_inventories_are_current_and_well_formed() -> None:
    # make_inv.py is the source; the committed .inv files must be what it writes.
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_inv", DOCS / "_inv" / "make_inv.py")
    assert spec is not None and spec.loader is not None
    make_inv = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_inv)
    for name, table in [
        ("python", make_inv.PYTHON),
        ("torch", make_inv.TORCH),
        ("numpy", make_inv.NUMPY),
        ("matplotlib", make_inv.MATPLOTLIB),
    ]:
        entries = read_inventory(DOCS / "_inv" / f"{name}.inv")
        assert set(entries) == set(table), name
        for entry, (role, uri) in entries.items():
            assert role.startswith("py:")
            assert not uri.endswith("#") and " " not in uri, entry
    assert read_inventory(DOCS / "_inv" / "torch.inv")["torch.Tensor"] == (
        "py:class",
        "tensors.html#torch.Tensor",
    )
