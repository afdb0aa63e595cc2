"""What keeping sessions in Redis costs a step of one epoch (issue 11, "Speed").

In one process, through the whole app (fastapi's TestClient, gzip, JSON) and again at the
store alone (find + write + ``trainer.step(1)``), three set-ups side by side, their
requests interleaved one by one so that the machine's noise falls on all three alike:

- memory: the memory store;
- redis, current: the Redis store, this process served the session last (its copy is
  current: a lock, a version check and a save, no load);
- redis, changed: the Redis store, and a second app on the same Redis (another "process")
  steps the session between each of ours, so each of ours loads it from Redis first.
  Only our requests are timed.

It starts its own redis-server (append-only file, ``--appendfsync everysec`` as compose.yaml
does, or ``--fsync always``) and stops it at the end. Prints medians and p90s in ms, and
the bytes one step writes to Redis: counted from the store's own packing (the arguments
of the save script) and from Redis' INFO (total_net_input_bytes over steps of "current"
alone, all commands of a request included).

    .venv/bin/python -m bench.store_bench                  # 300 requests per cell
    .venv/bin/python -m bench.store_bench --requests 500 --fsync everysec --history 3000
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from bench.redisctl import redis_server

CONFIGS: dict[str, dict[str, Any]] = {
    "spiral, tanh, 8x6": {"dataset": "spiral", "hidden_layers": [8] * 6},
    "circle, tanh, 4,2": {"dataset": "circle", "hidden_layers": [4, 2]},
}
STEP = {"epochs": 1}
SETUPS = ("memory", "redis, current", "redis, changed")


def _client(redis_url: str = "") -> TestClient:
    client = TestClient(create_app(Settings(redis_url=redis_url, max_sessions=1000)))
    client.__enter__()  # runs the lifespan: app.state.store exists from here on
    return client


def _pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(p * len(s)))]


class Meter:
    """Counts what the Redis store's save script is sent (meta, state, data, history)."""

    def __init__(self, store: Any) -> None:
        self.sizes: list[int] = []
        self.parts: list[tuple[int, ...]] = []
        self.on = False
        inner = store._release

        def release(*, keys: list[str], args: list[Any]) -> Any:
            if self.on and len(args) > 4:
                meta, state, data, _offset, history = args[4:9]  # then the new version
                self.parts.append((len(meta), len(state), len(data), len(history)))
                self.sizes.append(sum(_size(a) for a in args))
            return inner(keys=keys, args=args)

        store._release = release


def _size(arg: Any) -> int:
    return len(arg) if isinstance(arg, bytes) else len(str(arg))


