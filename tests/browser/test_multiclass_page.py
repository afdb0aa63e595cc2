"""Multi-class classification on the page, in a real browser against a real server.

The map's colours, the confusion matrices, the legend and the output neurons are checked
against the server's own answers (/predict, /frame, the state), with the colour rule
written out here independently of static/js/colors.js.
"""

from __future__ import annotations

import base64
import random
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.helpers import (
    NEUTRAL,
    PALETTE,
    epoch,
    grid_point,
    heatmap_pixels,
    nearest_class,
    open_page,
    wait_for_epoch,
    wait_idle,
)

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

Recorder = Any  # conftest.Recorder


def shade(k: int, t: float) -> tuple[int, ...]:
    t = max(0.0, min(1.0, t))
    return tuple(int(a + (b - a) * t + 0.5) for a, b in zip(NEUTRAL, PALETTE[k], strict=True))


def winner_color(probabilities: list[float]) -> tuple[int, ...]:
    """The map's colour for a point: its most probable class, as pale as p is near 1/K
    (after the frame's 8-bit encoding, q = round(255·p))."""
    q = [round(255 * p) for p in probabilities]
    k = q.index(max(q))
    n = len(q)
    return shade(k, (q[k] / 255 - 1 / n) / (1 - 1 / n))


def confusion_on_page(page: Page, part: str) -> list[list[int]]:
    return page.evaluate(
        """(part) => [...document.querySelectorAll(`#confusion table[data-part=${part}] tbody tr`)]
            .map(tr => [...tr.querySelectorAll('td')].map(td => Number(td.textContent)))""",
        part,
    )


def train_spirals(page: Page, live_server: str, api: httpx.Client) -> str:
    """Multi-class, 3 classes, the spiral arms, three layers of 8, Adam: trained a few seconds."""
    session = open_page(page, live_server, "#seed=5&networkShape=8,8,8&learningRate=0.01")
    page.select_option("#problem", "multiclass")
    wait_idle(page)
    expect(page.locator("#classes")).to_be_visible()
    expect(page.locator("#classes-value")).to_have_text("3")
    page.click("button[aria-label='Dataset Spiral arms']")
    wait_idle(page)
    page.select_option("#optimizer", "adam")
    page.select_option("#speed", "fastest")
    wait_idle(page)
    config = api.get(f"/api/sessions/{session}").json()["config"]
    assert (config["problem"], config["classes"], config["dataset"]) == ("multiclass", 3, "spirals")
    assert (config["optimizer"], config["hidden_layers"]) == ("adam", [8, 8, 8])
    page.click("#play-pause-button")
    wait_for_epoch(page, 1)
    page.wait_for_function(
        "() => parseInt(document.querySelector('#iter-number').textContent.replace(/,/g, ''))"
        " >= 1500",
        timeout=60_000,
    )
    page.click("#play-pause-button")
    wait_idle(page)
    return session


