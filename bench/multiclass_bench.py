"""Multi-class figures (issue 13): how well the 3-arm spiral learns with Adam and with
SGD, and what a multi-class frame and epoch cost next to the binary spiral's.

    python -m bench.multiclass_bench

Learning: hidden layers (8, 8, 8) tanh, noise 0, features x1 and x2, batch 10, 50 %
training data; test accuracy at epoch 1,000 for seeds 0–4 (the issue's target is a median
≥ 0.85 for Adam at 0.01; SGD at 0.03 is reported beside it). Cost: the median time of
one epoch and of one frame (100×100 output, thumbnails, weights), and the frame's size
as JSON raw and gzip-compressed, for K = 3, 4, 5 and the binary spiral.
"""

from __future__ import annotations

import gzip
import json
import statistics
from typing import Any

from app import serialize
from app.engine import Trainer, config_from_dict
from app.store import Session
from bench.frame_bench import median_ms

SPIRAL3 = {"problem": "multiclass", "dataset": "spirals", "classes": 3, "hidden_layers": [8, 8, 8]}
SEEDS = range(5)


def accuracy(config: dict[str, Any], seed: int) -> float:
    t = Trainer(config_from_dict({**config, "seed": seed}))
    t.step(1000)
    assert t.metrics.test_accuracy is not None
    return t.metrics.test_accuracy


def learning() -> None:
    print("3-arm spiral, (8, 8, 8) tanh, test accuracy at epoch 1,000, seeds 0-4")
    for name, changes in (("adam 0.01", {"optimizer": "adam", "learning_rate": 0.01}),
                          ("sgd 0.03", {"optimizer": "sgd", "learning_rate": 0.03})):  # fmt: skip
        figures = [accuracy({**SPIRAL3, **changes}, seed) for seed in SEEDS]
        shown = " ".join(f"{a:.3f}" for a in figures)
        print(f"  {name:10} median {statistics.median(figures):.3f}   ({shown})")


def cost(name: str, config: dict[str, Any]) -> None:
    session = Session("bench", Trainer(config_from_dict({**config, "seed": 1})))
    t = session.trainer
    t.step(100)
    epoch_ms = median_ms(lambda: t.step(1))

    def build() -> dict[str, Any]:
        session.cache.clear()  # as after a step: the weights changed
        return serialize.frame(session, t.epoch - 10, 25, None)

    frame_ms = median_ms(build)
    raw = json.dumps(build()).encode()
    print(
        f"  {name:14} epoch {epoch_ms:5.2f} ms   frame {frame_ms:5.2f} ms   "
        f"{len(raw) / 1000:5.1f} KB raw   {len(gzip.compress(raw)) / 1000:5.1f} KB gzip"
    )


def main() -> None:
    learning()
    print("cost, hidden layers (8, 8, 8) tanh, Adam")
    base = {"hidden_layers": [8, 8, 8], "optimizer": "adam"}
    cost("binary spiral", {**base, "dataset": "spiral"})
    for k in (3, 4, 5):
        cost(f"spirals K={k}", {**base, **SPIRAL3, "classes": k})


if __name__ == "__main__":
    main()
