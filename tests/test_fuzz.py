"""Property-based fuzzing of the whole API from its own OpenAPI schema, plus hand-written
malformed requests.

Schemathesis generates the requests (valid ones, "positive", and ones that break the
schema, "negative") from ``/openapi.json``; they are sent in-process with Starlette's
TestClient to an app whose lifespan ran, so the store is real. Most generated session
ids are unknown (404), so each case that has a session id gets, three times in four, the
id of a real session from a small pool (small, largest, diverged, regression), which is
recreated when a case deletes it; likewise a case with a class code gets a real class,
student and teacher token three times in four. Every response must be below 500, parse
as strict JSON (no NaN or Infinity; the QR code is SVG) and, when it is a 4xx, carry a
readable ``detail``; 2xx responses must match the documented response schema.

``PLAYGROUND_FUZZ_EXAMPLES`` sets the examples per operation and mode (default 150:
about 3,000 requests, about a minute here); ``PLAYGROUND_FUZZ_SEED`` the Hypothesis
seed (default 0, so a run is reproducible). Why schemathesis rather than Hypothesis over
the Pydantic models: it reads the schema the server publishes, so it also fuzzes query
parameters, path parameters, content types and non-JSON bodies, and it checks each 2xx
answer against the documented response model.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import response_schema_conformance

from app.main import create_app
from app.settings import Settings
from tests.helpers import (
    BIG,
    DIVERGING,
    JSON,
    assert_rejected_changes_nothing,
    new_session,
    snapshot,
    strict_json,
)

EXAMPLES = int(os.environ.get("PLAYGROUND_FUZZ_EXAMPLES", "150"))
SEED = int(os.environ.get("PLAYGROUND_FUZZ_SEED", "0"))
SETTINGS = Settings(step_time_budget=0.02, max_sessions=1000, max_rooms=1000, room_misses=10**6)

POOL: dict[str, dict[str, Any]] = {
    "small": {"seed": 1, "hidden_layers": [2]},
    "largest": {"seed": 2, **BIG},
    "diverged": {"seed": 3, **DIVERGING, "hidden_layers": [8, 8, 8]},
    "regression": {"seed": 4, "problem": "regression", "features": ["x1", "x1_x2"]},
    "multiclass": {"seed": 5, "problem": "multiclass", "dataset": "spirals", "classes": 4},
}

SCHEMA = schemathesis.openapi.from_dict(create_app(SETTINGS).openapi())
OPERATIONS = [
    (method.upper(), path, bool(spec.get("parameters") or spec.get("requestBody")))
    for path, methods in SCHEMA.raw_schema["paths"].items()
    for method, spec in methods.items()
]


def _typed_inputs(method: str, path: str) -> bool:
    """A body or a query parameter: something a request can get the type of wrong (a
    path parameter is any string, so it has no negative cases)."""
    spec = SCHEMA.raw_schema["paths"][path][method.lower()]
    return "requestBody" in spec or any(p["in"] != "path" for p in spec.get("parameters", []))


CASES = [
    (method, path, mode)
    for method, path, _ in OPERATIONS
    for mode in [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    if mode == GenerationMode.POSITIVE or _typed_inputs(method, path)
]
# (method, path, mode) → [requests, aimed at a real session, answered 2xx]
COUNTS: dict[tuple[str, str, str], list[int]] = {}


def assert_sane(response: Any, what: str) -> None:
    """The promises every response keeps: no 5xx, strict JSON, 4xx with a sentence."""
    assert response.status_code < 500, f"{what} → {response.status_code}: {response.text[:500]}"
    if response.status_code == 204:
        assert response.content == b""
        return
    if response.headers["content-type"] == "image/svg+xml":
        assert response.text.startswith("<svg"), what
        return
    if response.headers["content-type"].startswith("text/csv"):
        assert response.text.startswith(("x,y,label\n", "x,y,value\n")), what
        return
    if response.headers["content-type"].startswith("text/x-python"):
        assert response.text.startswith('"""Neural Playground'), what
        return
    body = strict_json(response)
    if 400 <= response.status_code < 500:
        detail = body.get("detail") if isinstance(body, dict) else None
        assert isinstance(detail, str), f"{what} → {response.status_code} without detail: {body}"
        assert len(detail) >= 8 and any(c.isalpha() for c in detail), (what, detail)


