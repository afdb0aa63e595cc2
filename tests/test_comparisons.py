"""Twin runs (app/comparisons.py, app/routes/comparisons.py), in memory and in a real
redis-server: runs that are ordinary sessions, trained in lockstep from the same data and
initial weights; identical variants identical at every epoch; bad input refused and
nothing created; unknown and broken comparisons 404; the record's store on its own."""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import redis
from fastapi.testclient import TestClient
from redis.backoff import NoBackoff
from redis.retry import Retry

from app.comparisons import (
    Comparison,
    ComparisonStore,
    MemoryComparisonStore,
    RedisComparisonStore,
    build_runs,
    run_configs,
    train_together,
)
from app.main import create_app
from app.routes.comparisons import RUNS_GONE, UNKNOWN
from app.settings import Settings
from app.store import StoreUnavailable
from bench.soak import HOST, free_port
from tests.helpers import BIG, new_session, strict_json

SPIRAL: dict[str, Any] = {"dataset": "spiral", "hidden_layers": [6, 6], "seed": 7}


def compare(client: TestClient, variants: list[dict[str, Any]], **config: Any) -> dict[str, Any]:
    r = client.post("/api/comparisons", json={"config": config, "variants": variants})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = strict_json(r)
    return body


def step(client: TestClient, cid: str, **body: Any) -> dict[str, Any]:
    r = client.post(f"/api/comparisons/{cid}/step", json=body)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = strict_json(r)
    return out


def model(client: TestClient, sid: str) -> dict[str, Any]:
    r = client.get(f"/api/sessions/{sid}/model")
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def sessions_count(client: TestClient) -> int:
    return len(client.app.state.store)  # type: ignore[attr-defined]


# -- the API, over both stores (the `client` fixture of tests/conftest.py) ----------------------
def test_create_step_read_delete(client: TestClient) -> None:
    c = compare(
        client, [{"optimizer": "sgd"}, {"optimizer": "adam", "learning_rate": 0.01}], **SPIRAL
    )
    cid, runs = c["id"], c["runs"]
    assert c["variants"] == [{"optimizer": "sgd"}, {"optimizer": "adam", "learning_rate": 0.01}]
    assert c["config"]["dataset"] == "spiral" and c["config"]["seed"] == 7
    assert [r["config"]["optimizer"] for r in runs] == ["sgd", "adam"]
    assert [r["config"]["learning_rate"] for r in runs] == [0.03, 0.01]
    assert all(r["epoch"] == 0 and r["status"] == "ready" for r in runs)
    assert len({r["id"] for r in runs}) == 2
    # Each run is an ordinary session.
    for run in runs:
        assert client.get(f"/api/sessions/{run['id']}").json() == {**run, "room": None}

    stepped = step(client, cid, epochs=25)
    assert stepped["id"] == cid and stepped["variants"] == c["variants"]
    assert [r["epoch"] for r in stepped["runs"]] == [25, 25]
    assert [r["epochs_run"] for r in stepped["runs"]] == [25, 25]
    assert all(r["frame"] is None and r["batches_run"] == 0 for r in stepped["runs"])
    assert all(s["test_loss"] != r["test_loss"] for s, r in zip(stepped["runs"], runs, strict=True))

    framed = step(client, cid, epochs=5, frame=True, since=26, thumb=10)
    for run in framed["runs"]:
        frame = run["frame"]
        assert run["epoch"] == frame["epoch"] == 30 and frame["thumb"] == 10
        assert frame["history"]["start"] == 26 and frame["history"]["epochs"] == [
            26,
            27,
            28,
            29,
            30,
        ]
        assert len(base64.b64decode(frame["output"])) == frame["density"] ** 2

    read = client.get(f"/api/comparisons/{cid}")
    assert read.status_code == 200
    assert [r["epoch"] for r in read.json()["runs"]] == [30, 30]
    assert read.json()["runs"][1]["train_loss"] == framed["runs"][1]["train_loss"]

    before = sessions_count(client)
    assert client.delete(f"/api/comparisons/{cid}").status_code == 204
    assert sessions_count(client) == before - 2
    for run in runs:
        assert client.get(f"/api/sessions/{run['id']}").status_code == 404
    for method, path in (("GET", ""), ("POST", "/step"), ("DELETE", "")):
        r = client.request(method, f"/api/comparisons/{cid}{path}", json={})
        assert r.status_code == 404 and r.json()["detail"] == UNKNOWN


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_identical_variants_train_identically_at_every_epoch(
    client: TestClient, optimizer: str
) -> None:
    same = {"optimizer": optimizer, "dropout": 0.2, "learning_rate": 0.01}
    c = compare(client, [same, same, dict(same)], **SPIRAL, batch_size=7)
    for epochs in (1, 7, 30):
        runs = step(client, c["id"], epochs=epochs)["runs"]
        assert len({(r["train_loss"], r["test_loss"]) for r in runs}) == 1
    models = [model(client, r["id"]) for r in c["runs"]]
    assert models[0]["history"]["epochs"] == list(range(39))
    for m in models[1:]:
        assert m["history"] == models[0]["history"]  # every epoch, exactly
        assert m["weights"] == models[0]["weights"] and m["biases"] == models[0]["biases"]
    # And as a lone session of the same configuration trains.
    alone = new_session(client, **SPIRAL, batch_size=7, **same)
    client.post(f"/api/sessions/{alone['id']}/step", json={"epochs": 38})
    assert model(client, alone["id"])["history"] == models[0]["history"]


