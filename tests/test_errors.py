"""One error shape for every 4xx, documented in OpenAPI; a 405 names every method."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings


def _is_error(body: Any) -> bool:
    return (
        set(body) == {"detail", "errors"}
        and isinstance(body["detail"], str)
        and body["detail"].strip() != ""
        and all(set(e) == {"field", "message"} for e in body["errors"])
    )


@pytest.fixture
def sid(client: TestClient) -> str:
    return str(client.post("/api/sessions").json()["id"])


def test_every_kind_of_4xx_has_the_one_shape(client: TestClient, sid: str) -> None:
    base = f"/api/sessions/{sid}"
    json_type = {"content-type": "application/json"}
    answers = {
        400: client.patch(base, content=b"[" * 100_000, headers=json_type),
        404: client.get("/api/sessions/no-such-session"),
        405: client.put(base, json={}),
        413: client.patch(base, content=b" " * 2_000_000),
        422: client.patch(base, json={"noise": -1, "activation": "nope"}),
    }  # fmt: skip
    unknown_route = client.get("/no/such/route")
    engine_refusal = client.put(
        f"{base}/weights", json={"layer": 0, "source": 2, "target": 0, "value": 1}
    )
    for status, r in answers.items():
        assert r.status_code == status and _is_error(r.json()), (status, r.text)
    assert unknown_route.status_code == 404 and _is_error(unknown_route.json())
    assert "/docs" in unknown_route.json()["detail"]
    assert engine_refusal.status_code == 422 and _is_error(engine_refusal.json())
    fields = {e["field"] for e in answers[422].json()["errors"]}
    assert fields == {"body.noise", "body.activation"}


def test_405_names_every_method_the_path_takes(client: TestClient, sid: str) -> None:
    r = client.put(f"/api/sessions/{sid}", json={})
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, PATCH, DELETE"
    assert "GET, PATCH or DELETE" in r.json()["detail"]
    assert client.get(f"/api/sessions/{sid}/step").headers["allow"] == "POST"


def test_openapi_documents_the_error_shape_and_every_answered_status(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    error = spec["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"detail", "errors"}
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/sessions"):
            continue
        for method, operation in operations.items():
            for status in ("400", "404", "413", "422"):
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/ErrorOut"}, (
                    method,
                    path,
                    status,
                )


def test_openapi_carries_the_settings_bounds_and_links() -> None:
    with TestClient(create_app(Settings(max_epochs_per_step=77, max_predict_points=12))) as c:
        spec = c.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for unit in ("epochs", "batches"):
        assert schemas["StepIn"]["properties"][unit]["anyOf"][0]["maximum"] == 77
    assert schemas["PredictIn"]["properties"]["points"]["maxItems"] == 12
    links = spec["paths"]["/api/sessions"]["post"]["responses"]["201"]["links"]
    session_operations = sum(
        len(ops) for path, ops in spec["paths"].items() if "{session_id}" in path
    )
    assert len(links) == session_operations
    assert all(
        link["parameters"] == {"session_id": "$response.body#/id"} for link in links.values()
    )


def test_a_whole_float_is_an_integer_and_a_fraction_is_refused(
    client: TestClient, sid: str
) -> None:
    ok = client.patch(f"/api/sessions/{sid}", json={"batch_size": 3.0, "hidden_layers": [2.0, 1]})
    assert ok.status_code == 200
    assert ok.json()["config"]["batch_size"] == 3
    assert ok.json()["config"]["hidden_layers"] == [2, 1]
    refused = client.patch(f"/api/sessions/{sid}", json={"batch_size": 3.5})
    assert refused.status_code == 422 and "batch_size" in refused.json()["detail"]
    assert client.patch(f"/api/sessions/{sid}", json={"batch_size": "3"}).status_code == 422
    assert client.patch(f"/api/sessions/{sid}", json={"batch_size": True}).status_code == 422
