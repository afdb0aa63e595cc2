"""Named dependencies: the settings, the stores, and "look the session up or 404"."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from .comparisons import ComparisonStore
from .engine.messages import Lang, accepted_language
from .rooms import RoomStore
from .scheduler import Scheduler
from .settings import Settings
from .shared_data import DatasetStore
from .store import SessionRef, SessionStore

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


async def get_scheduler(request: Request) -> Scheduler:
    """Trains step requests, together where sessions of one shape ask at once."""
    return request.app.state.scheduler  # type: ignore[no-any-return]


async def get_rooms(request: Request) -> RoomStore:
    return request.app.state.rooms  # type: ignore[no-any-return]


async def get_datasets(request: Request) -> DatasetStore:
    return request.app.state.datasets  # type: ignore[no-any-return]


async def get_comparisons(request: Request) -> ComparisonStore:
    return request.app.state.comparisons  # type: ignore[no-any-return]


async def get_lang(request: Request) -> Lang:
    """The language of the request's Accept-Language (English without one): the one its
    sentences are said in."""
    return accepted_language(request.headers.get("accept-language"))


SettingsDep = Annotated[Settings, Depends(get_settings)]
LangDep = Annotated[Lang, Depends(get_lang)]
ComparisonsDep = Annotated[ComparisonStore, Depends(get_comparisons)]
DatasetsDep = Annotated[DatasetStore, Depends(get_datasets)]
RoomsDep = Annotated[RoomStore, Depends(get_rooms)]
SchedulerDep = Annotated[Scheduler, Depends(get_scheduler)]
ComputeDep = Annotated[threading.BoundedSemaphore, Depends(get_compute)]
StoreDep = Annotated[SessionStore, Depends(get_store)]


async def get_session(session_id: str, store: StoreDep) -> SessionRef:
    """The session or 404, before the body is looked at (as FastAPI orders it). A store
    that asks another server (Redis) is asked from the thread pool, never the event loop."""
    if store.local:
        return store.find(session_id)
    return await run_in_threadpool(store.find, session_id)


SessionDep = Annotated[SessionRef, Depends(get_session)]