def test_runs_start_from_the_same_weights_and_data(client: TestClient) -> None:
    variants = [{"optimizer": "sgd"}, {"optimizer": "momentum"}, {"optimizer": "adam"}, {}]
    c = compare(client, variants, **SPIRAL, regularization="l2")
    ids = [r["id"] for r in c["runs"]]
    models = [model(client, sid) for sid in ids]
    assert all(m["epoch"] == 0 for m in models)
    for m in models[1:]:
        assert (m["weights"], m["biases"]) == (models[0]["weights"], models[0]["biases"])
    assert len({(r["train_loss"], r["test_loss"]) for r in c["runs"]}) == 1
    data = [client.get(f"/api/sessions/{sid}/data").json() for sid in ids]
    assert all(d == data[0] for d in data[1:])
    # Epoch 0's checkpoint is that network too: scrubbing back to it shows the same.
    step(client, c["id"], epochs=3)
    frames = [client.get(f"/api/sessions/{sid}/frame?epoch=0").json() for sid in ids]
    assert all(
        (f["weights"], f["output"]) == (frames[0]["weights"], frames[0]["output"]) for f in frames
    )


def test_sgd_and_adam_differ(client: TestClient) -> None:
    c = compare(
        client, [{"optimizer": "sgd"}, {"optimizer": "adam", "learning_rate": 0.01}], **SPIRAL
    )
    runs = step(client, c["id"], epochs=20)["runs"]
    assert runs[0]["train_loss"] != runs[1]["train_loss"]
    a, b = (model(client, r["id"]) for r in runs)
    assert a["weights"] != b["weights"]
    assert a["history"]["train"][0] == b["history"]["train"][0]  # the same start
    assert a["history"]["train"][1:] != b["history"]["train"][1:]


def test_different_shapes_are_allowed_and_keep_in_step(client: TestClient) -> None:
    c = compare(client, [{"hidden_layers": [8, 8]}, {"hidden_layers": [8] * 6}], dataset="spiral")
    assert [r["layer_sizes"] for r in c["runs"]] == [[2, 8, 8, 1], [2, *[8] * 6, 1]]
    runs = step(client, c["id"], epochs=10)["runs"]
    assert [r["epoch"] for r in runs] == [10, 10]
    a, b = (model(client, r["id"]) for r in runs)
    assert len(a["weights"]) == 3 and len(b["weights"]) == 7


def test_a_variant_with_its_own_seed_or_init_gets_its_own_weights(client: TestClient) -> None:
    c = compare(client, [{}, {"seed": 8}, {"init": "xavier"}], **SPIRAL)
    first, seeded, xavier = (model(client, r["id"]) for r in c["runs"])
    assert seeded["weights"] != first["weights"] and xavier["weights"] != first["weights"]
    data = [client.get(f"/api/sessions/{r['id']}/data").json() for r in c["runs"]]
    assert data[1] != data[0] and data[2] == data[0]  # a new seed: new data as well


def test_a_variant_applies_like_a_patch(client: TestClient) -> None:
    """Changing the problem picks that problem's default dataset, as PATCH does."""
    c = compare(client, [{}, {"problem": "regression"}, {"noise": 30}], dataset="xor", seed=3)
    assert [r["config"]["dataset"] for r in c["runs"]] == ["xor", "plane", "xor"]
    assert [r["config"]["noise"] for r in c["runs"]] == [0, 0, 30]
    data = [client.get(f"/api/sessions/{r['id']}/data").json() for r in c["runs"]]
    assert data[2] != data[0]  # its own data settings: its own data