def test_multiclass_spirals_map_matrix_legend_and_output_neurons(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder, artifacts: Path
) -> None:
    session = train_spirals(page, live_server, api)
    state = api.get(f"/api/sessions/{session}").json()
    assert state["layer_sizes"][-1] == 3
    assert state["epoch"] == epoch(page)

    # The map: each sampled pixel's class (the nearest shade line) is /predict's argmax.
    pixels = heatmap_pixels(page)
    n = pixels["width"]
    assert n == pixels["height"] == api.get("/api/options").json()["limits"]["density"]
    rng = random.Random(0)
    cells = [(rng.randrange(n), rng.randrange(n)) for _ in range(400)]
    points = [grid_point(r, c, n) for r, c in cells]
    answer = api.post(f"/api/sessions/{session}/predict", json={"points": points}).json()
    outputs, probabilities = answer["outputs"], answer["probabilities"]
    assert len(probabilities) == len(points) and all(len(p) == 3 for p in probabilities)

    def pixel(row: int, col: int) -> tuple[int, ...]:
        i = 4 * (row * n + col)
        return tuple(pixels["data"][i : i + 3])

    def agreement(flip: bool) -> float:
        same = 0
        for (r, c), k in zip(cells, outputs, strict=True):
            same += nearest_class(pixel(n - 1 - r if flip else r, c), 3)[0] == k
        return same / len(cells)

    assert agreement(flip=False) >= 0.98
    assert agreement(flip=True) < 0.8, "the test can tell: the map upside down disagrees"
    # The exact colour: the winner's shade, as pale as it is unsure.
    exact = sum(
        max(abs(a - b) for a, b in zip(pixel(r, c), winner_color(p), strict=True)) <= 3
        for (r, c), p in zip(cells, probabilities, strict=True)
    )
    assert exact >= 0.98 * len(cells)
    # Three colours, each clearly present (the spiral arms cover the plane in turns).
    sure = [nearest_class(pixel(r, c), 3) for r in range(n) for c in range(n)]
    counts = [sum(1 for k, t in sure if k == j and t > 0.5) for j in range(3)]
    assert all(count > 0.1 * n * n for count in counts), counts

    # The confusion matrices: the state's, counts summing to the train and test sizes.
    data = api.get(f"/api/sessions/{session}/data").json()
    train, test = len(data["train"]["labels"]), len(data["test"]["labels"])
    assert train + test == state["data_size"]
    expect(page.locator("#confusion")).to_be_visible()
    assert confusion_on_page(page, "train") == state["confusion"]["train"]
    assert confusion_on_page(page, "test") == state["confusion"]["test"]
    assert sum(map(sum, confusion_on_page(page, "train"))) == train
    assert sum(map(sum, confusion_on_page(page, "test"))) == test
    right = sum(state["confusion"]["test"][k][k] for k in range(3))
    caption = page.text_content("#confusion table[data-part=test] caption") or ""
    assert f"{right} of {test} right" in caption
    assert page.locator("#confusion th[scope=col]").count() == 6
    assert page.locator("#confusion th[scope=row]").count() == 6

    # The legend: three classes instead of the −1 … 1 bar.
    expect(page.locator("#class-legend li")).to_have_count(3)
    expect(page.locator("#class-legend li").nth(2)).to_contain_text("Class 2")
    expect(page.locator(".legend")).to_be_hidden()
    assert "orange class 0, blue class 1, green class 2" in (
        page.get_attribute("#heatmap", "aria-label") or ""
    )

    # Three output neurons; hovering the third shows the probability of class 2.
    expect(page.locator(".node.output")).to_have_count(3)
    page.screenshot(path=artifacts / "multiclass-1280x800.png")
    page.hover(".node.output >> nth=2")
    expect(page.locator(".heatmap-caption")).to_have_text("Probability of class 2")
    wait_idle(page)
    frame = api.get(f"/api/sessions/{session}/frame").json()
    grid = base64.b64decode(frame["classes"][2])
    shown = heatmap_pixels(page)["data"]
    for i in range(0, len(grid), 37):
        want = shade(2, grid[i] / 255)
        got = tuple(shown[4 * i : 4 * i + 3])
        assert max(abs(a - b) for a, b in zip(got, want, strict=True)) <= 1, (i, got, want)
    assert max(grid) > 200 and min(grid) < 50, "class 2 is likely somewhere and unlikely elsewhere"
    page.screenshot(path=artifacts / "multiclass-class-2-1280x800.png")
    page.mouse.move(2, 2)
    expect(page.locator(".heatmap-caption")).to_have_text("Output")

    # Back to binary classification: everything multi-class goes away.
    page.select_option("#problem", "classification")
    wait_idle(page)
    expect(page.locator("#confusion")).to_be_hidden()
    expect(page.locator("#class-legend")).to_be_hidden()
    expect(page.locator(".legend")).to_be_visible()
    expect(page.locator("#classes")).to_be_hidden()
    expect(page.locator(".node.output")).to_have_count(1)
    assert recorder.errors == []


def test_multiclass_on_a_phone(
    page: Page, live_server: str, api: httpx.Client, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    session = open_page(page, live_server, "#seed=4&networkShape=6,6")
    page.select_option("#problem", "multiclass")
    wait_idle(page)
    page.eval_on_selector(
        "#classes",
        "el => { el.value = '5'; el.dispatchEvent(new Event('input'));"
        " el.dispatchEvent(new Event('change')); }",
    )
    wait_idle(page)
    page.click("button[aria-label='Dataset Sectors']")
    wait_idle(page)
    for _ in range(30):
        page.click("#next-step-button")
    wait_idle(page)
    state = api.get(f"/api/sessions/{session}").json()
    assert (state["config"]["classes"], state["layer_sizes"][-1]) == (5, 5)
    expect(page.locator("#class-legend li")).to_have_count(5)
    expect(page.locator(".node.output")).to_have_count(5)
    assert confusion_on_page(page, "train") == state["confusion"]["train"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "horizontal scroll"
    for selector in ["#heatmap", "#confusion", "#class-legend"]:
        box = page.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, selector
    # The matrices, legend and output neurons pass an axe-core scan (injected by the test).
    page.evaluate(AXE.read_text())
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
    )
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == []
    page.screenshot(path=artifacts / "multiclass-390x844.png")
    page.screenshot(path=artifacts / "multiclass-390x844-full.png", full_page=True)
    # The same class on a tablet, a laptop's projector and in projector mode: nothing
    # runs off the side, and the map and matrices stay on screen.
    for width, height, projector in ((768, 1024, False), (1920, 1080, False), (1920, 1080, True)):
        page.set_viewport_size({"width": width, "height": height})
        if projector:
            page.click("#projector-button")
        wait_idle(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (width, projector)
        for selector in ["#heatmap", "#confusion", "#class-legend"]:
            box = page.locator(selector).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, width)
        name = f"multiclass-{width}x{height}{'-projector' if projector else ''}.png"
        page.screenshot(path=artifacts / name)
