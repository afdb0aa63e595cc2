"""The HTTP API: every route, the reset rules, bad input, sessions, frames."""

from __future__ import annotations

import base64
import gzip
import json
import threading
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.engine.trainer import MODEL_KEYS
from app.main import create_app
from app.settings import Settings
from app.store import MemoryStore
from tests.helpers import (
    BIG,
    DIVERGING,
    JSON,
    RESET_RULES,
    assert_rejected_changes_nothing,
    new_session,
)


def export(client: TestClient, sid: str) -> dict[str, Any]:
    r = client.get(f"/api/sessions/{sid}/model")
    assert r.status_code == 200
    return r.json()


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_options_list_every_choice_and_bound(client: TestClient) -> None:
    o = client.get("/api/options").json()
    assert [d["name"] for d in o["datasets"]["classification"]] == [
        "circle",
        "xor",
        "gauss",
        "spiral",
    ]
    assert [d["name"] for d in o["datasets"]["regression"]] == ["plane", "multigauss"]
    assert [f["name"] for f in o["features"]][:2] == ["x1", "x2"] and len(o["features"]) == 7
    assert set(o["activations"]) == {"relu", "tanh", "sigmoid", "linear"}
    assert o["optimizers"] == ["sgd", "momentum", "nesterov", "rmsprop", "adam"]
    assert o["inits"] == ["playground", "xavier", "he", "zero"]
    assert o["regularizations"] == ["none", "l1", "l2"]
    assert 0.03 in o["learning_rates"] and 10 in o["regularization_rates"]
    assert o["limits"]["max_hidden_layers"] == 6 and o["limits"]["max_neurons"] == 8
    assert o["limits"]["batch_size"] == [1, 30]
    assert o["defaults"]["hidden_layers"] == [4, 2] and "seed" not in o["defaults"]


def test_create_with_defaults_reports_seed_and_state(client: TestClient) -> None:
    s = new_session(client)
    assert len(base64.urlsafe_b64decode(s["id"] + "==")) >= 16  # ≥ 128 random bits
    c = s["config"]
    assert (c["dataset"], c["hidden_layers"], c["learning_rate"], c["batch_size"]) == (
        "circle",
        [4, 2],
        0.03,
        10,
    )
    assert isinstance(c["seed"], int)
    assert s["epoch"] == 0 and s["status"] == "ready" and s["message"] is None
    assert 0 <= s["train_accuracy"] <= 1
    assert s["layer_sizes"] == [2, 4, 2, 1]
    assert client.get(f"/api/sessions/{s['id']}").json() == s


def test_create_with_empty_body_and_no_body(client: TestClient) -> None:
    assert client.post("/api/sessions").status_code == 201
    assert client.post("/api/sessions", json={}).status_code == 201


def test_ids_are_unique_and_unguessable(client: TestClient) -> None:
    ids = {new_session(client)["id"] for _ in range(20)}
    assert len(ids) == 20 and all(len(i) >= 32 for i in ids)


def test_string_seed_from_reference_link_is_stable(client: TestClient) -> None:
    a = new_session(client, seed="0.12345")
    b = new_session(client, seed="0.12345")
    assert a["config"]["seed"] == b["config"]["seed"]
    assert (
        client.get(f"/api/sessions/{a['id']}/data").json()
        == client.get(f"/api/sessions/{b['id']}/data").json()
    )
    assert a["train_loss"] == b["train_loss"]


def test_step_trains_and_reports_epochs_run(client: TestClient) -> None:
    s = new_session(client, seed=1)
    r = client.post(f"/api/sessions/{s['id']}/step", json={"epochs": 30})
    assert r.status_code == 200
    body = r.json()
    assert body["epochs_run"] == 30 and body["epoch"] == 30 and body["frame"] is None
    assert body["test_loss"] < s["test_loss"]


def test_step_is_bounded_by_time_budget_and_epoch_cap() -> None:
    with TestClient(create_app(Settings(step_time_budget=0.05, max_epochs_per_step=500))) as c:
        s = new_session(c, **BIG)
        body = c.post(f"/api/sessions/{s['id']}/step", json={"epochs": 500}).json()
        assert 1 <= body["epochs_run"] < 500
        r = c.post(f"/api/sessions/{s['id']}/step", json={"epochs": 501})
        assert r.status_code == 422 and "at most 500" in r.json()["detail"]
        small = c.post(f"/api/sessions/{s['id']}/step", json={"epochs": 500, "max_ms": 1}).json()
        assert small["epochs_run"] < body["epochs_run"]


