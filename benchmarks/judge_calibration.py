"""Generate ``docs/judge_calibration.inc``: the image judge against real digits and failures.

Every threshold of :class:`tinygan.metrics.ImageJudge` (the default judge of the digits)
is tried on real digits, which must succeed, and on failures built on purpose, which
must fail, each for a stated reason. Each row judges 20 draws of 1,000 images (draw
``i`` from ``torch.Generator().manual_seed(i)``), as many as ``tinygan train`` and the
sweeps judge:

- **real digits outside the reference**: drawn with replacement from the images the
  judge's classifier was fitted on, which the reference (the held-out half) does not
  hold;
- **real digits never seen**: a judge built on two thirds of the digits (split class by
  class from seed 7), judging draws from the last third, which neither its classifier
  nor its reference holds;
- **uniform noise**; **blurred digits** (a Gaussian blur of 1 pixel's standard
  deviation, zero outside the image); **n real digits per class, repeated** (n = 1, 3,
  10: 10 n distinct images, repeated to 1,000); **the class means** (each class's mean
  image, repeated); **one class collapsed** (real digits, but every image of class 3 the
  same one); **half noise** (real digits, half replaced by uniform noise).

The table gives, per row, how many of the 20 draws succeed, the range of each number
over the draws and the rules every draw breaks (:meth:`ImageJudge.reasons`). It takes
about a minute. ``tests/metrics/test_image_calibration.py`` checks the same verdicts::

    python benchmarks/judge_calibration.py
"""

from __future__ import annotations

import argparse
import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import nn

import tinygan as tg
from tinygan.metrics import ImageJudge

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "judge_calibration.inc"
DRAWS = 20
SIZE = 1000
NUMBERS = [
    "coverage",
    "worst_class_coverage",
    "density",
    "reverse_kl",
    "frechet_distance",
    "confident_share",
    "classes_covered",
]

Case = Callable[[torch.Generator], torch.Tensor]


def blur(images: torch.Tensor, sigma: float, shape: tuple[int, ...] = (8, 8)) -> torch.Tensor:
    """A separable Gaussian blur of flattened images (zero outside the image)."""
    radius = max(1, round(3 * sigma))
    t = torch.arange(-radius, radius + 1, dtype=torch.float32)
    kernel = torch.exp(-(t**2) / (2 * sigma**2))
    kernel /= kernel.sum()
    x = images.reshape(-1, 1, *shape)
    x = nn.functional.conv2d(x, kernel.view(1, 1, 1, -1), padding=(0, radius))
    x = nn.functional.conv2d(x, kernel.view(1, 1, -1, 1), padding=(radius, 0))
    return x.reshape(len(images), -1)


def cases(data: tg.ImageData, judge: ImageJudge) -> dict[str, tuple[Case, ImageJudge]]:
    """Each row's draw ``case(generator) -> (1000, 64)`` images, and the judge that judges it."""
    pool = data.images[judge.fit_index]
    labels = data.labels[judge.fit_index]

    def real(g: torch.Generator) -> torch.Tensor:
        return pool[torch.randint(len(pool), (SIZE,), generator=g)]

    def per_class(n: int) -> Case:
        def draw(g: torch.Generator) -> torch.Tensor:
            picks = []
            for c in range(10):
                mine = (labels == c).nonzero().flatten()
                picks.append(mine[torch.randperm(len(mine), generator=g)[:n]])
            chosen = pool[torch.cat(picks)]
            return chosen[torch.arange(SIZE) % len(chosen)]

        return draw

    means = torch.stack([pool[labels == c].mean(dim=0) for c in range(10)])

    def collapsed(g: torch.Generator) -> torch.Tensor:
        rows = torch.randint(len(pool), (SIZE,), generator=g)
        images = pool[rows].clone()
        images[labels[rows] == 3] = pool[(labels == 3).nonzero()[0, 0]]
        return images

    def half_noise(g: torch.Generator) -> torch.Tensor:
        images = real(g)
        images[: SIZE // 2] = torch.rand(SIZE // 2, data.dim, generator=g)
        return images

    third = torch.zeros(len(data), dtype=torch.bool)  # a third of each class, from seed 7
    split = torch.Generator().manual_seed(7)
    for c in range(10):
        mine = (data.labels == c).nonzero().flatten()
        third[mine[torch.randperm(len(mine), generator=split)[: len(mine) // 3]]] = True
    smaller = ImageJudge(tg.ImageData(data.images[~third], data.labels[~third], shape=data.shape))
    unseen = data.images[third]

    def never_seen(g: torch.Generator) -> torch.Tensor:
        return unseen[torch.randint(len(unseen), (SIZE,), generator=g)]

    return {
        "real digits outside the reference": (real, judge),
        "real digits never seen (a judge of the other two thirds)": (never_seen, smaller),
        "uniform noise": (lambda g: torch.rand(SIZE, data.dim, generator=g), judge),
        "blurred digits (Gaussian, 1 pixel)": (lambda g: blur(real(g), 1.0), judge),
        "1 real digit per class, repeated": (per_class(1), judge),
        "3 real digits per class, repeated": (per_class(3), judge),
        "10 real digits per class, repeated": (per_class(10), judge),
        "the 10 class means, repeated": (lambda g: means[torch.arange(SIZE) % 10], judge),
        "one class collapsed (every 3 the same)": (collapsed, judge),
        "half noise, half real digits": (half_noise, judge),
    }


def calibrate(draws: int = DRAWS) -> dict[str, list[dict[str, Any]]]:
    """Every row's verdicts, ``draws`` of them, each with its ``reasons``."""
    torch.set_num_threads(1)
    data = tg.digits()
    judge = ImageJudge(data)
    found: dict[str, list[dict[str, Any]]] = {}
    for name, (case, who) in cases(data, judge).items():
        found[name] = []
        for i in range(draws):
            verdict = who(case(torch.Generator().manual_seed(i)), data)
            found[name].append({**verdict, "reasons": who.reasons(verdict)})
    return found


def _span(values: list[float], name: str) -> str:
    low, high = min(values), max(values)
    if name == "classes_covered":
        return f"{low:g}" if low == high else f"{low:g}-{high:g}"
    return f"{low:.2f}" if f"{low:.2f}" == f"{high:.2f}" else f"{low:.2f}-{high:.2f}"


def table(found: dict[str, list[dict[str, Any]]]) -> str:
    """The reStructuredText table of the verdicts."""
    header = ["images judged", "successes", *NUMBERS, "fails, in every draw, on"]
    lines = [".. list-table::", "   :header-rows: 1", "", "   * - " + "\n     - ".join(header)]
    for name, verdicts in found.items():
        wins = sum(bool(v["success"]) for v in verdicts)
        always = set.intersection(*({r.split()[0] for r in v["reasons"]} for v in verdicts))
        order = [n for n in NUMBERS if n in always]
        cells = [name, f"{wins} of {len(verdicts)}"]
        cells += [_span([float(v[n]) for v in verdicts], n) for n in NUMBERS]
        cells.append(", ".join(order) or ("succeeds" if wins == len(verdicts) else "(varies)"))
        lines.append("   * - " + "\n     - ".join(cells))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=DRAWS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    text = (
        f".. Generated by benchmarks/judge_calibration.py on {datetime.date.today()} "
        f"({args.draws} draws of {SIZE:,} images per row); do not edit.\n\n"
        + table(calibrate(args.draws))
    )
    args.out.write_text(text)
    return text


if __name__ == "__main__":
    print(main())
