"""Room routes: start a class, join it, and the teacher's controls (token required)."""

from __future__ import annotations

import contextlib
import io
import secrets
import time
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError

from .. import __version__, classroom, lessons, serialize
from ..deps import ComputeDep, LangDep, RoomsDep, SettingsDep, StoreDep
from ..engine import ConfigError, Trainer, config_from_dict
from ..errors import ApiError, problem, responses
from ..lessons import LessonNotFound
from ..rooms import (
    CodeTaken,
    Room,
    RoomNotFound,
    RoomsFull,
    RoomStore,
    Student,
    TooManyMisses,
    display_code,
    new_code,
    new_token,
    normalise_code,
    token_hash,
)
from ..schemas import (
    THUMB_DEFAULT,
    ActivityIn,
    ConfigPatch,
    ExperimentIn,
    JoinIn,
    JoinOut,
    RoomIn,
    RoomOut,
    SpotlightOut,
    StudentsOut,
)
from ..settings import Settings
from ..store import SessionNotFound, SessionStore
from .lessons import LessonsDep
from .sessions import random_seed

router = APIRouter(
    prefix="/api/rooms", tags=["rooms"], responses=responses(400, 404, 413, 422, 429, 503)
)
pages = APIRouter(include_in_schema=False)
bearer = HTTPBearer(auto_error=False, description="The teacher token of the class.")

RETRY = {"Retry-After": "60"}


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _find(code: str, request: Request, rooms: RoomStore) -> Room:
    """The room or 404 (counted against the address: 429 beyond the limit)."""
    normal = normalise_code(code) or ""
    try:
        return rooms.find(normal or "-", _address(request))
    except RoomNotFound:
        shown = display_code(normal) if normal else code[:20]
        raise ApiError(404, "class.no_such_code", code=shown) from None
    except TooManyMisses:
        raise ApiError(429, "class.too_many_misses", headers=RETRY) from None


def public_room(code: str, request: Request, rooms: RoomsDep) -> Room:
    room = _find(code, request, rooms)
    if rooms.blocked(_address(request)):
        raise ApiError(429, "class.too_many_misses", headers=RETRY)
    return room


def teacher_room(
    code: str,
    request: Request,
    rooms: RoomsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Room:
    if credentials is None:
        raise ApiError(401, "class.teacher_only", headers={"WWW-Authenticate": "Bearer"})
    room = _find(code, request, rooms)
    if not room.check_token(credentials.credentials):
        raise ApiError(403, "class.wrong_token")
    return room


PublicRoom = Annotated[Room, Depends(public_room)]
TeacherRoom = Annotated[Room, Depends(teacher_room)]
TEACHER = responses(401, 403)


def room_out(room: Room, settings: Settings, token: str | None = None) -> dict[str, Any]:
    activity = room.activity
    return {
        "code": room.code,
        "title": room.title,
        "join_url": f"/r/{room.code}",
        "teacher_token": token,
        "paused": room.paused,
        "students": len(room.students),
        "max_students": settings.max_room_students,
        "activity": None
        if activity is None
        else {
            "version": activity["version"],
            "config": activity["config"],
            "from_model": activity["model"] is not None,
            "locked": activity["locked"],
            "message": activity["message"],
            "goal": activity["goal"],
            "lesson": classroom.lesson_view(activity),
            "started": activity["started"],
        },
        "experiment": None
        if room.experiment is None
        else {"field": room.experiment["field"], "values": room.experiment["values"]},
    }


def _reset_all(store: SessionStore, rooms: RoomStore, room: Room) -> None:
    for student in room.students:
        classroom.reset_student(store, rooms, room, student, random_seed())


def _new_version(room: Room, activity: dict[str, Any] | None) -> None:
    """A push: the activity (if any) gets the next version; the experiment ends unless
    the push is the experiment itself (the caller sets it after)."""
    room.versions += 1
    room.activity = activity
    if activity is not None:
        activity["version"] = room.versions
    room.experiment = None
    for student in room.students:
        student.value = None


@router.post("", status_code=201, response_model=RoomOut)
def create_room(rooms: RoomsDep, settings: SettingsDep, body: RoomIn | None = None) -> Any:
    """Start a class. The answer holds the teacher token: the only time it is sent."""
    token = new_token()
    for _ in range(5):
        room = Room(new_code(), (body or RoomIn()).title, token_hash(token), time.time())
        try:
            rooms.create(room)
            return room_out(room, settings, token)
        except CodeTaken:
            continue
        except RoomsFull:
            break
    raise ApiError(503, "class.too_many_classes")


@router.get("/{code}", response_model=RoomOut)
def read_room(room: PublicRoom, settings: SettingsDep) -> Any:
    """What a student sees before joining: title, current activity, paused."""
    return room_out(room, settings)


@router.get(
    "/{code}/qr.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "the join link"}},
)
def qr_code(room: PublicRoom, request: Request) -> Response:
    """The join link as a QR code (SVG, scales to any size; drawn by segno)."""
    link = f"{str(request.base_url).rstrip('/')}/r/{room.code}"
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="svg", border=2, omitsize=True, xmldecl=False)
    return Response(out.getvalue(), media_type="image/svg+xml")


