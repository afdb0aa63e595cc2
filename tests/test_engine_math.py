"""The engine's maths against independent references: finite differences, a network
worked out by hand, and a plain per-example implementation of the reference's rule."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from app.engine import ACTIVATIONS, Config, Trainer
from app.engine.datasets import Split
from app.engine.network import Backprop, Network
from tests.reference_impl import ReferenceNet


def _chunk(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x_aug = np.ones((features.shape[1] + 1, features.shape[0]))
    x_aug[:-1] = features.T
    return x_aug, x_aug.T


def _mean_loss(net: Network, features: np.ndarray, y: np.ndarray) -> float:
    out = net.predict(features)
    return float(np.mean(0.5 * (out - y) ** 2))


@pytest.mark.parametrize(
    ("activation", "problem"), itertools.product(ACTIVATIONS, ["classification", "regression"])
)
def test_backprop_matches_finite_differences(activation: str, problem: str) -> None:
    rng = np.random.default_rng(7)
    net = Network([3, 5, 4, 1], activation, problem)
    net.params[:] = rng.normal(0, 0.7, net.params.size)
    features = rng.uniform(-2, 2, (6, 3))
    y = rng.choice([-1.0, 1.0], 6)
    grad = np.zeros_like(net.params)
    x_aug, x_aug_t = _chunk(features)
    Backprop(net, grad, 6).gradient(x_aug, x_aug_t, y.reshape(1, 6))
    analytic = grad / 6
    numeric = np.zeros_like(analytic)
    h = 1e-6
    for k in range(net.params.size):
        old = net.params[k]
        net.params[k] = old + h
        up = _mean_loss(net, features, y)
        net.params[k] = old - h
        down = _mean_loss(net, features, y)
        net.params[k] = old
        numeric[k] = (up - down) / (2 * h)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("regularization", ["l1", "l2"])
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("problem", ["classification", "regression"])
def test_regularised_sgd_step_is_minus_lr_times_the_objectives_gradient(
    regularization: str, activation: str, problem: str
) -> None:
    """One SGD update with a small lr equals -lr·∇(mean loss + rate·penalty); the penalty
    (|w| or 0.5·w²) on weights only, derivatives by central differences."""
    dataset = "circle" if problem == "classification" else "plane"
    cfg = Config(
        problem=problem,
        dataset=dataset,
        hidden_layers=(3, 2),
        activation=activation,
        batch_size=10,
        learning_rate=1e-4,
        regularization=regularization,
        regularization_rate=0.3,
        seed=3,
    )
    t = Trainer(cfg)
    net = t.net
    features = t.train_features[:10]
    y = t.split.train_labels[:10]
    rate = cfg.regularization_rate
    penalty = (lambda w: np.abs(w)) if regularization == "l1" else (lambda w: 0.5 * w * w)

    def objective() -> float:
        return _mean_loss(net, features, y) + rate * float(
            np.sum(penalty(net.params) * net.weight_mask)
        )

    before = net.params.copy()
    numeric = np.zeros_like(before)
    h = 1e-6
    for k in range(before.size):
        net.params[k] = before[k] + h
        up = objective()
        net.params[k] = before[k] - h
        down = objective()
        net.params[k] = before[k]
        numeric[k] = (up - down) / (2 * h)
    chunk = t._chunks[0]
    with np.errstate(all="ignore"):
        chunk.backprop.gradient(chunk.x_aug, chunk.x_aug_t, chunk.y)
        assert t._update(10)
    step = (net.params - before) / -cfg.learning_rate
    np.testing.assert_allclose(step, numeric, rtol=1e-4, atol=1e-7)


def test_hand_worked_network_one_step() -> None:
    """x = (1), hidden tanh neuron w1 = 0.5, b1 = 0.1, output tanh w2 = -0.3, b2 = 0.1,
    target +1, lr 0.1, batch 1. By hand:
      z1 = 0.5·1 + 0.1 = 0.6,          a1 = tanh 0.6 = 0.5370496
      z2 = -0.3·a1 + 0.1 = -0.0611149, a2 = tanh z2 = -0.0610389
      loss = 0.5·(a2 - 1)² = 0.5629018
      δ2 = (a2 - 1)(1 - a2²) = -1.0570857;  ∂w2 = δ2·a1 = -0.5677074
      δ1 = δ2·w2·(1 - a1²) = 0.2256596;     ∂w1 = δ1·x = 0.2256596
      w1 ← 0.5 - 0.1·0.2256596 = 0.4774340;  b1 ← 0.1 - 0.1·0.2256596 = 0.0774340
      w2 ← -0.3 + 0.1·0.5677074 = -0.2432293; b2 ← 0.1 + 0.1·1.0570857 = 0.2057086
    """
    split = Split(np.array([[1.0, 0.0]]), np.array([1.0]), np.array([[1.0, 0.0]]), np.array([1.0]))
    t = Trainer(
        Config(features=("x1",), hidden_layers=(1,), batch_size=1, learning_rate=0.1), split
    )
    t.set_weight(0, 0, 0, 0.5)
    t.set_bias(1, 0, 0.1)
    t.set_weight(1, 0, 0, -0.3)
    t.set_bias(2, 0, 0.1)
    assert t.metrics.train_loss == pytest.approx(0.5629018, abs=1e-7)
    assert t.step(1) == 1
    w, b = t.net.weights(), t.net.biases()
    assert w[0][0, 0] == pytest.approx(0.4774340, abs=1e-7)
    assert b[0][0] == pytest.approx(0.0774340, abs=1e-7)
    assert w[1][0, 0] == pytest.approx(-0.2432293, abs=1e-7)
    assert b[1][0] == pytest.approx(0.2057086, abs=1e-7)


@pytest.mark.parametrize(
    ("batch_size", "activation", "regularization", "rate"),
    [
        (1, "tanh", "none", 0.0),
        (7, "tanh", "none", 0.0),
        (10, "relu", "l2", 0.03),
        (30, "sigmoid", "l1", 0.01),
        (7, "linear", "l1", 0.3),
    ],
)
def test_trajectory_matches_plain_per_example_implementation(
    batch_size: int, activation: str, regularization: str, rate: float
) -> None:
    """Three epochs of the vectorised trainer equal the literal per-example rule, including
    the partial batch carried into the next epoch and the L1 dead-weight rule."""
    cfg = Config(
        dataset="xor",
        train_ratio=10,
        hidden_layers=(3, 2),
        activation=activation,
        batch_size=batch_size,
        learning_rate=0.1,
        regularization=regularization,
        regularization_rate=rate,
        seed=11,
    )
    t = Trainer(cfg)
    ref = ReferenceNet(
        [w.copy() for w in t.net.weights()],
        [b.copy() for b in t.net.biases()],
        activation,
        "tanh",
    )
    for _ in range(3):
        ref.train_epoch(
            t.train_features, t.split.train_labels, batch_size, 0.1, regularization, rate
        )
        t.step(1)
    for ours, theirs in zip(t.net.weights(), ref.w, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    for ours, theirs in zip(t.net.biases(), ref.b, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def test_partial_batch_carries_over_into_next_epoch() -> None:
    """250 training points at batch 7: 35 updates per epoch, 5 examples left over that
    join the next epoch's first update, which then averages 12 examples."""
    t = Trainer(Config(batch_size=7, seed=1))
    assert len(t.split.train_labels) == 250
    t.step(1)
    assert (t.updates, t._pending_count) == (35, 5)
    before = t.net.params.copy()
    leftover = t._pending.copy()
    first = t._chunks[0]
    first.backprop.gradient(first.x_aug, first.x_aug_t, first.y)
    expected = before - t.config.learning_rate * (t.grad + leftover) / 12
    t._chunks = t._chunks[:1]  # run epoch 2 only as far as its first update
    with np.errstate(all="ignore"):
        t._train_epoch()
    assert (t.updates, t._pending_count) == (36, 0)
    np.testing.assert_allclose(t.net.params, expected, rtol=1e-12, atol=1e-15)