class Pool:
    """Real sessions to aim generated requests at; a deleted one is created again."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.ids: dict[str, str] = {}

    def id(self, name: str) -> str:
        sid = self.ids.get(name)
        if sid is None or self.client.get(f"/api/sessions/{sid}").status_code == 404:
            sid = self.ids[name] = new_session(self.client, **POOL[name])["id"]
            if name == "diverged":
                self.client.post(f"/api/sessions/{sid}/step", json={"epochs": 100})
        return sid

    def comparison(self) -> str:
        """A real comparison's id (made again when a case deleted it or its runs)."""
        cid = self.ids.get("comparison")
        if cid is None or self.client.get(f"/api/comparisons/{cid}").status_code == 404:
            body = {"config": {"hidden_layers": [2]}, "variants": [{}, {"optimizer": "adam"}]}
            cid = self.ids["comparison"] = self.client.post("/api/comparisons", json=body).json()[
                "id"
            ]
        return cid

    def dataset(self) -> str:
        """A real shared dataset's id (made once; kept as long as the fuzzing lasts)."""
        if "dataset" not in self.ids:
            body = {"problem": "multiclass", "points": [[1, 2]], "labels": [2]}
            self.ids["dataset"] = self.client.post("/api/datasets", json=body).json()["id"]
        return self.ids["dataset"]


class RoomPool:
    """A real class (its code, teacher token and one student) to aim room routes at;
    made again when a case ended it or removed the student."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.code = self.token = self.student = ""

    def aim(self, case: Any) -> None:
        """Point ``case`` at the real class (and student), with the teacher's token."""
        if not self.code or self.client.get(f"/api/rooms/{self.code}").status_code == 404:
            room = self.client.post("/api/rooms", json={"title": "fuzz"}).json()
            self.code, self.token, self.student = room["code"], room["teacher_token"], ""
        auth = {"Authorization": f"Bearer {self.token}"}
        students = self.client.get(f"/api/rooms/{self.code}/students", headers=auth).json()
        if not any(s["id"] == self.student for s in students["students"]):
            joined = self.client.post(f"/api/rooms/{self.code}/students", json={"name": "Ada"})
            self.student = joined.json()["student"]["id"]
        case.path_parameters = {**(case.path_parameters or {}), "code": self.code}
        if "student_id" in case.path_parameters:
            case.path_parameters["student_id"] = self.student
        case.headers = {**(case.headers or {}), **auth}


@pytest.fixture(scope="module")
def rooms(fuzz_client: TestClient) -> RoomPool:
    return RoomPool(fuzz_client)


