"""A fully connected network whose parameters live in one flat vector.

Layer sizes are ``[n_features] + hidden + [outputs]``: one output (tanh for the binary
problem, linear for regression), or one per class with a softmax for multi-class.

For layer l (1 … L) the weights and the bias are stored together, transposed, as
``wt[l-1]`` of shape (fan_out, fan_in + 1): column i < fan_in holds the weights from
neuron i of layer l-1, the last column holds the biases. Every ``wt`` is a view into
``params``, so an optimizer updates the whole network with one vector operation, and
the public layout of the reference (``weights[l]`` of shape (fan_in, fan_out),
``biases[l]``) is just another view.

Training (``Backprop``) keeps activations feature-major, shape (neurons, examples),
with a constant row of ones appended, so one matrix product gives a layer's total input
including its bias and one product gives the gradient of weights and bias together.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .activations import ACTIVATIONS, Activation
from .losses import SQUARED

Array = NDArray[np.float64]


def _init_playground(fan_in: int, fan_out: int, rng: np.random.Generator) -> tuple[Array, float]:
    return rng.uniform(-0.5, 0.5, (fan_out, fan_in)), 0.1


def _init_xavier(fan_in: int, fan_out: int, rng: np.random.Generator) -> tuple[Array, float]:
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_out, fan_in)), 0.0


def _init_he(fan_in: int, fan_out: int, rng: np.random.Generator) -> tuple[Array, float]:
    return rng.normal(0.0, math.sqrt(2.0 / fan_in), (fan_out, fan_in)), 0.0


def _init_zero(fan_in: int, fan_out: int, rng: np.random.Generator) -> tuple[Array, float]:
    return np.zeros((fan_out, fan_in)), 0.0


INITS: dict[str, Callable[[int, int, np.random.Generator], tuple[Array, float]]] = {
    "playground": _init_playground,  # the reference: weights U[-0.5, 0.5), biases 0.1
    "xavier": _init_xavier,  # Glorot uniform, biases 0
    "he": _init_he,  # He normal, biases 0
    "zero": _init_zero,  # all zero: shows the symmetry problem
}
"""Name → initialisation scheme; the one table of init schemes."""

OUTPUT_ACTIVATION = {"classification": "tanh", "regression": "linear", "multiclass": "linear"}
"""The output's activation; multi-class applies a softmax over the (linear) outputs."""


