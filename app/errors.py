"""One error shape for every 4xx: ``{"detail": "<sentence>", "errors": [{field, message}]}``.

Validation errors list each bad field; other errors have an empty ``errors`` list. A 405
says which methods the path takes, in its sentence and in the ``Allow`` header. Every
sentence is a catalog message (app/engine/messages.py), said in the language of the
request's Accept-Language: English without one, exactly as before."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from .classroom import ClassEnded, Locked, Paused, locked_message
from .engine.messages import Lang, Message, MessageError, accepted_language, placeholders, text
from .schemas import ErrorOut
from .store import SessionNotFound, StoreUnavailable

NOT_AN_OBJECT = {"missing", "model_attributes_type", "dict_type", "model_type"}


def request_lang(request: Request) -> Lang:
    """The language the request asks for (Accept-Language; English without one)."""
    return accepted_language(request.headers.get("accept-language"))


def error_body(detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or []}


class ApiError(HTTPException):
    """An HTTP error whose detail is a catalog message: ``str(exc.detail)`` is English,
    the answer is in the request's language."""

    def __init__(
        self, status_code: int, key: str, /, *, headers: dict[str, str] | None = None, **params: Any
    ) -> None:
        self.message = Message(key, params)
        super().__init__(status_code, self.message.text(), headers)

    @classmethod
    def of(cls, exc: MessageError, status_code: int = 422) -> ApiError:
        """The error a refused value (a ConfigError, a DataError) answers with."""
        return cls(status_code, exc.message.key, **exc.message.params)


# -- request validation (Pydantic's errors, by type) ---------------------------------------

PROBLEM_KEYS = {
    "missing": "validation.missing",
    "extra_forbidden": "validation.extra_forbidden",
    "int_type": "validation.int_type",
    "int_parsing": "validation.int_type",
    "int_from_float": "validation.int_from_float",
    "float_type": "validation.float_type",
    "float_parsing": "validation.float_type",
    "finite_number": "validation.finite_number",
    "bool_type": "validation.bool_type",
    "bool_parsing": "validation.bool_type",
    "string_type": "validation.string_type",
    "list_type": "validation.list_type",
    "dict_type": "validation.dict_type",
    "model_type": "validation.dict_type",
    "model_attributes_type": "validation.dict_type",
    "greater_than_equal": "validation.greater_than_equal",
    "greater_than": "validation.greater_than",
    "less_than_equal": "validation.less_than_equal",
    "less_than": "validation.less_than",
    "too_short": "validation.too_short",
    "too_long": "validation.too_long",
    "string_too_short": "validation.string_too_short",
    "string_too_long": "validation.string_too_long",
    "string_pattern_mismatch": "validation.string_pattern_mismatch",
    "literal_error": "validation.literal_error",
    "enum": "validation.literal_error",
}
"""Pydantic's error type → our key; any other type says "validation.invalid"."""


def _shown(value: Any) -> Any:
    """A bound as Pydantic writes it: 0 rather than 0.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def problem(error: dict[str, Any]) -> Message:
    """What is wrong with one value, without where: our own message for a refusal of our
    validators, else the key of Pydantic's error type with its bounds. In English it is
    Pydantic's sentence exactly, as the API has always sent it."""
    english = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    ctx = error.get("ctx") or {}
    refusal = ctx.get("error")
    if isinstance(refusal, MessageError):
        return replace(refusal.message, english=english)
    key = PROBLEM_KEYS.get(str(error.get("type", "")), "validation.invalid")
    params = {name: _shown(value) for name, value in ctx.items() if name != "error"}
    first, _, last = str(params.get("expected", "")).rpartition(" or ")  # "'a', 'b' or 'c'"
    if first:
        params["expected"] = Message("words.or", {"first": first, "last": last})
    wanted = placeholders(key)
    params = {name: params.get(name, "") for name in wanted if name != "msg"}
    if "msg" in wanted:
        params["msg"] = english
    return Message(key, params, english=english)


