"""The reference's 2-D datasets, generated from an explicit random Generator.

Every generator has the same signature ``(n, noise, rng, classes) -> (points (m, 2),
labels (m,))`` with ``noise`` in 0–0.5 (the control's value / 100); the binary and
regression ones ignore ``classes`` and give m = n points. Classification labels are
exactly +1.0 / -1.0; multi-class labels are the class numbers 0.0 … classes − 1 (m is n
rounded down to equal classes); regression targets lie roughly in [-1, 1].

The ``custom`` dataset is a person's own points (``custom_split``), for any problem.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Generator = Callable[[int, float, np.random.Generator, int], tuple[Array, Array]]

NUM_CLASSIFICATION = 500
NUM_REGRESSION = 1200


def _sign_labels(positive: NDArray[np.bool_]) -> Array:
    return np.where(positive, 1.0, -1.0)


def circle(n: int, noise: float, rng: np.random.Generator, classes: int = 2) -> tuple[Array, Array]:
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


def xor(n: int, noise: float, rng: np.random.Generator, classes: int = 2) -> tuple[Array, Array]:
    padding = 0.3
    x = rng.uniform(-5.0, 5.0, n)
    y = rng.uniform(-5.0, 5.0, n)
    x += np.where(x > 0, padding, -padding)
    y += np.where(y > 0, padding, -padding)
    nx = rng.uniform(-5.0, 5.0, n) * noise
    ny = rng.uniform(-5.0, 5.0, n) * noise
    labels = _sign_labels((x + nx) * (y + ny) >= 0)
    return np.column_stack([x, y]), labels


def gauss(n: int, noise: float, rng: np.random.Generator, classes: int = 2) -> tuple[Array, Array]:
    variance = 0.5 + (4.0 - 0.5) * (noise / 0.5)  # linear 0 → 0.5, 0.5 → 4
    std = math.sqrt(variance)
    half = n // 2
    centres = np.concatenate([np.full(half, 2.0), np.full(n - half, -2.0)])
    x = centres + rng.normal(0.0, std, n)
    y = centres + rng.normal(0.0, std, n)
    labels = np.concatenate([np.ones(half), -np.ones(n - half)])
    return np.column_stack([x, y]), labels


def spiral(n: int, noise: float, rng: np.random.Generator, classes: int = 2) -> tuple[Array, Array]:
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


def plane(n: int, noise: float, rng: np.random.Generator, classes: int = 2) -> tuple[Array, Array]:
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


def multi_gauss(
    n: int, noise: float, rng: np.random.Generator, classes: int = 2
) -> tuple[Array, Array]:
    radius = 6.0
    x = rng.uniform(-radius, radius, n)
    y = rng.uniform(-radius, radius, n)
    nx = rng.uniform(-radius, radius, n) * noise
    ny = rng.uniform(-radius, radius, n) * noise
    return np.column_stack([x, y]), multi_gauss_label(x + nx, y + ny)


def blobs(n: int, noise: float, rng: np.random.Generator, classes: int = 3) -> tuple[Array, Array]:
    """``classes`` gaussian clusters of n // classes points, centred 3.5 from the origin at
    equal angles (class 0 at the top); their spread grows with noise as gauss's does."""
    per = n // classes
    std = math.sqrt(0.5 + (4.0 - 0.5) * (noise / 0.5))
    angle = math.pi / 2 + 2 * math.pi * np.arange(classes) / classes
    centres = 3.5 * np.column_stack([np.cos(angle), np.sin(angle)])
    labels = np.repeat(np.arange(classes, dtype=np.float64), per)
    points = centres[labels.astype(int)] + rng.normal(0.0, std, (per * classes, 2))
    return points, labels


