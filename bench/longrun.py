"""Long-running sessions (issue 11, memory): is one server process flat once every
session's loss history has reached its budget (4,000 points, app/engine/history.py)?

Starts ``python -m app`` (one process, 127.0.0.1, a free port; the memory store, or
``--store redis`` with a redis-server of its own) and N sessions that train without a
pause at the fastest speed, exactly as a playing page does (POST step {"epochs": 10000,
"max_ms": 16, "frame": true, "since": k}, gzip, one request in flight), nothing else:
no reset, no reload, so every history only grows. The server's RSS is sampled every
``--interval`` seconds; at the end each session's epoch and history length (GET frame
with since=0) is printed. The run stops by itself after ``--duration`` seconds.

Before the bound the history grew 16 bytes per epoch per session (measured, issue 11), so
the line "growth without the bound" is epochs trained × 16 B.

    .venv/bin/python -m bench.longrun                          # 10 sessions, 900 s
    .venv/bin/python -m bench.longrun --sessions 10 --duration 3600 --interval 30
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench import soak
from bench.classroom import request
from bench.soak import free_port, rss_mb

FASTEST_MS = 16
CONFIGS = {
    "circle": {"dataset": "circle"},  # the default network: the most epochs per second
    "spiral8x6": {"dataset": "spiral", "hidden_layers": [8] * 6},
}


def player(port: int, config: dict[str, Any], stop_at: float, out: dict[str, Any]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    out.update(requests=0, errors=0, epochs=0, id="")
    status, state = request(conn, "POST", "/api/sessions", {"config": config})
    if status != 201:
        out["errors"] += 1
        return
    out["id"], since = state["id"], 0
    while time.monotonic() < stop_at:
        body = {"epochs": 10_000, "max_ms": FASTEST_MS, "frame": True, "since": since}
        try:
            status, state = request(conn, "POST", f"/api/sessions/{out['id']}/step", body)
        except (OSError, http.client.HTTPException, json.JSONDecodeError):
            out["errors"] += 1
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        out["requests"] += 1
        if status != 200:
            out["errors"] += 1
            continue
        h = state["frame"]["history"]
        since = h["start"] + len(h["train"])
        out["epochs"] += state["epochs_run"]
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--duration", type=float, default=900, help="seconds (default 900)")
    parser.add_argument("--interval", type=float, default=30, help="seconds between samples")
    parser.add_argument("--config", choices=list(CONFIGS), default="circle")
    parser.add_argument("--store", choices=["memory", "redis"], default="memory")
    args = parser.parse_args()
    if not 1 <= args.sessions <= 100 or not 10 <= args.duration <= 4 * 3600:
        parser.error("sessions 1-100, duration 10-14400 s")
    if args.store == "redis":
        from bench.redisctl import redis_server

        with redis_server("everysec") as redis:
            run(args, {"PLAYGROUND_REDIS_URL": redis.url}, redis)
    else:
        run(args, {"PLAYGROUND_REDIS_URL": ""}, None)


def run(args: argparse.Namespace, env: dict[str, str], redis: Any) -> None:
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="longrun-")) / "server.log"
    server = soak.start_server(port, log, {**env, "PLAYGROUND_WORKERS": "1"})
    print(
        f"# longrun {time.strftime('%Y-%m-%d %H:%M')}, {args.sessions} sessions of "
        f"{args.config} at the fastest speed (max_ms {FASTEST_MS}, a frame a request), "
        f"{args.duration:g} s, one process, {args.store} store, load average "
        f"{os.getloadavg()[0]:.2f}",
        flush=True,
    )
    players: list[dict[str, Any]] = [{} for _ in range(args.sessions)]
    try:
        soak.wait_until_ready(server, port)
        t0 = time.monotonic()
        stop_at = t0 + args.duration
        threads = [
            threading.Thread(
                target=player,
                args=(port, {**CONFIGS[args.config], "seed": 100 + i}, stop_at, players[i]),
                daemon=True,
            )
            for i in range(args.sessions)
        ]
        for t in threads:
            t.start()
        print("| t s | server RSS MB | epochs trained (all sessions) | redis used_memory MB |")
        print("|---|---|---|---|", flush=True)
        samples: list[tuple[float, float, int]] = []
        next_at = t0
        while True:
            now = time.monotonic()
            if now >= next_at:
                mb = rss_mb(server.pid) or float("nan")
                epochs = sum(p.get("epochs", 0) for p in players)
                used = redis.info("memory")["used_memory"] / 2**20 if redis else float("nan")
                samples.append((now - t0, mb, epochs))
                print(f"| {now - t0:.0f} | {mb:.1f} | {epochs} | {used:.1f} |", flush=True)
                next_at += args.interval
            if now >= stop_at:
                break
            time.sleep(min(1.0, max(0.0, min(next_at, stop_at) - time.monotonic())))
        for t in threads:
            t.join(timeout=60)
        # each session's history at the end
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        print("\n| session | epoch | history points held | requests | errors |")
        print("|---|---|---|---|---|")
        lengths = []
        for i, p in enumerate(players):
            if not p.get("id"):
                print(f"| {i} | – | – | {p.get('requests', 0)} | {p.get('errors', 0)} |")
                continue
            _, frame = request(conn, "GET", f"/api/sessions/{p['id']}/frame?since=0&thumb=5")
            n = len(frame["history"]["train"])
            lengths.append(n)
            print(f"| {i} | {frame['epoch']} | {n} | {p['requests']} | {p['errors']} |")
        conn.close()
    finally:
        soak.stop_server(server)
    epochs = samples[-1][2]
    # the first sample at which every session had passed the budget
    rss = [mb for _, mb, _ in samples]
    print(
        f"\nerrors {sum(p.get('errors', 0) for p in players)}; epochs trained {epochs} "
        f"(growth without the bound: {epochs * 16 / 2**20:.1f} MB); history points held "
        f"min {min(lengths, default=0)} max {max(lengths, default=0)}; RSS start "
        f"{rss[0]:.1f}, max {max(rss):.1f}, end {rss[-1]:.1f} MB"
    )
    for frac in (0.25, 0.5):
        k = next(i for i, (t, _, _) in enumerate(samples) if t >= frac * args.duration)
        e0 = samples[k][2]
        print(
            f"from {samples[k][0]:.0f} s to the end: RSS {rss[-1] - rss[k]:+.1f} MB while "
            f"{epochs - e0} more epochs were trained (unbounded history would have added "
            f"{(epochs - e0) * 16 / 2**20:.1f} MB)"
        )


if __name__ == "__main__":
    main()
