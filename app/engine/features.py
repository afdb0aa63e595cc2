"""Input features computed from a point (x1, x2), in the reference's fixed order."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from .messages import MessageError

Array = NDArray[np.float64]

FEATURES: dict[str, Callable[[Array, Array], Array]] = {
    "x1": lambda x, y: x,
    "x2": lambda x, y: y,
    "x1_squared": lambda x, y: x * x,
    "x2_squared": lambda x, y: y * y,
    "x1_x2": lambda x, y: x * y,
    "sin_x1": lambda x, y: np.sin(x),
    "sin_x2": lambda x, y: np.sin(y),
}
"""Name → function of (x1, x2). The dict order is the order of the network's inputs."""

FEATURE_LABELS: dict[str, str] = {
    "x1": "X₁",
    "x2": "X₂",
    "x1_squared": "X₁²",
    "x2_squared": "X₂²",
    "x1_x2": "X₁X₂",
    "sin_x1": "sin(X₁)",
    "sin_x2": "sin(X₂)",
}


def ordered_features(names: Sequence[str]) -> tuple[str, ...]:
    """The enabled features in the fixed order; raises MessageError (a ValueError) for
    unknown or empty."""
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise MessageError("config.unknown_features", names=unknown, choices=list(FEATURES))
    chosen = tuple(n for n in FEATURES if n in set(names))
    if not chosen:
        raise MessageError("config.no_features")
    return chosen


def feature_matrix(points: Array, names: Sequence[str]) -> Array:
    """points (n, 2) → features (n, len(names)) as float64, columns in ``names`` order."""
    x, y = points[:, 0], points[:, 1]
    out = np.empty((points.shape[0], len(names)))
    for j, name in enumerate(names):
        out[:, j] = FEATURES[name](x, y)
    return out
