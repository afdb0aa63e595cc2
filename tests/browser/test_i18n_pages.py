"""The other pages' languages in a real browser: the teacher's page (/teach), the join page
(/join, /r/<code>) and /compare (static/js/i18n.js; catalogs teach, page's room.*, compare).

(a) The pseudo-language `qps` wraps every catalog text in ⟦…⟧: on each page, in the states
    a person sees (a class with students, tiles, leaderboard, spotlight and experiment; a
    comparison running), every visible text and every aria-label/title/placeholder/alt with
    letters must be wrapped, apart from data (class titles, student names, codes, links).
(b) Chinese at 1280×800 (and 390×844): <html lang> zh-Hans, key labels from the zh
    catalogs, no text overflowing its box; screenshots in the artifacts folder.
(c) The switch writes `lang` to the address and the page comes back in that language.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.browser.test_compare_page import wait_ready
from tests.browser.test_i18n_page import UNWRAPPED, overflowing
from tests.helpers import catalog

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["Ada", "<b>Bob</b>", "Zoë"]

Recorder = Any  # conftest.Recorder

# Data, not the page's words: what the teacher and the students typed, the code and the
# join link, the names of the languages in the switch, the runs' letters (A, B, …).
DATA_SELECTORS = [
    "#lang-select",
    ".class-title",
    ".class-code",
    ".join-code",
    ".join-link",
    ".tile-name",
    ".lb-name",
    "#room-title",
    "#room-code",
    "#chart-legend strong",
]


def assert_all_from_catalog(page: Page, state: str, extra: list[str] | None = None) -> None:
    found = page.evaluate(UNWRAPPED, DATA_SELECTORS + (extra or []))
    assert not found, f"{state}: text not from a catalog:\n" + "\n".join(found)


def start_class(
    page: Page, base: str, lang: str, api: httpx.Client, names: list[str]
) -> tuple[str, list[str]]:
    """The teacher starts a class on /teach#lang=…; `names` join by the API. The code and
    the students' sessions."""
    page.goto(f"{base}/teach#lang={lang}")
    expect(page.locator("#start")).to_be_visible()
    page.fill("#start-title", "Year 10 — networks")
    page.click("#start-class")
    expect(page.locator("#join-code")).to_have_text(re.compile(r"^[A-Z0-9]{3}-[A-Z0-9]{3}$"))
    code = (page.text_content("#join-code") or "").replace("-", "")
    sessions = []
    for name in names:
        r = api.post(f"/api/rooms/{code}/students", json={"name": name})
        assert r.status_code == 201, r.text
        sessions.append(r.json()["session"]["id"])
    expect(page.locator("#tiles .tile")).to_have_count(len(names))
    return code, sessions


def push_and_train(page: Page, api: httpx.Client, sessions: list[str], epochs: int) -> None:
    """An activity with an easy goal ranked by neurons; every student trains `epochs`."""
    page.select_option("#goal-metric", "test_loss")
    page.fill("#goal-threshold", "0.9")
    page.select_option("#goal-rank", "neurons")
    page.click("#push-activity")
    expect(page.locator("#activity-error")).to_be_empty()
    expect(page.locator("#activity-now")).not_to_be_empty()
    for sid in sessions:
        r = api.post(f"/api/sessions/{sid}/step", json={"epochs": epochs})
        assert r.status_code == 200, r.text
    page.wait_for_function(
        "() => [...document.querySelectorAll('#tiles .tile')].every(t => +t.dataset.epoch > 0)",
        timeout=30_000,
    )


