"""A person's own data: replace, add or remove points, CSV in and out, shared copies."""

from __future__ import annotations

from typing import Any

import numpy as np
from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from .. import classroom
from ..deps import DatasetsDep, LangDep, RoomsDep, SessionDep, SettingsDep
from ..engine import ConfigError
from ..engine.datafile import MAX_CHARS, parse_csv, to_csv, validate_points
from ..errors import ApiError, responses
from ..schemas import DataIn, IndicesIn, SharedData, SharedDataIn, SharedDataOut, State
from ..shared_data import SharedData as Stored
from ..store import Session
from .sessions import _state

router = APIRouter(
    prefix="/api/sessions", tags=["data"], responses=responses(400, 403, 404, 413, 422, 503)
)
shared = APIRouter(
    prefix="/api/datasets", tags=["data"], responses=responses(400, 404, 413, 422, 503)
)


def _edit(ref: SessionDep, rooms: RoomsDep, lang: str, edit: Any) -> dict[str, Any]:
    """Run ``edit(session)`` on the session's data unless the teacher locked the dataset;
    a ConfigError (a sentence naming the bad point or row) leaves the data as they were."""
    with ref.write() as session:
        link = classroom.lookup(rooms, session)
        classroom.refuse_locked_data(link)
        try:
            edit(session)
        except ConfigError as exc:
            raise ApiError.of(exc) from None
        return _state(rooms, link, session, lang)


def _checked(session: Session, body: DataIn) -> tuple[np.ndarray, np.ndarray]:
    c = session.trainer.config
    return validate_points(body.points, body.labels, c.problem, c.classes)


@router.put("/{session_id}/data", response_model=State)
def put_data(ref: SessionDep, body: DataIn, rooms: RoomsDep, lang: LangDep) -> dict[str, Any]:
    """Replace the data by these points (the ``custom`` dataset; ``[]`` clears it); they
    are split into training and test points by the session's seed and the network
    starts again from its initial weights."""
    return _edit(ref, rooms, lang, lambda s: s.trainer.set_data(*_checked(s, body)))


@router.put(
    "/{session_id}/data.csv",
    response_model=State,
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "Rows x,y,label (regression x,y,value) under an optional header, "
            f"separated by commas, tabs or semicolons; at most {MAX_CHARS:,} characters.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def put_csv(
    request: Request, ref: SessionDep, rooms: RoomsDep, lang: LangDep
) -> dict[str, Any]:
    """As ``PUT …/data``, from CSV text: the first problem found is named by row and
    column, and the data stay as they were."""
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(422, "data.not_text") from None

    def load(session: Session) -> None:
        c = session.trainer.config
        session.trainer.set_data(*parse_csv(text, c.problem, c.classes))

    return await run_in_threadpool(_edit, ref, rooms, lang, load)


@router.get(
    "/{session_id}/data.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def get_csv(ref: SessionDep) -> Response:
    """Every point as CSV: the custom dataset in its order, else training then test."""
    with ref.read() as session:
        t = session.trainer
        text = to_csv(*t.data_points(), t.config.problem)
        name = f"playground-{t.config.dataset}.csv"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/{session_id}/points", response_model=State)
def add_points(ref: SessionDep, body: DataIn, rooms: RoomsDep, lang: LangDep) -> dict[str, Any]:
    """Add points; the network keeps its weights and trains on. A generated dataset
    becomes custom, starting from its points (training, then test)."""
    return _edit(ref, rooms, lang, lambda s: s.trainer.add_points(*_checked(s, body)))


@router.delete("/{session_id}/points", response_model=State)
def remove_points(
    ref: SessionDep, body: IndicesIn, rooms: RoomsDep, lang: LangDep
) -> dict[str, Any]:
    """Remove points by their index in ``GET …/data``'s ``custom`` (or, for a generated
    dataset, training-then-test) order; the network keeps training."""
    return _edit(ref, rooms, lang, lambda s: s.trainer.remove_points(body.indices))


@shared.post("", status_code=201, response_model=SharedDataOut)
def share_data(body: SharedDataIn, datasets: DatasetsDep) -> dict[str, Any]:
    """Keep a copy of a custom dataset for a link (``#data=<id>``): it lives as long as
    an idle session does, counted from its last use."""
    try:
        points, labels = validate_points(body.points, body.labels, body.problem, body.classes)
    except ConfigError as exc:
        raise ApiError.of(exc) from None
    data = Stored(body.problem, body.classes, points.tolist(), labels.tolist())
    return {**_summary(data), "id": datasets.save(data)}


@shared.get("/{dataset_id}", response_model=SharedData)
def read_shared(dataset_id: str, datasets: DatasetsDep, settings: SettingsDep) -> dict[str, Any]:
    data = datasets.load(dataset_id)
    if data is None:
        hours = settings.idle_timeout / 3600
        raise ApiError(404, "data.shared_gone", hours=hours)
    return {**_summary(data), "id": dataset_id, "points": data.points, "labels": data.labels}


def _summary(data: Stored) -> dict[str, Any]:
    return {"problem": data.problem, "classes": data.classes, "size": len(data.labels)}
