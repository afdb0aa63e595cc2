"""A classroom on one server: N simulated students playing at the fastest speed.

Starts one server process (uvicorn, 127.0.0.1, a free port) and, in a separate
load-generator process, N students. Each student creates a session (spiral, six hidden
layers of eight, its own seed) and loops exactly as the page does when playing at the
fastest speed: POST /api/sessions/{id}/step {"epochs": cap, "max_ms": 16, "frame": true,
"since": k}, with gzip, one request in flight, the next sent when the answer arrives.
Every run is bounded in time. Prints, per N: errors, requests/s, per-student frames/s and
epochs/s (median and worst), latency p50/p99, the server's CPU and memory, and whether
the run met issue 16's targets (judged by the worst student).

    python -m bench.classroom                    # N = 1, 2, 3, 4, 10, 20, 40, 60; 20 s each
    python -m bench.classroom --students 40 --seconds 30
    python -m bench.classroom --store redis --workers 2 --students 40
    python -m bench.classroom --compare --students 40 --repeat 3   # issue 11: three set-ups
    python -m bench.classroom --students 40 --client page --baseline /tmp/np-baseline --repeat 3
    python -m bench.classroom --students 100 --mix small --generators 2

With ``--store redis`` it starts a redis-server of its own for every run (append-only
file, ``--fsync everysec`` by default as in compose.yaml) and stops it afterwards;
``--workers N`` runs N server processes on the one port (needs Redis). ``--compare`` runs
one process + memory store, one process + Redis and two processes + Redis, interleaved
``--repeat`` times, and prints each run and the medians, with the CPU share of the
server processes, redis-server and the load generator.

Issue 16 (``--client``, ``--mix``, ``--baseline``, ``--generators``, ``--env``):

- ``--client api`` (default): plain JSON answers with gzip, as above. ``--client page``:
  asks like the page since issue 16 — ``Accept: application/vnd.playground.frame`` (the
  binary frame below) and ``"thumbs": true`` only when ``--thumbs-ms`` (125) ms passed
  since the last answer with thumbnails — and decodes every answer. A server without the
  binary frame answers JSON (decoded as the page did: every map from base64); one that
  refuses the "thumbs" field (older code: unknown fields are rejected) is asked without it.
- ``--mix small``: students alternate circle (hidden layers 4, 2) and xor (8, 8).
- ``--baseline DIR``: the same load also against a server started from the checkout DIR
  (``python -m app`` with cwd and PYTHONPATH = DIR), runs interleaved ``--repeat`` times,
  each printed, then the medians side by side and new / baseline per student.
- ``--generators K``: the students split over K load-generator processes.
- ``--env KEY=VALUE`` (repeatable): set for the server(s) under test.

The binary frame (``NPF1``): 4 bytes ASCII ``NPF1``; n as uint32 little-endian; n bytes
of UTF-8 JSON, the JSON answer with every map of ``frame`` (``output``, ``classes[i]``,
``features[i]``, ``neurons[l][i]``, ``neuron.grid``) replaced by [offset, length] into
the rest: the maps, raw bytes.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import functools
import gzip
import http.client
import json
import math
import multiprocessing as mp
import os
import queue as queues
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import soak
from bench.soak import HOST, free_port, rss_mb

CONFIG = {"dataset": "spiral", "hidden_layers": [8] * 6}
MIXES: dict[str, list[dict[str, Any]]] = {  # student i plays MIXES[mix][i % len]
    "spiral": [CONFIG],
    "small": [
        {"dataset": "circle", "hidden_layers": [4, 2]},
        {"dataset": "xor", "hidden_layers": [8, 8]},
    ],
}
MIX_LABELS = {"spiral": "spiral 8x6", "small": "circle 4,2 and xor 8,8 alternating"}
FASTEST_MS = 16  # the page's fastest speed (SPEEDS in static/js/state.js)
TICKS = os.sysconf("SC_CLK_TCK")
FRAME_TYPE = "application/vnd.playground.frame"
FRAME_MAGIC = b"NPF1"


@dataclass(frozen=True)
class Load:
    """What the students play and how they ask (the command line's client-side options)."""

    mix: str = "spiral"
    client: str = "api"  # "api": JSON + gzip; "page": binary frames, thumbnails when due
    thumbs_ms: float = 125.0
    generators: int = 1


@dataclass(frozen=True)
class Client:
    """How one student asks, once the server is known: ``page`` like the page since issue
    16 (binary frames, thumbnails every ``thumbs_ms``), else plain JSON. ``thumbs_field``:
    the server accepts "thumbs" in a step (older servers refuse unknown fields)."""

    page: bool = False
    thumbs_ms: float = 125.0
    thumbs_field: bool = True


def start_server(
    port: int,
    env: dict[str, str] | None = None,
    spread: str = "uvicorn",
    root: Path = soak.ROOT,
) -> subprocess.Popen[bytes]:
    """``python -m app`` from the checkout ``root`` on 127.0.0.1:port (log in a temporary
    file), once it answers. ``spread="reuseport"``: bench/reuseport.py's processes instead
    of uvicorn's workers. cwd and PYTHONPATH are ``root``, so another checkout's server runs
    its own app (checked) and its own static files, with this venv's Python."""
    log = Path(tempfile.mkdtemp(prefix="classroom-")) / "server.log"
    workers = int((env or {}).get("PLAYGROUND_WORKERS", "1"))
    full_env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(root)}
    full_env.pop("PLAYGROUND_HOST", None)
    check_imports_from(root, full_env["PYTHONPATH"])
    if spread == "reuseport":
        argv = ["-m", "bench.reuseport", "--workers", str(workers)]
    else:
        argv = ["-m", "app"]
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, *argv, "--host", HOST, "--port", str(port)],
            cwd=root, env=full_env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        soak.wait_until_ready(server, port)
    except RuntimeError as exc:
        soak.stop_server(server)
        tail = log.read_text(errors="replace").strip().splitlines()[-5:]
        raise RuntimeError(f"{exc} (from {root}); the end of {log}:\n" + "\n".join(tail)) from None
    if workers > 1:  # every worker up and listening, not only the first
        deadline = time.monotonic() + 60
        while len(descendants(server.pid)) < workers and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(3.0)
    return server


