"""What a sweep is and what it found, and the fixed inputs every seed is judged on.

:class:`SweepConfig` is what every GAN of a sweep of the post's configuration is,
:class:`RecipeConfig` what a sweep of any recipe is; :class:`SeedResult` is how one
seed's GAN ended (:class:`tinygan.SweepResult`, in :mod:`tinygan.sweeps.result`, gathers
them). See :mod:`tinygan.sweeps.run` for how a sweep runs and what counts as a success.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from tinygan._checks import check_bool, check_device, check_int, check_positive_float
from tinygan.data import ConstantNoise, FuzzyPattern, UniformNoise
from tinygan.objectives import NAMES

__all__ = [
    "EVAL_INPUTS",
    "EVAL_SEED",
    "LOSS_WINDOW",
    "RecipeConfig",
    "SeedResult",
    "SweepConfig",
    "config_dict",
    "qualified_name",
]

EVAL_INPUTS = 1000
"""How many noise inputs a trained generator is judged on."""

EVAL_SEED = 20_251_128
"""The seed of the fixed noise inputs every trained generator is judged on."""

LOSS_WINDOW = 1000
"""D's loss is averaged over this many final iterations (fewer if a run is shorter)."""

_LOSSES = ("mse", "bce")
_OPTIMIZERS = ("sgd", "adam")
_NOISES = ("uniform", "constant")


def _check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


@dataclass(frozen=True)
class SweepConfig:
    """What every GAN of a sweep is: the post's configuration unless told otherwise.

    The networks are the post's shapes for the pattern's length ``L``: the generator
    ``L -> L -> L``, the discriminator ``L -> 3 -> 1``, sigmoid after every layer.

    Attributes:
        pattern: The real data, a string of 0 and 1 (``FuzzyPattern(pattern)``).
        steps: Training iterations per seed.
        lr: The learning rate.
        batch_size: Samples per step.
        bias: Whether the linear layers have biases (the post has none).
        loss: ``"mse"`` (the post's) or ``"bce"``.
        optimizer: ``"sgd"`` (the post's) or ``"adam"``.
        noise: The generator's input: ``"uniform"`` in ``[0, 1)`` (the post's) or
            ``"constant"`` 0.5 (:class:`tinygan.ConstantNoise`).
        device: Where the GANs train and draw their data, as a device name (``"cpu"``,
            ``"cuda:0"``; see :class:`tinygan.EnsembleTrainer`). A GPU's generators give
            other numbers than the CPU's, so a sweep's rows belong to its device.
        objective: An objective's name (:data:`tinygan.objectives.NAMES`) in place of
            ``loss``, or ``None`` for ``loss``'s own (``"mse"`` is
            ``"least-squares"``, ``"bce"`` is ``"non-saturating"``). One with a
            gradient penalty (``"wgan-gp"``) is refused: no ensemble backend computes
            it, and the post's sweep trains ensembles (sweep a recipe instead).

    Raises:
        ValueError: If a setting is out of range or names an unknown choice, or both
            ``loss`` (other than ``"mse"``) and ``objective`` are given.
    """

    pattern: str = "1010"
    steps: int = 10_000
    lr: float = 0.01
    batch_size: int = 1
    bias: bool = False
    loss: str = "mse"
    optimizer: str = "sgd"
    noise: str = "uniform"
    device: str = "cpu"
    objective: str | None = None

    def __post_init__(self) -> None:
        FuzzyPattern(self.pattern)  # raises on a bad pattern
        if not isinstance(self.pattern, str):
            raise TypeError(f"pattern must be a string of 0 and 1, got {self.pattern!r}")
        check_int("steps", self.steps, minimum=0)
        check_positive_float("lr", self.lr)
        check_int("batch_size", self.batch_size, minimum=1)
        check_bool("bias", self.bias)
        _check_choice("loss", self.loss, _LOSSES)
        _check_choice("optimizer", self.optimizer, _OPTIMIZERS)
        _check_choice("noise", self.noise, _NOISES)
        device = check_device("device", self.device, here=False)  # trained where it runs
        object.__setattr__(self, "device", "cpu" if device is None else str(device))
        if self.objective is not None:
            _check_choice("objective", self.objective, tuple(NAMES))
            if self.loss != "mse":
                raise ValueError(
                    f"loss={self.loss!r} and objective={self.objective!r} both set the "
                    "objective: give one of them"
                )
            if NAMES[self.objective]().penalized:
                raise ValueError(
                    f"objective={self.objective!r} adds a penalty on D's input gradient, "
                    "which no ensemble backend computes, and the post's sweep trains "
                    "ensembles: sweep a recipe (tg.sweep(seeds, recipe)) that builds it"
                )

    @property
    def real(self) -> FuzzyPattern:
        """The real data source."""
        return FuzzyPattern(self.pattern)

    def make_noise(self) -> UniformNoise | ConstantNoise:
        """The generator's input source."""
        dim = len(self.pattern)
        return UniformNoise(dim) if self.noise == "uniform" else ConstantNoise(dim)