@router.post("/{code}/students", status_code=201, response_model=JoinOut, responses=responses(409))
def join(
    body: JoinIn,
    room: PublicRoom,
    store: StoreDep,
    rooms: RoomsDep,
    settings: SettingsDep,
    lang: LangDep,
) -> Any:
    """Join with a display name (shown as text, never as HTML): a new session in the
    class, reset to the current activity (and the next experiment value)."""
    student_id = secrets.token_urlsafe(9)

    def add(r: Room) -> Student:
        if len(r.students) >= settings.max_room_students:
            full = settings.max_room_students
            raise ApiError(409, "class.full", most=full)
        value = None
        if r.experiment:
            values = r.experiment["values"]
            value = values[r.experiment["next"] % len(values)]
            r.experiment["next"] += 1
        student = Student(student_id, r.next_number, body.name, "", time.time(), value)
        r.next_number += 1
        r.students.append(student)
        return student

    room, student = _update(rooms, room.code, add)
    try:
        trainer = classroom.trainer_for(room, student, random_seed())
        session = store.create(trainer, room=room.code, student=student.id)
    except BaseException:
        _update(rooms, room.code, lambda r: _remove(r, student_id))
        raise

    def set_session(r: Room) -> None:
        found = r.student(student_id)
        if found is not None:
            found.session = session.id

    room, _ = _update(rooms, room.code, set_session)
    student.session = session.id
    record = classroom.publish(rooms, room, student, session, previous=None, reset=True)
    state = serialize.state(session, lang)
    state["room"] = classroom.view(room, student, record)
    return {
        "student": {"id": student.id, "number": student.number, "name": student.name},
        "session": state,
    }


@router.put("/{code}/activity", response_model=RoomOut, responses=TEACHER)
def push_activity(
    body: ActivityIn,
    room: TeacherRoom,
    store: StoreDep,
    rooms: RoomsDep,
    settings: SettingsDep,
    all_lessons: LessonsDep,
) -> Any:
    """Reset every student to a config (or the same weights), with locked fields, a
    message and a goal; or to a lesson's step: its setup, its locks (and ``locked``), its
    check as the goal. Students who join later get it too. Ends an experiment."""
    if body.config is not None and body.model is not None:
        raise ApiError(422, "class.config_or_model")
    if body.lesson is not None:
        if body.config is not None or body.model is not None or body.goal is not None:
            raise ApiError(422, "class.lesson_alone")
        activity = _lesson_activity(all_lessons, body.lesson, body.step or 1, body)
    else:
        if body.step is not None:
            raise ApiError(422, "class.step_needs_lesson")
        activity = _activity(body)
    room, _ = _update(rooms, room.code, lambda r: _new_version(r, activity))
    _reset_all(store, rooms, room)
    return room_out(room, settings)


def _lesson_activity(
    all_lessons: dict[str, lessons.Lesson], lesson_id: str, number: int, body: ActivityIn
) -> dict[str, Any]:
    """A lesson's step as the activity: its setup (a random seed unless it sets one), its
    locks and the teacher's, its check as the goal (``lesson``)."""
    try:
        lesson = lessons.find(all_lessons, lesson_id, number)
    except LessonNotFound as exc:
        raise ApiError.of(exc, 404) from None
    part = classroom.lesson_part(lesson, number)
    config = {"seed": random_seed(), **part["setup"]}
    try:
        trainer = Trainer(config_from_dict(config))
    except ConfigError as exc:
        raise ApiError.of(exc) from None
    return {
        "config": trainer.config.to_dict(),
        "model": None,
        "locked": list(dict.fromkeys([*part["lock"], *body.locked])),
        "message": body.message,
        "goal": None,
        "lesson": part,
        "started": time.time(),
    }


