"""Lessons on the page, in a real browser against a real server: a lesson opened by its
link applies each step's setup and locks, its check turns green when the server says so,
Previous and Next; the menu; Chinese; the printed worksheet; links read back to the
step's config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from app import lessons
from tests.helpers import open_page, wait_idle

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BUILT_IN = lessons.load()
SIZES = [(390, 844), (768, 1024), (1280, 800), (1920, 1080)]

Recorder = Any  # conftest.Recorder


def config_of(page: Page, api: httpx.Client) -> dict[str, Any]:
    wait_idle(page)
    session = page.get_attribute("main", "data-session")
    config: dict[str, Any] = api.get(f"/api/sessions/{session}").json()["config"]
    return config


def same_setup(config: dict[str, Any], setup: dict[str, Any]) -> bool:
    return all(config[k] == v for k, v in setup.items() if k != "seed")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    page.evaluate(AXE.read_text())
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def test_a_lesson_opened_by_its_link(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder, artifacts: Path
) -> None:
    lesson = BUILT_IN["features-vs-neurons"]
    open_page(page, live_server, "#lesson=features-vs-neurons&step=1&lang=en")
    panel = page.locator("#lesson")
    expect(panel.locator(".lesson-progress")).to_have_text("Step 1 of 4")
    expect(panel.locator("h2")).to_have_text("Features versus neurons")
    expect(panel.locator(".lesson-text")).to_contain_text("XOR: blue where x1 and x2")
    # The step's setup is the session's, and its locked settings cannot be changed.
    # (the server's answer: the step's condition, and its locked settings kept)
    expect(panel.locator(".lesson-conditions li")).to_have_count(3)
    expect(panel.locator(".lesson-check")).to_have_attribute("data-met", "false")
    assert same_setup(config_of(page, api), lesson.steps[0].setup)
    expect(page.locator("#add-layers")).to_be_disabled()
    assert "lesson=features-vs-neurons&step=1&lang=en" in page.evaluate("location.hash")
    # Hints one at a time.
    expect(panel.locator(".lesson-hint-list li")).to_have_count(0)
    panel.locator(".lesson-hint-button").click()
    expect(panel.locator(".lesson-hint-list li")).to_have_count(1)
    expect(panel.locator(".lesson-hint-button")).to_be_disabled()
    # Train: the server's check turns the condition green.
    page.click("#play-pause-button")
    expect(panel.locator(".lesson-check")).to_have_attribute("data-met", "true", timeout=20_000)
    page.click("#play-pause-button")
    wait_idle(page)
    expect(panel.locator(".lesson-conditions li.met")).to_have_count(3)  # loss, epochs, setup
    expect(panel.locator(".lesson-verdict")).to_have_text("Done: every condition holds.")
    assert axe_violations(page) == []
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        wait_idle(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width
        box = panel.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width
        page.screenshot(path=artifacts / f"lesson-{width}x{height}.png")
    page.set_viewport_size({"width": 1280, "height": 800})
    # Next: the next step's setup; Previous: back to the first.
    panel.locator(".lesson-next").click()
    expect(panel.locator(".lesson-progress")).to_have_text("Step 2 of 4")
    page.wait_for_function("() => location.hash.includes('step=2')")
    assert same_setup(config_of(page, api), lesson.steps[1].setup)
    expect(panel.locator(".lesson-claim")).to_be_visible()  # a "cannot" step says so
    expect(panel.locator(".lesson-check")).to_have_attribute("data-met", "false")
    panel.locator(".lesson-previous").click()
    expect(panel.locator(".lesson-progress")).to_have_text("Step 1 of 4")
    page.wait_for_function("() => location.hash.includes('step=1')")
    assert same_setup(config_of(page, api), lesson.steps[0].setup)
    # Closing the lesson releases the locks and the hash forgets it.
    panel.locator(".lesson-close").click()
    expect(panel).to_be_hidden()
    expect(page.locator("#add-layers")).to_be_enabled()
    assert "lesson=" not in page.evaluate("location.hash")
    assert recorder.errors == []


def test_the_menu_lists_the_lessons_and_opens_one(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder
) -> None:
    open_page(page, live_server)
    expect(page.locator("#lesson")).to_be_hidden()
    page.click("#lessons-button")
    choices = page.locator("#lesson .lesson-choice")
    expect(choices).to_have_count(len(BUILT_IN))
    expect(choices.first).to_contain_text("How many neurons?")
    page.click("#lesson [data-lesson=activations]")
    expect(page.locator("#lesson .lesson-progress")).to_have_text("Step 1 of 4")
    page.wait_for_function("() => location.hash.includes('lesson=activations&step=1')")
    assert same_setup(config_of(page, api), BUILT_IN["activations"].steps[0].setup)
    assert recorder.errors == []


def test_a_chinese_lesson(page: Page, live_server: str, api: httpx.Client, artifacts: Path) -> None:
    lesson = BUILT_IN["how-many-neurons"]
    open_page(page, live_server, "#lesson=how-many-neurons&step=3&lang=zh")
    panel = page.locator("#lesson")
    expect(panel.locator("h2")).to_have_text("需要几个神经元？")
    expect(panel.locator(".lesson-progress")).to_have_text("第 3 步（共 4 步）")
    expect(panel.locator(".lesson-text")).to_contain_text("三条直线")
    assert panel.get_attribute("lang") == "zh-Hans"
    assert same_setup(config_of(page, api), lesson.steps[2].setup)
    expect(page.locator("#first-layer-lines")).to_be_checked()  # the step's view: lines on
    expect(panel.locator(".lesson-next")).to_have_text("下一步")
    page.screenshot(path=artifacts / "lesson-zh-1280x800.png")


def test_the_worksheet_prints_each_step_with_questions_and_a_qr_code(
    page: Page, live_server: str, artifacts: Path
) -> None:
    lesson = BUILT_IN["how-many-neurons"]
    page.goto(f"{live_server}/lessons/how-many-neurons/print?lang=en")
    steps = page.locator(".sheet-step")
    expect(steps).to_have_count(len(lesson.steps))
    for i, step in enumerate(lesson.steps):
        expect(steps.nth(i).locator(".step-qr svg")).to_have_count(1 if step.config else 0)
        expect(steps.nth(i).locator(".answer")).to_have_count(len(step.questions["en"]))
    box = steps.first.locator(".step-qr svg").bounding_box()
    assert box and box["width"] >= 100  # large enough to scan
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "worksheet-1280x800.png", full_page=True)
    page.emulate_media(media="print")
    expect(page.locator(".sheet-actions")).to_be_hidden()
    page.screenshot(path=artifacts / "worksheet-print.png", full_page=True)
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=artifacts / "worksheet-390x844.png", full_page=True)


def test_every_step_link_reads_back_to_its_config(
    page: Page, live_server: str, api: httpx.Client
) -> None:
    """The page's own state.js reads each step's link (the worksheet's QR code) back to
    the step's config; one link opened for real gives a session with that config."""
    setups = [
        (f"{lesson.id} step {n}", step.setup, lessons.setup_hash(step.setup, step.view))
        for lesson in BUILT_IN.values()
        for n, step in enumerate(lesson.steps, start=1)
        if step.config
    ]
    hashes = ["&".join(f"{k}={v}" for k, v in entries) for _, _, entries in setups]
    open_page(page, live_server)
    configs = page.evaluate(
        """async (hashes) => {
          const state = await import('/static/js/state.js');
          const { normalizeOptions } = await import('/static/js/options.js');
          const o = normalizeOptions(await (await fetch('/api/options')).json());
          return hashes.map((h) => state.toServerConfig(state.readHash(h, o).settings, o));
        }""",
        hashes,
    )
    for (name, setup, _), config in zip(setups, configs, strict=True):
        assert {k: config.get(k) for k in setup} == setup, name
    name, setup, _ = setups[-1]
    page.goto("about:blank")
    open_page(page, live_server, f"#{hashes[-1]}")
    assert same_setup(config_of(page, api), setup), name


def test_quick_clicks_end_on_the_last_step_and_closing_frees_its_locks(
    page: Page, live_server: str, api: httpx.Client
) -> None:
    """Next then Previous at once: the panel, the session and the address agree on the
    step clicked last; Next then Close: no lock stays behind, no script error."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    lesson = BUILT_IN["features-vs-neurons"]
    open_page(page, live_server, "#lesson=features-vs-neurons&step=2&lang=en")
    panel = page.locator("#lesson")
    expect(panel.locator(".lesson-progress")).to_have_text("Step 2 of 4")
    wait_idle(page)
    page.evaluate(
        "() => { document.querySelector('.lesson-next').click();"
        " document.querySelector('.lesson-previous').click(); }"
    )
    expect(panel.locator(".lesson-progress")).to_have_text("Step 2 of 4")
    page.wait_for_function("() => location.hash.includes('step=2')")
    wait_idle(page)
    page.wait_for_timeout(300)
    wait_idle(page)
    assert same_setup(config_of(page, api), lesson.steps[1].setup)
    assert "step=2" in page.evaluate("location.hash")
    # The lesson's lock says it is the lesson's (not a teacher's: there is no class here).
    assert page.locator('[title="This step of the lesson keeps this setting fixed."]').count() > 0
    assert page.locator('[title*="teacher"]').count() == 0
    page.evaluate(
        "() => { document.querySelector('.lesson-next').click();"
        " document.querySelector('.lesson-close').click(); }"
    )
    expect(panel).to_be_hidden()
    wait_idle(page)
    page.wait_for_timeout(300)
    expect(page.locator("#add-layers")).to_be_enabled()
    assert "lesson=" not in page.evaluate("location.hash")
    assert errors == []
