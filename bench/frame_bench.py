"""The cost of one frame on the server, per configuration of PRODUCT.md §3.

For each: the time to build a frame (grids for the output at 100×100, thumbnails for
every feature and neuron, weights, new history), its size raw and gzip-compressed, and
the time of one playing request through the app in-process (step + frame), at the
slowest speed (1 epoch) and the fastest (as many epochs as 25 ms allow).

    python -m bench.frame_bench
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from fastapi.testclient import TestClient

from app import serialize
from app.engine import Trainer, config_from_dict
from app.main import create_app
from app.store import Session
from bench.configs import CONFIGS


def median_ms(fn: Callable[[], object], repeats: int = 30) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def measure(client: TestClient, name: str, config: dict[str, Any]) -> str:
    session = Session("bench", Trainer(config_from_dict({**config, "seed": 1})))
    session.trainer.step(100)

    def build() -> object:
        session.cache.clear()  # as after a step: the weights changed
        return serialize.frame(session, session.trainer.epoch - 10, 25, None)

    build_ms = median_ms(build)
    raw = json.dumps(build()).encode()
    sid = client.post("/api/sessions", json={"config": {**config, "seed": 1}}).json()["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 100})
    headers = {"Accept-Encoding": "gzip"}
    ran: list[int] = []

    def play(epochs: int, max_ms: float | None) -> None:
        body = {"epochs": epochs, "max_ms": max_ms, "frame": True, "since": 100}
        r = client.post(f"/api/sessions/{sid}/step", json=body, headers=headers)
        ran.append(r.json()["epochs_run"])

    slow_ms = median_ms(lambda: play(1, None))
    ran.clear()
    fast_ms = median_ms(lambda: play(10_000, 25))
    return (
        f"| {name} | {build_ms:.2f} | {len(raw) / 1024:.1f} | "
        f"{len(gzip.compress(raw, 1)) / 1024:.1f} | {slow_ms:.1f} | {fast_ms:.1f} | "
        f"{statistics.median(ran):.0f} |"
    )


def main() -> None:
    print(
        f"# frame benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
        f"numpy {np.__version__}"
    )
    print(
        "| config | build frame ms | raw KB | gzip KB | request 1 epoch + frame ms | "
        "request fastest (25 ms budget) + frame ms | epochs in it |"
    )
    print("|---|---|---|---|---|---|---|")
    with TestClient(create_app()) as client:
        for name, config in CONFIGS.items():
            print(measure(client, name, config), flush=True)


if __name__ == "__main__":
    main()