def _activity(body: ActivityIn) -> dict[str, Any]:
    """A config (or model) activity with its locks, message and goal."""
    model = None
    try:
        if body.model is not None:
            try:
                trainer = Trainer.from_model(body.model.to_model())
            except ConfigError as exc:
                raise ConfigError("model.refused", reason=exc.message) from None
            model = _weights_of(trainer)
        else:
            changes = body.config.changes() if body.config else {}
            changes.setdefault("seed", random_seed())
            trainer = Trainer(config_from_dict(changes))
    except ConfigError as exc:
        raise ApiError.of(exc) from None
    config = trainer.config.to_dict()
    goal = body.goal.model_dump(exclude_none=True) if body.goal else None
    if goal and "at_least" in goal and config["problem"] == "regression":
        raise ApiError(422, "class.goal_needs_classification")
    return {
        "config": config,
        "model": model,
        "locked": list(dict.fromkeys(body.locked)),
        "message": body.message,
        "goal": goal,
        "started": time.time(),
    }


def _weights_of(trainer: Trainer) -> dict[str, Any]:
    """A model every student starts from: the config and weights, at epoch 0."""
    model = trainer.export()
    return {k: model[k] for k in ("config", "weights", "biases", "data") if k in model}


def _set_paused(rooms: RoomStore, room: Room, paused: bool) -> Room:
    def change(r: Room) -> None:
        r.paused = paused

    return _update(rooms, room.code, change)[0]


@router.post("/{code}/pause", response_model=RoomOut, responses=TEACHER)
def pause(room: TeacherRoom, rooms: RoomsDep, settings: SettingsDep) -> Any:
    """Students' steps answer 409 until the class is resumed."""
    return room_out(_set_paused(rooms, room, True), settings)


@router.post("/{code}/resume", response_model=RoomOut, responses=TEACHER)
def resume(room: TeacherRoom, rooms: RoomsDep, settings: SettingsDep) -> Any:
    return room_out(_set_paused(rooms, room, False), settings)


@router.get("/{code}/students", response_model=StudentsOut, responses=TEACHER)
def students(room: TeacherRoom, rooms: RoomsDep, settings: SettingsDep) -> Any:
    """Every student's latest figures (at most about half a second old), in join order,
    and the leaderboard of the goal as the server checked it."""
    records = rooms.records(room.code)
    now = time.time()
    rows = [
        classroom.student_row(s, records.get(s.id), room.versions, now, settings.idle_timeout)
        for s in room.students
    ]
    return {
        "students": rows,
        "leaderboard": classroom.leaderboard(room, rows),
        "room": room_out(room, settings),
    }


def _student(room: Room, student_id: str) -> Student:
    student = room.student(student_id)
    if student is None:
        raise ApiError(404, "class.no_such_student", student=student_id[:20])
    return student


@router.get("/{code}/students/{student_id}", response_model=SpotlightOut, responses=TEACHER)
def spotlight(
    student_id: str,
    room: TeacherRoom,
    store: StoreDep,
    rooms: RoomsDep,
    compute: ComputeDep,
    lang: LangDep,
) -> Any:
    """One student's state, whole frame and data points, to show big (read-only)."""
    student = _student(room, student_id)
    try:
        with store.find(student.session).read() as session, compute:
            state = serialize.state(session, lang)
            frame = serialize.frame(session, 0, THUMB_DEFAULT, None)
            data = serialize.data(session.trainer)
    except SessionNotFound:
        raise ApiError(404, "class.student_gone") from None
    state["room"] = classroom.view(room, student, rooms.record(room.code, student.id))
    return {
        "student": {"id": student.id, "number": student.number, "name": student.name},
        "state": state,
        "frame": frame,
        "data": data,
    }