def test_the_teacher_page_has_no_text_outside_the_catalogs(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder
) -> None:
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{live_server}/teach#lang=qps")
    expect(page.locator("#start-heading")).to_have_text("⟦Start a class⟧")
    assert_all_from_catalog(page, "start")
    _, sessions = start_class(page, live_server, "qps", api, NAMES)
    assert_all_from_catalog(page, "class started, join panel")
    page.click("#join-toggle")
    push_and_train(page, api, sessions, 30)
    page.click("#experiment-panel summary")
    page.fill("#experiment-values", "0.01, 0.1, abc")
    page.click("#run-experiment")
    expect(page.locator("#experiment-error")).not_to_be_empty()
    assert_all_from_catalog(page, "dashboard, experiment error")
    page.fill("#experiment-values", "0.01, 0.1, 1")
    page.click("#run-experiment")
    expect(page.locator("#experiment-caption")).to_contain_text("0.01")
    page.check("#hide-names")
    assert_all_from_catalog(page, "dashboard, names hidden, experiment")
    page.uncheck("#hide-names")
    page.locator("#tiles .tile").first.click()
    expect(page.locator("#spotlight")).to_be_visible()
    expect(page.locator("#spot-stats")).not_to_be_empty()
    assert_all_from_catalog(page, "spotlight", [".spot-title"])
    page.click("#spot-close")
    page.click("#pause-all")
    expect(page.locator("#resume-all")).to_be_visible()
    assert_all_from_catalog(page, "paused")
    page.click("#end-class")
    expect(page.locator("#start")).to_be_visible()
    assert_all_from_catalog(page, "ended")
    assert not [e for e in recorder.errors if "i18n" in e], recorder.errors


def test_the_join_pages_have_no_text_outside_the_catalogs(
    page: Page, live_server: str, api: httpx.Client
) -> None:
    page.goto(f"{live_server}/join#lang=qps")
    expect(page.locator("#code-label")).to_have_text("⟦Class code⟧")
    assert_all_from_catalog(page, "/join")
    page.fill("#code-input", "zzz")
    page.click("#code-button")
    expect(page.locator("#join-error")).not_to_be_empty()
    assert_all_from_catalog(page, "/join, a bad code")
    room = api.post("/api/rooms", json={"title": "Year 10"}).json()
    page.goto(f"{live_server}/r/{room['code']}?lang=qps")
    expect(page.locator("#name-form")).to_be_visible()
    assert_all_from_catalog(page, "/r/<code>")
    page.click("#join-button")
    expect(page.locator("#join-error")).not_to_be_empty()
    assert_all_from_catalog(page, "/r/<code>, no name")


