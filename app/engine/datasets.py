"""The reference's 2-D datasets, generated from an explicit random Generator.

Every generator has the same signature ``(n, noise, rng) -> (points (n, 2), labels (n,))``
with ``noise`` in 0–0.5 (the control's value / 100). Classification labels are exactly
+1.0 / -1.0; regression targets lie roughly in [-1, 1].
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Generator = Callable[[int, float, np.random.Generator], tuple[Array, Array]]

NUM_CLASSIFICATION = 500
NUM_REGRESSION = 1200


def _sign_labels(positive: NDArray[np.bool_]) -> Array:
    return np.where(positive, 1.0, -1.0)


def circle(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    radius = 5.0
    half = n // 2
    r = np.concatenate(
        [rng.uniform(0.0, radius * 0.5, half), rng.uniform(radius * 0.7, radius, n - half)]
    )
    angle = rng.uniform(0.0, 2 * math.pi, n)
    x, y = r * np.sin(angle), r * np.cos(angle)
    nx = rng.uniform(-radius, radius, n) * noise
    ny = rng.uniform(-radius, radius, n) * noise
    labels = _sign_labels(np.hypot(x + nx, y + ny) < radius * 0.5)
    return np.column_stack([x, y]), labels


def xor(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    padding = 0.3
    x = rng.uniform(-5.0, 5.0, n)
    y = rng.uniform(-5.0, 5.0, n)
    x += np.where(x > 0, padding, -padding)
    y += np.where(y > 0, padding, -padding)
    nx = rng.uniform(-5.0, 5.0, n) * noise
    ny = rng.uniform(-5.0, 5.0, n) * noise
    labels = _sign_labels((x + nx) * (y + ny) >= 0)
    return np.column_stack([x, y]), labels


def gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    variance = 0.5 + (4.0 - 0.5) * (noise / 0.5)  # linear 0 → 0.5, 0.5 → 4
    std = math.sqrt(variance)
    half = n // 2
    centres = np.concatenate([np.full(half, 2.0), np.full(n - half, -2.0)])
    x = centres + rng.normal(0.0, std, n)
    y = centres + rng.normal(0.0, std, n)
    labels = np.concatenate([np.ones(half), -np.ones(n - half)])
    return np.column_stack([x, y]), labels


def spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    half = n // 2
    points, labels = [], []
    for delta, label in ((0.0, 1.0), (math.pi, -1.0)):
        i = np.arange(half)
        r = i / half * 5.0
        t = 1.75 * i / half * 2 * math.pi + delta
        x = r * np.sin(t) + rng.uniform(-1.0, 1.0, half) * noise
        y = r * np.cos(t) + rng.uniform(-1.0, 1.0, half) * noise
        points.append(np.column_stack([x, y]))
        labels.append(np.full(half, label))
    return np.concatenate(points), np.concatenate(labels)


def plane(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    radius = 6.0
    x = rng.uniform(-radius, radius, n)
    y = rng.uniform(-radius, radius, n)
    nx = rng.uniform(-radius, radius, n) * noise
    ny = rng.uniform(-radius, radius, n) * noise
    target = ((x + nx) + (y + ny)) / 10.0  # [-10, 10] → [-1, 1], not clamped
    return np.column_stack([x, y]), target


_GAUSSIANS = np.array(
    [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]],
    dtype=np.float64,
)


def multi_gauss_label(x: Array, y: Array) -> Array:
    """Each centre gives sign × (distance 0→2 mapped to 1→0, clamped); largest |value| wins."""
    dist = np.hypot(x[:, None] - _GAUSSIANS[:, 0], y[:, None] - _GAUSSIANS[:, 1])
    contrib = _GAUSSIANS[:, 2] * np.clip(1.0 - dist / 2.0, 0.0, 1.0)
    best = np.argmax(np.abs(contrib), axis=1)  # first maximum, like the reference's strict >
    return np.asarray(contrib[np.arange(len(x)), best], dtype=np.float64)


def multi_gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    radius = 6.0
    x = rng.uniform(-radius, radius, n)
    y = rng.uniform(-radius, radius, n)
    nx = rng.uniform(-radius, radius, n) * noise
    ny = rng.uniform(-radius, radius, n) * noise
    return np.column_stack([x, y]), multi_gauss_label(x + nx, y + ny)


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    problem: str  # "classification" | "regression"
    size: int
    generate: Generator
    label: str


DATASETS: dict[str, DatasetSpec] = {
    "circle": DatasetSpec("circle", "classification", NUM_CLASSIFICATION, circle, "Circle"),
    "xor": DatasetSpec("xor", "classification", NUM_CLASSIFICATION, xor, "Exclusive or"),
    "gauss": DatasetSpec("gauss", "classification", NUM_CLASSIFICATION, gauss, "Gaussian"),
    "spiral": DatasetSpec("spiral", "classification", NUM_CLASSIFICATION, spiral, "Spiral"),
    "plane": DatasetSpec("plane", "regression", NUM_REGRESSION, plane, "Plane"),
    "multigauss": DatasetSpec(
        "multigauss", "regression", NUM_REGRESSION, multi_gauss, "Multi gaussian"
    ),
}
"""Name → generator; the one table of datasets."""

DEFAULT_DATASET = {"classification": "circle", "regression": "plane"}


@dataclass(frozen=True)
class Split:
    """Shuffled points and labels, split into training and test parts."""

    train_points: Array
    train_labels: Array
    test_points: Array
    test_labels: Array


def make_split(
    dataset: str, noise_percent: float, train_ratio_percent: float, rng: np.random.Generator
) -> Split:
    """Generate ``dataset``, shuffle it once and split off the first floor(N·ratio) points."""
    spec = DATASETS[dataset]
    points, labels = spec.generate(spec.size, noise_percent / 100.0, rng)
    order = rng.permutation(spec.size)
    points, labels = points[order], labels[order]
    cut = math.floor(spec.size * train_ratio_percent / 100.0)
    return Split(
        np.ascontiguousarray(points[:cut]),
        np.ascontiguousarray(labels[:cut]),
        np.ascontiguousarray(points[cut:]),
        np.ascontiguousarray(labels[cut:]),
    )
