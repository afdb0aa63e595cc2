"""Browser tests: Debian's Chromium driven by Playwright against a real server on 127.0.0.1.

Without Chromium the tests are skipped with a message, unless CI is set: then they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Page, Request

from bench.chromium import CHROMIUM, FLAGS
from tests import helpers

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session", autouse=True)
def _chromium_present() -> None:
    if CHROMIUM.exists():
        return
    message = (
        f"Chromium not found at {CHROMIUM}: install it with "
        "`apt-get install -y chromium fonts-liberation` to run the browser tests"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": FLAGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_context_args,
        "viewport": {"width": 1280, "height": 800},
        "accept_downloads": True,
    }


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m app` on a free port; yields its base URL once /healthz answers."""
    with helpers.live_server(tmp_path_factory.mktemp("server") / "server.log") as server:
        yield server.url


@pytest.fixture(scope="session")
def api(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=30) as client:
        yield client


@dataclass
class Recorder:
    """Everything a page logged or requested."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def on_request(self, request: Request) -> None:
        self.requests.append(request.url)
        if request.method == "POST" and request.url.endswith("/step"):
            self.steps.append(request.post_data_json or {})


@pytest.fixture
def recorder(page: Page) -> Recorder:
    rec = Recorder()
    page.on("console", rec.on_console)
    page.on("pageerror", lambda error: rec.errors.append(f"page error: {error}"))
    page.on("request", rec.on_request)
    return rec


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