@functools.cache
def check_imports_from(root: Path, pythonpath: str) -> None:
    """Raise unless ``python -m app`` started in ``root`` imports ``root``'s app and bench
    (the venv's editable install points at one checkout; PYTHONPATH must win over it)."""
    code = (
        "import importlib.util as u; "
        "print(u.find_spec('app').origin); print(u.find_spec('bench').origin)"
    )
    env = {**os.environ, "PYTHONPATH": pythonpath}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    want = [root / "app" / "__init__.py", root / "bench" / "__init__.py"]
    if [Path(p).resolve() for p in out] != [p.resolve() for p in want]:
        raise SystemExit(f"a server started in {root} would import {out}, not {want}")


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


# -- the page's way of asking (issue 16) ----------------------------------------------------
def page_request(
    conn: http.client.HTTPConnection, path: str, body: dict[str, Any]
) -> tuple[int, Any, bool]:
    """POST as the page does: binary frames accepted, gzip too (a browser always sends it).
    → (status, decoded answer, whether it came as a binary frame). Raises ValueError for
    an answer the page could not read."""
    headers = {
        "Accept": f"{FRAME_TYPE}, application/json",
        "Accept-Encoding": "gzip",
        "Content-Type": "application/json",
    }
    conn.request("POST", path, body=json.dumps(body).encode(), headers=headers)
    resp = conn.getresponse()
    raw = resp.read()
    if resp.getheader("Content-Encoding") == "gzip":
        raw = gzip.decompress(raw)
    if (resp.getheader("Content-Type") or "").startswith(FRAME_TYPE):
        return resp.status, decode_frame(raw), True
    state = json.loads(raw) if raw else None
    if resp.status == 200 and isinstance(state, dict) and state.get("frame"):
        for text in frame_maps(state["frame"]):  # what the page did with JSON: base64 → bytes
            if text:
                base64.b64decode(text, validate=True)
    return resp.status, state, False


