"""A sweep's folder as it runs: what it is (``sweep.json``) and what is done (``seeds.csv``).

With ``out=DIR``, :func:`tinygan.sweep` writes ``DIR/sweep.json`` (the configuration, the
seeds, the evaluation inputs and, once known, the judged numbers' names and kinds and
how many seeds each backend trained, ``trained_by``) before it trains, and rewrites
``DIR/seeds.csv`` each time a chunk finishes, atomically and synced to disk: an
interruption (Ctrl-C, a crash, a lost machine) loses at most the chunks in progress.
``resume=True`` reads both back, refuses a folder whose sweep differs (naming what
differs), and runs only the seeds that are missing; numbers are kept in full precision,
so the resumed result equals an uninterrupted one exactly.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tinygan.checkpoint import write_atomically
from tinygan.sweeps.config import EVAL_INPUTS, EVAL_SEED, SeedResult
from tinygan.sweeps.provenance import backend_record
from tinygan.sweeps.table import csv_text

__all__ = ["FILES", "SweepFolder", "SweepFolderError"]

SPEC = "sweep.json"
ROWS = "seeds.csv"
FILES = (SPEC, ROWS, "summary.json", "histogram.png")
"""The files a sweep writes into its folder."""


class SweepFolderError(ValueError):
    """A folder a sweep cannot use: another sweep's, one not resumed, or damaged files."""


def _write_json(path: Path, data: dict[str, Any]) -> None:
    text = json.dumps(data, indent=2) + "\n"
    write_atomically(path, lambda f: f.write(text.encode()))


def _differences(have: dict[str, Any], want: dict[str, Any], where: str = "") -> list[str]:
    found = []
    for key in sorted(set(have) | set(want)):
        a, b = have.get(key), want.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            found += _differences(a, b, f"{where}{key}.")
        elif a != b:
            if key == "seeds" and isinstance(a, list) and isinstance(b, list):
                found.append(f"seeds (the folder's {len(a)} seeds, this sweep's {len(b)})")
            else:
                found.append(f"{where}{key} (the folder's {a!r}, this sweep's {b!r})")
    return found


def _parse(value: str, kind: str) -> float | bool:
    if kind == "bool":
        if value not in ("0", "1"):
            raise ValueError(f"{value!r} is not 0 or 1")
        return value == "1"
    return float(value)


