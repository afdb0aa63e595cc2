"""Explain a point and replay a run on the page, in a real browser against a real server.

Every number the page shows is read back and compared with the server's own answer for
the same request (POST explain, GET model, GET frame, GET checkpoints), parsed from the
page's text: four significant digits, a real minus sign.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.helpers import (
    animation_frames,
    epoch,
    heatmap_pixels,
    open_page,
    wait_for_epoch,
    wait_idle,
)

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Waits for answers of the server while other tests share its two cores.
SLOW = 15_000
NUMBER = re.compile(r"[−-]?\d+(?:\.\d+)?(?:e[−-]?\d+)?")

Recorder = Any  # conftest.Recorder


def numbers(text: str) -> list[float]:
    """Every number in a text, in order (the page writes − for minus)."""
    return [float(n.replace("−", "-")) for n in NUMBER.findall(text)]


def close(shown: float, exact: float) -> bool:
    """A number shown with four significant digits is the exact one, rounded."""
    return abs(shown - exact) <= 5e-4 * abs(exact) + 1e-12


def label(page: Page, layer: int, j: int) -> list[str]:
    """The lines under node (layer, j) of the diagram."""
    return page.locator(f'.net-label[data-node="{layer},{j}"] span').all_text_contents()


def value_of(line: str) -> float:
    """The number of a label line such as "z −0.5923" or "δ 1.015"."""
    return numbers(line)[-1]


def detail_lines(page: Page) -> list[str]:
    return page.locator(".xp-detail-lines p").all_text_contents()


def stage(page: Page, name: str) -> None:
    """Show a stage and wait until it is drawn."""
    page.click(f'.xp-stage[data-stage="{name}"]')
    expect(page.locator(f'.xp-stage[data-stage="{name}"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    wait_idle(page)


def line_with(lines: list[str], start: str) -> str:
    found = [line for line in lines if line.startswith(start)]
    assert found, (start, lines)
    return found[0]


def map_click(page: Page, point: list[float]) -> None:
    """Click the output map at a point of the plane ([-6, 6]², y up)."""
    box = page.locator("#heatmap .heatmap-box canvas.xp-map-layer").bounding_box()
    assert box
    x = box["x"] + (point[0] + 6) / 12 * box["width"]
    y = box["y"] + (6 - point[1]) / 12 * box["height"]
    page.mouse.click(x, y)


def explained(page: Page, index: int) -> None:
    """Wait until the page shows the explanation of training point ``index``."""
    expect(page.locator(f'.xp-point[data-index="{index}"]')).to_be_visible()
    wait_idle(page)


def checkpoints(api: httpx.Client, session: str) -> list[int]:
    answer = api.get(f"/api/sessions/{session}/checkpoints").json()
    return [c["epoch"] for c in answer["checkpoints"]]


def pick_link(page: Page, layer: int, source: int, target: int) -> None:
    """Pick a link of the diagram (as a click on it does)."""
    hit = f'path.link-hit[data-layer="{layer}"][data-source="{source}"][data-target="{target}"]'
    page.locator(hit).dispatch_event("click")


def test_explain_a_point_forward_backward_update_and_apply(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder, artifacts: Path
) -> None:
    """Circle, one hidden layer of 2, L2 0.01: every number on the diagram is the server's."""
    link = "#dataset=circle&networkShape=2&seed=3&regularization=L2&regularizationRate=0.01"
    session = open_page(page, live_server, link)
    for _ in range(3):
        page.click("#next-step-button")
    wait_for_epoch(page, 3)
    wait_idle(page)
    page.click("#explain-point-button")
    expect(page.locator("#explain-point")).to_be_visible()
    expect(page.locator("#explain-point-button")).to_have_attribute("aria-pressed", "true")
    data = api.get(f"/api/sessions/{session}/data").json()
    points = data["train"]["points"]
    # A point on its own (no other training point within 0.6), clicked on the map.
    index = next(
        i
        for i, (x, y) in enumerate(points)
        if abs(x) < 5.5
        and abs(y) < 5.5
        and all((x - u) ** 2 + (y - v) ** 2 > 0.36 for k, (u, v) in enumerate(points) if k != i)
    )
    map_click(page, points[index])
    explained(page, index)
    ex = api.post(f"/api/sessions/{session}/explain", json={"index": index}).json()
    assert ex["penalty"] > 0

    # Forward: the inputs' values, each neuron's z and a, the output and the loss.
    for k, v in enumerate(ex["inputs"]):
        assert close(value_of(label(page, 0, k)[0]), v)
    for layer in (1, 2):
        for j, (z, a) in enumerate(
            zip(ex["pre_activations"][layer - 1], ex["activations"][layer - 1], strict=True)
        ):
            lines = label(page, layer, j)
            assert lines[0].startswith("z ") and close(value_of(lines[0]), z), lines
            assert close(value_of(lines[1]), a), lines
    assert label(page, 2, 0)[1].startswith("out ")
    loss_text = page.locator(".xp-loss").text_content() or ""
    assert "penalty" in loss_text
    loss_line = page.locator(".xp-loss p").last.text_content() or ""
    assert close(numbers(loss_line)[-1], ex["loss"])
    assert close(numbers(loss_line)[-2], ex["penalty"])
    assert close(numbers(loss_line)[-3], ex["data_loss"])
    page.screenshot(path=artifacts / "explain-forward-1280x800.png")

    # Backward: every δ, and each link drawn by its gradient (the largest |∂L/∂w| widest).
    stage(page, "backward")
    for layer in (1, 2):
        for j, d in enumerate(ex["deltas"][layer - 1]):
            line = label(page, layer, j)[1]
            assert line.startswith("δ ") and close(value_of(line), d), line
    grads = [
        (abs(g), (layer, i, j))
        for layer, w in enumerate(ex["weight_gradients"])
        for i, row in enumerate(w)
        for j, g in enumerate(row)
    ]
    widest = max(grads)[1]
    width = page.get_attribute(
        f'path.link[data-layer="{widest[0]}"][data-source="{widest[1]}"][data-target="{widest[2]}"]',
        "stroke-width",
    )
    assert width == "10.00"

    # A weight picked: its chain rule with the numbers plugged in, L2's part included.
    before = api.get(f"/api/sessions/{session}/model").json()
    w = before["weights"][1][0][0]
    pick_link(page, 1, 0, 0)
    expect(page.locator(".xp-detail")).to_have_attribute("data-pick", "w:1,0,0")
    expect(page.locator(".xp-detail-title")).to_have_text(
        "Weight from neuron 1 of hidden layer 1 to the output"
    )
    grad_line = line_with(detail_lines(page), "∂L/∂w")
    assert "δ(out) · a(h1.1) + rate · w" in grad_line
    delta, a, rate, shown_w, grad = numbers(grad_line.split("=", 2)[2])
    assert close(delta, ex["deltas"][1][0]) and close(a, ex["activations"][0][0])
    assert rate == 0.01 and close(shown_w, w)
    assert close(grad, ex["weight_gradients"][1][0][0])
    assert close(grad, delta * a + rate * w)

    # Update: Δw = −lr · ∂L/∂w and the new value, then the step applied.
    stage(page, "update")
    lines = detail_lines(page)
    step_line = line_with(lines, "Δw")
    new_line = line_with(lines, "new w")
    lr, _, step = numbers(step_line.split("=", 1)[1])[-3:]
    assert lr == -0.03  # written "−0.03 × …"
    assert close(step, -0.03 * ex["weight_gradients"][1][0][0])
    new_w = numbers(new_line)[-1]
    assert close(new_w, ex["updated_weights"][1][0][0])
    row = page.locator('tr[data-key="w:1,0,0"] td').all_text_contents()
    assert close(numbers(row[3])[0], ex["updated_weights"][1][0][0])
    page.screenshot(path=artifacts / "explain-update-1280x800.png")
    page.click(".xp-apply")
    page.wait_for_function("() => document.querySelector('.xp-detail') !== null")
    wait_idle(page)
    after = api.get(f"/api/sessions/{session}/model").json()
    assert after["weights"][1][0][0] == ex["updated_weights"][1][0][0]
    assert close(after["weights"][1][0][0] - w, step)
    assert after["epoch"] == before["epoch"] == 3
    # The page explains the point again on the new weights: the forward stage, a lower loss.
    forward = page.locator('.xp-stage[data-stage="forward"]')
    expect(forward).to_have_attribute("aria-pressed", "true")
    again = api.post(f"/api/sessions/{session}/explain", json={"index": index}).json()
    assert again["loss"] < ex["loss"]
    page.wait_for_function(
        "(v) => { const p = document.querySelector('.xp-loss p:last-child');"
        " return p && p.textContent.endsWith(v); }",
        arg=_sig(again["loss"]),
    )
    expect(page.locator(".xp-detail")).to_be_visible()
    # A bias: ∂L/∂b = δ; a hidden neuron: δ = f′(z) · Σ w·δ.
    stage(page, "backward")
    page.locator('rect.bias[data-layer="1"][data-neuron="1"]').dispatch_event("click")
    expect(page.locator(".xp-detail")).to_have_attribute("data-pick", "b:1,1")
    bias_line = line_with(detail_lines(page), "∂L/∂b")
    assert close(numbers(bias_line)[-1], again["deltas"][0][1])
    page.locator('.node.neuron[data-node="1,1"]').click()
    expect(page.locator(".xp-detail")).to_have_attribute("data-pick", "n:1,1")
    delta_line = line_with(detail_lines(page), "δ(h1.2)")
    f_line = line_with(detail_lines(page), "f′(z)")
    a1 = again["activations"][0][1]
    assert close(numbers(f_line)[-1], 1 - a1 * a1)
    w_next = after["weights"][1][1][0]
    shown = numbers(delta_line.split("=", 2)[2])
    assert close(shown[1], w_next) and close(shown[2], again["deltas"][1][0])
    assert close(shown[-1], again["deltas"][0][1])

    # Next point, then Done: the diagram is plain again.
    page.click(".xp-next")
    explained(page, (index + 1) % len(points))
    page.click(".xp-done")
    expect(page.locator("#explain-point")).to_be_hidden()
    expect(page.locator(".net-label")).to_have_count(0)
    assert api.get(f"/api/sessions/{session}").json()["epoch"] == 3
    assert recorder.errors == []


