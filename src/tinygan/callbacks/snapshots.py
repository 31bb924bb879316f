"""Snapshots: the generator's output every ``every`` iterations, as the post keeps it."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from tinygan._checks import check_int, check_state_keys
from tinygan.callbacks._columns import stack, steps_list, unstack
from tinygan.callbacks.base import Callback
from tinygan.nets.inference import inference_output
from tinygan.protocols import StepRecord

__all__ = ["Snapshots"]


class Snapshots(Callback):
    """Keep the generator's output every ``every`` iterations, as the post does.

    By default a snapshot is the iteration's own output (the record's ``fake``: the
    training batch, from fresh noise each time). Given ``inputs``, a snapshot is the
    generator's output for those same inputs every time (a fixed noise grid, computed
    without gradients, in inference mode as a judge sees it (batch norm on its running
    statistics), and without touching the trainer's random state), so that snapshot
    after snapshot shows the same inputs' images change.

    Args:
        every: Take a snapshot at iterations ``every``, ``2 * every``, ...
        inputs: Fixed generator inputs ``(n, noise_dim)``, or ``None`` for the
            iteration's own output.

    Raises:
        ValueError: If ``every < 1``.
        TypeError: If ``inputs`` is not a 2-d tensor.

    Example:
        >>> import tinygan as tg
        >>> snaps = tg.Snapshots(every=2)
        >>> trainer = tg.AdversarialTrainer(
        ...     tg.mlp([4, 4, 4]), tg.mlp([4, 3, 1]), tg.FuzzyPattern("1010"),
        ...     tg.UniformNoise(4), seed=0, callbacks=[snaps])
        >>> _ = trainer.fit(6)
        >>> snaps.steps, snaps.array.shape
        ([2, 4, 6], (3, 4))
    """

    reads_records_only = True  # see tinygan.Callback; not with inputs (it runs the generator)

    def __init__(self, every: int = 1000, *, inputs: torch.Tensor | None = None) -> None:
        self.every = check_int("every", every, minimum=1)
        if inputs is not None and (not isinstance(inputs, torch.Tensor) or inputs.dim() != 2):
            raise TypeError(f"inputs must be a tensor (n, noise_dim) or None, got {inputs!r}")
        self.inputs = None if inputs is None else inputs.detach()
        if self.inputs is not None:
            self.reads_records_only = False
        self.steps: list[int] = []
        self._outputs: list[torch.Tensor] = []

    def on_step_end(self, trainer: Any, step: int, record: StepRecord) -> None:
        """Keep the output of every ``every``-th iteration (for ``inputs``, if given)."""
        if step % self.every != 0:
            return
        if self.inputs is not None:
            self.steps.append(step)
            self._outputs.append(inference_output(trainer.generator, self.inputs))
        elif record.fake is not None:
            self.steps.append(step)
            self._outputs.append(record.fake)

    def state_dict(self) -> dict[str, torch.Tensor]:
        """Return the snapshots taken so far, as tensors (what a checkpoint keeps)."""
        return {
            "steps": torch.tensor(self.steps, dtype=torch.int64),
            "outputs": stack(self._outputs),
        }

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Replace the snapshots with a state from :meth:`state_dict`.

        Raises:
            KeyError: If ``state`` lacks an entry.
            TypeError: If an entry is not a tensor.
        """
        check_state_keys("Snapshots", state, ("steps", "outputs"))
        steps = steps_list(state["steps"])
        self._outputs = unstack("outputs", state["outputs"])
        self.steps = steps

    @property
    def outputs(self) -> np.ndarray:
        """The snapshots, shape ``(k, batch_size, dim)``."""
        if not self._outputs:
            return np.zeros((0, 0, 0), dtype=np.float32)
        return torch.stack(self._outputs).cpu().numpy().astype(np.float32, copy=False)

    @property
    def array(self) -> np.ndarray:
        """The snapshots' rows stacked, shape ``(k * batch_size, dim)``.

        This is the post's ``numpy.concatenate(image_array_list)``; its transpose is the
        post's snapshot image (one column per snapshot).
        """
        outputs = self.outputs
        return outputs.reshape(outputs.shape[0] * outputs.shape[1], outputs.shape[2])
