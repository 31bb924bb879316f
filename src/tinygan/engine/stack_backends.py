"""The fused and native backends of a :class:`~tinygan.engine.stack.Stack` of MLPs.

:class:`FusedStack` computes the step's gradients by hand on the whole stack
(:func:`tinygan.engine.fused.adversarial_step`, one iteration per call, any device) and
hands them to the stack's optimisers; :class:`NativeStack` runs the native kernel, many
iterations per call on the CPU, which updates the weights, and for Adam the optimisers'
own moments and counts, in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from tinygan.engine import fused
from tinygan.engine.native import Kernel
from tinygan.engine.native.runner import NativeRunner, NativeStream
from tinygan.engine.stack import Stack
from tinygan.engine.table import native_optimizer
from tinygan.protocols import StepRecord

__all__ = ["FusedStack", "NativeStack"]


def _apply(stack: Stack, which: int) -> fused.Update:
    """Apply gradients to the generators (``which=0``) or discriminators by their optimiser."""
    params = (stack.g, stack.d)[which]

    def update(grads: Sequence[torch.Tensor]) -> None:
        name, lr = stack.plain(which)
        if name == "sgd":  # what SGD's step computes, without making the object
            fused.sgd_(params, grads, lr)
            return
        for p, grad in zip(params, grads, strict=True):
            p.grad = grad
        stack.optimizer(which).step()

    return update


class FusedStack:
    """Trains a stack of MLPs one iteration at a time with the fused step.

    The step's gradients by hand (:func:`tinygan.engine.fused.adversarial_step`, on the
    whole stack, any device); the stack's optimisers apply them.

    Args:
        stack: The stacks.
        kind: The loss, ``"mse"`` or ``"bce"``.
        data: The members' data.
    """

    name = "fused"

    def __init__(self, stack: Stack, kind: str, data: NativeStream) -> None:
        assert stack.g_spec is not None and stack.d_spec is not None
        self.stack, self.kind, self.data = stack, kind, data
        self.specs = (stack.g_spec, stack.d_spec)
        with torch.no_grad():
            self.views = (
                fused.prepare(stack.g_spec, stack.g, sums=True),
                fused.prepare(stack.d_spec, stack.d, sums=True),
            )
        self.updates = (_apply(stack, 0), _apply(stack, 1))

    def step(self, ahead: int) -> StepRecord:
        """Run one iteration of every member (``ahead`` is not used)."""
        s = self.stack
        real, z_fake, z_gen = (part[0] for part in self.data.draw(1))
        with torch.no_grad():
            *losses, fake = fused.adversarial_step(
                *self.specs, s.g, s.d, real, z_fake, z_gen, self.kind, *self.updates,
                sums=True, g_prepared=self.views[0], d_prepared=self.views[1],
            )  # fmt: skip
        return s.record(losses, fake)

    def finish(self) -> None:
        """Nothing is computed ahead."""

    def describe(self) -> dict[str, Any]:
        """``{"name": "fused"}``."""
        return {"name": self.name}


def _adam_state(opt: torch.optim.Optimizer, p: torch.Tensor) -> dict[str, Any]:
    """``opt``'s Adam state of ``p``, made as :class:`torch.optim.Adam` makes it if absent."""
    state = opt.state[p]
    if not state:
        state["step"] = torch.tensor(0.0)
        for key in ("exp_avg", "exp_avg_sq"):
            state[key] = torch.zeros_like(p, memory_format=torch.preserve_format)
    return state  # type: ignore[no-any-return]


class NativeStack:
    """Trains a stack of MLPs through the native kernel, many iterations per call.

    The kernel updates the stacks in place, and for Adam the optimisers' own moments
    (their update counts follow).

    Args:
        stack: The stacks (float32, on the CPU; plain SGD or default Adam at one learning
            rate, which a callback may change but not turn into another optimiser).
        kind: The loss, ``"mse"`` or ``"bce"``.
        data: The members' data.
        kernel: The loaded kernel.
        threads: Threads that share a call's blocks of members.
        batch_size: Samples per step and member.
    """

    name = "native"

    def __init__(
        self, stack: Stack, kind: str, data: NativeStream, kernel: Kernel, threads: int,
        batch_size: int,
    ) -> None:  # fmt: skip
        assert stack.g_spec is not None and stack.d_spec is not None
        self.stack, self.data, self.kernel = stack, data, kernel
        self.optimizer = native_optimizer(stack)
        self.adam = self.optimizer == "adam"
        self.runner = NativeRunner(
            kernel, stack.g_spec, stack.d_spec, kind, str(self.optimizer),
            threads=threads, batch_size=batch_size,
        )  # fmt: skip

    def _pairs(self) -> list[tuple[torch.optim.Optimizer, torch.Tensor]]:
        """Each parameter with its optimiser (Adam's: plain SGD never makes the object)."""
        s = self.stack
        return [(s.g_opt, p) for p in s.g] + [(s.d_opt, p) for p in s.d]

    def _count(self, done: int) -> None:
        """Add ``done`` iterations' updates to Adam's counts (one of G's, two of D's)."""
        if self.adam and done:
            for opt, p in self._pairs():
                _adam_state(opt, p)["step"] += done if opt is self.stack.g_opt else 2 * done

    def step(self, ahead: int) -> StepRecord:
        """Hand out a computed iteration's record, or compute up to ``ahead`` iterations."""
        if self.runner.pending():
            return self.runner.pop()
        s = self.stack
        if native_optimizer(s) != self.optimizer:  # a callback changed more than the rate
            raise ValueError(
                f"the ensemble's optimisers are no longer {self.optimizer!r} as the native "
                "kernel computes it (plain SGD, or default Adam at one learning rate): "
                "change only their learning rates, or train on backend='fused'"
            )
        state = [p.detach() for p in (*s.g, *s.d)]
        steps = (0, 0)
        if self.adam:
            adam = [_adam_state(opt, p) for opt, p in self._pairs()]
            state += [a["exp_avg"] for a in adam] + [a["exp_avg_sq"] for a in adam]
            steps = (int(adam[0]["step"]), int(adam[-1]["step"]))
        lrs = (s.plain(0)[1], s.plain(1)[1])
        record = self.runner.run(state, lrs, steps, ahead, self.data, s.members)
        self._count(self.runner.computed)
        return record

    def finish(self) -> None:
        """Undo iterations computed but never handed out (weights, moments, data)."""
        self._count(-self.runner.finish(self.data))

    def describe(self) -> dict[str, Any]:
        """The name, and the kernel's build (:meth:`tinygan.engine.native.Kernel.describe`)."""
        return {"name": self.name, **self.kernel.describe()}
