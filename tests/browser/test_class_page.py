"""The page in front of a class (issue 10), in a real browser against a real server:
phones to projectors, the map's colours, divergence, pausing on reset, the reference's
`_hide` flags, the one-batch step, the link notice, explanations and an axe-core scan."""

from __future__ import annotations

import base64
import itertools
import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from app.engine.trainer import Trainer
from tests.helpers import (
    DIVERGING,
    animation_frames,
    decode_frame,
    epoch,
    export_from_page,
    open_page,
    wait_idle,
)

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BIG_NETWORK = "#dataset=spiral&networkShape=8,8,8,8,8,8&seed=2&showTestData=true"

# What counts as a control for "no two overlap": everything a person reads or presses,
# leaves only (a label's box holds its select), the diagram's links excepted (they cross).
CONTROLS = """() => {
  const selector = 'button, select, input:not([type=file]), output, .field > span, .slider > label,'
    + ' .checks label, .layer-count, .node-label, .iter-batch, .field-label, h2, .hint, summary';
  const boxes = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest('[hidden], .link-hidden, .visually-hidden')) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    // Inside the diagram's own scroller: only the part that can be seen counts.
    const clip = el.closest('.net-scroll')?.getBoundingClientRect();
    const left = clip ? Math.max(r.left, clip.left) : r.left;
    const right = clip ? Math.min(r.right, clip.right) : r.right;
    if (right - left < 1) continue;
    boxes.push({el, left, right, top: r.top, bottom: r.bottom});
  }
  const name = (el) => el.id || el.getAttribute('aria-label') || el.textContent.trim().slice(0, 30);
  const bad = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) bad.push(`${name(a.el)} / ${name(b.el)}`);
    }
  }
  return bad;
}"""

# Pixels of a PNG (a screenshot), read back by the browser itself.
PNG_PIXELS = """async (b64) => {
  const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
  const blob = new Blob([bytes], {type: 'image/png'});
  const bitmap = await createImageBitmap(blob);
  const c = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  return {width: bitmap.width, data: Array.from(data)};
}"""


def playing(page: Page) -> bool:
    return page.get_attribute("#play-pause-button", "aria-label") == "Pause"


# -- phones to projectors --------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(390, 844), (768, 1024), (1280, 800), (1920, 1080)])
def test_no_control_overlaps_another_and_nothing_scrolls_sideways(
    page: Page, live_server: str, artifacts: Path, width: int, height: int
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    open_page(page, live_server, BIG_NETWORK + "&lines=true")
    for _ in range(2):
        page.click("#next-step-button")
        wait_idle(page)
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), "sideways scroll"
    assert page.evaluate(CONTROLS) == []
    # The map is on the first screen (no scrolling needed to see it start).
    heatmap = page.locator("#heatmap").bounding_box()
    assert heatmap and heatmap["y"] < height - 100, "the output map is below the first screen"
    # Six layers of eight: every neuron keeps its own room, reachable by scrolling the diagram.
    nodes = page.eval_on_selector_all(
        ".node.neuron",
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.x, r.y]; })",
    )
    assert len(nodes) == 48
    columns = sorted({round(x) for x, _ in nodes})
    assert min(b - a for a, b in itertools.pairwise(columns)) >= 36 + 16
    page.screenshot(path=artifacts / f"class-page-{width}x{height}.png")
    page.screenshot(path=artifacts / f"class-page-{width}x{height}-full.png", full_page=True)


# -- the map keeps every point's colour ------------------------------------------------------------