def test_without_a_seed_every_run_gets_the_same_random_one(client: TestClient) -> None:
    seeds = set()
    for _ in range(3):
        c = compare(client, [{}, {"learning_rate": 0.3}])
        assert (
            c["runs"][0]["config"]["seed"] == c["runs"][1]["config"]["seed"] == c["config"]["seed"]
        )
        seeds.add(c["config"]["seed"])
    assert len(seeds) == 3


def test_a_diverging_run_stops_and_the_others_go_on(client: TestClient) -> None:
    c = compare(
        client,
        [{"learning_rate": 0.03}, {"learning_rate": 10}],
        problem="regression",
        activation="relu",
        hidden_layers=[8, 8],
        seed=1,
    )
    runs = step(client, c["id"], epochs=40)["runs"]
    assert runs[0]["status"] != "diverged" and runs[0]["epoch"] == 40
    assert runs[1]["status"] == "diverged" and runs[1]["epoch"] < 40
    assert runs[1]["message"]


def test_runs_can_go_back_together(client: TestClient) -> None:
    c = compare(
        client, [{"optimizer": "sgd"}, {"optimizer": "adam", "learning_rate": 0.01}], **SPIRAL
    )
    ids = [r["id"] for r in c["runs"]]
    after_20 = step(client, c["id"], epochs=20)["runs"]
    step(client, c["id"], epochs=20)
    listed = [client.get(f"/api/sessions/{sid}/checkpoints").json()["checkpoints"] for sid in ids]
    assert [cp["epoch"] for cp in listed[0]] == [cp["epoch"] for cp in listed[1]]
    for sid in ids:
        assert client.post(f"/api/sessions/{sid}/restore", json={"epoch": 20}).status_code == 200
    again = step(client, c["id"], epochs=5)["runs"]
    assert [r["epoch"] for r in again] == [25, 25]
    # Training on repeats the original runs: restore to 20 then compare with a fresh pair.
    for sid in ids:
        client.post(f"/api/sessions/{sid}/restore", json={"epoch": 20})
    back = client.get(f"/api/comparisons/{c['id']}").json()["runs"]
    assert [r["train_loss"] for r in back] == [r["train_loss"] for r in after_20]


def test_the_step_is_bounded_like_a_sessions(store: str) -> None:
    settings = Settings(redis_url=store, step_time_budget=0.05, max_epochs_per_step=300)
    with TestClient(create_app(settings)) as c:
        cmp = compare(c, [{"hidden_layers": [2]}, {"hidden_layers": [8] * 6}], **BIG)
        runs = step(c, cmp["id"], epochs=300)["runs"]
        done = [r["epochs_run"] for r in runs]
        assert done[0] == done[1] and 1 <= done[0] < 300, done
        assert runs[0]["epoch"] == runs[1]["epoch"]
        r = c.post(f"/api/comparisons/{cmp['id']}/step", json={"epochs": 301})
        assert r.status_code == 422 and "at most 300" in r.json()["detail"]
        small = step(c, cmp["id"], epochs=300, max_ms=1)["runs"]
        assert small[0]["epochs_run"] == small[1]["epochs_run"] <= done[0]


BAD_CREATES: list[tuple[Any, str]] = [
    ({"variants": []}, "at least 2"),
    ({"variants": [{}]}, "at least 2"),
    ({"variants": [{}] * 5}, "at most 4"),
    ({}, "variants: Field required"),
    ({"variants": [{}, {"learning_rat": 0.1}]}, "variants.1.learning_rat"),
    ({"variants": [{}, {}], "colour": "red"}, "colour"),
    ({"config": {"speed": 2}, "variants": [{}, {}]}, "config.speed"),
    ({"variants": [{}, {"learning_rate": -1}]}, "variants.1.learning_rate"),
    ({"variants": [{}, {"hidden_layers": [9]}]}, "variants.1.hidden_layers.0"),
    ({"variants": [{"optimizer": "lbfgs"}, {}]}, "variants.0.optimizer"),
    ({"variants": [{}, {"dropout": 1}]}, "variants.1.dropout"),
    ({"variants": [{}, {"dataset": "plane"}]}, "variants.1: dataset 'plane' is a regression"),
    ({"variants": [{}, {"dataset": "custom"}]}, "variants.1: the custom dataset"),
    ({"config": {"learning_rate": 100}, "variants": [{}, {}]}, "config.learning_rate"),
    ({"variants": [{}, "fast"]}, "variants.1"),
    ({"variants": {"a": {}}}, "variants"),
    ([{}, {}], "JSON object"),
]


