"""The binary frame format (Accept: application/vnd.playground.frame) against the JSON
answer, decoded by an independent decoder here: the same content, the maps as raw bytes,
for every kind of output; ``thumbs=false``; errors stay JSON; JSON clients unchanged."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app import frames
from app.engine import Trainer, config_from_dict, evaluate_grid
from app.main import create_app
from app.settings import Settings
from tests.helpers import decode_frame, new_session, strict_json

BINARY = "application/vnd.playground.frame"
ASK = {"Accept": BINARY}

CONFIGS: dict[str, dict[str, Any]] = {
    "regression": {"problem": "regression", "dataset": "plane", "hidden_layers": [3, 2]},
    "binary classification": {"dataset": "circle", "hidden_layers": [4, 2]},
    "multiclass": {"problem": "multiclass", "dataset": "blobs", "hidden_layers": [5]},
}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as c:
        yield c


def with_base64(frame: dict[str, Any], maps: bytes) -> dict[str, Any]:
    """The head's frame with every [offset, length] replaced by the base64 of those bytes,
    checking that the maps follow each other and fill the maps part exactly."""
    used = 0

    def b64(ref: list[int]) -> str:
        nonlocal used
        offset, length = ref
        assert offset == used and length > 0
        used += length
        return base64.b64encode(maps[offset : offset + length]).decode("ascii")

    out = dict(frame)
    if frame["output"] != "":
        out["output"] = b64(frame["output"])
    for key in ("classes", "features"):
        if frame[key] is not None:
            out[key] = [b64(m) for m in frame[key]]
    if frame["neurons"] is not None:
        out["neurons"] = [[b64(m) for m in layer] for layer in frame["neurons"]]
    if frame["neuron"] is not None:
        out["neuron"] = {**frame["neuron"], "grid": b64(frame["neuron"]["grid"])}
    assert used == len(maps), "bytes in the maps part that no map points to"
    return out


def binary_step(client: TestClient, sid: str, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(f"/api/sessions/{sid}/step", json=body, headers=ASK)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == BINARY
    head, maps = decode_frame(r.content)
    head["frame"] = with_base64(head["frame"], maps)
    return head


def twins(client: TestClient, config: dict[str, Any]) -> tuple[str, str]:
    """Two sessions that train alike (the same config and seed)."""
    a = new_session(client, **config, seed=7)["id"]
    b = new_session(client, **config, seed=7)["id"]
    return a, b


@pytest.mark.parametrize("thumbs", [True, False])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_binary_step_decodes_to_the_json_answer(
    client: TestClient, name: str, thumbs: bool
) -> None:
    a, b = twins(client, CONFIGS[name])
    for since in (0, 2):  # the whole history, then only the new points
        body = {"epochs": 2, "frame": True, "since": since, "neuron": [1, 0], "thumbs": thumbs}
        r = client.post(f"/api/sessions/{a}/step", json=body)
        assert r.headers["content-type"] == "application/json"
        expected = strict_json(r)
        got = binary_step(client, b, body)
        assert got["frame"]["neuron"] is not None
        if name == "multiclass":
            assert got["frame"]["output"] == "" and len(got["frame"]["classes"]) == 3
        else:
            assert got["frame"]["classes"] is None and got["frame"]["output"]
        assert {**got, "id": a} == expected


@pytest.mark.parametrize("thumbs", [True, False])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_binary_frame_decodes_to_the_json_frame(
    client: TestClient, name: str, thumbs: bool
) -> None:
    sid = new_session(client, **CONFIGS[name], seed=7)["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 3})
    query = f"since=1&neuron=0,1&thumbs={str(thumbs).lower()}"
    expected = strict_json(client.get(f"/api/sessions/{sid}/frame?{query}"))
    r = client.get(f"/api/sessions/{sid}/frame?{query}", headers=ASK)
    assert r.status_code == 200 and r.headers["content-type"] == BINARY
    head, maps = decode_frame(r.content)
    assert with_base64(head, maps) == expected
    assert (expected["features"] is not None) == thumbs


def test_a_step_without_a_frame_is_binary_too(client: TestClient) -> None:
    sid = new_session(client, seed=1)["id"]
    r = client.post(f"/api/sessions/{sid}/step", json={"epochs": 1}, headers=ASK)
    head, maps = decode_frame(r.content)
    assert head["frame"] is None and maps == b"" and head["epochs_run"] == 1


def test_json_maps_are_the_quantised_grids(client: TestClient) -> None:
    """What JSON clients receive without ``thumbs``: every map, as before, the bytes
    round((v + 1)·127.5) of the grid's values, base64."""
    config = {**CONFIGS["binary classification"], "seed": 5}
    sid = new_session(client, **config)["id"]
    frame = client.post(f"/api/sessions/{sid}/step", json={"epochs": 1, "frame": True}).json()[
        "frame"
    ]
    t = Trainer(config_from_dict(config))
    t.step(1)
    full, small = evaluate_grid(t, 100), evaluate_grid(t, 25)

    def quantised(values: np.ndarray) -> bytes:
        return bytes(np.rint((np.clip(values, -1, 1) + 1) * 127.5).astype(np.uint8))

    def raw(text: str) -> bytes:
        return base64.b64decode(text, validate=True)

    assert raw(frame["output"]) == quantised(full[-1][0])
    assert [raw(m) for m in frame["features"]] == [quantised(g) for g in small[0]]
    for layer, maps in enumerate(frame["neurons"], start=1):
        assert [raw(m) for m in maps] == [quantised(g) for g in small[layer]]