def test_a_correctly_classified_point_keeps_its_colour_on_the_map(
    page: Page, live_server: str, api: httpx.Client
) -> None:
    session = open_page(
        page, live_server, "#dataset=gauss&networkShape=2&seed=4&learningRate=0.1&percTrainData=30"
    )
    for _ in range(5):
        page.click("#next-step-button")
        wait_idle(page)
    data = api.get(f"/api/sessions/{session}/data").json()["train"]
    outputs = api.post(f"/api/sessions/{session}/predict", json={"points": data["points"]}).json()[
        "outputs"
    ]
    box = page.locator("#heatmap .heatmap-overlay").bounding_box()
    assert box
    shot = page.screenshot(clip=box)
    pixels = page.evaluate(PNG_PIXELS, base64.b64encode(shot).decode())
    size = pixels["width"]

    def pixel(x: float, y: float) -> tuple[int, ...]:
        px, py = int((x + 6) / 12 * size), int((6 - y) / 12 * size)
        i = 4 * (py * size + px)
        return tuple(pixels["data"][i : i + 3])

    def near(x: float, y: float) -> int:
        """Points within 0.3 (7 px): another's white outline could cover this spot."""
        return sum((x - a) ** 2 + (y - b) ** 2 < 0.3**2 for a, b in data["points"])

    checked = 0
    for (x, y), label, out in zip(data["points"], data["labels"], outputs, strict=True):
        if label * out < 0.9 or abs(x) > 5 or abs(y) > 5 or near(x, y) > 1 or near(x + 0.45, y):
            continue  # lone points classified right where the region is strongest, off the edge
        point = pixel(x, y)
        region = pixel(x + 0.45, y)  # just beside the point (radius 3 px of a 300 px map)
        blue_point = label > 0
        assert (point[2] > point[0]) == blue_point, "the point has its own colour"
        assert sum(abs(a - b) for a, b in zip(point, region, strict=True)) > 60, (point, region)
        checked += 1
    assert checked >= 5


# -- divergence ------------------------------------------------------------------------------------


def test_divergence_is_shown_compactly_and_banner_and_counter_agree(
    page: Page, live_server: str, api: httpx.Client
) -> None:
    session = open_page(
        page,
        live_server,
        "#problem=regression&activation=relu&learningRate=10&networkShape=8,8,8,8,8,8"
        "&seed=1&speed=fastest",
    )
    config = api.get(f"/api/sessions/{session}").json()["config"]
    assert {k: config[k] for k in DIVERGING} == DIVERGING

    def size(selector: str) -> tuple[float, ...]:
        box = page.locator(selector).bounding_box()
        assert box
        return (box["x"], box["width"], box["height"])

    before = {s: size(s) for s in ["#loss-test", "#loss-train", "#heatmap"]}
    page.click("#play-pause-button")
    expect(page.locator("#banner")).to_be_visible(timeout=30_000)
    wait_idle(page)
    state = api.get(f"/api/sessions/{session}").json()
    assert state["status"] == "diverged"
    for selector in ["#loss-test", "#loss-train"]:
        text = page.text_content(selector) or ""
        assert re.fullmatch(r"\d+\.\d{3}|\d\.\de[+-]\d+", text), text
        assert len(text) <= 8
        assert size(selector) == before[selector], "layout moved"
    assert size("#heatmap") == before["#heatmap"]
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    # The banner names the epoch the counter shows.
    banner = page.text_content("#banner-text") or ""
    said = {int(n) for n in re.findall(r"epoch (\d+)", banner)}
    assert said == {epoch(page)}, (banner, epoch(page))
    assert state["diverged_at_epoch"] == epoch(page) + 1  # the epoch in which it diverged


# -- pause on reset --------------------------------------------------------------------------------


def test_a_change_that_resets_pauses_and_a_live_change_does_not(
    page: Page, live_server: str
) -> None:
    open_page(page, live_server, "#seed=3&speed=10ps")
    resets = [
        lambda: page.select_option("#activations", "relu"),  # network
        lambda: page.click("#reset-button"),  # the reset button
        lambda: page.click("button[aria-label='Dataset Gaussian']"),  # data
        lambda: page.click("#add-layers"),  # network
        lambda: page.locator("#batchSize").fill("5"),  # network
    ]
    for reset in resets:
        page.click("#play-pause-button")
        expect(page.locator("#play-pause-button")).to_have_attribute("aria-label", "Pause")
        reset()
        expect(page.locator("#play-pause-button")).to_have_attribute("aria-label", "Play")
        wait_idle(page)
        expect(page.locator("#iter-number")).to_have_text("000,000")
    page.click("#play-pause-button")
    page.select_option("#learningRate", "0.1")  # live: the network is kept
    animation_frames(page, 5)
    assert playing(page)
    page.click("#play-pause-button")
    wait_idle(page)


