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
    python -m bench.classroom --store redis --workers 2 --students 40
    python -m bench.classroom --compare --students 40 --repeat 3   # issue 11: three set-ups

With ``--store redis`` it starts a redis-server of its own for every run (append-only
file, ``--fsync everysec`` by default as in compose.yaml) and stops it afterwards;
``--workers N`` runs N server processes on the one port (needs Redis). ``--compare`` runs
one process + memory store, one process + Redis and two processes + Redis, interleaved
``--repeat`` times, and prints each run and the medians, with the CPU share of the
server processes, redis-server and the load generator.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.client
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import soak
from bench.soak import free_port, rss_mb

CONFIG = {"dataset": "spiral", "hidden_layers": [8] * 6}
FASTEST_MS = 16  # the page's fastest speed (SPEEDS in static/js/state.js)
TICKS = os.sysconf("SC_CLK_TCK")


def start_server(
    port: int, env: dict[str, str] | None = None, spread: str = "uvicorn"
) -> subprocess.Popen[bytes]:
    """``python -m app`` on 127.0.0.1:port (log in a temporary file), once it answers.
    ``spread="reuseport"``: bench/reuseport.py's processes instead of uvicorn's workers."""
    log = Path(tempfile.mkdtemp(prefix="classroom-")) / "server.log"
    workers = int((env or {}).get("PLAYGROUND_WORKERS", "1"))
    if spread == "reuseport":
        full_env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
        with open(log, "wb") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "bench.reuseport", "--host", "127.0.0.1",
                 "--port", str(port), "--workers", str(workers)],
                cwd=soak.ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
    else:
        server = soak.start_server(port, log, env)
    soak.wait_until_ready(server, port)
    if workers > 1:  # every worker up and listening, not only the first
        deadline = time.monotonic() + 60
        while len(descendants(server.pid)) < workers and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(3.0)
    return server


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (uvicorn's workers, multiprocessing's helpers)."""
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                out += [int(child), *descendants(int(child))]
    except (FileNotFoundError, ProcessLookupError):
        pass
    return out


def tree_cpu_seconds(pid: int) -> float:
    total = 0.0
    for p in [pid, *descendants(pid)]:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            total += cpu_seconds(p)
    return total


def connections_per_process(port: int) -> list[int]:
    """Established connections on the server's port, counted per server process (ss -p),
    most first: how the kernel spread the students over the workers."""
    try:
        out = subprocess.run(
            ["ss", "-Htnp", "state", "established", f"( sport = :{port} )"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    counts: dict[str, int] = {}
    for line in out.splitlines():
        if "pid=" in line:
            pid = line.split("pid=", 1)[1].split(",", 1)[0]
            counts[pid] = counts.get(pid, 0) + 1
    return sorted(counts.values(), reverse=True)


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine spent not idle (/proc/stat), all processes."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / TICKS  # minus idle and iowait


def tree_rss_mb(pid: int) -> float:
    return sum(rss_mb(p) or 0.0 for p in [pid, *descendants(pid)])


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
    port: int,
    seed: int,
    cap: int,
    start_at: float,
    stop_at: float,
    out: list[dict[str, Any]],
    create: Callable[[http.client.HTTPConnection, int], tuple[int, Any]] | None = None,
) -> None:
    """``create(conn, seed)`` → (status, state with "id"): how the student gets its session
    (default: POST /api/sessions; bench/room_bench.py joins a room or reuses one)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    record: dict[str, Any] = {"frames": 0, "epochs": 0, "errors": 0, "latencies": []}
    try:
        if create is not None:
            status, state = create(conn, seed)
        else:
            body = {"config": {**CONFIG, "seed": seed}}
            status, state = request(conn, "POST", "/api/sessions", body)
        if status != 201:
            record["errors"] += 1
            return
        sid, since = state["id"], 0
        while time.monotonic() < start_at:
            time.sleep(0.001)
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            body: dict[str, Any] = {"epochs": cap, "frame": True, "since": since}
            if cap > 1:  # the fastest speed: as many epochs as max_ms of CPU allow
                body["max_ms"] = FASTEST_MS
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


