"""The person's own data on the page, in a real browser against a real server: drawing
points on the output map, the CSV tools and links to shared data (static/js/draw.js,
static/js/datafile-ui.js).

What the page did is checked against the server's own answers (GET /data's `custom`,
/predict, GET data.csv); the map's colours with the rule written out here, independently
of static/js/colors.js.
"""

from __future__ import annotations

import csv
import io
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.helpers import heatmap_pixels, nearest_class, open_page, wait_for_epoch, wait_idle

Recorder = Any  # conftest.Recorder

E = 6  # the map shows [-E, E]², y up

# 20 points of 3 classes in three corners of the plane.
DRAWN: list[tuple[float, float, int]] = (
    [(-4 + 0.8 * (i % 3), 3 + 0.8 * (i // 3), 0) for i in range(7)]
    + [(2.5 + 0.8 * (i % 3), 2.5 + 0.8 * (i // 3), 1) for i in range(7)]
    + [(-1 + 0.8 * (i % 3), -4 + 0.8 * (i // 3), 2) for i in range(6)]
)


def at(page: Page, x: float, y: float) -> tuple[float, float]:
    """The position in the viewport of the data point (x, y) on the output map."""
    layer = page.locator("#heatmap .draw-layer")
    # The map's top at the top of the screen: on a phone the drawing panel covers the bottom.
    if not page.evaluate(
        "() => { const r = document.querySelector('#heatmap .draw-layer').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= innerHeight - 200; }"
    ):
        layer.evaluate("el => el.scrollIntoView({block: 'start'})")
    # Still for two frames (Draw data scrolls the map into view smoothly).
    page.wait_for_function(
        """() => new Promise(done => {
          const layer = document.querySelector('#heatmap .draw-layer');
          const top = () => layer.getBoundingClientRect().top;
          const before = top();
          requestAnimationFrame(() => requestAnimationFrame(() => done(top() === before)));
        })"""
    )
    box = layer.bounding_box()
    assert box
    return box["x"] + (x + E) / (2 * E) * box["width"], box["y"] + (E - y) / (2 * E) * box["height"]


def click_map(page: Page, x: float, y: float, button: str = "left") -> None:
    px, py = at(page, x, y)
    page.mouse.click(px, py, button=button)  # type: ignore[arg-type]


def custom(api: httpx.Client, session: str) -> dict[str, Any] | None:
    data: dict[str, Any] = api.get(f"/api/sessions/{session}/data").json()
    return data["custom"]


def wait_until(check: Callable[[], bool], what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def wait_for_points(api: httpx.Client, session: str, n: int) -> dict[str, Any]:
    wait_until(lambda: len((custom(api, session) or {"labels": []})["labels"]) == n, f"{n} points")
    data = custom(api, session)
    assert data is not None
    return data


def start_multiclass(page: Page, live_server: str, api: httpx.Client, hash_: str = "") -> str:
    session = open_page(page, live_server, hash_)
    page.select_option("#problem", "multiclass")
    wait_idle(page)
    assert api.get(f"/api/sessions/{session}").json()["config"]["classes"] == 3
    return session


def draw_mode(page: Page) -> None:
    page.get_by_role("button", name="Draw data").click()
    expect(page.get_by_role("button", name="Draw data")).to_have_attribute("aria-pressed", "true")


def clear(page: Page, api: httpx.Client, session: str) -> None:
    page.get_by_role("button", name="Clear").click()
    wait_for_points(api, session, 0)
    wait_idle(page)
    expect(page.locator(".data-count")).to_have_text("0 points")


def draw_twenty(page: Page, api: httpx.Client, session: str) -> dict[str, Any]:
    """Clear, then click the 20 points of DRAWN with their classes picked on the page."""
    clear(page, api, session)
    for k in range(3):
        page.get_by_label(f"Class {k} (", exact=False).check()
        for x, y, label in DRAWN:
            if label == k:
                click_map(page, x, y)
        expect(page.locator(".data-tools p.visually-hidden[role=status]")).to_have_text(
            "Point added"
        )
    data = wait_for_points(api, session, 20)
    wait_idle(page)
    expect(page.locator(".data-count")).to_have_text("20 points")
    return data


def test_draw_twenty_points_of_three_classes_train_and_the_map_agrees_with_predict(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder, artifacts: Path
) -> None:
    session = start_multiclass(page, live_server, api, "#seed=3&networkShape=6,6&learningRate=0.1")
    draw_mode(page)
    data = draw_twenty(page, api, session)

    # The server holds exactly the clicked points (a pixel is 0.04 units), in click order.
    drawn = sorted(DRAWN, key=lambda p: p[2])
    assert [int(v) for v in data["labels"]] == [label for _, _, label in drawn]
    for (x, y), (wx, wy, _) in zip(data["points"], drawn, strict=True):
        assert abs(x - wx) <= 0.05 and abs(y - wy) <= 0.05, ((x, y), (wx, wy))
    state = api.get(f"/api/sessions/{session}").json()
    assert (state["config"]["dataset"], state["data_size"]) == ("custom", 20)

    # Training goes on while a point is added: not paused, not reset.
    page.select_option("#speed", "fastest")
    wait_idle(page)
    page.click("#play-pause-button")
    wait_for_epoch(page, 30)
    before = api.get(f"/api/sessions/{session}").json()["epoch"]
    page.get_by_label("Class 2 (", exact=False).check()
    click_map(page, 5, -5)
    data = wait_for_points(api, session, 21)
    assert [round(v, 1) for v in data["points"][-1]] == [5.0, -5.0] and int(data["labels"][-1]) == 2
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-label", "Pause")
    wait_until(
        lambda: api.get(f"/api/sessions/{session}").json()["epoch"] > before + 20, "training"
    )

    # Right-click on that point removes it (and only it); training goes on.
    wait_until(lambda: page.text_content(".data-count") == "21 points", "21 points shown")
    click_map(page, 5.05, -4.95, button="right")
    data = wait_for_points(api, session, 20)
    assert all(abs(x - 5) > 0.5 for x, _ in data["points"])
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-label", "Pause")

    wait_for_epoch(page, 400)
    page.click("#play-pause-button")
    wait_idle(page)

    # The map: each sampled pixel's class is /predict's most probable class.
    pixels = heatmap_pixels(page)
    n = pixels["width"]
    rng = random.Random(1)
    cells = [(rng.randrange(n), rng.randrange(n)) for _ in range(300)]
    points = [[-E + 2 * E * c / (n - 1), E - 2 * E * r / (n - 1)] for r, c in cells]
    outputs = api.post(f"/api/sessions/{session}/predict", json={"points": points}).json()[
        "outputs"
    ]

    def pixel(row: int, col: int) -> tuple[int, ...]:
        i = 4 * (row * n + col)
        return tuple(pixels["data"][i : i + 3])

    same = sum(
        nearest_class(pixel(r, c), 3)[0] == k for (r, c), k in zip(cells, outputs, strict=True)
    )
    assert same >= 0.97 * len(cells), same
    # Three colours, each clearly present, and each drawn point's own class where it lies.
    every = [nearest_class(pixel(r, c), 3) for r in range(n) for c in range(n)]
    counts = [sum(1 for k, t in every if k == j and t > 0.3) for j in range(3)]
    assert all(count > 0.05 * n * n for count in counts), counts
    right = api.post(
        f"/api/sessions/{session}/predict", json={"points": [[x, y] for x, y, _ in DRAWN]}
    ).json()["outputs"]
    assert sum(int(k) == label for k, (_, _, label) in zip(right, DRAWN, strict=True)) >= 18
    page.screenshot(path=artifacts / "draw-1280x800.png")

    # The keyboard: the map is a tab stop while drawing; Enter adds a point at the cross.
    page.focus("#heatmap .draw-layer")
    for key in ["ArrowRight"] * 4 + ["ArrowUp"] * 2:
        page.keyboard.press(key)
    page.keyboard.press("Enter")
    data = wait_for_points(api, session, 21)
    assert data["points"][-1] == [1.0, 0.5]
    wait_idle(page)
    page.keyboard.press("Delete")
    wait_for_points(api, session, 20)
    assert recorder.errors == []


def test_csv_upload_refused_row_paste_and_download_round_trip(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder, tmp_path: Path
) -> None:
    session = start_multiclass(page, live_server, api, "#seed=4")
    draw_mode(page)
    before = draw_twenty(page, api, session)

    # A file with a bad row: the server's sentence (row and column) beside the tools; the
    # data stay as they were.
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y,label\n1,2,0\n-1,3,1\n2,2,7\n")
    page.set_input_files(".data-files input[type=file]", bad)
    alert = page.locator(".data-tools [role=alert]")
    expect(alert).to_contain_text("Row 4")
    expect(alert).to_contain_text("label")
    wait_idle(page)
    assert custom(api, session) == before
    expect(page.locator(".data-count")).to_have_text("20 points")

    # A spreadsheet paste (tabs): taken; the message goes.
    page.click(".paste-data summary")
    page.fill(".paste-text", "x\ty\tlabel\n1.5\t-2\t2\n-3\t4.25\t0\n0\t0\t1\n")
    page.get_by_role("button", name="Use pasted data").click()
    pasted = wait_for_points(api, session, 3)
    assert pasted["points"] == [[1.5, -2.0], [-3.0, 4.25], [0.0, 0.0]]
    assert [int(v) for v in pasted["labels"]] == [2, 0, 1]
    expect(alert).to_be_empty()
    wait_idle(page)

    # The Remove tool: a click on a point removes it.
    page.get_by_label("Remove", exact=True).check()
    click_map(page, 0.02, -0.02)
    pasted = wait_for_points(api, session, 2)
    assert pasted["points"] == [[1.5, -2.0], [-3.0, 4.25]]
    click_map(page, 3, 3)  # nothing there: nothing removed
    expect(page.locator(".data-tools p.visually-hidden[role=status]")).to_have_text(
        "No point there to remove"
    )
    page.get_by_role("button", name="Done").click()
    wait_idle(page)
    assert custom(api, session) == pasted

    # Download: the same points back, in the custom order.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    path = tmp_path / "data.csv"
    download.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text())))
    assert rows[0] == ["x", "y", "label"]
    assert [[float(x), float(y)] for x, y, _ in rows[1:]] == pasted["points"]
    assert [int(float(v)) for _, _, v in rows[1:]] == [int(v) for v in pasted["labels"]]

    # The file uploads again unchanged.
    page.set_input_files(".data-files input[type=file]", path)
    wait_idle(page)
    expect(alert).to_be_empty()
    assert custom(api, session) == pasted

    # Clear empties the data.
    draw_mode(page)
    clear(page, api, session)
    assert custom(api, session) == {"points": [], "labels": []}
    # The refused file's 422 is the browser's only complaint.
    assert [e for e in recorder.errors if "status of 422" not in e] == []


def test_a_link_carries_the_drawn_data_and_a_dead_link_says_so(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder, artifacts: Path
) -> None:
    session = start_multiclass(page, live_server, api, "#seed=6")
    draw_mode(page)
    drawn = draw_twenty(page, api, session)
    page.wait_for_function("() => /[#&]data=[\\w-]+/.test(location.hash)", timeout=10_000)
    link = page.evaluate("location.href")
    assert "=custom&" in link and "problem=multiclass" in link

    # A new page from the link: a new session with the same points.
    other = page.context.new_page()
    second = open_page(other, link.split("/#")[0], "#" + link.split("#", 1)[1])
    assert second != session
    state = api.get(f"/api/sessions/{second}").json()
    assert (state["config"]["problem"], state["config"]["dataset"]) == ("multiclass", "custom")
    assert custom(api, second) == drawn
    expect(other.locator(".data-count")).to_have_text("20 points")
    expect(other.locator(".data-notice")).to_be_hidden()
    # The link it writes is still the same shared copy (no new one for the same data).
    assert other.evaluate("location.hash").split("data=")[1] == link.split("data=")[1]
    other.close()

    # A link whose shared data are gone: a notice, and the problem's default dataset.
    gone = page.context.new_page()
    third = open_page(
        gone, link.split("/#")[0], "#problem=multiclass&mcDataset=custom&data=no-such-data"
    )
    expect(gone.locator(".data-notice")).to_be_visible()
    expect(gone.locator(".data-notice")).to_contain_text("no longer on the server")
    expect(gone.locator(".data-notice")).to_contain_text("default dataset")
    config = api.get(f"/api/sessions/{third}").json()["config"]
    assert (config["problem"], config["dataset"]) == ("multiclass", "blobs")
    assert "data=" not in gone.evaluate("location.hash")
    recorder.errors[:] = [e for e in recorder.errors if "status of 404" not in e]
    gone.locator(".data-notice").get_by_role("button", name="Dismiss").click()
    expect(gone.locator(".data-notice")).to_be_hidden()
    gone.close()
    assert recorder.errors == []


def test_binary_and_regression_points_and_a_generated_dataset_becoming_custom(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder
) -> None:
    session = open_page(page, live_server, "#seed=2")
    data = api.get(f"/api/sessions/{session}/data").json()
    generated = data["train"]["points"] + data["test"]["points"]
    draw_mode(page)
    expect(page.get_by_label("Orange (−1)")).to_be_checked()
    page.get_by_label("Blue (+1)").check()
    click_map(page, 2, 2)
    after = wait_for_points(api, session, len(generated) + 1)
    assert after["points"][: len(generated)] == generated, "the generated points, then the new one"
    assert (after["points"][-1], after["labels"][-1]) == ([2.0, 2.0], 1)

    page.select_option("#problem", "regression")
    wait_idle(page)
    assert custom(api, session) is None, "another problem: generated data again"
    slider = page.get_by_label("Value of new points")
    slider.fill("-0.5")
    expect(page.locator(".draw-value")).to_have_text("-0.5")
    clear(page, api, session)
    click_map(page, -1, 4)
    after = wait_for_points(api, session, 1)
    assert after == {"points": [[-1.0, 4.0]], "labels": [-0.5]}
    assert recorder.errors == []


def test_draw_tools_screenshots(
    page: Page, live_server: str, api: httpx.Client, artifacts: Path
) -> None:
    for width, height in [(1280, 800), (390, 844)]:
        page.set_viewport_size({"width": width, "height": height})
        session = start_multiclass(page, live_server, api, "#seed=8")
        draw_mode(page)
        draw_twenty(page, api, session)
        page.click("#next-step-button")
        wait_idle(page)
        # Drawing: the map with its points; on a phone the panel at the bottom of the screen.
        page.locator("#heatmap").evaluate("el => el.scrollIntoView({block: 'start'})")
        page.screenshot(path=artifacts / f"draw-mode-{width}x{height}.png")
        page.get_by_role("button", name="Done").click()
        expect(page.get_by_role("button", name="Draw data")).to_have_attribute(
            "aria-pressed", "false"
        )
        page.click(".paste-data summary")
        page.set_input_files(
            ".data-files input[type=file]",
            files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": b"x,y,label\n1,9,0\n"}],
        )
        expect(page.locator(".data-tools [role=alert]")).not_to_be_empty()
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "horizontal scroll"
        for selector in ["#data-tools", "#heatmap"]:
            box = page.locator(selector).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, selector
        page.screenshot(path=artifacts / f"draw-tools-{width}x{height}.png", full_page=True)


def layer_alpha(page: Page, x: float, y: float, radius: int = 6) -> int:
    """How many pixels of the drawing layer are painted within `radius` CSS px of (x, y)."""
    return int(
        page.evaluate(
            """([x, y, r, E]) => {
              const c = document.querySelector('#heatmap .draw-layer');
              const k = c.width / c.getBoundingClientRect().width;
              const px = (x + E) / (2 * E) * c.width, py = (E - y) / (2 * E) * c.height;
              const d = c.getContext('2d')
                .getImageData(px - r * k, py - r * k, 2 * r * k, 2 * r * k).data;
              let n = 0;
              for (let i = 3; i < d.length; i += 4) n += d[i] > 0;
              return n;
            }""",
            [x, y, radius, E],
        )
    )


def paste(page: Page, text: str) -> None:
    # Opened by setting `open` and filled by setting the value (idempotent, no waiting for
    # actionability): a click on the summary and `fill` timed out once on a slow CI.
    page.locator(".paste-text").evaluate(
        "(box, text) => { box.closest('details').open = true; box.value = text;"
        " box.dispatchEvent(new Event('input', {bubbles: true})); }",
        text,
    )
    expect(page.locator(".paste-text")).to_be_visible()
    page.get_by_role("button", name="Use pasted data").click()


def test_rapid_removals_each_remove_the_point_clicked(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder
) -> None:
    session = start_multiclass(page, live_server, api, "#seed=9")
    draw_mode(page)
    data = draw_twenty(page, api, session)
    # Two right-clicks in one go, before any answer: the second is chosen after the first.
    gone = [data["points"][2], data["points"][10]]
    spots = [at(page, x, y) for x, y in gone]
    page.evaluate(
        """spots => {
          const layer = document.querySelector('#heatmap .draw-layer');
          for (const [clientX, clientY] of spots) layer.dispatchEvent(new MouseEvent('contextmenu',
            {clientX, clientY, button: 2, bubbles: true, cancelable: true}));
        }""",
        spots,
    )
    after = wait_for_points(api, session, 18)
    kept = [i for i in range(20) if i not in (2, 10)]
    assert after["points"] == [data["points"][i] for i in kept]
    assert after["labels"] == [data["labels"][i] for i in kept]
    wait_idle(page)
    expect(page.locator(".data-count")).to_have_text("18 points")
    assert recorder.errors == []


def test_refused_points_leave_no_ghost_and_the_server_says_why(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder
) -> None:
    session = start_multiclass(page, live_server, api, "#seed=10")
    # 2,000 points (the most a dataset holds), none near (5, 5).
    rows = [f"{-5.9 + 0.25 * (i % 40):.2f},{-5.9 + 0.2 * (i // 40):.2f},0" for i in range(2000)]
    paste(page, "x,y,label\n" + "\n".join(rows) + "\n")
    wait_for_points(api, session, 2000)
    wait_idle(page)
    expect(page.locator(".data-count")).to_have_text("2,000 points")
    draw_mode(page)
    page.get_by_label("Class 1 (", exact=False).check()
    click_map(page, 5, 5.5)
    alert = page.locator(".data-tools [role=alert]")
    expect(alert).to_contain_text("2000")
    wait_idle(page)
    # The refused point is not left painted on the map; the data are as they were.
    page.wait_for_function("() => new Promise(r => requestAnimationFrame(() => r(true)))")
    assert layer_alpha(page, 5, 5.5) == 0
    expect(page.locator(".data-count")).to_have_text("2,000 points")
    assert len((custom(api, session) or {"points": []})["points"]) == 2000
    assert [e for e in recorder.errors if "status of 422" not in e] == []


def test_a_lost_session_keeps_the_drawn_points(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder
) -> None:
    session = start_multiclass(page, live_server, api, "#seed=11")
    paste(page, "x,y,label\n1,1,0\n2,2,1\n3,3,2\n-4,-4,0\n")
    before = wait_for_points(api, session, 4)
    wait_idle(page)
    draw_mode(page)

    def new_session(old: str) -> str:
        page.wait_for_function(
            "old => document.querySelector('main').dataset.session !== old", arg=old
        )
        wait_idle(page)
        return page.get_attribute("main", "data-session") or ""

    # The session is forgotten (as when it expires); a point added: the new session has the
    # drawn points back, then the new one (not the problem's default data).
    assert api.delete(f"/api/sessions/{session}").status_code == 204
    page.get_by_label("Class 2 (", exact=False).check()
    click_map(page, -2, 3)
    second = new_session(session)
    after = wait_for_points(api, second, 5)
    assert after["points"][:4] == before["points"] and after["labels"][:4] == before["labels"]
    assert [round(v, 1) for v in after["points"][4]] == [-2.0, 3.0]
    assert int(after["labels"][4]) == 2
    expect(page.locator(".data-count")).to_have_text("5 points")

    # Again, and a point removed by index: the index of the same points.
    assert api.delete(f"/api/sessions/{second}").status_code == 204
    click_map(page, 2, 2, button="right")
    third = new_session(second)
    after = wait_for_points(api, third, 4)
    assert [p for p in after["points"] if p != [2.0, 2.0]] == after["points"]
    assert after["points"][:3] == [[1.0, 1.0], [3.0, 3.0], [-4.0, -4.0]]
    expect(page.locator(".data-count")).to_have_text("4 points")
    assert [e for e in recorder.errors if "status of 404" not in e] == []


def test_a_file_too_large_is_refused_by_the_page_without_sending_it(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder
) -> None:
    session = open_page(page, live_server, "#seed=12")
    alert = page.locator(".data-tools [role=alert]")
    file_input = ".data-files input[type=file]"

    def choose(name: str, content: bytes) -> None:
        page.set_input_files(
            file_input, files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
        )

    big = b"x,y,label\n" + b"1,1,1\n" * 150_000  # 900,010 bytes
    choose("big.csv", big)
    expect(alert).to_contain_text(f"The file is {len(big):,} bytes")
    expect(alert).to_contain_text("at most 200,000 characters")
    # Small enough to read, too many characters to send.
    long = b"x,y,label\n" + b"1,1,1\n" * 40_000
    choose("long.csv", long)
    expect(alert).to_contain_text(f"The table has {len(long):,} characters")
    wait_idle(page)
    assert not any("data.csv" in url for url in recorder.requests), "nothing sent"
    assert custom(api, session) is None
    # A table that fits: sent, the sentence goes.
    choose("ok.csv", b"x,y,label\n1,1,1\n")
    wait_for_points(api, session, 1)
    expect(alert).to_be_empty()
    assert recorder.errors == []
