"""The page asks for binary frames (Accept: application/vnd.playground.frame), draws their
maps, and asks for thumbnails less often than for the output map while playing."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, Response

from tests.helpers import heatmap_pixels, open_page, wait_for_epoch, wait_idle

BINARY = "application/vnd.playground.frame"

Recorder = Any  # conftest.Recorder

# The colour scale of the maps (as tests/browser/test_page.py writes it out).
ORANGE, NEUTRAL, BLUE = (245, 147, 34), (232, 234, 235), (8, 119, 189)


def color_of(v: float) -> tuple[int, ...]:
    v = max(-1.0, min(1.0, v))
    end, t = (ORANGE, -v) if v < 0 else (BLUE, v)
    return tuple(int(a + (b - a) * t + 0.5) for a, b in zip(NEUTRAL, end, strict=True))


def thumbnail(page: Page, index: int) -> dict[str, Any]:
    """The RGBA bytes of hidden neuron ``index``'s thumbnail (in the diagram's order)."""
    return page.evaluate(  # type: ignore[no-any-return]
        """(i) => {
          const c = document.querySelectorAll('.node.neuron canvas')[i];
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          return {width: c.width, data: Array.from(d)};
        }""",
        index,
    )


def assert_drawn(pixels: dict[str, Any], grid: bytes) -> None:
    """Every 7th cell of a canvas at grid resolution has the colour of its byte."""
    assert pixels["width"] ** 2 == len(grid)
    for i in range(0, len(grid), 7):
        want = color_of(grid[i] / 127.5 - 1)
        got = tuple(pixels["data"][4 * i : 4 * i + 3])
        assert max(abs(a - b) for a, b in zip(got, want, strict=True)) <= 1, (i, got, want)


class Frames:
    """The page's step and frame answers: what it asked with, what came back."""

    def __init__(self) -> None:
        self.answers: list[tuple[str, str, str]] = []  # (url, accept, content type)

    def on_response(self, response: Response) -> None:
        url = response.url.split("?")[0]
        if url.endswith(("/step", "/frame")) and response.request.method in ("GET", "POST"):
            accept = response.request.headers.get("accept", "")
            self.answers.append((url, accept, response.headers.get("content-type", "")))


def test_the_page_asks_for_binary_frames_and_draws_their_maps(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder, artifacts: Path
) -> None:
    frames = Frames()
    page.on("response", frames.on_response)
    session = open_page(page, live_server, "#seed=4&networkShape=4,3")
    page.click("#next-step-button")
    wait_idle(page)
    # The session's own (the feature previews come from a scratch session, as JSON).
    own = [answer for answer in frames.answers if f"/{session}/" in answer[0]]
    assert {url.rsplit("/", 1)[-1] for url, _, _ in own} == {"frame", "step"}
    for url, accept, content_type in own:
        assert BINARY in accept, url
        assert content_type == BINARY, url
    # What it drew is what the server's JSON frame of the same network holds.
    frame = api.get(f"/api/sessions/{session}/frame").json()
    assert frame["epoch"] == 1
    assert_drawn(heatmap_pixels(page), base64.b64decode(frame["output"]))
    neurons = [base64.b64decode(m) for layer in frame["neurons"] for m in layer]
    assert len(neurons) == 7 == page.locator(".node.neuron canvas").count()
    for i in (0, 3, 6):
        assert_drawn(thumbnail(page, i), neurons[i])
    assert recorder.errors == []
    page.screenshot(path=artifacts / "binary-frames-1280x800.png")


def test_thumbnails_come_less_often_than_the_map_and_update_while_training(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder
) -> None:
    session = open_page(page, live_server, "#seed=5&dataset=spiral&networkShape=6,6&speed=3")
    seen: set[str] = set()
    page.click("#play-pause-button")
    wait_for_epoch(page, 3)
    for _ in range(40):  # ~2 s of training
        pixels = thumbnail(page, 0)["data"]
        seen.add(hashlib.sha256(bytes(pixels)).hexdigest())
        page.wait_for_timeout(50)
    page.click("#play-pause-button")
    wait_idle(page)
    assert len(seen) >= 3, "the thumbnails should change while training"
    asked = [step.get("thumbs", True) for step in recorder.steps]
    assert asked.count(False) > asked.count(True) >= 2, asked
    # Paused, the page shows the thumbnails of the network it shows, not older ones.
    frame = api.get(f"/api/sessions/{session}/frame").json()
    assert_drawn(thumbnail(page, 0), base64.b64decode(frame["neurons"][0][0]))
    assert_drawn(heatmap_pixels(page), base64.b64decode(frame["output"]))
    assert recorder.errors == []