def frame_maps(frame: dict[str, Any]) -> Iterator[Any]:
    """Every map of a frame: the output (or each class), the thumbnails, the neuron's grid."""
    yield frame.get("output")
    yield from frame.get("classes") or []
    yield from frame.get("features") or []
    for layer in frame.get("neurons") or []:
        yield from layer
    if frame.get("neuron"):
        yield frame["neuron"]["grid"]


def decode_frame(raw: bytes) -> dict[str, Any]:
    """An ``NPF1`` answer → its JSON part; every map's [offset, length] checked to lie in
    the maps part, and a view of it taken (the page's ``new Uint8Array(buffer, …)``)."""
    if len(raw) < 8 or raw[:4] != FRAME_MAGIC:
        raise ValueError(f"not an {FRAME_MAGIC.decode()} frame: {raw[:8]!r}")
    n = int.from_bytes(raw[4:8], "little")
    if 8 + n > len(raw):
        raise ValueError(f"the JSON part ({n} bytes) runs past the end ({len(raw)} bytes)")
    state = json.loads(raw[8 : 8 + n].decode("utf-8"))
    maps = memoryview(raw)[8 + n :]
    frame = state.get("frame") if isinstance(state, dict) else None
    views = []
    for ref in frame_maps(frame) if frame else []:
        if ref is None or ref == "":  # no map (a multi-class network has no single output)
            continue
        ok = isinstance(ref, list) and len(ref) == 2 and all(type(v) is int for v in ref)
        if not ok or ref[0] < 0 or ref[1] < 0 or ref[0] + ref[1] > len(maps):
            raise ValueError(f"map {ref!r} is not inside the {len(maps)} bytes of maps")
        views.append(maps[ref[0] : ref[0] + ref[1]])
    return state  # type: ignore[no-any-return]