def test_step_with_frame_and_frame_route(client: TestClient) -> None:
    s = new_session(client, seed=2, **BIG)
    sid = s["id"]
    body = client.post(
        f"/api/sessions/{sid}/step", json={"epochs": 5, "frame": True, "since": 2, "neuron": [3, 4]}
    ).json()
    f = body["frame"]
    assert f["epoch"] == 5 and f["density"] == 100 and f["thumb"] == 25
    assert len(base64.b64decode(f["output"])) == 100 * 100
    assert len(f["features"]) == 7 and all(len(base64.b64decode(g)) == 625 for g in f["features"])
    assert [len(layer) for layer in f["neurons"]] == [8] * 6
    assert f["neuron"]["layer"] == 3 and len(base64.b64decode(f["neuron"]["grid"])) == 10000
    assert f["history"]["start"] == 2 and len(f["history"]["train"]) == 4  # points 2..5
    assert np.array(f["weights"][0]).shape == (7, 8) and np.array(f["biases"][-1]).shape == (1,)
    g = client.get(f"/api/sessions/{sid}/frame", params={"since": 0, "thumb": 10}).json()
    assert g["output"] == f["output"] and len(base64.b64decode(g["features"][0])) == 100
    assert len(g["history"]["train"]) == 6 and g["neuron"] is None


