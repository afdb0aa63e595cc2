"""Engine benchmark: training speed, decision-grid time and learning vs the reference.

Prints Markdown tables (paste into docs/BENCHMARKS.md). Not a test: it asserts nothing,
it measures. Run from the repository root:

    .venv/bin/python -m bench.engine_bench            # full run, a few minutes
    .venv/bin/python -m bench.engine_bench --quick    # smoke run, under a minute
    .venv/bin/python bench/engine_bench.py --only speed|grid|learning|overhead

Reference figures are PRODUCT.md §3 (TensorFlow Playground in headless Chromium, 2 cores).
Timings use time.perf_counter; each figure is the median of several repeats measured in
this one run, with [min–max] beside it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import timeit
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from app.engine import Config, Trainer, evaluate_grid

ROOT = Path(__file__).resolve().parents[1]
ALL_FEATURES = ("x1", "x2", "x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2")
BATCH_SIZES = (1, 10, 30)
GRID_DENSITY = 100

# Targets (issue 2).
TARGET_EPS_B10 = 650.0  # spiral tanh 8×6, batch 10, train only
TARGET_EPS_B1 = 60.0  # spiral tanh 8×6, batch 1, train only
TARGET_GRID_MS = 5.0  # largest network, 100×100 grid, all neurons
RULE_MARGIN = 0.005  # median test loss at 1000 ≤ reference worst seed + this


@dataclass(frozen=True)
class Reference:
    """PRODUCT.md §3, as printed there (3 seeds, medians)."""

    visible_eps: float
    loss_300: str  # "train / test"
    train_1000: str  # "median [min–max]"
    test_1000: str
    test_worst_1000: float


@dataclass(frozen=True)
class Case:
    key: str
    label: str
    settings: dict[str, Any]
    ref: Reference

    def config(self, **extra: Any) -> Config:
        return Config(**{**self.settings, **extra})


CASES = (
    Case(
        "circle",
        "circle, tanh, 4,2",
        {"dataset": "circle", "hidden_layers": (4, 2)},
        Reference(58.5, ".0011 / .0024", ".0003 [.0002–.0003]", ".0007 [.0007–.0032]", 0.0032),
    ),
    Case(
        "xor",
        "xor, tanh, 8,8",
        {"dataset": "xor", "hidden_layers": (8, 8)},
        Reference(47.6, ".0006 / .0042", ".0001 [.0001–.0002]", ".0028 [.0004–.0034]", 0.0034),
    ),
    Case(
        "gauss",
        "gauss, tanh, 4",
        {"dataset": "gauss", "hidden_layers": (4,)},
        Reference(60.0, ".0001 / .0001", ".0000 [.0000–.0000]", ".0000 [.0000–.0005]", 0.0005),
    ),
    Case(
        "spiral-tanh",
        "spiral, tanh, 8×6",
        {"dataset": "spiral", "hidden_layers": (8,) * 6},
        Reference(20.2, ".286 / .392", ".0075 [.0001–.031]", ".082 [.058–.162]", 0.162),
    ),
    Case(
        "spiral-relu",
        "spiral, relu, 8×6, lr 0.01",
        {
            "dataset": "spiral",
            "hidden_layers": (8,) * 6,
            "activation": "relu",
            "learning_rate": 0.01,
        },
        Reference(21.3, ".172 / .301", ".0045 [.0001–.016]", ".030 [.022–.085]", 0.085),
    ),
    Case(
        "spiral-7f",
        "spiral, 7 features, tanh, 8,8",
        {"dataset": "spiral", "hidden_layers": (8, 8), "features": ALL_FEATURES},
        Reference(35.0, ".028 / .138", ".0008 [.0007–.014]", ".013 [.012–.227]", 0.227),
    ),
)
SPIRAL_8X6 = CASES[3]
LARGEST = Case(
    "largest",
    "spiral, 7 features, tanh, 8×6",
    {"dataset": "spiral", "hidden_layers": (8,) * 6, "features": ALL_FEATURES},
    SPIRAL_8X6.ref,
)


@dataclass
class Settings:
    repeats: int
    min_time: float  # seconds per speed measurement
    grid_runs: int
    seeds: int


FULL = Settings(repeats=5, min_time=0.3, grid_runs=50, seeds=10)
QUICK = Settings(repeats=3, min_time=0.05, grid_runs=20, seeds=3)


@dataclass
class Results:
    """What the target summary needs from the sections that ran."""

    speed: dict[tuple[str, int, bool], list[float]] = field(default_factory=dict)
    grid_ms: list[float] = field(default_factory=list)


# -- formatting ------------------------------------------------------------------------
def med_range(values: list[float], fmt: Callable[[float], str]) -> str:
    return f"{fmt(statistics.median(values))} [{fmt(min(values))}–{fmt(max(values))}]"


def rate(v: float) -> str:
    return f"{v:.0f}" if v >= 100 else f"{v:.1f}"


def loss(v: float) -> str:
    """The reference's style: 4 decimals below 0.01, 3 above, no leading zero."""
    if not math.isfinite(v):
        return "nan"
    text = f"{v:.4f}" if v < 0.01 else f"{v:.3f}"
    return text[1:] if text.startswith("0.") else text


