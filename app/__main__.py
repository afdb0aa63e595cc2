"""`playground --host H --port P` (or `python -m app`): start the server with uvicorn."""

from __future__ import annotations

import argparse

import uvicorn

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
    args = parser.parse_args(argv)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, access_log=False)


if __name__ == "__main__":
    main()
