"""The application factory: settings, the session store, middleware, routers, errors."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.gzip import GZipMiddleware

from . import __version__
from .middleware import BodyLimit, SecurityHeaders
from .routes import docs, meta, sessions
from .settings import Settings
from .store import MemoryStore

NOT_AN_OBJECT = {"missing", "model_attributes_type", "dict_type", "model_type"}


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
    return JSONResponse(status_code=422, content={"detail": detail, "errors": errors})


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.store = MemoryStore(settings.max_sessions, settings.idle_timeout)
        app.state.compute = threading.BoundedSemaphore(settings.compute_slots)
        app.state.templates = Jinja2Templates(directory=str(settings.templates_dir))
        yield

    app = FastAPI(
        title="Neural Playground",
        version=__version__,
        description="Train small neural networks step by step; see docs/API.md.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.include_router(meta.router)
    app.include_router(sessions.router)
    docs.install(app)
    app.mount("/static", StaticFiles(directory=str(settings.static_dir)), name="static")
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=1)  # CPU over bytes
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app
