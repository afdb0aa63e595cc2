"""Replay and resume: a session's checkpoints, and going back to one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from .. import classroom
from ..deps import LangDep, RoomsDep, SessionDep
from ..engine import ConfigError
from ..errors import ApiError, responses
from ..schemas import State, Strict
from .sessions import _state

router = APIRouter(
    prefix="/api/sessions", tags=["replay"], responses=responses(400, 404, 413, 422, 503)
)


class CheckpointOut(BaseModel):
    epoch: int
    train_loss: float
    test_loss: float


class CheckpointsOut(BaseModel):
    checkpoints: list[CheckpointOut]


class RestoreIn(Strict):
    epoch: Annotated[int, Field(ge=0)]


@router.get("/{session_id}/checkpoints", response_model=CheckpointsOut)
def list_checkpoints(ref: SessionDep) -> dict[str, Any]:
    with ref.read() as session:
        items = session.trainer.checkpoints.list()
    return {
        "checkpoints": [
            {"epoch": c.epoch, "train_loss": c.train_loss, "test_loss": c.test_loss} for c in items
        ]
    }


@router.post("/{session_id}/restore", response_model=State)
def restore(ref: SessionDep, body: RestoreIn, rooms: RoomsDep, lang: LangDep) -> dict[str, Any]:
    """Go back to the checkpoint at ``epoch`` (like a reset: allowed in a paused class)."""
    with ref.write() as session:
        link = classroom.lookup(rooms, session)
        try:
            session.trainer.restore_checkpoint(body.epoch)
        except ConfigError as exc:
            raise ApiError.of(exc) from None
        return _state(rooms, link, session, lang)
