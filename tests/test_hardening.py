"""Hardening (issue 6): rejected requests change nothing, numerical extremes end in finite
losses or an explained divergence, concurrent requests on one session are serialisable,
and creating far more sessions than the cap keeps the store and the memory bounded."""

from __future__ import annotations

import asyncio
import base64
import functools
import gc
import itertools
import json
import math
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from app import serialize
from app.engine import ACTIVATIONS, OPTIMIZERS, Trainer, config_from_dict
from app.engine.config import LEARNING_RATES
from app.main import create_app
from app.settings import Settings
from app.store import Session
from tests.aio import run_async
from tests.helpers import (
    BIG,
    JSON,
    assert_rejected_changes_nothing,
    new_session,
    snapshot,
    strict_json,
)


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


# -- 1. after any rejected request the session is byte-for-byte unchanged -----------------

# A session with hidden state that a careless rejection could disturb: Adam's moments,
# dropout's random stream, a partial chunk pending (batch 7 does not divide 250), edits.
VICTIM = {"seed": 21, "optimizer": "adam", "dropout": 0.2, "batch_size": 7, "noise": 10}


def _oversized(n: int = 10_000_000) -> Iterator[bytes]:
    yield b'{"x": "'
    for _ in range(n // 1_000_000):
        yield b"a" * 1_000_000
    yield b'"}'


COMMON_BAD_BODIES: list[tuple[str, bytes, dict[str, str], int]] = [
    ("truncated JSON", b'{"a": [1, 2', JSON, 422),
    ("not JSON", b"hello", JSON, 422),
    ("NaN literal", b'{"value": NaN, "epochs": NaN, "learning_rate": NaN}', JSON, 422),
    ("array", b"[1, 2, 3]", JSON, 422),
    ("null", b"null", JSON, 422),
    ("empty", b"", JSON, 422),
    ("wrong content-type", b'{"epochs": 1}', {"content-type": "text/plain"}, 422),
    ("deeply nested", b"[" * 100_000 + b"]" * 100_000, JSON, 400),
    ("huge integer", b'{"epochs": 1' + b"0" * 5000 + b"}", JSON, 400),
    ("10 MB declared", b" " * 10_000_000, JSON, 413),
]

ROUTE_BAD_BODIES: dict[tuple[str, str], list[Any]] = {
    ("PATCH", ""): [
        {"learning_rate": 0},
        {"learning_rate": 11},
        {"learning_rate": True},
        {"batch_size": 2.5},
        {"hidden_layers": [8] * 7},
        {"features": []},
        {"activation": "softmax"},
        {"dataset": "plane"},  # rejected by the engine, after the schema accepted it
        {"problem": "classification", "dataset": "multigauss"},
        {"seed": -1},
        {"seed": 10**400},
        {"dropout": 1},
        {"colour": "blue"},
        {"learning_rate": 0.1, "noise": 99},  # one good change with a bad one: none apply
        {"learning_rate": 0.1, "hidden_layers": [2], "dataset": "plane"},  # the engine's
    ],
    ("POST", "/step"): [
        {"epochs": 0},
        {"epochs": -1},
        {"epochs": 10**400},
        {"epochs": 10_001},
        {"epochs": True},
        {"epochs": 1.5},
        {"epochs": 5, "max_ms": 0},
        {"epochs": 5, "thumb": 2},
        {"epochs": 5, "neuron": [1, 2, 3]},
        {"epochs": 5, "since": -1},
        {"epochs": 5, "surprise": 1},
    ],
    ("PUT", "/weights"): [
        {"layer": 0, "source": 2, "target": 0, "value": 1},  # engine: no such source
        {"layer": 0, "source": 0, "target": 4, "value": 1},  # engine: no such target
        {"layer": 3, "source": 0, "target": 0, "value": 1},  # engine: no such layer
        {"layer": 0, "source": 0, "target": 0, "value": 1e6 + 1},
        {"layer": 0, "source": 0, "target": 0, "value": True},
        {"layer": 0, "source": 0, "target": 0, "value": 10**400},
        {"layer": 0, "source": 0, "target": 0},
        {"layer": -1, "source": 0, "target": 0, "value": 1},
    ],
    ("PUT", "/biases"): [
        {"layer": 0, "neuron": 0, "value": 1},
        {"layer": 3, "neuron": 1, "value": 1},  # engine: the output has one neuron
        {"layer": 1, "neuron": 0, "value": -1e7},
        {"layer": 1, "neuron": 0, "value": "1"},
    ],
    ("POST", "/predict"): [
        {"points": []},
        {"points": [[0, 0, 0]]},
        {"points": [[1e7, 0]]},
        {"points": [[0.0, 0.0]] * 10_001},
    ],
    ("POST", "/reset"): [],
    ("POST", "/regenerate"): [],
    ("DELETE", ""): [],
}


def _twin(client: TestClient) -> str:
    """A session with the victim's config and history of valid requests."""
    sid = new_session(client, **VICTIM)["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 3})
    client.put(
        f"/api/sessions/{sid}/weights", json={"layer": 1, "source": 0, "target": 1, "value": 2}
    )
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 2})
    return str(sid)


