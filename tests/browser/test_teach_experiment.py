"""The teacher's page beyond what test_teach_page.py covers, in one Chromium against a real
server: a teacher and three students. The teacher pushes the circle with one hidden layer
of 4, runs a class experiment on the learning rate from the page (each student gets and
sees their own value, locked; the tiles and the plot show them), pushes one student's
network to everyone from the spotlight (everyone restarts from the same weights, those the
student had), and removes a student (their page says the class has ended for them).
Screenshots of the dashboard with the plot at 1280×800 and 1920×1080 go to test-artifacts/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.test_teach_page import CLIPPED, OVERLAPS, join_by_link, new_page
from tests.helpers import animation_frames, wait_idle

NAMES = ["Ada", "Bob", "Zoë"]
# As the teacher types them, and as the pages show each (students get them in join order).
VALUES_TYPED = "0.003, 0.03,0.3"
VALUES = [0.003, 0.03, 0.3]
SHOWN = ["0.003", "0.03", "0.3"]

# The plot's own words must not overlap one another or leave the plot.
PLOT_TEXT = """() => {
  const svg = document.querySelector('#experiment-plot svg');
  const frame = svg.getBoundingClientRect();
  const texts = [...svg.querySelectorAll('text')].map(t => ({t, r: t.getBoundingClientRect()}));
  const bad = [];
  for (const {t, r} of texts) {
    if (r.left < frame.left - 1 || r.right > frame.right + 1
        || r.top < frame.top - 1 || r.bottom > frame.bottom + 1) bad.push(`out: ${t.textContent}`);
  }
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i].r, b = texts[j].r;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) bad.push(`${texts[i].t.textContent} / ${texts[j].t.textContent}`);
    }
  }
  return bad;
}"""

# Marks (dots, means' bars) that touch or cross the plot's frame sideways.
MARKS_OUTSIDE_FRAME = """(root) => {
  const f = root.querySelector('.exp-frame');
  const left = +f.getAttribute('x'), right = left + +f.getAttribute('width');
  const spans = [
    ...[...root.querySelectorAll('.exp-dot')].map(d => {
      const cx = +d.getAttribute('cx'), r = +d.getAttribute('r');
      return ['dot', cx - r, cx + r];
    }),
    ...[...root.querySelectorAll('.exp-mean')].map(m =>
      ['mean', +m.getAttribute('x1'), +m.getAttribute('x2')]),
  ];
  return spans.filter(([, a, b]) => a <= left + 1 || b >= right - 1).map(s => s.join(' '));
}"""


@pytest.fixture
def contexts() -> Iterator[list[BrowserContext]]:
    """One browser context per person (each has its own localStorage); closed at the end."""
    made: list[BrowserContext] = []
    yield made
    for context in made:
        context.close()


def bar(page: Page, part: str) -> Any:
    return page.locator(f'#room-bar [data-room="{part}"]')


def entry(page: Page, code: str) -> Any:
    raw = page.evaluate("(key) => localStorage.getItem(key)", f"np-room:{code}")
    return json.loads(raw) if raw else None


def wait_for_version(page: Page, version: int) -> None:
    """The student's page has reset itself to this activity version and is idle."""
    page.wait_for_selector(f"main[data-room-version='{version}']", timeout=15_000)
    wait_idle(page)


def play(page: Page) -> None:
    page.click("#play-pause-button")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-label", "Pause")


def stop(page: Page) -> None:
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-label", "Pause")
    page.click("#play-pause-button")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-label", "Play")
    wait_idle(page)


def weights(model: dict[str, Any]) -> dict[str, Any]:
    return {"weights": model["weights"], "biases": model["biases"]}


