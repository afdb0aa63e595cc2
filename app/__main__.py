"""`playground --host H --port P` (or `python -m app`): start the server with uvicorn."""

from __future__ import annotations

import argparse

import uvicorn

from . import workers
from .main import create_app
from .settings import Settings


def main(argv: list[str] | None = None) -> None:
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        raise SystemExit(f"playground: {exc}") from None
    parser = argparse.ArgumentParser(prog="playground", description=__doc__)
    parser.add_argument("--host", default=settings.host, help="default %(default)s")
    parser.add_argument("--port", type=int, default=settings.port, help="default %(default)s")
    parser.add_argument(
        "--workers",
        type=int,
        default=settings.worker_count(),
        help="processes, default %(default)s",
    )
    args = parser.parse_args(argv)
    if args.workers < 1:
        raise SystemExit("playground: --workers must be at least 1")
    if args.workers > 1 and not settings.redis_url:
        raise SystemExit(
            f"playground: {args.workers} workers need a shared session store, and "
            "PLAYGROUND_REDIS_URL is not set. Each process would keep its own sessions, "
            "so a student's requests would land on processes that do not know them. Set "
            "PLAYGROUND_REDIS_URL=redis://HOST:6379/0 or run one worker."
        )
    if args.workers > 1:
        if args.port == 0:
            raise SystemExit("playground: several workers need a fixed port, not 0")
        workers.run(args.host, args.port, args.workers)
        return
    uvicorn.run(create_app(settings), host=args.host, port=args.port, access_log=False)


if __name__ == "__main__":
    main()
