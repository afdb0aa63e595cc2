"""The compare page (/compare) in a real browser against a real server: SGD vs Adam on the
spiral, both maps drawn, both curves in one chart, steps that move both runs alike, the
timeline (back, resume), the main page's link as the starting point, four screen sizes
and an axe-core scan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.helpers import animation_frames

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

Recorder = Any  # conftest.Recorder

SGD_VS_ADAM = "#dataset=spiral&networkShape=6,6&seed=11&compare=adam"
RUN_COLORS = [(0x6A, 0x3D, 0x9A), (0x01, 0x66, 0x5E), (0xD5, 0x5E, 0x00), (0x22, 0x22, 0x22)]
SIZES = [(390, 844, "phone"), (768, 1024, "tablet"), (1280, 800, "laptop"), (1920, 1080, "wide")]


def wait_ready(page: Page) -> None:
    """A comparison loaded, nothing queued, not playing; then two frames drawn."""
    page.wait_for_function(
        """() => {
          const main = document.querySelector('main');
          return main.dataset.comparison && main.dataset.state === 'idle'
            && main.getAttribute('aria-busy') === 'false';
        }"""
    )
    animation_frames(page, 2)


def open_compare(page: Page, base: str, hash_: str) -> str:
    page.goto(f"{base}/compare{hash_}")
    wait_ready(page)
    cid = page.get_attribute("main", "data-comparison")
    assert cid
    return cid


def runs_of(api: httpx.Client, cid: str) -> list[dict[str, Any]]:
    r = api.get(f"/api/comparisons/{cid}")
    assert r.status_code == 200, r.text
    runs: list[dict[str, Any]] = r.json()["runs"]
    return runs


def map_pixels(page: Page, run: int) -> dict[str, Any]:
    return page.evaluate(  # type: ignore[no-any-return]
        """(run) => {
          const c = document.querySelector(`.run[data-run="${run}"] canvas.heatmap-grid`);
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let blue = 0, orange = 0;
          for (let i = 0; i < d.length; i += 4) {
            if (d[i + 2] > d[i] + 40) blue++;
            if (d[i] > d[i + 2] + 40) orange++;
          }
          return {width: c.width, height: c.height, blue, orange};
        }""",
        run,
    )


def chart_colors(page: Page) -> list[int]:
    """How many chart pixels are near each run's colour."""
    return page.evaluate(  # type: ignore[no-any-return]
        """(colors) => {
          const c = document.querySelector('#multichart canvas');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          return colors.map(([r, g, b]) => {
            let n = 0;
            for (let i = 0; i < d.length; i += 4) {
              const off = Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b);
              if (d[i + 3] > 200 && off < 40) n++;
            }
            return n;
          });
        }""",
        RUN_COLORS,
    )


def page_epoch(page: Page) -> int:
    return int(page.text_content("#epoch") or "-1")


def test_sgd_vs_adam_maps_chart_steps_and_timeline(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder, artifacts: Path
) -> None:
    cid = open_compare(page, live_server, SGD_VS_ADAM)
    runs = runs_of(api, cid)
    assert [r["config"]["optimizer"] for r in runs] == ["sgd", "adam"]
    assert all(r["config"]["dataset"] == "spiral" for r in runs)
    assert all(r["config"]["hidden_layers"] == [6, 6] and r["config"]["seed"] == 11 for r in runs)
    expect(page.locator(".run")).to_have_count(2)
    expect(page.locator(".run[data-run='0'] .run-label")).to_have_text("Optimizer SGD")
    expect(page.locator(".run[data-run='1'] .run-label")).to_have_text("Optimizer Adam")
    assert page.get_attribute("#start-from", "hidden") is None  # the link's settings are used

    # Play a while, then pause: every run at the same epoch, on the page and on the server.
    page.select_option("#speed", "normal")
    page.click("#play-pause")
    page.wait_for_function("() => Number(document.querySelector('#epoch').textContent) >= 40")
    page.click("#play-pause")
    wait_ready(page)
    runs = runs_of(api, cid)
    epochs = {r["epoch"] for r in runs}
    assert len(epochs) == 1 and page_epoch(page) == epochs.pop() >= 40
    assert runs[0]["train_loss"] != runs[1]["train_loss"], "SGD and Adam learn differently"
    for i in range(2):
        expect(page.locator(f".run[data-run='{i}'] [data-value='epoch'] dd")).to_have_text(
            str(runs[0]["epoch"])
        )
        expect(page.locator(f".run[data-run='{i}'] [data-value='test'] dd")).to_have_text(
            f"{runs[i]['test_loss']:.3f}"
        )

    # Both maps drawn: the 100×100 grid, with both colours.
    for i in range(2):
        pixels = map_pixels(page, i)
        assert pixels["width"] == pixels["height"] == 100
        assert pixels["blue"] > 500 and pixels["orange"] > 500, (i, pixels)
    # Every run's curves in the one chart, in its colour.
    assert page.get_attribute("#multichart", "data-series") == "2"
    counts = chart_colors(page)
    assert counts[0] > 30 and counts[1] > 30, counts
    assert counts[2] == 0, "no third run, no third colour"

    # One step: every run one epoch further.
    before = page_epoch(page)
    page.click("#step-button")
    page.wait_for_function(
        f"() => Number(document.querySelector('#epoch').textContent) === {before + 1}"
    )
    wait_ready(page)
    assert [r["epoch"] for r in runs_of(api, cid)] == [before + 1] * 2

    # The chart read by keyboard: every run's losses at an epoch.
    page.focus("#multichart")
    page.keyboard.press("Home")
    text = page.get_attribute("#multichart", "aria-valuetext") or ""
    assert text.startswith("Epoch 0:") and "run A" in text and "run B" in text
    expect(page.locator("#chart-readout")).to_have_text(text)
    page.keyboard.press("ArrowRight")
    assert (page.get_attribute("#multichart", "aria-valuetext") or "").startswith("Epoch 1:")
    page.screenshot(path=artifacts / "compare-sgd-adam-1280x800.png")

    # The timeline: back to epoch 10, every run shows it; resume from there.
    checkpoints = api.get(f"/api/sessions/{runs[0]['id']}/checkpoints").json()["checkpoints"]
    index = [c["epoch"] for c in checkpoints].index(10)
    page.eval_on_selector(
        "#timeline-slider",
        "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input')); }",
        index,
    )
    page.wait_for_function("() => document.querySelector('main').dataset.replay === '10'")
    wait_ready(page)
    expect(page.locator("#timeline-epoch")).to_have_text("Epoch 10")
    expect(page.locator("#resume-button")).to_be_enabled()
    for i, run in enumerate(runs):
        at_10 = next(
            c
            for c in api.get(f"/api/sessions/{run['id']}/checkpoints").json()["checkpoints"]
            if c["epoch"] == 10
        )
        expect(page.locator(f".run[data-run='{i}'] [data-value='test'] dd")).to_have_text(
            f"{at_10['test_loss']:.3f}"
        )
    assert {r["epoch"] for r in runs_of(api, cid)} == {before + 1}, "looking back changes nothing"
    page.screenshot(path=artifacts / "compare-sgd-adam-timeline-1280x800.png")
    page.click("#resume-button")
    page.wait_for_function("() => document.querySelector('main').dataset.replay === ''")
    wait_ready(page)
    runs = runs_of(api, cid)
    assert [r["epoch"] for r in runs] == [10] * 2
    assert page_epoch(page) == 10
    for r in runs:
        history = api.get(f"/api/sessions/{r['id']}/frame").json()["history"]
        assert history["epochs"][-1] == 10
    assert page.get_attribute("#multichart", "aria-valuemax") == "10"
    # Training on from there: lockstep again.
    page.click("#step-button")
    page.wait_for_function("() => Number(document.querySelector('#epoch').textContent) === 11")
    wait_ready(page)
    assert [r["epoch"] for r in runs_of(api, cid)] == [11] * 2
    assert recorder.errors == []


