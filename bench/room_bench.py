"""Classroom rooms (issue 12): 40 students playing in a room, and the teacher's dashboard.

Starts a real server (bench/classroom.py's ``start_server``: one process with the memory
store, or ``--store redis --workers N``), starts a class (POST /api/rooms), pushes the
spiral with six hidden layers of eight as the activity (PUT /api/rooms/{code}/activity,
teacher token), and, in a separate load-generator process, joins N students at once
(POST /api/rooms/{code}/students). Each student also gets a plain session outside the
room (POST /api/sessions with the activity's config, seed included, so both do the same
work). The students then play at the page's fastest speed: bench/classroom.py's student
loop (step with ``max_ms`` 16 and a frame, gzip, one request in flight).

One run, phases of equal length, in rotating order so that no kind always follows another:

- ``plain``: students step their plain sessions (no room);
- ``room``: students step their room sessions, nobody watches;
- ``room+dash``: the same, and the teacher's dashboard polls GET /api/rooms/{code}/students
  like static/js/teach.js (Authorization: Bearer, gzip accepted, the next poll 1 s after
  the previous one started, at least 200 ms after its answer).

Per phase: the server's CPU (seconds of CPU of every server process per wall second, from
/proc), students' requests/s, frames/s and epochs/s, step latency, errors; per kind: the
medians over phases, and the ratios room+dash / room and room / plain (medians of the
ratios within each cycle). After the phases, with the students stopped, the server's CPU
per dashboard answer is measured on its own (back-to-back answers), which gives the
dashboard's cost at one answer a second without the noise of a saturated server.

    .venv/bin/python -m bench.room_bench                       # 40 students, ~3.5 minutes
    .venv/bin/python -m bench.room_bench --seconds 5 --cycles 2 --no-plain   # quicker
    .venv/bin/python -m bench.room_bench --store redis --workers 2
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
import sys
import threading
import time
from typing import Any

from bench import classroom, soak
from bench.classroom import cpu_seconds, machine_busy_seconds, tree_cpu_seconds
from bench.soak import HOST, free_port

KINDS = ("plain", "room", "room+dash")
WARMUP = "warm-up"
POLL_MS = 1000  # static/js/teach.js: the dashboard asks once a second ...
POLL_MIN_GAP_MS = 200  # ... and at least 200 ms after the previous answer
TARGET = 0.10  # issue 12: the dashboard adds at most 10 % to the server's CPU


# -- HTTP -----------------------------------------------------------------------------------
def call(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: Any = None,
    token: str | None = None,
) -> tuple[int, Any, int, int]:
    """(status, JSON, bytes on the wire, bytes of JSON), gzip accepted like a browser."""
    headers = {"Accept-Encoding": "gzip, deflate", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    conn.request(method, path, body=data, headers=headers)
    resp = conn.getresponse()
    wire = resp.read()
    raw = gzip.decompress(wire) if resp.getheader("Content-Encoding") == "gzip" else wire
    return resp.status, json.loads(raw) if raw else None, len(wire), len(raw)


def connect(port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(HOST, port, timeout=30)


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(p * len(s)))] if s else float("nan")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# -- the load generator (its own process) ---------------------------------------------------
def load_generator(
    port: int,
    code: str,
    config: dict[str, Any],
    n: int,
    cap: int,
    plan: list[str],
    seconds: float,
    warmup: float,
    queue: Any,
) -> None:
    """Join n students at once (and give each a plain session), then play the phases of
    ``plan`` back to back; put the schedule on the queue first, the results last."""
    sessions: list[dict[str, str]] = [{} for _ in range(n)]
    joins: list[float] = []
    errors: list[str] = []
    plain = "plain" in plan

    def setup(i: int) -> None:
        conn = connect(port)
        try:
            t0 = time.perf_counter()
            status, body, _, _ = call(
                conn, "POST", f"/api/rooms/{code}/students", {"name": f"S{i}"}
            )
            joins.append(time.perf_counter() - t0)
            if status != 201:
                errors.append(f"join {i}: {status} {body}")
                return
            sessions[i]["room"] = body["session"]["id"]
            if plain:
                status, body, _, _ = call(conn, "POST", "/api/sessions", {"config": config})
                if status != 201:
                    errors.append(f"plain session {i}: {status} {body}")
                    return
                sessions[i]["plain"] = body["id"]
        except (OSError, http.client.HTTPException, ValueError) as exc:
            errors.append(f"setup {i}: {exc!r}")
        finally:
            conn.close()

    threads = [threading.Thread(target=setup, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    start = time.monotonic() + 0.5
    lengths = [warmup] + [seconds] * (len(plan) - 1)
    bounds = [start]
    for length in lengths:
        bounds.append(bounds[-1] + length)
    queue.put(("schedule", bounds))

    outs: list[list[dict[str, Any]]] = [[] for _ in plan]

    def play(i: int) -> None:
        for k, kind in enumerate(plan):
            sid = sessions[i].get("plain" if kind == "plain" else "room")
            if sid is None:
                continue

            def given(_conn: http.client.HTTPConnection, _seed: int, sid: str = sid) -> Any:
                return 201, {"id": sid}

            classroom.student(port, i, cap, bounds[k], bounds[k + 1], outs[k], create=given)

    players = [threading.Thread(target=play, args=(i,)) for i in range(n)]
    for t in players:
        t.start()
    for t in players:
        t.join(timeout=bounds[-1] - time.monotonic() + 120)
    queue.put(("results", {"outs": outs, "joins": joins, "errors": errors}))


# -- the teacher's dashboard (a thread of this process) -------------------------------------
class Dashboard(threading.Thread):
    """Polls GET /students like teach.js while the current phase is ``room+dash``."""

    def __init__(self, port: int, code: str, token: str, n: int) -> None:
        super().__init__(name="dashboard", daemon=True)
        self.port, self.code, self.token, self.n = port, code, token, n
        self.bounds: list[float] = []
        self.plan: list[str] = []
        self.stop = threading.Event()
        self.answers: list[dict[str, Any]] = []  # phase, ms, wire, json, age, status
        self.errors: list[str] = []

    def phase(self, now: float) -> int | None:
        for k in range(len(self.plan)):
            if self.bounds[k] <= now < self.bounds[k + 1]:
                return k
        return None

    def poll(self, conn: http.client.HTTPConnection) -> dict[str, Any]:
        t0 = time.perf_counter()
        status, body, wire, raw = call(
            conn, "GET", f"/api/rooms/{self.code}/students", token=self.token
        )
        ms = (time.perf_counter() - t0) * 1000
        answer: dict[str, Any] = {"ms": ms, "wire": wire, "json": raw, "status": status}
        rows = body.get("students", []) if isinstance(body, dict) else []
        if status != 200 or len(rows) != self.n:
            got = len(rows)
            self.errors.append(f"GET /students: {status}, {got} students")
            answer["age"] = float("nan")
        else:  # how old the oldest tile's figures are
            answer["age"] = max(s["last_seen"] or 0.0 for s in body["students"])
        return answer

    def run(self) -> None:
        conn, last = connect(self.port), 0.0
        while not self.stop.is_set():
            started = time.monotonic()
            k = self.phase(started)
            if k is None or self.plan[k] != "room+dash":
                time.sleep(0.02)
                continue
            if started - last > 3.0:  # idle between phases: uvicorn closes after 5 s
                conn.close()
                conn = connect(self.port)
            last = started
            try:
                answer = self.poll(conn)
            except (OSError, http.client.HTTPException, ValueError) as exc:
                self.errors.append(f"GET /students: {exc!r}")
                conn.close()
                conn = connect(self.port)
                continue
            answer["phase"] = k
            answer["into_phase"] = started - self.bounds[k]
            self.answers.append(answer)
            elapsed = time.monotonic() - started
            self.stop.wait(max(POLL_MIN_GAP_MS / 1000, POLL_MS / 1000 - elapsed))
        conn.close()


# -- one run --------------------------------------------------------------------------------
def make_plan(cycles: int, plain: bool) -> list[str]:
    """Warm-up, then ``cycles`` cycles of the kinds, each cycle's order rotated by one."""
    kinds = list(KINDS if plain else KINDS[1:])
    plan = [WARMUP]
    for c in range(cycles):
        plan += kinds[c % len(kinds) :] + kinds[: c % len(kinds)]
    return plan