def _describe(error: dict[str, Any]) -> Message:
    loc = tuple(error.get("loc", ()))
    where = ".".join(str(p) for p in loc if p != "body") or "body"
    if error.get("type") == "json_invalid":
        return Message("request.not_json")
    if loc == ("body",) and error.get("type") in NOT_AN_OBJECT:
        return Message("request.not_object")
    return Message("validation.field", {"where": where, "problem": problem(error)})


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    lang = request_lang(request)
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", ())), "message": _describe(e).text(lang)}
        for e in exc.errors()
    ]
    separator = text("words.separator", lang)
    detail = separator.join(dict.fromkeys(e["message"] for e in errors))
    detail = detail or text("request.invalid", lang)
    model_errors = [e for e in exc.errors() if tuple(e.get("loc", ()))[:2] == ("body", "model")]
    if model_errors:
        reasons = dict.fromkeys(_plain_model_error(e).text(lang) for e in model_errors)
        detail = not_a_model(separator.join(reasons)).text(lang)
    return JSONResponse(status_code=422, content=error_body(detail, errors))


MODEL_PROBLEMS = {
    "float_type": "model.problem.not_number",
    "float_parsing": "model.problem.not_number",
    "finite_number": "model.problem.not_finite",
    "int_type": "model.problem.epoch_not_whole",
    "list_type": "model.problem.not_lists",
    "too_long": "model.problem.too_large",
    "too_short": "model.problem.empty_history",
    "greater_than_equal": "model.problem.beyond_limit",
    "less_than_equal": "model.problem.beyond_limit",
    "model_type": "model.problem.not_object",
    "dict_type": "model.problem.not_object",
}


def _plain_model_error(error: dict[str, Any]) -> Message:
    """One validation error of an imported model, in plain words."""
    loc = [str(p) for p in error.get("loc", ())[2:]]
    kind = str(error.get("type", ""))
    if kind == "missing":
        return (
            Message("model.problem.missing", {"name": loc[-1]})
            if loc
            else Message("model.problem.no_content")
        )
    if kind == "extra_forbidden":
        return Message("model.problem.unknown_entry", {"path": ".".join(loc)})
    if loc and loc[0] == "config":
        if len(loc) > 1:
            return Message("model.problem.setting", {"name": loc[-1], "problem": problem(error)})
        return problem(error)
    if kind in MODEL_PROBLEMS:
        return Message(MODEL_PROBLEMS[kind])
    return problem(error)


def not_a_model(reason: str | Message) -> Message:
    """A refused model import, in words a person can act on."""
    return Message("model.refused", {"reason": reason})


# -- other errors --------------------------------------------------------------------------

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
STARLETTE_DETAILS = {"There was an error parsing the body": "request.unreadable"}
"""Sentences Starlette and FastAPI raise themselves, and our key for each."""


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
    lang = request_lang(request)
    headers = dict(exc.headers or {})
    detail = str(exc.detail)
    if isinstance(exc, ApiError):
        detail = exc.message.text(lang)
    elif exc.status_code == 404 and detail == "Not Found":
        detail = text("request.no_such_path", lang, path=request.url.path)
    elif detail in STARLETTE_DETAILS:
        detail = text(STARLETTE_DETAILS[detail], lang)
    if exc.status_code == 405:
        allowed = _allowed_methods(request)
        headers["Allow"] = ", ".join(allowed)
        choices: str | Message = allowed[0]
        if len(allowed) > 1:
            choices = Message("words.or", {"first": ", ".join(allowed[:-1]), "last": allowed[-1]})
        detail = text("request.method_not_allowed", lang, method=request.method, choices=choices)
    return JSONResponse(error_body(detail), status_code=exc.status_code, headers=headers)


EXPIRED = text("session.expired")
UNAVAILABLE = text("store.unavailable")
CLASS_ENDED = text("class.ended")
PAUSED = text("class.paused")


def _answer(request: Request, status: int, key: str, **params: Any) -> JSONResponse:
    return JSONResponse(
        error_body(text(key, request_lang(request), **params)),
        status_code=status,
        headers={"Retry-After": "1"} if status == 503 else None,
    )


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    return _answer(request, 404, "session.expired")


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    return _answer(request, 503, "store.unavailable")


async def _class_ended(request: Request, exc: Exception) -> JSONResponse:
    return _answer(request, 404, "class.ended")


async def _locked(request: Request, exc: Exception) -> JSONResponse:
    lang = request_lang(request)
    return JSONResponse(error_body(locked_message(str(exc.args[0])).text(lang)), status_code=403)


async def _paused(request: Request, exc: Exception) -> JSONResponse:
    return _answer(request, 409, "class.paused")


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