def run(
    n: int,
    seconds: float,
    cap: int = 10_000,
    store: str = "memory",
    workers: int = 1,
    fsync: str = "everysec",
    spread: str = "uvicorn",
) -> dict[str, Any]:
    if store == "redis":
        from bench.redisctl import redis_server

        with redis_server(fsync) as redis:
            env = {"PLAYGROUND_REDIS_URL": redis.url, "PLAYGROUND_WORKERS": str(workers)}
            return _run(n, seconds, cap, env, redis, spread)
    if workers != 1:
        raise SystemExit("--workers > 1 needs --store redis")
    return _run(n, seconds, cap, {"PLAYGROUND_REDIS_URL": "", "PLAYGROUND_WORKERS": "1"}, None)


def _run(
    n: int, seconds: float, cap: int, env: dict[str, str], redis: Any, spread: str = "uvicorn"
) -> dict[str, Any]:
    port = free_port()
    server = start_server(port, env, spread)
    try:
        queue: Any = mp.get_context("spawn").Queue()
        gen = mp.get_context("spawn").Process(
            target=load_generator, args=(port, n, seconds, cap, queue)
        )
        cpu0, t0 = tree_cpu_seconds(server.pid), time.monotonic()
        redis_cpu0 = cpu_seconds(redis.pid) if redis else 0.0
        busy0 = machine_busy_seconds()
        gen.start()
        gen_cpu = 0.0
        results = None
        spread: list[int] = []
        while results is None:  # sample the generator's CPU while it still exists
            if not spread and time.monotonic() - t0 > 2.0 + n * 0.02 + seconds / 2:
                spread = connections_per_process(port)
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                gen_cpu = cpu_seconds(gen.pid) if gen.pid else gen_cpu
            try:
                results = queue.get(timeout=0.5)
            except Exception:  # queue.Empty
                if time.monotonic() - t0 > seconds + 120:
                    raise
        elapsed = time.monotonic() - t0
        cpu = (tree_cpu_seconds(server.pid) - cpu0) / elapsed
        redis_cpu = (cpu_seconds(redis.pid) - redis_cpu0) / elapsed if redis else 0.0
        busy = (machine_busy_seconds() - busy0) / elapsed
        rss = tree_rss_mb(server.pid)
        gen.join(timeout=30)
        used_memory = redis.info("memory")["used_memory"] / 2**20 if redis else 0.0
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
        "redis_cpu": redis_cpu,
        "generator_cpu": gen_cpu / elapsed,
        "spread": "/".join(map(str, spread)),
        "other_cpu": max(0.0, busy - cpu - redis_cpu - gen_cpu / elapsed),
        "redis_used_mb": used_memory,
        "processes": int(env.get("PLAYGROUND_WORKERS", "1")),
    }


SETUPS = [("memory", 1, "uvicorn"), ("redis", 1, "uvicorn"), ("redis", 2, "uvicorn")]
REUSEPORT = ("redis", 2, "reuseport")  # --reuseport: the proposed even spread, a 4th set-up


def compare(
    n: int, seconds: float, repeat: int, fsync: str, reuseport: bool = False, cap: int = 10_000
) -> None:
    """The three set-ups of issue 11, interleaved, each run printed, then the medians."""
    print(
        f"# classroom --compare, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
        f"{n} students, {seconds:g} s per run, spiral 8x6, "
        f"{'fastest speed' if cap > 1 else 'speed 1 (one epoch and a frame a request)'}, redis "
        f"--appendfsync {fsync}, load average {os.getloadavg()[0]:.2f}"
    )
    head = (
        "| set-up | errors | requests/s | frames/s per student (median / worst) | "
        "epochs/s per student (median / worst) | latency p50 / p99 ms | server CPU | "
        "redis CPU | load generator CPU | rest of the machine CPU | server RSS MB | "
        "redis used_memory MB | students per process |"
    )
    print(head)
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    rows: dict[str, list[dict[str, Any]]] = {}
    for _ in range(repeat):
        for store, workers, spread in SETUPS + ([REUSEPORT] if reuseport else []):
            label = f"{workers} process{'es' if workers > 1 else ''} + {store}"
            if spread == "reuseport":
                label += " (SO_REUSEPORT)"
            r = run(n, seconds, cap, store=store, workers=workers, fsync=fsync, spread=spread)
            rows.setdefault(label, []).append(r)
            print(_row(label, r), flush=True)
    print(f"# load average at the end {os.getloadavg()[0]:.2f}")
    print(f"\nMedians of {repeat} runs each:\n")
    print(head)
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    med: dict[str, dict[str, Any]] = {}
    for label, runs in rows.items():
        med[label] = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k != "spread"}
        med[label]["errors"] = sum(r["errors"] for r in runs)
        med[label]["spread"] = ", ".join(r["spread"] for r in runs)
        print(_row(label, med[label]))
    labels = list(med)
    one_mem, one_redis, two = (med[x]["requests_per_s"] for x in labels[:3])
    print(
        f"\ntwo processes + redis / one process + redis: {two / one_redis:.2f}x requests; "
        f"/ one process + memory: {two / one_mem:.2f}x; errors in all runs: "
        f"{sum(m['errors'] for m in med.values())}"
    )
    if reuseport:
        rp = med[labels[3]]["requests_per_s"]
        print(
            f"two processes (SO_REUSEPORT) / one process + redis: {rp / one_redis:.2f}x; "
            "per run: "
            + ", ".join(
                f"{b['requests_per_s'] / a['requests_per_s']:.2f}"
                for a, b in zip(rows[labels[1]], rows[labels[3]], strict=True)
            )
        )
    print(
        "per-run ratios (two / one redis): "
        + ", ".join(
            f"{b['requests_per_s'] / a['requests_per_s']:.2f}"
            for a, b in zip(rows[labels[1]], rows[labels[2]], strict=True)
        )
    )