# -- the reference's _hide flags -------------------------------------------------------------------


def test_hide_flags_hide_their_controls_and_stay_in_the_link(page: Page, live_server: str) -> None:
    flags = (
        "activation_hide=true&learningRate_hide=true&networkShape_hide=true"
        "&numHiddenLayers_hide=true&problem_hide=true&x_hide=true&playButton_hide=false"
    )
    open_page(page, live_server, f"#seed=7&{flags}")
    for selector in ["#activations", "#learningRate", "#problem", "#add-layers", "#remove-layers"]:
        expect(page.locator(selector)).to_be_hidden()
    expect(page.locator(".layer-head").first).to_be_hidden()
    expect(page.locator("button[aria-label='Input feature X₁']")).to_have_count(0)
    for selector in ["#regularizations", "#play-pause-button", "#batchSize", "#network"]:
        expect(page.locator(selector)).to_be_visible()
    # The page rewrites the hash on every change: the flags stay (false ones are dropped).
    page.select_option("#regularizations", "l2")
    wait_idle(page)
    for flag in flags.split("&")[:-1]:
        assert flag in page.url, flag
    assert "playButton_hide" not in page.url
    page.reload()
    wait_idle(page)
    expect(page.locator("#activations")).to_be_hidden()
    assert "regularization=L2" in page.url and "x_hide=true" in page.url


# -- one batch -------------------------------------------------------------------------------------


def test_one_batch_step_is_exactly_one_update_and_rings_its_points(
    page: Page, live_server: str, api: httpx.Client
) -> None:
    session = open_page(page, live_server, "#seed=5&networkShape=3&batchSize=10")
    before = api.get(f"/api/sessions/{session}/model").json()
    with page.expect_response(lambda r: r.url.endswith("/step")) as answer:
        page.click("#batch-step-button")
    step, _ = decode_frame(answer.value.body())  # the page asks for binary frames
    wait_idle(page)
    after = api.get(f"/api/sessions/{session}/model").json()
    assert after["weights"] != before["weights"]
    # The engine, from the same model, one mini-batch: the same weights.
    trainer = Trainer.from_model({k: before[k] for k in ("config", "weights", "biases")})
    assert trainer.step_batches(1) == 1
    assert trainer.export()["weights"] == after["weights"]
    assert trainer.export()["biases"] == after["biases"]
    # A second session stepped by the API agrees too.
    other = api.post("/api/sessions", json={"model": before}).json()["id"]
    api.post(f"/api/sessions/{other}/step", json={"batches": 1})
    assert api.get(f"/api/sessions/{other}/model").json()["weights"] == after["weights"]
    # Its points are ringed on the map and the counter shows the batch.
    assert step["batch_points"] == list(range(10))
    expect(page.locator("#heatmap")).to_have_attribute("data-batch-points", "10")
    per_epoch = step["batches_per_epoch"]
    expect(page.locator("#iter-batch")).to_have_text(f"batch 1 of {per_epoch}")
    expect(page.locator(".heatmap-caption")).to_contain_text("ringed: the 10 points of batch 1")
    expect(page.locator("#iter-number")).to_have_text("000,000")
    # An epoch step finishes the epoch; the rings go.
    page.click("#next-step-button")
    wait_idle(page)
    expect(page.locator("#iter-number")).to_have_text("000,001")
    expect(page.locator("#iter-batch")).to_have_text("")
    expect(page.locator("#heatmap")).to_have_attribute("data-batch-points", "0")


def test_slow_speed_sends_about_ten_epochs_a_second(
    page: Page, live_server: str, recorder: Any
) -> None:
    open_page(page, live_server, "#seed=3&speed=10ps")
    page.click("#play-pause-button")
    start = time.monotonic()
    page.wait_for_timeout(1500)
    page.click("#play-pause-button")
    seconds = time.monotonic() - start
    wait_idle(page)
    assert all(step == {**step, "epochs": 1} and "max_ms" not in step for step in recorder.steps)
    assert 3 <= len(recorder.steps) <= seconds * 10 + 2
    assert epoch(page) == len(recorder.steps)


