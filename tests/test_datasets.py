"""Each dataset's counts, labels, ranges and noise semantics (PRODUCT.md §1)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.engine.datasets import DATASETS, make_split, multi_gauss_label


def _gen(name: str, noise: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    spec = DATASETS[name]
    return spec.generate(spec.size, noise, np.random.default_rng(seed))


@pytest.mark.parametrize("name", ["circle", "xor", "gauss", "spiral"])
def test_classification_sets_have_500_points_labelled_plus_minus_one(name: str) -> None:
    points, labels = _gen(name, 0.0)
    assert points.shape == (500, 2)
    assert set(np.unique(labels)) == {-1.0, 1.0}
    assert np.all(np.abs(points) <= 6.0) or name == "gauss"


@pytest.mark.parametrize("name", ["plane", "multigauss"])
def test_regression_sets_have_1200_points_in_range(name: str) -> None:
    points, targets = _gen(name, 0.0)
    assert points.shape == (1200, 2)
    assert np.all(np.abs(points) <= 6.0)
    assert np.all(np.abs(targets) <= 1.2)


def test_circle_radii_and_labels() -> None:
    points, labels = _gen("circle", 0.0)
    r = np.hypot(points[:, 0], points[:, 1])
    assert np.all(r[labels == 1] <= 2.5)
    assert np.all((r[labels == -1] >= 3.5) & (r[labels == -1] <= 5))
    assert np.sum(labels == 1) == 250


def test_circle_noise_flips_labels_without_moving_points() -> None:
    clean, _ = _gen("circle", 0.0, seed=4)
    noisy, noisy_labels = _gen("circle", 0.5, seed=4)
    r = np.hypot(noisy[:, 0], noisy[:, 1])
    inner = np.arange(500) < 250
    assert np.all(r[inner] <= 2.5) and np.all(r[~inner] >= 3.5)  # positions stay in their rings
    assert np.any(noisy_labels[inner] == -1), "noise should flip some labels"
    assert clean.shape == noisy.shape


def test_xor_padding_and_labels() -> None:
    points, labels = _gen("xor", 0.0)
    assert np.all(np.abs(points) >= 0.3) and np.all(np.abs(points) <= 5.3)
    np.testing.assert_array_equal(labels, np.where(points[:, 0] * points[:, 1] >= 0, 1.0, -1.0))


def test_gauss_centres_and_variance_grow_with_noise() -> None:
    points, labels = _gen("gauss", 0.0)
    np.testing.assert_allclose(points[labels == 1].mean(axis=0), [2, 2], atol=0.2)
    np.testing.assert_allclose(points[labels == -1].mean(axis=0), [-2, -2], atol=0.2)
    assert points[labels == 1].var(axis=0) == pytest.approx([0.5, 0.5], rel=0.2)
    wide, wide_labels = _gen("gauss", 0.5)
    assert wide[wide_labels == 1].var(axis=0) == pytest.approx([4, 4], rel=0.2)


def test_spiral_arms() -> None:
    points, labels = _gen("spiral", 0.0)
    i = np.arange(250)
    r = 5 * i / 250
    t = 1.75 * 2 * math.pi * i / 250
    np.testing.assert_allclose(points[:250], np.column_stack([r * np.sin(t), r * np.cos(t)]))
    np.testing.assert_allclose(points[250:], -points[:250], atol=1e-12)  # δ = π
    assert np.all(labels[:250] == 1) and np.all(labels[250:] == -1)


def test_plane_target_is_sum_scaled() -> None:
    points, targets = _gen("plane", 0.0)
    np.testing.assert_allclose(targets, (points[:, 0] + points[:, 1]) / 10)


def test_multi_gauss_label_at_centres_and_far_away() -> None:
    x = np.array([-4.0, 0.0, 4.0, -4.0, 0.0, 4.0, -2.0])
    y = np.array([2.5, 2.5, 2.5, -2.5, -2.5, -2.5, 0.0])
    np.testing.assert_allclose(multi_gauss_label(x, y), [1, -1, 1, -1, 1, -1, 0])


@pytest.mark.parametrize(("ratio", "n_train"), [(10, 50), (50, 250), (90, 450), (30, 150)])
def test_split_sizes(ratio: int, n_train: int) -> None:
    split = make_split("circle", 0, ratio, np.random.default_rng(1))
    assert len(split.train_labels) == n_train
    assert len(split.test_labels) == 500 - n_train


def test_same_seed_same_data_other_seed_other_data() -> None:
    a = make_split("spiral", 20, 50, np.random.default_rng([5, 0]))
    b = make_split("spiral", 20, 50, np.random.default_rng([5, 0]))
    c = make_split("spiral", 20, 50, np.random.default_rng([6, 0]))
    np.testing.assert_array_equal(a.train_points, b.train_points)
    assert not np.array_equal(a.train_points, c.train_points)
