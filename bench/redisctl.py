"""A redis-server of the benchmark's own: started on a free loopback port with the options
compose.yaml uses (append-only file, fsync on every write unless told otherwise), its data
in a temporary folder, stopped (and the folder removed) at the end. Never a system service.

    with redis_server(fsync="everysec") as r:
        r.url, r.pid, r.info("memory")["used_memory"]
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.soak import HOST, free_port, stop_server

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@dataclass
class Redis:
    port: int
    folder: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    @property
    def pid(self) -> int:
        return self.process.pid

    def client(self) -> Any:
        import redis

        return redis.Redis(host=HOST, port=self.port, socket_timeout=10)

    def info(self, section: str) -> dict[str, Any]:
        c = self.client()
        try:
            return dict(c.info(section))
        finally:
            c.close()


def answers(port: int) -> bool:
    """The server on ``port`` answers PING with PONG (after loading its append-only file)."""
    try:
        with socket.create_connection((HOST, port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def redis_server(fsync: str = "everysec") -> Iterator[Redis]:
    """``redis-server --appendonly yes --appendfsync <fsync>`` on a free port."""
    folder = Path(tempfile.mkdtemp(prefix="bench-redis-"))
    port = free_port()
    argv = [
        REDIS_SERVER, "--port", str(port), "--bind", HOST, "--dir", str(folder),
        "--save", "", "--appendonly", "yes", "--appendfsync", fsync,
    ]  # fmt: skip
    log = (folder / "redis.log").open("ab")
    process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while not answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                text = (folder / "redis.log").read_text()
                raise RuntimeError(f"redis-server did not start: {text}")
            time.sleep(0.05)
        yield Redis(port, folder, process)
    finally:
        stop_server(process)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)
