"""Several server processes on one port, for a classroom (PLAYGROUND_WORKERS > 1).

Each worker opens a listening socket of its own with SO_REUSEPORT (Linux), so the kernel
spreads new connections evenly over the workers. (uvicorn's own ``--workers`` shares one
socket, and a class of 40 ended up 39/1 on two processes: docs/BENCHMARKS.md.) Every
worker builds its app from the environment; sessions live in Redis, so any worker serves
any request. A worker that dies is replaced; SIGTERM or SIGINT stops them all.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import socket
import time
from multiprocessing.process import BaseProcess

RESTART_PAUSE = 1.0  # seconds between replacing a worker that died, at most once a second


def listen(host: str, port: int) -> socket.socket:
    """A listening SO_REUSEPORT socket. Its protocol is named (IPPROTO_TCP, not 0): asyncio
    turns Nagle's algorithm off on accepted connections only then; with it on, every
    answer on a kept-alive connection waited ~40 ms for the client's delayed ACK."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def serve(host: str, port: int) -> None:
    """One worker: its own SO_REUSEPORT socket on host:port, the app from the environment."""
    import uvicorn

    sock = listen(host, port)
    config = uvicorn.Config(
        "app.main:create_app", factory=True, host=host, port=port, access_log=False
    )
    uvicorn.Server(config).run(sockets=[sock])


def run(host: str, port: int, workers: int) -> None:
    """Start ``workers`` processes and keep them running until told to stop."""
    ctx = mp.get_context("spawn")
    stopping = False

    def start() -> BaseProcess:
        process = ctx.Process(target=serve, args=(host, port), daemon=False)
        process.start()
        return process

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    children = [start() for _ in range(workers)]
    while not stopping:
        time.sleep(0.2)
        for i, child in enumerate(children):
            if not child.is_alive() and not stopping:
                print(f"playground: worker {child.pid} exited ({child.exitcode}); starting another")
                time.sleep(RESTART_PAUSE)
                children[i] = start()
    for child in children:
        if child.is_alive():
            child.terminate()
    for child in children:
        child.join(timeout=15)
        if child.is_alive():
            child.kill()