def spirals(
    n: int, noise: float, rng: np.random.Generator, classes: int = 3
) -> tuple[Array, Array]:
    """The two-arm spiral generalised to ``classes`` arms of n // classes points: arm k
    has r = 5·i/m, t = 1.75·2π·i/m + 2πk/classes (i < m points per arm)."""
    per = n // classes
    i = np.arange(per)
    r = i / per * 5.0
    points, labels = [], []
    for k in range(classes):
        t = 1.75 * i / per * 2 * math.pi + 2 * math.pi * k / classes
        x = r * np.sin(t) + rng.uniform(-1.0, 1.0, per) * noise
        y = r * np.cos(t) + rng.uniform(-1.0, 1.0, per) * noise
        points.append(np.column_stack([x, y]))
        labels.append(np.full(per, float(k)))
    return np.concatenate(points), np.concatenate(labels)


def sector_of(x: Array, y: Array, classes: int) -> Array:
    """The wedge of each point: class k covers angles [2πk/K, 2π(k+1)/K) counter-clockwise
    from the positive x axis."""
    angle = np.mod(np.arctan2(y, x), 2 * math.pi)
    return np.minimum(np.floor(angle / (2 * math.pi / classes)), classes - 1)


def sectors(
    n: int, noise: float, rng: np.random.Generator, classes: int = 3
) -> tuple[Array, Array]:
    """A pie of radius 5 cut into ``classes`` equal wedges, points uniform over its area;
    noise moves each point (by up to 5·noise) before its wedge is decided, as circle's."""
    radius = 5.0
    r = radius * np.sqrt(rng.uniform(0.0, 1.0, n))
    angle = rng.uniform(0.0, 2 * math.pi, n)
    x, y = r * np.cos(angle), r * np.sin(angle)
    nx = rng.uniform(-radius, radius, n) * noise
    ny = rng.uniform(-radius, radius, n) * noise
    return np.column_stack([x, y]), sector_of(x + nx, y + ny, classes)


def _no_generator(
    n: int, noise: float, rng: np.random.Generator, classes: int = 2
) -> tuple[Array, Array]:
    raise ValueError("custom data are not generated; they come with the session")


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    problem: str | None  # "classification" | "regression" | "multiclass"; None: any
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
    "blobs": DatasetSpec("blobs", "multiclass", NUM_CLASSIFICATION, blobs, "Blobs"),
    "spirals": DatasetSpec("spirals", "multiclass", NUM_CLASSIFICATION, spirals, "Spiral arms"),
    "sectors": DatasetSpec("sectors", "multiclass", NUM_CLASSIFICATION, sectors, "Sectors"),
    "custom": DatasetSpec("custom", None, 0, _no_generator, "Your own data"),
}
"""Name → generator; the one table of datasets."""

DEFAULT_DATASET = {"classification": "circle", "regression": "plane", "multiclass": "blobs"}


@dataclass(frozen=True)
class Split:
    """Shuffled points and labels, split into training and test parts."""

    train_points: Array
    train_labels: Array
    test_points: Array
    test_labels: Array


def make_split(
    dataset: str,
    noise_percent: float,
    train_ratio_percent: float,
    rng: np.random.Generator,
    classes: int = 3,
) -> Split:
    """Generate ``dataset``, shuffle it once and split off the first floor(N·ratio) points."""
    spec = DATASETS[dataset]
    points, labels = spec.generate(spec.size, noise_percent / 100.0, rng, classes)
    size = len(labels)
    order = rng.permutation(size)
    return _cut(points[order], labels[order], train_ratio_percent)


def custom_split(
    points: Array, labels: Array, train_ratio_percent: float, rng: np.random.Generator
) -> Split:
    """A person's points split into training and test parts: each point draws one
    uniform number, the points in the order of their numbers, the first floor(N·ratio)
    for training. The same points and seed give the same split, and adding a point moves
    at most one other point between the parts (the numbers of the others stay)."""
    order = np.argsort(rng.random(len(labels)), kind="stable")
    return _cut(points[order], labels[order], train_ratio_percent)


def _cut(points: Array, labels: Array, train_ratio_percent: float) -> Split:
    cut = math.floor(len(labels) * train_ratio_percent / 100.0)
    return Split(
        np.ascontiguousarray(points[:cut]).reshape(-1, 2),
        np.ascontiguousarray(labels[:cut]),
        np.ascontiguousarray(points[cut:]).reshape(-1, 2),
        np.ascontiguousarray(labels[cut:]),
    )
