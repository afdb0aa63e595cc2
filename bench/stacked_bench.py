"""Training sessions together (issue 16): epochs per CPU-second per session.

S same-shape sessions of the spiral 8×6 (bench/configs.py "spiral, tanh, 8x6", batch
10), each with its own seed: trained alone (S × ``trainer.step``) and together
(``train_together``), side by side in one run. Each figure is the median of a few
repeats, CPU time of this process (time.process_time). Run from the repository root:

    .venv/bin/python -m bench.stacked_bench            # S = 1, 8, 40
    .venv/bin/python -m bench.stacked_bench --quick    # smoke run
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.engine import Config, Trainer
from app.engine.stacked import train_together
from bench.configs import CONFIGS

CASE = "spiral, tanh, 8x6"
TARGET_RATIO = 5.0  # issue 16: together ≥ 5× alone at S = 40


def trainers(sessions: int) -> list[Trainer]:
    settings = CONFIGS[CASE]
    return [Trainer(Config(**settings, batch_size=10, seed=s)) for s in range(sessions)]


def alone(group: list[Trainer], epochs: int) -> None:
    for t in group:
        t.step(epochs)


def together(group: list[Trainer], epochs: int) -> None:
    train_together(group, epochs)


def epochs_per_cpu_second(
    train: Callable[[list[Trainer], int], None], sessions: int, epochs: int
) -> float:
    """Epochs per CPU-second per session (fresh trainers, one warm-up epoch not
    counted)."""
    group = trainers(sessions)
    train(group, 1)
    start = time.process_time()
    train(group, epochs)
    return epochs / (time.process_time() - start)


def compare(sessions: int, epochs: int, repeats: int) -> tuple[float, float, float]:
    """Medians over ``repeats`` of alone, together and their ratio; each repeat runs
    both back to back, so a ratio is measured under the same load of a shared machine."""
    runs = [
        (
            epochs_per_cpu_second(alone, sessions, epochs),
            epochs_per_cpu_second(together, sessions, epochs),
        )
        for _ in range(repeats)
    ]
    return (
        statistics.median(a for a, _ in runs),
        statistics.median(t for _, t in runs),
        statistics.median(t / a for a, t in runs),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs and repeats")
    args = parser.parse_args()
    epochs, repeats = (20, 2) if args.quick else (100, 5)
    print(f"{CASE}, batch 10: epochs per CPU-second per session, median of {repeats}")
    print(f"({epochs} epochs each; the ratio is the median of the repeats' ratios)\n")
    print("| sessions | alone | together | ratio |")
    print("|---:|---:|---:|---:|")
    for sessions in (1, 8, 40):
        a, t, ratio = compare(sessions, epochs, repeats)
        print(f"| {sessions} | {a:.0f} | {t:.0f} | {ratio:.2f}× |", flush=True)
    print(f"\ntarget at S = 40: ≥ {TARGET_RATIO:.0f}×")


if __name__ == "__main__":
    main()
