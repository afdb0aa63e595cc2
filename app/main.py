"""The application factory: settings, the session store, middleware, routers, errors."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from . import __version__, errors, frames, lessons, openapi
from .comparisons import ComparisonStore, MemoryComparisonStore, RedisComparisonStore
from .middleware import BodyLimit, SecurityHeaders
from .rooms import MemoryRoomStore, RoomStore
from .routes import checkpoints, comparisons, data, docs, explain, meta, rooms, script, sessions
from .routes import lessons as lesson_routes
from .scheduler import Scheduler
from .settings import Settings
from .shared_data import DatasetStore, MemoryDatasetStore, RedisDatasetStore
from .store import MemoryStore, SessionStore

THREADS = 400  # threads for plain ``def`` routes; a waiting one uses no CPU


def make_store(settings: Settings) -> SessionStore:
    """Sessions in Redis when PLAYGROUND_REDIS_URL is set, else in this process."""
    if settings.redis_url:
        from .redis_store import RedisStore  # only a Redis deployment needs the client

        return RedisStore(settings.redis_url, settings.max_sessions, settings.idle_timeout)
    return MemoryStore(settings.max_sessions, settings.idle_timeout)


def make_rooms(settings: Settings) -> RoomStore:
    """Rooms where the sessions are: in Redis when it is set, else in this process."""
    limits = (settings.max_rooms, settings.room_idle_timeout, settings.room_misses)
    if settings.redis_url:
        from .redis_rooms import RedisRoomStore

        return RedisRoomStore(settings.redis_url, *limits)
    return MemoryRoomStore(*limits)


def make_datasets(settings: Settings, store: SessionStore) -> DatasetStore:
    """Shared custom datasets (for links) where the sessions are, kept as long as them."""
    limits = (settings.idle_timeout, settings.max_shared_datasets)
    if settings.redis_url:
        from .redis_store import RedisStore

        assert isinstance(store, RedisStore)
        return RedisDatasetStore(store.redis, *limits)  # the sessions' client and connections
    return MemoryDatasetStore(*limits)


def make_comparisons(settings: Settings, store: SessionStore) -> ComparisonStore:
    """Comparisons (twin runs) where their sessions are, kept as long as them; each has
    at least two sessions, so at most max_sessions // 2 can be whole."""
    limits = (settings.idle_timeout, max(1, settings.max_sessions // 2))
    if settings.redis_url:
        from .redis_store import RedisStore

        assert isinstance(store, RedisStore)
        return RedisComparisonStore(store.redis, *limits)
    return MemoryComparisonStore(*limits)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.store = make_store(settings)
        app.state.rooms = make_rooms(settings)
        app.state.datasets = make_datasets(settings, app.state.store)
        app.state.comparisons = make_comparisons(settings, app.state.store)
        app.state.compute = threading.BoundedSemaphore(settings.compute_slots)
        # A step request waits in its thread for the scheduler: a class of students must
        # not use up the thread pool (anyio's default is 40) that every route shares.
        to_thread.current_default_thread_limiter().total_tokens = THREADS
        app.state.scheduler = Scheduler(
            app.state.compute,
            together=settings.train_together,
            gather=settings.gather_ms / 1000,
            group_cpu=settings.group_ms / 1000,
        )
        app.state.templates = Jinja2Templates(directory=str(settings.templates_dir))
        extra = Path(settings.lessons_dir) if settings.lessons_dir else None
        app.state.lessons = lessons.load(extra)  # a bad file: logged, skipped
        yield
        app.state.scheduler.close()
        app.state.rooms.close()
        app.state.store.close()

    app = FastAPI(
        title="Neural Playground",
        version=__version__,
        description="Train small neural networks step by step; see docs/API.md.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    errors.install(app)
    openapi.install(app, settings)
    app.include_router(meta.router)
    app.include_router(sessions.router)
    app.include_router(data.router)
    app.include_router(checkpoints.router)
    app.include_router(explain.router)
    app.include_router(script.router)
    app.include_router(comparisons.router)
    app.include_router(comparisons.pages)
    app.include_router(data.shared)
    app.include_router(rooms.router)
    app.include_router(rooms.pages)
    app.include_router(lesson_routes.router)
    app.include_router(lesson_routes.pages)
    docs.install(app)
    app.mount("/static", StaticFiles(directory=str(settings.static_dir)), name="static")
    app.add_middleware(  # CPU over bytes; binary frames are mostly incompressible bytes
        GZipMiddleware,
        minimum_size=1000,
        compresslevel=1,
        exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, frames.MEDIA_TYPE),
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app
