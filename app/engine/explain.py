"""One training point, explained: the forward pass, the loss, the backward pass and the
update one step of plain SGD on this point alone would make.

For weight layer l = 1 … L, with a₀ the enabled features of the point:

    z_l = W_l a_{l-1} + b_l        (pre-activations)
    a_l = f_l(z_l)                 (activations; a_L is the output, multi-class: softmax)

The loss of the point is the training loss plus the session's regularisation term:

    L = ℓ(a_L, y) + rate · Σ penalty(w)     (the sum over every weight, never a bias)
    ℓ = 0.5 · (a_L − y)²                    (classification with y = ±1, regression)
    ℓ = −log p_y                            (multi-class, p = softmax(z_L))
    penalty(w) = |w| (L1), 0.5 · w² (L2); the term is 0 without regularisation.

This is the loss whose gradient the trainer follows: its update subtracts
lr · rate · penalty'(w) after the data gradient, so one SGD step on one point is exactly
w − lr · ∂L/∂w. The backward pass:

    δ_L = (a_L − y) · f_L'(z_L)    (multi-class: δ_L = p − one_hot(y))
    δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ f_l'(z_l)
    ∂L/∂W_l = δ_l a_{l-1}ᵀ + rate · penalty'(W_l),   ∂L/∂b_l = δ_l

with penalty'(w) = sign(w) (0 at 0) for L1 and w for L2. The regularisation term depends
on the weights only, so it adds to the weight gradients and to no δ.

Dropout is off (an explanation is deterministic), the learning rate is the one the
trainer would use now, lr / (1 + decay · updates), and the step is plain SGD whatever the
session's optimizer (momentum, Adam … keep state an explanation of one point does not
have). Under L1 the trainer also keeps a weight that crossed zero at zero; the step shown
is the plain one. Nothing here changes the trainer except ``apply``.

Shapes are the model export's: weights[l] is (fan_in, fan_out), biases[l] (fan_out,).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .config import ConfigError
from .features import feature_matrix
from .losses import REGULARIZATIONS
from .network import log_softmax, softmax
from .trainer import Trainer

Array = NDArray[np.float64]


def explain(trainer: Trainer, point: Sequence[float], label: float) -> dict[str, Any]:
    """The forward pass, loss, backward pass and one plain SGD step for ``point`` (x1, x2)
    with ``label`` (±1, a value, or a class 0 … K−1; checked by the caller), as JSON-ready
    lists. Raises ConfigError when a number is not finite. The trainer is not changed."""
    net, c = trainer.net, trainer.config
    inputs = feature_matrix(np.array([point], dtype=np.float64), c.features)[0]
    with np.errstate(all="ignore"):
        zs, acts = _forward(trainer, inputs)
        data_loss, delta_out = _loss(trainer, zs[-1], acts[-1], label)
        deltas = _backward(trainer, zs, acts, delta_out)
        penalty, penalty_grads = _penalty(trainer)
        lr = c.learning_rate / (1.0 + c.learning_rate_decay * trainer.updates)
        below = [inputs, *acts[:-1]]
        w_grads = [np.outer(a, d) + p for a, d, p in zip(below, deltas, penalty_grads, strict=True)]
        weights, biases = net.weights(), net.biases()
        new_w = [w - lr * g for w, g in zip(weights, w_grads, strict=True)]
        new_b = [b - lr * d for b, d in zip(biases, deltas, strict=True)]
    out = {
        "point": [float(v) for v in point],
        "label": float(label),
        "inputs": inputs,
        "pre_activations": zs,
        "activations": acts,
        "output": acts[-1],
        "data_loss": data_loss,
        "penalty": penalty,
        "loss": data_loss + penalty,
        "deltas": deltas,
        "weight_gradients": w_grads,
        "bias_gradients": deltas,
        "learning_rate": lr,
        "updated_weights": new_w,
        "updated_biases": new_b,
    }
    return {key: _plain(value) for key, value in out.items()}


def apply(trainer: Trainer, explanation: dict[str, Any]) -> None:
    """Set the network to the explanation's updated weights and biases and refresh the
    losses; nothing else changes (not the epoch, the optimizer's state or the update count).
    As a hand edit does, a weight this changes is no longer held at zero by L1."""
    net = trainer.net
    before = net.params.copy()
    for w, new_w, new_b in zip(
        net.wt, explanation["updated_weights"], explanation["updated_biases"], strict=True
    ):
        w[:, :-1] = np.array(new_w, dtype=np.float64).T
        w[:, -1] = new_b
    trainer.dead[net.params != before] = False
    trainer.refresh_metrics()


def _forward(trainer: Trainer, inputs: Array) -> tuple[list[Array], list[Array]]:
    """Each layer's z (fan_out,) and a (fan_out,); the last a holds the output (multi-class:
    the softmax probabilities, its z the logits)."""
    net = trainer.net
    zs: list[Array] = []
    acts: list[Array] = []
    a = inputs
    for layer, w in enumerate(net.wt):
        z = w[:, :-1] @ a + w[:, -1]
        a = net.activation(layer).value(z, np.empty_like(z))
        if net.softmax and layer == net.num_layers - 1:
            a = softmax(z, axis=0)
        zs.append(z)
        acts.append(a)
    return zs, acts


def _loss(trainer: Trainer, z_out: Array, out: Array, label: float) -> tuple[float, Array]:
    """This point's training loss (without the penalty) and δ of the output layer."""
    net = trainer.net
    if net.softmax:
        k = int(label)
        one_hot = np.zeros_like(out)
        one_hot[k] = 1.0
        return float(-log_softmax(z_out, axis=0)[k]), out - one_hot
    err = out - label
    slope = net.activation(net.num_layers - 1).deriv(out, np.empty_like(out))
    return float(0.5 * err @ err), err * slope


def _backward(
    trainer: Trainer, zs: list[Array], acts: list[Array], delta_out: Array
) -> list[Array]:
    """δ of every layer, from the output's back to the first hidden layer's."""
    net = trainer.net
    deltas = [delta_out]
    for layer in range(net.num_layers - 2, -1, -1):
        back = net.wt[layer + 1][:, :-1].T @ deltas[0]
        slope = net.activation(layer).deriv(acts[layer], np.empty_like(acts[layer]))
        deltas.insert(0, back * slope)
    return deltas


def _penalty(trainer: Trainer) -> tuple[float, list[Array]]:
    """rate · Σ penalty(w) over every weight, and its gradient per weight layer
    (fan_in, fan_out); 0 without regularisation."""
    c = trainer.config
    penalty = REGULARIZATIONS[c.regularization]
    weights = trainer.net.weights()
    if penalty.name == "none" or c.regularization_rate == 0:
        return 0.0, [np.zeros_like(w) for w in weights]
    rate = c.regularization_rate
    value = rate * sum(float(penalty.value(w).sum()) for w in weights)
    return value, [rate * penalty.deriv(w, np.empty_like(w)) for w in weights]


def _plain(value: Any) -> Any:
    """Arrays and lists of arrays → lists of floats; refuses what is not finite."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    array = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise ConfigError("explain.overflow")
    return array.tolist()