def _sig(v: float) -> str:
    """The page's four significant digits (tests only the common range)."""
    text = f"{abs(v):.4g}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return ("−" if v < 0 else "") + text


def test_multiclass_and_regression_explain_every_output(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder
) -> None:
    session = open_page(page, live_server, "#networkShape=3&seed=8")
    page.select_option("#problem", "multiclass")
    wait_idle(page)
    page.click("#explain-point-button")
    page.click(".xp-next")
    explained(page, 0)
    ex = api.post(f"/api/sessions/{session}/explain", json={"index": 0}).json()
    k = len(ex["output"])
    assert k == 3
    expect(page.locator('.net-label[data-node^="2,"]')).to_have_count(k)
    for j, p in enumerate(ex["output"]):
        lines = label(page, 2, j)
        assert lines[1].startswith("p ") and close(value_of(lines[1]), p)
    assert close(numbers(page.locator(".xp-loss p").first.text_content() or "")[-1], ex["loss"])
    # The true class's output is picked first: δ = p − 1.
    stage(page, "backward")
    true_class = round(ex["label"])
    expect(page.locator(".xp-detail")).to_have_attribute("data-pick", f"n:2,{true_class}")
    line = line_with(detail_lines(page), f"δ(out {true_class})")
    p, hit, d = numbers(line.split("=", 1)[1])[-3:]
    assert close(p, ex["output"][true_class]) and hit == 1
    assert close(d, ex["deltas"][1][true_class])

    # Regression: one linear output, its target.
    page.click(".xp-done")
    page.select_option("#problem", "regression")
    wait_idle(page)
    page.click("#explain-point-button")
    page.click(".xp-next")
    explained(page, 0)
    ex = api.post(f"/api/sessions/{session}/explain", json={"index": 0}).json()
    assert len(ex["output"]) == 1
    assert close(value_of(label(page, 2, 0)[1]), ex["output"][0])
    expect(page.locator(".xp-point")).to_contain_text("target")
    stage(page, "backward")
    line = line_with(detail_lines(page), "δ(out)")
    assert close(numbers(line)[-1], ex["deltas"][1][0])
    page.click(".xp-done")
    assert recorder.errors == []


