"""Soak: a real server and N simulated students playing for a while; errors, latency, memory.

Starts the server as a subprocess (``python -m app``, uvicorn, 127.0.0.1, a free port,
its output to a log file) and N student threads. Each student creates a session (the
configurations rotate over the datasets and network shapes, the six-layer one included)
and loops as a playing page does: POST /api/sessions/{id}/step with {"epochs": 10000,
"max_ms": 25, "frame": true, "since": k}, gzip accepted, one request in flight. Now and
then a student does what people do: changes the learning rate, edits a weight, resets,
reads its data or model, or reloads the page (a new session). A diverged session is
rescued with a lower learning rate and a reset. Every request has a time-out and the run
stops by itself after ``--duration`` seconds. The server's RSS (/proc/<pid>/status VmRSS)
is sampled every ``--interval`` seconds.

    .venv/bin/python -m bench.soak                         # 30 students, 300 s
    .venv/bin/python -m bench.soak --students 10 --duration 30 --json out.json

An error is any answer that is not 2xx, is not strict JSON (NaN, Infinity), or lacks the
fields the page reads; or a connection failure or time-out.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
FEATURES = ["x1", "x2", "x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2"]
CONFIGS: list[dict[str, Any]] = [
    {"dataset": "circle"},
    {"dataset": "xor", "hidden_layers": [8, 8], "activation": "relu"},
    {"dataset": "spiral", "hidden_layers": [8] * 6, "features": FEATURES},
    {"dataset": "gauss", "optimizer": "adam", "learning_rate": 0.1},
    {"problem": "regression", "dataset": "plane", "hidden_layers": [3]},
    {"problem": "regression", "dataset": "multigauss", "hidden_layers": [8, 8, 8]},
]
PAGE_FIELDS = {"epoch", "epochs_run", "status", "train_loss", "test_loss", "frame"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        return None
    return None


def _refuse_constant(token: str) -> Any:
    raise ValueError(f"the answer contains {token}")


class Api:
    """One student's connection: JSON in, strict JSON out, gzip like a browser."""

    def __init__(self, port: int, timeout: float) -> None:
        self.port, self.timeout = port, timeout
        self.conn = http.client.HTTPConnection(HOST, port, timeout=timeout)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Accept-Encoding": "gzip"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=headers)
            r = self.conn.getresponse()
            raw = r.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            raise
        if r.getheader("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        payload = json.loads(raw, parse_constant=_refuse_constant) if raw else None
        return r.status, payload

    def close(self) -> None:
        self.conn.close()


@dataclass
class Tally:
    requests: int = 0
    errors: int = 0
    epochs: int = 0
    latencies: list[float] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    session_ids: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, error: str | None = None, epochs: int = 0) -> None:
        with self.lock:
            self.requests += 1
            self.epochs += epochs
            self.latencies.append(seconds)
            if error is not None:
                self.errors += 1
                if len(self.messages) < 20:
                    self.messages.append(error)