def probe(port: int, config: dict[str, Any]) -> tuple[bool, bool]:
    """Ask the server once as the page does, on a session of its own deleted afterwards:
    → (it takes "thumbs", it answers binary frames)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        status, state = request(conn, "POST", "/api/sessions", {"config": {**config, "seed": 1}})
        if status != 201:
            raise RuntimeError(f"POST /api/sessions answered {status}: {state}")
        path = f"/api/sessions/{state['id']}/step"
        status, answer, binary = page_request(
            conn, path, {"epochs": 1, "frame": True, "thumbs": True}
        )
        thumbs_field = status == 200
        if not thumbs_field:
            status, answer, binary = page_request(conn, path, {"epochs": 1, "frame": True})
            if status != 200:
                raise RuntimeError(f"a step answered {status}: {answer}")
        request(conn, "DELETE", f"/api/sessions/{state['id']}")
        return thumbs_field, binary
    finally:
        conn.close()


# -- the students -----------------------------------------------------------------------------
def student(
    port: int,
    seed: int,
    cap: int,
    start_at: float,
    stop_at: float,
    out: list[dict[str, Any]],
    create: Callable[[http.client.HTTPConnection, int], tuple[int, Any]] | None = None,
    config: dict[str, Any] = CONFIG,
    client: Client = Client(),
) -> None:
    """``create(conn, seed)`` → (status, state with "id"): how the student gets its session
    (default: POST /api/sessions with ``config``; bench/room_bench.py joins a room or reuses
    one). ``client``: how it asks for its steps."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    record: dict[str, Any] = {
        "frames": 0, "epochs": 0, "errors": 0, "latencies": [], "binary": 0, "thumbs": 0,
        "messages": [],
    }  # fmt: skip

    def error(message: str) -> None:
        record["errors"] += 1
        if len(record["messages"]) < 3:
            record["messages"].append(message)

    try:
        if create is not None:
            status, state = create(conn, seed)
        else:
            status, state = request(
                conn, "POST", "/api/sessions", {"config": {**config, "seed": seed}}
            )
        if status != 201:
            error(f"POST /api/sessions: {status} {str(state)[:200]}")
            return
        sid, since, thumbs_at = state["id"], 0, -math.inf
        path = f"/api/sessions/{sid}/step"
        while time.monotonic() < start_at:
            time.sleep(0.001)
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            body: dict[str, Any] = {"epochs": cap, "frame": True, "since": since}
            if cap > 1:  # the fastest speed: as many epochs as max_ms of CPU allow
                body["max_ms"] = FASTEST_MS
            if client.page and client.thumbs_field:
                body["thumbs"] = time.monotonic() - thumbs_at >= client.thumbs_ms / 1000
            binary = False
            try:
                if client.page:
                    status, state, binary = page_request(conn, path, body)
                else:
                    status, state = request(conn, "POST", path, body)
            except (OSError, http.client.HTTPException) as exc:
                error(f"step: {exc!r}")
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            except ValueError as exc:  # an answer that could not be read
                record["latencies"].append(time.perf_counter() - t0)
                error(f"step: {exc}")
                continue
            record["latencies"].append(time.perf_counter() - t0)
            if status != 200:
                error(f"step: {status} {str(state)[:200]}")
                continue
            frame = state["frame"]
            history = frame["history"]
            since = history["start"] + len(history["train"])
            record["frames"] += 1
            record["epochs"] += state["epochs_run"]
            record["binary"] += binary
            if frame.get("features") is not None:
                record["thumbs"] += 1
                thumbs_at = time.monotonic()
    finally:
        out.append(record)


def load_generator(
    port: int,
    indices: list[int],
    cap: int,
    start_at: float,
    stop_at: float,
    configs: list[dict[str, Any]],
    client: Client,
    queue: Any,
) -> None:
    """Runs in its own process: a student thread for each index i (seed 1000 + i, config
    ``configs[i % len(configs)]``), results put on the queue."""
    results: list[dict[str, Any]] = []
    threads = [
        threading.Thread(
            target=student,
            args=(port, 1000 + i, cap, start_at, stop_at, results),
            kwargs={"config": configs[i % len(configs)], "client": client},
        )
        for i in indices
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=stop_at - time.monotonic() + 60)
    queue.put(results)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


