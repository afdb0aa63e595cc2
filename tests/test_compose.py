"""compose.yaml, the classroom set-up: its structure, and the commands it runs (Redis with
its options, the app with its environment, the app's health check), run here directly
since no Docker engine runs on these machines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.helpers import ROOT, live_server
from tests.redis_server import REDIS_SERVER, RedisServer, require_redis

COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_has_redis_on_a_volume_and_the_app_pointed_at_it() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"redis", "app"}
    redis, app = services["redis"], services["app"]
    assert redis["image"].startswith("redis:")
    assert redis["command"][0] == "redis-server"
    assert "--appendonly" in redis["command"] and "yes" in redis["command"]
    volume, _, target = redis["volumes"][0].partition(":")
    assert target == "/data" and volume in COMPOSE["volumes"]
    assert app["build"] == "." and "8000:8000" in app["ports"]
    env = app["environment"]
    assert env["PLAYGROUND_REDIS_URL"] == "redis://redis:6379/0"
    assert env["PLAYGROUND_WORKERS"] == "auto"
    assert app["depends_on"]["redis"]["condition"] == "service_healthy"
    for service in (redis, app):
        assert service["healthcheck"]["test"][0] == "CMD"
        assert service["restart"] == "unless-stopped"


@pytest.fixture
def compose_redis(tmp_path: Path) -> Any:
    """redis-server with compose.yaml's own options, on a free port of 127.0.0.1."""
    require_redis()
    server = RedisServer(tmp_path)
    options = COMPOSE["services"]["redis"]["command"][1:]
    argv = [REDIS_SERVER, *options, "--port", str(server.port), "--bind", "127.0.0.1",
            "--dir", str(tmp_path)]  # fmt: skip
    server.start(argv)
    yield server
    server.stop()


def test_the_app_runs_with_composes_environment(compose_redis: RedisServer, tmp_path: Path) -> None:
    env = {k: str(v) for k, v in COMPOSE["services"]["app"]["environment"].items()}
    env["PLAYGROUND_REDIS_URL"] = compose_redis.url  # the service name "redis" is this host
    with live_server(tmp_path / "app.log", env=env) as app:
        with httpx.Client(base_url=app.url, timeout=30, trust_env=False) as c:
            sid = c.post("/api/sessions").json()["id"]
            epochs = [c.post(f"/api/sessions/{sid}/step", json={"epochs": 1}).json()["epoch"]
                      for _ in range(10)]  # fmt: skip
            assert epochs == list(range(1, 11))
        check = COMPOSE["services"]["app"]["healthcheck"]["test"][1:]
        check = [part.replace("127.0.0.1:8000", f"127.0.0.1:{app.port}") for part in check]
        assert check[0] == "python"
        done = subprocess.run([sys.executable, *check[1:]], env=os.environ, timeout=30)
        assert done.returncode == 0
        compose_redis.kill()  # the health check fails while Redis is down
        failed = subprocess.run([sys.executable, *check[1:]], capture_output=True, timeout=30)
        assert failed.returncode != 0
        compose_redis.start()
