"""What several test files need: configurations they share, a real server process, strict
JSON, a session's snapshot and "a rejected request changes nothing", and waiting in the
browser. Fixtures stay in the conftest.py files; they call these."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import httpx
import pytest
from fastapi.testclient import TestClient

from bench.soak import HOST, free_port, stop_server

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parent.parent

# The in-process TestClient (an httpx2 client) or an httpx client of a live server.
Client = TestClient | httpx.Client


class Answer(Protocol):
    """A response of either kind of client."""

    @property
    def status_code(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def content(self) -> bytes: ...
    def json(self) -> Any: ...


# -- configurations ---------------------------------------------------------------------------

JSON = {"content-type": "application/json"}

# The largest network on the hardest dataset, every input feature on.
BIG: dict[str, Any] = {
    "dataset": "spiral",
    "hidden_layers": [8] * 6,
    "features": ["x1", "x2", "x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2"],
}

# Regression (a linear output) with relu at the largest learning rate: diverges within a
# few epochs on the networks the tests give it.
DIVERGING: dict[str, Any] = {"problem": "regression", "activation": "relu", "learning_rate": 10}

# What a change of one setting does to a session that has trained: "live" keeps the
# network and the epoch, "reset" draws new weights, "data" draws new data as well
# (the reset rules in docs/API.md). One table for the engine's tests and the API's.
RESET_RULES: list[tuple[dict[str, Any], str]] = [
    ({"learning_rate": 0.1}, "live"),
    ({"learning_rate_decay": 0.5}, "live"),
    ({"activation": "relu"}, "reset"),
    ({"regularization": "l1"}, "reset"),
    ({"regularization_rate": 0.01}, "reset"),
    ({"features": ["x1", "x2", "x1_x2"]}, "reset"),
    ({"hidden_layers": [2]}, "reset"),
    ({"batch_size": 3}, "reset"),
    ({"init": "he"}, "reset"),
    ({"dropout": 0.1}, "reset"),
    ({"dataset": "gauss"}, "data"),
    ({"noise": 25}, "data"),
    ({"train_ratio": 80}, "data"),
    ({"seed": 123}, "data"),
    ({"problem": "regression"}, "data"),
]


# -- a real server process --------------------------------------------------------------------


@dataclass(frozen=True)
class LiveServer:
    """A running ``python -m app``: its port, its log file (stdout and stderr), its process."""

    port: int
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def live_server(
    log: Path,
    *,
    env: Mapping[str, str] | None = None,
    address_flags: bool = True,
    timeout: float = 30,
) -> Iterator[LiveServer]:
    """``python -m app`` on a free port of 127.0.0.1, its output in ``log``; yields once
    /healthz answers 200 and stops the server on leaving. Fails the test with the log when
    the server exits or does not answer within ``timeout`` seconds.

    ``env`` is added to this process's environment (without PLAYGROUND_HOST). With
    ``address_flags=False`` the command line names no address: the port goes in
    PLAYGROUND_PORT and the host is the server's own default."""
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if k != "PLAYGROUND_HOST"}
    full_env.update({**(env or {}), "PYTHONUNBUFFERED": "1"})
    argv = [sys.executable, "-m", "app"]
    if address_flags:
        argv += ["--host", HOST, "--port", str(port)]
    else:
        full_env["PLAYGROUND_PORT"] = str(port)
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT
        )
    server = LiveServer(port, log, process)
    try:
        _wait_for_health(server, timeout)
        yield server
    finally:
        stop_server(process)