def run(
    n: int,
    seconds: float,
    cycles: int,
    store: str = "memory",
    workers: int = 1,
    fsync: str = "everysec",
    plain: bool = True,
    warmup: float = 5.0,
    isolated: int = 60,
) -> dict[str, Any]:
    if store == "redis":
        from bench.redisctl import redis_server

        with redis_server(fsync) as redis:
            env = {"PLAYGROUND_REDIS_URL": redis.url, "PLAYGROUND_WORKERS": str(workers)}
            return _run(n, seconds, cycles, env, redis, plain, warmup, isolated)
    if workers != 1:
        raise SystemExit("--workers > 1 needs --store redis")
    env = {"PLAYGROUND_REDIS_URL": "", "PLAYGROUND_WORKERS": "1"}
    return _run(n, seconds, cycles, env, None, plain, warmup, isolated)


def _run(
    n: int,
    seconds: float,
    cycles: int,
    env: dict[str, str],
    redis: Any,
    plain: bool,
    warmup: float,
    isolated: int,
) -> dict[str, Any]:
    plan = make_plan(cycles, plain)
    port = free_port()
    server = classroom.start_server(port, env)
    try:
        conn = connect(port)
        status, room, _, _ = call(conn, "POST", "/api/rooms", {"title": "room_bench"})
        assert status == 201, (status, room)
        code, token = room["code"], room["teacher_token"]
        activity = {"config": classroom.CONFIG, "message": "room_bench: play at full speed"}
        status, room, _, _ = call(conn, "PUT", f"/api/rooms/{code}/activity", activity, token)
        assert status == 200, (status, room)
        config = room["activity"]["config"]  # with the seed the server picked
        conn.close()

        ctx = mp.get_context("spawn")
        queue: Any = ctx.Queue()
        gen = ctx.Process(
            target=load_generator,
            args=(port, code, config, n, 10_000, plan, seconds, warmup, queue),
        )
        gen.start()
        kind, bounds = queue.get(timeout=180)
        assert kind == "schedule"
        dash = Dashboard(port, code, token, n)
        dash.bounds, dash.plan = bounds, plan
        dash.start()

        samples = []  # at every boundary: time, server CPU, redis CPU, generator CPU, busy
        spread: list[int] = []
        for k, b in enumerate(bounds):
            if k == len(bounds) // 2:  # halfway: how the students spread over the processes
                spread = classroom.connections_per_process(port)
            while (left := b - time.monotonic()) > 0:
                time.sleep(min(left, 0.05))
            gen_cpu = 0.0
            with contextlib.suppress(FileNotFoundError, ProcessLookupError, TypeError):
                gen_cpu = cpu_seconds(gen.pid)  # type: ignore[arg-type]
            samples.append(
                (
                    time.monotonic(),
                    tree_cpu_seconds(server.pid),
                    cpu_seconds(redis.pid) if redis else 0.0,
                    gen_cpu,
                    machine_busy_seconds(),
                )
            )
        kind, results = queue.get(timeout=180)
        assert kind == "results"
        dash.stop.set()
        dash.join(timeout=30)
        gen.join(timeout=30)
        cost = dashboard_alone(dash, server.pid, isolated)
        rss = classroom.tree_rss_mb(server.pid)
    finally:
        soak.stop_server(server)

    phases = []
    for k, kind in enumerate(plan):
        (t0, c0, r0, g0, m0), (t1, c1, r1, g1, m1) = samples[k], samples[k + 1]
        wall = t1 - t0
        length = bounds[k + 1] - bounds[k]
        records = results["outs"][k]
        lat = [x * 1000 for r in records for x in r["latencies"]]
        frames = [r["frames"] / length for r in records]
        epochs = [r["epochs"] / length for r in records]
        answers = [a for a in dash.answers if a["phase"] == k]
        server_cpu = (c1 - c0) / wall
        phases.append(
            {
                "kind": kind,
                "server_cpu": server_cpu,
                "redis_cpu": (r1 - r0) / wall,
                "generator_cpu": (g1 - g0) / wall,
                "machine_busy": (m1 - m0) / wall,
                "rest_cpu": max(0.0, (m1 - m0 - c1 + c0 - r1 + r0 - g1 + g0) / wall),
                "requests_per_s": len(lat) / length,
                "cpu_ms_per_request": server_cpu * length * 1000 / len(lat) if lat else 0,
                "students": len(records),
                "frames_median": median(frames),
                "frames_worst": min(frames, default=0),
                "epochs_median": median(epochs),
                "epochs_worst": min(epochs, default=0),
                "epochs_total_per_s": sum(epochs),
                "p50_ms": pct(lat, 0.50),
                "p99_ms": pct(lat, 0.99),
                "errors": sum(r["errors"] for r in records),
                "dash_answers": len(answers),
                "dash_p50_ms": pct([a["ms"] for a in answers], 0.5),
                "dash_p99_ms": pct([a["ms"] for a in answers], 0.99),
            }
        )
    measured = [a for a in dash.answers if plan[a["phase"]] == "room+dash"]
    return {
        "plan": plan,
        "phases": phases,
        "dash": measured,
        "dash_errors": dash.errors,
        "joins_ms": [x * 1000 for x in results["joins"]],
        "setup_errors": results["errors"],
        "cost": cost,
        "spread": "/".join(map(str, spread)),
        "rss_mb": rss,
        "students": n,
        "seconds": seconds,
        "cycles": cycles,
    }