def ms(v: float) -> str:
    return f"{v:.2f}"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def say(text: str = "") -> None:
    print(text, flush=True)


# -- environment -----------------------------------------------------------------------
def git(*args: str) -> str:
    try:
        out = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return "?"
    return out.stdout.strip()


def blas_name() -> str:
    try:
        blas = np.__config__.CONFIG["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except (AttributeError, KeyError, TypeError):
        return "?"


def print_environment(args: argparse.Namespace) -> None:
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    dirty = git("status", "--porcelain", "--", "app/engine")
    say("# Engine benchmark")
    say()
    say(f"- date: {datetime.now().astimezone().isoformat(timespec='seconds')}")
    say(f"- command: {' '.join(sys.orig_argv)}")
    say(f"- mode: {'quick' if args.quick else 'full'}, sections: {args.only}")
    say(f"- nproc: {os.cpu_count()} (usable: {len(os.sched_getaffinity(0))})")
    say(f"- cpu: {cpu_model()}, {platform.machine()}")
    say(f"- python {platform.python_version()}, numpy {np.__version__}, blas {blas_name()}")
    say(f"- OPENBLAS_CORETYPE: {'set to ' + repr(coretype) if coretype else 'not set'}")
    threads = {k: v for k, v in os.environ.items() if k.endswith("_NUM_THREADS")}
    say(f"- *_NUM_THREADS: {threads or 'none set'}")
    state = "has uncommitted changes" if dirty else "clean"
    say(f"- git: {git('rev-parse', '--short', 'HEAD')}, app/engine {state}")
    say(f"- load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    say()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


# -- (a) training speed ----------------------------------------------------------------
class Runner:
    """One trainer; recreated if it ever diverges (none of these configs should)."""

    def __init__(self, config: Config, measure: bool) -> None:
        self.config, self.measure = config, measure
        self.trainer = Trainer(config)
        self.trainer.step(2, measure=measure)  # warm-up: caches, first-call costs

    def time(self, epochs: int) -> tuple[int, float]:
        if self.trainer.status == "diverged":
            self.trainer = Trainer(self.config)
        t0 = time.perf_counter()
        done = self.trainer.step(epochs, measure=self.measure)
        return done, time.perf_counter() - t0

    def calibrate(self, min_time: float) -> int:
        """The number of epochs that takes at least ``min_time`` seconds."""
        epochs = 1
        while True:
            done, elapsed = self.time(epochs)
            if elapsed >= min_time or done < epochs:
                return epochs
            epochs = max(epochs + 1, math.ceil(epochs * 1.2 * min_time / max(elapsed, 1e-6)))


def measure_speed(case: Case, batch: int, s: Settings) -> dict[bool, list[float]]:
    """Epochs/s for train-only and train + both losses, repeats interleaved so both
    modes see the same machine noise."""
    config = case.config(batch_size=batch)
    runners = {False: Runner(config, False), True: Runner(config, True)}
    epochs = {m: r.calibrate(s.min_time) for m, r in runners.items()}
    rates: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(s.repeats):
        for m, r in runners.items():
            done, elapsed = r.time(epochs[m])
            rates[m].append(done / elapsed)
    return rates


def section_speed(s: Settings, results: Results) -> None:
    say("## (a) Training speed, epochs/s: median [min–max]")
    say()
    say(
        f"Each figure: {s.repeats} repeats of ≥{s.min_time:g} s of epochs each; "
        "'train' = `step(n, measure=False)`, '+loss' = `step(n)` (train and test loss "
        "after every epoch). Reference column: the reference's *visible* epochs/s "
        "(one epoch per frame, with drawing)."
    )
    say()
    header = ["config", "ref visible"]
    for b in BATCH_SIZES:
        header += [f"b{b} train", f"b{b} +loss"]
    rows, ratio_rows = [], []
    for case in CASES:
        row = [case.label, f"{case.ref.visible_eps:g}"]
        ratio_row = [case.label]
        for b in BATCH_SIZES:
            r = measure_speed(case, b, s)
            for m in (False, True):
                results.speed[(case.key, b, m)] = r[m]
                row.append(med_range(r[m], rate))
            ratio_row.append(f"{statistics.median(r[True]) / statistics.median(r[False]):.2f}")
        rows.append(row)
        ratio_rows.append(ratio_row)
        say(f"<!-- measured {case.label} -->")
    say()
    say(table(header, rows))
    say()
    say("Ratio (+loss median) / (train median), same run:")
    say()
    say(table(["config", *(f"b{b}" for b in BATCH_SIZES)], ratio_rows))
    say()


# -- (b) decision grid -----------------------------------------------------------------
def time_grid(case: Case, runs: int) -> list[float]:
    trainer = Trainer(case.config())
    trainer.step(5, measure=False)
    for _ in range(3):
        evaluate_grid(trainer, GRID_DENSITY)  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        evaluate_grid(trainer, GRID_DENSITY)
        times.append((time.perf_counter() - t0) * 1000.0)
    return times


def grid_one_thread(s: Settings) -> list[float] | None:
    """The largest network's grid times in a child process with OPENBLAS_NUM_THREADS=1
    (BLAS threads cannot be changed once NumPy is loaded); None if that fails."""
    cmd = [sys.executable, "-m", "bench.engine_bench", "--grid-child"]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    if s is QUICK:
        cmd.append("--quick")
    try:
        out = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True
        )
        return [float(v) for v in json.loads(out.stdout.strip().splitlines()[-1])]
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


def section_grid(s: Settings, results: Results) -> None:
    say(f"## (b) Decision grid: `evaluate_grid(trainer, {GRID_DENSITY})`, ms per call")
    say()
    say(
        f"Every feature, hidden neuron and the output on {GRID_DENSITY}×{GRID_DENSITY} "
        f"points (float32); median [min–max] of {s.grid_runs} runs. Reference: ~29 ms per "
        "frame for all neurons. The last row repeats the first in a child process with "
        "OPENBLAS_NUM_THREADS=1 (the grid's matrix products are large enough for OpenBLAS "
        "to use both cores)."
    )
    say()
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    rows = []
    for case in (LARGEST, SPIRAL_8X6):
        times = time_grid(case, s.grid_runs)
        if case is LARGEST:
            results.grid_ms = times
        rows.append([case.label, threads, med_range(times, ms), "~29"])
    if threads != "1":
        one = grid_one_thread(s)
        rows.append(
            [LARGEST.label, "1", med_range(one, ms) if one else "(child process failed)", "~29"]
        )
    say(table(["network", "OPENBLAS_NUM_THREADS", "ours, ms", "reference, ms"], rows))
    say()


# -- (c) learning comparison -----------------------------------------------------------
@dataclass
class SeedResult:
    train_300: float
    test_300: float
    train_1000: float
    test_1000: float
    diverged: bool


def train_seed(case: Case, seed: int) -> SeedResult:
    trainer = Trainer(case.config(seed=seed, batch_size=10))
    trainer.step(300, measure=False)
    m300 = trainer.metrics
    trainer.step(700, measure=False)
    m1000 = trainer.metrics
    return SeedResult(
        m300.train_loss,
        m300.test_loss,
        m1000.train_loss,
        m1000.test_loss,
        trainer.status == "diverged" or trainer.epoch != 1000,
    )


def section_learning(s: Settings) -> None:
    seeds = list(range(s.seeds))
    say(f"## (c) Learning vs the reference: batch 10, seeds {seeds[0]}–{seeds[-1]}, 1000 epochs")
    say()
    say(
        f"Ours: median over {len(seeds)} seeds (epoch 300: train / test; epoch 1000: "
        "median [min–max]). Reference: PRODUCT.md §3, 3 seeds of its own data. Rule: our "
        f"median test loss at 1000 ≤ reference's worst seed at 1000 + {RULE_MARGIN}."
    )
    say()
    rows, started = [], time.perf_counter()
    for case in CASES:
        res = [train_seed(case, seed) for seed in seeds]

        def col(name: str, res: list[SeedResult] = res) -> list[float]:
            return [getattr(r, name) for r in res]

        median_test = statistics.median(col("test_1000"))
        limit = case.ref.test_worst_1000 + RULE_MARGIN
        verdict = "PASS" if median_test <= limit else "FAIL"
        diverged = sum(r.diverged for r in res)
        rows.append(
            [
                case.label,
                f"{loss(statistics.median(col('train_300')))} / "
                f"{loss(statistics.median(col('test_300')))}",
                case.ref.loss_300,
                med_range(col("train_1000"), loss),
                case.ref.train_1000,
                med_range(col("test_1000"), loss),
                case.ref.test_1000,
                f"{median_test:.4f} ≤ {limit:.4f}: **{verdict}**"
                + (f" ({diverged} diverged)" if diverged else ""),
            ]
        )
        say(f"<!-- trained {case.label}: {time.perf_counter() - started:.0f} s so far -->")
    say()
    header = [
        "config",
        "ours @300 train / test",
        "ref @300",
        "ours train @1000",
        "ref train @1000",
        "ours test @1000",
        "ref test @1000",
        "rule",
    ]
    say(table(header, rows))
    say()


# -- (d) targets -----------------------------------------------------------------------
def section_targets(results: Results) -> None:
    say("## (d) Targets")
    say()
    rows = []
    key = SPIRAL_8X6.key
    for batch, target in ((10, TARGET_EPS_B10), (1, TARGET_EPS_B1)):
        values = results.speed.get((key, batch, False))
        if values is None:
            rows.append([f"spiral tanh 8×6, b{batch}, train only ≥ {target:g}/s", "-", "not run"])
            continue
        median = statistics.median(values)
        rows.append(
            [
                f"spiral tanh 8×6, b{batch}, train only ≥ {target:g} epochs/s",
                f"{med_range(values, rate)} (×{median / target:.2f} of target)",
                "met" if median >= target else "**missed**",
            ]
        )
    with_loss = results.speed.get((key, 10, True))
    if with_loss is not None:
        rows.append(
            [
                "(info) spiral tanh 8×6, b10, + losses, vs reference engine ~360",
                f"{med_range(with_loss, rate)} (×{statistics.median(with_loss) / 360:.2f})",
                "-",
            ]
        )
    if results.grid_ms:
        median = statistics.median(results.grid_ms)
        rows.append(
            [
                f"grid, {LARGEST.label}, ≤ {TARGET_GRID_MS:g} ms",
                f"{med_range(results.grid_ms, ms)} ms",
                "met" if median <= TARGET_GRID_MS else "**missed**",
            ]
        )
    else:
        rows.append([f"grid, {LARGEST.label}, ≤ {TARGET_GRID_MS:g} ms", "-", "not run"])
    say(table(["target", "measured (median [min–max])", "verdict"], rows))
    say()


# -- where the time goes: per-call NumPy overhead ----------------------------------------
class _CountingNumpy:
    """Stands in for ``np`` in the engine's modules and counts every callable fetched."""

    def __init__(self, real: ModuleType, counts: Counter[str]) -> None:
        self._real, self._counts = real, counts

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._real, name)
        if not callable(attr) or isinstance(attr, type):
            return attr
        counts = self._counts

        def counted(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return attr(*args, **kwargs)

        return counted


@contextmanager
def counting_numpy(counts: Counter[str]) -> Iterator[None]:
    names = ("network", "activations", "trainer", "optimizers")
    modules = [sys.modules[f"app.engine.{n}"] for n in names if f"app.engine.{n}" in sys.modules]
    saved = [m.np for m in modules]
    try:
        for m in modules:
            m.np = _CountingNumpy(np, counts)  # type: ignore[attr-defined]
        yield
    finally:
        for m, real in zip(modules, saved, strict=True):
            m.np = real  # type: ignore[attr-defined]


def per_call_us(fn: Callable[[], object], number: int = 20000, repeat: int = 7) -> float:
    """Median µs per call of ``fn`` (including the lambda's own call)."""
    return statistics.median(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def section_overhead(results: Results) -> None:
    say("## Where the time goes: spiral tanh 8×6, batch 10")
    say()
    rng = np.random.default_rng(0)
    w, a, z = rng.random((8, 9)), rng.random((9, 10)), np.empty((8, 10))
    a250, z250 = rng.random((9, 250)), np.empty((8, 250))
    x80, out80 = rng.random((8, 10)), np.empty((8, 10))
    x2000, out2000 = rng.random((8, 250)), np.empty((8, 250))
    micro = [
        ("empty lambda (timing baseline)", per_call_us(lambda: None)),
        ("np.dot (8,9)@(9,10), out=", per_call_us(lambda: np.dot(w, a, z))),
        ("np.dot (8,9)@(9,250), out=", per_call_us(lambda: np.dot(w, a250, z250))),
    ]
    c_dot = getattr(np.dot, "_implementation", None)  # NumPy 2: the C function itself
    if c_dot is not None:
        micro.append(
            (
                "np.dot._implementation (8,9)@(9,10), out= (no dispatcher)",
                per_call_us(lambda: c_dot(w, a, z)),
            )
        )
    micro += [
        ("np.tanh, 80 elements, out=", per_call_us(lambda: np.tanh(x80, out80))),
        ("np.tanh, 2000 elements, out=", per_call_us(lambda: np.tanh(x2000, out2000))),
        ("np.multiply, 80 elements, out=", per_call_us(lambda: np.multiply(x80, x80, out80))),
    ]
    say(table(["operation", "µs per call (median of 7)"], [[n, f"{v:.2f}"] for n, v in micro]))
    say()

    trainer = Trainer(SPIRAL_8X6.config(batch_size=10))
    trainer.step(2, measure=False)
    try:
        chunk = trainer._chunks[0]
        grad_counts: Counter[str] = Counter()
        with counting_numpy(grad_counts):
            chunk.backprop.gradient(chunk.x_aug, chunk.x_aug_t, chunk.y)
        epoch_counts: Counter[str] = Counter()
        updates_before = trainer.updates
        with counting_numpy(epoch_counts), np.errstate(all="ignore"):
            trainer._train_epoch()
        updates = trainer.updates - updates_before
    except AttributeError as exc:  # the engine's internals changed
        say(f"(call counting skipped: {exc})")
        say()
        return
    per_update = sum(epoch_counts.values()) / updates
    say(
        f"NumPy calls (through `np.`) per update: {sum(grad_counts.values())} in "
        f"`Backprop.gradient` ({dict(grad_counts.most_common())}); {per_update:.1f} per "
        f"update in a whole epoch ({updates} updates; plus one `ndarray.dot` method call "
        "per update, not counted)."
    )
    # Epoch speed measured here, next to the micro timings (the machine is noisy).
    speeds = {b: measure_speed(SPIRAL_8X6, b, FULL)[False] for b in (10, 1)}
    for b, values in speeds.items():
        n_updates = math.ceil(len(trainer.split.train_labels) / b)
        us = 1e6 / statistics.median(values) / n_updates
        say(
            f"- batch {b}: {med_range(values, rate)} epochs/s (measured in this section, "
            f"train only) = {us:.1f} µs per update ({n_updates} updates per epoch), "
            f"{us / per_update:.2f} µs per NumPy call including the Python around it."
        )
    say()
    us_per_update = 1e6 / statistics.median(speeds[10]) / updates
    t = dict(micro)
    dots, tanhs = epoch_counts["dot"] / updates, epoch_counts["tanh"] / updates
    others = per_update - dots - tanhs
    estimate = (
        dots * t["np.dot (8,9)@(9,10), out="]
        + tanhs * t["np.tanh, 80 elements, out="]
        + others * t["np.multiply, 80 elements, out="]
    )
    say(
        f"Rough estimate from the micro timings: {dots:.0f} dot × "
        f"{t['np.dot (8,9)@(9,10), out=']:.2f} + {tanhs:.0f} tanh × "
        f"{t['np.tanh, 80 elements, out=']:.2f} + {others:.0f} other ufunc calls × "
        f"{t['np.multiply, 80 elements, out=']:.2f} ≈ {estimate:.0f} µs, against "
        f"{us_per_update:.0f} µs per update measured at batch 10 "
        f"({estimate / us_per_update:.0%}; separate measurements on a noisy machine)."
    )
    say()


# -- main ------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="few repeats, 3 seeds (<1 min)")
    parser.add_argument(
        "--only",
        choices=("speed", "grid", "learning", "overhead"),
        help="run one section (default: all)",
    )
    parser.add_argument("--grid-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.only = args.only or "all"
    s = QUICK if args.quick else FULL
    if args.grid_child:  # internal: print the largest network's grid times as JSON
        print(json.dumps(time_grid(LARGEST, s.grid_runs)))
        return 0
    results = Results()
    started = time.perf_counter()
    print_environment(args)
    if args.only in ("all", "speed"):
        section_speed(s, results)
    if args.only in ("all", "grid"):
        section_grid(s, results)
    if args.only in ("all", "learning"):
        section_learning(s)
    if args.only in ("all", "speed", "grid"):
        section_targets(results)
    if args.only in ("all", "overhead"):
        section_overhead(results)
    say(
        f"Total {time.perf_counter() - started:.0f} s; load average at end: "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
