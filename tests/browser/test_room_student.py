"""A student in a class (issue 12), in a real browser against a real server: joining by
link with a name that looks like HTML, the room bar, locked controls, pause and resume,
a new activity, the class experiment, the goal the server saw reached, coming back, and
the end of the class; the join page's refusals. The teacher acts through the API."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import Recorder
from tests.browser.test_class_page import CONTROLS
from tests.helpers import animation_frames, epoch, wait_for_epoch, wait_idle

# A name that would run a script if it were ever set as HTML.
HTML_NAME = "<b>Ada</b><img src=x onerror=alert(1)>"
MESSAGE = "Make the <i>circle</i> work with one layer & keep the features."
CIRCLE: dict[str, Any] = {
    "dataset": "circle",
    "hidden_layers": [3],
    "learning_rate": 0.3,
    "seed": 5,
    "features": ["x1", "x2"],
}
LOCKED = ["features", "hidden_layers", "learning_rate", "dataset"]
GOAL = {"metric": "test_loss", "below": 0.1}

# No two things a person reads or presses overlap: the page's own check, with the room
# bar's lines and the lock marks added.
ROOM_PARTS = "#room-bar [data-room]:not([data-room=status]), .lock-mark"
OVERLAPS = CONTROLS.replace("'button, select,", f"'{ROOM_PARTS}, button, select,")
assert OVERLAPS != CONTROLS


class Teacher:
    """A class started through the API, and the teacher's requests on it."""

    def __init__(self, api: httpx.Client, title: str = "Year 10 — networks") -> None:
        self.api = api
        answer = api.post("/api/rooms", json={"title": title})
        assert answer.status_code == 201, answer.text
        room = answer.json()
        self.code: str = room["code"]
        self.auth = {"Authorization": f"Bearer {room['teacher_token']}"}

    def request(self, method: str, path: str = "", status: int = 200, **kwargs: Any) -> Any:
        answer = self.api.request(
            method, f"/api/rooms/{self.code}{path}", headers=self.auth, **kwargs
        )
        assert answer.status_code == status, answer.text
        return answer.json() if answer.content else None

    def push(self, **activity: Any) -> dict[str, Any]:
        room: dict[str, Any] = self.request("PUT", "/activity", json=activity)
        return room


def join(page: Page, base: str, link: str, name: str) -> str:
    """Open a join link, type the name, join; wait for the playground; its session id."""
    page.goto(f"{base}{link}")
    expect(page.locator("#name-input")).to_be_visible()
    page.fill("#name-input", name)
    page.click("#join-button")
    page.wait_for_url(re.compile(r"/\?room=[A-Z0-9]{6}$"))
    wait_idle(page)
    session = page.get_attribute("main", "data-session")
    assert session
    return session


def refuse(status: int, detail: str) -> Callable[[Route], None]:
    """A route handler that answers with an error as the server words them."""

    def handler(route: Route) -> None:
        route.fulfill(
            status=status, content_type="application/json", body=json.dumps({"detail": detail})
        )

    return handler


def bar(page: Page, part: str) -> str:
    return page.text_content(f'#room-bar [data-room="{part}"]') or ""


def playing(page: Page) -> bool:
    return "playing" in (page.get_attribute("#play-pause-button", "class") or "")


def entry(page: Page, code: str) -> Any:
    raw = page.evaluate("(key) => localStorage.getItem(key)", f"np-room:{code}")
    return json.loads(raw) if raw else None


