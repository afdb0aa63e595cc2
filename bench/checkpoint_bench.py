"""Replay checkpoints (issue 14): what keeping them costs.

    python -m bench.checkpoint_bench

1. Training time: epochs of the spiral 8×6 (SGD and Adam, batch 10) with checkpoints as
   the trainer keeps them, and with taking them switched off, interleaved in one run
   (medians of 7 rounds of 200 epochs, one epoch per call as the page's steps are short);
   the ratio is what checkpoints add.
2. Memory: the bytes of a session's checkpoints after 1,000 epochs (≤ 64 of them).
3. Redis: the bytes each write sends over 200 epochs, one and five epochs a step, with
   checkpoints and with taking them switched off (a real redis-server, started here and
   stopped at the end), and what Redis holds.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import redis
from fastapi.testclient import TestClient

from app.engine import Trainer, config_from_dict
from app.main import create_app
from app.settings import Settings
from bench.configs import CONFIGS

SPIRAL = {**CONFIGS["spiral, tanh, 8x6"], "batch_size": 10, "seed": 3}
OPTIMIZERS = ("sgd", "adam")


def _epochs_per_s(t: Trainer, epochs: int = 200) -> float:
    start = time.process_time()
    for _ in range(epochs):
        t.step(1)
    return epochs / (time.process_time() - start)


def training() -> None:
    print("1. spiral 8x6, epochs per CPU-second, one epoch per call (median of 7 rounds)")
    for opt in OPTIMIZERS:
        config = config_from_dict({**SPIRAL, "optimizer": opt})
        kept, off = Trainer(config), Trainer(config)
        off._checkpoint = lambda: None  # type: ignore[method-assign]
        rates: dict[str, list[float]] = {"with": [], "without": []}
        for _ in range(7):
            rates["with"].append(_epochs_per_s(kept))
            rates["without"].append(_epochs_per_s(off))
        a, b = (statistics.median(rates[k]) for k in ("with", "without"))
        print(f"  {opt:5} with {a:6.0f}/s   without {b:6.0f}/s   cost ×{b / a:.3f}")


def memory() -> None:
    print("2. a session's checkpoints after 1,000 epochs")
    for opt in OPTIMIZERS:
        t = Trainer(config_from_dict({**SPIRAL, "optimizer": opt}))
        t.step(1000)
        _, arrays = t.checkpoints.pack()
        size = sum(a.nbytes for a in arrays.values())
        print(f"  {opt:5} {len(t.checkpoints)} checkpoints, {size / 1000:6.1f} KB")


def redis_writes() -> None:
    from tests.redis_server import RedisServer

    print("3. Redis: bytes a write sends (median over 200 epochs) and what Redis keeps")
    server = RedisServer(Path(tempfile.mkdtemp())).start()
    try:
        for opt in OPTIMIZERS:
            for per in (1, 5):
                _writes(server.url, opt, per, "with")
                take = Trainer._checkpoint
                Trainer._checkpoint = lambda self: None  # type: ignore[method-assign]
                try:
                    _writes(server.url, opt, per, "without")
                finally:
                    Trainer._checkpoint = take  # type: ignore[method-assign]
    finally:
        server.stop()


def _writes(url: str, opt: str, per: int, kept: str) -> None:
    redis.Redis.from_url(url).flushall()
    with TestClient(create_app(Settings(redis_url=url))) as client:
        sid = client.post("/api/sessions", json={"config": {**SPIRAL, "optimizer": opt}})
        sid = sid.json()["id"]
        store: Any = client.app.state.store  # type: ignore[attr-defined]
        release, sizes = store._release, []

        def counting(*, keys: list[str], args: list[Any]) -> Any:
            sizes.append(sum(len(a) if isinstance(a, bytes | str) else 8 for a in args))
            return release(keys=keys, args=args)

        store._release = counting
        for _ in range(200 // per):
            client.post(f"/api/sessions/{sid}/step", json={"epochs": per})
        db = redis.Redis.from_url(url)
        held = sum(len(v) for v in db.hvals(f"np:c:{sid}"))
        session = sum(len(v) for v in db.hvals(f"np:s:{sid}"))
        print(
            f"  {opt:5} {per} epoch(s) a step, {kept:7} checkpoints: "
            f"a write {statistics.median(sizes) / 1000:5.1f} KB"
            f"   session hash {session / 1000:5.1f} KB   checkpoints {held / 1000:5.0f} KB"
        )


if __name__ == "__main__":
    training()
    memory()
    redis_writes()
