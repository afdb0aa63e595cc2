"""A lesson as a class's activity, in a real browser against a real server: the teacher
picks a lesson step on /teach, the student's class bar shows the step's text and its
check, the check the server measures turns it to "reached", and "Next step" moves the
class on."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, BrowserContext, expect

from app import lessons
from tests.browser.test_teach_page import contexts, join_by_link, new_page  # noqa: F401
from tests.helpers import wait_idle

LESSON = lessons.load()["features-vs-neurons"]  # step 1: x1·x2 alone, met within ~100 epochs


def test_the_teacher_paces_a_lesson_and_the_student_follows(
    browser: Browser,
    browser_context_args: dict[str, Any],
    contexts: list[BrowserContext],  # noqa: F811
    live_server: str,
    api: httpx.Client,
    artifacts: Path,
) -> None:
    errors: list[str] = []
    teacher = new_page(browser, browser_context_args, contexts, errors)
    teacher.set_viewport_size({"width": 1280, "height": 800})
    teacher.goto(f"{live_server}/teach")
    teacher.fill("#start-title", "Lesson day")
    teacher.click("#start-class")
    expect(teacher.locator("#join-code")).to_have_text(re.compile(r"^[A-Z0-9]{3}-[A-Z0-9]{3}$"))
    code = (teacher.text_content("#join-code") or "").replace("-", "")
    student = new_page(browser, browser_context_args, contexts, errors)
    student.set_viewport_size({"width": 1280, "height": 800})
    join_by_link(student, live_server, code, "Ada")
    expect(teacher.locator("#tiles .tile")).to_have_count(1)

    # The teacher opens "Teach a lesson", picks the lesson at step 1 and starts it.
    teacher.click("#lesson-panel > summary")
    teacher.select_option("#lesson-choice", LESSON.id)
    teacher.fill("#lesson-step", "1")
    teacher.click("#push-lesson")
    expect(teacher.locator("#lesson-step-title")).to_contain_text("1")
    teacher.screenshot(path=artifacts / "room-lesson-teacher-1280x800.png")

    # The student's bar: the lesson, the step and its text; the step's setup is the session's.
    bar = student.locator("#room-bar")
    title = LESSON.title["en"]
    expect(bar.locator("[data-room=goal]")).to_have_text(f"Lesson: {title} · step 1 of 4")
    first_line = LESSON.steps[0].text["en"].strip().splitlines()[0]
    expect(bar.locator("[data-room=message]")).to_contain_text(first_line)
    expect(bar.locator("[data-room=progress]")).to_have_text(
        "The step's check is not met yet: keep going."
    )
    wait_idle(student)
    session = student.get_attribute("main", "data-session")
    config = api.get(f"/api/sessions/{session}").json()["config"]
    assert config["features"] == ["x1_x2"] and config["hidden_layers"] == []

    # Training until the server's check holds: the bar says the goal was reached.
    student.click("#play-pause-button")
    expect(bar.locator("[data-room=progress]")).to_contain_text(
        "Goal reached at epoch", timeout=30_000
    )
    student.click("#play-pause-button")
    student.screenshot(path=artifacts / "room-lesson-student-1280x800.png")

    # Next step: the whole class moves on, the bar follows with the new step's text.
    teacher.click("#lesson-next")
    expect(bar.locator("[data-room=goal]")).to_have_text(
        f"Lesson: {title} · step 2 of 4", timeout=15_000
    )
    second_line = LESSON.steps[1].text["en"].strip().splitlines()[0]
    expect(bar.locator("[data-room=message]")).to_contain_text(second_line)
    wait_idle(student)
    session = student.get_attribute("main", "data-session")
    config = api.get(f"/api/sessions/{session}").json()["config"]
    assert config["features"] == ["x1", "x2"]
    assert [e for e in errors if "favicon" not in e] == []