def test_l1_dead_weights_stay_zero_until_reset() -> None:
    t = Trainer(
        Config(
            regularization="l1",
            regularization_rate=0.3,
            learning_rate=0.1,
            seed=5,
            hidden_layers=(8, 8),
        )
    )
    t.step(20)
    assert t.dead.any()
    dead = t.dead.copy()
    assert np.all(t.net.params[dead] == 0.0)
    assert not np.any(dead & (t.net.weight_mask == 0)), "biases are never regularised"
    t.step(20)
    assert np.all(t.net.params[dead] == 0.0)
    assert np.all(t.dead[dead])
    t.reset()
    assert not t.dead.any()
    assert np.count_nonzero(t.net.params[t.net.weight_mask == 1]) == int(t.net.weight_mask.sum())


def test_activation_derivatives_are_in_terms_of_output() -> None:
    z = np.linspace(-3, 3, 13)
    h = 1e-6
    for act in ACTIVATIONS.values():
        a = act(z)
        d = act.deriv(a, np.empty_like(a))
        mask = np.abs(z) > 1e-3  # relu's kink
        numeric = (act(z + h) - act(z - h)) / (2 * h)
        np.testing.assert_allclose(d[mask], numeric[mask], rtol=1e-6, atol=1e-8)


def test_fast_tanh_agrees_with_numpy() -> None:
    z = np.concatenate([np.linspace(-30, 30, 1001), [-1e6, 1e6, 0.0]])
    np.testing.assert_allclose(ACTIVATIONS["tanh"](z), np.tanh(z), atol=1e-15)
    assert math.isfinite(float(ACTIVATIONS["tanh"](np.array([-800.0]))[0]))
