"""The six configurations of PRODUCT.md §3, shared by the benchmarks."""

from __future__ import annotations

from typing import Any

ALL_FEATURES = ["x1", "x2", "x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2"]

CONFIGS: dict[str, dict[str, Any]] = {
    "circle, tanh, 4,2": {"dataset": "circle", "hidden_layers": [4, 2]},
    "xor, tanh, 8,8": {"dataset": "xor", "hidden_layers": [8, 8]},
    "gauss, tanh, 4": {"dataset": "gauss", "hidden_layers": [4]},
    "spiral, tanh, 8x6": {"dataset": "spiral", "hidden_layers": [8] * 6},
    "spiral, relu, 8x6, lr 0.01": {
        "dataset": "spiral",
        "hidden_layers": [8] * 6,
        "activation": "relu",
        "learning_rate": 0.01,
    },
    "spiral, 7 features, tanh, 8,8": {
        "dataset": "spiral",
        "hidden_layers": [8, 8],
        "features": ALL_FEATURES,
    },
}