def test_two_runs_from_the_preset_and_a_new_comparison(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder
) -> None:
    cid = open_compare(page, live_server, "#compare=depth&compareData=xor")
    runs = runs_of(api, cid)
    assert [r["layer_sizes"] for r in runs] == [[2, 8, 8, 1], [2, 8, 8, 8, 8, 8, 8, 1]]
    assert all(r["config"]["dataset"] == "xor" for r in runs)
    assert page.get_attribute("#start-from", "hidden") is not None  # no link: no choice
    # A reload takes the same comparison back up.
    page.reload()
    wait_ready(page)
    assert page.get_attribute("main", "data-comparison") == cid
    # Another comparison: the old one is deleted.
    page.select_option("#preset", "rates")
    page.select_option("#compare-dataset", "circle")
    page.click("#start-button")
    page.wait_for_function(
        "(old) => document.querySelector('main').dataset.comparison !== old", arg=cid
    )
    wait_ready(page)
    assert api.get(f"/api/comparisons/{cid}").status_code == 404
    new = page.get_attribute("main", "data-comparison") or ""
    assert [r["config"]["learning_rate"] for r in runs_of(api, new)] == [0.3, 0.03]
    assert "compare=rates" in page.url and "compareData=circle" in page.url
    expect(page.locator(".run")).to_have_count(2)
    assert recorder.errors == []


def test_a_comparison_that_is_gone_says_so(page: Page, live_server: str, api: httpx.Client) -> None:
    cid = open_compare(page, live_server, "#compare=batch")
    runs = runs_of(api, cid)
    api.delete(f"/api/sessions/{runs[0]['id']}")
    page.click("#step-button")
    expect(page.locator("#compare-error")).to_be_visible()
    expect(page.locator("#compare-error-text")).to_contain_text("runs are gone")
    page.click("#compare-error-restart")
    page.wait_for_function(
        "(old) => document.querySelector('main').dataset.comparison !== old", arg=cid
    )
    wait_ready(page)
    expect(page.locator("#compare-error")).to_be_hidden()


@pytest.mark.parametrize(("width", "height", "name"), SIZES)
def test_every_screen_size_and_axe(
    page: Page, live_server: str, artifacts: Path, width: int, height: int, name: str
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    open_compare(page, live_server, "#dataset=spiral&networkShape=8,8&seed=3&compare=optimizers")
    for _ in range(15):
        page.click("#step-button")
    page.wait_for_function("() => Number(document.querySelector('#epoch').textContent) === 15")
    wait_ready(page)
    page.screenshot(path=artifacts / f"compare-{width}x{height}.png")
    page.screenshot(path=artifacts / f"compare-{width}x{height}-full.png", full_page=True)
    # Nothing wider than the screen; every run's map at least 150 px across.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    sizes = page.eval_on_selector_all(".run .heatmap-box", "els => els.map(e => e.clientWidth)")
    assert len(sizes) == 3 and min(sizes) >= 150, sizes
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
    )
    assert [v for v in result if v["impact"] in ("serious", "critical")] == []