def softmax(z: NDArray[Any], axis: int) -> NDArray[Any]:
    """exp(z) / Σ exp(z) along ``axis``, shifted by the maximum so it cannot overflow."""
    e: NDArray[Any] = np.exp(z - z.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


def log_softmax(z: NDArray[Any], axis: int) -> NDArray[Any]:
    """log softmax(z), computed without forming the probabilities (no log of 0)."""
    shifted: NDArray[Any] = z - z.max(axis=axis, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return shifted


class Network:
    def __init__(self, sizes: Sequence[int], activation: str, problem: str) -> None:
        self.sizes = tuple(sizes)
        self.hidden: Activation = ACTIVATIONS[activation]
        self.output: Activation = ACTIVATIONS[OUTPUT_ACTIVATION[problem]]
        self.softmax = problem == "multiclass"  # cross-entropy on softmax outputs
        shapes = [(fan_out, fan_in + 1) for fan_in, fan_out in itertools.pairwise(sizes)]
        self.params = np.zeros(sum(r * c for r, c in shapes))
        self.weight_mask = np.zeros_like(self.params)  # 1 for weights, 0 for biases
        self.wt: list[Array] = []
        offset = 0
        for rows, cols in shapes:
            n = rows * cols
            self.wt.append(self.params[offset : offset + n].reshape(rows, cols))
            self.weight_mask[offset : offset + n].reshape(rows, cols)[:, :-1] = 1.0
            offset += n

    @property
    def num_layers(self) -> int:
        """Number of weight layers (hidden layers + 1)."""
        return len(self.wt)

    def activation(self, layer: int) -> Activation:
        """The activation of weight layer ``layer`` (0-based; the last is the output)."""
        return self.output if layer == self.num_layers - 1 else self.hidden

    def initialise(self, scheme: str, rng: np.random.Generator) -> None:
        for w in self.wt:
            weights, bias = INITS[scheme](w.shape[1] - 1, w.shape[0], rng)
            w[:, :-1] = weights
            w[:, -1] = bias

    # -- the reference's public layout -------------------------------------------------
    def weights(self) -> list[Array]:
        """weights[l][i, j]: from neuron i of layer l to neuron j of layer l+1 (views)."""
        return [w[:, :-1].T for w in self.wt]

    def biases(self) -> list[Array]:
        """biases[l][j]: the bias of neuron j of layer l+1 (views)."""
        return [w[:, -1] for w in self.wt]

    # -- evaluation (allocates; for losses, grids and predictions) --------------------
    def forward_all(self, features: NDArray[Any], dtype: type = np.float64) -> list[NDArray[Any]]:
        """features (n, n_features) → [features, layer 1, …, output], each (n, neurons);
        a multi-class output holds the class probabilities.

        ``dtype=np.float32`` halves the cost for pictures (the decision grid), where the
        values end up as 8-bit colours anyway."""
        outs = self.forward_logits(features, dtype)
        if self.softmax:
            outs[-1] = softmax(outs[-1], axis=1)
        return outs

    def forward_logits(
        self, features: NDArray[Any], dtype: type = np.float64
    ) -> list[NDArray[Any]]:
        """As ``forward_all``, but a multi-class output is left before its softmax."""
        outs = [features]
        a: NDArray[Any] = features.astype(dtype, copy=False)
        for layer, w in enumerate(self.wt):
            # A contiguous (fan_in, fan_out) copy: matmul with the strided view of ``wt``
            # falls back to a loop that is ~100x slower than BLAS on a 10,000-point grid.
            weights: NDArray[Any] = np.ascontiguousarray(w[:, :-1].T, dtype=dtype)
            z = a @ weights
            z += w[:, -1].astype(dtype)
            a = self.activation(layer)(z)
            outs.append(a)
        return outs

    def predict(self, features: Array) -> Array:
        """features (n, n_features) → outputs (n,), or class probabilities (n, classes)."""
        out = self.forward_all(features)[-1]
        return out if self.softmax else out[:, 0]


class Backprop:
    """Preallocated buffers for the gradient of one chunk of ``m`` examples.

    ``gradient`` writes the *sum* over the chunk of d(0.5·(out - y)²)/d(params) into the
    flat vector ``grad`` (same layout as ``params``); for multi-class, of the
    cross-entropy −log p_y of the softmax outputs p, with y one-hot (classes, m): the
    output's δ is then p − y. With ``dropout`` > 0, hidden
    activations are multiplied by a fresh mask of keep / (1 - rate) (inverted dropout).
    """

    def __init__(self, net: Network, grad: Array, m: int) -> None:
        self.net = net
        sizes = net.sizes
        L = net.num_layers
        self.acts = [np.ones((n + 1, m)) for n in sizes[1:-1]]  # hidden, with a ones row
        self.out = np.empty((sizes[-1], m))
        self.z = [np.empty((n, m)) for n in sizes[1:]]
        self.deriv = [np.empty((n, m)) for n in sizes[1:]]
        self.delta = [np.empty((n, m)) for n in sizes[1:]]
        self.act_views = [a[:-1] for a in self.acts] + [self.out]
        self.acts_t = [a.T for a in self.acts]
        self.grad_views: list[Array] = []
        offset = 0
        for w in net.wt:
            self.grad_views.append(grad[offset : offset + w.size].reshape(w.shape))
            offset += w.size
        self.w_back = [w[:, :-1].T for w in net.wt]  # (fan_in, fan_out), for backprop
        self.funcs = [
            (net.activation(layer).value, net.activation(layer).deriv) for layer in range(L)
        ]

    def gradient(
        self,
        x_aug: Array,
        x_aug_t: Array,
        y: Array,
        dropout: float = 0.0,
        rng: np.random.Generator | None = None,
    ) -> None:
        """x_aug (n_features + 1, m) with a ones row, y (1, m); fills ``grad``."""
        multiply = np.multiply  # ndarray.dot below: np.dot's dispatcher costs ~0.5 µs a call
        wt, z, deriv, delta = self.net.wt, self.z, self.deriv, self.delta
        acts, views, funcs = self.acts, self.act_views, self.funcs
        L = len(wt)
        a_in = x_aug
        for layer in range(L):
            value, der = funcs[layer]
            wt[layer].dot(a_in, z[layer])
            a = value(z[layer], views[layer])
            der(a, deriv[layer])
            if dropout > 0.0 and layer < L - 1 and rng is not None:
                mask = (rng.random(a.shape) >= dropout) * (1.0 / (1.0 - dropout))
                multiply(a, mask, a)
                multiply(deriv[layer], mask, deriv[layer])
            if layer < L - 1:
                a_in = acts[layer]
        d = delta[L - 1]
        if self.net.softmax:  # softmax + cross-entropy: δ = p − y
            out = self.out
            out -= out.max(axis=0)
            np.exp(out, out)
            out /= out.sum(axis=0)
            np.subtract(out, y, d)
        else:
            SQUARED.deriv(self.out, y, d)
            multiply(d, deriv[L - 1], d)
        grads, w_back, acts_t = self.grad_views, self.w_back, self.acts_t
        for layer in range(L - 1, 0, -1):
            d = delta[layer]
            d.dot(acts_t[layer - 1], grads[layer])
            below = delta[layer - 1]
            w_back[layer].dot(d, below)
            multiply(below, deriv[layer - 1], below)
        delta[0].dot(x_aug_t, grads[0])
