"""Isolation, headers and configuration (issue 6): unguessable ids that leak nowhere, no
session listing, CORS closed, security headers on every kind of answer, no static file
outside static/, and safe, documented settings."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import string
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.engine.trainer import MODEL_KEYS
from app.main import create_app
from app.routes import meta, sessions
from app.settings import ROOT, Settings
from app.store import new_session_id
from tests.aio import run_async
from tests.helpers import new_session

URLSAFE = set(string.ascii_letters + string.digits + "-_")


# -- session ids ------------------------------------------------------------------------------


def _bits(session_id: str) -> np.ndarray[Any, Any]:
    raw = base64.urlsafe_b64decode(session_id + "=" * (-len(session_id) % 4))
    return np.unpackbits(np.frombuffer(raw, dtype=np.uint8))


def test_session_ids_carry_at_least_128_uniformly_random_bits() -> None:
    ids = [new_session_id() for _ in range(100_000)]
    assert len(set(ids)) == len(ids)
    assert all(set(i) <= URLSAFE for i in ids)
    bits = np.array([_bits(i) for i in ids], dtype=np.float64)
    assert bits.shape[1] >= 128
    # Every bit position is a fair coin (σ of the mean is 0.0016 here), and neighbours are
    # independent: ids that counted up, held a time stamp or a fixed prefix would fail.
    assert np.all(np.abs(bits.mean(axis=0) - 0.5) < 0.01)
    distances = np.abs(np.diff(bits, axis=0)).sum(axis=1)
    assert abs(distances.mean() - bits.shape[1] / 2) < 1
    assert distances.min() > bits.shape[1] / 4


def test_ids_from_the_api_are_unique_urlsafe_and_long(client: TestClient) -> None:
    ids = [client.post("/api/sessions").json()["id"] for _ in range(300)]
    assert len(set(ids)) == len(ids)
    assert all(set(i) <= URLSAFE and len(_bits(i)) >= 128 for i in ids)


def _every_answer_of(client: TestClient, sid: str) -> list[Any]:
    """Everything a client can get from the server while working with session ``sid``."""
    base = f"/api/sessions/{sid}"
    return [
        client.get("/healthz"),
        client.get("/api/options"),
        client.get("/openapi.json"),
        client.get("/docs"),
        client.get("/"),
        client.get(base),
        client.get(f"{base}/frame?neuron=1,0"),
        client.get(f"{base}/data"),
        client.get(f"{base}/model"),
        client.post(f"{base}/step", json={"epochs": 5, "frame": True}),
        client.patch(base, json={"learning_rate": 0.1}),
        client.put(f"{base}/weights", json={"layer": 0, "source": 0, "target": 0, "value": 1}),
        client.put(f"{base}/biases", json={"layer": 1, "neuron": 0, "value": 1}),
        client.post(f"{base}/predict", json={"points": [[0, 0]]}),
        client.post(f"{base}/points", json={"points": [[1, 1]], "labels": [1]}),
        client.request("DELETE", f"{base}/points", json={"indices": [0]}),
        client.get(f"{base}/data.csv"),
        client.put(f"{base}/data", json={"points": [[1, 1]], "labels": [-1]}),
        client.post(
            "/api/datasets", json={"problem": "classification", "points": [], "labels": []}
        ),
        client.get("/api/datasets/unknown"),
        client.post(f"{base}/reset"),
        client.post(f"{base}/regenerate"),
        client.patch(base, json={"learning_rate": -1}),
        client.get(f"{base}/frame?thumb=1"),
        client.get("/api/sessions/unknown"),
        client.get("/api/sessions"),
        client.get("/api/sessions/"),
        client.options("/api/sessions", headers={"Origin": "http://evil.example"}),
        client.post("/api/sessions", json={"config": {"seed": 1}}),
    ]


def test_no_answer_about_one_session_mentions_another(client: TestClient) -> None:
    others = [client.post("/api/sessions").json()["id"] for _ in range(5)]
    mine = new_session(client, seed=3)["id"]
    answers = _every_answer_of(client, mine)
    assert {r.status_code for r in answers} >= {200, 201, 404, 405, 422}
    for r in answers:
        text = r.text + json.dumps(dict(r.headers))
        for other in others:
            assert other not in text, (r.request.url, r.status_code)
    model = client.get(f"/api/sessions/{mine}/model").json()
    assert set(model) == MODEL_KEYS and mine not in json.dumps(model)  # custom data: "data"


def test_no_route_lists_sessions(client: TestClient) -> None:
    paths: dict[str, dict[str, Any]] = client.get("/openapi.json").json()["paths"]
    public = {"/healthz", "/api/options", "/api/lessons", "/api/lessons/{lesson_id}"}
    for path, methods in paths.items():
        if "get" in methods and path not in public:
            # One session, or one class (by its code; its students only with the token).
            keys = ("{session_id}", "{code}", "{dataset_id}", "{comparison_id}")
            assert any(k in path for k in keys), path
    assert "get" not in paths.get("/api/sessions", {})
    assert "get" not in paths.get("/api/rooms", {})
    assert "get" not in paths.get("/api/comparisons", {})
    sid = client.post("/api/sessions").json()["id"]
    room = client.post("/api/rooms").json()["code"]
    lists = ["/api/sessions", "/api/sessions/", "/api/sessions?all=1", "/api", "/api/"]
    for path in [*lists, "/api/rooms", "/api/rooms/", "/api/rooms?all=1"]:
        r = client.get(path)
        assert r.status_code in {404, 405} and sid not in r.text and room not in r.text, path
    # Routes left out of the schema (the page) too: every GET route reads one session.
    for router in (meta.router, sessions.router):
        for route in router.routes:
            full = router.prefix + getattr(route, "path", "")
            if "GET" in getattr(route, "methods", ()):
                assert "{session_id}" in full or full in public | {"/"}, full


# -- CORS and headers -------------------------------------------------------------------------


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:9999"])
def test_cors_is_closed(client: TestClient, origin: str) -> None:
    sid = client.post("/api/sessions").json()["id"]
    for method, path in [
        ("POST", "/api/sessions"),
        ("POST", f"/api/sessions/{sid}/step"),
        ("PATCH", f"/api/sessions/{sid}"),
        ("GET", f"/api/sessions/{sid}/model"),
    ]:
        preflight = client.options(
            path,
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert preflight.status_code in {404, 405}
        simple = client.request(method, path, headers={"Origin": origin}, json={})
        for r in (preflight, simple):
            assert not [h for h in r.headers if h.lower().startswith("access-control-")], path


def _csp(value: str) -> dict[str, list[str]]:
    directives = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def check_security_headers(headers: Any, what: str) -> None:
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("referrer-policy") == "no-referrer", what
    csp = _csp(headers.get("content-security-policy", ""))
    assert csp.get("default-src") == ["'self'"], what
    assert csp.get("script-src", csp["default-src"]) == ["'self'"], what  # no inline, no host
    assert csp.get("object-src") == ["'none'"] and csp.get("frame-ancestors") == ["'none'"]
    for name, sources in csp.items():
        for source in sources:
            # Only this origin; pictures may also come from data: and blob: URLs made by the
            # page itself. No host, no scheme-wide source, no wildcard, no inline or eval.
            allowed = {"'self'", "'none'"} | ({"data:", "blob:"} if name == "img-src" else set())
            assert source in allowed, (what, name, source)


def test_security_headers_on_every_kind_of_answer(client: TestClient) -> None:
    sid = client.post("/api/sessions").json()["id"]
    static = next(p for p in (ROOT / "static").rglob("*") if p.is_file())
    answers = {
        "page": client.get("/"),
        "static": client.get("/static/" + static.relative_to(ROOT / "static").as_posix()),
        "json 200": client.get("/api/options"),
        "gzip": client.get(f"/api/sessions/{sid}/frame", headers={"Accept-Encoding": "gzip"}),
        "201": client.post("/api/sessions"),
        "204": client.delete(f"/api/sessions/{client.post('/api/sessions').json()['id']}"),
        "404 route": client.get("/nope"),
        "404 session": client.get("/api/sessions/nope"),
        "404 static": client.get("/static/nope.js"),
        "405": client.put("/api/options"),
        "413": client.patch(f"/api/sessions/{sid}", content=b" " * 2_000_000),
        "422": client.patch(f"/api/sessions/{sid}", json={"noise": -1}),
        "400": client.patch(
            f"/api/sessions/{sid}",
            content=b"[" * 100_000,
            headers={"content-type": "application/json"},
        ),
        "docs": client.get("/docs"),
    }
    assert answers["gzip"].headers["content-encoding"] == "gzip"
    assert answers["static"].status_code == 200
    statuses = {what: r.status_code for what, r in answers.items()}
    assert statuses["413"] == 413 and statuses["400"] == 400 and statuses["405"] == 405
    for what, r in answers.items():
        check_security_headers(r.headers, what)


def test_the_page_has_no_inline_script(client: TestClient) -> None:
    html = client.get("/").text
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I):
        assert re.search(r"\bsrc=", tag), f"inline script: {tag}"
    assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), "inline event handler"
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", html, flags=re.I), "other host"


# -- static files -----------------------------------------------------------------------------

TRAVERSALS = [
    "/static/../secret.txt",
    "/static/%2e%2e/secret.txt",
    "/static/%2E%2E/secret.txt",
    "/static/..%2fsecret.txt",
    "/static/%2e%2e%2fsecret.txt",
    "/static/..%5csecret.txt",
    "/static/....//secret.txt",
    "/static/%252e%252e/secret.txt",
    "/static/sub/../../secret.txt",
    "/static//secret.txt",
    "/static/%2fsecret.txt",
    "/static/link-out",
    "/static/ok.txt%00.js",
]


async def _asgi_get(app: Any, raw_path: str) -> tuple[int, bytes]:
    """GET a raw path as an HTTP server would pass it (path percent-decoded once)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(raw_path),
        "raw_path": raw_path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    status, body = 0, b""
    received = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if received.is_set():  # the client stays connected until the answer is complete
            await asyncio.Event().wait()
        received.set()
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, body
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body += message.get("body", b"")

    await app(scope, receive, send)
    return status, body


