"""The in-process app as the API tests see it, once per session store: in memory, and in
a real redis-server that the tests start themselves (flushed before each test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.redis_server import RedisServer, require_redis


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One redis-server for the whole test session."""
    require_redis()
    server = RedisServer(Path(tmp_path_factory.mktemp("redis"))).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> str:
    """Which session store the app under test uses."""
    if request.param == "memory":
        return ""
    url: str = request.getfixturevalue("redis_url")
    redis.Redis.from_url(url).flushall()
    return url


@pytest.fixture
def settings(store: str) -> Settings:
    """The defaults, but a step's wall-clock budget long enough that a slow or busy
    machine never cuts short a step whose epochs a test counts (the budget's own tests
    set theirs)."""
    return Settings(redis_url=store, step_time_budget=5.0)  # below Redis's lock TTL (10 s)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c
