"""tinygan: small, pluggable adversarial training with PyTorch.

It grew from the blog post "Make Your Own GAN, Part II", whose GAN learns to imitate
fuzzy ``1010`` patterns:

>>> import tinygan as tg
>>> trainer = tg.AdversarialTrainer(
...     tg.mlp([4, 4, 4]), tg.mlp([4, 3, 1]), tg.FuzzyPattern("1010"), tg.UniformNoise(4),
...     seed=0, callbacks=[tg.LossLogger()])
>>> trainer.fit(100).iteration
100
"""

import logging

from tinygan import metrics, objectives
from tinygan._version import __version__
from tinygan.callbacks import (
    Callback,
    Checkpoint,
    CollapseDetector,
    CSVLogger,
    LambdaCallback,
    LossLogger,
    Metrics,
    PlateauDetector,
    Snapshots,
    TensorBoardLogger,
    latest_checkpoint,
    measure_health,
)
from tinygan.checkpoint import CheckpointError, load_checkpoint, read_checkpoint, save_checkpoint
from tinygan.data import (
    ConstantNoise,
    FuzzyPattern,
    GaussianMixture,
    GaussianNoise,
    ImageData,
    UniformMap,
    UniformNoise,
    digits,
    mnist,
)
from tinygan.ensemble import EnsembleTrainer
from tinygan.nets import MLP, MinibatchStd, Packed, conv_discriminator, conv_generator, mlp
from tinygan.protocols import DataSource, LabelledSource, Model, StepRecord, Trainer
from tinygan.sweeps import SeedResult, SweepConfig, SweepResult, sweep, wilson_interval
from tinygan.training import (
    AdversarialTrainer,
    BaseTrainer,
    ConditionalTrainer,
    DiscriminatorTrainer,
)

# The library's messages go to the "tinygan" logger; as the logging HOWTO asks of a
# library, it adds only a NullHandler, and the application (or ``tinygan``'s command
# line) decides where they are shown.
logging.getLogger("tinygan").addHandler(logging.NullHandler())

__all__ = [
    "MLP",
    "AdversarialTrainer",
    "BaseTrainer",
    "CSVLogger",
    "Callback",
    "Checkpoint",
    "CheckpointError",
    "CollapseDetector",
    "ConditionalTrainer",
    "ConstantNoise",
    "DataSource",
    "DiscriminatorTrainer",
    "EnsembleTrainer",
    "FuzzyPattern",
    "GaussianMixture",
    "GaussianNoise",
    "ImageData",
    "LabelledSource",
    "LambdaCallback",
    "LossLogger",
    "Metrics",
    "MinibatchStd",
    "Model",
    "Packed",
    "PlateauDetector",
    "Snapshots",
    "SeedResult",
    "StepRecord",
    "SweepConfig",
    "SweepResult",
    "TensorBoardLogger",
    "Trainer",
    "UniformMap",
    "UniformNoise",
    "__version__",
    "conv_discriminator",
    "conv_generator",
    "digits",
    "latest_checkpoint",
    "load_checkpoint",
    "measure_health",
    "metrics",
    "mlp",
    "mnist",
    "objectives",
    "read_checkpoint",
    "save_checkpoint",
    "sweep",
    "wilson_interval",
]