# -- the link notice, messages, a loaded model -----------------------------------------------------


def test_a_link_with_invalid_parts_loads_the_rest_and_says_what_was_ignored(
    page: Page, live_server: str, api: httpx.Client
) -> None:
    session = open_page(
        page, live_server, "#networkShape=9,9,9,9,9,9,9,9&dataset=moon&activation=relu&seed=3"
    )
    notice = page.locator("#link-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(
        "networkShape=9,9,9,9,9,9… ignored: at most 6 hidden layers of 1–8 neurons"
    )
    expect(notice).to_contain_text("dataset=moon ignored: one of circle, xor, gauss, spiral")
    config = api.get(f"/api/sessions/{session}").json()["config"]
    assert config["activation"] == "relu" and config["seed"] == 3
    assert config["hidden_layers"] == [4, 2] and config["dataset"] == "circle"
    page.click("#link-notice-close")
    expect(notice).to_be_hidden()
    open_page(page, live_server, "#activation=relu")
    expect(notice).to_be_hidden()


def test_files_that_are_not_models_get_plain_messages(
    page: Page, live_server: str, tmp_path: Path
) -> None:
    open_page(page, live_server, "#seed=2")
    cases = {
        "notes.json": ("this is not JSON", "it is not a JSON file"),
        "list.json": ("[1, 2]", "it holds no settings and weights"),
        "empty.json": ('{"config": {}}', "it has no weights and biases"),
    }
    for name, (content, why) in cases.items():
        path = tmp_path / name
        path.write_text(content)
        page.set_input_files("#model-file", path)
        expect(page.locator("#banner-text")).to_have_text(
            re.compile(f"^That file is not a model exported from this page: {why}")
        )
        page.click("#banner-close")
    # Refused by the server (422): its sentence, in the banner.
    path = tmp_path / "wrong.json"
    path.write_text(json.dumps({"config": {}, "weights": [[[1]]], "biases": [[1]]}))
    page.set_input_files("#model-file", path)
    expect(page.locator("#banner-text")).to_contain_text("Export model")


def test_a_loaded_model_shows_its_epoch_and_loss_history(
    page: Page, live_server: str, tmp_path: Path
) -> None:
    open_page(page, live_server, "#seed=9&networkShape=3")
    for _ in range(3):
        page.click("#next-step-button")
        wait_idle(page)
    path, model = export_from_page(page, tmp_path)
    assert model["epoch"] == 3 and len(model["history"]["train"]) == 4
    open_page(page, live_server, "#seed=1")
    page.set_input_files("#model-file", path)
    expect(page.locator("#iter-number")).to_have_text("000,003")
    wait_idle(page)
    expect(page.locator("#linechart")).to_have_attribute("aria-label", re.compile("over 3 epochs"))
    expect(page.locator("#loss-test")).to_have_text(f"{model['history']['test'][-1]:.3f}")


# -- explanations, the live region, projector mode -------------------------------------------------


def test_every_control_and_figure_has_an_explanation(page: Page, live_server: str) -> None:
    open_page(page, live_server)
    missing = page.evaluate(
        """() => [...document.querySelectorAll('[data-field], [data-help]')]
          .filter(el => el.getClientRects().length > 0 && !el.title)
          .map(el => el.dataset.field || el.dataset.help)"""
    )
    assert missing == []
    for selector in [".node.neuron", ".epoch", ".metrics", ".legend", "#heatmap", "#linechart"]:
        assert page.get_attribute(selector + " >> nth=0", "title"), selector
    panel = page.locator("#explain")
    expect(panel.locator("summary")).to_have_text("What am I looking at?")
    expect(panel.locator("p").first).to_be_hidden()
    panel.locator("summary").click()
    expect(panel.locator("p").first).to_be_visible()


