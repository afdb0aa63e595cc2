"""A real server process (uvicorn on 127.0.0.1): a short soak with simulated students, no
session id in its log, no file outside static/ over a raw socket, the default bind
address and the console script. The full 5-minute soak is ``python -m bench.soak``.

``PLAYGROUND_SOAK_SECONDS`` (default 25) and ``PLAYGROUND_SOAK_STUDENTS`` (default 10)
size the short soak.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.settings import ROOT
from bench import soak
from tests.helpers import LiveServer, live_server

SECONDS = float(os.environ.get("PLAYGROUND_SOAK_SECONDS", "25"))
STUDENTS = int(os.environ.get("PLAYGROUND_SOAK_STUDENTS", "10"))
APP_SOURCE = (ROOT / "app" / "main.py").read_text()


def test_short_soak_has_no_errors_and_flat_memory(tmp_path: Path) -> None:
    report = soak.run(STUDENTS, SECONDS, interval=1, log_path=tmp_path / "server.log")
    print("\n" + report.summary())
    assert report.errors == 0, report.error_messages
    assert report.requests >= 5 * STUDENTS and report.epochs > 0
    assert len(report.session_ids) >= STUDENTS
    assert len(report.rss_mb) >= SECONDS / 2
    assert report.rss_growth_after_warmup() < 30, report.rss_mb
    assert "Application startup complete" in Path(report.log_path).read_text()
    assert report.ids_in_log == 0


class Live:
    """A live server with two ways to talk to it: a plain HTTP request, and raw bytes."""

    def __init__(self, server: LiveServer) -> None:
        self.port, self.log = server.port, server.log

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    def raw(self, data: bytes) -> bytes:
        """Send bytes exactly as given (no client normalises the path) and read the answer."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as s:
            s.sendall(data)
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("live") / "server.log") as server:
        yield Live(server)


def test_no_session_id_reaches_the_server_log(live: Live) -> None:
    ids = []
    json_headers = {"Content-Type": "application/json"}
    for i in range(5):
        status, body = live.request(
            "POST", "/api/sessions", json.dumps({"config": {"seed": i}}).encode(), json_headers
        )
        assert status == 201
        ids.append(json.loads(body)["id"])
    for sid in ids:
        base = f"/api/sessions/{sid}"
        for method, path, body in [
            ("GET", base, None),
            ("POST", f"{base}/step", b'{"epochs": 3, "frame": true}'),
            ("PATCH", base, b'{"learning_rate": -1}'),
            ("PATCH", base, b'{"learning_rate": 0.1'),
            ("PUT", f"{base}/weights", b'{"layer": 9, "source": 0, "target": 0, "value": 1}'),
            ("GET", f"{base}/frame?thumb=1", None),
            ("GET", f"{base}x", None),
            ("POST", f"{base}/step", b" " * 2_000_000),
            ("GET", f"/static/{sid}.js", None),
            ("GET", f"/static/../{sid}", None),
        ]:
            status, _ = live.request(method, path, body, json_headers)
            assert status < 500, (method, path, status)
    # Malformed HTTP that carries an id: uvicorn complains, without repeating the request.
    live.raw(
        f"GET /api/sessions/{ids[0]} HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n".encode()
    )
    live.raw(f"BREW {ids[1]} HTCPCP/1.0\r\n\r\n".encode())
    assert live.request("DELETE", f"/api/sessions/{ids[2]}")[0] == 204
    deadline = time.monotonic() + 10  # the warnings about the malformed requests come last
    while (log := live.log.read_text()).count("Invalid HTTP request") < 2:
        assert time.monotonic() < deadline, log[-2000:]
        time.sleep(0.05)
    assert f"Uvicorn running on http://127.0.0.1:{live.port}" in log
    leaked = [sid for sid in ids if sid in log or sid[:12] in log]
    assert not leaked, log[-2000:]


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app/main.py",
        "/static/%2e%2e/app/main.py",
        "/static/%2E%2E/app/main.py",
        "/static/..%2fapp%2fmain.py",
        "/static/%2e%2e%2fapp%2fmain.py",
        "/static/..%5capp%5cmain.py",
        "/static/....//app/main.py",
        "/static/js/../../app/main.py",
        "/static/%252e%252e/app/main.py",
        f"/static/{ROOT}/app/main.py",
        "/static/%2fetc%2fpasswd",
        "/static/../../../../etc/passwd",
        "/../app/main.py",
    ],
)
def test_path_traversal_over_a_real_socket_gets_404(live: Live, path: str) -> None:
    answer = live.raw(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    )
    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line.split()[1] == b"404", (path, status_line)
    assert b"create_app" not in answer and b"root:x:" not in answer


def test_a_real_static_file_is_served(live: Live) -> None:
    """The 404s above are not because static/ serves nothing."""
    file = next(p for p in sorted((ROOT / "static").rglob("*")) if p.is_file())
    status, body = live.request("GET", "/static/" + file.relative_to(ROOT / "static").as_posix())
    assert status == 200 and body == file.read_bytes()


def _listening_addresses(pid: int, port: int) -> set[str]:
    """Local addresses (hex, as /proc/net/tcp writes them) listening on ``port``."""
    found = set()
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hexport = local.rsplit(":", 1)
            if state == "0A" and int(hexport, 16) == port:
                found.add(address)
    return found


def test_the_server_binds_loopback_by_default(tmp_path: Path) -> None:
    # No --host on the command line and no PLAYGROUND_HOST: the server's own default.
    with live_server(tmp_path / "server.log", address_flags=False) as server:
        pid, port = server.process.pid, server.port
        assert _listening_addresses(pid, port) == {"0100007F"}  # 127.0.0.1 only
    assert f"http://127.0.0.1:{port}" in server.log_text()


def _console_script() -> Path:
    script = Path(sys.executable).parent / "playground"
    assert script.exists(), "install the package: pip install -e '.[test]'"
    return script


def test_the_console_script_defaults_to_loopback_and_refuses_bad_settings() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAYGROUND_")}
    out = subprocess.run(
        [str(_console_script()), "--help"], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0 and "default 127.0.0.1" in out.stdout, out.stdout
    docker = {**env, "PLAYGROUND_HOST": "0.0.0.0"}
    out = subprocess.run(
        [str(_console_script()), "--help"], env=docker, capture_output=True, text=True, timeout=60
    )
    assert "default 0.0.0.0" in out.stdout
    bad = {**env, "PLAYGROUND_STEP_TIME_BUDGET": "inf"}
    out = subprocess.run(
        [str(_console_script()), "--help"], env=bad, capture_output=True, text=True, timeout=60
    )
    assert out.returncode != 0 and "PLAYGROUND_STEP_TIME_BUDGET" in out.stderr
    assert "Traceback" not in out.stderr