def test_timeline_replays_and_resumes_from_a_checkpoint(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder, artifacts: Path
) -> None:
    session = open_page(page, live_server, "#dataset=xor&networkShape=4&seed=5&learningRate=0.3")
    for _ in range(8):
        page.click("#next-step-button")
    wait_for_epoch(page, 8)
    wait_idle(page)
    slider = page.locator("#timeline-slider")
    expect(page.locator(".timeline-epoch")).to_have_text("Now · epoch 8", timeout=SLOW)
    listed = checkpoints(api, session)
    assert listed == list(range(9))
    expect(slider).to_have_attribute("max", "8", timeout=SLOW)
    live_map = heatmap_pixels(page)["data"]

    # Back to epoch 2 with the keyboard: the map and the weights are epoch 2's.
    slider.focus()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator(".timeline-epoch")).to_have_text("Epoch 2 (now 8)", timeout=SLOW)
    expect(page.locator("#timeline")).to_have_attribute("data-loaded", "true", timeout=SLOW)
    wait_idle(page)
    assert slider.get_attribute("aria-valuetext") == "epoch 2"
    old = api.get(f"/api/sessions/{session}/frame", params={"epoch": 2}).json()
    assert heatmap_pixels(page)["data"] != live_map
    w = old["weights"][0][0][0]
    assert (
        page.get_attribute(
            'path.link[data-layer="0"][data-source="0"][data-target="0"]', "stroke-width"
        )
        == f"{1 + 9 * min(abs(w), 5) / 5:.2f}"
    )
    assert api.get(f"/api/sessions/{session}").json()["epoch"] == 8
    assert epoch(page) == 8
    page.screenshot(path=artifacts / "timeline-replay-1280x800.png")

    # Back at the right end: live again.
    page.keyboard.press("End")
    expect(page.locator(".timeline-epoch")).to_have_text("Now · epoch 8", timeout=SLOW)
    expect(page.locator(".timeline-resume")).to_be_hidden()
    wait_idle(page)
    assert heatmap_pixels(page)["data"] == live_map

    # Scrubbing while training pauses it (checkpoints are thinned out as training goes on:
    # the slider's stops are the ones listed once it stopped).
    page.click("#play-pause-button")
    wait_for_epoch(page, 40)
    slider.focus()
    page.keyboard.press("Home")
    expect(page.locator("#play-pause-button")).not_to_have_class(re.compile(r"\bplaying\b"))
    wait_idle(page)
    now = api.get(f"/api/sessions/{session}").json()["epoch"]
    assert now >= 40 and epoch(page) == now
    expect(page.locator(".timeline-epoch")).to_have_text(f"Epoch 0 (now {now})", timeout=SLOW)
    listed = checkpoints(api, session)
    expect(slider).to_have_attribute("max", str(len(listed) - 1), timeout=SLOW)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    back_to = listed[2]
    expect(page.locator(".timeline-epoch")).to_have_text(
        f"Epoch {back_to} (now {now})", timeout=SLOW
    )
    expect(page.locator("#timeline")).to_have_attribute("data-loaded", "true", timeout=SLOW)
    wait_idle(page)

    # Resume from here: the session, the counter and the history go back to that epoch.
    old = api.get(f"/api/sessions/{session}/frame", params={"epoch": back_to}).json()
    page.click(".timeline-resume")
    expect(page.locator(".timeline-epoch")).to_have_text(f"Now · epoch {back_to}", timeout=SLOW)
    wait_idle(page)
    state = api.get(f"/api/sessions/{session}").json()
    assert state["epoch"] == back_to == epoch(page)
    history = api.get(f"/api/sessions/{session}/frame", params={"since": 0}).json()["history"]
    assert history["epochs"] == list(range(back_to + 1))
    assert history["run"] >= 2
    assert page.get_attribute("#linechart", "aria-label") == (
        f"Loss chart over {back_to} epochs; latest test loss {history['test'][-1]:.3f}"
    )
    resumed = api.get(f"/api/sessions/{session}/model").json()
    assert resumed["weights"] == old["weights"]
    assert resumed["history"]["test"] == history["test"]
    listed = checkpoints(api, session)
    assert listed[-1] == back_to
    expect(slider).to_have_attribute("max", str(len(listed) - 1), timeout=SLOW)
    # Training goes on from there.
    page.click("#next-step-button")
    wait_for_epoch(page, back_to + 1)
    assert recorder.errors == []


