"""What a room does to its students' sessions: the trainer an activity gives a student,
the goal the server checks, the record the dashboard shows, and the ``room`` part of a
student's session state. No web imports: the routes turn the exceptions into answers."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from . import lessons
from .engine import Trainer, config_from_dict, evaluate_grid
from .engine.messages import Message, catalog
from .rooms import Room, RoomNotFound, RoomStore, Student
from .serialize import quantise
from .store import Session, SessionNotFound, SessionStore

THUMB = 24  # the dashboard's output maps: 24 × 24
THUMB_EVERY = 0.5  # seconds: a training student's map is redrawn at most this often
BELOW = {"test_loss", "train_loss"}
AT_LEAST = {"test_accuracy", "train_accuracy"}


class ClassEnded(Exception):
    """The session belongs to a room that has ended (or removed this student)."""


class Locked(Exception):
    """A student tried to change a field the teacher locked."""


class Paused(Exception):
    """The teacher paused the class."""


@dataclass
class Link:
    """A student's session's room, as read at the start of a request."""

    room: Room
    student: Student
    record: dict[str, Any] | None  # the student's last published figures


def lookup(rooms: RoomStore, session: Session) -> Link | None:
    """The session's room, or None outside a room; ClassEnded when it is gone."""
    if not session.room:
        return None
    try:
        room, record = rooms.room_and_record(session.room, session.student)
    except RoomNotFound:
        raise ClassEnded from None
    student = room.student(session.student)
    if student is None:
        raise ClassEnded
    return Link(room, student, record)


def refuse_locked(link: Link | None, session: Session, changes: dict[str, Any]) -> None:
    """Locked when ``changes`` would change a field the student may not change."""
    if link is None:
        return
    current = session.trainer.config.to_dict()
    for name in link.room.locked(link.student):
        if name in changes and changes[name] != current.get(name):
            raise Locked(name)


def refuse_locked_data(link: Link | None) -> None:
    """Locked when the teacher locked the dataset: its points may not change either (even
    when the dataset the teacher pushed is the student's own kind, custom)."""
    if link is not None and "dataset" in link.room.locked(link.student):
        raise Locked("dataset")


def refuse_paused(link: Link | None) -> None:
    if link is not None and link.room.paused:
        raise Paused


def locked_message(name: str) -> Message:
    """What a student hears when they change a locked field (``field.<name>``: its name
    in a sentence)."""
    key = f"field.{name}"
    label = Message(key) if key in catalog("en") else name.replace("_", " ")
    return Message("class.locked", {"label": label})


def trainer_for(room: Room, student: Student, seed: int) -> Trainer:
    """A new trainer for ``student``: the activity (with the student's experiment value),
    or the defaults with ``seed`` before the first activity."""
    activity = room.activity
    experiment = room.experiment if student.value is not None else None
    if activity is None:
        config: dict[str, Any] = {"seed": seed}
        if experiment:
            config[experiment["field"]] = student.value
        return Trainer(config_from_dict(config))
    if activity.get("model"):
        trainer = Trainer.from_model(activity["model"])
        if experiment:
            trainer.update_config({experiment["field"]: student.value})
        return trainer
    config = dict(activity["config"])
    if experiment:
        config[experiment["field"]] = student.value
    return Trainer(config_from_dict(config))


def lesson_part(lesson: lessons.Lesson, number: int) -> dict[str, Any]:
    """What a lesson activity keeps of its step (JSON, in the room's record): enough to
    check the step without the lesson files (another process may have other ones)."""
    step = lesson.steps[number - 1]
    return {
        "id": lesson.id,
        "step": number,
        "steps": len(lesson.steps),
        "check": [{"kind": c.kind, "value": c.value} for c in step.check],
        "lock": list(step.lock),
        "setup": step.setup,
    }


def lesson_step(part: dict[str, Any]) -> lessons.Step:
    """The step a lesson activity checks (its texts are not needed to check it)."""
    check = tuple(lessons.Condition(c["kind"], c["value"]) for c in part["check"])
    return lessons.Step(
        text={}, hints=lessons.NO_TEXTS, questions=lessons.NO_TEXTS, config=None,
        setup=part["setup"], view={}, lock=tuple(part["lock"]), epochs=None, check=check,
        claim="can",
    )  # fmt: skip


def has_goal(activity: dict[str, Any] | None) -> bool:
    """Whether the activity has a goal: a metric's, or a lesson step's check."""
    if not activity:
        return False
    lesson = activity.get("lesson")
    return bool(activity["goal"]) or bool(lesson and lesson["check"])


def activity_met(activity: dict[str, Any] | None, trainer: Trainer) -> bool:
    """The one rule for an activity's goal: a lesson step's check (lessons.evaluate), or
    the goal's metric and threshold."""
    lesson = activity.get("lesson") if activity else None
    if lesson:
        return bool(lesson["check"]) and bool(lessons.evaluate(lesson_step(lesson), trainer)["met"])
    return goal_met(activity["goal"] if activity else None, trainer)


def goal_met(goal: dict[str, Any] | None, trainer: Trainer) -> bool:
    if not goal or trainer.status == "diverged":
        return False
    value = getattr(trainer.metrics, goal["metric"])
    if value is None or not math.isfinite(value):
        return False
    if goal["metric"] in BELOW:
        return bool(value < goal["below"])
    return bool(value >= goal["at_least"])


def hidden_neurons(trainer: Trainer) -> int:
    return sum(trainer.net.sizes[1:-1])


