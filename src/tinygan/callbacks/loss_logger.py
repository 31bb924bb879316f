"""LossLogger: every iteration's losses, and the generator's error to a reference."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from tinygan._checks import check_state_keys
from tinygan.callbacks._columns import Column, check_reference, stack, steps_list, to_array, unstack
from tinygan.callbacks.base import Callback
from tinygan.protocols import StepRecord

__all__ = ["LossLogger"]


class LossLogger(Callback):
    """Log every iteration's losses, and optionally the generator's error to a reference.

    Values are kept as the trainer's detached tensors and turned into arrays only when
    read, so logging costs no host synchronisation per step. Fields a trainer leaves
    ``None`` are not logged.

    Args:
        reference: A target output, such as the post's ``[0.9, 0.0, 0.9, 0.0]``; when
            given, :attr:`g_error` holds the mean squared error of the generator's output
            to it at every iteration (the post's "progress" plot; never used in training).

    Example:
        >>> import tinygan as tg
        >>> log = tg.LossLogger(reference=[0.9, 0.0, 0.9, 0.0])
        >>> trainer = tg.AdversarialTrainer(
        ...     tg.mlp([4, 4, 4]), tg.mlp([4, 3, 1]), tg.FuzzyPattern("1010"),
        ...     tg.UniformNoise(4), seed=0, callbacks=[log])
        >>> _ = trainer.fit(5)
        >>> log.d_loss_real.shape, log.g_error.shape
        ((5,), (5,))
    """

    reads_records_only = True  # see tinygan.Callback

    def __init__(self, reference: Sequence[float] | torch.Tensor | None = None) -> None:
        self.reference: torch.Tensor | None = check_reference(reference)
        self._steps: list[int] = []
        self._values: dict[str, Column] = {
            "d_loss_real": Column(),
            "d_loss_fake": Column(),
            "g_loss": Column(),
        }
        self._fakes = Column()

    def on_step_end(self, trainer: Any, step: int, record: StepRecord) -> None:
        """Keep this iteration's losses (and output, for :attr:`g_error`)."""
        self._steps.append(step)
        for name, values in self._values.items():
            value = getattr(record, name)
            if value is not None:
                values.append(value)
        if self.reference is not None and record.fake is not None:
            if record.fake.shape[-1] != self.reference.numel():
                raise ValueError(
                    f"LossLogger reference has {self.reference.numel()} entries but the "
                    f"generator's output has {record.fake.shape[-1]}"
                )
            self._fakes.append(record.fake)

    @property
    def steps(self) -> np.ndarray:
        """The iteration number of every logged row, shape ``(n,)``."""
        return np.asarray(self._steps, dtype=np.int64)

    @property
    def d_loss_real(self) -> np.ndarray:
        """The discriminator's loss on real data at each iteration."""
        return to_array(self._values["d_loss_real"])

    @property
    def d_loss_fake(self) -> np.ndarray:
        """The discriminator's loss on generated data at each iteration."""
        return to_array(self._values["d_loss_fake"])

    @property
    def g_loss(self) -> np.ndarray:
        """The generator's loss through the discriminator at each iteration."""
        return to_array(self._values["g_loss"])

    @property
    def d_loss(self) -> np.ndarray:
        """Both discriminator losses in the order they were logged, as the post plots them.

        Shape ``(2 * n,)``: real then fake for each iteration.
        """
        real, fake = self.d_loss_real, self.d_loss_fake
        if real.size == 0 or fake.size == 0:
            return real if fake.size == 0 else fake
        return np.stack([real, fake], axis=1).reshape(-1)

    @property
    def g_error(self) -> np.ndarray | None:
        """The generator's mean squared error to :attr:`reference` at each iteration.

        ``None`` when no reference was given.
        """
        if self.reference is None:
            return None
        if not len(self._fakes):
            return np.zeros(0, dtype=np.float32)
        fakes = self._fakes.stacked()
        fakes = fakes.reshape(fakes.shape[0], -1, self.reference.numel())
        errors = ((fakes - self.reference) ** 2).mean(dim=(1, 2))
        return errors.cpu().numpy().astype(np.float32, copy=False)

    def state_dict(self) -> dict[str, torch.Tensor]:
        """Return everything logged so far, as tensors (what a checkpoint keeps).

        >>> log = LossLogger()
        >>> sorted(log.state_dict())
        ['d_loss_fake', 'd_loss_real', 'fakes', 'g_loss', 'steps']
        """
        state = {name: stack(values) for name, values in self._values.items()}
        state["steps"] = torch.tensor(self._steps, dtype=torch.int64)
        state["fakes"] = stack(self._fakes)
        return state

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Replace what is logged with a state from :meth:`state_dict`.

        Raises:
            KeyError: If ``state`` lacks an entry.
            TypeError: If an entry is not a tensor.
        """
        check_state_keys("LossLogger", state, ("steps", "fakes", *self._values))
        steps = steps_list(state["steps"])
        values = {name: Column(unstack(name, state[name])) for name in self._values}
        fakes = Column(unstack("fakes", state["fakes"]))
        self._steps, self._values, self._fakes = steps, values, fakes

    def as_dict(self) -> dict[str, np.ndarray]:
        """Return every logged series by name (``steps`` included), as arrays."""
        result = {"steps": self.steps}
        for name in self._values:
            values = getattr(self, name)
            if values.size:
                result[name] = values
        g_error = self.g_error
        if g_error is not None:
            result["g_error"] = g_error
        return result
