"""The main page's languages in a real browser (static/js/i18n.js, static/i18n/).

(a) The pseudo-language `qps` wraps every catalog text in ⟦…⟧: driven through the page's
    states, every visible text and every aria-label/title/placeholder/alt with letters must
    be wrapped, apart from data (the server's lesson texts, the version, the language names).
(b) Chinese at 1280×800 and 390×844: key labels from the zh catalog, <html lang>, and no
    text overflowing its box; screenshots in the artifacts folder.
(c) The switch in the header changes the language, writes `lang` to the hash, and a reload
    keeps it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.helpers import catalog, open_page, wait_for_epoch, wait_idle

ROOT = Path(__file__).resolve().parents[2]

Recorder = Any  # conftest.Recorder


# Text that is data, not the page's words: the version, the names of the languages in the
# switch (each in its own language), what the server's lessons say (their content comes
# per `lang` from GET /api/lessons), the CSV example, the explain view's formulas.
DATA_SELECTORS = [
    ".version",
    "#lang-select",
    ".lesson-titles h2",
    ".lesson-choice strong",
    ".lesson-choice-summary",
    ".lesson-text p:not(.lesson-epochs)",
    ".lesson-condition",
    ".lesson-hint-list li",
    "#paste-data",
    ".net-label",  # formulas: z, a, δ, out and numbers, the same notation in every language
    ".xp-detail-lines",
    ".xp-loss",
]

UNWRAPPED = """(allowed) => {
  const letters = /\\p{L}/u;
  const bare = (text) => {
    let s = text, before;
    do { before = s; s = s.replace(/⟦[^⟦⟧]*⟧/g, ""); } while (s !== before);
    return letters.test(s);
  };
  const isData = (el) => allowed.some((sel) => el.closest(sel));
  const shown = (el) =>
    el.checkVisibility({ visibilityProperty: true }) || el.closest('.visually-hidden');
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    const text = n.textContent.trim();
    if (!el || !text || el.closest('script, style') || isData(el) || !shown(el)) continue;
    if (bare(text)) out.push(`text <${el.tagName.toLowerCase()} class="${el.className}">: ${text}`);
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (isData(el) || !shown(el)) continue;
    for (const attr of ['aria-label', 'title', 'placeholder', 'alt', 'aria-valuetext']) {
      const v = el.getAttribute(attr);
      const name = `<${el.tagName.toLowerCase()} id="${el.id}" class="${el.className}">`;
      if (v && bare(v)) out.push(`${attr} of ${name}: ${v}`);
    }
  }
  return out;
}"""


def unwrapped(page: Page) -> list[str]:
    return page.evaluate(UNWRAPPED, DATA_SELECTORS)


def assert_all_from_catalog(page: Page, state: str) -> None:
    found = unwrapped(page)
    assert not found, f"{state}: text not from a catalog:\n" + "\n".join(found)


def test_every_text_comes_from_a_catalog(page: Page, live_server: str, recorder: Recorder) -> None:
    open_page(page, live_server, "#seed=7&lang=qps")
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-label", "⟦Play⟧")
    assert_all_from_catalog(page, "default")

    page.click("#explain summary")
    assert_all_from_catalog(page, "help open")
    page.click("#explain summary")

    for _ in range(3):
        page.click("#next-step-button")
    wait_for_epoch(page, 3)
    wait_idle(page)
    page.locator("#timeline input[type=range]").focus()
    page.keyboard.press("Home")
    expect(page.locator("#timeline")).to_contain_text("⟦")
    page.wait_for_timeout(300)
    assert_all_from_catalog(page, "replay moved back")
    page.locator("#timeline button:visible").first.click()
    wait_idle(page)

    page.click("#explain-point-button")
    page.click(".xp-next")
    expect(page.locator("#explain-point .xp-point")).not_to_be_empty()
    wait_idle(page)
    for stage in page.locator(".xp-stage").all():
        stage.click()
        page.wait_for_timeout(100)
        assert_all_from_catalog(page, f"explain a point, {stage.text_content()}")
    page.click(".xp-done")

    page.click(".draw-toggle")
    assert_all_from_catalog(page, "draw data")
    page.locator(".paste-data summary").click()
    assert_all_from_catalog(page, "paste data")
    page.click(".draw-toggle")

    page.set_input_files(
        "#model-file", files=[{"name": "x.txt", "mimeType": "text/plain", "buffer": b"no"}]
    )
    expect(page.locator("#banner")).to_be_visible()
    assert_all_from_catalog(page, "error banner")
    page.click("#banner-close")

    page.click("#lessons-button")
    page.locator(".lesson-choice").first.wait_for()
    assert_all_from_catalog(page, "lesson list")
    page.locator(".lesson-choice").first.click()
    page.locator(".lesson-next").wait_for()
    wait_idle(page)
    page.locator(".lesson-hint-button").click()
    assert_all_from_catalog(page, "a lesson step")
    page.locator(".lesson-close").first.click()
    assert not [e for e in recorder.errors if "i18n" in e], recorder.errors


def test_multiclass_texts_come_from_a_catalog(page: Page, live_server: str) -> None:
    open_page(page, live_server, "#problem=multiclass&seed=3&lang=qps")
    for _ in range(2):
        page.click("#next-step-button")
    wait_for_epoch(page, 2)
    wait_idle(page)
    expect(page.locator("#confusion")).to_be_visible()
    expect(page.locator("#class-legend")).to_be_visible()
    page.hover("#network .node.output >> nth=0")
    page.wait_for_timeout(200)
    assert_all_from_catalog(page, "multi-class")


def overflowing(page: Page) -> list[str]:
    """Elements whose text runs out of a clipped box, or past the viewport's right edge."""
    return page.evaluate(
        """() => {
          const out = [];
          const vw = document.documentElement.clientWidth;
          for (const el of document.body.querySelectorAll('*')) {
            const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
            if (!own || !el.checkVisibility({ visibilityProperty: true })) continue;
            if (el.closest('.visually-hidden')) continue;
            const cs = getComputedStyle(el);
            const clips = ['hidden', 'clip'];
            const clipped = clips.includes(cs.overflowX) || clips.includes(cs.overflow);
            const name = `<${el.tagName.toLowerCase()} class="${el.className}">`;
            if (clipped && el.scrollWidth > el.clientWidth + 1) {
              out.push(`clipped ${name}: ${el.textContent.trim().slice(0, 60)}`);
            }
            for (const n of el.childNodes) {
              if (n.nodeType !== 3 || !n.textContent.trim()) continue;
              const range = document.createRange();
              range.selectNodeContents(n);
              const r = range.getBoundingClientRect();
              if (r.width > 0 && (r.right > vw + 1 || r.left < -1)) {
                out.push(`off screen ${name}: ${n.textContent.trim().slice(0, 60)}`);
              }
            }
          }
          return out;
        }"""
    )


