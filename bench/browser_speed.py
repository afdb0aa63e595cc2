"""Visible speed in a real browser: what a person sees, per configuration and speed.

Starts a server on 127.0.0.1 and Debian's Chromium (Playwright). For each configuration
of PRODUCT.md §3, at the slowest speed (one epoch per frame) and the fastest, for three
seeds: open the page with the configuration in the URL hash, press Play, and for a fixed
time count the epochs shown by #iter-number and the server frames the page drew (its
`data-frames-drawn` counter: a frame that arrives while an older one waits to be drawn
replaces it, so frames received can exceed frames drawn). The losses at epochs 100,
300 and 1000 come from the session's history (GET /frame?since=0). Also the wall time
until #loss-test shows a test loss below 0.1 on the six-layer spiral at the fastest speed
(5 seeds).

    python -m bench.browser_speed                 # the full run (~15 minutes)
    python -m bench.browser_speed --seconds 5 --seeds 1 --only "spiral, tanh, 8x6"
"""

from __future__ import annotations

import argparse
import math
import os
import re
import statistics
import time
from typing import Any
from urllib.parse import urlencode

import httpx
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.chromium import CHROMIUM, FLAGS
from bench.classroom import free_port, start_server
from bench.configs import CONFIGS

# The reference's figures (PRODUCT.md §3): visible epochs/s; train / test loss at 300.
REFERENCE = {
    "circle, tanh, 4,2": (58.5, ".0011 / .0024"),
    "xor, tanh, 8,8": (47.6, ".0006 / .0042"),
    "gauss, tanh, 4": (60.0, ".0001 / .0001"),
    "spiral, tanh, 8x6": (20.2, ".286 / .392"),
    "spiral, relu, 8x6, lr 0.01": (21.3, ".172 / .301"),
    "spiral, 7 features, tanh, 8,8": (35.0, ".028 / .138"),
}
FEATURE_KEYS = {
    "x1": "x",
    "x2": "y",
    "x1_x2": "xTimesY",
    "x1_squared": "xSquared",
    "x2_squared": "ySquared",
    "sin_x1": "sinX",
    "sin_x2": "sinY",
}


def page_hash(config: dict[str, Any], seed: int, speed: str) -> str:
    features = config.get("features", ["x1", "x2"])
    keys: dict[str, Any] = {
        "dataset": config["dataset"],
        "networkShape": ",".join(str(n) for n in config["hidden_layers"]),
        "activation": config.get("activation", "tanh"),
        "learningRate": config.get("learning_rate", 0.03),
        "seed": seed,
        "speed": speed,
    }
    for name, key in FEATURE_KEYS.items():
        keys[key] = "true" if name in features else "false"
    return "#" + urlencode(keys)


def epoch_shown(page: Page) -> int:
    text = page.inner_text("#iter-number")
    return int(re.sub(r"\D", "", text) or 0)


def frames_drawn(page: Page) -> int:
    return int(page.get_attribute("main", "data-frames-drawn") or 0)


def play(
    page: Page, base: str, config: dict[str, Any], seed: int, speed: str, seconds: float
) -> dict[str, Any]:
    page.goto("about:blank")
    page.goto(base + "/" + page_hash(config, seed, speed))
    page.wait_for_function("document.querySelector('#iter-number') !== null")
    page.wait_for_timeout(500)
    page.click("#play-pause-button")
    page.wait_for_function("() => /[1-9]/.test(document.querySelector('#iter-number').textContent)")
    start_epoch, start_frames = epoch_shown(page), frames_drawn(page)
    t0 = time.perf_counter()
    page.wait_for_timeout(seconds * 1000)
    elapsed = time.perf_counter() - t0
    epochs = epoch_shown(page) - start_epoch
    drawn = frames_drawn(page) - start_frames
    page.click("#play-pause-button")
    session = page.get_attribute("main", "data-session")
    history = httpx.get(f"{base}/api/sessions/{session}/frame", params={"since": 0}).json()
    train, test = history["history"]["train"], history["history"]["test"]
    losses = {e: (train[e], test[e]) for e in (100, 300, 1000) if e < len(train)}
    return {"epochs_per_s": epochs / elapsed, "frames_per_s": drawn / elapsed, "losses": losses}


def time_to_loss(
    page: Page, base: str, seed: int, target: float = 0.1, limit: float = 60.0
) -> float:
    config = CONFIGS["spiral, tanh, 8x6"]
    page.goto("about:blank")
    page.goto(base + "/" + page_hash(config, seed, "fastest"))
    page.wait_for_function("document.querySelector('#iter-number') !== null")
    page.wait_for_timeout(500)
    t0 = time.perf_counter()
    page.click("#play-pause-button")
    try:
        page.wait_for_function(
            f"() => parseFloat(document.querySelector('#loss-test').textContent) < {target}",
            timeout=limit * 1000,
            polling=50,
        )
        elapsed = time.perf_counter() - t0
    except PlaywrightTimeout:
        elapsed = math.inf  # this seed does not get there (a local minimum)
    page.click("#play-pause-button")
    return elapsed


def fmt_loss(values: list[tuple[float, float]]) -> str:
    if not values:
        return "–"
    train = statistics.median(v[0] for v in values)
    test = statistics.median(v[1] for v in values)
    return f"{train:.4f} / {test:.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--only", default=None, help="one configuration name")
    parser.add_argument("--speeds", nargs="*", default=["1", "fastest"])
    parser.add_argument("--no-time-to-loss", action="store_true")
    parser.add_argument("--only-time-to-loss", action="store_true")
    args = parser.parse_args()
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    print(
        f"# browser speed, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
        f"{args.seconds:g} s per run, medians over {args.seeds} seeds"
    )
    print(
        "| config | speed | epochs/s shown (ref, ratio) | redraws/s | loss at 100 | "
        "loss at 300 (ref) | loss at 1000 |"
    )
    print("|---|---|---|---|---|---|---|")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            for name, config in CONFIGS.items():
                if (args.only and name != args.only) or args.only_time_to_loss:
                    continue
                for speed in args.speeds:
                    runs = [
                        play(page, base, config, seed, speed, args.seconds)
                        for seed in range(1, args.seeds + 1)
                    ]
                    eps = statistics.median(r["epochs_per_s"] for r in runs)
                    fps = statistics.median(r["frames_per_s"] for r in runs)
                    ref_eps, ref_loss = REFERENCE[name]
                    cols = [
                        fmt_loss([r["losses"][e] for r in runs if e in r["losses"]])
                        for e in (100, 300, 1000)
                    ]
                    print(
                        f"| {name} | {speed} | {eps:.1f} ({ref_eps}, ×{eps / ref_eps:.1f}) | "
                        f"{fps:.1f} | {cols[0]} | {cols[1]} ({ref_loss}) | {cols[2]} |",
                        flush=True,
                    )
            if not args.no_time_to_loss:
                times = [time_to_loss(page, base, seed) for seed in range(1, 6)]
                shown = ", ".join("never (60 s)" if math.isinf(t) else f"{t:.1f}" for t in times)
                print(
                    f"\nspiral 8x6, fastest: seconds to a test loss < 0.1, seeds 1–5: {shown}; "
                    f"median {statistics.median(times):.1f} s (reference ~50 s)"
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
