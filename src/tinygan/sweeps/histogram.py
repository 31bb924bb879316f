"""A sweep's ``histogram.png``, drawn from plain numbers, here or in a process of its own.

:func:`draw` makes the figure from :class:`Panel` objects (a name, the values over the
seeds, and the real data's range where one applies). It needs numpy and matplotlib and
nothing else, torch included, so that this file also runs as a small program:
:class:`HistogramProcess` starts it before a sweep trains, the new process loads
matplotlib on the other core meanwhile (about half a second), then draws and writes the
file when the sweep sends it the numbers. Within one process the same figure costs the
import and the drawing one after the other.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["HistogramProcess", "Panel", "draw", "save"]

_DPI = 100


@dataclass(frozen=True)
class Panel:
    """One panel of the figure: a number's values over the seeds.

    Attributes:
        name: The number's name (the panel's title).
        values: Its value for each seed (non-finite values are counted in the title and
            left out of the bars).
        real_range: ``(low, high)`` of the real data, shaded, for a pattern's mean
            outputs (their axis then spans 0 to 1); ``None`` otherwise.
    """

    name: str
    values: np.ndarray = field(repr=False)
    real_range: tuple[float, float] | None = None


def draw(panels: Sequence[Panel], title: str) -> Figure:
    """Histograms of the panels' values, four to a row, under ``title``.

    Raises:
        ImportError: If matplotlib is not installed.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            'the sweep histogram needs matplotlib: pip install "tinygan[plot]"'
        ) from exc
    columns = max(1, min(4, len(panels)))
    rows = max(1, -(-len(panels) // columns))
    width, height = 3.2 * columns, 2.8 * rows + 0.6
    fig = Figure(figsize=(width, height))
    # Margins in inches, set by hand: a layout engine would double the time to save.
    fig.subplots_adjust(
        left=0.6 / width,
        right=1 - 0.15 / width,
        bottom=0.45 / height,
        top=1 - 0.75 / height,
        wspace=0.35,
        hspace=0.5,
    )
    grid = fig.add_gridspec(rows, columns)
    for i, panel in enumerate(panels):  # only the panels drawn: an axes costs milliseconds
        ax = fig.add_subplot(grid[i // columns, i % columns])
        values = np.asarray(panel.values, dtype=np.float64)
        finite = values[np.isfinite(values)]
        if panel.real_range is not None:
            lo, hi = panel.real_range
            ax.axvspan(lo, hi, color="tab:green", alpha=0.2, label="real range")
            counts, edges = np.histogram(np.clip(finite, 0.0, 1.0), np.linspace(0.0, 1.0, 41))
            ax.stairs(counts, edges, fill=True, color="tab:blue")
            ax.set_xlim(0.0, 1.0)
            ax.set_xticks([0.0, 0.5, 1.0])
            # Successful seeds gather in the shaded range: the legend goes opposite it.
            if lo + hi < 1.0:
                ax.legend(loc="upper right", fontsize="small")
            else:
                ax.legend(loc="upper left", fontsize="small")
        elif finite.size:
            counts, edges = np.histogram(finite, min(40, max(5, finite.size // 5)))
            ax.stairs(counts, edges, fill=True, color="tab:blue")  # one patch: fast to draw
            ax.locator_params(axis="x", nbins=3)  # small numbers: long tick labels
        ax.locator_params(axis="y", nbins=3)  # few ticks: each costs a millisecond to draw
        name = panel.name
        ax.set_title(name if finite.size == values.size else f"{name} ({finite.size} finite)")
        ax.set_ylabel("seeds")
    fig.suptitle(title)
    return fig


def save(fig: Figure, path: str | os.PathLike[str]) -> None:
    """Write ``fig`` as a PNG to ``path`` atomically: the old file or the new one, whole.

    As :func:`tinygan.checkpoint.write_atomically` does (a temporary file beside it,
    synced, then renamed), without importing the rest of tinygan, and torch with it.
    """
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            fig.savefig(f, format="png", dpi=_DPI)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _payload(panels: Sequence[Panel], title: str, path: str | os.PathLike[str]) -> bytes:
    """The numbers as the program reads them (JSON: NaN and infinities as Python writes them)."""
    message = {
        "title": title,
        "path": os.fspath(path),
        "panels": [
            {
                "name": p.name,
                "values": [float(v) for v in np.asarray(p.values, dtype=np.float64)],
                "real_range": None if p.real_range is None else list(p.real_range),
            }
            for p in panels
        ],
    }
    return json.dumps(message).encode()


class HistogramProcess:
    """This file run as a program: matplotlib loaded in advance, waiting for the numbers.

    Start it when the numbers are still being computed (:meth:`start`), then :meth:`draw`
    sends them and waits for the file. It reads one JSON message on its standard input
    and exits; anything that goes wrong in it (matplotlib missing, a killed process) is
    reported by :meth:`draw` as a :class:`RuntimeError`, so that the caller can draw in
    its own process instead.
    """

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process

    @classmethod
    def start(cls) -> HistogramProcess | None:
        """Start the program now; ``None`` if it cannot be started here."""
        code = (
            "import runpy, sys; sys.argv = [sys.argv[1]]; "
            "runpy.run_path(sys.argv[0], run_name='__main__')"
        )
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", code, __file__],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        except OSError:
            return None
        return cls(process)

    def draw(
        self,
        panels: Sequence[Panel],
        title: str,
        path: str | os.PathLike[str],
        timeout: float = 300.0,
    ) -> None:
        """Have the program draw the panels and write ``path``; wait until it has.

        Raises:
            RuntimeError: If the program failed; the message ends with its error.
        """
        try:
            _, err = self._process.communicate(_payload(panels, title, path), timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            self.close()
            raise RuntimeError(f"the histogram process failed: {exc}") from exc
        if self._process.returncode != 0:
            tail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
            raise RuntimeError(f"the histogram process failed: {tail[0]}")

    def close(self) -> None:
        """Stop the program if it still runs (nothing was drawn, or drawing is abandoned)."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        for stream in (self._process.stdin, self._process.stderr):
            if stream is not None:
                stream.close()


def _serve(stdin: Any) -> None:
    """The program: load matplotlib, read the numbers, draw, write."""
    import matplotlib.backends.backend_agg
    import matplotlib.figure  # noqa: F401

    message = json.loads(stdin.read())
    panels = [
        Panel(
            p["name"],
            np.array(p["values"], dtype=np.float64),
            None if p["real_range"] is None else (p["real_range"][0], p["real_range"][1]),
        )
        for p in message["panels"]
    ]
    save(draw(panels, message["title"]), message["path"])


if __name__ == "__main__":
    _serve(sys.stdin.buffer)
    # The file is written and synced: skip the interpreter's teardown (a tenth of a
    # second of freeing matplotlib's objects) that the sweep would wait for.
    sys.stderr.flush()
    os._exit(0)
