"""The decision grid: points over [-6, 6]², row 0 at the top (y = +6), x left → right."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .config import GRID_EXTENT
from .features import feature_matrix
from .trainer import Trainer

Array = NDArray[np.float64]


def grid_points(density: int) -> Array:
    """(density², 2) points in row-major order: row r has y = 6 - 12r/(density-1)."""
    xs = np.linspace(-GRID_EXTENT, GRID_EXTENT, density)
    ys = np.linspace(GRID_EXTENT, -GRID_EXTENT, density)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


@lru_cache(maxsize=32)
def _grid_features(density: int, features: tuple[str, ...]) -> NDArray[np.float32]:
    values = feature_matrix(grid_points(density), features).astype(np.float32)
    values.flags.writeable = False
    return values


def evaluate_grid(trainer: Trainer, density: int) -> list[NDArray[Any]]:
    """Every feature, hidden neuron and the output over the grid, in one forward pass:
    a list per layer of arrays (neurons, density, density), in float32 (for pictures)."""
    features = _grid_features(density, trainer.config.features)
    with np.errstate(all="ignore"):
        outs = trainer.net.forward_all(features, np.float32)
    return [a.T.reshape(a.shape[1], density, density) for a in outs]
