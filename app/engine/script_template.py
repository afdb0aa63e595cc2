"""The text of an exported script (``app.engine.script`` fills in the ``$`` fields).

It is teaching material as much as a replay: plain functions, one per idea (the data,
the features, the activations, the forward and backward pass, the optimizers, the
regularisation, one epoch, measuring), written independently of the engine but doing
the same floating-point operations in the same order, so that its losses agree with the
playground's to the last digit. It imports only NumPy and the standard library.
"""

TEMPLATE = r'''"""Neural Playground, exported as a script.

The same data, network and training rule as the playground's, in plain NumPy, to read,
run and change.

$summary

Run it (Python 3.11 or later, with NumPy):

    python playground.py               # $default_epochs epochs$default_note
    python playground.py --epochs 500  # any number of epochs

It prints one line per epoch: the epoch, the training loss and the test loss, the first
line for the network it starts from. These are the numbers the playground's loss chart
showed, to the last digit when run on the same kind of machine.

Settings (as they were when the script was made):

$settings_table

Not replayed: the script trains with these settings all the way. Changes made while the
session trained are not repeated: a learning rate, decay or optimizer changed part-way, a
weight or bias edited by hand after the start, a step taken with "explain", new data
without a reset (Regenerate, points added or removed). Where the session had such
changes, its losses and these part from that epoch on.
"""

from __future__ import annotations

import argparse
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

# -- Settings -----------------------------------------------------------------------------
# Change one and run again to see what it does. The starting weights (at the end of the
# file) fit these features and hidden layers only.

$settings

# -- The data -----------------------------------------------------------------------------
$data_code


def split(points: Array, labels: Array) -> tuple[Array, Array, Array, Array]:
    """The first floor(N · TRAIN_RATIO / 100) points train, the others test."""
    cut = math.floor(len(labels) * TRAIN_RATIO / 100.0)
    return points[:cut], labels[:cut], points[cut:], labels[cut:]


# -- Input features -----------------------------------------------------------------------
FEATURE_FUNCTIONS: dict[str, Callable[[Array, Array], Array]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1_squared": lambda x1, x2: x1 * x1,
    "x2_squared": lambda x1, x2: x2 * x2,
    "x1_x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1),
    "sin_x2": lambda x1, x2: np.sin(x2),
}


def features(points: Array) -> Array:
    """points (n, 2) → the network's inputs (n, len(FEATURES)), a column per feature."""
    x1, x2 = points[:, 0], points[:, 1]
    out = np.empty((len(points), len(FEATURES)))
    for j, name in enumerate(FEATURES):
        out[:, j] = FEATURE_FUNCTIONS[name](x1, x2)
    return out


# -- Activations --------------------------------------------------------------------------
# Each is a pair (value f(z), derivative), the derivative written in terms of the output
# a = f(z): tanh' = 1 − a², sigmoid' = a(1 − a), relu' = 1 where a > 0 else 0, linear' = 1.


def sigmoid(z: Array) -> Array:
    """1 / (1 + exp(−z)), with −z clipped so that exp cannot overflow."""
    return 1.0 / (np.exp(np.clip(-z, -700.0, 700.0)) + 1.0)


Activation = tuple[Callable[[Array], Array], Callable[[Array], Array]]
ACTIVATIONS: dict[str, Activation] = {
    "tanh": (np.tanh, lambda a: 1.0 - a * a),
    "relu": (lambda z: np.maximum(z, 0.0), np.sign),  # a ≥ 0, so sign(a) is 0 or 1
    "sigmoid": (sigmoid, lambda a: (1.0 - a) * a),
    "linear": (lambda z: z.copy(), np.ones_like),
}
OUTPUT_ACTIVATION = {"classification": "tanh", "regression": "linear", "multiclass": "linear"}
# (multiclass: a softmax over the linear outputs turns them into class probabilities)


def activation(layer: int, n_layers: int) -> Activation:
    """The hidden layers' ACTIVATION, or the output's."""
    if layer < n_layers - 1:
        return ACTIVATIONS[ACTIVATION]
    return ACTIVATIONS[OUTPUT_ACTIVATION[PROBLEM]]


# -- The network --------------------------------------------------------------------------
# All weights and biases live in one flat vector ``params``, so that an update is a few
# vector operations. Each layer is a view of it, a matrix W of shape (fan_out, fan_in + 1):
# W[j, i] is the weight from neuron i of the layer below to neuron j, W[j, -1] the bias of
# neuron j. A layer's input gets an extra row of ones, so that one product W @ a gives
# every neuron's total input z = Σᵢ W[j, i]·a[i] + bias, for a whole batch at once.


def layer_sizes() -> list[int]:
    outputs = CLASSES if PROBLEM == "multiclass" else 1
    return [len(FEATURES), *HIDDEN_LAYERS, outputs]


def layers(params: Array) -> list[Array]:
    """The flat vector → one matrix W (fan_out, fan_in + 1) per layer (views into it)."""
    sizes, out, offset = layer_sizes(), [], 0
    for fan_in, fan_out in itertools.pairwise(sizes):
        size = fan_out * (fan_in + 1)
        out.append(params[offset : offset + size].reshape(fan_out, fan_in + 1))
        offset += size
    return out


def with_ones(a: Array) -> Array:
    """Activations (neurons, m) → (neurons + 1, m), the last row ones (for the biases).
    (A new array in row-major order: NumPy's products then add up in the same order as
    the playground's.)"""
    out = np.ones((a.shape[0] + 1, a.shape[1]))
    out[:-1] = a
    return out


def gradient(params: Array, x: Array, y: Array, rng: np.random.Generator) -> Array:
    """The gradient of the loss, summed over one batch, as a flat vector like ``params``.

    x (n_features + 1, m): the batch's inputs, one column per example, with a row of
    ones; y (outputs, m): the targets (the label, or one-hot classes). The loss of one
    example is ½(output − y)² (multi-class: −log p_y, p the softmax of the outputs).
    """
    W = layers(params)
    L = len(W)
    inputs = [x]  # the input of every layer, each with its row of ones
    derivs = []  # f'(z) of every layer
    for layer in range(L):
        f, df = activation(layer, L)
        z = np.dot(W[layer], inputs[layer])  # (fan_out, m): total inputs, biases included
        a = f(z)
        d = df(a)
        if DROPOUT > 0.0 and layer < L - 1:
            # Inverted dropout: each hidden neuron is dropped for each example with chance
            # DROPOUT, the others scaled by 1 / (1 − DROPOUT); the derivative likewise.
            keep = (rng.random(a.shape) >= DROPOUT) * (1.0 / (1.0 - DROPOUT))
            a = a * keep
            d = d * keep
        derivs.append(d)
        if layer < L - 1:
            inputs.append(with_ones(a))
    # δ = ∂loss/∂z of the output layer ...
    if PROBLEM == "multiclass":
        p = np.exp(a - a.max(axis=0))
        p = p / p.sum(axis=0)  # softmax: the class probabilities
        delta = p - y  # softmax with cross-entropy: δ = p − y
    else:
        delta = (a - y) * derivs[L - 1]
    # ... and back through the layers: ∂loss/∂W = δ · inputᵀ, δ below = (Wᵀ δ) · f'(z).
    grads: list[Array] = [np.empty(0)] * L
    for layer in range(L - 1, -1, -1):
        grads[layer] = np.dot(delta, inputs[layer].T)  # the row of ones gives the biases'
        if layer > 0:
            delta = np.dot(W[layer][:, :-1].T, delta) * derivs[layer - 1]
    return np.concatenate([g.ravel() for g in grads])


# -- Optimizers ---------------------------------------------------------------------------
# Each takes the mean gradient of a batch, the learning rate and its own memory (a dict it
# may change) and returns how far the parameters move.


def sgd(grad: Array, lr: float, memory: dict[str, Any]) -> Array:
    """Plain gradient descent: −lr · g."""
    return grad * -lr


def momentum(grad: Array, lr: float, memory: dict[str, Any]) -> Array:
    """Heavy ball: v = 0.9·v − lr·g, move by v."""
    v = memory.get("velocity", np.zeros_like(grad))
    memory["velocity"] = v * 0.9 - grad * lr
    return memory["velocity"]


def nesterov(grad: Array, lr: float, memory: dict[str, Any]) -> Array:
    """Nesterov momentum: v = 0.9·v − lr·g, move by 0.9·v − lr·g."""
    v = memory.get("velocity", np.zeros_like(grad))
    memory["velocity"] = v * 0.9 - lr * grad
    return memory["velocity"] * 0.9 - lr * grad


def rmsprop(grad: Array, lr: float, memory: dict[str, Any]) -> Array:
    """s = 0.9·s + 0.1·g², move by −lr · g / (√s + 1e-7)."""
    s = memory.get("square", np.zeros_like(grad))
    memory["square"] = s * 0.9 + (1.0 - 0.9) * grad * grad
    return grad / (np.sqrt(memory["square"]) + 1e-7) * -lr


def adam(grad: Array, lr: float, memory: dict[str, Any]) -> Array:
    """Adam (β1 = 0.9, β2 = 0.999, ε = 1e-7) with bias correction."""
    m = memory.get("m", np.zeros_like(grad))
    v = memory.get("v", np.zeros_like(grad))
    t = memory["t"] = memory.get("t", 0) + 1
    memory["m"] = m * 0.9 + (1.0 - 0.9) * grad
    memory["v"] = v * 0.999 + (1.0 - 0.999) * grad * grad
    scale = lr * math.sqrt(1.0 - 0.999**t) / (1.0 - 0.9**t)
    return memory["m"] / (np.sqrt(memory["v"]) + 1e-7) * -scale


OPTIMIZERS = {f.__name__: f for f in (sgd, momentum, nesterov, rmsprop, adam)}


# -- Training -----------------------------------------------------------------------------


@dataclass
class Run:
    """Everything that decides what training does next."""

    epoch: int
    params: Array  # every weight and bias (see ``layers``)
    updates: int  # parameter updates so far (the learning rate decays with them)
    pending: Array | None  # the summed gradient of a partial batch carried over ...
    pending_count: int  # ... and how many examples it holds
    dead: NDArray[np.bool_]  # L1: weights that crossed zero stay 0
    memory: dict[str, Any]  # the optimizer's


def weight_mask(size: int) -> Array:
    """1 for every weight, 0 for every bias (biases are not regularised)."""
    mask = np.ones(size)
    for W in layers(mask):
        W[:, -1] = 0.0
    return mask


def regularise(run: Run, candidate: Array, step: float) -> Array:
    """After the gradient step: w −= step · penalty'(w), the derivative taken at the
    weight before the step (L1: sign(w), L2: w). Under L1 a weight that crosses zero is
    set to 0 and stays there (dead) for the rest of the run."""
    mask = weight_mask(len(run.params))
    if REGULARIZATION == "l2":
        return candidate - step * (run.params * mask)
    moved = candidate - step * (np.sign(run.params) * mask)
    run.dead |= candidate * moved < 0  # it crossed zero
    moved[run.dead] = 0.0
    return moved


def update(run: Run, grad_sum: Array, count: int) -> bool:
    """Move the parameters by the mean gradient of ``count`` examples; False (and no
    move) when that would make a parameter infinite or not a number."""
    lr = LEARNING_RATE / (1.0 + LEARNING_RATE_DECAY * run.updates)
    mean = grad_sum * (1.0 / count)
    candidate = run.params + OPTIMIZERS[OPTIMIZER](mean, lr, run.memory)
    if REGULARIZATION != "none" and REGULARIZATION_RATE > 0:
        candidate = regularise(run, candidate, lr * REGULARIZATION_RATE)
    if not np.isfinite(candidate).all():
        return False
    run.params = candidate
    run.updates += 1
    return True


def train_epoch(run: Run, x: Array, y: Array, rng: np.random.Generator) -> bool:
    """One pass over the training points, always in the same order, BATCH_SIZE at a time.
    The gradients of a batch are summed and the parameters move by their mean. The last,
    partial batch of an epoch is carried over: it joins the first batch of the next epoch,
    whose update then averages over both. False when training diverged."""
    n = x.shape[1]
    for start in range(0, n, BATCH_SIZE):
        stop = min(start + BATCH_SIZE, n)
        grad = gradient(run.params, x[:, start:stop], y[:, start:stop], rng)
        count = stop - start
        if run.pending is not None:
            grad = grad + run.pending
            count += run.pending_count
            run.pending, run.pending_count = None, 0
        if stop - start < BATCH_SIZE:
            run.pending, run.pending_count = grad, count
        elif not update(run, grad, count):
            return False
    return True


# -- Measuring ----------------------------------------------------------------------------
# The playground measures after every epoch with one pass over all points in float32 (it
# is about 3 times cheaper and ends up in a chart) and with a faster formula for tanh;
# the errors and means are float64. This does the same, so the numbers agree exactly.


def tanh_fast(z: NDArray[Any]) -> NDArray[Any]:
    """tanh(z) = 2 / (1 + exp(−2z)) − 1."""
    return 2.0 / (np.exp(z * -2.0) + 1.0) - 1.0


def outputs(params: Array, inputs: NDArray[Any]) -> Array:
    """inputs (n, n_features) → the outputs (n, outputs), before any softmax, computed
    in the inputs' precision (float32 or float64)."""
    a = inputs
    W = layers(params)
    for layer, Wl in enumerate(W):
        z = a @ np.ascontiguousarray(Wl[:, :-1].T, dtype=a.dtype)
        z += Wl[:, -1].astype(a.dtype)
        f = activation(layer, len(W))[0]
        a = tanh_fast(z) if f is np.tanh else f(z)
    return a.astype(np.float64)


def mean(values: Array) -> float:
    return float(values.mean()) if len(values) else 0.0


def losses(params: Array, inputs: Array, labels: Array, n_train: int) -> tuple[float, float]:
    """The mean loss over the training points (the first n_train) and the test points."""
    out = outputs(params, inputs.astype(np.float32))
    if not np.isfinite(out).all():  # float32 overflowed: float64 decides
        out = outputs(params, inputs)
    if PROBLEM == "multiclass":  # −log p_y, from the outputs without forming p
        shifted = out - out.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -log_p[np.arange(len(labels)), labels.astype(np.intp)]
    else:
        error = out[:, 0] - labels
        loss = 0.5 * error * error
    return mean(loss[:n_train]), mean(loss[n_train:])


# -- Putting it together ------------------------------------------------------------------


def targets(labels: Array) -> Array:
    """What the outputs should be, (outputs, n): the label, or one-hot classes."""
    if PROBLEM != "multiclass":
        return labels.reshape(1, len(labels))
    return (np.arange(CLASSES)[:, None] == labels[None, :]).astype(np.float64)


def start() -> Run:
    """The starting point copied from the session (at the end of the file)."""
    params = np.concatenate([np.array(W, dtype=np.float64).ravel() for W in START_WEIGHTS])
    sizes = layer_sizes()
    if [len(START_WEIGHTS[0][0]) - 1] + [len(W) for W in START_WEIGHTS] != sizes:
        raise SystemExit(
            f"The starting weights fit another network than FEATURES and HIDDEN_LAYERS "
            f"({sizes}): change those back, or export the script again."
        )
    dead = np.zeros(len(params), dtype=bool)
    dead[START_DEAD] = True
    pending = None if START_PENDING is None else np.array(START_PENDING, dtype=np.float64)
    memory = {k: np.array(v) if isinstance(v, list) else v for k, v in START_MEMORY.items()}
    return Run(START_EPOCH, params, START_UPDATES, pending, START_PENDING_COUNT, dead, memory)


def main() -> None:
    parser = argparse.ArgumentParser(description="Train the exported playground network.")
    parser.add_argument("--epochs", type=int, default=$default_epochs, help="epochs to train")
    epochs = parser.parse_args().epochs

    train_points, train_labels, test_points, test_labels = make_data()
    n_train = len(train_labels)
    x = with_ones(features(train_points).T)  # (n_features + 1, n_train)
    y = targets(train_labels)
    every_input = np.concatenate([features(train_points), features(test_points)])
    every_label = np.concatenate([train_labels, test_labels])

    run = start()
    rng = np.random.default_rng()  # dropout's random stream, where the session's was
    rng.bit_generator.state = RNG_STATE

    print(f"{'epoch':>5}  {'train loss':<22}  test loss")
    with np.errstate(all="ignore"):  # divergence is noticed below, not warned about
        train_loss, test_loss = losses(run.params, every_input, every_label, n_train)
        print(f"{run.epoch:>5}  {train_loss!r:<22}  {test_loss!r}")
        for _ in range(epochs):
            trained = train_epoch(run, x, y, rng)
            if trained:
                train_loss, test_loss = losses(run.params, every_input, every_label, n_train)
            if not trained or not math.isfinite(train_loss + test_loss):
                print(
                    f"Training diverged in epoch {run.epoch + 1}: a loss or a weight became "
                    "infinite or not a number. Lower the learning rate."
                )
                break
            run.epoch += 1
            print(f"{run.epoch:>5}  {train_loss!r:<22}  {test_loss!r}")


# -- Copied from the session --------------------------------------------------------------
$values

if __name__ == "__main__":
    main()
'''
