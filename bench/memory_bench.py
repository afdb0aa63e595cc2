"""Memory of a full store (issue 11): one server process, sessions of the largest kind
(spiral, six hidden layers of eight, all seven features) with one frame drawn each.

Starts ``python -m app`` (one process, 127.0.0.1, a free port) with the memory store or
with a redis-server of its own (append-only file, ``--appendfsync everysec`` as compose.yaml
does), creates sessions one after another over HTTP, each followed by one step of one
epoch with a frame (what a page does first), and prints the server's RSS (VmRSS) and,
with Redis, Redis' ``used_memory`` and RSS, at the given session counts. The store's cap
is the default, 200: past it the least recently used session is evicted.

    .venv/bin/python -m bench.memory_bench                       # both stores, 200 and 220
    .venv/bin/python -m bench.memory_bench --stores redis --at 50 100 200 220 400
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import soak
from bench.classroom import request
from bench.configs import ALL_FEATURES
from bench.soak import free_port, rss_mb

CONFIG = {"dataset": "spiral", "hidden_layers": [8] * 6, "features": ALL_FEATURES}


def measure(store: str, at: list[int], fsync: str) -> list[dict[str, Any]]:
    if store == "redis":
        from bench.redisctl import redis_server

        with redis_server(fsync) as redis:
            return _measure({"PLAYGROUND_REDIS_URL": redis.url}, at, redis)
    return _measure({"PLAYGROUND_REDIS_URL": ""}, at, None)


def _measure(env: dict[str, str], at: list[int], redis: Any) -> list[dict[str, Any]]:
    import http.client

    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="memory-bench-")) / "server.log"
    server = soak.start_server(port, log, {**env, "PLAYGROUND_WORKERS": "1"})
    rows: list[dict[str, Any]] = []
    try:
        soak.wait_until_ready(server, port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def sample(created: int) -> None:
            row: dict[str, Any] = {"sessions": created, "rss": rss_mb(server.pid)}
            if redis is not None:
                mem = redis.info("memory")
                row["used_memory"] = mem["used_memory"] / 2**20
                row["redis_rss"] = mem["used_memory_rss"] / 2**20
                c = redis.client()
                try:
                    row["in_redis"] = c.zcard("np:lru")
                finally:
                    c.close()
            rows.append(row)

        sample(0)
        created = 0
        for target in sorted(at):
            while created < target:
                status, state = request(
                    conn, "POST", "/api/sessions", {"config": {**CONFIG, "seed": created}}
                )
                assert status == 201, state
                status, out = request(
                    conn, "POST", f"/api/sessions/{state['id']}/step", {"epochs": 1, "frame": True}
                )
                assert status == 200 and out["frame"] is not None, out
                created += 1
            time.sleep(1.0)  # let the allocator settle
            sample(created)
        conn.close()
    finally:
        soak.stop_server(server)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", nargs="*", default=["memory", "redis"])
    parser.add_argument("--at", type=int, nargs="*", default=[1, 50, 100, 200, 220])
    parser.add_argument("--fsync", choices=["always", "everysec", "no"], default="everysec")
    args = parser.parse_args()
    if any(not 0 < n <= 2000 for n in args.at):
        parser.error("session counts must be 1-2000")
    print(
        f"# memory_bench {time.strftime('%Y-%m-%d %H:%M')}, spiral 8x6 with all 7 features, "
        f"one frame each, cap 200 (default), load average {os.getloadavg()[0]:.2f}"
    )
    print(
        "| store | sessions created | server RSS MB | per session since 1 MB | "
        "redis used_memory MB | redis RSS MB | sessions in redis |"
    )
    print("|---|---|---|---|---|---|---|")
    for store in args.stores:
        rows = measure(store, args.at, args.fsync)
        first = next((r for r in rows if r["sessions"] == 1), rows[0])
        for r in rows:
            per = (
                f"{(r['rss'] - first['rss']) / (r['sessions'] - 1):.2f}"
                if r["sessions"] > 1
                else ""
            )
            print(
                f"| {store} | {r['sessions']} | {r['rss']:.0f} | {per} | "
                f"{r.get('used_memory', float('nan')):.1f} | "
                f"{r.get('redis_rss', float('nan')):.1f} | "
                f"{r.get('in_redis', '')} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