def test_a_student_joins_by_link_and_follows_the_class(
    page: Page, live_server: str, api: httpx.Client, recorder: Recorder, artifacts: Path
) -> None:
    teacher = Teacher(api)
    teacher.push(config=CIRCLE, locked=LOCKED, message=MESSAGE, goal=GOAL)
    code = teacher.code

    # The link as a person might type it: lower case, with the dash.
    page.goto(f"{live_server}/r/{code[:3].lower()}-{code[3:].lower()}")
    expect(page.locator("#room-title")).to_have_text("Year 10 — networks")
    sid = join(page, live_server, f"/r/{code}", HTML_NAME)
    assert page.url == f"{live_server}/?room={code}"
    saved = entry(page, code)
    assert saved == {"code": code, "session": sid, "student": saved["student"], "name": HTML_NAME}
    assert saved["student"]

    # The name and the message are text, never HTML.
    assert bar(page, "name") == f"You: {HTML_NAME}"
    assert bar(page, "message") == MESSAGE
    assert page.locator("#room-bar img, #room-bar b, #room-bar i").count() == 0
    assert bar(page, "title") == "Year 10 — networks"
    assert bar(page, "goal") == "Goal: test loss below 0.1"
    assert bar(page, "progress").startswith("Your test loss now: ")
    assert bar(page, "locked") == (
        "Locked by your teacher: dataset, features, hidden layers, learning rate."
    )

    # The teacher's setup, not a link's: the controls show it, and locked ones are disabled.
    expect(page.locator("#learningRate")).to_have_value("0.3")
    expect(page.locator("#learningRate")).to_be_disabled()
    expect(page.locator("#activations")).to_be_enabled()
    assert page.get_attribute('[data-field="learning_rate"]', "title") == (
        "Your teacher locked this for the activity."
    )
    assert page.locator('[data-field="learning_rate"] .lock-mark').count() == 1
    expect(page.locator("#add-layers")).to_be_disabled()
    expect(page.locator("#remove-layers")).to_be_disabled()
    assert page.locator("#datasets .dataset:not([disabled])").count() == 0
    features = page.locator("#network .node.feature")
    assert features.count() == 7
    for i in range(features.count()):
        assert features.nth(i).get_attribute("aria-disabled") == "true"
    assert page.locator("#network .layer-head button:not([disabled])").count() == 0
    expect(page.locator("#import-model")).to_be_disabled()
    assert page.evaluate("location.hash") == ""

    # A click on a locked feature changes nothing on the server.
    page.locator("#network .node.feature").nth(2).click(force=True)
    wait_idle(page)
    assert api.get(f"/api/sessions/{sid}").json()["config"]["features"] == ["x1", "x2"]

    for width, height in ((390, 844), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        wait_idle(page)
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), width
        assert page.evaluate(OVERLAPS) == [], width
        page.screenshot(path=str(artifacts / f"room-student-{width}x{height}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    # Play; the teacher pauses the class: the page stops and says so.
    page.click("#play-pause-button")
    wait_for_epoch(page, 5)
    teacher.request("POST", "/pause")
    expect(page.locator('#room-bar [data-room="status-text"]')).to_have_text(
        "Your teacher has paused the class.", timeout=10_000
    )
    assert not playing(page)
    expect(page.locator("#banner")).to_be_hidden()
    page.screenshot(path=str(artifacts / "room-student-paused-1280x800.png"))
    animation_frames(page, 3)
    stopped = epoch(page)
    page.wait_for_timeout(2500)
    assert epoch(page) == stopped
    assert api.get(f"/api/sessions/{sid}").json()["epoch"] == stopped

    # Resumed: the page learns of it by itself (it polls while stopped) and can play again.
    teacher.request("POST", "/resume")
    expect(page.locator('#room-bar [data-room="status-text"]')).to_have_text(
        "Your teacher has resumed the class. Press Play to go on.", timeout=10_000
    )
    page.click("#play-pause-button")
    wait_for_epoch(page, stopped + 5)
    page.click("#play-pause-button")
    wait_idle(page)

    # A new activity: the page takes the new setup (shape, rate, locks) and says so.
    teacher.push(
        config={"dataset": "gauss", "hidden_layers": [5, 2], "learning_rate": 0.03},
        locked=["activation"],
        message="Now the gauss data: try anything but the activation.",
        goal={"metric": "test_accuracy", "at_least": 0.95},
    )
    expect(page.locator('#room-bar [data-room="message"]')).to_have_text(
        "Now the gauss data: try anything but the activation.", timeout=10_000
    )
    expect(page.locator('#room-bar [data-room="status-text"]')).to_have_text(
        "Your teacher started a new activity."
    )
    wait_idle(page)
    expect(page.locator("#learningRate")).to_have_value("0.03")
    expect(page.locator("#learningRate")).to_be_enabled()
    expect(page.locator("#activations")).to_be_disabled()
    expect(page.locator("#num-layers")).to_have_text("2")
    expect(page.locator("#add-layers")).to_be_enabled()
    assert page.locator("#network .layer-head").count() == 2
    assert page.locator('#network .node.feature[aria-disabled="true"]').count() == 0
    expect(page.locator("#iter-number")).to_have_text("000,000")
    assert bar(page, "goal") == "Goal: test accuracy at least 95 %"
    page.set_viewport_size({"width": 390, "height": 844})
    animation_frames(page, 2)
    assert page.evaluate(OVERLAPS) == []
    page.screenshot(path=str(artifacts / "room-student-new-activity-390x844.png"))
    page.set_viewport_size({"width": 1280, "height": 800})
    assert page.locator("#datasets .dataset.selected").get_attribute("aria-label") == (
        "Dataset Gaussian"
    )

    # Gauss is easy: the server sees the goal reached, the bar says when.
    page.click("#play-pause-button")
    expect(page.locator('#room-bar [data-room="progress"]')).to_have_text(
        re.compile(r"^Goal reached at epoch \d+ \(\d+ s\)$"), timeout=20_000
    )
    page.click("#play-pause-button")
    wait_idle(page)
    assert page.evaluate("location.hash") == ""

    # The class experiment: the student's value, and that field locked.
    teacher.request("PUT", "/experiment", json={"field": "learning_rate", "values": [0.1, 1]})
    expect(page.locator('#room-bar [data-room="experiment"]')).to_have_text(
        "Your value in the class experiment: learning rate 0.1", timeout=10_000
    )
    wait_idle(page)
    expect(page.locator("#learningRate")).to_have_value("0.1")
    expect(page.locator("#learningRate")).to_be_disabled()

    # Coming back by the link: straight on, to the same session.
    page.goto(f"{live_server}/r/{code}")
    expect(page.locator("#join-status")).to_have_text(
        f"Welcome back, {HTML_NAME}! Taking you to your class…"
    )
    page.wait_for_url(f"{live_server}/?room={code}")
    wait_idle(page)
    assert page.get_attribute("main", "data-session") == sid
    # The page going away did not delete the student's session.
    assert api.get(f"/api/sessions/{sid}").status_code == 200

    # The teacher ends the class: the page says so, with a way to join another.
    teacher.request("DELETE", status=204)
    ended = page.locator('#room-bar [data-room="status-text"]')
    expect(ended).to_have_text("This class has ended.", timeout=10_000)
    expect(page.locator('#room-bar a[data-room="join"]')).to_have_attribute("href", "/join")
    expect(page.locator("#play-pause-button")).to_be_disabled()
    assert entry(page, code) is None
    # Nothing took the place of the student's session.
    assert page.get_attribute("main", "data-session") == sid
    page.screenshot(path=str(artifacts / "room-student-ended-1280x800.png"))
    assert not [e for e in recorder.errors if "404" not in e and "409" not in e], recorder.errors


def test_the_join_page_types_a_code_and_says_what_went_wrong(
    page: Page, live_server: str, api: httpx.Client, artifacts: Path
) -> None:
    teacher = Teacher(api, title="")
    page.goto(f"{live_server}/join")
    expect(page.locator("#code-input")).to_be_visible()
    expect(page.locator("#join-heading")).to_have_text("Join a class")

    page.fill("#code-input", "K7Q")
    page.click("#code-button")
    expect(page.locator("#join-error")).to_have_text(re.compile("A class code has 6"))

    # A code nobody uses: the server's sentence.
    unknown = "AAAAAA" if teacher.code != "AAAAAA" else "CCCCCC"
    page.fill("#code-input", unknown.lower())
    page.click("#code-button")
    expect(page.locator("#join-error")).to_have_text(
        re.compile(
            f"^There is no class with the code {unknown[:3]}-?{unknown[3:]}\\. Check the code"
        )
    )

    # The real code, typed in lower case with a space: found; a class without a title.
    page.fill("#code-input", f"{teacher.code[:3].lower()} {teacher.code[3:].lower()}")
    page.click("#code-button")
    expect(page.locator("#room-title")).to_have_text(f"Class {teacher.code[:3]}-{teacher.code[3:]}")
    assert page.url == f"{live_server}/r/{teacher.code}"
    page.screenshot(path=str(artifacts / "room-join-1280x800.png"))

    # Names: none, too long (the page says so), then the server's refusals.
    page.click("#join-button")
    expect(page.locator("#join-error")).to_have_text("Type your name first.")
    page.fill("#name-input", "x" * 41)
    page.click("#join-button")
    expect(page.locator("#join-error")).to_have_text("Your name can have at most 40 characters.")
    for status, detail in (
        (409, "This class is full (100 students). Ask your teacher."),
        (429, "Too many unknown codes from your address: wait a minute."),
        (422, "name: a name has 1 to 40 characters."),
    ):
        page.route(f"**/api/rooms/{teacher.code}/students", refuse(status, detail))
        page.fill("#name-input", "Grace")
        page.click("#join-button")
        expect(page.locator("#join-error")).to_have_text(detail)
        page.unroute(f"**/api/rooms/{teacher.code}/students")
        if status == 429:  # back to the code
            page.click("#code-button")
            expect(page.locator("#name-input")).to_be_visible()

    # Any script: forty characters of it are a name.
    name = "李" * 20 + "😀" * 20
    page.fill("#name-input", name)
    page.click("#join-button")
    page.wait_for_url(re.compile(r"/\?room="))
    wait_idle(page)
    assert bar(page, "name") == f"You: {name}"
    assert bar(page, "message") == "Waiting for your teacher to start an activity."
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/join")
    expect(page.locator("#code-input")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.screenshot(path=str(artifacts / "room-join-390x844.png"))


def test_without_an_entry_the_room_address_goes_to_the_join_page(
    page: Page, live_server: str, api: httpx.Client
) -> None:
    teacher = Teacher(api)
    page.goto(f"{live_server}/?room={teacher.code.lower()}")
    page.wait_for_url(f"{live_server}/r/{teacher.code}")
    expect(page.locator("#name-input")).to_be_visible()


def test_a_removed_student_is_told_the_class_ended(
    page: Page, live_server: str, api: httpx.Client
) -> None:
    teacher = Teacher(api)
    sid = join(page, live_server, f"/r/{teacher.code}", "Grace")
    student = entry(page, teacher.code)["student"]
    teacher.request("DELETE", f"/students/{student}", status=204)
    # Playing: the next step answers 404, and no new session replaces it.
    page.click("#play-pause-button")
    expect(page.locator('#room-bar [data-room="status-text"]')).to_have_text(
        "This class has ended.", timeout=10_000
    )
    assert page.get_attribute("main", "data-session") == sid
    assert entry(page, teacher.code) is None


def test_in_a_class_a_model_cannot_replace_the_session(
    page: Page, live_server: str, api: httpx.Client, tmp_path: Path
) -> None:
    teacher = Teacher(api)
    sid = join(page, live_server, f"/r/{teacher.code}", "Lin")
    expect(page.locator("#import-model")).to_be_disabled()
    model = api.get(f"/api/sessions/{sid}/model").json()
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model))
    # Even through the file input itself: the page refuses and keeps the session.
    page.set_input_files("#model-file", str(path))
    expect(page.locator("#banner-text")).to_have_text(
        "In a class your teacher chooses the setup, so loading a model is switched off."
    )
    assert page.get_attribute("main", "data-session") == sid