def test_progress_is_announced_politely_and_on_pause(page: Page, live_server: str) -> None:
    open_page(page, live_server, "#seed=3&speed=10ps")
    for selector in ["#iter-number", "#loss-train", "#loss-test"]:
        assert page.get_attribute(selector, "aria-live") == "off"
    page.evaluate(
        """() => {
          window.said = [];
          const live = document.querySelector('#announcer');
          new MutationObserver(() => said.push(live.textContent))
            .observe(live, {childList: true, characterData: true, subtree: true});
        }"""
    )
    page.click("#play-pause-button")
    page.wait_for_timeout(2500)
    page.click("#play-pause-button")
    wait_idle(page)
    said = page.evaluate("said")
    assert 1 <= len(said) <= 3, said  # at most one while playing (every 5 s), one on pause
    assert re.match(f"Epoch {epoch(page)}[, ]", said[-1]), said


def test_projector_mode_and_both_pictures(
    page: Page, live_server: str, tmp_path: Path, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_page(page, live_server, BIG_NETWORK)
    normal = page.locator("#heatmap").bounding_box()
    page.locator("body").focus()
    page.keyboard.press("p")
    expect(page.locator("body")).to_have_class(re.compile("projector"))
    expect(page.locator("#projector-button")).to_have_attribute("aria-pressed", "true")
    animation_frames(page, 3)
    large = page.locator("#heatmap").bounding_box()
    assert normal and large and large["width"] > 1.5 * normal["width"]
    assert large["y"] + large["height"] <= 1080, "the whole map on the screen"
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    page.screenshot(path=artifacts / "class-page-projector-1920x1080.png")
    for button, least in [("#save-view", 1000), ("#save-png", 500)]:
        with page.expect_download() as download:
            page.click(button)
        png = tmp_path / f"{button[1:]}.png"
        download.value.save_as(png)
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(data[16:20], "big")
        assert width >= least, (button, width)
    page.click("#projector-button")
    expect(page.locator("body")).not_to_have_class(re.compile("projector"))


# -- the network: decision lines, the editor beside what it edits ----------------------------------


def test_decision_lines_are_coloured_per_neuron_and_the_editor_opens_beside(
    page: Page, live_server: str
) -> None:
    open_page(page, live_server, "#seed=5&lines=true")
    colours = page.eval_on_selector_all(
        ".node.neuron.line-colored", "els => els.map(e => e.style.borderColor)"
    )
    assert len(colours) == 4 and len(set(colours)) == 4
    link = page.locator('path.link-hit[data-layer="1"][data-source="0"][data-target="1"]')
    link.click()
    editor = page.locator("form.net-editor")
    expect(editor).to_be_visible()
    box = editor.bounding_box()
    ends = [
        page.locator(".node.neuron >> nth=0").bounding_box(),  # neuron 1 of layer 1
        page.locator(".node.neuron >> nth=5").bounding_box(),  # neuron 2 of layer 2
        link.bounding_box(),
    ]
    for other in ends:
        assert box and other
        apart = (
            box["x"] >= other["x"] + other["width"]
            or other["x"] >= box["x"] + box["width"]
            or box["y"] >= other["y"] + other["height"]
            or other["y"] >= box["y"] + box["height"]
        )
        assert apart, (box, other)
    editor.get_by_role("button", name="Cancel").click()


# -- accessibility ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_axe_finds_no_serious_or_critical_violations(
    page: Page, live_server: str, width: int, height: int
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    open_page(page, live_server, "#seed=2&showTestData=true&lines=true")
    page.click("#next-step-button")
    wait_idle(page)
    # Injected by the test only (the app never serves axe-core).
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
    )
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert serious == []
    # Weight and bias buttons are in a group, not an image, and each has a name.
    assert page.get_attribute("svg.net-links", "role") == "group"
    names = page.eval_on_selector_all(
        "svg.net-links [role=button]", "els => els.map(e => e.getAttribute('aria-label'))"
    )
    assert names and all(name and name.endswith("press Enter to edit") for name in names)
