"""Generate ``docs/conditional_calibration.inc``: the conditional judge on real digits and failures.

:class:`tinygan.metrics.ConditionalJudge` (what ``tinygan train --data digits
--conditional`` judges with) is tried on real digits drawn for their own labels, which
must succeed, and on conditional generators' failures built on purpose, which must
fail, each for a stated reason. Each row judges 20 draws of 100 images per label (1,000
in all, as the command judges; draw ``i`` from ``torch.Generator().manual_seed(i)``):

- **real digits outside the reference**: each label's images drawn with replacement from
  the real digits of that label the classifier was fitted on;
- **real digits never seen**: a judge built on two thirds of the digits (split class by
  class from seed 7), judging draws from the last third;
- **labels ignored**: real digits, each drawn for a label chosen at random (a generator
  that draws good digits but ignores what it is asked);
- **labels confused**: real digits of label ``c + 1`` drawn for ``c`` (a generator that
  draws the wrong digit, consistently);
- **one label in five wrong**: real digits, a fifth of each label's images replaced by
  digits of other labels (label accuracy about 0.8);
- **one digit per label, repeated**; **each label's mean image, repeated**;
- **one label collapsed**: real digits, but every image drawn for 3 the same one.

The table gives, per row, how many draws succeed, the range of each number and the
rules every draw breaks (:meth:`ConditionalJudge.reasons`). It takes about a minute.
``tests/metrics/test_conditional_calibration.py`` checks the same verdicts::

    python benchmarks/conditional_calibration.py
"""

from __future__ import annotations

import argparse
import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

import tinygan as tg
from tinygan.metrics import ConditionalJudge, ImageJudge

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "conditional_calibration.inc"
DRAWS = 20
PER_LABEL = 100
LABELS = torch.arange(10).repeat_interleave(PER_LABEL)  # what each image is drawn for
NUMBERS = [
    "label_accuracy",
    "worst_label_accuracy",
    "worst_label_coverage",
    "coverage",
    "density",
    "held_out_accuracy",
]

Case = Callable[[torch.Generator], torch.Tensor]


def _pools(images: torch.Tensor, labels: torch.Tensor) -> list[torch.Tensor]:
    return [images[labels == c] for c in range(10)]


def _draw(pools: list[torch.Tensor], g: torch.Generator, shift: int = 0) -> torch.Tensor:
    """``PER_LABEL`` images of each label ``c`` drawn from ``pools[(c + shift) % 10]``."""
    rows = []
    for c in range(10):
        pool = pools[(c + shift) % 10]
        rows.append(pool[torch.randint(len(pool), (PER_LABEL,), generator=g)])
    return torch.cat(rows)


def cases(data: tg.ImageData, judge: ConditionalJudge) -> dict[str, tuple[Case, ConditionalJudge]]:
    """Each row's draw ``case(generator) -> (1000, 64)`` images for ``LABELS``, and its judge."""
    fit = judge.judge.fit_index
    pools = _pools(data.images[fit], data.labels[fit])  # type: ignore[index]

    def real(g: torch.Generator) -> torch.Tensor:
        return _draw(pools, g)

    def ignored(g: torch.Generator) -> torch.Tensor:
        return real(g)[torch.randperm(len(LABELS), generator=g)]

    def one_in_five_wrong(g: torch.Generator) -> torch.Tensor:
        images = real(g)
        wrong = _draw(pools, g, shift=1 + int(torch.randint(9, (), generator=g)))
        swap = torch.arange(len(LABELS)) % 5 == 0
        images[swap] = wrong[swap]
        return images

    firsts = torch.stack([pool[0] for pool in pools])
    means = torch.stack([pool.mean(dim=0) for pool in pools])

    def collapsed(g: torch.Generator) -> torch.Tensor:
        images = real(g)
        images[LABELS == 3] = pools[3][0]
        return images

    third = torch.zeros(len(data), dtype=torch.bool)  # a third of each class, from seed 7
    split = torch.Generator().manual_seed(7)
    assert data.labels is not None
    for c in range(10):
        mine = (data.labels == c).nonzero().flatten()
        third[mine[torch.randperm(len(mine), generator=split)[: len(mine) // 3]]] = True
    rest = tg.ImageData(data.images[~third], data.labels[~third], shape=data.shape)
    smaller = ConditionalJudge(ImageJudge(rest))
    unseen = _pools(data.images[third], data.labels[third])

    return {
        "real digits outside the reference": (real, judge),
        "real digits never seen (a judge of the other two thirds)": (
            lambda g: _draw(unseen, g),
            smaller,
        ),
        "labels ignored (real digits, labels at random)": (ignored, judge),
        "labels confused (the digit c + 1 drawn for c)": (lambda g: _draw(pools, g, 1), judge),
        "one label in five wrong": (one_in_five_wrong, judge),
        "one real digit per label, repeated": (lambda g: firsts[LABELS], judge),
        "each label's mean image, repeated": (lambda g: means[LABELS], judge),
        "one label collapsed (every 3 the same)": (collapsed, judge),
    }


def calibrate(draws: int = DRAWS) -> dict[str, list[dict[str, Any]]]:
    """Every row's verdicts, ``draws`` of them, each with its ``reasons``."""
    torch.set_num_threads(1)
    data = tg.digits()
    judge = ConditionalJudge(ImageJudge(data))
    found: dict[str, list[dict[str, Any]]] = {}
    for name, (case, who) in cases(data, judge).items():
        found[name] = []
        for i in range(draws):
            verdict = who(case(torch.Generator().manual_seed(i)), LABELS)
            found[name].append({**verdict, "reasons": who.reasons(verdict)})
    return found


def _span(values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{low:.2f}" if f"{low:.2f}" == f"{high:.2f}" else f"{low:.2f}-{high:.2f}"


def table(found: dict[str, list[dict[str, Any]]]) -> str:
    """The reStructuredText table of the verdicts."""
    header = ["images judged", "successes", *NUMBERS, "fails, in every draw, on"]
    lines = [".. list-table::", "   :header-rows: 1", "", "   * - " + "\n     - ".join(header)]
    for name, verdicts in found.items():
        wins = sum(bool(v["success"]) for v in verdicts)
        always = set.intersection(*({r.split()[0] for r in v["reasons"]} for v in verdicts))
        order = sorted(always, key=lambda r: (r not in NUMBERS, r))
        cells = [name, f"{wins} of {len(verdicts)}"]
        cells += [_span([float(v[n]) for v in verdicts]) for n in NUMBERS]
        cells.append(", ".join(order) or ("succeeds" if wins == len(verdicts) else "(varies)"))
        lines.append("   * - " + "\n     - ".join(cells))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=DRAWS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    text = (
        f".. Generated by benchmarks/conditional_calibration.py on {datetime.date.today()} "
        f"({args.draws} draws of {PER_LABEL} images per label per row); do not edit.\n\n"
        + table(calibrate(args.draws))
    )
    args.out.write_text(text)
    return text


if __name__ == "__main__":
    print(main())