def test_chinese_page(page: Page, live_server: str, artifacts: Path, recorder: Recorder) -> None:
    zh = catalog("zh")
    open_page(page, live_server, "#seed=7&lang=zh")
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    shown = "document.getElementById('lang-select').selectedOptions[0].textContent"
    assert page.evaluate(shown) == "中文"
    expect(page.locator("#epoch-label")).to_have_text(zh["page.epoch"])
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-label", zh["page.play"])
    expect(page.locator("label[data-field=learning_rate] span")).to_have_text(
        zh["field.learning_rate.label"]
    )
    expect(page.locator("label[data-field=activation] span")).to_have_text(
        zh["field.activation.label"]
    )
    expect(page.locator("#activations option[value=linear]")).to_have_text(
        zh["choice.activation.linear"]
    )
    expect(page.locator("#lessons-button")).to_have_text(zh["lesson.lessons"])
    expect(page.locator("#explain-point-button")).to_have_text(zh["xp.button"])
    expect(page.locator("label[data-field=lines]")).to_contain_text(zh["field.lines.label"])
    assert page.title() == zh["page.title"]
    for _ in range(2):
        page.click("#next-step-button")
    wait_for_epoch(page, 2)
    wait_idle(page)
    # A Chinese epoch counter still shows digits, formatted as in English.
    assert page.text_content("#iter-number") == "000,002"
    page.click("#explain summary")
    page.screenshot(path=artifacts / "i18n-zh-1280x800.png")
    assert overflowing(page) == []
    page.click("#explain summary")
    page.click("#lessons-button")
    page.locator(".lesson-choice").first.click()
    page.locator(".lesson-next").wait_for()
    wait_idle(page)
    page.screenshot(path=artifacts / "i18n-zh-lesson-1280x800.png")
    assert overflowing(page) == []
    page.locator(".lesson-close").first.click()
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    page.screenshot(path=artifacts / "i18n-zh-390x844.png", full_page=True)
    assert overflowing(page) == []
    assert recorder.errors == []


