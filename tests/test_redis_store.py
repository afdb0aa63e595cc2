"""Sessions in Redis, against a real redis-server and real server processes: several
processes serve one session as one process would, a killed process loses nothing that
was acknowledged, a restart of every process loses nothing, and an outage of Redis gives
503s (never a 500 or a corrupted session) until it is back."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.redis_store import LOCK_TTL
from app.settings import Settings
from tests.helpers import live_server
from tests.redis_server import RedisServer, require_redis

CONFIG = {"dataset": "spiral", "hidden_layers": [8, 8, 8], "batch_size": 7, "seed": 21,
          "optimizer": "adam", "dropout": 0.1}  # fmt: skip


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    require_redis()
    server = RedisServer(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


def _client(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=30, trust_env=False)


def _same_session(a: httpx.Client | TestClient, sid_a: str, b: Any, sid_b: str) -> None:
    """Everything two sessions show is equal, but for their ids."""
    for path in ("", "/model", "/data", "/frame?since=0"):
        x = a.get(f"/api/sessions/{sid_a}{path}").json()
        y = b.get(f"/api/sessions/{sid_b}{path}").json()
        if path == "":
            x.pop("id")
            y.pop("id")
        assert x == y, path


def _memory_twin(steps: list[dict[str, Any]]) -> tuple[TestClient, str]:
    """The same session in one memory-store process, stepped the same way."""
    client = TestClient(create_app(Settings(step_time_budget=30)))
    client.__enter__()
    sid = client.post("/api/sessions", json={"config": CONFIG}).json()["id"]
    for body in steps:
        assert client.post(f"/api/sessions/{sid}/step", json=body).status_code == 200
    return client, sid


SLOW = {"PLAYGROUND_STEP_TIME_BUDGET": "30"}  # every asked epoch runs, however busy


@contextmanager
def _two_processes(redis_server: RedisServer, tmp_path: Path, **env: str) -> Iterator[Any]:
    """Two ``python -m app`` on one Redis."""
    env = {"PLAYGROUND_REDIS_URL": redis_server.url, **env}
    with (
        live_server(tmp_path / "a.log", env=env) as a,
        live_server(tmp_path / "b.log", env=env) as b,
    ):
        yield a, b


def test_two_processes_serve_one_session_as_one_process(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    with (
        _two_processes(redis_server, tmp_path, **SLOW) as (a, b),
        _client(a.url) as ca,
        _client(b.url) as cb,
    ):
        sid = ca.post("/api/sessions", json={"config": CONFIG}).json()["id"]
        steps: list[dict[str, Any]] = []
        for i in range(12):
            body = {"batches": 5} if i % 3 == 2 else {"epochs": 3}
            client = ca if i % 2 else cb
            assert client.post(f"/api/sessions/{sid}/step", json=body).status_code == 200
            steps.append(body)
        patched = cb.patch(f"/api/sessions/{sid}", json={"learning_rate": 0.1})
        assert patched.status_code == 200
        ca.put(f"/api/sessions/{sid}/weights",
               json={"layer": 0, "source": 1, "target": 2, "value": 0.25})  # fmt: skip
        memory, twin = _memory_twin(steps)
        memory.patch(f"/api/sessions/{twin}", json={"learning_rate": 0.1})
        memory.put(f"/api/sessions/{twin}/weights",
                   json={"layer": 0, "source": 1, "target": 2, "value": 0.25})  # fmt: skip
        for client in (ca, cb):
            _same_session(client, sid, memory, twin)
        memory.__exit__(None, None, None)


def test_eight_threads_through_two_processes_equal_sequential_steps(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    with _two_processes(redis_server, tmp_path, **SLOW) as (a, b):
        sid = httpx.post(f"{a.url}/api/sessions", json={"config": CONFIG}).json()["id"]

        def worker(n: int) -> None:
            with _client(a.url if n % 2 else b.url) as c:
                for _ in range(10):
                    r = c.post(f"/api/sessions/{sid}/step", json={"epochs": 1})
                    assert r.status_code == 200, r.text

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(worker, range(8)))
        with _client(a.url) as ca:
            assert ca.get(f"/api/sessions/{sid}").json()["epoch"] == 80
            memory, twin = _memory_twin([{"epochs": 80}])
            _same_session(ca, sid, memory, twin)
            memory.__exit__(None, None, None)


def test_a_killed_process_loses_nothing_acknowledged(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    with _two_processes(redis_server, tmp_path) as (a, b):
        with _client(a.url) as ca:
            sids = [ca.post("/api/sessions", json={"config": {**CONFIG, "seed": i}}).json()["id"]
                    for i in range(6)]  # fmt: skip
        acknowledged = {sid: 0 for sid in sids}
        stop = threading.Event()

        def student(sid: str) -> None:
            with _client(a.url) as c:
                while not stop.is_set():
                    try:
                        r = c.post(f"/api/sessions/{sid}/step", json={"epochs": 2})
                    except httpx.HTTPError:
                        return  # the process died under this request
                    if r.status_code == 200:
                        acknowledged[sid] = r.json()["epoch"]

        threads = [threading.Thread(target=student, args=(sid,)) for sid in sids]
        for t in threads:
            t.start()
        time.sleep(1.5)
        os.kill(a.process.pid, signal.SIGKILL)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        started = time.monotonic()
        with _client(b.url) as cb:
            for sid in sids:
                state = cb.get(f"/api/sessions/{sid}")
                assert state.status_code == 200, state.text
                epoch = state.json()["epoch"]
                # the last acknowledged state, or the one after a request that was saved
                # but whose answer the dead process never sent
                assert epoch in (acknowledged[sid], acknowledged[sid] + 2), (sid, epoch)
                assert acknowledged[sid] > 0
                r = cb.post(f"/api/sessions/{sid}/step", json={"epochs": 1})
                assert r.status_code == 200 and r.json()["epoch"] == epoch + 1
        # a lock the killed process held is given back by its expiry, not later
        assert time.monotonic() - started < LOCK_TTL + 5


def test_every_session_survives_a_restart_of_every_process(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    env = {"PLAYGROUND_REDIS_URL": redis_server.url}
    before: dict[str, Any] = {}
    with live_server(tmp_path / "a.log", env=env) as a, _client(a.url) as ca:
        for i in range(4):
            sid = ca.post("/api/sessions", json={"config": {**CONFIG, "seed": i}}).json()["id"]
            ca.post(f"/api/sessions/{sid}/step", json={"epochs": 5 + i, "frame": True})
            before[sid] = [ca.get(f"/api/sessions/{sid}{p}").json()
                           for p in ("", "/model", "/data", "/frame?since=0")]  # fmt: skip
    with live_server(tmp_path / "b.log", env=env) as b, _client(b.url) as cb:
        for sid, shown in before.items():
            again = [cb.get(f"/api/sessions/{sid}{p}").json()
                     for p in ("", "/model", "/data", "/frame?since=0")]  # fmt: skip
            assert again == shown


def test_redis_down_gives_503_and_nothing_is_corrupted(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    env = {"PLAYGROUND_REDIS_URL": redis_server.url}
    with live_server(tmp_path / "a.log", env=env) as a, _client(a.url) as c:
        sids = [c.post("/api/sessions", json={"config": {**CONFIG, "seed": i}}).json()["id"]
                for i in range(4)]  # fmt: skip
        statuses: list[int] = []
        stop = threading.Event()

        def student(sid: str) -> None:
            with _client(a.url) as mine:
                while not stop.is_set():
                    r = mine.post(f"/api/sessions/{sid}/step", json={"epochs": 1})
                    statuses.append(r.status_code)
                    if r.status_code == 503:
                        assert "try again" in r.json()["detail"]
                    time.sleep(0.01)

        threads = [threading.Thread(target=student, args=(sid,)) for sid in sids]
        for t in threads:
            t.start()
        time.sleep(0.5)
        redis_server.kill()
        time.sleep(1.0)
        health = c.get("/healthz")
        assert health.status_code == 503 and health.json()["status"] == "unavailable"
        redis_server.start()  # same port and folder: the append-only file brings the data back
        time.sleep(1.0)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        assert 503 in statuses and 200 in statuses
        assert set(statuses) <= {200, 503}, sorted(set(statuses))
        assert c.get("/healthz").json() == {"status": "ok"}
        for sid in sids:
            state = c.get(f"/api/sessions/{sid}").json()
            frame = c.get(f"/api/sessions/{sid}/frame?since=0").json()
            assert len(frame["history"]["train"]) == state["epoch"] + 1
            assert frame["history"]["epochs"] == list(range(state["epoch"] + 1))
            model = c.get(f"/api/sessions/{sid}/model").json()
            copy = c.post("/api/sessions", json={"model": model}).json()["id"]
            points = {"points": [[0.5, -1.0], [3.0, 2.0]]}
            assert (c.post(f"/api/sessions/{sid}/predict", json=points).json()
                    == c.post(f"/api/sessions/{copy}/predict", json=points).json())  # fmt: skip
            assert c.post(f"/api/sessions/{sid}/step", json={"epochs": 1}).status_code == 200


def test_the_session_cap_and_idle_expiry_hold_across_processes(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    limits = {"PLAYGROUND_MAX_SESSIONS": "5", "PLAYGROUND_IDLE_TIMEOUT": "2"}
    with (
        _two_processes(redis_server, tmp_path, **limits) as (a, b),
        _client(a.url) as ca,
        _client(b.url) as cb,
    ):
        made = []
        for i in range(8):
            made.append((ca if i % 2 else cb).post("/api/sessions").json()["id"])
            time.sleep(0.01)
        alive = [sid for sid in made if ca.get(f"/api/sessions/{sid}").status_code == 200]
        assert alive == made[-5:]  # the least recently used went first
        assert all(cb.get(f"/api/sessions/{sid}").status_code == 404 for sid in made[:3])
        time.sleep(2.5)
        assert all(cb.get(f"/api/sessions/{sid}").status_code == 404 for sid in made)


def test_several_workers_need_redis(tmp_path: Path, redis_server: RedisServer) -> None:
    import subprocess
    import sys

    refused = subprocess.run(
        [sys.executable, "-m", "app", "--port", "0"],
        env={**os.environ, "PLAYGROUND_WORKERS": "2", "PLAYGROUND_REDIS_URL": ""},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert refused.returncode != 0 and "PLAYGROUND_REDIS_URL" in refused.stderr
    env = {"PLAYGROUND_REDIS_URL": redis_server.url, "PLAYGROUND_WORKERS": "2"}
    with live_server(tmp_path / "w.log", env=env) as w, _client(w.url) as c:
        sid = c.post("/api/sessions").json()["id"]
        epochs = [c.post(f"/api/sessions/{sid}/step", json={"epochs": 1}).json()["epoch"]
                  for _ in range(20)]  # fmt: skip
        assert epochs == list(range(1, 21))
        first = _workers(w.process.pid)
        assert len(first) == 2
        os.kill(first[0], signal.SIGKILL)  # a worker dies mid-class: another takes its place
        deadline = time.monotonic() + 30
        while len(_workers(w.process.pid)) < 2 or first[0] in _workers(w.process.pid):
            assert time.monotonic() < deadline, "the dead worker was not replaced"
            time.sleep(0.2)
        for expected in range(21, 41):
            with _client(w.url) as fresh:  # new connections, spread over both workers
                r = fresh.post(f"/api/sessions/{sid}/step", json={"epochs": 1})
            assert r.status_code == 200 and r.json()["epoch"] == expected


def _workers(parent: int) -> list[int]:
    """The worker processes of a ``playground`` started with several workers."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and b"spawn_main" in command and b"resource_tracker" not in command:
            found.append(int(entry.name))
    return sorted(found)


