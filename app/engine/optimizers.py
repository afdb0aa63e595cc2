"""Optimizers, kept apart from the model: ``step(grad, lr) -> delta`` on flat vectors.

``grad`` is the mean gradient of one update; the returned ``delta`` is added to the
parameters by the caller. Each optimizer owns its state (same shape as the parameters)
and can forget it with ``restart()``. To add an optimizer, add a class and one entry in
``OPTIMIZERS``.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


class Optimizer:
    name: ClassVar[str]
    state_names: ClassVar[tuple[str, ...]] = ()  # the attributes restart() sets: its state

    def __init__(self, size: int) -> None:
        self.size = size
        self._delta = np.zeros(size)
        self.restart()

    def restart(self) -> None:
        """Forget all state (velocities, moment estimates)."""

    def step(self, grad: Array, lr: float) -> Array:
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        """Its state by name: arrays (copies) and counters."""
        return {n: _copy(getattr(self, n)) for n in self.state_names}

    def load_state(self, state: dict[str, Any]) -> None:
        if set(state) != set(self.state_names):
            raise ValueError(
                f"{self.name} state has {sorted(self.state_names)}, got {sorted(state)}"
            )
        for n, value in state.items():
            current = getattr(self, n)
            if isinstance(current, np.ndarray):
                if np.shape(value) != current.shape:
                    raise ValueError(f"{self.name} {n} must have shape {current.shape}")
                current[:] = value
            else:
                setattr(self, n, int(value))


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value


class SGD(Optimizer):
    """Plain gradient descent, the reference's rule: delta = -lr · grad."""

    name = "sgd"

    def step(self, grad: Array, lr: float) -> Array:
        return np.multiply(grad, -lr, self._delta)


class Momentum(Optimizer):
    """Heavy ball: v = μv - lr·g; delta = v (μ = 0.9)."""

    name = "momentum"
    state_names = ("velocity",)
    mu = 0.9

    def restart(self) -> None:
        self.velocity = np.zeros(self.size)

    def step(self, grad: Array, lr: float) -> Array:
        v = self.velocity
        np.multiply(v, self.mu, v)
        np.multiply(grad, lr, self._delta)
        np.subtract(v, self._delta, v)
        np.copyto(self._delta, v)
        return self._delta


class Nesterov(Momentum):
    """Nesterov momentum (Sutskever form, as Keras): v = μv - lr·g; delta = μv - lr·g."""

    name = "nesterov"

    def step(self, grad: Array, lr: float) -> Array:
        v = self.velocity
        np.multiply(v, self.mu, v)
        np.subtract(v, lr * grad, v)
        np.multiply(v, self.mu, self._delta)
        np.subtract(self._delta, lr * grad, self._delta)
        return self._delta


class RMSprop(Optimizer):
    """s = ρs + (1-ρ)g²; delta = -lr·g / (√s + ε) (ρ = 0.9, ε = 1e-7)."""

    name = "rmsprop"
    state_names = ("square",)
    rho = 0.9
    eps = 1e-7

    def restart(self) -> None:
        self.square = np.zeros(self.size)

    def step(self, grad: Array, lr: float) -> Array:
        s = self.square
        np.multiply(s, self.rho, s)
        s += (1.0 - self.rho) * grad * grad
        np.divide(grad, np.sqrt(s) + self.eps, self._delta)
        return np.multiply(self._delta, -lr, self._delta)


class Adam(Optimizer):
    """Adam with bias correction (β1 = 0.9, β2 = 0.999, ε = 1e-7)."""

    name = "adam"
    state_names = ("m", "v", "t")
    beta1 = 0.9
    beta2 = 0.999
    eps = 1e-7

    def restart(self) -> None:
        self.m = np.zeros(self.size)
        self.v = np.zeros(self.size)
        self.t = 0

    def step(self, grad: Array, lr: float) -> Array:
        self.t += 1
        self.m *= self.beta1
        self.m += (1.0 - self.beta1) * grad
        self.v *= self.beta2
        self.v += (1.0 - self.beta2) * grad * grad
        scale = lr * math.sqrt(1.0 - self.beta2**self.t) / (1.0 - self.beta1**self.t)
        np.divide(self.m, np.sqrt(self.v) + self.eps, self._delta)
        return np.multiply(self._delta, -scale, self._delta)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Momentum, Nesterov, RMSprop, Adam)
}
"""Name → optimizer class; the one table of optimizers (sgd is the default)."""
