"""The OpenAPI description, completed with what only the running server knows.

FastAPI builds it from the routes and schemas; this adds the bounds that come from the
settings (epochs per step, points per prediction) and links from a created session to
every operation on it, so that a client (or a fuzzer) can follow them."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from .settings import Settings

CREATE = ("/api/sessions", "post")


def install(app: FastAPI, settings: Settings) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            _settings_bounds(schema, settings)
            _links(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _settings_bounds(schema: dict[str, Any], settings: Settings) -> None:
    schemas = schema["components"]["schemas"]
    for unit in ("epochs", "batches"):
        number = schemas["StepIn"]["properties"][unit]["anyOf"][0]
        number["maximum"] = settings.max_epochs_per_step
    schemas["PredictIn"]["properties"]["points"]["maxItems"] = settings.max_predict_points


def _links(schema: dict[str, Any]) -> None:
    """201 of POST /api/sessions → every operation that takes a session_id."""
    links = {}
    for path, operations in schema["paths"].items():
        if "{session_id}" not in path:
            continue
        for method, operation in operations.items():
            links[operation["operationId"]] = {
                "operationId": operation["operationId"],
                "parameters": {"session_id": "$response.body#/id"},
                "description": f"{method.upper()} {path} on the session just created",
            }
    path, method = CREATE
    schema["paths"][path][method]["responses"]["201"]["links"] = links