@pytest.mark.parametrize(("body", "message"), BAD_CREATES)
def test_bad_comparisons_are_refused_and_create_nothing(
    client: TestClient, body: Any, message: str
) -> None:
    before = sessions_count(client)
    r = client.post("/api/comparisons", json=body)
    assert r.status_code == 422, r.text
    assert message in r.json()["detail"], r.json()
    assert sessions_count(client) == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"epochs": 0}, "epochs"),
        ({"epochs": 10_001}, "at most 10000"),
        ({"epochs": 1.5}, "epochs"),
        ({"epochs": "3"}, "epochs"),
        ({"frame": "yes"}, "frame"),
        ({"batches": 3}, "batches"),
        ({"thumb": 200}, "thumb"),
        ({"max_ms": 0}, "max_ms"),
    ],
)
def test_bad_steps_are_refused_and_change_nothing(
    client: TestClient, body: dict[str, Any], message: str
) -> None:
    c = compare(client, [{}, {"optimizer": "adam"}], **SPIRAL)
    step(client, c["id"], epochs=2)
    before = [model(client, r["id"]) for r in c["runs"]]
    r = client.post(f"/api/comparisons/{c['id']}/step", json=body)
    assert r.status_code == 422 and message in r.json()["detail"], r.text
    assert [model(client, r["id"]) for r in c["runs"]] == before


@pytest.mark.parametrize("cid", ["A" * 32, "unknown", "a" * 64, "a.b", "x" * 500, "%20"])
def test_unknown_comparisons_are_404(client: TestClient, cid: str) -> None:
    compare(client, [{}, {}])
    for method, path, body in (("GET", "", None), ("POST", "/step", {}), ("DELETE", "", None)):
        r = client.request(method, f"/api/comparisons/{cid}{path}", json=body)
        assert r.status_code == 404 and r.json()["detail"] == UNKNOWN, (method, r.text)


def test_a_comparison_whose_runs_are_gone_is_404(client: TestClient) -> None:
    c = compare(client, [{}, {"optimizer": "adam"}, {"optimizer": "rmsprop"}], **SPIRAL)
    gone, *kept = [r["id"] for r in c["runs"]]
    assert client.delete(f"/api/sessions/{gone}").status_code == 204
    for method, path in (("GET", ""), ("POST", "/step")):
        r = client.request(method, f"/api/comparisons/{c['id']}{path}", json={"epochs": 5})
        assert r.status_code == 404 and r.json()["detail"] == RUNS_GONE, r.text
    assert "runs are gone" in RUNS_GONE
    # The runs still there did not train, and deleting the comparison removes them.
    assert all(client.get(f"/api/sessions/{sid}").json()["epoch"] == 0 for sid in kept)
    assert client.delete(f"/api/comparisons/{c['id']}").status_code == 204
    assert all(client.get(f"/api/sessions/{sid}").status_code == 404 for sid in kept)


def test_runs_that_expired_are_404(store: str) -> None:
    with TestClient(create_app(Settings(redis_url=store, max_sessions=5))) as c:
        cmp = compare(c, [{}, {}])
        compare(c, [{}, {}])
        new_session(c)
        new_session(c)  # six sessions in a store of five: the oldest run made way
        r = c.get(f"/api/comparisons/{cmp['id']}")
        assert r.status_code == 404 and r.json()["detail"] == RUNS_GONE


def test_ids_are_unguessable(client: TestClient) -> None:
    ids = [compare(client, [{}, {}])["id"] for _ in range(20)]
    assert len(set(ids)) == 20
    for cid in ids:
        assert len(base64.urlsafe_b64decode(cid + "==")) == 24  # 192 random bits
    # Not sequential: no two share even a 6-character prefix or suffix.
    assert len({i[:6] for i in ids}) == 20 and len({i[-6:] for i in ids}) == 20


def test_the_openapi_schema_names_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/comparisons"]) == {"post"}
    assert set(paths["/api/comparisons/{comparison_id}"]) == {"get", "delete"}
    assert set(paths["/api/comparisons/{comparison_id}/step"]) == {"post"}
    assert paths["/api/comparisons"]["post"]["tags"] == ["compare"]
    assert "/compare" not in paths


def test_the_compare_page_is_served(client: TestClient) -> None:
    r = client.get("/compare")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "/static/js/compare.js" in r.text
    assert "content-security-policy" in r.headers


# -- the engine side, without a server ---------------------------------------------------------
def test_train_together_stops_every_run_after_the_same_round() -> None:
    _, configs = run_configs({"seed": 1}, [{"hidden_layers": [1]}, {"hidden_layers": [8] * 6}])
    trainers = build_runs(configs)
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) == 3

    assert train_together(trainers, 100, stop) == [3, 3]
    assert [t.epoch for t in trainers] == [3, 3]
    assert train_together(trainers, 2) == [2, 2]


