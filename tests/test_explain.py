"""Explain one point (``app.engine.explain`` and ``POST …/explain``): the gradients are
the gradient of the reported loss (finite differences, for every activation,
regularisation and problem), a 2-1-1 network worked out by hand, the step is the one the
trainer takes, and only ``apply`` changes the session — by exactly the step shown."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.engine import ACTIVATIONS, REGULARIZATIONS, ConfigError, Trainer, config_from_dict
from app.engine.datasets import Split
from app.engine.explain import apply, explain
from tests.helpers import assert_rejected_changes_nothing, new_session, snapshot, strict_json

H = 1e-6  # the step of the central differences
PROBLEMS = {  # problem → its config and a label of a point to explain
    "classification": ({"problem": "classification"}, -1.0),
    "regression": ({"problem": "regression"}, 0.37),
    "multiclass": ({"problem": "multiclass", "classes": 3}, 2.0),
}
NETWORK = {"hidden_layers": [3, 2], "features": ["x1", "x2", "x1_x2"], "seed": 11}


def _trainer(activation: str, regularization: str, problem: str) -> Trainer:
    config, _ = PROBLEMS[problem]
    rate = 0.0 if regularization == "none" else 0.05
    return Trainer(
        config_from_dict(
            {
                **NETWORK,
                **config,
                "activation": activation,
                "regularization": regularization,
                "regularization_rate": rate,
            }
        )
    )


def _loss(trainer: Trainer, point: list[float], label: float) -> float:
    return float(explain(trainer, point, label)["loss"])


def _central(trainer: Trainer, point: list[float], label: float, cell: np.ndarray) -> float:
    """(L(p + h) − L(p − h)) / 2h for one entry of ``trainer.net.wt`` (a 0-d view)."""
    saved = float(cell)
    cell[...] = saved + H
    up = _loss(trainer, point, label)
    cell[...] = saved - H
    down = _loss(trainer, point, label)
    cell[...] = saved
    return (up - down) / (2 * H)


@pytest.mark.parametrize(
    ("activation", "regularization", "problem"),
    itertools.product(ACTIVATIONS, REGULARIZATIONS, PROBLEMS),
)
def test_gradients_are_finite_differences_of_the_reported_loss(
    activation: str, regularization: str, problem: str
) -> None:
    trainer = _trainer(activation, regularization, problem)
    point, label = [0.8, -1.3], PROBLEMS[problem][1]
    before = trainer.export()
    ex = explain(trainer, point, label)
    # No kink within reach of the differences: relu's at z = 0, L1's at w = 0.
    assert min(abs(z) for layer in ex["pre_activations"] for z in layer) > 100 * H
    assert np.abs(trainer.net.params[trainer.net.weight_mask == 1]).min() > 100 * H
    if regularization != "none":
        assert ex["penalty"] > 0 and ex["loss"] == ex["data_loss"] + ex["penalty"]
    for layer, w in enumerate(trainer.net.wt):
        fan_out, fan_in = w.shape[0], w.shape[1] - 1
        for j in range(fan_out):
            for i in range(fan_in):
                numeric = _central(trainer, point, label, w[j, i, ...])
                assert ex["weight_gradients"][layer][i][j] == pytest.approx(
                    numeric, rel=1e-6, abs=1e-8
                ), (layer, i, j)
            numeric = _central(trainer, point, label, w[j, -1, ...])
            assert ex["bias_gradients"][layer][j] == pytest.approx(numeric, rel=1e-6, abs=1e-8)
    assert ex["deltas"] == ex["bias_gradients"]  # ∂L/∂b = ∂L/∂z
    assert trainer.export() == before  # the differences put every weight back


@pytest.mark.parametrize("problem", PROBLEMS)
def test_the_forward_pass_is_the_networks(problem: str) -> None:
    trainer = _trainer("tanh", "none", problem)
    point, label = [1.1, 2.4], PROBLEMS[problem][1]
    ex = explain(trainer, point, label)
    predicted = trainer.predict(np.array([point]))[0]
    assert ex["output"] == ex["activations"][-1]
    np.testing.assert_allclose(ex["output"], np.atleast_1d(predicted), rtol=0, atol=1e-12)
    assert ex["inputs"] == [1.1, 2.4, 1.1 * 2.4]
    assert [len(a) for a in ex["activations"]] == list(trainer.net.sizes[1:])
    if problem == "multiclass":
        assert ex["loss"] == pytest.approx(-math.log(ex["output"][int(label)]), abs=1e-12)
        assert sum(ex["output"]) == pytest.approx(1.0, abs=1e-12)
    else:
        assert ex["loss"] == pytest.approx(0.5 * (ex["output"][0] - label) ** 2, abs=1e-12)


def test_a_2_1_1_network_worked_out_by_hand() -> None:
    trainer = Trainer(
        config_from_dict(
            {
                "features": ["x1", "x2"],
                "hidden_layers": [1],
                "activation": "tanh",
                "regularization": "l2",
                "regularization_rate": 0.1,
                "learning_rate": 0.5,
            }
        )
    )
    w1, w2, b1, v, c = 0.3, -0.2, 0.1, 0.7, -0.4
    trainer.net.wt[0][:] = [[w1, w2, b1]]
    trainer.net.wt[1][:] = [[v, c]]
    x1, x2, y, rate, lr = 1.5, -2.0, 1.0, 0.1, 0.5

    z1 = w1 * x1 + w2 * x2 + b1  # 0.95
    a1 = math.tanh(z1)
    z2 = v * a1 + c
    out = math.tanh(z2)
    penalty = rate * 0.5 * (w1**2 + w2**2 + v**2)
    d2 = (out - y) * (1 - out**2)
    d1 = v * d2 * (1 - a1**2)
    grad_w = [[x1 * d1 + rate * w1], [x2 * d1 + rate * w2]]
    grad_v = [[a1 * d2 + rate * v]]

    ex = explain(trainer, [x1, x2], y)
    expected: dict[str, Any] = {
        "inputs": [x1, x2],
        "pre_activations": [[z1], [z2]],
        "activations": [[a1], [out]],
        "output": [out],
        "data_loss": 0.5 * (out - y) ** 2,
        "penalty": penalty,
        "loss": 0.5 * (out - y) ** 2 + penalty,
        "deltas": [[d1], [d2]],
        "weight_gradients": [grad_w, grad_v],
        "bias_gradients": [[d1], [d2]],
        "learning_rate": lr,
        "updated_weights": [
            [[w1 - lr * grad_w[0][0]], [w2 - lr * grad_w[1][0]]],
            [[v - lr * grad_v[0][0]]],
        ],
        "updated_biases": [[b1 - lr * d1], [c - lr * d2]],
    }
    assert ex.keys() >= expected.keys()
    for key, value in expected.items():
        np.testing.assert_allclose(_flat(ex[key]), _flat(value), rtol=0, atol=1e-12, err_msg=key)


def _flat(value: Any) -> list[float]:
    """Nested lists (ragged across layers) → their numbers in order."""
    if isinstance(value, list):
        return [x for v in value for x in _flat(v)]
    return [float(value)]


@pytest.mark.parametrize("regularization", REGULARIZATIONS)
def test_the_step_is_the_trainers_sgd_step_on_that_point_alone(regularization: str) -> None:
    """A training set of one point and batch size 1: one epoch is one update, the same."""
    point, label = np.array([[0.9, -1.7]]), np.array([1.0])
    config = config_from_dict(
        {
            **NETWORK,
            "activation": "tanh",
            "regularization": regularization,
            "regularization_rate": 0.0 if regularization == "none" else 0.05,
            "batch_size": 1,
            "learning_rate": 0.3,
            "learning_rate_decay": 0.5,
        }
    )
    trainer = Trainer(config, split=Split(point, label, point, label))
    trainer.step(2)  # two updates: the rate is now 0.3 / (1 + 0.5 · 2)
    ex = explain(trainer, point[0].tolist(), 1.0)
    assert ex["learning_rate"] == 0.3 / 2
    trainer.step(1)
    for ours, theirs in zip(ex["updated_weights"], trainer.net.weights(), strict=True):
        # Under L1 the trainer holds a weight that crossed zero at 0; the step shown is
        # the plain one. Every other weight moves exactly as shown.
        alive = theirs != 0 if regularization == "l1" else np.ones_like(theirs, dtype=bool)
        assert alive.sum() >= theirs.size - 1
        np.testing.assert_allclose(np.array(ours)[alive], theirs[alive], rtol=0, atol=1e-14)
    for ours, theirs in zip(ex["updated_biases"], trainer.net.biases(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-14)


def test_explaining_changes_nothing_and_applying_only_the_weights() -> None:
    trainer = _trainer("relu", "l2", "classification")
    trainer.step(3)
    before = trainer.export()
    ex = explain(trainer, [0.5, 0.5], 1.0)
    assert trainer.export() == before
    apply(trainer, ex)
    after = trainer.export()
    assert after["weights"] == ex["updated_weights"]
    assert after["biases"] == ex["updated_biases"]
    assert after["epoch"] == before["epoch"] == 3
    assert len(after["history"]["train"]) == len(before["history"]["train"])
    assert after["config"] == before["config"]


# -- the route, with both stores ---------------------------------------------------------


def _explain(client: TestClient, sid: str, **body: Any) -> dict[str, Any]:
    r = client.post(f"/api/sessions/{sid}/explain", json=body)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = strict_json(r)
    return out


def test_explaining_a_training_point_changes_nothing(client: TestClient) -> None:
    sid = new_session(client, hidden_layers=[4, 2], seed=3)["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 2})
    before = snapshot(client, sid)
    train = client.get(f"/api/sessions/{sid}/data").json()["train"]
    by_index = _explain(client, sid, index=7)
    by_point = _explain(client, sid, point=train["points"][7], label=train["labels"][7])
    assert snapshot(client, sid) == before
    assert by_index == by_point
    assert by_index["point"] == train["points"][7] and by_index["state"] is None
    model = client.get(f"/api/sessions/{sid}/model").json()
    for key in ("weight_gradients", "updated_weights"):
        assert [np.shape(w) for w in by_index[key]] == [np.shape(w) for w in model["weights"]]
    for key in ("bias_gradients", "updated_biases", "deltas", "pre_activations"):
        assert [np.shape(b) for b in by_index[key]] == [np.shape(b) for b in model["biases"]]


def test_applying_makes_exactly_the_step_shown(client: TestClient) -> None:
    sid = new_session(
        client,
        problem="multiclass",
        classes=3,
        regularization="l1",
        regularization_rate=0.01,
        optimizer="adam",
        seed=5,
    )["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 3})
    model = client.get(f"/api/sessions/{sid}/model").json()
    ex = _explain(client, sid, point=[1.0, -2.0], label=1, apply=True)
    after = client.get(f"/api/sessions/{sid}/model").json()
    assert after["weights"] == ex["updated_weights"] != model["weights"]
    assert after["biases"] == ex["updated_biases"]
    assert after["epoch"] == model["epoch"] == 3
    assert len(after["history"]["train"]) == len(model["history"]["train"])
    assert after["config"] == model["config"]
    assert ex["state"] == client.get(f"/api/sessions/{sid}").json()
    assert ex["state"]["train_loss"] == after["history"]["train"][-1]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"point": [6.5, 0], "label": 1}, "x must be between -6 and 6"),
        ({"point": [0, 0], "label": 0}, "label must be a class (1 or -1)"),
        ({"point": [0, 0], "label": 1, "index": 0}, "either a point and its label or the index"),
        ({"point": [0, 0]}, "a point and its label, or the index"),
        ({"index": 250}, "index 250 is not a training point: there are 250"),
        ({"index": -1}, "greater than or equal to 0"),
        ({"point": [0, 0, 0], "label": 1}, "at most 2 items"),
        ({"point": [0, 0], "label": 1, "apply": "yes"}, "apply"),
        ({}, "a point and its label, or the index"),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(
    client: TestClient, body: dict[str, Any], message: str
) -> None:
    sid = new_session(client, seed=1)["id"]  # circle: 500 points, 250 for training
    for apply_ in (False, True):
        assert_rejected_changes_nothing(
            client, sid, "POST", "/explain", json={"apply": apply_, **body}, message=message
        )


def test_a_student_may_explain_but_not_apply_while_the_class_is_paused(
    client: TestClient,
) -> None:
    room = client.post("/api/rooms", json={"title": "Year 10"}).json()
    auth = {"Authorization": f"Bearer {room['teacher_token']}"}
    joined = client.post(f"/api/rooms/{room['code']}/students", json={"name": "Ada"}).json()
    sid = joined["session"]["id"]
    client.post(f"/api/rooms/{room['code']}/pause", headers=auth)
    before = snapshot(client, sid)
    _explain(client, sid, index=0)
    assert_rejected_changes_nothing(
        client,
        sid,
        "POST",
        "/explain",
        json={"index": 0, "apply": True},
        status=409,
        message="paused",
        before=before,
    )
    client.post(f"/api/rooms/{room['code']}/resume", headers=auth)
    ex = _explain(client, sid, index=0, apply=True)
    assert ex["state"]["room"] is not None
    assert client.get(f"/api/sessions/{sid}/model").json()["weights"] == ex["updated_weights"]


def test_numbers_too_large_to_show_are_refused() -> None:
    trainer = _trainer("linear", "none", "regression")
    trainer.net.params[:] = 1e200  # far beyond what the API lets a person set
    with pytest.raises(ConfigError, match="too large to show"):
        explain(trainer, [1.0, 1.0], 0.0)