def test_experiment_share_and_remove_from_the_teacher_page(
    browser: Browser,
    browser_context_args: dict[str, Any],
    contexts: list[BrowserContext],
    live_server: str,
    api: httpx.Client,
    artifacts: Path,
) -> None:
    teacher_errors: list[str] = []
    teacher = new_page(browser, browser_context_args, contexts, teacher_errors)
    teacher.goto(f"{live_server}/teach")
    teacher.fill("#start-title", "Experiments")
    teacher.click("#start-class")
    expect(teacher.locator("#join-code")).to_have_text(re.compile(r"^[A-Z0-9]{3}-[A-Z0-9]{3}$"))
    code = (teacher.text_content("#join-code") or "").replace("-", "")
    token = teacher.evaluate("JSON.parse(localStorage.getItem('np-teach')).teacher_token")
    auth = {"Authorization": f"Bearer {token}"}

    students: list[Page] = []
    student_errors: list[str] = []
    for name in NAMES:
        page = new_page(browser, browser_context_args, contexts, student_errors)
        join_by_link(page, live_server, code, name)
        students.append(page)
    expect(teacher.locator("#tiles .tile")).to_have_count(3)
    entries = [entry(page, code) for page in students]
    sessions = [e["session"] for e in entries]
    ids = [e["student"] for e in entries]
    teacher.click("#join-toggle")
    expect(teacher.locator("#join-panel")).to_be_hidden()

    # -- push the circle, one hidden layer of 4 ---------------------------------------------
    teacher.select_option("#af-dataset", "circle")
    teacher.fill("#af-hidden_layers", "4")
    teacher.select_option("#af-learning_rate", "0.1")
    teacher.check("[data-lock=hidden_layers]")
    teacher.click("#push-activity")
    expect(teacher.locator("#activity-now")).to_contain_text("activity 1")
    for page in students:
        wait_for_version(page, 1)
        expect(page.locator("#learningRate")).to_have_value("0.1")
        expect(page.locator("#learningRate")).to_be_enabled()

    # -- the class experiment, from the page -------------------------------------------------
    expect(teacher.locator("#experiment-caption")).to_have_text("No experiment running.")
    expect(teacher.locator("#experiment-plot")).to_be_hidden()
    teacher.click("#experiment-panel summary")
    expect(teacher.locator("#experiment-values")).to_be_visible()
    teacher.select_option("#experiment-field", "learning_rate")
    teacher.fill("#experiment-values", VALUES_TYPED)
    teacher.click("#run-experiment")
    expect(teacher.locator("#experiment-error")).to_be_empty()
    expect(teacher.locator("#teach-message")).to_have_text(
        "Experiment on Learning rate: 3 values given out round-robin."
    )
    expect(teacher.locator("#activity-now")).to_contain_text("activity 2")
    room = api.get(f"/api/rooms/{code}").json()
    assert room["experiment"] == {"field": "learning_rate", "values": VALUES}
    assert room["activity"]["version"] == 2
    assert room["activity"]["config"]["dataset"] == "circle"
    assert room["activity"]["config"]["hidden_layers"] == [4]

    # Each student's page: their own value, and the learning rate locked at it.
    for page, shown in zip(students, SHOWN, strict=True):
        wait_for_version(page, 2)
        expect(bar(page, "experiment")).to_have_text(
            f"Your value in the class experiment: learning rate {shown}"
        )
        expect(bar(page, "locked")).to_contain_text("learning rate")
        expect(page.locator("#learningRate")).to_have_value(shown)
        expect(page.locator("#learningRate")).to_be_disabled()
        expect(page.locator("#iter-number")).to_have_text("000,000")
    for sid, value in zip(sessions, VALUES, strict=True):
        assert api.get(f"/api/sessions/{sid}").json()["config"]["learning_rate"] == value

    # They play a while; the tiles show each value, the plot one mark per student.
    for page in students:
        play(page)
    teacher.wait_for_function(
        "() => [...document.querySelectorAll('#tiles .tile')]"
        ".filter(t => +t.dataset.epoch >= 50).length === 3",
        timeout=60_000,
    )
    for page in students:
        stop(page)
    tiles = teacher.locator("#tiles .tile")
    for name, shown in zip(NAMES, SHOWN, strict=True):
        tile = tiles.filter(has=teacher.locator(".tile-name", has_text=name))
        expect(tile.locator(".t-value")).to_be_visible()
        expect(tile.locator(".t-value .tile-k")).to_have_text("value")
        expect(tile.locator(".t-value .tile-v")).to_have_text(shown)

    plot = teacher.locator("#experiment-plot")
    expect(plot).to_be_visible()
    expect(teacher.locator("#experiment-caption")).to_have_text(
        "Experiment: Learning rate = 0.003, 0.03, 0.3"
    )
    expect(plot).to_have_attribute("data-points", "3")
    expect(plot.locator(".exp-dot")).to_have_count(3)
    dots = dict(
        plot.locator(".exp-dot").evaluate_all(
            "els => els.map(e => [e.dataset.student, +e.getAttribute('cx')])"
        )
    )
    assert sorted(dots) == sorted(ids)
    xs = [dots[i] for i in ids]  # in join order, that is in value order
    assert xs[0] < xs[1] < xs[2], xs
    # A log axis: the three values, a decade apart, are evenly spaced.
    assert abs((xs[1] - xs[0]) - (xs[2] - xs[1])) < 1, xs
    # The marks and the means' bars at the first and last value stay inside the frame,
    # off its left edge (the y axis).
    assert plot.evaluate(MARKS_OUTSIDE_FRAME) == []
    labels = plot.locator("text.exp-label").all_text_contents()
    assert "Learning rate (log scale)" in labels
    assert "final test loss" in labels
    ticks = plot.locator("text.exp-tick").all_text_contents()
    assert all(s in ticks for s in SHOWN), ticks
    # The marks' heights are the students' test losses as the server has them.
    board = api.get(f"/api/rooms/{code}/students", headers=auth).json()
    assert [s["value"] for s in board["students"]] == VALUES
    assert all(isinstance(s["test_loss"], float) for s in board["students"])

    # The dashboard with the plot, at a laptop's and a projector's size.
    for width, height in [(1280, 800), (1920, 1080)]:
        teacher.set_viewport_size({"width": width, "height": height})
        animation_frames(teacher, 2)
        assert teacher.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), width
        assert teacher.evaluate(OVERLAPS) == [], f"overlaps at {width}×{height}"
        assert teacher.evaluate(CLIPPED) == [], f"clipped text at {width}×{height}"
        assert teacher.evaluate(PLOT_TEXT) == [], f"plot text at {width}×{height}"
        box = plot.bounding_box()
        assert box and box["width"] >= 400, box
        teacher.screenshot(
            path=artifacts / f"teach-experiment-{width}x{height}.png", full_page=True
        )
    teacher.set_viewport_size({"width": 1280, "height": 800})

    # -- push Bob's network to everyone from the spotlight -----------------------------------
    shared = 1
    before = weights(api.get(f"/api/sessions/{sessions[shared]}/model").json())
    stopped_at = api.get(f"/api/sessions/{sessions[shared]}").json()["epoch"]
    assert stopped_at > 0
    teacher.click(f"#tiles .tile[data-student='{ids[shared]}']")
    spot = teacher.locator("#spotlight")
    expect(spot).to_be_visible()
    expect(teacher.locator("#spot-title")).to_contain_text("Bob")
    expect(spot).to_have_attribute("data-epoch", str(stopped_at))
    # The spotlight's next answer shows the very weights the API gives.
    with teacher.expect_response(
        lambda r: r.request.method == "GET" and r.url.endswith(f"/students/{ids[shared]}")
    ) as answer:
        pass
    frame = answer.value.json()["frame"]
    assert weights(frame) == before

    teacher.click("#spot-share")
    expect(teacher.locator("#teach-message")).to_have_text(
        "Bob's network is activity 3 for everyone."
    )
    expect(teacher.locator("#activity-now")).to_contain_text("activity 3")
    # Sharing ends the experiment: the plot goes, the tiles lose their values.
    expect(teacher.locator("#experiment-caption")).to_have_text("No experiment running.")
    expect(plot).to_be_hidden()
    expect(teacher.locator("#tiles .t-value")).to_have_count(3)
    for i in range(3):
        expect(teacher.locator("#tiles .t-value").nth(i)).to_be_hidden()
    room = api.get(f"/api/rooms/{code}").json()
    assert room["activity"]["version"] == 3 and room["activity"]["from_model"] is True
    assert room["experiment"] is None

    for page in students:
        wait_for_version(page, 3)
        expect(bar(page, "status-text")).to_have_text("Your teacher started a new activity.")
        expect(bar(page, "experiment")).to_be_hidden()
        expect(page.locator("#iter-number")).to_have_text("000,000")
        # Bob's learning rate for everyone, no longer locked.
        expect(page.locator("#learningRate")).to_have_value("0.03")
        expect(page.locator("#learningRate")).to_be_enabled()
    models = [api.get(f"/api/sessions/{sid}/model").json() for sid in sessions]
    for model in models:
        assert weights(model) == before
        assert model["config"]["learning_rate"] == 0.03
        assert model["config"]["hidden_layers"] == [4]
    assert [api.get(f"/api/sessions/{sid}").json()["epoch"] for sid in sessions] == [0, 0, 0]
    teacher.click("#spot-close")
    expect(spot).to_be_hidden()

    # -- remove Zoë from the spotlight -------------------------------------------------------
    gone = 2
    teacher.click(f"#tiles .tile[data-student='{ids[gone]}']")
    expect(spot).to_be_visible()
    expect(teacher.locator("#spot-title")).to_contain_text("Zoë")
    teacher.click("#spot-remove")  # the confirmation is accepted (new_page)
    expect(spot).to_be_hidden()
    expect(teacher.locator("#tiles .tile")).to_have_count(2)
    expect(teacher.locator(f"#tiles .tile[data-student='{ids[gone]}']")).to_have_count(0)
    expect(teacher.locator("#tiles .tile-name")).to_have_text(NAMES[:2])
    expect(teacher.locator("#class-count")).to_have_text("2 students")
    assert api.get(f"/api/sessions/{sessions[gone]}").status_code == 404

    # Zoë's page learns it by itself (it reads its state while idle): the class has ended.
    zoe = students[gone]
    expect(bar(zoe, "status-text")).to_have_text("This class has ended.", timeout=15_000)
    expect(zoe.locator("#room-bar")).to_have_class(re.compile("ended"))
    expect(zoe.locator('#room-bar a[data-room="join"]')).to_be_visible()
    expect(zoe.locator("#play-pause-button")).to_be_disabled()
    assert entry(zoe, code) is None
    # The others go on.
    for page in students[:gone]:
        expect(bar(page, "status-text")).not_to_have_text("This class has ended.")
        assert entry(page, code) is not None

    assert teacher_errors == []
    # Zoë's requests after the removal answer 404, which the browser logs.
    assert [e for e in student_errors if "404" not in e] == []