def test_rejected_requests_on_every_mutating_route_change_nothing(client: TestClient) -> None:
    victim, twin = _twin(client), _twin(client)
    before = snapshot(client, victim)
    assert before.model == snapshot(client, twin).model
    rejected = 0
    for (method, route), bodies in ROUTE_BAD_BODIES.items():
        url = f"/api/sessions/{victim}{route}"
        # Reset, regenerate and delete take no body: only an oversized one is refused.
        takes_body = route not in {"/reset", "/regenerate"} and method != "DELETE"
        requests: list[tuple[str, bytes | Iterator[bytes], dict[str, str], int]] = [
            bad for bad in COMMON_BAD_BODIES if takes_body or bad[3] == 413
        ]
        if takes_body:
            requests.append(("10 MB streamed", _oversized(), JSON, 413))
        requests += [(repr(b)[:60], json.dumps(b).encode(), JSON, 422) for b in bodies]
        for name, body, headers, status in requests:
            r = assert_rejected_changes_nothing(
                client,
                victim,
                method,
                route,
                content=body,
                headers=headers,
                status=status,
                before=before,
                what=(method, route, name),
            )
            assert len(r.json()["detail"]) > 8, (method, route, name)
            rejected += 1
        wrong = "POST" if method == "PUT" else "PUT"
        assert client.request(wrong, url, json={}).status_code == 405
        assert snapshot(client, victim) == before, (wrong, route)
    assert rejected >= 100
    # Nothing hidden changed either (optimizer moments, random stream, pending chunk):
    # the victim goes on exactly as its twin that saw no bad request.
    for sid in (victim, twin):
        client.post(f"/api/sessions/{sid}/step", json={"epochs": 7})
    assert snapshot(client, victim)[1:] == snapshot(client, twin)[1:]


def test_a_rejected_import_creates_no_session_and_changes_no_other(client: TestClient) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    victim = _twin(client)
    model = strict_json(client.get(f"/api/sessions/{victim}/model"))
    before, count = snapshot(client, victim), len(store)
    for bad in [
        {**model, "weights": model["weights"][:-1]},
        {**model, "biases": [[float("nan")] * len(b) for b in model["biases"]]},
        {**model, "config": {**model["config"], "hidden_layers": [3, 3]}},
        {"config": model["config"], "weights": model["weights"]},
    ]:
        r = client.post("/api/sessions", content=json.dumps({"model": bad}), headers=JSON)
        assert r.status_code == 422 and r.json()["detail"]
    assert len(store) == count and snapshot(client, victim) == before


# -- 2. numerical faults --------------------------------------------------------------------

EXTREME_RATES = sorted({min(LEARNING_RATES), 1.0, max(LEARNING_RATES)})
EPOCHS = 200


def check_outcome(trainer: Trainer, ran: int, epochs: int = EPOCHS) -> str:
    """Finite losses after every epoch, or a divergence that stopped training at the last
    finite state, said where and how to recover."""
    params = trainer.net.params
    assert np.all(np.isfinite(params))
    assert np.all(np.isfinite(np.asarray(trainer.train_history)))
    assert np.all(np.isfinite(np.asarray(trainer.test_history)))
    assert trainer.epoch == ran == len(trainer.train_history) - 1
    state = serialize.state(Session("test", trainer))
    json.dumps(state, allow_nan=False)
    if trainer.status == "ready":
        assert ran == epochs
        assert state["message"] is None and state["diverged_at_epoch"] is None
    else:
        assert trainer.status == "diverged" and ran < epochs
        assert state["diverged_at_epoch"] == ran + 1
        assert "learning rate" in state["message"] and "reset" in state["message"]
        assert trainer.step(5) == 0 and np.array_equal(trainer.net.params, params)
    return str(trainer.status)