def test_static_files_cannot_be_read_outside_static(tmp_path: Path) -> None:
    static = tmp_path / "static"
    (static / "sub").mkdir(parents=True)
    (static / "ok.txt").write_text("public")
    (tmp_path / "secret.txt").write_text("SECRET")
    (static / "link-out").symlink_to(tmp_path / "secret.txt")
    app = create_app(Settings(static_dir=static))
    assert run_async(_asgi_get(app, "/static/ok.txt")) == (200, b"public")
    for path in TRAVERSALS:
        status, body = run_async(_asgi_get(app, path))
        assert status == 404 and b"SECRET" not in body, (path, status, body[:80])
    # And the real layout: the app's own source is next to static/.
    real = create_app(Settings())
    for path in [
        "/static/../app/main.py",
        "/static/%2e%2e/app/main.py",
        "/static/..%2fapp%2fmain.py",
    ]:
        status, body = run_async(_asgi_get(real, path))
        assert status == 404 and b"create_app" not in body, path


# -- configuration ----------------------------------------------------------------------------

NUMERIC = [
    name
    for name, f in Settings.model_fields.items()
    if isinstance(f.default, int | float) and not isinstance(f.default, bool)
]
ZERO_ALLOWED = {"port", "gather_ms"}


def test_defaults_bind_loopback_and_are_safe() -> None:
    s = Settings.from_env({})
    assert s == Settings() and s.host == "127.0.0.1"
    assert 1 <= s.max_sessions <= 1000
    assert 60 <= s.idle_timeout <= 24 * 3600
    assert 1 <= s.max_epochs_per_step <= 100_000
    assert 0 < s.step_time_budget <= 1
    assert 1000 <= s.max_body_bytes <= 10_000_000
    assert 1 <= s.max_predict_points <= 100_000
    assert s.static_dir == ROOT / "static" and s.templates_dir == ROOT / "templates"


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        (name, raw)
        for name, raw in itertools.product(NUMERIC, ["nan", "inf", "-inf", "0", "-5", "many", ""])
        if not (name in ZERO_ALLOWED and raw == "0")
    ],
)
def test_a_bad_setting_is_refused_with_its_name(name: str, raw: str) -> None:
    variable = f"PLAYGROUND_{name.upper()}"
    with pytest.raises(ValueError, match=variable):
        Settings.from_env({variable: raw})