def test_saved_history_is_appended_and_rewritten_after_thinning(
    redis_server: RedisServer,
) -> None:
    settings = Settings(redis_url=redis_server.url, step_time_budget=60)
    with TestClient(create_app(settings)) as c:
        config = {"dataset": "gauss", "seed": 2, "hidden_layers": [1]}
        sid = c.post("/api/sessions", json={"config": config}).json()["id"]
        c.post(f"/api/sessions/{sid}/step", json={"epochs": 3000})
        c.post(f"/api/sessions/{sid}/step", json={"epochs": 3000})
        frame = c.get(f"/api/sessions/{sid}/frame?since=0").json()
    with TestClient(create_app(settings)) as fresh:  # a process without a copy: reads Redis
        again = fresh.get(f"/api/sessions/{sid}/frame?since=0").json()
    assert again["history"] == frame["history"]
    assert frame["history"]["next"] == 6001 and len(frame["history"]["epochs"]) < 4001
    stored = json.dumps(frame["history"]["epochs"][-3:])
    assert stored == "[5998, 5999, 6000]"


def test_a_process_reuses_its_copy_until_another_changes_the_session(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.redis_store as redis_store

    loads: list[str] = []
    original = redis_store.RedisStore._load

    def counting(self: redis_store.RedisStore, session_id: str, version: int) -> Any:
        loads.append(session_id)
        return original(self, session_id, version)

    monkeypatch.setattr(redis_store.RedisStore, "_load", counting)
    settings = Settings(redis_url=redis_server.url)
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        sid = one.post("/api/sessions").json()["id"]
        for _ in range(5):
            one.post(f"/api/sessions/{sid}/step", json={"epochs": 1})
        assert loads == []  # its own copy, current every time
        two.post(f"/api/sessions/{sid}/step", json={"epochs": 1})
        assert loads == [sid]  # the other process had no copy
        assert one.get(f"/api/sessions/{sid}").json()["epoch"] == 6
        assert loads == [sid, sid]  # changed elsewhere: never the stale copy


def test_a_workers_connections_send_without_waiting() -> None:
    """Nagle's algorithm is off on connections a worker's socket accepts (asyncio does
    it only for a socket made with IPPROTO_TCP); with it on, answers on a kept-alive
    connection waited ~40 ms for the client's delayed ACK (docs/BENCHMARKS.md)."""
    import asyncio
    import socket

    from app.workers import listen

    async def accepted_nodelay() -> int:
        server_sock = listen("127.0.0.1", 0)
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(handle, sock=server_sock)
        port = server_sock.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        value = await asyncio.wait_for(seen, 5)
        writer.close()
        server.close()
        return value

    # In a thread of its own: the browser tests' Playwright keeps a loop in this one.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, accepted_nodelay()).result(timeout=10) != 0