class SweepFolder:
    """The files of one sweep in one folder, for writing as it goes and for resuming.

    Args:
        out: The folder (created if missing).
        spec: What the sweep is, as plain data (configuration and seeds).
        resume: Keep the rows already in the folder (which must hold this same sweep);
            otherwise the folder starts afresh.
        eval_inputs: How many evaluation inputs each generator is judged on; ``None``:
            the judge's own count, learnt from the first rows (or the folder resumed).
        requested: The backend the sweep asks for (``"native"`` for ``compile=True``),
            which ``trained_by`` records while the sweep runs.

    Raises:
        SweepFolderError: When resuming a folder that holds a different sweep, or whose
            files cannot be read.
    """

    def __init__(
        self,
        out: str | Path,
        spec: dict[str, Any],
        *,
        resume: bool,
        eval_inputs: int | None = EVAL_INPUTS,
        requested: str = "auto",
    ) -> None:
        self.path, self.requested = Path(out), requested
        self.spec = {**spec, "eval_inputs": eval_inputs, "eval_seed": EVAL_SEED}
        self.kinds: dict[str, str] | None = None
        self.rows: dict[int, SeedResult] = {}
        self.backends: dict[str, int] = {}
        self.trained_by: dict[str, Any] | None = None
        found = [name for name in FILES if (self.path / name).exists()]
        if found and not (resume and SPEC in found):
            # Never written over: a sweep is resumed (resume=True) or its files deleted first.
            what = "another sweep's files" if SPEC in found else "files a sweep writes"
            hint = "pass resume=True to finish that sweep, or " if SPEC in found else ""
            raise SweepFolderError(
                f"out={str(self.path)!r} already holds {what} ({', '.join(found)}): "
                f"{hint}delete them, or choose another folder"
            )
        if resume and found:
            self._load()
        self.path.mkdir(parents=True, exist_ok=True)
        _write_json(self.path / SPEC, self._spec_file())
        if not self.rows:
            (self.path / ROWS).unlink(missing_ok=True)

    def _spec_file(self) -> dict[str, Any]:
        trained_by = self.trained_by or backend_record(self.backends, requested=self.requested)
        return {**self.spec, "columns": self.kinds, "trained_by": trained_by}

    def _load(self) -> None:
        spec_path = self.path / SPEC
        try:
            stored = json.loads(spec_path.read_text())
        except (OSError, ValueError) as exc:
            raise SweepFolderError(f"cannot read {str(spec_path)!r}: {exc}") from exc
        if not isinstance(stored, dict):
            raise SweepFolderError(f"{str(spec_path)!r} does not describe a sweep")
        kinds = stored.pop("columns", None)
        trained_by = stored.pop("trained_by", None)
        stored.setdefault("backend", "auto")  # written before sweeps had a backend
        config = stored.get("config")
        if isinstance(config, dict) and "pattern" in config:
            config.setdefault("device", "cpu")  # written before sweeps had a device
        if self.spec["eval_inputs"] is None:  # the judge's own count: the folder's, so far
            self.spec["eval_inputs"] = stored.get("eval_inputs")
        differences = _differences(stored, self.spec)
        if differences:
            raise SweepFolderError(
                f"{str(self.path)!r} holds a different sweep; it differs in "
                + "; ".join(differences)
                + ". Resume it with its own settings, or write this sweep elsewhere."
            )
        self.kinds = kinds
        if isinstance(trained_by, dict) and trained_by.get("seeds"):
            seeds = trained_by["seeds"]
            self.backends = dict(seeds) if isinstance(seeds, dict) else {trained_by["name"]: seeds}
        rows_path = self.path / ROWS
        if kinds is None or not rows_path.exists():
            return
        try:
            with rows_path.open(newline="") as f:
                for line in csv.DictReader(f):
                    values = {name: _parse(line[name], kind) for name, kind in kinds.items()}
                    seed = int(line["seed"])
                    self.rows[seed] = SeedResult(seed, values, float(line["d_loss"]))
        except (OSError, KeyError, ValueError, TypeError) as exc:
            raise SweepFolderError(f"cannot read {str(rows_path)!r}: {exc}") from exc

    def missing(self, seeds: Sequence[int]) -> list[int]:
        """The seeds of ``seeds`` that have no row yet, in order."""
        return [seed for seed in seeds if seed not in self.rows]

    def add(self, rows: Sequence[SeedResult]) -> None:
        """Keep a finished chunk's rows and rewrite ``seeds.csv`` (atomically, synced).

        Raises:
            SweepFolderError: If the rows were judged on another number of evaluation
                inputs than the folder's.
        """
        if not rows:
            return
        count, known = rows[0].eval_inputs, self.spec["eval_inputs"]
        if count is not None and known is not None and count != known:
            raise SweepFolderError(
                f"{str(self.path)!r} holds rows judged on {known} evaluation inputs; these "
                f"were judged on {count}. Write this sweep elsewhere."
            )
        if count is not None:
            self.spec["eval_inputs"] = count
        if self.kinds is None:
            self.kinds = {
                name: "bool" if isinstance(value, bool) else "float"
                for name, value in rows[0].values.items()
            }
        for row in rows:
            self.rows[row.seed] = row
            name = row.backend or "unknown"
            self.backends[name] = self.backends.get(name, 0) + 1
        _write_json(self.path / SPEC, self._spec_file())
        text = csv_text(list(self.rows.values()))
        write_atomically(self.path / ROWS, lambda f: f.write(text.encode()))

    def record_backend(self, record: dict[str, Any]) -> None:
        """Write what trained the seeds in full (with the native kernel's build)."""
        self.trained_by = record
        _write_json(self.path / SPEC, self._spec_file())

    def ordered(self, seeds: Sequence[int]) -> tuple[SeedResult, ...]:
        """The rows of ``seeds``, in that order (every one must be done)."""
        return tuple(self.rows[seed] for seed in seeds)