def test_scheduler_settings() -> None:
    """Training together can be turned off; waiting for a class's requests is bounded."""
    assert Settings.from_env({"PLAYGROUND_TRAIN_TOGETHER": "false"}).train_together is False
    assert Settings.from_env({"PLAYGROUND_GATHER_MS": "0"}).gather_ms == 0
    for name, raw in [("TRAIN_TOGETHER", "perhaps"), ("GATHER_MS", "1001"), ("GROUP_MS", "1001")]:
        with pytest.raises(ValueError, match=f"PLAYGROUND_{name}"):
            Settings.from_env({f"PLAYGROUND_{name}": raw})


def test_port_bounds() -> None:
    assert Settings.from_env({"PLAYGROUND_PORT": "0"}).port == 0
    with pytest.raises(ValueError, match="PLAYGROUND_PORT"):
        Settings.from_env({"PLAYGROUND_PORT": "65536"})


def _readme_configuration() -> dict[str, str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\|\s*`(PLAYGROUND_[A-Z_]+)`\s*\|\s*`([^`]*)`\s*\|", section, flags=re.M)
    return dict(rows)


def test_readme_documents_every_setting_with_its_default() -> None:
    documented = _readme_configuration()
    expected = {
        f"PLAYGROUND_{name.upper()}": getattr(Settings(), name) for name in Settings.model_fields
    }
    assert set(documented) == set(expected)
    for variable, default in expected.items():
        if isinstance(default, Path):
            assert default == ROOT / documented[variable].rstrip("/"), variable
        else:
            assert type(default)(documented[variable]) == default, variable
            assert Settings.from_env({variable: documented[variable]}) == Settings()
