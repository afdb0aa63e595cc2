"""Named dependencies: the settings, the store, and "look the session up or 404"."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from .settings import Settings
from .store import Session, SessionNotFound, SessionStore

EXPIRED = (
    "No session with this id: it never existed, was deleted, or expired after being idle. "
    "Start a new session (POST /api/sessions); the page does this by itself."
)


# These are ``async def`` on purpose: they do no I/O and no heavy work, and FastAPI would
# run a plain ``def`` dependency in the thread pool (one thread hop each, per request).


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_store(request: Request) -> SessionStore:
    return request.app.state.store  # type: ignore[no-any-return]


async def get_compute(request: Request) -> threading.BoundedSemaphore:
    """A slot to train or draw in. Many threads computing at once mostly fight over
    Python's GIL (NumPy releases it around every large array operation and must win it
    back), so a few compute at a time and the others wait, without using the CPU.
    Always taken after the session's lock, never before, so that they cannot deadlock."""
    return request.app.state.compute  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
ComputeDep = Annotated[threading.BoundedSemaphore, Depends(get_compute)]
StoreDep = Annotated[SessionStore, Depends(get_store)]


async def get_session(session_id: str, store: StoreDep) -> Session:
    try:
        return store.get(session_id)
    except SessionNotFound:
        raise HTTPException(status_code=404, detail=EXPIRED) from None


SessionDep = Annotated[Session, Depends(get_session)]