def test_thumbs_false_gives_null_thumbnails_and_json_without_it_has_them(
    client: TestClient,
) -> None:
    sid = new_session(client, seed=2, hidden_layers=[3, 2])["id"]
    frame = client.post(f"/api/sessions/{sid}/step", json={"frame": True}).json()["frame"]
    assert len(frame["features"]) == 2 and [len(layer) for layer in frame["neurons"]] == [3, 2]
    without = client.post(f"/api/sessions/{sid}/step", json={"frame": True, "thumbs": False})
    assert without.json()["frame"]["features"] is None
    assert without.json()["frame"]["neurons"] is None
    assert without.json()["frame"]["output"]
    got = client.get(f"/api/sessions/{sid}/frame?thumbs=false").json()
    assert got["features"] is None and got["neurons"] is None
    assert client.get(f"/api/sessions/{sid}/frame?thumbs=maybe").status_code == 422


def test_binary_answers_are_not_gzipped_and_json_ones_are(client: TestClient) -> None:
    sid = new_session(client, seed=1)["id"]
    gzip = {"Accept-Encoding": "gzip"}
    r = client.get(f"/api/sessions/{sid}/frame", headers={**ASK, **gzip})
    assert "content-encoding" not in r.headers
    assert int(r.headers["content-length"]) == len(r.content)
    r = client.get(f"/api/sessions/{sid}/frame", headers=gzip)
    assert r.headers["content-encoding"] == "gzip"


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/api/sessions/nope/step", {"frame": True}, 404),
        ("GET", "/api/sessions/nope/frame", None, 404),
        ("POST", "/api/sessions/{sid}/step", {"frame": True, "thumbs": "no"}, 422),
        ("GET", "/api/sessions/{sid}/frame?epoch=999", None, 422),
    ],
)
def test_errors_stay_json(
    client: TestClient, method: str, path: str, body: dict[str, Any] | None, status: int
) -> None:
    sid = new_session(client, seed=1)["id"]
    r = client.request(method, path.format(sid=sid), json=body, headers=ASK)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/json")
    assert isinstance(r.json()["detail"], str)


def test_openapi_names_the_binary_media_type_and_thumbs(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    paths = doc["paths"]
    for path, method in [
        ("/api/sessions/{session_id}/step", "post"),
        ("/api/sessions/{session_id}/frame", "get"),
    ]:
        content = paths[path][method]["responses"]["200"]["content"]
        assert set(content) == {"application/json", BINARY}
    step_in = doc["components"]["schemas"]["StepIn"]["properties"]
    assert step_in["thumbs"]["default"] is True
    params = paths["/api/sessions/{session_id}/frame"]["get"]["parameters"]
    assert "thumbs" in [p["name"] for p in params]
    assert "accept" not in [p["name"].lower() for p in params]


@pytest.mark.parametrize(
    ("accept", "binary"),
    [
        (BINARY, True),
        (BINARY.upper(), True),
        (f"{BINARY}, application/json", True),
        (f"application/json;q=0.5, {BINARY}", True),
        (f"{BINARY};q=0", False),
        (f"application/json, {BINARY};q=0.1", False),
        (f"*/*, {BINARY};q=0.9", False),
        (f"{BINARY};q=bad", False),
        ("application/json", False),
        ("*/*", False),
        ("", False),
    ],
)
def test_the_accept_header_chooses_by_quality(accept: str, binary: bool) -> None:
    assert frames.wanted(accept) is binary


def test_both_formats_say_they_vary_by_accept(client: TestClient) -> None:
    sid = client.post("/api/sessions", json={"config": {"seed": 3}}).json()["id"]
    for headers in ({}, ASK):
        r = client.post(f"/api/sessions/{sid}/step", json={"frame": True}, headers=headers)
        assert "Accept" in r.headers["vary"], headers
        r = client.get(f"/api/sessions/{sid}/frame", headers=headers)
        assert "Accept" in r.headers["vary"], headers