@pytest.fixture(scope="module")
def fuzz_client() -> Iterator[TestClient]:
    with TestClient(create_app(SETTINGS), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def pool(fuzz_client: TestClient) -> Pool:
    return Pool(fuzz_client)


def send(client: TestClient, case: Any) -> Any:
    """Send a schemathesis case with the TestClient (the body serialised by us, so that
    NaN and Infinity stay in as the literals a careless client would send)."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    body: bytes | None = kwargs.get("data")
    if "json" in kwargs:
        body = json.dumps(kwargs["json"]).encode()
    elif isinstance(body, str):
        body = body.encode()
    return client.request(
        kwargs["method"],
        kwargs["url"],
        params=kwargs.get("params") or None,
        headers={k: v for k, v in kwargs["headers"].items() if k.lower() != "content-length"},
        content=body,
    )


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_generated_requests_never_fail_the_server(
    fuzz_client: TestClient,
    pool: Pool,
    rooms: RoomPool,
    method: str,
    path: str,
    mode: GenerationMode,
) -> None:
    operation = SCHEMA[path][method]
    counts = COUNTS[(method, path, mode.value)] = [0, 0, 0]

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )
    @given(case=operation.as_strategy(mode), target=st.sampled_from([*POOL, *POOL, *POOL, None]))
    def run(case: Any, target: str | None) -> None:
        if "{session_id}" in path and target is not None:
            case.path_parameters = {**(case.path_parameters or {}), "session_id": pool.id(target)}
            counts[1] += 1
        if "{comparison_id}" in path and target is not None:
            case.path_parameters = {
                **(case.path_parameters or {}),
                "comparison_id": pool.comparison(),
            }
            counts[1] += 1
        if "{lesson_id}" in path and target is not None:  # a real lesson and one of its steps
            params = {**(case.path_parameters or {}), "lesson_id": "how-many-neurons"}
            if isinstance(params.get("number"), int):  # negative cases send other types
                params["number"] = 1 + abs(params["number"]) % 4
            case.path_parameters = params
            counts[1] += 1
        if "{dataset_id}" in path and target is not None:
            case.path_parameters = {**(case.path_parameters or {}), "dataset_id": pool.dataset()}
            counts[1] += 1
        if "{code}" in path and counts[0] % 4 != 3:
            rooms.aim(case)
            counts[1] += 1
        response = send(fuzz_client, case)
        counts[0] += 1
        counts[2] += response.status_code < 300
        what = f"{case.method} {case.formatted_path} {case.query} {case.body!r:.300}"
        assert_sane(response, what)
        if response.status_code < 300 and response.status_code != 204:
            case.validate_response(response, checks=[response_schema_conformance])

    run()
    has_inputs = any(has for m, p, has in OPERATIONS if (m, p) == (method, path))
    # GET /api/lessons's only input is `lang` (en, zh or none): few distinct requests exist.
    few = (method, path) == ("GET", "/api/lessons")
    assert counts[0] >= (EXAMPLES // 2 if has_inputs and not few else 1), counts
    if "{session_id}" in path or "{code}" in path:  # most reached a real one, not a 404
        assert counts[1] >= counts[0] // 2, counts
    # Valid requests get through to the work (weights and biases often name a neuron the
    # network has not: the engine answers 422; an experiment's values must suit its field,
    # random text is almost never a dataset, and random point indices are mostly beyond
    # the session's data, which the schema cannot say, so random ones almost never do:
    # tests/test_rooms.py, tests/test_data_api.py).
    if mode == GenerationMode.POSITIVE and (method, path) not in (
        ("PUT", "/api/rooms/{code}/experiment"),
        ("PUT", "/api/sessions/{session_id}/data.csv"),
        ("DELETE", "/api/sessions/{session_id}/points"),
    ):
        assert counts[2] >= max(1, counts[0] // 30), counts


def test_fuzz_summary(pool: Pool) -> None:
    """Prints what the generated tests above did (they run first, in file order)."""
    total, real, ok = (sum(c[i] for c in COUNTS.values()) for i in range(3))
    print(
        f"\nfuzz: {total} generated requests over {len(COUNTS)} operation×mode pairs; "
        f"{real} aimed at real sessions; {ok} answered 2xx; the rest 4xx; none 5xx"
    )
    for (method, path, mode), (n, r, k) in COUNTS.items():
        print(f"  {method:6} {path:42} {mode:8} {n:4} requests, {r:4} real, {k:4} 2xx")
    if any("{session_id}" in path for _, path, _ in COUNTS):
        assert pool.ids, "no generated request reached a real session"


# -- hand-written malformed requests ------------------------------------------------------

HUGE = b"1" + b"0" * 400  # 10**400: an int no float can hold
HUGER = b"1" + b"0" * 5000  # beyond Python's default int-parsing limit


@pytest.fixture
def sid(client: TestClient) -> str:
    return str(new_session(client, seed=7)["id"])


HAND_CASES: list[tuple[str, str, bytes, dict[str, str], int, str]] = [
    # (method, route under the session, body, headers, status, text in detail)
    ("PATCH", "", b'{"learning_rate": 0.1', JSON, 422, "not valid JSON"),
    ("PATCH", "", b'{"learning_rate": ', JSON, 422, "not valid JSON"),
    ("POST", "/step", b'{"epochs": 10, "frame": tr', JSON, 422, "not valid JSON"),
    ("PATCH", "", b"[" * 100_000 + b"]" * 100_000, JSON, 400, "error parsing the body"),
    ("PATCH", "", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, JSON, 400, "error parsing the body"),
    ("PATCH", "", b'{"seed": ' + HUGE + b"}", JSON, 422, "seed"),
    ("PATCH", "", b'{"seed": ' + HUGER + b"}", JSON, 400, "error parsing the body"),
    ("PATCH", "", b'{"noise": ' + HUGE + b"}", JSON, 422, "noise: Input should be a valid number"),
    ("PATCH", "", b'{"learning_rate": 1e400}', JSON, 422, "finite"),
    ("PATCH", "", b'{"learning_rate": -Infinity}', JSON, 422, "learning_rate"),
    ("POST", "/step", b'{"epochs": ' + HUGE + b"}", JSON, 422, "at most"),
    ("POST", "/step", b'{"epochs": 0}', JSON, 422, "greater than or equal to 1"),
    ("POST", "/step", b'{"epochs": -5}', JSON, 422, "greater than or equal to 1"),
    ("POST", "/step", b'{"epochs": -' + HUGE + b"}", JSON, 422, "greater than or equal to 1"),
    ("POST", "/step", b'{"epochs": true}', JSON, 422, "valid integer"),
    ("POST", "/step", b'{"epochs": 1, "max_ms": false}', JSON, 422, "max_ms"),
    ("POST", "/step", b'{"epochs": 1, "since": true}', JSON, 422, "since"),
    ("PATCH", "", b'{"batch_size": true}', JSON, 422, "valid integer"),
    ("PATCH", "", b'{"noise": false}', JSON, 422, "noise"),
    ("PUT", "/weights", b'{"layer": 0, "source": 0, "target": 0, "value": true}', JSON, 422, ""),
    ("PUT", "/biases", b'{"layer": true, "neuron": 0, "value": 1}', JSON, 422, "layer"),
    (
        "PUT",
        "/weights",
        b'{"layer": 0, "source": 0, "target": 0, "value": ' + HUGE + b"}",
        JSON,
        422,
        "value",
    ),
    ("POST", "/predict", b'{"points": [[' + HUGE + b", 0]]}", JSON, 422, "points.0.0"),
    ("POST", "/predict", b'{"points": [[true, 0]]}', JSON, 422, "points.0.0"),
    ("PATCH", "", b'{"seed": "\\ud800"}', JSON, 422, "seed"),
    ("PATCH", "", b"", JSON, 422, "JSON object"),
    ("POST", "/step", b"", JSON, 422, "JSON object"),
    ("PUT", "/weights", b"", {}, 422, "JSON object"),
    ("PATCH", "", b"null", JSON, 422, "JSON object"),
    ("PATCH", "", b'"learning_rate"', JSON, 422, "JSON object"),
    ("PATCH", "", b'{"learning_rate": 0.1}', {"content-type": "text/plain"}, 422, "JSON object"),
    (
        "PATCH",
        "",
        b"learning_rate=0.1",
        {"content-type": "application/x-www-form-urlencoded"},
        422,
        "JSON object",
    ),
    (
        "PATCH",
        "",
        b'{"learning_rate": 0.1}',
        {"content-type": "application/xml"},
        422,
        "JSON object",
    ),
    ("PATCH", "", b"\xff\xfe\x00{", JSON, 422, "not valid JSON"),
    ("PATCH", "", b" " * 10_000_000, JSON, 413, "larger than"),
    ("POST", "/step", b"{" + b" " * 10_000_000 + b"}", JSON, 413, "larger than"),
    ("PUT", "/weights", b" " * 10_000_000, JSON, 413, "larger than"),
    (
        "POST",
        "/predict",
        b'{"points": [' + b"[0, 0], " * 1_500_000 + b"[0, 0]]}",
        JSON,
        413,
        "larger than",
    ),
]


@pytest.mark.parametrize(("method", "route", "body", "headers", "status", "message"), HAND_CASES)
def test_malformed_request_gets_a_clear_4xx_and_changes_nothing(
    client: TestClient,
    sid: str,
    method: str,
    route: str,
    body: bytes,
    headers: dict[str, str],
    status: int,
    message: str,
) -> None:
    r = assert_rejected_changes_nothing(
        client, sid, method, route, content=body, headers=headers, status=status, message=message
    )
    assert_sane(r, "hand case")


def test_a_10_mb_body_is_413_whether_declared_or_streamed(client: TestClient, sid: str) -> None:
    before = snapshot(client, sid)

    def chunks() -> Iterator[bytes]:
        yield b'{"learning_rate": 0.1, "x": "'
        for _ in range(10):
            yield b"a" * 1_000_000
        yield b'"}'

    for route, method in [("", "PATCH"), ("/step", "POST"), ("/predict", "POST")]:
        streamed = client.request(method, f"/api/sessions/{sid}{route}", content=chunks())
        assert streamed.status_code == 413, streamed.text
        assert "larger than" in streamed.json()["detail"]
    created = client.post("/api/sessions", content=chunks(), headers=JSON)
    assert created.status_code == 413
    assert snapshot(client, sid) == before


def test_create_with_malformed_bodies_creates_nothing(client: TestClient) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    model = client.get(f"/api/sessions/{client.post('/api/sessions').json()['id']}/model").json()
    count = len(store)
    bad_models: list[Any] = [
        {**model, "config": {**model["config"], "seed": 10**400}},
        {**model, "config": {**model["config"], "noise": 10**400}},
        {**model, "config": {**model["config"], "hidden_layers": [10**400]}},
        {**model, "config": {**model["config"], "dataset": {}}},
        {**model, "config": {**model["config"], "features": "x1"}},
        {**model, "config": {**model["config"], "seed": "9" * 5000}},
        {**model, "weights": [[[10**400] * 4] * 2, [[0.0] * 2] * 4, [[0.0]] * 2]},
        {**model, "weights": [[[True] * 4] * 2, [[0.0] * 2] * 4, [[0.0]] * 2]},
        {**model, "biases": [[1e7] * 4, [0.0] * 2, [0.0]]},
        {**model, "weights": [[[[[[0.0]]]]]]},
        {**model, "weights": [[[0.0] * 4] * 3, [[0.0] * 2] * 4, [[0.0]] * 2]},
        {**model, "extra": 1},
    ]
    for bad in bad_models:
        r = client.post("/api/sessions", content=json.dumps({"model": bad}), headers=JSON)
        assert r.status_code == 422, (bad, r.text)
        assert_sane(r, "bad model")
    for raw in [
        b'{"config": {"seed": ' + HUGE + b"}}",
        b'{"config": {"dataset": "plane"}}',
        b'{"config": {"hidden_layers": [' + b"8," * 100 + b"8]}}",
        b'{"config": {"features": ["x1", "x1", "nope"]}}',
        b'{"config": [1, 2]}',
        b'{"model": {"config": {}, "weights": [], "biases": []}, "config": {}}',
    ]:
        r = client.post("/api/sessions", content=raw, headers=JSON)
        assert 400 <= r.status_code < 500, (raw, r.text)
        assert_sane(r, "bad create")
    assert len(store) == count


@pytest.mark.parametrize(
    "seed_text",
    ["😀 ‮ seed", "²", "٣", "0.12345", "  42  ", "\u0000", "𝟘", "Ⅻ", "9" * 200, "ß" * 50],
)
def test_unicode_seeds_map_to_a_stable_int(client: TestClient, seed_text: str) -> None:
    a = client.post("/api/sessions", json={"config": {"seed": seed_text}})
    b = client.post("/api/sessions", json={"config": {"seed": seed_text}})
    assert a.status_code == b.status_code == 201, a.text
    seed_a, seed_b = a.json()["config"]["seed"], b.json()["config"]["seed"]
    assert seed_a == seed_b and 0 <= seed_a < 2**32
    sid = a.json()["id"]
    patched = client.patch(f"/api/sessions/{sid}", json={"seed": seed_text})
    assert patched.status_code == 200 and patched.json()["config"]["seed"] == seed_a


def test_duplicate_keys_take_the_last_value_like_javascript(client: TestClient, sid: str) -> None:
    r = client.patch(
        f"/api/sessions/{sid}", content=b'{"noise": 5, "noise": 10, "seed": 3}', headers=JSON
    )
    assert r.status_code == 200 and r.json()["config"]["noise"] == 10
    r = client.patch(f"/api/sessions/{sid}", content=b'{"noise": 5, "noise": "loud"}', headers=JSON)
    assert r.status_code == 422 and "noise" in r.json()["detail"]


def test_query_parameters_out_of_range(client: TestClient, sid: str) -> None:
    before = snapshot(client, sid)
    for query in [
        "since=-1",
        "since=" + HUGER.decode(),
        "since=1e3",
        "since=true",
        "thumb=4",
        "thumb=51",
        "thumb=" + HUGE.decode(),
        "neuron=1",
        "neuron=1,2,3",
        "neuron=-1,0",
        "neuron=%00,%00",
    ]:
        r = client.get(f"/api/sessions/{sid}/frame?{query}")
        assert r.status_code == 422, (query, r.text[:200])
        assert_sane(r, query)
    for query in ["since=" + HUGE.decode(), "neuron=9,9", "neuron=0,7"]:
        r = client.get(f"/api/sessions/{sid}/frame?{query}")
        assert r.status_code == 200, (query, r.text[:200])
        assert_sane(r, query)
    assert snapshot(client, sid) == before