def dashboard_alone(dash: Dashboard, pid: int, count: int) -> dict[str, float]:
    """The server's CPU per dashboard answer with the students stopped: ``count`` answers
    back to back, less what the idle server used over the same time."""
    time.sleep(1.0)
    conn = connect(dash.port)
    try:
        dash.poll(conn)  # a fresh connection's first answer is not counted
        c0, t0 = tree_cpu_seconds(pid), time.monotonic()
        times = [dash.poll(conn)["ms"] for _ in range(count)]
        c1, t1 = tree_cpu_seconds(pid), time.monotonic()
    finally:
        conn.close()
    i0 = tree_cpu_seconds(pid)
    time.sleep(t1 - t0)
    idle = (tree_cpu_seconds(pid) - i0) / (t1 - t0)
    per_answer = max(0.0, (c1 - c0) - idle * (t1 - t0)) / count
    return {"cpu_ms": per_answer * 1000, "ms": median(times), "idle_cpu": idle}


# -- the report -----------------------------------------------------------------------------
def summarise(r: dict[str, Any]) -> dict[str, Any]:
    phases = [p for p in r["phases"] if p["kind"] != WARMUP]
    kinds = [k for k in KINDS if any(p["kind"] == k for p in phases)]
    keys = [k for k in phases[0] if isinstance(phases[0][k], (int, float))]
    med = {
        kind: {key: median([p[key] for p in phases if p["kind"] == kind]) for key in keys}
        for kind in kinds
    }
    for kind in kinds:
        med[kind]["errors"] = sum(p["errors"] for p in phases if p["kind"] == kind)

    def ratios(a: str, b: str, key: str) -> list[float]:
        """b / a within each cycle (the phases of a cycle are next to each other)."""
        per = len(kinds)
        out = []
        for c in range(len(phases) // per):
            cycle = {p["kind"]: p for p in phases[c * per : (c + 1) * per]}
            if cycle[a][key]:
                out.append(cycle[b][key] / cycle[a][key])
        return out

    keys_ratio = ["server_cpu", "requests_per_s", "frames_median", "epochs_total_per_s"]
    keys_ratio += ["cpu_ms_per_request", "p50_ms"]
    dash = {k: ratios("room", "room+dash", k) for k in keys_ratio}
    room = {k: ratios("plain", "room", k) for k in keys_ratio} if "plain" in kinds else {}
    return {"kinds": kinds, "med": med, "dash": dash, "room": room}


def fmt_ratios(values: list[float]) -> str:
    return f"{median(values):.3f} [{', '.join(f'{v:.2f}' for v in values)}]"


def report(r: dict[str, Any], command: str) -> bool:
    s = summarise(r)
    med, kinds = s["med"], s["kinds"]
    print(
        "| # | phase | server CPU | requests/s | frames/s per student (median / worst) | "
        "epochs/s per student (median / worst) | step p50 / p99 ms | errors | "
        "dashboard answers | dashboard p50 / p99 ms | rest of the machine CPU |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for k, p in enumerate(r["phases"]):
        dash = (
            f"{p['dash_answers']} | {p['dash_p50_ms']:.0f} / {p['dash_p99_ms']:.0f}"
            if p["dash_answers"]
            else "– | –"
        )
        print(
            f"| {k} | {p['kind']} | {p['server_cpu'] * 100:.0f}% | {p['requests_per_s']:.1f} | "
            f"{p['frames_median']:.2f} / {p['frames_worst']:.2f} | "
            f"{p['epochs_median']:.1f} / {p['epochs_worst']:.1f} | "
            f"{p['p50_ms']:.0f} / {p['p99_ms']:.0f} | {p['errors']} | {dash} | "
            f"{p['rest_cpu'] * 100:.0f}% |"
        )
    print(f"\nMedians over the {r['cycles']} phases of each kind:\n")
    print(
        "| phase | server CPU | server CPU ms a request | requests/s | frames/s per student "
        "(median / worst) | epochs/s per student (median / worst) | epochs/s, all students | "
        "step p50 / p99 ms | errors | load generator CPU | redis CPU | rest of the machine CPU |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for kind in kinds:
        m = med[kind]
        print(
            f"| {kind} | {m['server_cpu'] * 100:.0f}% | {m['cpu_ms_per_request']:.1f} | "
            f"{m['requests_per_s']:.1f} | {m['frames_median']:.2f} / {m['frames_worst']:.2f} | "
            f"{m['epochs_median']:.1f} / {m['epochs_worst']:.1f} | "
            f"{m['epochs_total_per_s']:.0f} | {m['p50_ms']:.0f} / {m['p99_ms']:.0f} | "
            f"{m['errors']} | {m['generator_cpu'] * 100:.0f}% | {m['redis_cpu'] * 100:.0f}% | "
            f"{m['rest_cpu'] * 100:.0f}% |"
        )

    answers = r["dash"]
    ms = [a["ms"] for a in answers]
    ages = [a["age"] for a in answers if a["into_phase"] >= 2.0]  # students playing 2 s+
    wire = median([a["wire"] for a in answers])
    raw = median([a["json"] for a in answers])
    cost = r["cost"]
    share = cost["cpu_ms"] / 1000 / med["room"]["server_cpu"]  # 1 answer a second
    cpu_ratio = median(s["dash"]["server_cpu"])
    work_ratio = median(s["dash"]["epochs_total_per_s"])
    req_ratio = median(s["dash"]["requests_per_s"])
    errors = sum(p["errors"] for p in r["phases"]) + len(r["dash_errors"]) + len(r["setup_errors"])
    print(
        f"\nDashboard (GET /students, {r['students']} students, gzip): {len(ms)} answers "
        f"during the room+dash phases, p50 {pct(ms, 0.5):.1f} ms, p99 {pct(ms, 0.99):.1f} ms, "
        f"max {max(ms, default=float('nan')):.1f} ms; payload {wire / 1024:.1f} KB gzip "
        f"({raw / 1024:.1f} KB JSON); oldest tile's figures (last_seen, 2 s or more into a "
        f"phase): median {median(ages):.2f} s, "
        f"max {max(ages, default=float('nan')):.2f} s; errors {len(r['dash_errors'])}"
    )
    print(
        f"Alone (students stopped, {cost['ms']:.1f} ms an answer back to back): "
        f"{cost['cpu_ms']:.1f} ms of server CPU an answer -> at 1 answer/s "
        f"{share * 100:.1f} % of the server's CPU in the room phases "
        f"({med['room']['server_cpu'] * 100:.0f}% of a core)"
    )
    print(
        "room+dash / room, per cycle: server CPU "
        + fmt_ratios(s["dash"]["server_cpu"])
        + "; requests/s "
        + fmt_ratios(s["dash"]["requests_per_s"])
        + "; epochs/s (all students) "
        + fmt_ratios(s["dash"]["epochs_total_per_s"])
        + "; server CPU a request "
        + fmt_ratios(s["dash"]["cpu_ms_per_request"])
    )
    if s["room"]:
        print(
            "room / plain, per cycle: server CPU "
            + fmt_ratios(s["room"]["server_cpu"])
            + "; requests/s "
            + fmt_ratios(s["room"]["requests_per_s"])
            + "; epochs/s (all students) "
            + fmt_ratios(s["room"]["epochs_total_per_s"])
            + "; server CPU a request "
            + fmt_ratios(s["room"]["cpu_ms_per_request"])
        )
    joins = r["joins_ms"]
    print(
        f"Joining {len(joins)} students at once: p50 {pct(joins, 0.5):.0f} ms, max "
        f"{max(joins, default=float('nan')):.0f} ms; server RSS at the end {r['rss_mb']:.0f} MB; "
        f"connections per server process {r['spread'] or '?'}"
    )
    for e in (r["setup_errors"] + r["dash_errors"])[:10]:
        print(f"  error: {e}")
    per_request = median(s["dash"]["cpu_ms_per_request"])
    met = share <= TARGET and per_request <= 1 + TARGET and not errors
    print(
        f"\nTarget (the dashboard adds <= 10 % to the server's CPU at {r['students']} students, "
        f"0 errors): {'MET' if met else 'NOT MET'}: the dashboard's own CPU at 1 answer/s is "
        f"{share * 100:.1f} % of the server's; with the class playing, the server's CPU a "
        f"student request x{per_request:.3f} with the dashboard; errors {errors}."
    )
    print(
        f"Server CPU per wall second with / without the dashboard x{cpu_ratio:.3f}, requests "
        f"x{req_ratio:.3f}, epochs x{work_ratio:.3f} (medians of per-cycle ratios, "
        f"{r['cycles']} cycles; these follow whatever else the machine runs)"
    )
    print(f"# {command}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40, help="students in the room (40)")
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="length of each phase in seconds (10)"
    )
    parser.add_argument(
        "--cycles", type=int, default=6, help="cycles of plain / room / room+dash (6)"
    )
    parser.add_argument("--store", choices=["memory", "redis"], default="memory")
    parser.add_argument("--workers", type=int, default=1, help="server processes (redis only)")
    parser.add_argument("--fsync", choices=["always", "everysec", "no"], default="everysec")
    parser.add_argument(
        "--no-plain", action="store_true", help="skip the plain-session phases (room costs)"
    )
    parser.add_argument("--warmup", type=float, default=5.0, help="uncounted first phase (5 s)")
    parser.add_argument(
        "--isolated", type=int, default=60, help="dashboard answers timed alone at the end (60)"
    )
    parser.add_argument("--json", help="also write the raw figures to this file")
    args = parser.parse_args()
    if not 1 <= args.students <= 100 or not 2 <= args.seconds <= 300 or args.cycles < 1:
        parser.error("students must be 1-100, seconds 2-300, cycles >= 1")
    plan = make_plan(args.cycles, not args.no_plain)
    total = args.warmup + args.seconds * (len(plan) - 1)
    command = " ".join([".venv/bin/python -m bench.room_bench", *sys.argv[1:]])
    print(
        f"# room_bench, {time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} cores, "
        f"{args.students} students in one room, spiral 8x6, fastest speed "
        f"(max_ms {classroom.FASTEST_MS}, a frame a request), "
        + (
            f"{args.workers} process(es) + redis --appendfsync {args.fsync}"
            if args.store == "redis"
            else "1 process + memory store"
        )
        + f"; phases of {args.seconds:g} s: {' / '.join(plan[1 : len(plan) // args.cycles + 1])}"
        f" ... ({len(plan) - 1} phases, ~{total:.0f} s); load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    r = run(
        args.students,
        args.seconds,
        args.cycles,
        store=args.store,
        workers=args.workers,
        fsync=args.fsync,
        plain=not args.no_plain,
        warmup=args.warmup,
        isolated=args.isolated,
    )
    print(f"# load average at the end {os.getloadavg()[0]:.2f}")
    report(r, command)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(r, f, indent=1)


if __name__ == "__main__":
    main()
