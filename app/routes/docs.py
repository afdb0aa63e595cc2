"""API documentation pages (/docs, /redoc) that work offline under our CSP.

Swagger UI's and Redoc's scripts and styles come from the ``fastapi-offline`` package,
served by this server under ``/docs-assets/``; nothing is loaded from another host. Each
page is plain HTML with external scripts only: our init scripts (static/docs/) read their
settings from ``data-`` attributes.

Redoc writes two ``<style>`` elements, which ``style-src 'self'`` forbids: styled-components'
sheet, an empty element that it fills through the CSSOM (not subject to CSP), and
perfect-scrollbar's fixed CSS, written while the bundle loads. So /redoc answers with its
own Content-Security-Policy: the global one with the hashes of exactly those two contents
added to ``style-src``; nothing else changes, scripts stay ``'self'`` only. Redoc's search
is off (it runs in a blob: worker) and its side-menu logo, fetched from Redocly's CDN, is
swapped for an empty picture by static/docs/redoc-init.js.
"""

from __future__ import annotations

import html

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from ..middleware import SECURITY_HEADERS

ASSETS = "/docs-assets"  # the vendored package's files: swagger-ui-bundle.js, .css, redoc…
VENDOR_PACKAGE = ("fastapi_offline", "static")
OWN_ASSETS = "/static/docs"  # our init scripts and style, in static/docs/

# The <style> contents that Redoc's bundle writes, as CSP hashes. They belong to the pinned
# fastapi-offline (Redoc 2.5.3); after a bump the browser test names any new hash.
REDOC_STYLE_HASHES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # empty: styled-components' sheet
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",  # perfect-scrollbar's CSS
)


def _with_style_hashes(policy: str) -> str:
    """``policy`` with REDOC_STYLE_HASHES added to its style-src, and nothing else changed."""
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    return "; ".join(
        " ".join([d, *REDOC_STYLE_HASHES]) if d.split()[0] == "style-src" else d for d in directives
    )


REDOC_CSP = _with_style_hashes(dict(SECURITY_HEADERS)[b"content-security-policy"].decode())

router = APIRouter(tags=["docs"], include_in_schema=False)


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
async def swagger_ui(request: Request) -> HTMLResponse:
    head = (
        f'  <link rel="stylesheet" href="{ASSETS}/swagger-ui.css">\n'
        f'  <script src="{ASSETS}/swagger-ui-bundle.js" defer></script>\n'
        f'  <script src="{OWN_ASSETS}/swagger-init.js" defer></script>\n'
    )
    body = f'<div id="swagger-ui" data-openapi-url="{_openapi_url(request)}"></div>\n'
    return HTMLResponse(_page(f"{request.app.title} – Swagger UI", head, body))


@router.get("/redoc", response_class=HTMLResponse)
async def redoc(request: Request) -> HTMLResponse:
    head = (
        f'  <link rel="stylesheet" href="{OWN_ASSETS}/redoc.css">\n'
        f'  <script src="{ASSETS}/redoc.standalone.js" defer></script>\n'
        f'  <script src="{OWN_ASSETS}/redoc-init.js" defer></script>\n'
    )
    body = f'<div id="redoc" data-openapi-url="{_openapi_url(request)}"></div>\n'
    return HTMLResponse(
        _page(f"{request.app.title} – ReDoc", head, body),
        headers={"Content-Security-Policy": REDOC_CSP},
    )


def install(app: FastAPI) -> None:
    """Add the documentation routes and their assets to ``app``."""
    app.include_router(router)
    app.mount(ASSETS, StaticFiles(packages=[VENDOR_PACKAGE]), name="docs-assets")