@router.post("/{code}/students/{student_id}/share", response_model=RoomOut, responses=TEACHER)
def share(
    student_id: str, room: TeacherRoom, store: StoreDep, rooms: RoomsDep, settings: SettingsDep
) -> Any:
    """That student's network becomes the activity: everyone restarts from its weights
    (locked fields, message and goal stay)."""
    student = _student(room, student_id)
    try:
        with store.find(student.session).read() as session:
            model = _weights_of(session.trainer)
    except SessionNotFound:
        raise ApiError(404, "class.student_gone") from None
    before = room.activity or {"locked": [], "message": "", "goal": None}
    activity = {**before, "config": model["config"], "model": model, "started": time.time()}
    room, _ = _update(rooms, room.code, lambda r: _new_version(r, activity))
    _reset_all(store, rooms, room)
    return room_out(room, settings)


@router.delete("/{code}/students/{student_id}", status_code=204, responses=TEACHER)
def remove_student(
    student_id: str, room: TeacherRoom, store: StoreDep, rooms: RoomsDep
) -> Response:
    """The student leaves the class; their session is deleted."""
    student = _student(room, student_id)
    _update(rooms, room.code, lambda r: _remove(r, student_id))
    rooms.forget(room.code, student_id)
    _delete_session(store, student.session)
    return Response(status_code=204)


@router.put("/{code}/experiment", response_model=RoomOut, responses=TEACHER)
def experiment(
    body: ExperimentIn,
    room: TeacherRoom,
    store: StoreDep,
    rooms: RoomsDep,
    settings: SettingsDep,
) -> Any:
    """Give students, in join order, ``values[i mod n]`` of one setting; each is reset to
    the activity with their value, and cannot change that setting."""
    base = room.activity["config"] if room.activity else {}
    values = []
    for i, value in enumerate(body.values):
        try:
            changes = ConfigPatch.model_validate({body.field: value}).changes()
            config_from_dict({**base, **changes})
            values.append(changes[body.field])
        except ValidationError as exc:
            wrong = problem(dict(exc.errors()[0]))
            raise ApiError(
                422, "class.experiment_value", index=i, field=body.field, problem=wrong
            ) from None
        except ConfigError as exc:
            raise ApiError(422, "class.experiment_config", index=i, reason=exc.message) from None

    def change(r: Room) -> None:
        _new_version(r, dict(r.activity) if r.activity else None)
        r.experiment = {"field": body.field, "values": values, "next": len(r.students)}
        for i, student in enumerate(r.students):
            student.value = values[i % len(values)]

    room, _ = _update(rooms, room.code, change)
    _reset_all(store, rooms, room)
    return room_out(room, settings)


@router.delete("/{code}", status_code=204, responses=TEACHER)
def end_class(room: TeacherRoom, store: StoreDep, rooms: RoomsDep) -> Response:
    """End the class: every student's session is deleted and the code stops working."""
    try:
        ended = rooms.delete(room.code)
    except RoomNotFound:
        raise ApiError(404, "class.no_such_code", code=room.code) from None
    for student in ended.students:
        _delete_session(store, student.session)
    return Response(status_code=204)


def _remove(room: Room, student_id: str) -> None:
    room.students = [s for s in room.students if s.id != student_id]


def _delete_session(store: SessionStore, session_id: str) -> None:
    with contextlib.suppress(SessionNotFound):
        store.delete(session_id)


def _update(rooms: RoomStore, code: str, change: Any) -> tuple[Room, Any]:
    try:
        return rooms.update(code, change)
    except RoomNotFound:
        raise ApiError(404, "class.no_such_code", code=display_code(code)) from None


# -- the pages ----------------------------------------------------------------------------
def _page(request: Request, name: str, context: dict[str, Any] | None = None) -> HTMLResponse:
    templates = request.app.state.templates
    context = {"version": __version__, **(context or {})}
    return templates.TemplateResponse(request, name, context)  # type: ignore[no-any-return]


@pages.get("/teach", response_class=HTMLResponse)
def teach_page(request: Request) -> HTMLResponse:
    return _page(request, "teach.html")


@pages.get("/join", response_class=HTMLResponse)
def join_page(request: Request) -> HTMLResponse:
    return _page(request, "join.html", {"code": ""})


@pages.get("/r/{code}", response_class=HTMLResponse)
def room_page(code: str, request: Request) -> HTMLResponse:
    return _page(request, "join.html", {"code": normalise_code(code) or ""})