def _wait_for_health(server: LiveServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            pytest.fail(f"the server exited with {server.process.returncode}:\n{server.log_text()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(
                f"the server did not answer /healthz in {timeout:g} s:\n{server.log_text()}"
            )
        time.sleep(0.1)


# -- answers and sessions ---------------------------------------------------------------------


def _refuse_constant(token: str) -> Any:
    raise AssertionError(f"the response contains the JSON token {token}")


def strict_json(answer: str | bytes | Answer) -> Any:
    """Parse an answer's JSON, failing on NaN, Infinity and -Infinity."""
    text = answer if isinstance(answer, str | bytes) else answer.text
    return json.loads(text, parse_constant=_refuse_constant)


def new_session(client: Client, **config: Any) -> dict[str, Any]:
    """Create a session with ``config``; return its state (``id``, ``config``, losses...)."""
    r = client.post("/api/sessions", json={"config": config})
    assert r.status_code == 201, r.text
    state: dict[str, Any] = r.json()
    return state


class Snapshot(NamedTuple):
    """Everything a session shows, byte for byte: state, model, data and frame (its whole
    history, every picture)."""

    state: bytes
    model: bytes
    data: bytes
    frame: bytes


def snapshot(client: Client, sid: str) -> Snapshot:
    base = f"/api/sessions/{sid}"
    state, model, data, frame = (
        client.get(base + path).content for path in ("", "/model", "/data", "/frame")
    )
    return Snapshot(state, model, data, frame)


def assert_rejected_changes_nothing(
    client: Client,
    sid: str,
    method: str,
    route: str = "",
    *,
    status: int = 422,
    message: str = "",
    before: Snapshot | None = None,
    what: object = None,
    **request: Any,
) -> Answer:
    """Send ``method`` to ``/api/sessions/{sid}{route}`` (``request``: ``client.request``'s
    keyword arguments, such as json=, content=, headers=) and assert that it is refused
    with ``status`` and a ``detail`` sentence containing ``message``, and that the session
    shows exactly what it showed ``before`` (by default: just before the request).
    ``what`` names the case in failure messages. Returns the answer for further checks."""
    what = (method, route) if what is None else what
    if before is None:
        before = snapshot(client, sid)
    r = client.request(method, f"/api/sessions/{sid}{route}", **request)
    assert r.status_code == status, (what, r.status_code, r.text[:300])
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail and message in detail, (what, detail)
    assert snapshot(client, sid) == before, what
    return r


# -- the page in a browser --------------------------------------------------------------------
# Okabe–Ito, in the page's order of classes, and the neutral end of every shade (the
# reference's); a multi-class map pixel lies on the line from NEUTRAL to its class colour.
PALETTE = [(230, 159, 0), (0, 114, 178), (0, 158, 115), (204, 121, 167), (213, 94, 0)]
NEUTRAL = (232, 234, 235)


def nearest_class(rgb: tuple[int, ...], classes: int) -> tuple[int, float]:
    """The class whose shade line (neutral → class colour) passes nearest to a colour, and
    how far along it the colour is (0 neutral … 1 full)."""
    best: tuple[float, int, float] = (float("inf"), 0, 0.0)
    for k in range(classes):
        d = [b - a for a, b in zip(NEUTRAL, PALETTE[k], strict=True)]
        v = [c - a for a, c in zip(NEUTRAL, rgb, strict=True)]
        along = sum(x * y for x, y in zip(v, d, strict=True)) / sum(x * x for x in d)
        t = max(0.0, min(1.0, along))
        miss = sum((x - t * y) ** 2 for x, y in zip(v, d, strict=True))
        best = min(best, (miss, k, t))
    return best[1], best[2]


def heatmap_pixels(page: Page) -> dict[str, Any]:
    """The output map's canvas, as RGBA bytes."""
    return page.evaluate(  # type: ignore[no-any-return]
        """() => {
          const c = document.querySelector('#heatmap canvas.heatmap-grid');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          return {width: c.width, height: c.height, data: Array.from(d)};
        }"""
    )


def grid_point(row: int, col: int, n: int) -> list[float]:
    """The plane's point of cell (row, col) of an n×n map (row 0 at y = +6)."""
    return [-6 + 12 * col / (n - 1), 6 - 12 * row / (n - 1)]


def wait_idle(page: Page) -> None:
    """No request queued or in flight, a session, its numbers drawn; then two frames more."""
    page.wait_for_function(
        """() => {
          const main = document.querySelector('main');
          return main.dataset.session && main.getAttribute('aria-busy') === 'false'
            && document.querySelector('#loss-test').textContent !== '–';
        }"""
    )
    animation_frames(page, 2)


def open_page(page: Page, base: str, hash_: str = "") -> str:
    """Open the page and wait until it is idle; return its session id."""
    page.goto(f"{base}/{hash_}")
    wait_idle(page)
    session = page.get_attribute("main", "data-session")
    assert session
    return session


def epoch(page: Page) -> int:
    """The epoch the page shows."""
    return int((page.text_content("#iter-number") or "").replace(",", ""))


def wait_for_epoch(page: Page, n: int) -> None:
    """Wait until the page shows epoch ``n`` or a later one."""
    page.wait_for_function(
        "(n) => parseInt(document.querySelector('#iter-number').textContent.replace(/,/g, ''))"
        " >= n",
        arg=n,
    )


def wait_for_new_session(page: Page, old: str) -> str:
    """Wait until the page works with a session other than ``old`` and is idle; return it."""
    page.wait_for_function(
        "(old) => document.querySelector('main').dataset.session !== old", arg=old
    )
    wait_idle(page)
    session = page.get_attribute("main", "data-session")
    assert session
    return session


def animation_frames(page: Page, count: int) -> None:
    """Let the page draw ``count`` animation frames."""
    page.evaluate(
        """(count) => new Promise(resolve => {
          let n = 0;
          const tick = () => (++n >= count ? resolve() : requestAnimationFrame(tick));
          requestAnimationFrame(tick);
        })""",
        count,
    )


def export_from_page(page: Page, folder: Path) -> tuple[Path, dict[str, Any]]:
    """Press "Export model"; the downloaded file in ``folder`` and its JSON."""
    with page.expect_download() as download:
        page.click("#export-model")
    path = folder / "model.json"
    download.value.save_as(path)
    model: dict[str, Any] = json.loads(path.read_text())
    return path, model


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """A catalog's nested keys as flat ones ("page.play")."""
    flat: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def catalog(lang: str, namespace: str = "page") -> dict[str, str]:
    """The page catalog static/i18n/<lang>/<namespace>.json, flat keys."""
    path = ROOT / "static" / "i18n" / lang / f"{namespace}.json"
    return flatten(json.loads(path.read_text("utf-8")))


def decode_frame(content: bytes) -> tuple[dict[str, Any], bytes]:
    """A binary answer (docs/API.md, Binary frames) → (its JSON head, its maps part)."""
    assert content[:4] == b"NPF1"
    (n,) = struct.unpack("<I", content[4:8])
    head = json.loads(content[8 : 8 + n].decode("utf-8"))
    return head, content[8 + n :]
