"""The loss and the regularisation penalties, each a (value, derivative) pair.

The loss is the reference's squared error per example, 0.5·(output − target)², with
derivative (output − target). A penalty is taken per weight: L1 |w| with derivative
sign(w) (0 at 0), L2 0.5·w² with derivative w. Derivatives write into a preallocated
``out`` array (the training hot path).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Loss:
    name: str
    value: Callable[[Array, Array], Array]  # (output, target) → loss per example
    deriv: Callable[[Array, Array, Array], Array]  # (output, target, out) → dloss/doutput


def _squared(output: Array, target: Array) -> Array:
    err = output - target
    return 0.5 * err * err


def _squared_deriv(output: Array, target: Array, out: Array) -> Array:
    return np.subtract(output, target, out)


SQUARED = Loss("squared", _squared, _squared_deriv)
"""The one loss: regression and the reference's ±1 classification both use it."""


@dataclass(frozen=True)
class Regularization:
    name: str
    value: Callable[[Array], Array]  # w → penalty per weight
    deriv: Callable[[Array, Array], Array]  # (w, out) → dpenalty/dw
    kills_crossing: bool = False  # a weight that crosses 0 is set to 0 and stays dead


def _zero(w: Array) -> Array:
    return np.zeros_like(w)


def _zero_deriv(w: Array, out: Array) -> Array:
    out.fill(0.0)
    return out


def _l1_deriv(w: Array, out: Array) -> Array:
    return np.sign(w, out)


def _l2(w: Array) -> Array:
    return 0.5 * w * w


def _l2_deriv(w: Array, out: Array) -> Array:
    np.copyto(out, w)
    return out


REGULARIZATIONS: dict[str, Regularization] = {
    "none": Regularization("none", _zero, _zero_deriv),
    "l1": Regularization("l1", np.abs, _l1_deriv, kills_crossing=True),
    "l2": Regularization("l2", _l2, _l2_deriv),
}
"""Name → penalty; the one table of regularisations (biases are never regularised)."""