def test_copied_weights_are_in_the_metrics_history_and_checkpoint() -> None:
    _, configs = run_configs({"seed": 2}, [{}, {"activation": "relu"}])
    first, other = build_runs(configs)
    assert np.array_equal(first.net.params, other.net.params)
    cp = other.checkpoints.at(0)
    assert cp is not None and np.array_equal(cp.state.params, first.net.params)
    assert other.history.train[-1] == other.metrics.train_loss == cp.train_loss
    assert len(other.history) == 1


# -- the record's store on its own ------------------------------------------------------------
RECORD = Comparison({"seed": 1}, [{}, {"optimizer": "adam"}], ["a" * 32, "b" * 32])


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    c = redis.Redis.from_url(redis_url)
    yield c
    c.close()


@pytest.fixture
def prefix() -> str:
    """Keys of this test only (the redis-server is shared by the test session)."""
    return f"test:{secrets.token_hex(8)}:"


@pytest.fixture(params=["memory", "redis"])
def records(request: pytest.FixtureRequest) -> ComparisonStore:
    if request.param == "memory":
        return MemoryComparisonStore(60)
    client = request.getfixturevalue("redis_client")
    return RedisComparisonStore(client, 60, prefix=request.getfixturevalue("prefix"))


def test_records_round_trip_and_delete(records: ComparisonStore) -> None:
    cid = records.save(RECORD)
    assert records.load(cid) == RECORD and records.load(cid) == RECORD
    assert records.save(RECORD) != cid  # every comparison its own id
    assert records.delete(cid) == RECORD
    assert records.load(cid) is None and records.delete(cid) is None


@pytest.mark.parametrize("cid", ["", "a b", "np:s:abc", ":index", "*", "é", "x" * 10_000])
def test_records_malformed_ids(records: ComparisonStore, cid: str) -> None:
    records.save(RECORD)
    assert records.load(cid) is None and records.delete(cid) is None


def test_memory_records_expire_when_idle_and_keep_the_most_recent() -> None:
    clock = Clock()
    store = MemoryComparisonStore(10, max_items=2, clock=clock)
    a, b = store.save(RECORD), store.save(RECORD)
    for _ in range(3):
        clock.now += 9.9
        assert store.load(a) == RECORD  # renewed each time
    assert store.load(b) is None and len(store) == 1
    c, d = store.save(RECORD), store.save(RECORD)
    assert store.load(a) is None and len(store) == 2  # the least recently used went
    assert store.load(c) == store.load(d) == RECORD


def test_redis_records_one_key_that_expires_and_each_use_renews(
    redis_client: Any, prefix: str
) -> None:
    store = RedisComparisonStore(redis_client, 2, prefix=prefix)
    cid = store.save(RECORD)
    assert set(redis_client.keys(prefix + "*")) == {
        (prefix + cid).encode(),
        (prefix + ":index").encode(),
    }
    assert redis_client.get(prefix + cid) == RECORD.to_json().encode()
    time.sleep(0.5)
    assert redis_client.pttl(prefix + cid) <= 1500
    assert store.load(cid) == RECORD
    assert redis_client.pttl(prefix + cid) > 1500  # renewed
    time.sleep(2.1)
    assert store.load(cid) is None


def test_redis_records_keep_the_most_recently_used(redis_client: Any, prefix: str) -> None:
    clock = Clock()
    store = RedisComparisonStore(redis_client, 60, max_items=2, prefix=prefix, clock=clock)
    a = store.save(RECORD)
    clock.now += 1
    b = store.save(RECORD)
    clock.now += 1
    assert store.load(a) == RECORD  # now b is the least recently used
    clock.now += 1
    c = store.save(RECORD)
    assert store.load(b) is None and redis_client.exists(prefix + b) == 0
    assert store.load(a) == store.load(c) == RECORD
    assert redis_client.zcard(prefix + ":index") == 2


def test_redis_records_default_prefix_and_whole_seconds(redis_client: Any) -> None:
    store = RedisComparisonStore(redis_client, 0.2)
    assert store.expiry == 1
    cid = store.save(RECORD)
    assert redis_client.exists(f"np:cmp:{cid}") == 1
    assert store.delete(cid) == RECORD and redis_client.zscore("np:cmp::index", cid) is None


def test_redis_out_of_reach_is_store_unavailable() -> None:
    down = redis.Redis(host=HOST, port=free_port(), retry=Retry(NoBackoff(), 0))
    store = RedisComparisonStore(down, 60)
    for call in (lambda: store.save(RECORD), lambda: store.load("A" * 32)):
        with pytest.raises(StoreUnavailable):
            call()
    with pytest.raises(StoreUnavailable):
        store.delete("A" * 32)
