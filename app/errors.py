"""One error shape for every 4xx: ``{"detail": "<sentence>", "errors": [{field, message}]}``.

Validation errors list each bad field; other errors have an empty ``errors`` list. A 405
says which methods the path takes, in its sentence and in the ``Allow`` header."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from .classroom import ClassEnded, Locked, Paused, locked_message
from .schemas import ErrorOut
from .store import SessionNotFound, StoreUnavailable

NOT_AN_OBJECT = {"missing", "model_attributes_type", "dict_type", "model_type"}


def error_body(detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or []}


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    if error.get("type") == "json_invalid":
        return "The request body is not valid JSON."
    if tuple(error.get("loc", ())) == ("body",) and error.get("type") in NOT_AN_OBJECT:
        return (
            "body: the request body must be a JSON object sent with Content-Type: application/json."
        )
    return f"{where}: {message}"


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", ())), "message": _describe(e)}
        for e in exc.errors()
    ]
    detail = "; ".join(dict.fromkeys(e["message"] for e in errors)) or "Invalid request."
    model_errors = [e for e in exc.errors() if tuple(e.get("loc", ()))[:2] == ("body", "model")]
    if model_errors:
        detail = not_a_model("; ".join(dict.fromkeys(_plain_model_error(e) for e in model_errors)))
    return JSONResponse(status_code=422, content=error_body(detail, errors))


MODEL_PROBLEMS = {
    "float_type": "a weight, bias or loss is not a number",
    "float_parsing": "a weight, bias or loss is not a number",
    "finite_number": "a weight, bias or loss is not a finite number",
    "int_type": "the epoch is not a whole number",
    "list_type": "its weights, biases or history are not lists",
    "too_long": "its network is larger than this page allows",
    "too_short": "its loss history is empty",
    "greater_than_equal": "a weight or bias is beyond ±1,000,000",
    "less_than_equal": "a weight or bias is beyond ±1,000,000",
    "model_type": "it is not a JSON object",
    "dict_type": "it is not a JSON object",
}


def _plain_model_error(error: dict[str, Any]) -> str:
    """One validation error of an imported model, in plain words."""
    loc = [str(p) for p in error.get("loc", ())[2:]]
    kind = str(error.get("type", ""))
    if kind == "missing":
        return f"it has no {loc[-1] if loc else 'content'}"
    if kind == "extra_forbidden":
        return f"it has an entry this page does not know: {'.'.join(loc)}"
    if loc and loc[0] == "config":
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        return f"its setting {loc[-1]}: {message}" if len(loc) > 1 else message
    return MODEL_PROBLEMS.get(kind, str(error.get("msg", "")).removeprefix("Value error, "))


def not_a_model(reason: str) -> str:
    """A refused model import, in words a person can act on."""
    return (
        f"This is not a model this page can load ({reason}). "
        "Choose a file saved with “Export model”."
    )


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route takes at this path (Starlette's 405 names only one route's)."""
    routes = request.app.router.routes
    return [
        method
        for method in METHODS
        if any(r.matches({**request.scope, "method": method})[0] == Match.FULL for r in routes)
    ]


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    detail = str(exc.detail)
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"There is no {request.url.path} here. The API is described at /docs."
    if exc.status_code == 405:
        allowed = _allowed_methods(request)
        headers["Allow"] = ", ".join(allowed)
        choices = ", ".join(allowed[:-1]) + " or " + allowed[-1] if len(allowed) > 1 else allowed[0]
        detail = f"{request.method} is not allowed here; use {choices}."
    return JSONResponse(error_body(detail), status_code=exc.status_code, headers=headers)


EXPIRED = (
    "No session with this id: it never existed, was deleted, or expired after being idle. "
    "Start a new session (POST /api/sessions); the page does this by itself."
)
UNAVAILABLE = (
    "The session store does not answer (is Redis running?). Nothing was changed; "
    "try again in a moment."
)


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(error_body(EXPIRED), status_code=404)


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(error_body(UNAVAILABLE), status_code=503, headers={"Retry-After": "1"})


CLASS_ENDED = (
    "This class has ended, or your teacher removed you from it. "
    "Ask your teacher for the code to join again."
)
PAUSED = "Your teacher has paused the class. Wait until they resume it."


async def _class_ended(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(error_body(CLASS_ENDED), status_code=404)


async def _locked(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(error_body(locked_message(str(exc.args[0]))), status_code=403)


async def _paused(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(error_body(PAUSED), status_code=409)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ClassEnded, _class_ended)
    app.add_exception_handler(Locked, _locked)
    app.add_exception_handler(Paused, _paused)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(SessionNotFound, _not_found)
    app.add_exception_handler(StoreUnavailable, _unavailable)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route can answer, all with ErrorOut."""
    return {status: {"model": ErrorOut, "description": DESCRIPTIONS[status]} for status in statuses}


DESCRIPTIONS = {
    400: "The body could not be read (e.g. nested too deeply).",
    401: "A teacher route without the teacher token (Authorization: Bearer <token>).",
    403: "A wrong teacher token, or a student changing a field the teacher locked.",
    404: "No session with this id (never existed, deleted, or expired), or no such class.",
    409: "The class is paused (a student's step), or full (joining).",
    413: "The request body is larger than the server's limit.",
    422: "A value is missing, of the wrong type, or out of bounds; `errors` lists each.",
    429: "Too many unknown class codes from this address in a minute; see Retry-After.",
    503: "The session store (Redis) does not answer; nothing was changed, try again.",
}
