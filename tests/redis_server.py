"""A real redis-server for the tests, started and stopped by them (never a system service).

Without redis-server on a contributor's machine the tests that need it are skipped with a
message; with CI set they fail instead.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench.redisctl import REDIS_SERVER, answers
from bench.soak import HOST, free_port


def require_redis() -> None:
    if Path(REDIS_SERVER).exists():
        return
    message = (
        "redis-server not found: install it with `apt-get install -y redis-server` to run "
        "the tests against the Redis store"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class RedisServer:
    """``redis-server`` on a free loopback port, its data (append-only file) in ``folder``:
    stop it to test an outage, start it again on the same port and folder to recover."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    _argv: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self, argv: list[str] | None = None) -> RedisServer:
        """Start it (again), with ``argv`` if given (same port and folder, please)."""
        self._argv = argv or self._argv or [
            REDIS_SERVER, "--port", str(self.port), "--bind", HOST, "--dir", str(self.folder),
            "--save", "", "--appendonly", "yes", "--appendfsync", "everysec",
        ]  # fmt: skip
        log = (self.folder / "redis.log").open("ab")
        self.process = subprocess.Popen(self._argv, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not answers(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"redis-server did not start: {(self.folder / 'redis.log').read_text()}"
                )
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=20)
        self.process = None
