"""/docs and /redoc: plain HTML with external scripts only, every asset served by this app
from the vendored package, and /redoc's own policy (style hashes, nothing else loosened)."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
from fastapi.testclient import TestClient

from app.middleware import SECURITY_HEADERS
from app.routes.docs import REDOC_STYLE_HASHES

PAGES = ["/docs", "/redoc"]
GLOBAL_CSP = dict(SECURITY_HEADERS)[b"content-security-policy"].decode()
VENDOR = files("fastapi_offline") / "static"
TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


def directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def references(html: str) -> list[str]:
    return re.findall(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]+)""", html, flags=re.I)


@pytest.mark.parametrize("path", PAGES)
def test_docs_pages_are_html_with_external_scripts_only(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    tags = re.findall(r"<script\b[^>]*>", r.text, flags=re.I)
    assert tags, "no script at all"
    for tag in tags:
        assert re.search(r"\bsrc=", tag), f"inline script: {tag}"
    assert not re.search(r"<style\b|\sstyle\s*=|\son[a-z]+\s*=", r.text, flags=re.I)
    assert 'data-openapi-url="/openapi.json"' in r.text


@pytest.mark.parametrize("path", PAGES)
def test_every_asset_of_the_docs_pages_is_served_by_this_app(client: TestClient, path: str) -> None:
    refs = references(client.get(path).text)
    assert len(refs) >= 3
    for ref in refs:
        assert ref.startswith("/") and not ref.startswith("//"), f"another host: {ref}"
        r = client.get(ref)
        assert r.status_code == 200, ref
        kind = next(t for ext, t in TYPES.items() if ref.endswith(ext))
        assert r.headers["content-type"].startswith(kind), ref


def test_swagger_ui_and_redoc_come_from_the_vendored_package(client: TestClient) -> None:
    for name in ["swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"]:
        assert client.get(f"/docs-assets/{name}").content == (VENDOR / name).read_bytes()
    assert client.get("/docs-assets/nope.js").status_code == 404


def test_docs_keeps_the_global_policy(client: TestClient) -> None:
    assert client.get("/docs").headers.get_list("content-security-policy") == [GLOBAL_CSP]


def test_redoc_policy_adds_only_its_style_hashes(client: TestClient) -> None:
    r = client.get("/redoc")
    policies = r.headers.get_list("content-security-policy")
    assert len(policies) == 1, "a second policy would forbid Redoc's styles again"
    redoc, everywhere = directives(policies[0]), directives(GLOBAL_CSP)
    assert redoc["style-src"] == ["'self'", *REDOC_STYLE_HASHES]
    assert {k: v for k, v in redoc.items() if k != "style-src"} == {
        k: v for k, v in everywhere.items() if k != "style-src"
    }
    for name, value in SECURITY_HEADERS:
        if name != b"content-security-policy":
            assert r.headers[name.decode()] == value.decode()