@dataclass(frozen=True)
class RecipeConfig:
    """What a sweep of a recipe is: which recipe, which judge, how many iterations.

    Recipes and judges are named by module and qualified name (what a process pool or a
    cluster imports them by, and what a resumed sweep must match).

    Attributes:
        recipe: The recipe's ``module.qualname``.
        judge: The judge's ``module.qualname``, or ``"default"`` (the real data's own).
        steps: Training iterations per seed.
        objective: The objective's name the recipe was asked to train with
            (``recipe(seed, objective=...)``), or ``None`` for the recipe's own.
    """

    recipe: str
    judge: str
    steps: int
    objective: str | None = None

    def __post_init__(self) -> None:
        check_int("steps", self.steps, minimum=0)
        if self.objective is not None:
            _check_choice("objective", self.objective, tuple(NAMES))


def config_dict(config: SweepConfig | RecipeConfig) -> dict[str, object]:
    """``config`` as plain data, as ``sweep.json`` and ``summary.json`` write it.

    ``objective`` is left out when it is ``None`` (the loss's or the recipe's own), so a
    sweep's files read as they did before sweeps took objectives, and old folders resume.
    """
    data = asdict(config)
    if data.get("objective") is None:
        data.pop("objective", None)
    return data


def qualified_name(obj: object) -> str:
    """``module.qualname`` of a function or class (its ``repr`` for anything else)."""
    module = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", None)
    if module is None or name is None:
        return repr(obj)
    return f"{module}.{name}"


@dataclass(frozen=True)
class SeedResult:
    """How one seed's GAN ended: what the judge said of it, and its discriminator's loss.

    Attributes:
        seed: The seed.
        values: The judge's named numbers, in the judge's order, ``"success"`` among them
            (for the post's patterns: ``mean_1 .. mean_L``, ``spread_1 .. spread_L``,
            ``distance``, ``success``; see :func:`tinygan.metrics.pattern_judge`).
        d_loss: The discriminator's mean loss over the last 1,000 iterations (both D
            steps); NaN for a run of no iterations or a trainer that reports no D loss.
        backend: The backend that trained it (``"native"``, ``"fused"``, ``"vmap"``,
            ...); ``None`` where unknown (a row read back from ``seeds.csv``, a trainer
            with its own step). Rows compare equal whatever their backend.
        eval_inputs: How many fixed evaluation inputs its generator was judged on;
            ``None`` where unknown (a row read back from ``seeds.csv``).
    """

    seed: int
    values: dict[str, float | bool]
    d_loss: float = math.nan
    backend: str | None = field(default=None, compare=False)
    eval_inputs: int | None = field(default=None, compare=False)

    @property
    def success(self) -> bool:
        """Whether the judge called this seed a success."""
        return bool(self.values["success"])

    def _series(self, prefix: str) -> tuple[float, ...]:
        out: list[float] = []
        while f"{prefix}_{len(out) + 1}" in self.values:
            out.append(float(self.values[f"{prefix}_{len(out) + 1}"]))
        if not out:
            raise AttributeError(f"this seed's judge gave no {prefix}_1, {prefix}_2, ...")
        return tuple(out)

    @property
    def mean(self) -> tuple[float, ...]:
        """The generator's mean output per position (pattern judges: ``mean_1 ..``)."""
        return self._series("mean")

    @property
    def spread(self) -> tuple[float, ...]:
        """Its standard deviation per position (pattern judges: ``spread_1 ..``)."""
        return self._series("spread")

    @property
    def distance(self) -> float:
        """How far the mean lies outside the real ranges (pattern judges)."""
        if "distance" not in self.values:
            raise AttributeError("this seed's judge gave no distance")
        return float(self.values["distance"])