def test_explain_view_layout_and_accessibility(
    page: Page, live_server: str, recorder: Recorder, artifacts: Path
) -> None:
    open_page(page, live_server, "#networkShape=4,2&seed=2")
    page.click("#next-step-button")
    wait_idle(page)
    page.click("#explain-point-button")
    page.click(".xp-next")
    explained(page, 0)
    stage(page, "backward")
    pick_link(page, 1, 0, 0)
    wait_idle(page)
    page.evaluate(AXE.read_text())
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"
    )
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == []
    for width, height in ((390, 844), (768, 1024), (1280, 800), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        wait_idle(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width
        for selector in ["#explain-point", "#timeline", "#heatmap"]:
            box = page.locator(selector).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, width)
        page.locator("#explain-point").scroll_into_view_if_needed()
        animation_frames(page, 3)
        page.screenshot(path=artifacts / f"explain-{width}x{height}.png")
        page.screenshot(path=artifacts / f"explain-{width}x{height}-full.png", full_page=True)
    assert recorder.errors == []


def test_export_as_python_trains_the_same_losses_and_compare_carries_the_settings(
    page: Page, live_server: str, api: httpx.Client, tmp_path: Path
) -> None:
    """ "Export as Python" downloads the script: run, it prints the history the session has;
    "Compare runs" opens the compare page with this page's settings in its link."""
    link = "#dataset=xor&networkShape=3&seed=5&batchSize=7"
    session = open_page(page, live_server, link)
    for _ in range(4):
        page.click("#next-step-button")
    wait_for_epoch(page, 4)
    wait_idle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Export as Python").click()
    assert download.value.suggested_filename == "neural-playground.py"
    path = tmp_path / "neural-playground.py"
    download.value.save_as(path)
    run = subprocess.run(
        [sys.executable, str(path), "--epochs", "4"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    printed = [line.split() for line in run.stdout.splitlines() if line.split()[0].isdigit()]
    history = api.get(f"/api/sessions/{session}/model").json()["history"]
    assert [int(e) for e, _, _ in printed] == [0, 1, 2, 3, 4]
    assert [float(a) for _, a, _ in printed] == history["train"]
    assert [float(b) for _, _, b in printed] == history["test"]

    compare = page.get_by_role("link", name="Compare runs")
    compare.click()
    page.wait_for_url(re.compile(r"/compare#.*dataset=xor"))
    assert "networkShape=3" in page.url and "seed=5" in page.url
