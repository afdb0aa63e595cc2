"""N server processes on one port, each with its own SO_REUSEPORT socket: what
``playground --workers N`` now does (app/workers.py). Kept so that bench.classroom's
``--reuseport`` set-up, measured before the change, can be repeated as it was run.

    PLAYGROUND_REDIS_URL=redis://127.0.0.1:6379/0 python -m bench.reuseport --port 8000 --workers 2
"""

from __future__ import annotations

import argparse
import os

from app import workers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not os.environ.get("PLAYGROUND_REDIS_URL"):
        raise SystemExit("several processes need PLAYGROUND_REDIS_URL")
    workers.run(args.host, args.port, args.workers)


if __name__ == "__main__":
    main()