def test_every_extreme_rate_activation_and_optimizer_ends_finite_or_diverged() -> None:
    outcomes: dict[str, int] = {"ready": 0, "diverged": 0}
    for lr, activation, optimizer, problem in itertools.product(
        EXTREME_RATES, ACTIVATIONS, OPTIMIZERS, ("classification", "regression")
    ):
        config = {
            "seed": 1,
            "problem": problem,
            "hidden_layers": [3],
            "batch_size": 30,
            "learning_rate": lr,
            "activation": activation,
            "optimizer": optimizer,
        }
        trainer = Trainer(config_from_dict(config))
        outcomes[check_outcome(trainer, trainer.step(EPOCHS))] += 1
    assert outcomes["ready"] > 0 and outcomes["diverged"] > 0, outcomes
    # Regularisation at its largest rate with the largest learning rate, and decay.
    for regularization, optimizer in itertools.product(("l1", "l2"), OPTIMIZERS):
        trainer = Trainer(
            config_from_dict(
                {
                    "seed": 2,
                    "hidden_layers": [3],
                    "batch_size": 30,
                    "learning_rate": max(LEARNING_RATES),
                    "regularization": regularization,
                    "regularization_rate": 10,
                    "learning_rate_decay": 1e6,
                    "optimizer": optimizer,
                }
            )
        )
        check_outcome(trainer, trainer.step(EPOCHS))


@pytest.fixture(scope="module")
def patient_client() -> Iterator[TestClient]:
    """A server whose time budget lets one request train all 200 epochs."""
    with TestClient(create_app(Settings(step_time_budget=30))) as c:
        yield c


def test_the_six_layer_network_at_the_largest_rate_through_the_api(
    patient_client: TestClient,
) -> None:
    c = patient_client
    outcomes = set()
    for activation, optimizer in itertools.product(ACTIVATIONS, OPTIMIZERS):
        config = {
            **BIG,
            "seed": 3,
            "problem": "regression",
            "dataset": "multigauss",
            "learning_rate": max(LEARNING_RATES),
            "activation": activation,
            "optimizer": optimizer,
        }
        sid = new_session(c, **config)["id"]
        r = c.post(f"/api/sessions/{sid}/step", json={"epochs": EPOCHS, "frame": True})
        assert r.status_code == 200
        s = strict_json(r)
        outcomes.add(s["status"])
        if s["status"] == "ready":
            assert s["epochs_run"] == EPOCHS
        else:
            assert s["epochs_run"] < EPOCHS and s["diverged_at_epoch"] == s["epoch"] + 1
            assert "Lower the learning rate" in s["message"]
        for path in ("/model", "/frame?neuron=6,7", "/data"):
            strict_json(c.get(f"/api/sessions/{sid}{path}"))
        points = {"points": [[6, 6], [-6, 6], [1e6, -1e6]]}
        out = strict_json(c.post(f"/api/sessions/{sid}/predict", json=points))["outputs"]
        assert len(out) == 3
    assert "diverged" in outcomes, outcomes


def _set_all(trainer: Trainer, magnitude: float) -> None:
    """Every weight and bias to ±magnitude, alternating in sign."""
    sign = itertools.cycle((1.0, -1.0))
    for layer, w in enumerate(trainer.net.weights()):
        for source, target in itertools.product(range(w.shape[0]), range(w.shape[1])):
            trainer.set_weight(layer, source, target, next(sign) * magnitude)
    for layer, b in enumerate(trainer.net.biases(), start=1):
        for neuron in range(b.shape[0]):
            trainer.set_bias(layer, neuron, next(sign) * magnitude)


def test_weights_edited_to_plus_minus_a_million_end_finite_or_diverged() -> None:
    outcomes: dict[str, int] = {"ready": 0, "diverged": 0}
    shapes = [([3], min(LEARNING_RATES)), ([3], 1.0), ([8] * 6, 1.0)]
    for activation, optimizer, (hidden, lr) in itertools.product(ACTIVATIONS, OPTIMIZERS, shapes):
        config = {
            "seed": 4,
            "problem": "regression",
            "hidden_layers": hidden,
            "batch_size": 30,
            "learning_rate": lr,
            "activation": activation,
            "optimizer": optimizer,
        }
        trainer = Trainer(config_from_dict(config))
        _set_all(trainer, 1e6)
        json.dumps(serialize.state(Session("t", trainer)), allow_nan=False)
        epochs = EPOCHS if hidden == [3] else 20
        outcomes[check_outcome(trainer, trainer.step(epochs), epochs)] += 1
    assert outcomes["diverged"] > 0, outcomes