def test_frame_output_grid_matches_predictions(client: TestClient) -> None:
    sid = new_session(client, seed=3, dataset="xor", hidden_layers=[8, 8])["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 50})
    f = client.get(f"/api/sessions/{sid}/frame").json()
    grid = np.frombuffer(base64.b64decode(f["output"]), dtype=np.uint8).reshape(100, 100)
    rows, cols = np.array([0, 0, 99, 50, 20]), np.array([0, 99, 0, 50, 70])
    points = [[-6 + 12 * c / 99, 6 - 12 * r / 99] for r, c in zip(rows, cols, strict=True)]
    out = client.post(f"/api/sessions/{sid}/predict", json={"points": points}).json()["outputs"]
    decoded = grid[rows, cols] / 127.5 - 1
    np.testing.assert_allclose(decoded, np.clip(out, -1, 1), atol=1 / 127.5 + 1e-6)


def test_history_restarts_after_reset_with_new_run(client: TestClient) -> None:
    sid = new_session(client, seed=3)["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 10})
    run = client.get(f"/api/sessions/{sid}/frame").json()["history"]["run"]
    client.post(f"/api/sessions/{sid}/reset")
    h = client.get(f"/api/sessions/{sid}/frame", params={"since": 11}).json()["history"]
    assert h["run"] == run + 1 and h["start"] == 0 and len(h["train"]) == 1


def test_largest_frame_fits_the_64_kb_gzip_budget(client: TestClient) -> None:
    sid = new_session(client, seed=4, **BIG)["id"]
    body = client.post(
        f"/api/sessions/{sid}/step", json={"epochs": 100, "frame": True, "neuron": [6, 7]}
    ).json()
    raw = json.dumps(body["frame"]).encode()
    size = len(gzip.compress(raw))
    assert size <= 64 * 1024, size
    r = client.get(f"/api/sessions/{sid}/frame", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"


def test_reset_draws_new_weights_and_regenerate_new_data(client: TestClient) -> None:
    s = new_session(client, seed=5)
    sid = s["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 5})
    m0, d0 = export(client, sid), client.get(f"/api/sessions/{sid}/data").json()
    r = client.post(f"/api/sessions/{sid}/reset").json()
    assert r["epoch"] == 0 and export(client, sid)["weights"] != m0["weights"]
    assert client.get(f"/api/sessions/{sid}/data").json() == d0
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 3})
    m1 = export(client, sid)
    g = client.post(f"/api/sessions/{sid}/regenerate").json()
    assert g["config"]["seed"] != s["config"]["seed"] and g["epoch"] == 3
    assert client.get(f"/api/sessions/{sid}/data").json() != d0
    assert export(client, sid)["weights"] == m1["weights"]


@pytest.mark.parametrize(
    ("patch", "effect"), [RESET_RULES[0], ({"optimizer": "adam"}, "live"), *RESET_RULES[1:]]
)
def test_patch_follows_reset_rules(client: TestClient, patch: dict[str, Any], effect: str) -> None:
    sid = new_session(client, seed=6)["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 4})
    model, data = export(client, sid), client.get(f"/api/sessions/{sid}/data").json()
    r = client.patch(f"/api/sessions/{sid}", json=patch)
    assert r.status_code == 200, r.text
    state = r.json()
    for key, value in patch.items():
        assert state["config"][key] == value
    assert state["epoch"] == (4 if effect == "live" else 0)
    kept_weights = export(client, sid)["weights"] == model["weights"]
    assert kept_weights == (effect == "live")
    assert (client.get(f"/api/sessions/{sid}/data").json() == data) == (effect != "data")


def test_problem_switch_picks_default_dataset_and_rejects_mismatch(client: TestClient) -> None:
    sid = new_session(client)["id"]
    assert (
        client.patch(f"/api/sessions/{sid}", json={"problem": "regression"}).json()["config"][
            "dataset"
        ]
        == "plane"
    )
    r = client.patch(
        f"/api/sessions/{sid}", json={"problem": "classification", "dataset": "multigauss"}
    )
    assert r.status_code == 422 and "regression dataset" in r.json()["detail"]
    r = client.patch(f"/api/sessions/{sid}", json={"problem": "classification", "dataset": "xor"})
    assert r.json()["config"]["dataset"] == "xor"


BAD_PATCHES = [
    ({"learning_rate": 0}, "greater than 0"),
    ({"learning_rate": 10.5}, "less than or equal to 10"),
    ({"learning_rate": "fast"}, "valid number"),
    ({"batch_size": 0}, "greater than or equal to 1"),
    ({"batch_size": 31}, "less than or equal to 30"),
    ({"batch_size": True}, "valid integer"),
    ({"noise": 55}, "less than or equal to 50"),
    ({"train_ratio": 5}, "greater than or equal to 10"),
    ({"hidden_layers": [8] * 7}, "at most 6"),
    ({"hidden_layers": [9]}, "less than or equal to 8"),
    ({"hidden_layers": [0]}, "greater than or equal to 1"),
    ({"features": []}, "at least 1"),
    ({"features": ["x1", "cos_x1"]}, "unknown feature"),
    ({"activation": "softmax"}, "unknown activation"),
    ({"dataset": "moons"}, "unknown dataset"),
    ({"optimizer": "lbfgs"}, "unknown optimizer"),
    ({"init": "orthogonal"}, "unknown init"),
    ({"regularization": "l3"}, "unknown regularization"),
    ({"dropout": 1}, "less than 1"),
    ({"learning_rate_decay": -1}, "greater than or equal to 0"),
    ({"seed": -1}, "seed"),
    ({"seed": 2**40}, "seed"),
    ({"seed": ""}, "seed"),
    ({"colour": "blue"}, "colour: Extra inputs are not permitted"),
    ({"dataset": "plane"}, "regression dataset"),
]


@pytest.mark.parametrize(("patch", "message"), BAD_PATCHES)
def test_bad_patch_is_422_with_message_and_changes_nothing(
    client: TestClient, patch: dict[str, Any], message: str
) -> None:
    sid = new_session(client, seed=7)["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 3})
    assert_rejected_changes_nothing(client, sid, "PATCH", json=patch, message=message)


@pytest.mark.parametrize(
    ("body", "headers", "status", "message"),
    [
        (b'{"learning_rate": 0.1', JSON, 422, "not valid JSON"),
        (b'{"learning_rate": NaN}', JSON, 422, "learning_rate"),
        (b'{"learning_rate": Infinity}', JSON, 422, "learning_rate"),
        (b"[1, 2]", JSON, 422, "body"),
        (b"x" * 1_100_000, JSON, 413, "larger than"),
    ],
)
def test_malformed_bodies(
    client: TestClient, body: bytes, headers: dict[str, str], status: int, message: str
) -> None:
    sid = new_session(client, seed=8)["id"]
    assert_rejected_changes_nothing(
        client, sid, "PATCH", content=body, headers=headers, status=status, message=message
    )


def test_unknown_session_returns_404_with_advice(client: TestClient) -> None:
    for method, path in [
        ("get", ""),
        ("patch", ""),
        ("post", "/step"),
        ("get", "/frame"),
        ("post", "/reset"),
        ("get", "/model"),
        ("delete", ""),
    ]:
        kwargs: dict[str, Any] = {"json": {}} if method in {"patch", "post"} else {}
        r = client.request(method.upper(), f"/api/sessions/not-a-session{path}", **kwargs)
        assert r.status_code == 404, (method, path)
        assert "Start a new session" in r.json()["detail"]


def test_delete_then_404(client: TestClient) -> None:
    sid = new_session(client)["id"]
    assert client.delete(f"/api/sessions/{sid}").status_code == 204
    assert client.get(f"/api/sessions/{sid}").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"epochs": 0},
        {"epochs": -3},
        {"epochs": 1.5},
        {"epochs": "10"},
        {"epochs": True},
        {"epochs": 1, "max_ms": 0},
        {"epochs": 1, "thumb": 200},
        {"epochs": 1, "neuron": [1]},
        {"epochs": 1, "since": -1},
        {"epochs": 10_001},
    ],
)
def test_bad_step_bodies(client: TestClient, body: dict[str, Any]) -> None:
    sid = new_session(client, seed=9)["id"]
    assert_rejected_changes_nothing(client, sid, "POST", "/step", json=body)
    assert client.get(f"/api/sessions/{sid}").json()["epoch"] == 0


def test_edit_weight_and_bias(client: TestClient) -> None:
    sid = new_session(client, seed=10)["id"]
    r = client.put(
        f"/api/sessions/{sid}/weights", json={"layer": 0, "source": 1, "target": 2, "value": 0.75}
    )
    assert r.status_code == 200
    assert export(client, sid)["weights"][0][1][2] == 0.75
    r = client.put(f"/api/sessions/{sid}/biases", json={"layer": 3, "neuron": 0, "value": -2.5})
    assert r.status_code == 200 and export(client, sid)["biases"][2][0] == -2.5
    assert r.json()["train_loss"] != new_session(client, seed=10)["train_loss"]


@pytest.mark.parametrize(
    ("route", "body", "message"),
    [
        ("weights", {"layer": 0, "source": 2, "target": 0, "value": 1}, "source must be between"),
        ("weights", {"layer": 3, "source": 0, "target": 0, "value": 1}, "layer must be between"),
        ("weights", {"layer": 0, "source": 0, "target": 4, "value": 1}, "target must be between"),
        ("weights", {"layer": 0, "source": 0, "target": 0, "value": 2e6}, "less than or equal"),
        ("weights", {"layer": 0, "source": 0, "target": 0}, "value: Field required"),
        ("biases", {"layer": 0, "neuron": 0, "value": 1}, "greater than or equal to 1"),
        ("biases", {"layer": 2, "neuron": 5, "value": 1}, "neuron must be between"),
    ],
)
def test_bad_edits_are_rejected(
    client: TestClient, route: str, body: dict[str, Any], message: str
) -> None:
    sid = new_session(client, seed=11)["id"]
    assert_rejected_changes_nothing(client, sid, "PUT", f"/{route}", json=body, message=message)


def test_predict_bounds(client: TestClient, settings: Settings) -> None:
    sid = new_session(client, seed=12)["id"]
    ok = client.post(f"/api/sessions/{sid}/predict", json={"points": [[0, 0], [5, -5]]})
    assert ok.status_code == 200 and len(ok.json()["outputs"]) == 2
    too_many = [[0.0, 0.0]] * (settings.max_predict_points + 1)
    assert client.post(f"/api/sessions/{sid}/predict", json={"points": too_many}).status_code == 422
    for points in ([], [[1]], [[1, 2, 3]], [["a", 1]], [[1e7, 0]]):
        r = client.post(f"/api/sessions/{sid}/predict", json={"points": points})
        assert r.status_code == 422 and r.json()["detail"]


def test_data_route(client: TestClient) -> None:
    d = client.get(f"/api/sessions/{new_session(client, train_ratio=30)['id']}/data").json()
    assert len(d["train"]["points"]) == 150 and len(d["test"]["labels"]) == 350
    assert set(d["train"]["labels"]) == {-1.0, 1.0}


def test_export_import_gives_identical_predictions(client: TestClient) -> None:
    sid = new_session(client, seed=13, **BIG)["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 20})
    model = export(client, sid)
    assert set(model) == MODEL_KEYS - {"data"}  # "data" only for a custom dataset
    r = client.post("/api/sessions", json={"model": model})
    assert r.status_code == 201
    clone = r.json()["id"]
    assert clone != sid and export(client, clone) == model
    pts = np.random.default_rng(0).uniform(-6, 6, (300, 2)).tolist()
    a = client.post(f"/api/sessions/{sid}/predict", json={"points": pts}).json()
    b = client.post(f"/api/sessions/{clone}/predict", json={"points": pts}).json()
    assert a == b


def test_bad_model_import(client: TestClient) -> None:
    model = export(client, new_session(client, seed=14)["id"])
    model["weights"][0][0] = [1.0]
    r = client.post("/api/sessions", json={"model": model})
    assert r.status_code == 422 and "shape" in r.json()["detail"]
    r = client.post("/api/sessions", json={"model": {"config": {}, "weights": []}})
    assert r.status_code == 422 and "biases" in r.json()["detail"]


def test_divergence_is_reported_with_advice_and_stops_training(client: TestClient) -> None:
    sid = new_session(client, seed=1, **DIVERGING, hidden_layers=[8] * 6)["id"]
    s = client.post(f"/api/sessions/{sid}/step", json={"epochs": 100, "frame": True}).json()
    assert s["status"] == "diverged" and s["epochs_run"] < 100
    assert s["diverged_at_epoch"] == s["epoch"] + 1
    assert "lower the learning rate" in s["message"].lower() and "reset" in s["message"]
    again = client.post(f"/api/sessions/{sid}/step", json={"epochs": 10}).json()
    assert again["epochs_run"] == 0 and again["epoch"] == s["epoch"]
    r = client.patch(f"/api/sessions/{sid}", json={"learning_rate": 0.001, "activation": "tanh"})
    assert r.json()["status"] == "ready" and r.json()["epoch"] == 0


def test_concurrent_steps_equal_sequential_steps(client: TestClient) -> None:
    a = new_session(client, seed=15, dataset="xor", hidden_layers=[8, 8])["id"]
    b = new_session(client, seed=15, dataset="xor", hidden_layers=[8, 8])["id"]
    errors: list[int] = []

    def work() -> None:
        for _ in range(5):
            r = client.post(f"/api/sessions/{a}/step", json={"epochs": 2})
            if r.status_code != 200:
                errors.append(r.status_code)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for _ in range(20):
        client.post(f"/api/sessions/{b}/step", json={"epochs": 2})
    assert not errors
    assert export(client, a) == export(client, b)
    assert client.get(f"/api/sessions/{a}").json()["epoch"] == 40


def test_store_evicts_least_recently_used_and_expires_idle() -> None:
    now = [0.0]
    store = MemoryStore(max_sessions=3, idle_timeout=100, clock=lambda: now[0])
    from app.engine import Config, Trainer

    trainer = Trainer(Config(seed=1))
    s1, s2, s3 = (store.create(trainer) for _ in range(3))
    now[0] = 10
    store.get(s1.id)  # s2 is now the least recently used
    s4 = store.create(trainer)
    assert len(store) == 3
    with pytest.raises(KeyError):
        store.get(s2.id)
    now[0] = 105  # s3 (last used at 0) is idle past the time-out; s1 (at 10) is not
    with pytest.raises(KeyError):
        store.get(s3.id)
    assert store.get(s1.id) is s1 and store.get(s4.id) is s4


def test_session_cap_and_idle_timeout_through_the_api() -> None:
    with TestClient(create_app(Settings(max_sessions=2, idle_timeout=1000))) as c:
        first = new_session(c)["id"]
        new_session(c)
        new_session(c)
        r = c.get(f"/api/sessions/{first}")
        assert r.status_code == 404 and "Start a new session" in r.json()["detail"]


def test_settings_from_environment() -> None:
    s = Settings.from_env({"PLAYGROUND_MAX_SESSIONS": "5", "PLAYGROUND_IDLE_TIMEOUT": "60"})
    assert (s.max_sessions, s.idle_timeout) == (5, 60.0)
    with pytest.raises(ValueError, match="PLAYGROUND_MAX_SESSIONS"):
        Settings.from_env({"PLAYGROUND_MAX_SESSIONS": "many"})
    with pytest.raises(ValueError, match="positive"):
        Settings.from_env({"PLAYGROUND_IDLE_TIMEOUT": "0"})


def test_security_headers_and_no_session_listing(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert "unsafe-inline" not in r.headers["content-security-policy"]
    assert r.headers["referrer-policy"] == "no-referrer"
    assert client.get("/api/sessions").status_code in {404, 405}
    assert (
        "access-control-allow-origin"
        not in client.get("/api/options", headers={"Origin": "http://evil.example"}).headers
    )


def test_no_nan_anywhere_in_a_diverged_session(client: TestClient) -> None:
    sid = new_session(client, seed=2, **DIVERGING, hidden_layers=[8, 8, 8])["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 50})
    for path in ["", "/frame", "/model", "/data"]:
        text = client.get(f"/api/sessions/{sid}{path}").text
        assert "NaN" not in text and "Infinity" not in text
