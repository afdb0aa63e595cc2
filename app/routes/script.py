"""Export a session as a standalone Python script that trains it again (issue 14)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ..deps import SessionDep
from ..engine import ConfigError
from ..engine.script import script
from ..errors import ApiError, responses

router = APIRouter(
    prefix="/api/sessions", tags=["export"], responses=responses(400, 404, 413, 422, 503)
)

MEDIA_TYPE = "text/x-python"
FILENAME = "playground.py"


@router.get(
    "/{session_id}/script.py",
    response_class=Response,  # a download; errors stay JSON (ErrorOut) in the schema
    responses={
        200: {
            "content": {MEDIA_TYPE: {"schema": {"type": "string"}}},
            "description": f"The script, as a download named {FILENAME}.",
        }
    },
)
def download_script(ref: SessionDep) -> Response:
    """A Python script (NumPy only) that makes this session's data again, starts from its
    first weights (its earliest checkpoint) and trains with its current settings:
    ``python playground.py --epochs N`` prints each epoch's training and test loss, the
    session's own numbers. Changes made while it trained are not replayed. A session
    without a checkpoint to start from (saved by an older server mid-epoch) is a 422."""
    with ref.read() as session:
        try:
            text = script(session.trainer)
        except ConfigError as exc:
            raise ApiError.of(exc) from None
    return Response(
        text,
        media_type=f"{MEDIA_TYPE}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{FILENAME}"'},
    )