def test_edits_to_a_million_through_the_api_keep_every_answer_finite(
    patient_client: TestClient,
) -> None:
    c = patient_client
    config = {**BIG, "seed": 5, "activation": "relu", "problem": "regression"}
    config["dataset"] = "multigauss"
    sid = new_session(c, **config)["id"]
    for layer, (fan_in, fan_out) in enumerate(itertools.pairwise([7, 8, 8, 8, 8, 8, 8, 1])):
        for source, target in itertools.product(range(fan_in), range(fan_out)):
            value = 1e6 if (source + target) % 2 == 0 else -1e6
            body = {"layer": layer, "source": source, "target": target, "value": value}
            r = c.put(f"/api/sessions/{sid}/weights", json=body)
            assert r.status_code == 200
            strict_json(r)
    r = c.put(f"/api/sessions/{sid}/biases", json={"layer": 7, "neuron": 0, "value": -1e6})
    state = strict_json(r)
    assert state["status"] == "ready" and math.isfinite(state["train_loss"])
    out = strict_json(c.post(f"/api/sessions/{sid}/predict", json={"points": [[6, 6]]}))
    assert out["outputs"][0] is not None
    frame = strict_json(c.get(f"/api/sessions/{sid}/frame"))
    grid = np.frombuffer(base64.b64decode(frame["output"]), dtype=np.uint8)
    assert set(np.unique(grid)) <= {0, 127, 255}  # saturated, not garbage
    s = strict_json(c.post(f"/api/sessions/{sid}/step", json={"epochs": 50}))
    if s["status"] == "ready":
        assert s["epochs_run"] == 50 and math.isfinite(s["train_loss"])
    else:
        assert s["status"] == "diverged" and "learning rate" in s["message"]


# -- 3. concurrency ---------------------------------------------------------------------------


def test_concurrent_steps_edits_patches_and_reads_are_serialisable(client: TestClient) -> None:
    """Steppers, an editor, a learning-rate patcher and readers hit one session at once.
    The answers must fit one serial order: steps never overlap (each one's epochs follow
    the previous step's end), no epoch is lost, every read shows a state that the serial
    replay passes through, and the replay ends with exactly the server's model."""
    config = {"seed": 31, "optimizer": "momentum", "hidden_layers": [4, 3], "batch_size": 7}
    created = new_session(client, **config)
    sid, config = created["id"], created["config"]
    url = f"/api/sessions/{sid}"
    steps: list[tuple[int, int]] = []  # (epoch after, epochs run)
    edits: list[tuple[int, int, dict[str, Any]]] = []  # (epoch at, order, body)
    patches: list[tuple[int, int, float]] = []
    reads: list[dict[str, Any]] = []
    errors: list[str] = []
    lock = threading.Lock()

    def stepper(k: int) -> None:
        for i in range(12):
            r = client.post(f"{url}/step", json={"epochs": 1 + (i + k) % 3, "frame": i % 4 == 0})
            if r.status_code != 200:
                errors.append(r.text)
                continue
            s = strict_json(r)
            with lock:
                steps.append((s["epoch"], s["epochs_run"]))
            if s["frame"] is not None:
                reads.append(s["frame"])

    def editor() -> None:
        for i in range(15):
            body = {"layer": i % 3, "source": 0, "target": 0, "value": (i - 7) / 4}
            r = client.put(f"{url}/weights", json=body)
            if r.status_code != 200:
                errors.append(r.text)
                continue
            edits.append((strict_json(r)["epoch"], i, body))

    def patcher() -> None:
        for i in range(8):
            lr = (0.03, 0.1, 0.3)[i % 3]
            r = client.patch(url, json={"learning_rate": lr})
            if r.status_code != 200:
                errors.append(r.text)
                continue
            patches.append((strict_json(r)["epoch"], i, lr))

    def reader() -> None:
        for i in range(15):
            r = client.get(f"{url}/frame" if i % 2 else url)
            if r.status_code != 200:
                errors.append(r.text)
                continue
            reads.append(strict_json(r))

    workers: list[Callable[[], None]] = [
        *(functools.partial(stepper, k) for k in range(3)),
        editor,
        patcher,
        reader,
        reader,
    ]
    threads = [threading.Thread(target=w) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads) and not errors, errors
    final = strict_json(client.get(url))

    # No overlap, no lost update.
    steps.sort()
    ends = [0] + [end for end, _ in steps]
    assert all(ran >= 1 for _, ran in steps)
    assert [b - a for a, b in itertools.pairwise(ends)] == [ran for _, ran in steps]
    assert final["epoch"] == sum(ran for _, ran in steps) == ends[-1]

    # Replay serially: at each epoch boundary the edits and patches seen there (each
    # thread's in its own order; an edit and a patch commute), then the next step.
    replay = Trainer(config_from_dict(config))
    seen: dict[int, list[tuple[Any, ...]]] = {}

    def remember() -> None:
        weights = [w.tolist() for w in replay.net.weights()]
        seen.setdefault(replay.epoch, []).append((weights, replay.metrics.train_loss))

    remember()
    for boundary, (end, ran) in zip(ends, [*steps, (None, 0)], strict=True):
        for _, _, body in sorted(e for e in edits if e[0] == boundary):
            replay.set_weight(body["layer"], body["source"], body["target"], body["value"])
            remember()
        for _, _, lr in sorted(p for p in patches if p[0] == boundary):
            replay.update_config({"learning_rate": lr})
        if end is not None:
            assert replay.step(ran) == ran and replay.epoch == end
            remember()
    assert len(edits) == 15 and len(patches) == 8
    assert strict_json(client.get(f"{url}/model")) == replay.export()
    assert final["train_loss"] == replay.metrics.train_loss

    # Every read is one state of the replay: no torn frame, no half-applied step.
    assert len(reads) >= 30
    for read in reads:
        states = seen.get(read["epoch"])
        assert states is not None, f"read an epoch no serial order passes: {read['epoch']}"
        if "weights" in read:  # a frame
            assert read["history"]["start"] == 0
            assert len(read["history"]["train"]) == read["epoch"] + 1
            assert any(read["weights"] == w for w, _ in states)
        else:
            assert any(read["train_loss"] == loss for _, loss in states)