# -- one run ----------------------------------------------------------------------------------
def run(
    n: int,
    seconds: float,
    cap: int = 10_000,
    store: str = "memory",
    workers: int = 1,
    fsync: str = "everysec",
    spread: str = "uvicorn",
    load: Load = Load(),
    root: Path = soak.ROOT,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One fresh server (from the checkout ``root``, with ``env`` added to its environment)
    and N students for ``seconds``."""
    if store == "redis":
        from bench.redisctl import redis_server

        with redis_server(fsync) as redis:
            setup = {"PLAYGROUND_REDIS_URL": redis.url, "PLAYGROUND_WORKERS": str(workers)}
            return _run(n, seconds, cap, {**(env or {}), **setup}, redis, spread, load, root)
    if workers != 1:
        raise SystemExit("--workers > 1 needs --store redis")
    setup = {"PLAYGROUND_REDIS_URL": "", "PLAYGROUND_WORKERS": "1"}
    return _run(n, seconds, cap, {**(env or {}), **setup}, None, spread, load, root)


def _run(
    n: int,
    seconds: float,
    cap: int,
    env: dict[str, str],
    redis: Any,
    spread: str = "uvicorn",
    load: Load = Load(),
    root: Path = soak.ROOT,
) -> dict[str, Any]:
    port = free_port()
    server = start_server(port, env, spread, root)
    configs = MIXES[load.mix]
    try:
        client, answers = Client(), "api: JSON + gzip"
        if load.client == "page":
            thumbs_field, _ = probe(port, configs[0])
            client = Client(True, load.thumbs_ms, thumbs_field)
            answers = "page" if thumbs_field else "page (the server refuses thumbs)"
        ctx = mp.get_context("spawn")
        queue: Any = ctx.Queue()
        k = max(1, min(load.generators, n))
        t0 = time.monotonic()
        start_at = t0 + 2.0 + n * 0.02  # let every student create its session
        stop_at = start_at + seconds
        gens = [
            ctx.Process(
                target=load_generator,
                args=(port, list(range(i, n, k)), cap, start_at, stop_at, configs, client, queue),
            )
            for i in range(k)
        ]
        cpu0 = tree_cpu_seconds(server.pid)
        redis_cpu0 = cpu_seconds(redis.pid) if redis else 0.0
        busy0 = machine_busy_seconds()
        for gen in gens:
            gen.start()
        gen_cpu = [0.0] * k
        results: list[dict[str, Any]] = []
        done = 0
        servers: list[int] = []
        while done < k:  # sample the generators' CPU while they still exist
            if not servers and time.monotonic() > (start_at + stop_at) / 2:
                servers = connections_per_process(port)
            for i, gen in enumerate(gens):
                with contextlib.suppress(FileNotFoundError, ProcessLookupError, TypeError):
                    gen_cpu[i] = cpu_seconds(gen.pid)  # type: ignore[arg-type]
            try:
                results += queue.get(timeout=0.5)
                done += 1
            except queues.Empty:
                if time.monotonic() > stop_at + 120:
                    raise
        elapsed = time.monotonic() - t0
        cpu = (tree_cpu_seconds(server.pid) - cpu0) / elapsed
        redis_cpu = (cpu_seconds(redis.pid) - redis_cpu0) / elapsed if redis else 0.0
        busy = (machine_busy_seconds() - busy0) / elapsed
        rss = tree_rss_mb(server.pid)
        for gen in gens:
            gen.join(timeout=30)
        used_memory = redis.info("memory")["used_memory"] / 2**20 if redis else 0.0
    finally:
        soak.stop_server(server)
    latencies = sorted(x for r in results for x in r["latencies"])
    frames = [r["frames"] / seconds for r in results]
    epochs = [r["epochs"] / seconds for r in results]
    if client.page:
        got = sum(r["frames"] for r in results)
        share = sum(r["binary"] for r in results) / got if got else 0.0
        thumbs = statistics.median(r["thumbs"] / seconds for r in results)
        answers += f": {share:.0%} binary, thumbnails {thumbs:.1f}/s per student"

    def pct(p: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0
        )

    out = {
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
        "generator_cpu": sum(gen_cpu) / elapsed,
        "generator_cpu_max": max(gen_cpu) / elapsed,
        "generators": k,
        "spread": "/".join(map(str, servers)),
        "other_cpu": max(0.0, busy - cpu - redis_cpu - sum(gen_cpu) / elapsed),
        "redis_used_mb": used_memory,
        "processes": int(env.get("PLAYGROUND_WORKERS", "1")),
        "client": answers,
        "mix": load.mix,
        "messages": [m for r in results for m in r["messages"]][:5],
    }
    out["targets"] = verdict(out)
    return out


def verdict(r: dict[str, Any]) -> str:
    """Issue 16's targets, judged by the worst student: spiral 8×6 ≥ 5 frames/s and ≥ 30
    epochs/s each, p99 ≤ 500 ms, 0 errors; the small networks ≥ 10 frames/s each."""
    if r["mix"] == "small":
        checks = [("frames/s", r["frames_worst"], 10, ">=")]
    else:
        checks = [
            ("frames/s", r["frames_worst"], 5, ">="),
            ("epochs/s", r["epochs_worst"], 30, ">="),
            ("p99 ms", r["p99_ms"], 500, "<="),
            ("errors", r["errors"], 0, "<="),
        ]
    missed = [
        f"{name} {value:.3g} {'<' if sign == '>=' else '>'} {bound}"
        for name, value, bound, sign in checks
        if (value < bound if sign == ">=" else value > bound)
    ]
    return "met" if not missed else "NOT met: " + ", ".join(missed)


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of every figure over runs of one set-up; errors summed, texts joined."""
    med: dict[str, Any] = {
        k: statistics.median(r[k] for r in runs)
        for k, v in runs[0].items()
        if isinstance(v, int | float)
    }
    med["errors"] = sum(r["errors"] for r in runs)
    med["spread"] = ", ".join(r["spread"] for r in runs)
    med["client"] = " | ".join(dict.fromkeys(r["client"] for r in runs))
    med["mix"] = runs[0]["mix"]
    med["messages"] = [m for r in runs for m in r["messages"]][:5]
    med["targets"] = verdict(med)
    return med


def print_errors(rows: dict[str, list[dict[str, Any]]]) -> None:
    for label, runs in rows.items():
        for m in dict.fromkeys(m for r in runs for m in r["messages"]):
            print(f"# error seen ({label}): {m}")


def generator_cpu(r: dict[str, Any]) -> str:
    text = f"{r['generator_cpu'] * 100:.0f}%"
    if r["generators"] > 1:
        text += f" ({r['generators']:.0f} processes, max {r['generator_cpu_max'] * 100:.0f}%)"
    return text


def describe(seconds: float, cap: int, load: Load, env: dict[str, str]) -> str:
    """The run's conditions, for the line above a table."""
    speed = "fastest speed" if cap > 1 else "speed 1 (one epoch and a frame a request)"
    extra = ", env " + " ".join(f"{k}={v}" for k, v in env.items()) if env else ""
    return (
        f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
        f"{seconds:g} s per run, {MIX_LABELS[load.mix]}, {speed}, client {load.client}"
        f"{f' (thumbs every {load.thumbs_ms:g} ms)' if load.client == 'page' else ''}, "
        f"{load.generators} load generator(s){extra}, load average {os.getloadavg()[0]:.2f}"
    )


# -- issue 11: three set-ups ------------------------------------------------------------------
SETUPS = [("memory", 1, "uvicorn"), ("redis", 1, "uvicorn"), ("redis", 2, "uvicorn")]
REUSEPORT = ("redis", 2, "reuseport")  # --reuseport: the proposed even spread, a 4th set-up
HEAD = (
    "| set-up | errors | requests/s | frames/s per student (median / worst) | "
    "epochs/s per student (median / worst) | latency p50 / p99 ms | server CPU | "
    "redis CPU | load generator CPU | rest of the machine CPU | server RSS MB | "
    "redis used_memory MB | students per process | client | issue 16 targets (worst) |"
)
RULE = "|---" * (HEAD.count("|") - 1) + "|"


def compare(
    n: int,
    seconds: float,
    repeat: int,
    fsync: str,
    reuseport: bool = False,
    cap: int = 10_000,
    load: Load = Load(),
    env: dict[str, str] | None = None,
) -> None:
    """The three set-ups of issue 11, interleaved, each run printed, then the medians."""
    print(
        f"# classroom --compare, {n} students, {describe(seconds, cap, load, env or {})}, "
        f"redis --appendfsync {fsync}"
    )
    print(HEAD)
    print(RULE)
    rows: dict[str, list[dict[str, Any]]] = {}
    for _ in range(repeat):
        for store, workers, spread in SETUPS + ([REUSEPORT] if reuseport else []):
            label = f"{workers} process{'es' if workers > 1 else ''} + {store}"
            if spread == "reuseport":
                label += " (SO_REUSEPORT)"
            r = run(n, seconds, cap, store, workers, fsync, spread, load, env=env)
            rows.setdefault(label, []).append(r)
            print(_row(label, r), flush=True)
    print(f"# load average at the end {os.getloadavg()[0]:.2f}")
    print_errors(rows)
    print(f"\nMedians of {repeat} runs each:\n")
    print(HEAD)
    print(RULE)
    med = {label: medians(runs) for label, runs in rows.items()}
    for label, m in med.items():
        print(_row(label, m))
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
        f"{r['redis_cpu'] * 100:.0f}% | {generator_cpu(r)} | "
        f"{r['other_cpu'] * 100:.0f}% | "
        f"{r['server_rss_mb']:.0f} | {r['redis_used_mb']:.1f} | {r.get('spread', '')} | "
        f"{r['client']} | {r['targets']} |"
    )


