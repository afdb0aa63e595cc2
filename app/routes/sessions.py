"""Session routes: create, read, configure, train, edit, predict, export, delete."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Header, Query, Response

from .. import classroom, frames, serialize
from ..deps import (
    ComputeDep,
    LangDep,
    RoomsDep,
    SchedulerDep,
    SessionDep,
    SettingsDep,
    StoreDep,
)
from ..engine import ConfigError, Trainer, config_from_dict
from ..engine.config import MAX_SEED
from ..errors import ApiError, responses
from ..rooms import RoomStore
from ..schemas import (
    THUMB_DEFAULT,
    THUMB_MAX,
    THUMB_MIN,
    BiasIn,
    ConfigPatch,
    CreateSession,
    DataOut,
    Frame,
    ModelOut,
    PredictIn,
    PredictOut,
    State,
    StepIn,
    StepOut,
    WeightIn,
)
from ..store import Session

router = APIRouter(
    prefix="/api/sessions", tags=["sessions"], responses=responses(400, 404, 413, 422, 503)
)


def random_seed() -> int:
    return secrets.randbelow(MAX_SEED + 1)


def _state(
    rooms: RoomStore, link: classroom.Link | None, session: Session, lang: str
) -> dict[str, Any]:
    """The session's state; a student's also has ``room`` (and publishes its figures)."""
    out = serialize.state(session, lang)
    out["room"] = classroom.finish(rooms, link, session)
    return out


@router.post("", status_code=201, response_model=State)
def create_session(
    store: StoreDep, lang: LangDep, body: CreateSession | None = None
) -> dict[str, Any]:
    body = body or CreateSession()
    try:
        if body.model is not None:
            if body.config is not None:
                raise ConfigError("session.config_or_model")
            try:
                trainer = Trainer.from_model(body.model.to_model())
            except ConfigError as exc:
                raise ConfigError("model.refused", reason=exc.message) from None
        else:
            changes = body.config.changes() if body.config else {}
            changes.setdefault("seed", random_seed())
            trainer = Trainer(config_from_dict(changes))
    except ConfigError as exc:
        raise ApiError.of(exc) from None
    return serialize.state(store.create(trainer), lang)


@router.get("/{session_id}", response_model=State)
def read_session(ref: SessionDep, rooms: RoomsDep, lang: LangDep) -> dict[str, Any]:
    with ref.read() as session:
        return _state(rooms, classroom.lookup(rooms, session), session, lang)


@router.patch("/{session_id}", response_model=State, responses=responses(403))
def update_session(
    ref: SessionDep, patch: ConfigPatch, rooms: RoomsDep, lang: LangDep
) -> dict[str, Any]:
    with ref.write() as session:
        link = classroom.lookup(rooms, session)
        classroom.refuse_locked(link, session, patch.changes())
        try:
            session.trainer.update_config(patch.changes())
        except ConfigError as exc:
            raise ApiError.of(exc) from None
        return _state(rooms, link, session, lang)


@router.delete("/{session_id}", status_code=204)
def delete_session(ref: SessionDep, store: StoreDep, rooms: RoomsDep) -> Response:
    with ref.read() as session:
        room, student = session.room, session.student
    store.delete(ref.id)
    if room:  # a student who left: the dashboard shows them gone
        rooms.forget(room, student)
    return Response(status_code=204)


# The Accept header picks JSON or the binary frame format (OpenAPI ignores Accept as a
# parameter; the 200 answer's media types say it).
AcceptHeader = Annotated[str | None, Header(include_in_schema=False)]


@router.post(
    "/{session_id}/step",
    response_model=StepOut,
    responses={**frames.RESPONSES, **responses(409)},
)
def step(
    ref: SessionDep,
    body: StepIn,
    settings: SettingsDep,
    compute: ComputeDep,
    scheduler: SchedulerDep,
    rooms: RoomsDep,
    lang: LangDep,
    response: Response,
    accept: AcceptHeader = None,
) -> dict[str, Any] | Response:
    count = body.batches or body.epochs or 1
    if count > settings.max_epochs_per_step:
        unit = "batches" if body.batches else "epochs"
        raise ApiError(422, "session.too_many_steps", unit=unit, most=settings.max_epochs_per_step)
    # Two limits: the training CPU time this request asked for (max_ms; many students
    # sharing the CPU each get the work they asked for), and the server's wall-clock
    # budget for the whole request, waiting included.
    wall_end = time.perf_counter() + settings.step_time_budget
    cpu = settings.step_time_budget
    if body.max_ms is not None:
        cpu = min(cpu, body.max_ms / 1000.0)
    with ref.write() as session:
        link = classroom.lookup(rooms, session)
        classroom.refuse_paused(link)
        trainer = session.trainer

        def answer(epochs_run: int, batches_run: int = 0) -> dict[str, Any]:
            out = serialize.state(session, lang)
            out["epochs_run"] = epochs_run
            out["batches_run"] = batches_run
            out["batch_points"] = trainer.last_batch if body.batch_points else None
            out["frame"] = (
                serialize.frame_bytes(
                    session, body.since, body.thumb, body.neuron, thumbs=body.thumbs
                )
                if body.frame
                else None
            )
            return out

        if body.batches:
            with compute:
                epoch_before = trainer.epoch
                batches = trainer.step_batches(body.batches, stop=_limits(cpu, wall_end))
                out = answer(trainer.epoch - epoch_before, batches)
        else:  # trained (and drawn) by the scheduler, with other sessions of its shape
            paced = body.max_ms is not None
            out = scheduler.train(session.id, trainer, count, cpu, wall_end, answer, paced)
        out["room"] = classroom.finish(rooms, link, session)
    # Encoded outside the session's lock.
    if frames.wanted(accept):
        return frames.response(out, "frame")
    if out["frame"] is not None:
        out["frame"] = serialize.with_maps(out["frame"], serialize.b64)
    response.headers.update(frames.VARY)
    return out


def _limits(cpu: float, wall_end: float) -> Callable[[], bool]:
    """Stop once this thread has used ``cpu`` seconds or at the deadline ``wall_end``."""
    cpu_end = time.thread_time() + cpu
    return lambda: time.thread_time() >= cpu_end or time.perf_counter() >= wall_end


@router.post("/{session_id}/reset", response_model=State)
def reset(ref: SessionDep, rooms: RoomsDep, lang: LangDep) -> dict[str, Any]:
    with ref.write() as session:
        link = classroom.lookup(rooms, session)
        session.trainer.reset()
        return _state(rooms, link, session, lang)


@router.post("/{session_id}/regenerate", response_model=State, responses=responses(403))
def regenerate(ref: SessionDep, rooms: RoomsDep, lang: LangDep) -> dict[str, Any]:
    with ref.write() as session:
        link = classroom.lookup(rooms, session)
        classroom.refuse_locked(link, session, {"seed": None})
        session.trainer.regenerate(random_seed())
        return _state(rooms, link, session, lang)


@router.get("/{session_id}/frame", response_model=Frame, responses=frames.RESPONSES)
def read_frame(
    ref: SessionDep,
    compute: ComputeDep,
    response: Response,
    since: int = Query(0, ge=0, description="history points the client already has"),
    thumb: int = Query(
        THUMB_DEFAULT, ge=THUMB_MIN, le=THUMB_MAX, description="thumbnail grid size"
    ),
    neuron: str | None = Query(
        None, pattern=r"^\d,\d$", description="'layer,index' of one map at full density"
    ),
    epoch: int | None = Query(
        None, ge=0, description="the network at this checkpoint (GET …/checkpoints)"
    ),
    thumbs: bool = Query(
        True, description="false: no thumbnails (features and neurons null: keep yours)"
    ),
    accept: AcceptHeader = None,
) -> dict[str, Any] | Response:
    picked = [int(v) for v in neuron.split(",")] if neuron else None
    with ref.read() as session, compute:
        try:
            out = serialize.frame_bytes(session, since, thumb, picked, epoch, thumbs)
        except ConfigError as exc:
            raise ApiError.of(exc) from None
    if frames.wanted(accept):
        return frames.response(out, None)
    response.headers.update(frames.VARY)
    return serialize.with_maps(out, serialize.b64)


@router.put("/{session_id}/weights", response_model=State)
def set_weight(ref: SessionDep, body: WeightIn, rooms: RoomsDep, lang: LangDep) -> dict[str, Any]:
    with ref.write() as session:
        link = classroom.lookup(rooms, session)
        try:
            session.trainer.set_weight(body.layer, body.source, body.target, body.value)
        except ConfigError as exc:
            raise ApiError.of(exc) from None
        return _state(rooms, link, session, lang)


@router.put("/{session_id}/biases", response_model=State)
def set_bias(ref: SessionDep, body: BiasIn, rooms: RoomsDep, lang: LangDep) -> dict[str, Any]:
    with ref.write() as session:
        link = classroom.lookup(rooms, session)
        try:
            session.trainer.set_bias(body.layer, body.neuron, body.value)
        except ConfigError as exc:
            raise ApiError.of(exc) from None
        return _state(rooms, link, session, lang)


@router.post("/{session_id}/predict", response_model=PredictOut)
def predict(
    ref: SessionDep, body: PredictIn, settings: SettingsDep, compute: ComputeDep
) -> dict[str, Any]:
    if len(body.points) > settings.max_predict_points:
        raise ApiError(422, "session.too_many_predict_points", most=settings.max_predict_points)
    with ref.read() as session, compute:
        values = session.trainer.predict(np.array(body.points, dtype=np.float64))
    return serialize.predictions(values)


@router.get("/{session_id}/data", response_model=DataOut)
def read_data(ref: SessionDep) -> dict[str, Any]:
    with ref.read() as session:
        return serialize.data(session.trainer)


@router.get("/{session_id}/model", response_model=ModelOut, response_model_exclude_unset=True)
def export_model(ref: SessionDep) -> dict[str, Any]:
    with ref.read() as session:
        return session.trainer.export()
