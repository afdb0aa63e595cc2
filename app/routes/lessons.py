"""Lesson routes: the list, one lesson in a language, a step's check on a session, and
the printable worksheet. The lessons are read once at start (app/lessons.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import segno
from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from pydantic import BaseModel

from .. import __version__, lessons
from ..deps import SessionDep
from ..errors import ApiError, responses
from ..lessons import Lesson, LessonNotFound

router = APIRouter(tags=["lessons"], responses=responses(400, 404, 413, 422, 503))
pages = APIRouter(include_in_schema=False)


async def get_lessons(request: Request) -> dict[str, Lesson]:
    return request.app.state.lessons  # type: ignore[no-any-return]


LessonsDep = Annotated[dict[str, Lesson], Depends(get_lessons)]
LangQuery = Annotated[
    Literal["en", "zh"] | None,
    Query(description="en or zh; without it, the first of Accept-Language we have, else en"),
]
AcceptLanguage = Annotated[str | None, Header(include_in_schema=False)]


class LessonSummary(BaseModel):
    id: str
    title: str
    summary: str
    steps: int


class ConditionOut(BaseModel):
    kind: str
    value: bool | int | float
    text: str


class StepOut(BaseModel):
    number: int
    text: str
    hints: list[str]
    questions: list[str]
    config: dict[str, Any] | None
    view: dict[str, bool]
    lock: list[str]
    epochs: int | None
    check: list[ConditionOut]
    claim: Literal["can", "cannot"]


class LessonOut(BaseModel):
    id: str
    lang: Literal["en", "zh"]
    title: str
    summary: str
    steps: list[StepOut]


class MeasuredOut(BaseModel):
    kind: str
    value: bool | int | float
    actual: bool | int | float | None
    met: bool
    text: str


class CheckOut(BaseModel):
    met: bool
    conditions: list[MeasuredOut]


def _find(all_lessons: dict[str, Lesson], lesson_id: str, step: int | None = None) -> Lesson:
    try:
        return lessons.find(all_lessons, lesson_id, step)
    except LessonNotFound as exc:
        raise ApiError.of(exc, 404) from None


@router.get("/api/lessons", response_model=list[LessonSummary])
def list_lessons(
    all_lessons: LessonsDep, lang: LangQuery = None, accept_language: AcceptLanguage = None
) -> Any:
    """Every lesson (built-in, and the teacher's from PLAYGROUND_LESSONS_DIR), in order."""
    chosen = lessons.pick_lang(lang, accept_language)
    return [lessons.summary(lesson, chosen) for lesson in all_lessons.values()]


@router.get("/api/lessons/{lesson_id}", response_model=LessonOut)
def read_lesson(
    lesson_id: str,
    all_lessons: LessonsDep,
    lang: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> Any:
    """One lesson in one language: its steps with their setup, locks, check and hints."""
    lesson = _find(all_lessons, lesson_id)
    return lessons.in_language(lesson, lessons.pick_lang(lang, accept_language))


@router.get(
    "/api/sessions/{session_id}/lessons/{lesson_id}/steps/{number}/check",
    response_model=CheckOut,
)
def check_step(
    ref: SessionDep,
    lesson_id: str,
    number: Annotated[int, Path(ge=1, description="the step, from 1")],
    all_lessons: LessonsDep,
    lang: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> Any:
    """The step's check, measured by the server on the session as it is now: each
    condition with its measured value, and whether all hold."""
    lesson = _find(all_lessons, lesson_id, number)
    chosen = lessons.pick_lang(lang, accept_language)
    with ref.read() as session:
        return lessons.evaluate(lesson.steps[number - 1], session.trainer, chosen)


# -- the worksheet -------------------------------------------------------------------------


def qr_svg(link: str) -> Markup:
    """The link as an inline SVG QR code (drawn by segno; only its own markup)."""
    svg = segno.make(link, error="m").svg_inline(border=2, omitsize=True, dark="#000")
    return Markup(svg)  # segno's SVG: no text of ours in it


@pages.get("/lessons/{lesson_id}/print", response_class=HTMLResponse)
def worksheet(
    lesson_id: str,
    request: Request,
    all_lessons: LessonsDep,
    lang: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> HTMLResponse:
    """A printable worksheet: every step's text and questions with space to write, and
    a QR code of the link to each setup."""
    lesson = _find(all_lessons, lesson_id)
    chosen = lessons.pick_lang(lang, accept_language)
    base = str(request.base_url).rstrip("/")
    steps = []
    for number, step in enumerate(lesson.steps, start=1):
        link = f"{base}/#{lessons.step_hash(lesson, number, chosen)}" if step.config else None
        steps.append(
            {
                "number": number,
                "paragraphs": [p.strip() for p in step.text[chosen].split("\n\n") if p.strip()],
                "questions": step.questions[chosen],
                "link": link,
                "qr": qr_svg(link) if link else None,
            }
        )
    context = {
        "version": __version__,
        "lang": chosen,
        "lesson": lesson,
        "title": lesson.title[chosen],
        "summary": lesson.summary[chosen],
        "steps": steps,
        "text": lessons.WORKSHEET_TEXT[chosen],
    }
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "lesson_print.html", context)  # type: ignore[no-any-return]
