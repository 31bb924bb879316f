"""Callbacks: small objects whose hooks a trainer's ``fit`` calls as it runs.

The order of events in ``trainer.fit(steps)`` is fixed:

1. ``on_fit_start(trainer)`` for each callback, in list order;
2. for each iteration: ``record = trainer.step()``, then ``trainer.iteration`` goes up by
   one, then ``on_step_end(trainer, step, record)`` for each callback in list order, where
   ``step`` is the new ``trainer.iteration`` (it counts from 1 and goes on across ``fit``
   calls); then, if ``trainer.stop()`` was called, the loop ends;
3. ``on_fit_end(trainer)`` for each callback in list order. This runs however ``fit``
   ends: after the last iteration, after ``stop()``, or on an exception
   (:class:`KeyboardInterrupt` included), which then propagates unchanged.

"List order" has one exception: callbacks whose class sets ``runs_last = True`` (such as
:class:`tinygan.Checkpoint`, which saves the trainer) run after all the others, in their
list order, so that what they save includes every other callback's view of the iteration.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from tinygan._checks import check_int, check_state_keys

if TYPE_CHECKING:
    from tinygan.records import StepRecord

__all__ = ["Callback", "LambdaCallback", "LossLogger", "Snapshots"]


def check_reference(reference: Sequence[float] | torch.Tensor | None) -> torch.Tensor | None:
    """Return a logger's ``reference`` output as a float32 vector (``None`` stays ``None``).

    Raises:
        TypeError: If ``reference`` is not a sequence of numbers or a tensor.
        ValueError: If it is not a non-empty 1-d sequence of finite numbers.
    """
    if reference is None:
        return None
    try:
        ref = torch.as_tensor(reference, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise TypeError(
            f"reference must be a sequence of numbers or a tensor, got {reference!r}"
        ) from exc
    if ref.dim() != 1 or ref.numel() == 0 or not bool(torch.isfinite(ref).all()):
        raise ValueError(
            f"reference must be a non-empty 1-d sequence of finite numbers, got {reference!r}"
        )
    return ref


class Callback:
    """Base class of callbacks: every hook is a no-op; override the ones you need.

    Example:
        >>> import tinygan as tg
        >>> class CountSteps(tg.Callback):
        ...     def __init__(self):
        ...         self.count = 0
        ...     def on_step_end(self, trainer, step, record):
        ...         self.count += 1
    """

    def on_fit_start(self, trainer: Any) -> None:
        """Called once when ``fit`` starts, before the first iteration."""

    def on_step_end(self, trainer: Any, step: int, record: StepRecord) -> None:
        """Called after each iteration with its number (from 1) and its record."""

    def on_fit_end(self, trainer: Any) -> None:
        """Called once when ``fit`` ends, however it ends."""


class LambdaCallback(Callback):
    """A callback made of plain functions, for one-off hooks.

    Args:
        on_fit_start: Called as ``on_fit_start(trainer)``.
        on_step_end: Called as ``on_step_end(trainer, step, record)``.
        on_fit_end: Called as ``on_fit_end(trainer)``.

    Raises:
        TypeError: If a hook given is not callable.

    Example:
        >>> import tinygan as tg
        >>> steps = []
        >>> cb = tg.LambdaCallback(on_step_end=lambda trainer, step, record: steps.append(step))
    """

    def __init__(
        self,
        on_fit_start: Callable[[Any], None] | None = None,
        on_step_end: Callable[[Any, int, StepRecord], None] | None = None,
        on_fit_end: Callable[[Any], None] | None = None,
    ) -> None:
        for name, hook in (
            ("on_fit_start", on_fit_start),
            ("on_step_end", on_step_end),
            ("on_fit_end", on_fit_end),
        ):
            if hook is not None and not callable(hook):
                raise TypeError(f"{name} must be callable or None, got {hook!r}")
        self._on_fit_start = on_fit_start
        self._on_step_end = on_step_end
        self._on_fit_end = on_fit_end

    def on_fit_start(self, trainer: Any) -> None:
        """Call the ``on_fit_start`` function, if one was given."""
        if self._on_fit_start is not None:
            self._on_fit_start(trainer)

    def on_step_end(self, trainer: Any, step: int, record: StepRecord) -> None:
        """Call the ``on_step_end`` function, if one was given."""
        if self._on_step_end is not None:
            self._on_step_end(trainer, step, record)

    def on_fit_end(self, trainer: Any) -> None:
        """Call the ``on_fit_end`` function, if one was given."""
        if self._on_fit_end is not None:
            self._on_fit_end(trainer)


class _Column:
    """Per-iteration tensors, stacked into small blocks as they come.

    A long run logs tens of thousands of small tensors; kept one by one, each stays an
    object for Python's garbage collector to walk through, again and again, and keeps
    its own memory, which costs more than the step itself on the fused path. So every
    :attr:`BLOCK` rows are stacked into one tensor (soon, while the memory is still in
    the cache), and every 64 blocks into one bigger block.
    """

    BLOCK = 16
    __slots__ = ("_blocks", "_rows", "_small")

    def __init__(self, rows: Sequence[torch.Tensor] = ()) -> None:
        self._blocks: list[torch.Tensor] = []
        self._small: list[torch.Tensor] = []
        self._rows: list[torch.Tensor] = list(rows)

    def append(self, row: torch.Tensor) -> None:
        rows = self._rows
        rows.append(row)
        if len(rows) >= self.BLOCK:
            try:
                block = torch.stack(rows)
            except RuntimeError:  # rows of different shapes stay rows
                return
            self._rows = []
            small = self._small
            small.append(block)
            if len(small) >= 64:
                self._blocks.append(torch.cat(small))
                self._small = []

    def __len__(self) -> int:
        blocks = (*self._blocks, *self._small)
        return sum(block.shape[0] for block in blocks) + len(self._rows)

    def stacked(self) -> torch.Tensor:
        """All rows stacked into one tensor (raises if there are none)."""
        parts = [*self._blocks, *self._small]
        if self._rows:
            parts.append(torch.stack(self._rows))
        return parts[0] if len(parts) == 1 else torch.cat(parts)


def _stack(values: _Column | list[torch.Tensor]) -> torch.Tensor:
    """The tensors stacked into one (an empty tensor for none), for a state dict."""
    if not len(values):
        return torch.zeros(0)
    if isinstance(values, _Column):
        return values.stacked().detach()
    return torch.stack(values).detach()


def _unstack(name: str, value: Any) -> list[torch.Tensor]:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"state[{name!r}] must be a tensor, got {type(value).__name__}")
    return [] if value.numel() == 0 and value.dim() == 1 else list(value.unbind(0))


def _steps_list(value: Any) -> list[int]:
    if not isinstance(value, torch.Tensor) or value.dim() != 1:
        raise TypeError("state['steps'] must be a 1-d tensor of iteration numbers")
    return [int(step) for step in value.tolist()]


def _to_array(values: _Column | list[torch.Tensor]) -> np.ndarray:
    if not len(values):
        return np.zeros(0, dtype=np.float32)
    return _stack(values).cpu().numpy().astype(np.float32, copy=False)


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

    def __init__(self, reference: Sequence[float] | torch.Tensor | None = None) -> None:
        self.reference: torch.Tensor | None = check_reference(reference)
        self._steps: list[int] = []
        self._values: dict[str, _Column] = {
            "d_loss_real": _Column(),
            "d_loss_fake": _Column(),
            "g_loss": _Column(),
        }
        self._fakes = _Column()

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
        return _to_array(self._values["d_loss_real"])

    @property
    def d_loss_fake(self) -> np.ndarray:
        """The discriminator's loss on generated data at each iteration."""
        return _to_array(self._values["d_loss_fake"])

    @property
    def g_loss(self) -> np.ndarray:
        """The generator's loss through the discriminator at each iteration."""
        return _to_array(self._values["g_loss"])

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
        state = {name: _stack(values) for name, values in self._values.items()}
        state["steps"] = torch.tensor(self._steps, dtype=torch.int64)
        state["fakes"] = _stack(self._fakes)
        return state

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Replace what is logged with a state from :meth:`state_dict`.

        Raises:
            KeyError: If ``state`` lacks an entry.
            TypeError: If an entry is not a tensor.
        """
        check_state_keys("LossLogger", state, ("steps", "fakes", *self._values))
        steps = _steps_list(state["steps"])
        values = {name: _Column(_unstack(name, state[name])) for name in self._values}
        fakes = _Column(_unstack("fakes", state["fakes"]))
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


class Snapshots(Callback):
    """Keep the generator's output every ``every`` iterations, as the post does.

    Args:
        every: Take a snapshot at iterations ``every``, ``2 * every``, ...

    Raises:
        ValueError: If ``every < 1``.

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

    def __init__(self, every: int = 1000) -> None:
        self.every = check_int("every", every, minimum=1)
        self.steps: list[int] = []
        self._outputs: list[torch.Tensor] = []

    def on_step_end(self, trainer: Any, step: int, record: StepRecord) -> None:
        """Keep the output of every ``every``-th iteration."""
        if step % self.every == 0 and record.fake is not None:
            self.steps.append(step)
            self._outputs.append(record.fake)

    def state_dict(self) -> dict[str, torch.Tensor]:
        """Return the snapshots taken so far, as tensors (what a checkpoint keeps)."""
        return {
            "steps": torch.tensor(self.steps, dtype=torch.int64),
            "outputs": _stack(self._outputs),
        }

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Replace the snapshots with a state from :meth:`state_dict`.

        Raises:
            KeyError: If ``state`` lacks an entry.
            TypeError: If an entry is not a tensor.
        """
        check_state_keys("Snapshots", state, ("steps", "outputs"))
        steps = _steps_list(state["steps"])
        self._outputs = _unstack("outputs", state["outputs"])
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
