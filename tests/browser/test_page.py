"""The page in a real browser against a real server (see conftest.py)."""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.helpers import (
    animation_frames,
    epoch,
    export_from_page,
    grid_point,
    heatmap_pixels,
    open_page,
    wait_for_epoch,
    wait_for_new_session,
    wait_idle,
)

Recorder = Any  # conftest.Recorder: errors, requests, steps

REFERENCE_IDS = [
    "play-pause-button", "reset-button", "next-step-button", "iter-number", "loss-train",
    "loss-test", "learningRate", "activations", "regularizations", "regularRate", "problem",
    "percTrainData", "noise", "batchSize", "data-regen-button", "show-test-data", "discretize",
    "heatmap", "linechart", "network", "num-layers", "add-layers", "remove-layers",
]  # fmt: skip

# The reference's colour scale, written out independently of static/js/colors.js.
ORANGE, NEUTRAL, BLUE = (245, 147, 34), (232, 234, 235), (8, 119, 189)


def color_of(v: float) -> tuple[int, ...]:
    v = max(-1.0, min(1.0, v))
    end, t = (ORANGE, -v) if v < 0 else (BLUE, v)
    return tuple(int(a + (b - a) * t + 0.5) for a, b in zip(NEUTRAL, end, strict=True))


def quantised(v: float) -> float:
    """What survives the frame's 8-bit encoding: q = round((v + 1)·127.5), v = q/127.5 − 1."""
    q = round((max(-1.0, min(1.0, v)) + 1) * 127.5)
    return q / 127.5 - 1


def controls(page: Page) -> dict[str, Any]:
    """What the controls show."""
    return page.evaluate(
        """() => {
          const out = {};
          const fields = '.toolbar select, .toolbar input, .data-column input, .checks input';
          for (const el of document.querySelectorAll(fields)) {
            out[el.id] = el.type === 'checkbox' ? el.checked : el.value;
          }
          out.layers = document.querySelector('#num-layers').textContent;
          out.features = [...document.querySelectorAll('.node.feature')]
            .map(b => b.getAttribute('aria-pressed'));
          out.neurons = [...document.querySelectorAll('.layer-count')].map(e => e.textContent);
          out.dataset = document.querySelector('.dataset[aria-pressed=true]')?.textContent;
          return out;
        }"""
    )


# -- loading -------------------------------------------------------------------------------


def test_page_loads_without_console_errors_or_other_hosts(
    page: Page, live_server: str, recorder: Recorder
) -> None:
    open_page(page, live_server)
    for element_id in REFERENCE_IDS:
        assert page.locator(f"#{element_id}").count() == 1, f"#{element_id} missing"
    page.click("#play-pause-button")
    wait_for_epoch(page, 1)
    page.click("#play-pause-button")
    wait_idle(page)
    assert recorder.errors == []
    foreign = [
        url
        for url in recorder.requests
        if not url.startswith(f"{live_server}/") and not url.startswith(("data:", "blob:"))
    ]
    assert foreign == []
    assert any("/static/js/main.js" in url for url in recorder.requests)


def test_controls_are_built_from_the_servers_options(
    page: Page, live_server: str, api: httpx.Client
) -> None:
    open_page(page, live_server)
    options = api.get("/api/options").json()

    def values(select: str) -> list[str]:
        return page.eval_on_selector_all(f"{select} option", "os => os.map(o => o.value)")

    assert values("#activations") == options["activations"]
    assert values("#regularizations") == options["regularizations"]
    assert values("#optimizer") == options["optimizers"]
    assert values("#init") == options["inits"]
    assert values("#problem") == options["problems"]
    assert [float(v) for v in values("#learningRate")] == options["learning_rates"]
    assert [float(v) for v in values("#regularRate")] == options["regularization_rates"]
    assert page.get_attribute("#batchSize", "max") == str(options["limits"]["batch_size"][1])
    assert page.locator(".node.feature").count() == len(options["features"])


