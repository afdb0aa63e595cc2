"""A class in one Chromium (issue 12): a teacher page and three student pages against a real
server. The teacher starts a class on /teach, the students join by its link, the teacher
pushes the spiral with a goal and locked features, the students play, the dashboard shows
three live tiles and the leaderboard, the teacher spotlights one, pauses everyone and ends
the class. Screenshots of the dashboard at 1280×800 and 1920×1080 go to test-artifacts/."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.helpers import epoch, wait_idle

NAMES = ["Ada", "<b>Bob</b>", "Zoë"]

# Everything a person reads or presses on the teacher's page, leaves only (a tile's parts
# inside it, not the tile): no two may overlap.
OVERLAPS = """() => {
  const selector = 'button:not(.tile), select, input, textarea, h1, h2, h3, summary,'
    + ' .af-label, .class-title, .class-code, .class-count, .class-state, .activity-now,'
    + ' .tile-name, .tile-rank, .tile-map, .tile-k, .tile-v, .tile-goal, .tile-status,'
    + ' .lb-rank, .lb-name, .lb-detail,'
    + ' .join-code, .join-link, .join-qr, .experiment-caption';
  const boxes = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest('[hidden], dialog:not([open])')) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    boxes.push({el, r});
  }
  const name = (el) => el.id || el.className || el.textContent.trim().slice(0, 30);
  const bad = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w > 1 && h > 1) bad.push(`${name(a.el)} / ${name(b.el)}`);
    }
  }
  return bad;
}"""

# Text that does not fit its box (cut off without an ellipsis) in the class bar and tiles.
CLIPPED = """() => [...document.querySelectorAll('.class-bar > *, .tile-stat, .board-head > *')]
  .filter(el => !el.closest('[hidden]') && el.scrollWidth > el.clientWidth + 1)
  .map(el => el.id || el.className)"""


@pytest.fixture
def contexts(
    browser: Browser, browser_context_args: dict[str, Any]
) -> Iterator[list[BrowserContext]]:
    """One browser context per person (each has its own localStorage); closed at the end."""
    made: list[BrowserContext] = []
    yield made
    for context in made:
        context.close()


def new_page(
    browser: Browser, args: dict[str, Any], made: list[BrowserContext], errors: list[str]
) -> Page:
    context = browser.new_context(**args)
    made.append(context)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("dialog", lambda d: d.accept())
    return page


def join_by_link(page: Page, base: str, code: str, name: str) -> None:
    """A student opens /r/{code}, types a name and lands in the playground in the class."""
    page.goto(f"{base}/r/{code}")
    page.fill("#name-input", name)
    page.click("#join-button")
    page.wait_for_url(re.compile(rf"/\?room={code}$"))
    wait_idle(page)


def play_the_activity(page: Page, version: int) -> None:
    """Once the page has the activity (it reads its state every 2 s while idle, and stops
    playing to reset to a new one), press play."""
    page.wait_for_selector(f"main[data-room-version='{version}']")
    expect(page.locator("#room-bar [data-room=locked]")).not_to_be_empty()
    page.click("#play-pause-button")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-label", "Pause")


def tile_epochs(page: Page) -> dict[str, int]:
    return dict(
        page.eval_on_selector_all(
            "#tiles .tile", "els => els.map(e => [e.dataset.student, +e.dataset.epoch])"
        )
    )


def check_layout(page: Page, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(300)
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), (
        f"sideways scroll at {width}×{height}"
    )
    assert page.evaluate(OVERLAPS) == [], f"overlaps at {width}×{height}"
    assert page.evaluate(CLIPPED) == [], f"clipped text at {width}×{height}"


def test_a_class_from_start_to_end(
    browser: Browser,
    browser_context_args: dict[str, Any],
    contexts: list[BrowserContext],
    live_server: str,
    api: httpx.Client,
    artifacts: Path,
) -> None:
    teacher_errors: list[str] = []
    teacher = new_page(browser, browser_context_args, contexts, teacher_errors)

    # -- start a class: the code, the link and a QR code big enough for the back of a room --
    teacher.goto(f"{live_server}/teach")
    expect(teacher.locator("#start")).to_be_visible()
    teacher.fill("#start-title", "Year 10 — networks")
    teacher.click("#start-class")
    expect(teacher.locator("#join-code")).to_have_text(re.compile(r"^[A-Z0-9]{3}-[A-Z0-9]{3}$"))
    code = (teacher.text_content("#join-code") or "").replace("-", "")
    expect(teacher.locator("#join-link")).to_have_text(f"{live_server}/r/{code}")
    expect(teacher.locator("#class-title")).to_have_text("Year 10 — networks")
    teacher.wait_for_function(
        "() => { const q = document.querySelector('#join-qr');"
        " return q.complete && q.naturalWidth > 0; }"
    )
    for width, height in [(1280, 800), (1920, 1080), (768, 1024)]:
        check_layout(teacher, width, height)
        qr = teacher.locator("#join-qr").bounding_box()
        assert qr and qr["height"] >= 0.4 * height and abs(qr["width"] - qr["height"]) < 2
        teacher.screenshot(path=artifacts / f"teach-join-{width}x{height}.png")
    teacher.set_viewport_size({"width": 1280, "height": 800})
    stored = teacher.evaluate("JSON.parse(localStorage.getItem('np-teach'))")
    assert stored["code"] == code and len(stored["teacher_token"]) >= 22

    # A reload resumes the class.
    teacher.reload()
    expect(teacher.locator("#class-code")).to_have_text(f"{code[:3]}-{code[3:]}")
    expect(teacher.locator("#start")).to_be_hidden()

    # -- three students join by the link ----------------------------------------------------
    students: list[Page] = []
    student_errors: list[str] = []
    for name in NAMES:
        page = new_page(browser, browser_context_args, contexts, student_errors)
        join_by_link(page, live_server, code, name)
        students.append(page)
    expect(teacher.locator("#tiles .tile")).to_have_count(3)
    # Names are text: the HTML in one is shown as typed.
    expect(teacher.locator("#tiles .tile-name")).to_have_text(NAMES)
    assert teacher.locator("#tiles b").count() == 0
    expect(teacher.locator("#class-count")).to_have_text("3 students")

    # -- push the spiral, features locked, with a goal ---------------------------------------
    teacher.select_option("#af-dataset", "spiral")
    teacher.fill("#af-hidden_layers", "8,8")
    teacher.select_option("#af-learning_rate", "0.1")
    teacher.check("[data-lock=features]")
    teacher.fill("#activity-message", "Make the spiral work with X₁ and X₂ only.")
    teacher.select_option("#goal-metric", "test_loss")
    teacher.fill("#goal-threshold", "0.45")
    teacher.click("#push-activity")
    expect(teacher.locator("#activity-now")).to_contain_text("activity 1")
    expect(teacher.locator("#activity-error")).to_be_empty()
    room = api.get(f"/api/rooms/{code}").json()
    activity = room["activity"]
    assert activity["config"]["dataset"] == "spiral"
    assert activity["config"]["hidden_layers"] == [8, 8]
    assert "features" in activity["locked"]
    goal = {k: v for k, v in activity["goal"].items() if v is not None}
    assert goal == {"metric": "test_loss", "below": 0.45, "rank": "time"}

    # -- the students play; the dashboard shows three live tiles and the leaderboard ---------
    for page in students:
        play_the_activity(page, activity["version"])
    teacher.wait_for_function(
        "() => [...document.querySelectorAll('#tiles .tile')]"
        ".filter(t => +t.dataset.epoch > 0).length === 3",
        timeout=30_000,
    )
    first = tile_epochs(teacher)
    teacher.wait_for_function(
        "(first) => [...document.querySelectorAll('#tiles .tile')]"
        ".every(t => +t.dataset.epoch > first[t.dataset.student])",
        arg=first,
        timeout=30_000,
    )
    expect(teacher.locator("#leaderboard li").first).to_be_visible(timeout=60_000)
    expect(teacher.locator("#tiles .tile.reached").first).to_be_visible()
    expect(teacher.locator("#tiles .tile-goal").first).to_contain_text("goal at epoch")

    # The dashboard at a laptop's and a projector's size, join panel hidden.
    teacher.click("#join-toggle")
    expect(teacher.locator("#join-panel")).to_be_hidden()
    for width, height in [(1280, 800), (1920, 1080), (768, 1024)]:
        check_layout(teacher, width, height)
        teacher.screenshot(path=artifacts / f"teach-dashboard-{width}x{height}.png")
    teacher.set_viewport_size({"width": 1280, "height": 800})

    # Sorting and hiding names.
    teacher.select_option("#sort", "progress")
    teacher.wait_for_timeout(1200)
    epochs = teacher.eval_on_selector_all("#tiles .tile", "els => els.map(e => +e.dataset.epoch)")
    assert epochs == sorted(epochs, reverse=True)
    teacher.check("#hide-names")
    expect(teacher.locator("#tiles .tile-name")).to_have_text([re.compile(r"^Student [123]$")] * 3)
    expect(teacher.locator("#leaderboard .lb-name").first).to_have_text(re.compile(r"^Student "))
    teacher.uncheck("#hide-names")

    # -- spotlight one: map, diagram and chart, read-only, refreshed -------------------------
    teacher.click("#tiles .tile >> nth=0")
    spot = teacher.locator("#spotlight")
    expect(spot).to_be_visible()
    teacher.wait_for_function(
        "() => +document.querySelector('#spotlight').dataset.epoch > 0"
        " && document.querySelectorAll('#spot-network .node.neuron').length === 16"
    )
    shown = int(spot.get_attribute("data-epoch") or 0)
    teacher.wait_for_function(
        "(n) => +document.querySelector('#spotlight').dataset.epoch > n", arg=shown
    )
    teacher.dispatch_event("#spot-network .link-hit >> nth=0", "click")
    expect(teacher.locator("#spot-network .net-editor")).to_be_hidden()  # no weight editing
    teacher.screenshot(path=artifacts / "teach-spotlight-1280x800.png")
    teacher.keyboard.press("Escape")
    expect(spot).to_be_hidden()

    # -- pause all: every student's page says so, and training stops -------------------------
    teacher.click("#pause-all")
    expect(teacher.locator("#class-state")).to_have_class(re.compile("paused"))
    expect(teacher.locator("#resume-all")).to_be_visible()
    for page in students:
        expect(page.locator("#room-bar [data-room=status]")).to_have_attribute(
            "data-kind", "paused"
        )
    paused = [epoch(page) for page in students]
    time.sleep(1.5)
    assert [epoch(page) for page in students] == paused
    teacher.click("#resume-all")
    expect(teacher.locator("#pause-all")).to_be_visible()

    # A step refused while paused is logged by the browser as a failed resource (409); so
    # are the students' requests once the class has ended (404), below.
    assert [e for e in student_errors if "409" not in e] == []

    # -- end the class: the code stops working, the page offers a new one --------------------
    teacher.click("#end-class")
    expect(teacher.locator("#start")).to_be_visible()
    expect(teacher.locator("#class")).to_be_hidden()
    assert teacher.evaluate("localStorage.getItem('np-teach')") is None
    assert api.get(f"/api/rooms/{code}").status_code == 404

    for page in students:  # the students' pages learn that the class has ended
        expect(page.locator("#room-bar")).to_have_class(re.compile("ended"), timeout=10_000)
    assert teacher_errors == []
