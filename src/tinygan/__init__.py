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

from tinygan import metrics
from tinygan._version import __version__
from tinygan.autosave import Checkpoint, latest_checkpoint
from tinygan.callbacks import Callback, LambdaCallback, LossLogger, Snapshots
from tinygan.checkpoint import CheckpointError, load_checkpoint, read_checkpoint, save_checkpoint
from tinygan.data import ConstantNoise, FuzzyPattern, UniformNoise
from tinygan.ensemble import EnsembleTrainer
from tinygan.loggers import CSVLogger, TensorBoardLogger
from tinygan.loop import BaseTrainer
from tinygan.monitors import CollapseDetector, Metrics, PlateauDetector, measure_health
from tinygan.nets import MLP, mlp
from tinygan.protocols import DataSource, Model, Trainer
from tinygan.records import StepRecord
from tinygan.stats import wilson_interval
from tinygan.sweep import SeedResult, SweepConfig, SweepResult, sweep
from tinygan.training import AdversarialTrainer, DiscriminatorTrainer

__all__ = [
    "MLP",
    "AdversarialTrainer",
    "BaseTrainer",
    "CSVLogger",
    "Callback",
    "Checkpoint",
    "CheckpointError",
    "CollapseDetector",
    "ConstantNoise",
    "DataSource",
    "DiscriminatorTrainer",
    "EnsembleTrainer",
    "FuzzyPattern",
    "LambdaCallback",
    "LossLogger",
    "Metrics",
    "Model",
    "PlateauDetector",
    "Snapshots",
    "SeedResult",
    "StepRecord",
    "SweepConfig",
    "SweepResult",
    "TensorBoardLogger",
    "Trainer",
    "UniformNoise",
    "__version__",
    "latest_checkpoint",
    "load_checkpoint",
    "measure_health",
    "metrics",
    "mlp",
    "read_checkpoint",
    "save_checkpoint",
    "sweep",
    "wilson_interval",
]
