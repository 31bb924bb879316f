"""Packaging and hygiene: py.typed, __all__, no print, no global RNG in the library."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import importlib.resources
import inspect
import pkgutil
import random
from pathlib import Path

import numpy as np
import torch
from tests.helpers import gen, post_nets

import tinygan as tg

SRC = Path(tg.__file__).resolve().parent
# Command-line front ends may print; the library may not.
CLI_FILES = {"__main__.py"}
CLI_DIRS = {"cli"}

DESIGNED_NAMES = {
    "AdversarialTrainer",
    "Callback",
    "DataSource",
    "DiscriminatorTrainer",
    "FuzzyPattern",
    "LambdaCallback",
    "LossLogger",
    "Model",
    "Snapshots",
    "StepRecord",
    "Trainer",
    "UniformNoise",
    "mlp",
}


def library_files() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def is_cli(path: Path) -> bool:
    rel = path.relative_to(SRC)
    return rel.name in CLI_FILES or rel.name == "cli.py" or rel.parts[0] in CLI_DIRS


def test_py_typed_ships_in_the_package():
    assert importlib.resources.files("tinygan").joinpath("py.typed").is_file()


def test_version_matches_the_installed_metadata():
    assert tg.__version__ == importlib.metadata.version("tinygan")


def test_all_holds_the_designed_names_and_each_exists():
    assert set(tg.__all__) >= DESIGNED_NAMES
    assert len(tg.__all__) == len(set(tg.__all__))
    for name in tg.__all__:
        assert hasattr(tg, name), name


def test_all_is_complete():
    """Every public class or function the package namespace holds is in __all__."""
    public = {
        name
        for name, value in vars(tg).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and getattr(value, "__module__", "").startswith("tinygan")
    }
    assert public <= set(tg.__all__), public - set(tg.__all__)


def test_every_public_name_has_a_docstring():
    for name in tg.__all__:
        value = getattr(tg, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), name


def test_every_module_imports_and_lists_existing_names():
    for info in pkgutil.walk_packages(tg.__path__, "tinygan."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", []):
            assert hasattr(module, name), (info.name, name)


def calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def test_no_print_in_library_code():
    offenders = []
    for path in library_files():
        if is_cli(path):
            continue
        for call in calls(ast.parse(path.read_text())):
            if dotted(call.func) == "print":
                offenders.append(f"{path.name}:{call.lineno}")
    assert offenders == []


GLOBAL_RNG_CALLS = {
    "torch.manual_seed",
    "torch.seed",
    "torch.set_rng_state",
    "torch.random.manual_seed",
    "torch.random.seed",
    "torch.random.set_rng_state",
    "torch.cuda.manual_seed",
    "torch.cuda.manual_seed_all",
    "np.random.seed",
    "numpy.random.seed",
}


def test_library_never_seeds_globally_nor_uses_python_random():
    offenders = []
    for path in library_files():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                offenders += [
                    f"{path.name}: import {a.name}" for a in node.names if a.name == "random"
                ]
            if isinstance(node, ast.ImportFrom) and node.module == "random":
                offenders.append(f"{path.name}: from random import ...")
        for call in calls(tree):
            name = dotted(call.func)
            if name in GLOBAL_RNG_CALLS or name.startswith("random."):
                offenders.append(f"{path.name}:{call.lineno} {name}")
            # numpy's global RNG: anything but building a Generator of one's own.
            for prefix in ("np.random.", "numpy.random."):
                if name.startswith(prefix) and name[len(prefix) :] not in {
                    "default_rng",
                    "Generator",
                    "PCG64",
                    "SeedSequence",
                }:
                    offenders.append(f"{path.name}:{call.lineno} {name}")
    assert offenders == []


def global_states():
    return torch.get_rng_state(), random.getstate(), np.random.get_state()[1].copy()


def assert_unchanged(before):
    after = global_states()
    assert torch.equal(before[0], after[0]), "torch's global RNG changed"
    assert before[1] == after[1], "Python's random changed"
    assert np.array_equal(before[2], after[2]), "numpy's global RNG changed"


def test_building_and_training_leave_the_global_rngs_alone():
    before = global_states()
    real, noise = tg.FuzzyPattern("1010"), tg.UniformNoise(4)
    real.sample(5, generator=gen(0))
    noise.sample(5, generator=gen(0))
    G, D = post_nets(0)
    log = tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0])
    snaps = tg.Snapshots(every=5)
    trainer = tg.AdversarialTrainer(G, D, real, noise, seed=0, callbacks=[log, snaps])
    trainer.fit(20)
    trainer.step()
    trainer.train_generator(noise.sample(2, generator=trainer.rng))
    _ = log.as_dict(), snaps.array
    tg.AdversarialTrainer(G, D, real, noise, batch_size=3).fit(5)  # seed=None too
    D2 = tg.mlp([4, 3, 1], bias=True, generator=gen(1))
    tg.DiscriminatorTrainer(D2, real, real.opposite(), seed=1).fit(10)
    tg.DiscriminatorTrainer(D2, real, real.opposite()).fit(3)
    assert_unchanged(before)