def test_every_control_has_an_accessible_name_and_is_reachable_by_keyboard(
    page: Page, live_server: str
) -> None:
    open_page(page, live_server)
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('button, select, input, [role=button], [tabindex]')]
          .filter(el => el.getClientRects().length > 0 || el.closest('.net-links'))
          .filter(el => {
            const by = el.getAttribute('aria-labelledby');
            const name = el.getAttribute('aria-label')
              || (by && by.split(' ').map(id => document.getElementById(id)?.textContent).join(' '))
              || (el.labels && [...el.labels].map(l => l.textContent).join(' '))
              || el.textContent || el.getAttribute('title') || '';
            return name.trim() === '';
          })
          .map(el => el.outerHTML.slice(0, 80))"""
    )
    assert unnamed == []
    reached: set[str] = set()
    page.locator("body").focus()
    for _ in range(80):
        page.keyboard.press("Tab")
        reached.add(
            page.evaluate(
                """() => {
                  const a = document.activeElement;
                  return a.id || a.getAttribute('aria-label') || a.tagName;
                }"""
            )
        )
    for element_id in [
        "reset-button", "play-pause-button", "next-step-button", "learningRate", "activations",
        "regularizations", "regularRate", "problem", "optimizer", "init", "decay", "dropout",
        "speed", "percTrainData", "noise", "batchSize", "data-regen-button", "add-layers",
        "remove-layers", "show-test-data", "discretize", "first-layer-lines", "export-model",
        "import-model", "save-png",
    ]:  # fmt: skip
        assert element_id in reached, f"#{element_id} not reachable with Tab"
    assert "Dataset Spiral" in reached
    assert "Input feature X₁" in reached  # the network diagram's single tab stop


def test_space_toggles_play_but_not_while_typing(page: Page, live_server: str) -> None:
    open_page(page, live_server)
    page.locator("body").focus()
    page.keyboard.press("Space")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-label", "Pause")
    page.keyboard.press("Space")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-label", "Play")
    wait_idle(page)
    if page.locator("input#decay").count():
        page.focus("input#decay")
    else:
        page.focus("#learningRate")
    page.keyboard.press("Space")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-label", "Play")


# -- training --------------------------------------------------------------------------------


def test_spiral_with_six_layers_of_eight_learns_within_a_minute(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder, artifacts: Path
) -> None:
    session = open_page(page, live_server, "#seed=2")
    page.click("button[aria-label='Dataset Spiral']")
    wait_idle(page)
    while page.text_content("#num-layers") != "6":
        page.click("#add-layers")
        wait_idle(page)
    for layer in range(1, 7):
        add = page.locator(f"button[aria-label='Add a neuron to hidden layer {layer}']")
        while add.is_enabled():
            add.click()
            wait_idle(page)
    page.select_option("#speed", "fastest")
    config = api.get(f"/api/sessions/{session}").json()["config"]
    assert config["dataset"] == "spiral"
    assert config["hidden_layers"] == [8] * 6
    assert config["seed"] == 2

    page.click("#play-pause-button")
    wait_for_epoch(page, 1)
    first = epoch(page)
    page.wait_for_function(
        "() => Number(document.querySelector('#loss-test').textContent) < 0.1", timeout=60_000
    )
    page.click("#play-pause-button")
    wait_idle(page)
    assert epoch(page) > first
    # Paused, the page shows the server's latest numbers (a step in flight at the pause
    # may have trained a little further).
    state = api.get(f"/api/sessions/{session}").json()
    assert f"{state['test_loss']:.3f}" == page.text_content("#loss-test")
    assert state["epoch"] == epoch(page)

    # The fastest speed asks for the server's maximum within 25 ms, with a frame.
    limits = api.get("/api/options").json()["limits"]
    fastest = recorder.steps[-1]
    assert fastest["epochs"] == limits["max_epochs_per_step"]
    assert fastest["max_ms"] == 16
    assert fastest["frame"] is True
    # Paused: no more polling.
    sent = len(recorder.steps)
    animation_frames(page, 20)
    assert len(recorder.steps) == sent
    page.screenshot(path=artifacts / "spiral-trained-1280x800.png")


def test_slowest_speed_trains_one_epoch_per_step(
    page: Page, live_server: str, recorder: Recorder
) -> None:
    open_page(page, live_server, "#seed=3&speed=1")
    page.click("#play-pause-button")
    wait_for_epoch(page, 5)
    page.click("#play-pause-button")
    wait_idle(page)
    assert recorder.steps
    assert all(step["epochs"] == 1 and "max_ms" not in step for step in recorder.steps)
    assert epoch(page) == len(recorder.steps)


def test_polling_stops_while_the_tab_is_hidden(
    page: Page, live_server: str, recorder: Recorder
) -> None:
    open_page(page, live_server, "#seed=4&speed=1")
    page.click("#play-pause-button")
    wait_for_epoch(page, 3)
    page.evaluate(
        """() => {
          Object.defineProperty(document, 'hidden', {value: true, configurable: true});
          document.dispatchEvent(new Event('visibilitychange'));
        }"""
    )
    wait_idle(page)
    sent = len(recorder.steps)
    animation_frames(page, 20)
    assert len(recorder.steps) == sent
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-label", "Pause")
    stopped = epoch(page)
    page.evaluate(
        """() => {
          Object.defineProperty(document, 'hidden', {value: false, configurable: true});
          document.dispatchEvent(new Event('visibilitychange'));
        }"""
    )
    wait_for_epoch(page, stopped + 1)
    page.click("#play-pause-button")


def test_every_control_works_while_training_without_errors(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder
) -> None:
    open_page(page, live_server, "#seed=12&speed=fastest")
    page.click("#play-pause-button")
    for label in ["X₁²", "X₁X₂", "X₁", "sin(X₂)"]:
        page.click(f"button[aria-label='Input feature {label}']")
    page.click("#add-layers")
    page.click("button[aria-label='Add a neuron to hidden layer 3']")
    page.click("button[aria-label='Remove a neuron from hidden layer 1']")
    for select in ["#learningRate", "#activations", "#regularizations", "#regularRate",
                   "#optimizer", "#init", "#speed"]:  # fmt: skip
        options = page.eval_on_selector_all(f"{select} option", "os => os.map(o => o.value)")
        page.select_option(select, options[-2])
    page.locator("#batchSize").fill("7")
    page.locator("#percTrainData").fill("30")
    page.check("#discretize")
    page.check("#first-layer-lines")
    page.click("button[aria-label='Dataset Gaussian']")
    page.click("#data-regen-button")
    page.select_option("#problem", "regression")
    page.click("button[aria-label='Dataset Multi gaussian']")
    page.hover(".node.neuron >> nth=0")
    page.click("#remove-layers")
    if page.get_attribute("#play-pause-button", "aria-label") == "Pause":
        page.click("#play-pause-button")
    wait_idle(page)
    assert recorder.errors == []
    config = api.get(f"/api/sessions/{page.get_attribute('main', 'data-session')}").json()["config"]
    assert config["problem"] == "regression"
    assert config["dataset"] == "multigauss"
    assert config["features"] == ["x2", "x1_squared", "x1_x2", "sin_x2"]
    assert config["hidden_layers"] == [3, 2]
    assert config["batch_size"] == 7
    assert config["train_ratio"] == 30


def test_decision_map_agrees_with_the_servers_predictions(
    page: Page, live_server: str, api: httpx.Client
) -> None:
    session = open_page(page, live_server, "#dataset=gauss&networkShape=5,3&seed=11")
    for k in range(1, 4):
        page.click("#next-step-button")
        wait_idle(page)
        expect(page.locator("#iter-number")).to_have_text(f"000,00{k}")
    pixels = heatmap_pixels(page)
    n = pixels["width"]
    assert n == pixels["height"] == api.get("/api/options").json()["limits"]["density"]
    rng = random.Random(0)
    cells = [(rng.randrange(n), rng.randrange(n)) for _ in range(400)]
    points = [grid_point(r, c, n) for r, c in cells]
    outputs = api.post(f"/api/sessions/{session}/predict", json={"points": points}).json()[
        "outputs"
    ]
    assert max(outputs) - min(outputs) > 0.5, "the map should not be flat"

    def pixel(row: int, col: int) -> tuple[int, ...]:
        i = 4 * (row * n + col)
        return tuple(pixels["data"][i : i + 3])

    def mismatches(flip: bool) -> int:
        bad = 0
        for (r, c), v in zip(cells, outputs, strict=True):
            got = pixel(n - 1 - r if flip else r, c)
            want = color_of(quantised(v))
            if max(abs(a - b) for a, b in zip(got, want, strict=True)) > 2:
                bad += 1
        return bad

    assert mismatches(flip=False) == 0
    # The test can tell: the map upside down would not match.
    assert mismatches(flip=True) > 100
    # Signs: blue where the network says positive, orange where negative.
    for (r, c), v in zip(cells, outputs, strict=True):
        red, _, blue = pixel(r, c)
        if v > 0.05:
            assert blue > red
        elif v < -0.05:
            assert red > blue


def test_hovering_a_neuron_shows_its_map_large(
    page: Page, live_server: str, api: httpx.Client
) -> None:
    session = open_page(page, live_server, "#seed=8")
    page.hover(".node.neuron >> nth=1")
    expect(page.locator(".heatmap-caption")).to_have_text("Neuron 2 of hidden layer 1")
    wait_idle(page)
    frame = api.get(f"/api/sessions/{session}/frame", params={"neuron": "1,1"}).json()
    grid = base64.b64decode(frame["neuron"]["grid"])
    pixels = heatmap_pixels(page)
    for i in range(0, len(grid), 97):
        want = color_of(grid[i] / 127.5 - 1)
        got = tuple(pixels["data"][4 * i : 4 * i + 3])
        assert max(abs(a - b) for a, b in zip(got, want, strict=True)) <= 1
    page.mouse.move(2, 2)
    expect(page.locator(".heatmap-caption")).to_have_text("Output")


# -- editing ---------------------------------------------------------------------------------


def test_edit_a_weight_and_a_bias_through_the_ui(
    page: Page, live_server: str, api: httpx.Client
) -> None:
    session = open_page(page, live_server, "#seed=5")
    model = api.get(f"/api/sessions/{session}/model").json()
    # From neuron 1 of layer 1 to neuron 2 of layer 2: a curve, on top where links cross.
    link = page.locator('path.link-hit[data-layer="1"][data-source="0"][data-target="1"]')
    link.hover()
    tooltip = page.locator(".net-tooltip")
    expect(tooltip).to_have_text(f"Weight {model['weights'][1][0][1]:.3f}")

    link.click()
    editor = page.locator("form.net-editor")
    expect(editor).to_be_visible()
    page.mouse.move(3, 3)  # moving the mouse away does not close it
    expect(editor).to_be_visible()
    page.fill("#net-editor-input", "-2.5")
    with page.expect_response(
        lambda r: r.url.endswith("/weights") and r.request.method == "PUT"
    ) as answer:
        editor.get_by_role("button", name="Set").click()
    assert answer.value.ok
    expect(editor).to_be_hidden()
    assert api.get(f"/api/sessions/{session}/model").json()["weights"][1][0][1] == -2.5
    # The picture follows: the link is now 1 + 9·2.5/5 = 5.5 px wide and orange.
    drawn = page.locator('path.link[data-layer="1"][data-source="0"][data-target="1"]')
    expect(drawn).to_have_attribute("stroke-width", "5.50")
    red, green, blue = color_of(-2.5)
    expect(drawn).to_have_attribute("stroke", f"rgb({red}, {green}, {blue})")

    bias = page.locator('rect.bias[data-layer="1"][data-neuron="2"]')
    bias.click()
    expect(editor).to_be_visible()
    page.fill("#net-editor-input", "0.75")
    with page.expect_response(lambda r: r.url.endswith("/biases") and r.request.method == "PUT"):
        page.keyboard.press("Enter")
    assert api.get(f"/api/sessions/{session}/model").json()["biases"][0][2] == 0.75

    # Cancel leaves the value alone.
    bias.click()
    page.fill("#net-editor-input", "9")
    editor.get_by_role("button", name="Cancel").click()
    expect(editor).to_be_hidden()
    assert api.get(f"/api/sessions/{session}/model").json()["biases"][0][2] == 0.75


def test_weight_editor_by_keyboard(page: Page, live_server: str, api: httpx.Client) -> None:
    session = open_page(page, live_server, "#seed=6&networkShape=1")
    page.focus(".node.feature >> nth=0")
    # Features (7), then the neuron, its bias and its two links, then the output...
    page.keyboard.press("End")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused.startswith("Weight from neuron 1 of hidden layer 1 to the output")
    page.keyboard.press("Enter")
    page.fill("#net-editor-input", "1.5")
    with page.expect_response(lambda r: r.url.endswith("/weights")):
        page.keyboard.press("Enter")
    assert api.get(f"/api/sessions/{session}/model").json()["weights"][1][0][0] == 1.5


# -- sharing -----------------------------------------------------------------------------------


def reload_after(
    page: Page, base: str, api: httpx.Client, changes: list[Callable[[Page], object]]
) -> dict[str, Any]:
    """Make `changes` through the UI, reload the page with its URL, and return what both
    sessions and both pages show."""
    first = open_page(page, base)
    for change in changes:
        change(page)
        wait_idle(page)
    url = page.url
    before = {
        "url": url,
        "controls": controls(page),
        "state": api.get(f"/api/sessions/{first}").json(),
        "data": api.get(f"/api/sessions/{first}/data").json(),
        "losses": (page.text_content("#loss-train"), page.text_content("#loss-test")),
    }
    page.reload()
    wait_idle(page)
    second = page.get_attribute("main", "data-session")
    assert second and second != first
    assert page.url == url
    after = {
        "url": page.url,
        "controls": controls(page),
        "state": api.get(f"/api/sessions/{second}").json(),
        "data": api.get(f"/api/sessions/{second}/data").json(),
        "losses": (page.text_content("#loss-train"), page.text_content("#loss-test")),
    }
    return {"before": before, "after": after}


EVERY_KIND_OF_CHANGE: list[Callable[[Page], object]] = [
    lambda p: p.click("button[aria-label='Dataset Exclusive or']"),  # new data
    lambda p: p.select_option("#activations", "relu"),  # reset
    lambda p: p.click("#add-layers"),  # reset
    lambda p: p.locator("#noise").fill("20"),  # new data
    lambda p: p.click("button[aria-label='Input feature X₁X₂']"),  # reset
    lambda p: p.select_option("#optimizer", "adam"),  # live
    lambda p: p.check("#show-test-data"),  # the page only
]


def test_reload_with_the_hash_gives_the_same_config_and_data(
    page: Page, live_server: str, api: httpx.Client
) -> None:
    run = reload_after(page, live_server, api, EVERY_KIND_OF_CHANGE)
    before, after = run["before"], run["after"]
    for part in ["dataset=xor", "activation=relu", "networkShape=4%2C2%2C2", "noise=20",
                 "xTimesY=true", "optimizer=adam", "showTestData=true", "seed="]:  # fmt: skip
        assert part in before["url"], part
    assert after["controls"] == before["controls"]
    assert after["state"]["config"] == before["state"]["config"]
    assert after["data"] == before["data"]
    assert after["state"]["epoch"] == 0


def test_reload_after_data_changes_gives_the_same_initial_losses(
    page: Page, live_server: str, api: httpx.Client
) -> None:
    run = reload_after(
        page,
        live_server,
        api,
        [
            lambda p: p.click("button[aria-label='Dataset Gaussian']"),
            lambda p: p.locator("#noise").fill("25"),
            lambda p: p.locator("#percTrainData").fill("60"),
        ],
    )
    before, after = run["before"], run["after"]
    assert after["state"]["config"] == before["state"]["config"]
    assert after["data"] == before["data"]
    losses = ("train_loss", "test_loss")
    assert [after["state"][k] for k in losses] == [before["state"][k] for k in losses]
    assert after["losses"] == before["losses"]


def test_reload_after_network_changes_gives_the_same_initial_losses(
    page: Page, live_server: str, api: httpx.Client
) -> None:
    run = reload_after(page, live_server, api, EVERY_KIND_OF_CHANGE)
    before, after = run["before"], run["after"]
    losses = ("train_loss", "test_loss")
    assert [after["state"][k] for k in losses] == [before["state"][k] for k in losses]
    assert after["losses"] == before["losses"]


REFERENCE_LINK = (
    "#activation=relu&batchSize=17&dataset=xor&regDataset=reg-gauss&learningRate=0.3"
    "&regularizationRate=0.01&noise=15&networkShape=5,3,2&seed=0.54321&showTestData=true"
    "&discretize=true&percTrainData=70&x=true&y=false&xTimesY=true&xSquared=false"
    "&ySquared=true&cosX=false&sinX=true&cosY=false&sinY=false&collectStats=false"
    "&problem=classification&initZero=false&hideText=true&regularization=L2"
)


def test_a_reference_link_opens_with_its_configuration(
    page: Page, live_server: str, api: httpx.Client
) -> None:
    session = open_page(page, live_server, REFERENCE_LINK)
    shown = controls(page)
    assert shown["activations"] == "relu"
    assert shown["batchSize"] == "17"
    assert shown["learningRate"] == "0.3"
    assert shown["regularizations"] == "l2"
    assert shown["regularRate"] == "0.01"
    assert shown["noise"] == "15"
    assert shown["percTrainData"] == "70"
    assert shown["problem"] == "classification"
    assert shown["show-test-data"] is True
    assert shown["discretize"] is True
    assert shown["layers"] == "3"
    assert shown["neurons"] == ["5 neurons", "3 neurons", "2 neurons"]
    # x1, x2, x1², x2², x1x2, sin x1, sin x2
    assert shown["features"] == ["true", "false", "false", "true", "true", "true", "false"]
    assert shown["dataset"] == "Exclusive or"
    expect(page.locator("#intro")).to_be_hidden()
    config = api.get(f"/api/sessions/{session}").json()["config"]
    assert config["activation"] == "relu"
    assert config["dataset"] == "xor"
    assert config["hidden_layers"] == [5, 3, 2]
    assert config["features"] == ["x1", "x2_squared", "x1_x2", "sin_x1"]
    assert config["regularization"] == "l2"
    assert config["regularization_rate"] == 0.01
    assert config["learning_rate"] == 0.3
    assert config["batch_size"] == 17
    assert config["noise"] == 15
    assert config["train_ratio"] == 70
    # The seed text goes to the server as text; the link keeps it.
    assert "seed=0.54321" in page.url
    created = api.post("/api/sessions", json={"config": {"seed": "0.54321"}}).json()
    assert config["seed"] == created["config"]["seed"]


def test_reference_regression_link_and_unknown_values(
    page: Page, live_server: str, api: httpx.Client
) -> None:
    session = open_page(
        page,
        live_server,
        "#problem=regression&regDataset=reg-gauss&activation=swish&learningRate=0.05",
    )
    config = api.get(f"/api/sessions/{session}").json()["config"]
    assert config["problem"] == "regression"
    assert config["dataset"] == "multigauss"
    assert config["activation"] == "tanh"
    assert config["learning_rate"] == 0.03
    assert controls(page)["dataset"] == "Multi gaussian"
    assert "regDataset=reg-gauss" in page.url


def test_an_expired_session_is_recreated_with_the_same_config(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder
) -> None:
    first = open_page(page, live_server, "#dataset=gauss&seed=77&networkShape=3")
    config = api.get(f"/api/sessions/{first}").json()["config"]
    assert api.delete(f"/api/sessions/{first}").status_code == 204
    page.click("#next-step-button")
    second = wait_for_new_session(page, first)
    state = api.get(f"/api/sessions/{second}").json()
    assert state["config"] == config
    assert state["epoch"] == 1
    expect(page.locator("#iter-number")).to_have_text("000,001")
    expect(page.locator("#banner")).to_be_hidden()
    # The 404 was answered by the server, not logged by the page as an error of its own.
    assert [e for e in recorder.errors if "404" not in e] == []


# -- divergence ------------------------------------------------------------------------------


def test_divergence_pauses_and_explains(page: Page, live_server: str, api: httpx.Client) -> None:
    session = open_page(
        page,
        live_server,
        "#problem=regression&regDataset=reg-plane&activation=relu&learningRate=10"
        "&networkShape=8,8,8,8,8,8&seed=1&speed=fastest",
    )
    page.click("#play-pause-button")
    banner = page.locator("#banner")
    expect(banner).to_be_visible(timeout=30_000)
    state = api.get(f"/api/sessions/{session}").json()
    assert state["status"] == "diverged"
    expect(page.locator("#banner-text")).to_have_text(state["message"])
    assert "diverged" in state["message"] and "learning rate" in state["message"]
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-label", "Play")
    wait_idle(page)
    # Not a grey screen: the map still shows the network's last finite state.
    pixels = heatmap_pixels(page)["data"]
    colours = {tuple(pixels[i : i + 3]) for i in range(0, len(pixels), 4 * 37)}
    assert len(colours) > 1 or colours != {NEUTRAL}
    # Reset from the banner recovers.
    page.click("#banner-reset")
    expect(banner).to_be_hidden()
    expect(page.locator("#iter-number")).to_have_text("000,000")


# -- export, import, picture ---------------------------------------------------------------------


def test_export_and_load_a_model_and_save_the_picture(
    page: Page, live_server: str, api: httpx.Client, tmp_path: Path
) -> None:
    session = open_page(page, live_server, "#seed=9&networkShape=3")
    page.click("#next-step-button")
    wait_idle(page)
    _path, model = export_from_page(page, tmp_path)
    assert model == api.get(f"/api/sessions/{session}/model").json()

    model["weights"][0][0][0] = 3.25
    model["config"]["hidden_layers"] = [3]
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(model))
    page.set_input_files("#model-file", edited)
    loaded = wait_for_new_session(page, session)
    assert api.get(f"/api/sessions/{loaded}/model").json()["weights"][0][0][0] == 3.25

    with page.expect_download() as picture:
        page.click("#save-png")
    png = tmp_path / "picture.png"
    picture.value.save_as(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- layout ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (768, 1024)])
def test_layout_and_screenshots(
    page: Page, live_server: str, artifacts: Path, width: int, height: int
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    open_page(
        page, live_server, "#dataset=spiral&networkShape=8,8,8,8,8,8&seed=2&showTestData=true"
    )
    for _ in range(3):
        page.click("#next-step-button")
        wait_idle(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "horizontal scroll"
    for selector in ["#play-pause-button", "#heatmap", "#network", "#linechart", "#datasets"]:
        box = page.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, selector
    if height == 800:
        heatmap = page.locator("#heatmap").bounding_box()
        assert heatmap and heatmap["y"] + heatmap["height"] <= height, "output map below the fold"
    page.screenshot(path=artifacts / f"page-{width}x{height}.png")