class Student(threading.Thread):
    def __init__(self, index: int, port: int, stop_at: float, tally: Tally) -> None:
        super().__init__(name=f"student-{index}", daemon=True)
        self.index, self.stop_at, self.tally = index, stop_at, tally
        self.api = Api(port, timeout=30)
        self.config = {**CONFIGS[index % len(CONFIGS)], "seed": 1000 + index}
        self.sid = ""
        self.have = 0  # history points the page already has

    def request(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        start = time.perf_counter()
        try:
            status, payload = self.api.call(method, path, body)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            self.tally.record(time.perf_counter() - start, f"{method} {path}: {exc!r}")
            return None
        elapsed = time.perf_counter() - start
        if status != expect:
            where = path.replace(self.sid, "<id>") if self.sid else path
            self.tally.record(elapsed, f"{method} {where}: {status} {str(payload)[:200]}")
            return None
        epochs = payload.get("epochs_run", 0) if isinstance(payload, dict) else 0
        self.tally.record(elapsed, epochs=epochs)
        return payload

    def open_page(self) -> bool:
        state = self.request("POST", "/api/sessions", {"config": self.config}, expect=201)
        if state is None:
            return False
        self.sid, self.have = state["id"], 0
        with self.tally.lock:
            self.tally.session_ids.add(self.sid)
        return True

    def play(self) -> None:
        body = {"epochs": 10_000, "max_ms": 25, "frame": True, "since": self.have}
        out = self.request("POST", f"/api/sessions/{self.sid}/step", body)
        if out is None:
            return
        missing = PAGE_FIELDS - set(out)
        history = (out.get("frame") or {}).get("history")
        if missing or history is None:
            self.tally.record(0.0, f"step answer lacks {sorted(missing) or 'frame.history'}")
            return
        self.have = history["start"] + len(history["train"])
        if out["status"] == "diverged":
            self.request("PATCH", f"/api/sessions/{self.sid}", {"learning_rate": 0.01})
            self.request("POST", f"/api/sessions/{self.sid}/reset")

    def fiddle(self, turn: int) -> None:
        """What a person does between frames, one thing in turn."""
        base = f"/api/sessions/{self.sid}"
        action = turn % 6
        if action == 0:
            self.request("PATCH", base, {"learning_rate": (0.03, 0.1, 0.3)[turn % 3]})
        elif action == 1:
            body = {"layer": 0, "source": 0, "target": 0, "value": (turn % 7) - 3}
            self.request("PUT", f"{base}/weights", body)
        elif action == 2:
            self.request("GET", f"{base}/model")
        elif action == 3:
            self.request("GET", f"{base}/data")
        elif action == 4:
            self.request("POST", f"{base}/reset")
        else:
            self.request("DELETE", base, expect=204)
            self.open_page()

    def run(self) -> None:
        try:
            while time.monotonic() < self.stop_at and not self.open_page():
                time.sleep(0.5)
            turn = 0
            while time.monotonic() < self.stop_at:
                self.play()
                turn += 1
                if turn % 40 == self.index % 40:
                    self.fiddle(turn // 40 + self.index)
        finally:
            self.api.close()


@dataclass
class Report:
    students: int
    duration: float
    requests: int
    errors: int
    error_messages: list[str]
    epochs: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    rss_mb: list[tuple[float, float]]  # (seconds since start, MB)
    session_ids: list[str]
    ids_in_log: int  # how many of the session ids appear in the server's output
    log_path: str
    started: str

    def rss_growth_after_warmup(self) -> float:
        """RSS at the end minus RSS at a third of the run (after sessions and caches filled)."""
        samples = self.rss_mb
        warm = [mb for t, mb in samples if t >= self.duration / 3]
        return samples[-1][1] - warm[0] if warm else 0.0

    def summary(self) -> str:
        rss = [mb for _, mb in self.rss_mb]
        return "\n".join(
            [
                f"soak: {self.students} students, {self.duration:.0f} s, started {self.started}",
                f"  requests {self.requests} ({self.requests_per_s:.1f}/s), errors {self.errors}",
                f"  epochs trained {self.epochs}; sessions {len(self.session_ids)}, "
                f"of which {self.ids_in_log} appear in the server log",
                f"  latency p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, "
                f"max {self.max_ms:.1f} ms",
                f"  server RSS MB: start {rss[0]:.1f}, max {max(rss):.1f}, end {rss[-1]:.1f}, "
                f"growth after warm-up {self.rss_growth_after_warmup():+.1f}",
                "  RSS over time: "
                + ", ".join(
                    f"{t:.0f}s {mb:.0f}" for t, mb in self.rss_mb[:: max(1, len(rss) // 20)]
                ),
                *(f"  error: {m}" for m in self.error_messages),
            ]
        )


def start_server(
    port: int, log_path: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """``python -m app`` on 127.0.0.1:port with its stdout and stderr in ``log_path``."""
    full_env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
    full_env.pop("PLAYGROUND_HOST", None)
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "app", "--host", HOST, "--port", str(port)],
            cwd=ROOT,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def wait_until_ready(server: subprocess.Popen[bytes], port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within {timeout} s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


def run(
    students: int = 30,
    duration: float = 300,
    interval: float = 5,
    log_path: Path | None = None,
    env: dict[str, str] | None = None,
) -> Report:
    """Start a server, let ``students`` play for ``duration`` seconds, stop it, report."""
    port = free_port()
    log_path = log_path or Path(f"/tmp/playground-soak-{port}.log")
    server = start_server(port, log_path, env)
    tally, rss = Tally(), []
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    try:
        wait_until_ready(server, port)
        t0 = time.monotonic()
        stop_at = t0 + duration
        rss.append((0.0, rss_mb(server.pid) or 0.0))
        crowd = [Student(i, port, stop_at, tally) for i in range(students)]
        for s in crowd:
            s.start()
        while time.monotonic() < stop_at:
            time.sleep(min(interval, max(0.0, stop_at - time.monotonic())))
            mb = rss_mb(server.pid)
            if mb is None:
                tally.record(0.0, "the server process is gone")
                break
            rss.append((time.monotonic() - t0, mb))
        for s in crowd:
            s.join(timeout=60)
        stuck = [s.name for s in crowd if s.is_alive()]
        if stuck:
            tally.record(0.0, f"students still waiting after the end: {stuck}")
        elapsed = time.monotonic() - t0
    finally:
        stop_server(server)
    log_text = log_path.read_text(errors="replace")
    lat = sorted(tally.latencies) or [0.0]
    return Report(
        students=students,
        duration=duration,
        requests=tally.requests,
        errors=tally.errors,
        error_messages=tally.messages,
        epochs=tally.epochs,
        requests_per_s=tally.requests / elapsed,
        p50_ms=1000 * statistics.median(lat),
        p99_ms=1000 * lat[min(len(lat) - 1, int(0.99 * len(lat)))],
        max_ms=1000 * lat[-1],
        rss_mb=rss,
        session_ids=sorted(tally.session_ids),
        ids_in_log=sum(sid in log_text for sid in tally.session_ids),
        log_path=str(log_path),
        started=started,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.soak", description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--duration", type=float, default=300, help="seconds (default 300)")
    parser.add_argument("--interval", type=float, default=5, help="seconds between RSS samples")
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    args = parser.parse_args(argv)
    if not 1 <= args.students <= 200 or not 1 <= args.duration <= 3600:
        parser.error("students must be 1-200 and duration 1-3600 s")
    report = run(args.students, args.duration, args.interval)
    print(report.summary())
    if args.json:
        data = asdict(report)
        data["session_ids"] = len(report.session_ids)
        args.json.write_text(json.dumps(data, indent=1))
    sys.exit(1 if report.errors or report.ids_in_log else 0)


if __name__ == "__main__":
    main()
