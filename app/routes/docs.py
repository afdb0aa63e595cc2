"""API documentation pages (/docs, /redoc) that work offline under our CSP.

Swagger UI's and Redoc's scripts and styles come from the ``fastapi-offline`` package,
served by this server under ``/docs-assets/``; nothing is loaded from another host. Each
page is plain HTML with external scripts only: our init scripts (static/docs/) read their
settings from ``data-`` attributes.

Redoc draws with styled-components, which writes ``<style>`` elements; ``style-src 'self'``
forbids them. So /redoc answers with its own Content-Security-Policy: the global one plus a
fresh nonce in ``style-src``, which the page hands to Redoc (its ``nonce`` option) through
the ``nonce`` property of the init script's element. Scripts stay ``'self'`` only.
"""

from __future__ import annotations

import base64
import html
import secrets

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from ..middleware import SECURITY_HEADERS

ASSETS = "/docs-assets"  # the vendored package's files: swagger-ui-bundle.js, .css, redoc…
VENDOR_PACKAGE = ("fastapi_offline", "static")
INIT_SCRIPTS = "/static/docs"  # ours, in static/docs/

router = APIRouter(tags=["docs"], include_in_schema=False)


def _global_csp() -> str:
    return next(v.decode() for k, v in SECURITY_HEADERS if k == b"content-security-policy")


def redoc_csp(nonce: str) -> str:
    """The global policy with ``'nonce-…'`` added to style-src, and nothing else changed."""
    directives = [d.strip() for d in _global_csp().split(";") if d.strip()]
    return "; ".join(
        f"{d} 'nonce-{nonce}'" if d.split()[0] == "style-src" else d for d in directives
    )


def _page(title: str, head: str, body: str) -> str:
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n'
        '  <meta charset="utf-8">\n'
        '  <meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"  <title>{html.escape(title)}</title>\n"
        f'  <link rel="icon" type="image/png" href="{ASSETS}/favicon.png">\n'
        f"{head}</head>\n<body>\n{body}</body>\n</html>\n"
    )


def _openapi_url(request: Request) -> str:
    root = str(request.scope.get("root_path", ""))
    return html.escape(f"{root}{request.app.openapi_url}")


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    head = (
        f'  <link rel="stylesheet" href="{ASSETS}/swagger-ui.css">\n'
        f'  <script src="{ASSETS}/swagger-ui-bundle.js" defer></script>\n'
        f'  <script src="{INIT_SCRIPTS}/swagger-init.js" defer></script>\n'
    )
    body = f'<div id="swagger-ui" data-openapi-url="{_openapi_url(request)}"></div>\n'
    return HTMLResponse(_page(f"{request.app.title} – Swagger UI", head, body))


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    nonce = base64.b64encode(secrets.token_bytes(16)).decode()
    head = (
        f'  <script src="{ASSETS}/redoc.standalone.js" defer></script>\n'
        f'  <script src="{INIT_SCRIPTS}/redoc-init.js" nonce="{nonce}" defer></script>\n'
    )
    body = f'<div id="redoc" data-openapi-url="{_openapi_url(request)}"></div>\n'
    return HTMLResponse(
        _page(f"{request.app.title} – ReDoc", head, body),
        headers={"Content-Security-Policy": redoc_csp(nonce), "Cache-Control": "no-store"},
    )


def install(app: FastAPI) -> None:
    """Add the documentation routes and their assets to ``app``."""
    app.include_router(router)
    app.mount(ASSETS, StaticFiles(packages=[VENDOR_PACKAGE]), name="docs-assets")
