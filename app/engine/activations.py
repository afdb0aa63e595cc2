"""Activation functions, each a (value, derivative) pair.

The derivative is written in terms of the activation's *output* a = f(z), as in
scikit-learn, so backpropagation needs only the stored activations:
tanh' = 1 - a², sigmoid' = a(1 - a), relu' = [a > 0] (equal to [z > 0]), linear' = 1.
Both functions write into a preallocated ``out`` array (the training hot path).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def _tanh(z: Array, out: Array) -> Array:
    return np.tanh(z, out)


def _tanh_deriv(a: Array, out: Array) -> Array:
    np.multiply(a, a, out)
    return np.subtract(1.0, out, out)


def _relu(z: Array, out: Array) -> Array:
    return np.maximum(z, 0.0, out=out)


def _relu_deriv(a: Array, out: Array) -> Array:
    return np.sign(a, out)  # a = max(z, 0) ≥ 0, so sign(a) is 1 where z > 0, else 0


def _sigmoid(z: Array, out: Array) -> Array:
    # 1 / (1 + exp(-z)), written so that a large negative z gives 0 without a warning.
    np.negative(z, out)
    np.clip(out, -700.0, 700.0, out)
    np.exp(out, out)
    np.add(out, 1.0, out)
    return np.reciprocal(out, out)


def _sigmoid_deriv(a: Array, out: Array) -> Array:
    np.subtract(1.0, a, out)
    return np.multiply(out, a, out)


def _linear(z: Array, out: Array) -> Array:
    np.copyto(out, z)
    return out


def _linear_deriv(a: Array, out: Array) -> Array:
    out.fill(1.0)
    return out


@dataclass(frozen=True)
class Activation:
    name: str
    value: Callable[[Array, Array], Array]
    deriv: Callable[[Array, Array], Array]

    def __call__(self, z: Array) -> Array:
        """Allocate and return f(z) (for evaluation, not the training hot path)."""
        if self.name == "tanh":
            return _tanh_large(z)
        return self.value(z, np.empty_like(z))


def _tanh_large(z: Array) -> Array:
    """tanh(z) = 2 / (1 + exp(-2z)) - 1: 1.5–3x faster than np.tanh on large arrays (exp
    is better vectorised), within 1e-15 (float64) or 3e-7 (float32) of it; exp overflow
    gives -1."""
    out = np.multiply(z, -2.0, dtype=z.dtype)
    with np.errstate(over="ignore"):
        np.exp(out, out)
    out += 1.0
    np.divide(2.0, out, out)
    out -= 1.0
    return out


ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation("relu", _relu, _relu_deriv),
    "tanh": Activation("tanh", _tanh, _tanh_deriv),
    "sigmoid": Activation("sigmoid", _sigmoid, _sigmoid_deriv),
    "linear": Activation("linear", _linear, _linear_deriv),
}
"""Hidden-layer activations offered to the user (the output uses tanh or linear)."""