def thumbnail(trainer: Trainer) -> str:
    return quantise(evaluate_grid(trainer, THUMB)[-1][0])


def publish(
    rooms: RoomStore,
    room: Room,
    student: Student,
    session: Session,
    *,
    previous: dict[str, Any] | None,
    reset: bool = False,
    redraw: bool = True,
) -> dict[str, Any]:
    """Write the student's figures for the dashboard and return them. ``reset``: the
    session was just reset to the room's activity (a new version, goal not reached);
    ``redraw``: draw the map again (else keep the previous one)."""
    t = session.trainer
    now = time.time()
    redraw = redraw or previous is None
    if reset or previous is None:
        version, since, reached = room.versions, now, None
    else:
        version, since, reached = previous["version"], previous["since"], previous["reached"]
    m = t.metrics
    record = {
        "version": version,
        "since": since,
        "reached": reached,
        "at": now,
        "epoch": t.epoch,
        "train_loss": m.train_loss,
        "test_loss": m.test_loss,
        "test_accuracy": m.test_accuracy,
        "status": t.status,
        "layer_sizes": list(t.net.sizes),
        "thumbnail": thumbnail(t) if redraw else previous["thumbnail"],  # type: ignore[index]
        "drawn": now if redraw else previous["drawn"],  # type: ignore[index]
    }
    rooms.publish(room.code, student.id, record)
    return record


def finish(rooms: RoomStore, link: Link | None, session: Session) -> dict[str, Any] | None:
    """After a request on a student's session: check the goal (the first time it holds,
    record when), publish the figures (the map at most twice a second) and answer the
    state's ``room`` part."""
    if link is None:
        return None
    room, student, record = link.room, link.student, link.record
    t = session.trainer
    now = time.time()
    redraw = True
    if record is not None:
        racing = record["version"] == room.versions and record["reached"] is None
        if racing and activity_met(room.activity, t):
            reached = {
                "epoch": t.epoch,
                "seconds": round(now - record["since"], 1),
                "neurons": hidden_neurons(t),
            }
            record = dict(record, reached=reached)
        redraw = now - record["drawn"] >= THUMB_EVERY or record["status"] != t.status
    record = publish(rooms, room, student, session, previous=record, redraw=redraw)
    return view(room, student, record)


def view(room: Room, student: Student, record: dict[str, Any] | None) -> dict[str, Any]:
    activity = room.activity
    reached = record["reached"] if record else None
    experiment = room.experiment
    return {
        "code": room.code,
        "title": room.title,
        "student": student.id,
        "name": student.name,
        "version": record["version"] if record else 0,
        "locked": room.locked(student),
        "message": activity["message"] if activity else "",
        "goal": activity["goal"] if activity else None,
        "lesson": lesson_view(activity),
        "goal_reached": {"epoch": reached["epoch"], "seconds": reached["seconds"]}
        if reached
        else None,
        "paused": room.paused,
        "experiment": {"field": experiment["field"], "value": student.value}
        if experiment and student.value is not None
        else None,
    }


def lesson_view(activity: dict[str, Any] | None) -> dict[str, Any] | None:
    """A lesson activity's ``{id, step, steps}`` for the pages; None otherwise."""
    lesson = activity.get("lesson") if activity else None
    return {k: lesson[k] for k in ("id", "step", "steps")} if lesson else None


def reset_student(
    store: SessionStore, rooms: RoomStore, room: Room, student: Student, seed: int
) -> bool:
    """Reset a student's session to the room's activity; False when the session is gone."""
    try:
        with store.find(student.session).write() as session:
            session.trainer = trainer_for(room, student, seed)
            session.cache.clear()
            publish(rooms, room, student, session, previous=None, reset=True)
    except SessionNotFound:
        return False
    return True


def student_row(
    student: Student, record: dict[str, Any] | None, version: int, now: float, idle_timeout: float
) -> dict[str, Any]:
    """One tile of the dashboard."""
    gone = record is None or now - record["at"] > idle_timeout
    reached = record["reached"] if record and record["version"] == version else None
    return {
        "id": student.id,
        "number": student.number,
        "name": student.name,
        "epoch": record["epoch"] if record else 0,
        "train_loss": record["train_loss"] if record else None,
        "test_loss": record["test_loss"] if record else None,
        "test_accuracy": record["test_accuracy"] if record else None,
        "status": "gone" if gone else record["status"],  # type: ignore[index]
        "layer_sizes": record["layer_sizes"] if record else [],
        "neurons": sum(record["layer_sizes"][1:-1]) if record else 0,
        "thumbnail": record["thumbnail"] if record else None,
        "thumb": THUMB,
        "goal_reached_at": {"epoch": reached["epoch"], "seconds": reached["seconds"]}
        if reached
        else None,
        "value": student.value,
        "last_seen": round(now - record["at"], 1) if record else None,
        "reached": reached,
    }


def leaderboard(room: Room, rows: list[dict[str, Any]]) -> list[str]:
    """The ids of the students who reached the goal, best first, by the goal's rank."""
    if not has_goal(room.activity):
        return []
    goal = (room.activity or {}).get("goal") or {}
    done = [r for r in rows if r["reached"] is not None]
    if goal.get("rank") == "neurons":
        order: tuple[str, ...] = ("neurons", "epoch", "seconds")
    else:
        order = ("seconds", "epoch")
    done.sort(key=lambda r: tuple(r["reached"][k] for k in order))
    return [r["id"] for r in done]
