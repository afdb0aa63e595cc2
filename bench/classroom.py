"""A classroom on one server: N simulated students playing at the fastest speed.

Starts one server process (uvicorn, 127.0.0.1, a free port) and, in a separate
load-generator process, N students. Each student creates a session (spiral, six hidden
layers of eight, its own seed) and loops exactly as the page does when playing at the
fastest speed: POST /api/sessions/{id}/step {"epochs": cap, "max_ms": 16, "frame": true,
"since": k}, with gzip, one request in flight, the next sent when the answer arrives.
Every run is bounded in time. Prints, per N: errors, requests/s, per-student frames/s and
epochs/s (median and worst), latency p50/p99, the server's CPU and memory.

    python -m bench.classroom                    # N = 1, 2, 3, 4, 10, 20, 40, 60; 20 s each
    python -m bench.classroom --students 40 --seconds 30
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench import soak
from bench.soak import free_port, rss_mb

CONFIG = {"dataset": "spiral", "hidden_layers": [8] * 6}
FASTEST_MS = 16  # the page's fastest speed (SPEEDS in static/js/state.js)
TICKS = os.sysconf("SC_CLK_TCK")


def start_server(port: int) -> subprocess.Popen[bytes]:
    """``python -m app`` on 127.0.0.1:port (log in a temporary file), once it answers."""
    log = Path(tempfile.mkdtemp(prefix="classroom-")) / "server.log"
    server = soak.start_server(port, log)
    soak.wait_until_ready(server, port)
    return server


def request(
    conn: http.client.HTTPConnection, method: str, path: str, body: dict[str, Any] | None = None
) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Accept-Encoding": "gzip", "Content-Type": "application/json"}
    conn.request(method, path, body=data, headers=headers)
    resp = conn.getresponse()
    raw = resp.read()
    if resp.getheader("Content-Encoding") == "gzip":
        raw = gzip.decompress(raw)
    return resp.status, json.loads(raw) if raw else None


def student(
    port: int, seed: int, cap: int, start_at: float, stop_at: float, out: list[dict[str, Any]]
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    record: dict[str, Any] = {"frames": 0, "epochs": 0, "errors": 0, "latencies": []}
    try:
        status, state = request(conn, "POST", "/api/sessions", {"config": {**CONFIG, "seed": seed}})
        if status != 201:
            record["errors"] += 1
            return
        sid, since = state["id"], 0
        while time.monotonic() < start_at:
            time.sleep(0.001)
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            body = {"epochs": cap, "max_ms": FASTEST_MS, "frame": True, "since": since}
            try:
                status, state = request(conn, "POST", f"/api/sessions/{sid}/step", body)
            except (OSError, http.client.HTTPException):
                record["errors"] += 1
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            record["latencies"].append(time.perf_counter() - t0)
            if status != 200:
                record["errors"] += 1
                continue
            history = state["frame"]["history"]
            since = history["start"] + len(history["train"])
            record["frames"] += 1
            record["epochs"] += state["epochs_run"]
    finally:
        out.append(record)


def load_generator(port: int, n: int, seconds: float, cap: int, queue: Any) -> None:
    """Runs in its own process: n student threads, results put on the queue."""
    results: list[dict[str, Any]] = []
    start_at = time.monotonic() + 1.0 + n * 0.02  # let every student create its session
    stop_at = start_at + seconds
    threads = [
        threading.Thread(target=student, args=(port, 1000 + i, cap, start_at, stop_at, results))
        for i in range(n)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    queue.put(results)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def run(n: int, seconds: float, cap: int = 10_000) -> dict[str, Any]:
    port = free_port()
    server = start_server(port)
    try:
        queue: Any = mp.get_context("spawn").Queue()
        gen = mp.get_context("spawn").Process(
            target=load_generator, args=(port, n, seconds, cap, queue)
        )
        cpu0, t0 = cpu_seconds(server.pid), time.monotonic()
        gen.start()
        results = queue.get(timeout=seconds + 120)
        gen.join(timeout=30)
        cpu = (cpu_seconds(server.pid) - cpu0) / (time.monotonic() - t0)
        rss = rss_mb(server.pid)
    finally:
        soak.stop_server(server)
    latencies = sorted(x for r in results for x in r["latencies"])
    frames = [r["frames"] / seconds for r in results]
    epochs = [r["epochs"] / seconds for r in results]

    def pct(p: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0
        )

    return {
        "students": n,
        "errors": sum(r["errors"] for r in results),
        "requests_per_s": len(latencies) / seconds,
        "frames_median": statistics.median(frames),
        "frames_worst": min(frames),
        "epochs_median": statistics.median(epochs),
        "epochs_worst": min(epochs),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "server_cpu": cpu,
        "server_rss_mb": rss if rss is not None else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="*", default=[1, 2, 3, 4, 10, 20, 40, 60])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    print(
        f"# classroom benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
        f"{args.seconds:g} s per N, spiral 8x6, fastest speed "
        f"(max_ms {FASTEST_MS}, a frame a request)"
    )
    print(
        "| students | errors | requests/s | frames/s per student (median / worst) | "
        "epochs/s per student (median / worst) | latency p50 / p99 ms | server CPU | "
        "server RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for n in args.students:
        r = run(n, args.seconds)
        print(
            f"| {n} | {r['errors']} | {r['requests_per_s']:.1f} | {r['frames_median']:.1f} / "
            f"{r['frames_worst']:.1f} | {r['epochs_median']:.0f} / {r['epochs_worst']:.0f} | "
            f"{r['p50_ms']:.0f} / {r['p99_ms']:.0f} | {r['server_cpu'] * 100:.0f}% | "
            f"{r['server_rss_mb']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