def test_the_compare_page_has_no_text_outside_the_catalogs(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/compare#dataset=spiral&networkShape=6,6&seed=11&lang=qps")
    wait_ready(page)
    expect(page.locator("#compare-title")).to_have_text("⟦Compare runs⟧")
    assert page.evaluate("location.hash").endswith("&lang=qps")  # kept when the page writes it
    assert_all_from_catalog(page, "compare, loaded")
    page.click("#step-button")
    page.click("#step-button")
    wait_ready(page)
    page.hover("#multichart")
    assert_all_from_catalog(page, "compare, stepped, chart read")
    page.locator("#timeline-slider").focus()
    page.keyboard.press("Home")
    expect(page.locator("#resume-button")).to_be_enabled()
    page.locator(".shared-settings summary").click()
    assert_all_from_catalog(page, "compare, replay, shared settings")


def check_chinese(page: Page, artifacts: Path, name: str) -> None:
    """zh-Hans, nothing overflowing; screenshots at 1280×800 and 390×844."""
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    shown = "document.getElementById('lang-select').selectedOptions[0].textContent"
    assert page.evaluate(shown) == "中文"
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_timeout(300)
    page.screenshot(path=artifacts / f"i18n-zh-{name}-1280x800.png")
    assert overflowing(page) == [], name
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    page.screenshot(path=artifacts / f"i18n-zh-{name}-390x844.png", full_page=True)
    assert overflowing(page) == [], f"{name} at 390×844"
    page.set_viewport_size({"width": 1280, "height": 800})


def test_the_teacher_dashboard_in_chinese(
    page: Page, live_server: str, api: httpx.Client, artifacts: Path, recorder: Recorder
) -> None:
    zh = catalog("zh", "teach")
    page_zh = catalog("zh", "page")
    _, sessions = start_class(page, live_server, "zh", api, NAMES)
    assert page.title() == zh["teach.pageTitle"]
    expect(page.locator("#pause-all")).to_have_text(zh["teach.pauseAll"])
    expect(page.locator("#end-class")).to_have_text(zh["teach.endClass"])
    expect(page.locator("#class-count")).to_have_text(
        zh["teach.students.other"].replace("{n}", "3")
    )
    expect(page.locator("#leaderboard-heading")).to_have_text(zh["teach.leaderboard"])
    expect(page.locator("#push-activity")).to_have_text(zh["teach.pushButton"])
    expect(page.locator("[data-field=learning_rate] .af-label")).to_have_text(
        page_zh["field.learning_rate.label"]
    )
    check_chinese(page, artifacts, "teach-join")
    page.click("#join-toggle")
    push_and_train(page, api, sessions, 30)
    page.click("#experiment-panel summary")
    page.fill("#experiment-values", "0.01, 0.1, 1")
    page.click("#run-experiment")
    expect(page.locator("#experiment-caption")).to_contain_text(
        page_zh["field.learning_rate.label"]
    )
    expect(page.locator(".tile-k").first).to_have_text(zh["teach.epoch"])
    check_chinese(page, artifacts, "teach-dashboard")
    page.locator("#tiles .tile").first.click()
    expect(page.locator("#spot-stats")).not_to_be_empty()
    expect(page.locator("#spot-close")).to_have_text(zh["teach.close"])
    page.screenshot(path=artifacts / "i18n-zh-teach-spotlight-1280x800.png")
    assert overflowing(page) == []
    page.click("#spot-close")
    assert recorder.errors == []


def test_the_join_page_in_chinese(
    page: Page, live_server: str, api: httpx.Client, artifacts: Path, recorder: Recorder
) -> None:
    zh = catalog("zh", "page")
    page.goto(f"{live_server}/join?lang=zh")
    expect(page.locator("#code-label")).to_have_text(zh["room.codeLabel"])
    expect(page.locator("#code-button")).to_have_text(zh["room.codeButton"])
    assert page.title() == zh["room.pageTitle"]
    check_chinese(page, artifacts, "join")
    room = api.post("/api/rooms", json={"title": "高一（3）班"}).json()
    page.goto(f"{live_server}/r/{room['code']}#lang=zh")
    expect(page.locator("#name-label")).to_have_text(zh["room.nameLabel"])
    expect(page.locator("#room-title")).to_have_text("高一（3）班")
    check_chinese(page, artifacts, "join-name")
    assert recorder.errors == []


def test_the_compare_page_in_chinese(
    page: Page, live_server: str, artifacts: Path, recorder: Recorder
) -> None:
    zh = catalog("zh", "compare")
    page.goto(f"{live_server}/compare#dataset=spiral&networkShape=6,6&seed=11&lang=zh")
    wait_ready(page)
    expect(page.locator("#compare-title")).to_have_text(zh["compare.title"])
    expect(page.locator("#play-pause")).to_have_text(zh["compare.play"])
    expect(page.locator("#chart-heading")).to_have_text(zh["compare.chart"])
    expect(page.locator(".run[data-run='0'] .run-letter")).to_have_text(
        zh["compare.runHeading"].replace("{letter}", "A")
    )
    assert page.title() == zh["compare.pageTitle"]
    page.click("#step-button")
    wait_ready(page)
    check_chinese(page, artifacts, "compare")
    assert recorder.errors == []


def test_the_switch_writes_lang_and_the_page_comes_back_in_it(page: Page, live_server: str) -> None:
    en, zh = catalog("en", "teach"), catalog("zh", "teach")
    page.goto(f"{live_server}/teach")
    expect(page.locator("#start-heading")).to_have_text(en["teach.startHeading"])
    page.select_option("#lang-select", "zh")
    page.wait_for_function("() => document.documentElement.lang === 'zh-Hans'")
    assert "lang=zh" in page.evaluate("location.hash")
    expect(page.locator("#start-heading")).to_have_text(zh["teach.startHeading"])
    # The choice is kept: the other pages open in Chinese too, until switched back.
    page.goto(f"{live_server}/compare")
    expect(page.locator("#compare-title")).to_have_text(catalog("zh", "compare")["compare.title"])
    page.select_option("#lang-select", "en")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    expect(page.locator("#compare-title")).to_have_text("Compare runs")
    assert "lang=en" in page.evaluate("location.hash")
