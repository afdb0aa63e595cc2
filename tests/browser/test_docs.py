"""/docs (Swagger UI) and /redoc in a real browser: the operations from /openapi.json are
drawn, nothing is loaded from another host, and the Content-Security-Policy is never broken."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

Recorder = Any  # conftest.Recorder: errors, requests

STEP = ("/api/sessions/{session_id}/step", "post")
HEALTH = ("/healthz", "get")

# Installed before the page's own scripts: every violation, also those not logged.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
});
"""


def operations(api: httpx.Client) -> dict[tuple[str, str], dict[str, Any]]:
    """(path, method) → operation, as the server describes itself."""
    paths = api.get("/openapi.json").json()["paths"]
    return {(p, m): op for p, ops in paths.items() for m, op in ops.items()}


def open_watched(page: Page, url: str) -> None:
    page.add_init_script(WATCH_CSP)
    page.goto(url)


def check_clean(page: Page, base: str, recorder: Recorder) -> None:
    """The schema came from this server, nothing from elsewhere, no error, no violation."""
    page.wait_for_load_state("networkidle")
    assert f"{base}/openapi.json" in recorder.requests
    foreign = [
        url
        for url in recorder.requests
        if not url.startswith(f"{base}/") and not url.startswith(("data:", "blob:"))
    ]
    assert foreign == []
    assert page.evaluate("window.__cspViolations") == []
    assert recorder.errors == []


def test_swagger_ui_draws_the_operations_offline_under_the_csp(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder, artifacts: Path
) -> None:
    ops = operations(api)
    open_watched(page, f"{live_server}/docs")
    step = page.locator(f'.opblock-summary-path[data-path="{STEP[0]}"]')
    expect(step).to_be_visible()
    expect(page.locator(".opblock")).to_have_count(len(ops))
    step.click()  # open it: parameters, request body, response examples
    step_id = f"operations-{ops[STEP]['tags'][0]}-{ops[STEP]['operationId']}"
    expect(page.locator(f"#{step_id} .opblock-body")).to_be_visible()
    # Swagger UI's own requests stay on this server too: try one operation.
    health = page.locator(f"#operations-{ops[HEALTH]['tags'][0]}-{ops[HEALTH]['operationId']}")
    health.locator(".opblock-summary").click()
    health.get_by_role("button", name="Try it out").click()
    health.get_by_role("button", name="Execute").click()
    expect(health.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")
    step.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "docs-swagger-ui.png")
    check_clean(page, live_server, recorder)


def test_redoc_draws_the_operations_offline_under_the_csp(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder, artifacts: Path
) -> None:
    ops = operations(api)
    open_watched(page, f"{live_server}/redoc")
    step = page.locator(f'[id="operation/{ops[STEP]["operationId"]}"]')
    expect(step).to_be_visible()
    expect(step).to_contain_text(STEP[0])
    expect(page.locator('[id^="operation/"]')).to_have_count(len(ops))
    step.evaluate("element => element.scrollIntoView()")
    # Both <style> elements the policy allows by hash took effect: styled-components' sheet
    # (the sticky side menu) and perfect-scrollbar's CSS (its container hides overflow).
    styles = page.evaluate(
        """() => [getComputedStyle(document.querySelector('.menu-content')).position,
                  getComputedStyle(document.querySelector('.ps')).overflow]"""
    )
    assert styles == ["sticky", "hidden"]
    page.screenshot(path=artifacts / "docs-redoc.png")
    check_clean(page, live_server, recorder)