# -- issue 16: side by side with another checkout ---------------------------------------------
def commit_of(root: Path, paths: tuple[str, ...] = ("app", "static", "bench")) -> str:
    """The checkout's commit, with "+ changes" when ``paths`` differ from it."""
    git = ["git", "-C", str(root)]
    head = subprocess.run(
        [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--", *paths], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (head or "no git") + (" + changes" if dirty else "")


def side_by_side(
    n: int,
    seconds: float,
    repeat: int,
    baseline: Path,
    setup: tuple[str, int, str],
    fsync: str,
    cap: int,
    load: Load,
    env: dict[str, str],
) -> None:
    """The same load against this checkout's server and ``baseline``'s, interleaved (the
    order alternating), each run printed, then the medians and new / baseline."""
    store, workers, spread = setup
    names = {
        "new": f"new ({commit_of(soak.ROOT)})",
        "baseline": f"baseline ({commit_of(baseline)}, {baseline})",
    }
    roots = {"new": soak.ROOT, "baseline": baseline}
    where = f"{workers} process{'es' if workers > 1 else ''} + {store}"
    if spread == "reuseport":
        where += " (SO_REUSEPORT)"
    print(
        f"# classroom, new vs baseline, {where}, {n} students, {describe(seconds, cap, load, env)}"
    )
    print(HEAD)
    print(RULE)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in names.values()}
    for i in range(repeat):
        for key in ("new", "baseline") if i % 2 == 0 else ("baseline", "new"):
            r = run(n, seconds, cap, store, workers, fsync, spread, load, roots[key], env)
            rows[names[key]].append(r)
            print(_row(names[key], r), flush=True)
    print(f"# load average at the end {os.getloadavg()[0]:.2f}")
    print_errors(rows)
    print(f"\nMedians of {repeat} run(s) each:\n")
    print(HEAD)
    print(RULE)
    new, base = (medians(rows[names[key]]) for key in ("new", "baseline"))
    print(_row(names["new"], new))
    print(_row(names["baseline"], base))
    print("\nnew / baseline (medians; per run in brackets):")
    for key, what in [
        ("frames_median", "frames/s per student, median"),
        ("frames_worst", "frames/s per student, worst"),
        ("epochs_median", "epochs/s per student, median"),
        ("epochs_worst", "epochs/s per student, worst"),
        ("p99_ms", "latency p99"),
    ]:
        per_run = ", ".join(
            ratio(a[key], b[key])
            for a, b in zip(rows[names["new"]], rows[names["baseline"]], strict=True)
        )
        print(f"  {what}: {ratio(new[key], base[key])} [{per_run}]")


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "inf" if a else "-"


def env_pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, nargs="*", default=[1, 2, 3, 4, 10, 20, 40, 60])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--store", choices=["memory", "redis"], default="memory")
    parser.add_argument("--workers", type=int, default=1, help="server processes (redis)")
    parser.add_argument("--fsync", choices=["always", "everysec", "no"], default="everysec")
    parser.add_argument("--compare", action="store_true", help="the three set-ups of issue 11")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per set-up (--compare, --baseline)"
    )
    parser.add_argument(
        "--speed",
        choices=["fastest", "1"],
        default="fastest",
        help="fastest (default): max_ms 16 of training a request; 1: one epoch a request",
    )
    parser.add_argument(
        "--reuseport",
        action="store_true",
        help="--compare: also 2 processes with a socket each (SO_REUSEPORT, bench/reuseport.py); "
        "otherwise: run --workers that way",
    )
    parser.add_argument(
        "--client",
        choices=["api", "page"],
        default="api",
        help="api (default): JSON + gzip; page: binary frames, thumbnails every --thumbs-ms",
    )
    parser.add_argument(
        "--thumbs-ms", type=float, default=125.0, help="page client: ms between thumbnails"
    )
    parser.add_argument(
        "--mix",
        choices=list(MIXES),
        default="spiral",
        help="spiral (default): spiral 8x6; small: circle 4,2 and xor 8,8 alternating",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help="also run the same load against a server from the checkout DIR, side by side",
    )
    parser.add_argument(
        "--generators", type=int, default=1, help="load-generator processes (default 1)"
    )
    parser.add_argument(
        "--env",
        type=env_pair,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set for the server(s) under test (repeatable)",
    )
    args = parser.parse_args()
    if not 0 < args.seconds <= 600 or any(not 0 < n <= 200 for n in args.students):
        parser.error("seconds must be 1-600 and students 1-200")
    if not 1 <= args.generators <= 16 or not 1 <= args.repeat <= 20 or args.thumbs_ms < 0:
        parser.error("generators must be 1-16, repeat 1-20 and thumbs-ms at least 0")
    if args.baseline is not None:
        args.baseline = args.baseline.resolve()
        if args.compare:
            parser.error("--baseline runs one set-up (--store, --workers), not --compare")
        if not (args.baseline / "app" / "__init__.py").is_file():
            parser.error(f"{args.baseline} is not a checkout of the project (no app/)")
    cap = 10_000 if args.speed == "fastest" else 1
    load = Load(args.mix, args.client, args.thumbs_ms, args.generators)
    env = dict(args.env)
    spread = "reuseport" if args.reuseport and args.workers > 1 else "uvicorn"
    if args.compare:
        for n in args.students:
            compare(n, args.seconds, args.repeat, args.fsync, args.reuseport, cap, load, env)
        return
    if args.baseline is not None:
        for n in args.students:
            setup = (args.store, args.workers, spread)
            side_by_side(
                n, args.seconds, args.repeat, args.baseline, setup, args.fsync, cap, load, env
            )
        return
    print(
        f"# classroom benchmark, {describe(args.seconds, cap, load, env)}"
        f" (max_ms {FASTEST_MS}, a frame a request)"
        + (
            f", {args.workers} process(es) + redis --appendfsync {args.fsync}"
            if args.store == "redis"
            else ""
        )
    )
    print(
        "| students | errors | requests/s | frames/s per student (median / worst) | "
        "epochs/s per student (median / worst) | latency p50 / p99 ms | server CPU | "
        "server RSS MB | load generator CPU | client | issue 16 targets (worst) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    rows: dict[str, list[dict[str, Any]]] = {}
    for n in args.students:
        r = run(n, args.seconds, cap, args.store, args.workers, args.fsync, spread, load, env=env)
        rows[f"{n} students"] = [r]
        print(
            f"| {n} | {r['errors']} | {r['requests_per_s']:.1f} | {r['frames_median']:.1f} / "
            f"{r['frames_worst']:.1f} | {r['epochs_median']:.0f} / {r['epochs_worst']:.0f} | "
            f"{r['p50_ms']:.0f} / {r['p99_ms']:.0f} | {r['server_cpu'] * 100:.0f}% | "
            f"{r['server_rss_mb']:.0f} | {generator_cpu(r)} | {r['client']} | "
            f"{r['targets']} |",
            flush=True,
        )
    print_errors(rows)


if __name__ == "__main__":
    main()