def _row(label: str, r: dict[str, Any]) -> str:
    return (
        f"| {label} | {r['errors']} | {r['requests_per_s']:.1f} | {r['frames_median']:.1f} / "
        f"{r['frames_worst']:.1f} | {r['epochs_median']:.0f} / {r['epochs_worst']:.0f} | "
        f"{r['p50_ms']:.0f} / {r['p99_ms']:.0f} | {r['server_cpu'] * 100:.0f}% | "
        f"{r['redis_cpu'] * 100:.0f}% | {r['generator_cpu'] * 100:.0f}% | "
        f"{r['other_cpu'] * 100:.0f}% | "
        f"{r['server_rss_mb']:.0f} | {r['redis_used_mb']:.1f} | {r.get('spread', '')} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="*", default=[1, 2, 3, 4, 10, 20, 40, 60])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--store", choices=["memory", "redis"], default="memory")
    parser.add_argument("--workers", type=int, default=1, help="server processes (redis)")
    parser.add_argument("--fsync", choices=["always", "everysec", "no"], default="everysec")
    parser.add_argument("--compare", action="store_true", help="the three set-ups of issue 11")
    parser.add_argument("--repeat", type=int, default=1, help="runs per set-up (--compare)")
    parser.add_argument(
        "--speed",
        choices=["fastest", "1"],
        default="fastest",
        help="fastest (default): max_ms 16 of training a request; 1: one epoch a request",
    )
    parser.add_argument(
        "--reuseport",
        action="store_true",
        help="--compare: also 2 processes with a socket each (SO_REUSEPORT, bench/reuseport.py)",
    )
    args = parser.parse_args()
    if not 0 < args.seconds <= 600 or any(not 0 < n <= 200 for n in args.students):
        parser.error("seconds must be 1-600 and students 1-200")
    cap = 10_000 if args.speed == "fastest" else 1
    if args.compare:
        for n in args.students:
            compare(n, args.seconds, args.repeat, args.fsync, args.reuseport, cap)
        return
    print(
        f"# classroom benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
        f"{args.seconds:g} s per N, spiral 8x6, fastest speed "
        f"(max_ms {FASTEST_MS}, a frame a request)"
        + (
            f", {args.workers} process(es) + redis --appendfsync {args.fsync}"
            if args.store == "redis"
            else ""
        )
    )
    print(
        "| students | errors | requests/s | frames/s per student (median / worst) | "
        "epochs/s per student (median / worst) | latency p50 / p99 ms | server CPU | "
        "server RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for n in args.students:
        r = run(n, args.seconds, cap, store=args.store, workers=args.workers, fsync=args.fsync)
        print(
            f"| {n} | {r['errors']} | {r['requests_per_s']:.1f} | {r['frames_median']:.1f} / "
            f"{r['frames_worst']:.1f} | {r['epochs_median']:.0f} / {r['epochs_worst']:.0f} | "
            f"{r['p50_ms']:.0f} / {r['p99_ms']:.0f} | {r['server_cpu'] * 100:.0f}% | "
            f"{r['server_rss_mb']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
