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

from tinygan._version import __version__
from tinygan.callbacks import Callback, LambdaCallback, LossLogger, Snapshots
from tinygan.data import ConstantNoise, FuzzyPattern, UniformNoise
from tinygan.ensemble import EnsembleTrainer
from tinygan.loggers import CSVLogger, TensorBoardLogger
from tinygan.loop import BaseTrainer
from tinygan.nets import MLP, mlp
from tinygan.protocols import DataSource, Model, Trainer
from tinygan.records import StepRecord
from tinygan.stats import wilson_interval
from tinygan.training import AdversarialTrainer, DiscriminatorTrainer

__all__ = [
    "MLP",
    "AdversarialTrainer",
    "BaseTrainer",
    "CSVLogger",
    "Callback",
    "ConstantNoise",
    "DataSource",
    "DiscriminatorTrainer",
    "EnsembleTrainer",
    "FuzzyPattern",
    "LambdaCallback",
    "LossLogger",
    "Model",
    "Snapshots",
    "StepRecord",
    "TensorBoardLogger",
    "Trainer",
    "UniformNoise",
    "__version__",
    "mlp",
    "wilson_interval",
]