def test_switching_language_writes_the_hash_and_survives_a_reload(
    page: Page, live_server: str
) -> None:
    en, zh = catalog("en"), catalog("zh")
    open_page(page, live_server, "#seed=7")
    assert page.evaluate("navigator.language") == "en-US"  # tests default to English
    expect(page.locator("#epoch-label")).to_have_text(en["page.epoch"])
    assert page.evaluate("document.getElementById('lang-select').value") == "en"
    page.select_option("#lang-select", "zh")
    page.wait_for_function("() => document.documentElement.lang === 'zh-Hans'")
    wait_idle(page)
    assert "lang=zh" in page.evaluate("location.hash")
    assert "seed=7" in page.evaluate("location.hash")
    expect(page.locator("#epoch-label")).to_have_text(zh["page.epoch"])
    page.reload()
    wait_idle(page)
    expect(page.locator("#epoch-label")).to_have_text(zh["page.epoch"])
    assert page.evaluate("document.getElementById('lang-select').value") == "zh"
    # The choice is kept: the address without `lang` opens in Chinese too.
    open_page(page, live_server, "#seed=7")
    expect(page.locator("#data-heading")).to_have_text(zh["page.data"])
    page.select_option("#lang-select", "en")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    wait_idle(page)
    assert "lang=en" in page.evaluate("location.hash")
    expect(page.locator("#data-heading")).to_have_text(en["page.data"])


def test_switching_language_keeps_the_trained_network(
    page: Page, live_server: str, api: httpx.Client
) -> None:
    """The reload a switch makes brings back the network as trained (weights, epoch,
    history), not a new one from the settings."""
    open_page(page, live_server, "#seed=7&lang=en")
    for _ in range(3):
        page.click("#next-step-button")
    wait_idle(page)
    wait_for_epoch(page, 3)
    before = api.get(f"/api/sessions/{page.get_attribute('main', 'data-session')}/model").json()
    page.select_option("#lang-select", "zh")
    page.wait_for_function("() => document.documentElement.lang === 'zh-Hans'")
    wait_idle(page)
    wait_for_epoch(page, 3)
    after = api.get(f"/api/sessions/{page.get_attribute('main', 'data-session')}/model").json()
    assert after["epoch"] == before["epoch"] == 3
    assert after["weights"] == before["weights"] and after["biases"] == before["biases"]
    assert after["history"] == before["history"]


def test_a_chinese_catalog_that_cannot_be_read_leaves_a_working_english_page(
    page: Page, live_server: str
) -> None:
    en = catalog("en")
    page.route("**/static/i18n/zh/page.json", lambda route: route.fulfill(status=404))
    open_page(page, live_server, "#lang=zh&seed=3")
    assert page.get_attribute("main", "data-session")
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.locator("#epoch-label")).to_have_text(en["page.epoch"])
    page.click("#next-step-button")
    wait_for_epoch(page, 1)