def bench_config(
    name: str, config: dict[str, Any], url: str, requests: int, history: int, redis: Any
) -> dict[str, Any]:
    memory, ours, other = _client(), _client(url), _client(url)
    clients = {"memory": memory, "redis, current": ours, "redis, changed": ours}
    try:
        sids: dict[str, str] = {}
        for setup, client in clients.items():
            r = client.post("/api/sessions", json={"config": {**config, "seed": 7}})
            assert r.status_code == 201, r.text
            sids[setup] = r.json()["id"]
            # a history of the asked length (and the copy current in `ours`)
            left = history
            while left > 0:
                n = min(left, 1000)
                r = client.post(f"/api/sessions/{sids[setup]}/step", json={"epochs": n})
                assert r.status_code == 200, r.text
                left -= n
        stores = {s: c.app.state.store for s, c in clients.items()}  # type: ignore[attr-defined]
        meter = Meter(stores["redis, current"])

        def changed_by_other() -> None:
            r = other.post(f"/api/sessions/{sids['redis, changed']}/step", json=STEP)
            assert r.status_code == 200, r.text

        def via_app(setup: str) -> Callable[[], None]:
            client, path = clients[setup], f"/api/sessions/{sids[setup]}/step"

            def go() -> None:
                r = client.post(path, json=STEP)
                assert r.status_code == 200, r.text

            return go

        def via_store(setup: str) -> Callable[[], None]:
            store, sid = stores[setup], sids[setup]

            def go() -> None:
                with store.find(sid).write() as session:
                    session.trainer.step(1)

            return go

        times: dict[tuple[str, str], list[float]] = {}
        for level, make in (("app", via_app), ("store", via_store)):
            calls = {s: make(s) for s in SETUPS}
            for _ in range(10):  # warm-up
                for s in SETUPS:
                    if s == "redis, changed":
                        changed_by_other()
                    calls[s]()
            for s in SETUPS:
                times[(level, s)] = []
            for _ in range(requests):
                for s in SETUPS:
                    if s == "redis, changed":
                        changed_by_other()
                    meter.on = s != "memory" and level == "app"
                    t0 = time.perf_counter()
                    calls[s]()
                    times[(level, s)].append((time.perf_counter() - t0) * 1000)
                    meter.on = False

        # Bytes into Redis per request, from Redis' own count: "current" steps alone.
        before = redis.info("stats")["total_net_input_bytes"]
        go = via_app("redis, current")
        for _ in range(100):
            go()
        net_in = (redis.info("stats")["total_net_input_bytes"] - before) / 100
        c = redis.client()
        try:
            key_bytes = sum(
                c.memory_usage(k) or 0
                for k in (f"np:s:{sids['redis, current']}", f"np:h:{sids['redis, current']}")
            )
            hlen = c.strlen(f"np:h:{sids['redis, current']}") // 24
        finally:
            c.close()
        parts = [statistics.median(col) for col in zip(*meter.parts, strict=True)]
        return {
            "name": name,
            "times": times,
            "save_bytes": statistics.median(meter.sizes),
            "parts": parts,
            "net_in": net_in,
            "key_bytes": key_bytes,
            "history_points": hlen,
        }
    finally:
        for client in (memory, ours, other):
            client.__exit__(None, None, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="timed requests per cell")
    parser.add_argument("--fsync", default="everysec", choices=["always", "everysec", "no"])
    parser.add_argument(
        "--history", type=int, default=0, help="epochs trained before timing (history length)"
    )
    parser.add_argument(
        "--breakdown", action="store_true", help="only the breakdown of one write, µs"
    )
    args = parser.parse_args()
    if args.breakdown:
        breakdown(args.fsync)
        return
    print(
        f"# store_bench {time.strftime('%Y-%m-%d %H:%M')} UTC-ish, {os.cpu_count()} cores, "
        f"{args.requests} requests per cell, interleaved; redis --appendfsync {args.fsync}; "
        f"history before timing {args.history} epochs; load average "
        f"{os.getloadavg()[0]:.2f}"
    )
    with redis_server(args.fsync) as redis:
        results = [
            bench_config(n, c, redis.url, args.requests, args.history, redis)
            for n, c in CONFIGS.items()
        ]
    print(f"# load average at the end {os.getloadavg()[0]:.2f}")
    print()
    print(
        "| config | level | memory p50 / p90 ms | redis, current p50 / p90 ms | "
        "redis, changed p50 / p90 ms | current − memory (p50) | changed − memory (p50) |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in results:
        for level in ("app", "store"):
            t = {s: r["times"][(level, s)] for s in SETUPS}
            med = {s: statistics.median(v) for s, v in t.items()}
            cells = " | ".join(f"{med[s]:.2f} / {_pct(t[s], 0.9):.2f}" for s in SETUPS)
            print(
                f"| {r['name']} | {level} | {cells} | "
                f"{med['redis, current'] - med['memory']:+.2f} ms | "
                f"{med['redis, changed'] - med['memory']:+.2f} ms |"
            )
    print()
    print(
        "| config | save script args per step, B (meta / state / data / history) | "
        "Redis net input per request, B | MEMORY USAGE of the session's keys, B | "
        "history points in Redis |"
    )
    print("|---|---|---|---|---|")
    for r in results:
        meta, state, data, hist = r["parts"]
        print(
            f"| {r['name']} | {r['save_bytes']:.0f} ({meta:.0f} / {state:.0f} / {data:.0f} / "
            f"{hist:.0f}) | {r['net_in']:.0f} | {r['key_bytes']} | {r['history_points']} |"
        )


def breakdown(fsync: str, n: int = 300) -> None:
    """Where the Redis store's time goes in one write of the spiral 8x6 session, µs per
    call (median of ``n``): the round trips and the packing, at several history lengths."""
    from app.redis_store import LOCK_TTL, _copy_of

    def med(fn: Callable[[], Any]) -> float:
        for _ in range(20):
            fn()
        out = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t0) * 1e6)
        return statistics.median(out)

    rows: list[tuple[str, float]] = []
    with redis_server(fsync) as redis:
        client = _client(redis.url)
        try:
            store = client.app.state.store  # type: ignore[attr-defined]
            config = {**CONFIGS["spiral, tanh, 8x6"], "seed": 7}
            sid = client.post("/api/sessions", json={"config": config}).json()["id"]
            key, hkey, lock = store._keys(sid)
            ttl = int(LOCK_TTL * 1000)

            def acquire_release(*write: Any) -> None:
                store._acquire(keys=[lock, key], args=["t", ttl])
                store._release(
                    keys=[lock, key, hkey, store._lru], args=["t", 3_600_000, 0, sid, *write]
                )

            def use_write() -> None:
                with store.find(sid).write():
                    pass

            rows.append(("PING (one loopback round trip)", med(store.redis.ping)))
            rows.append(("find: EXISTS", med(lambda: store.find(sid))))
            rows.append(("acquire + release without a write (2 EVALSHA)", med(acquire_release)))
            for _ in range(3):
                copy = store._copies[sid]
                points = len(copy.session.trainer.history)
                rows.append(
                    (
                        f"_changes (capture + pack), history {points} points",
                        med(lambda c=copy: store._changes(c)),
                    )
                )
                args = [*store._changes(copy), 1]  # and a new version (app/redis_store.py)
                size = sum(_size(a) for a in args)
                rows.append(
                    (
                        f"acquire + release with the write ({size} B), history {points}",
                        med(lambda a=args: acquire_release(*a)),
                    )
                )
                store._copies[sid] = _copy_of(copy.session, int(store.redis.hget(key, "v")))
                rows.append(
                    (f"whole find + write() with nothing changed, history {points}", med(use_write))
                )
                for _ in range(8):  # a longer history: up to the budget, then thinned
                    client.post(f"/api/sessions/{sid}/step", json={"epochs": 500})
        finally:
            client.__exit__(None, None, None)
    print(f"\n# breakdown, redis --appendfsync {fsync}, spiral 8x6, median of {n} calls")
    print("| part | µs |\n|---|---|")
    for label, us in rows:
        print(f"| {label} | {us:.0f} |")


if __name__ == "__main__":
    main()