# -- 4. load and memory -----------------------------------------------------------------------

CAP = 100
CREATES = 10_000


async def _flood(app: Any) -> dict[str, Any]:
    """Create CREATES sessions against a store capped at CAP, touching one favourite
    every 50 creations and never touching another; some sessions draw frames (the
    largest network too) so that they hold their grid caches."""
    store = app.state.store
    ids: list[str] = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:

        async def create(i: int) -> str:
            config: dict[str, Any] = {"seed": i}
            if i % 200 == 0:
                config.update(BIG)
            r = await c.post("/api/sessions", json={"config": config})
            assert r.status_code == 201, r.text
            sid = str(r.json()["id"])
            if i % 20 == 0:
                assert (await c.get(f"/api/sessions/{sid}/frame")).status_code == 200
            return sid

        favourite, forgotten = await create(1), await create(2)
        sizes, rss = [], []
        for i in range(3, CREATES + 1):
            ids.append(await create(i))
            if i % 50 == 0:
                assert (await c.get(f"/api/sessions/{favourite}")).status_code == 200
            if i % 500 == 0:
                sizes.append(len(store))
                gc.collect()
                rss.append(rss_mb())
        gone = await c.get(f"/api/sessions/{forgotten}")
        kept = await c.get(f"/api/sessions/{favourite}")
        recent = [(await c.get(f"/api/sessions/{sid}")).status_code for sid in ids[-CAP + 1 :]]
        return {
            "ids": [favourite, forgotten, *ids],
            "sizes": sizes,
            "rss": rss,
            "gone": gone,
            "kept": kept,
            "recent": recent,
        }


def test_ten_thousand_sessions_stay_at_the_cap_in_bounded_memory() -> None:
    app = create_app(Settings(max_sessions=CAP))

    async def run() -> dict[str, Any]:
        async with app.router.lifespan_context(app):
            return await asyncio.wait_for(_flood(app), timeout=240)

    gc.collect()
    trainers_before = sum(isinstance(o, Trainer) for o in gc.get_objects())
    out = run_async(run())
    assert out["sizes"] == [CAP] * len(out["sizes"])
    assert out["gone"].status_code == 404 and "Start a new session" in out["gone"].json()["detail"]
    assert out["kept"].status_code == 200  # used recently, never evicted
    assert out["recent"] == [200] * (CAP - 1)  # the most recent ones are all there
    ids = out["ids"]
    assert len(set(ids)) == len(ids) == CREATES
    gc.collect()
    trainers = sum(isinstance(o, Trainer) for o in gc.get_objects()) - trainers_before
    assert trainers <= CAP, trainers  # evicted sessions are really freed
    rss = out["rss"]
    growth = rss[-1] - rss[1]  # steady state from 1,000 sessions on
    print(f"\nRSS every 500 creations (MB): {[round(x) for x in rss]}; growth {growth:.1f} MB")
    assert growth < 40, rss


def test_many_thumbnail_sizes_do_not_multiply_a_sessions_memory(client: TestClient) -> None:
    sid = new_session(client, **BIG, seed=9)["id"]
    client.get(f"/api/sessions/{sid}/frame")
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for thumb in range(5, 51):
            assert client.get(f"/api/sessions/{sid}/frame?thumb={thumb}").status_code == 200
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    # One set of 50×50 thumbnails (56 grids in float32) is 0.56 MB; a set per size ~10 MB.
    assert held < 3e6, held
