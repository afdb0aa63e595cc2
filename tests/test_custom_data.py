"""A person's own data (issue 13) in the engine: the seeded train/test split, replacing,
adding and removing points, which config changes keep them, an empty dataset, export and
import, and a snapshot that trains on bit for bit."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from app.engine import Config, ConfigError, Trainer
from app.engine.config import MAX_POINTS
from app.engine.datasets import custom_split
from app.engine.snapshot import capture, pack, restore, unpack

Data = tuple[np.ndarray, np.ndarray]


def _points(n: int, k: int = 3, seed: int = 0) -> Data:
    """n points in the plotted square with class labels 0 … k-1 (every class present)."""
    rng = np.random.default_rng(seed)
    return rng.uniform(-6, 6, (n, 2)), (np.arange(n) % k).astype(np.float64)


def _multiclass(**changes: object) -> Config:
    return Config(**{"problem": "multiclass", "dataset": "custom", **changes})  # type: ignore[arg-type]


def _custom_trainer(n: int = 40, k: int = 3, **changes: object) -> Trainer:
    return Trainer(_multiclass(classes=k, **changes), custom=_points(n, k))


def _rows(points: np.ndarray) -> set[tuple[float, float]]:
    return {(float(x), float(y)) for x, y in points}


def _state(t: Trainer) -> dict[str, object]:
    """Everything a refused change must leave alone."""
    s = t.split
    return {
        "config": t.config,
        "custom": None if t.custom is None else [a.tolist() for a in t.custom],
        "split": [
            a.tolist() for a in (s.train_points, s.train_labels, s.test_points, s.test_labels)
        ],
        "params": t.net.params.tolist(),
        "epoch": t.epoch,
        "updates": t.updates,
        "metrics": t.metrics,
        "history": list(t.train_history),
    }


# -- the split -----------------------------------------------------------------------------
def test_same_points_and_seed_give_the_same_split_another_seed_another() -> None:
    points, labels = _points(100)
    a = custom_split(points, labels, 50, np.random.default_rng([4, 0]))
    b = custom_split(points, labels, 50, np.random.default_rng([4, 0]))
    c = custom_split(points, labels, 50, np.random.default_rng([5, 0]))
    for x, y in ((a.train_points, b.train_points), (a.test_labels, b.test_labels)):
        np.testing.assert_array_equal(x, y)
    assert _rows(a.train_points) != _rows(c.train_points)
    assert _rows(a.train_points) | _rows(a.test_points) == _rows(points)
    assert _rows(c.train_points) | _rows(c.test_points) == _rows(points)


@pytest.mark.parametrize("ratio", [10, 30, 50, 70, 90])
def test_train_size_is_floor_of_n_times_ratio(ratio: int) -> None:
    for n in [0, 1, 2, 3, 7, 10, 11, 99, 333, 2000]:
        points, labels = _points(n)
        split = custom_split(points, labels, ratio, np.random.default_rng(1))
        assert len(split.train_labels) == math.floor(n * ratio / 100), (n, ratio)
        assert len(split.train_labels) + len(split.test_labels) == n
        assert split.train_points.shape == (len(split.train_labels), 2)
        assert split.test_points.shape == (len(split.test_labels), 2)


@pytest.mark.parametrize("ratio", [10, 50, 70, 90])
def test_adding_one_point_moves_at_most_one_other_point(ratio: int) -> None:
    """Labels number the points, so we can follow each across the two splits."""
    moved_some = False
    for n in range(1, 80):
        points = np.random.default_rng(n).uniform(-6, 6, (n + 1, 2))
        ids = np.arange(n + 1, dtype=np.float64)
        seed = [n, 0]
        before = custom_split(points[:n], ids[:n], ratio, np.random.default_rng(seed))
        after = custom_split(points, ids, ratio, np.random.default_rng(seed))
        was_train, is_train = set(before.train_labels), set(after.train_labels) - {float(n)}
        moved = was_train ^ is_train
        assert len(moved) <= 1, (n, ratio, moved)
        moved_some |= bool(moved)
    assert moved_some


# -- replacing, adding and removing points -------------------------------------------------
def test_set_data_resets_to_the_initial_weights_of_a_fresh_trainer() -> None:
    t = Trainer(Config(problem="multiclass", dataset="spirals", seed=5))
    t.step(4)
    points, labels = _points(60)
    t.set_data(points, labels)
    assert t.config.dataset == "custom" and t.config.seed == 5
    assert t.epoch == 0 and t.updates == 0 and len(t.train_history) == 1
    fresh = Trainer(replace(t.config), custom=(points, labels))
    np.testing.assert_array_equal(t.net.params, fresh.net.params)
    np.testing.assert_array_equal(t.split.train_points, fresh.split.train_points)
    assert t.metrics == fresh.metrics
    np.testing.assert_array_equal(t.data_points()[0], points)
    np.testing.assert_array_equal(t.data_points()[1], labels)
    assert len(t.split.train_labels) == 30


@pytest.mark.parametrize(
    ("problem", "labels"),
    [("classification", [1.0, -1.0]), ("regression", [0.5, -9.5]), ("multiclass", [0.0, 2.0])],
)
def test_set_data_works_for_every_problem(problem: str, labels: list[float]) -> None:
    dataset = {"classification": "xor", "regression": "plane", "multiclass": "sectors"}[problem]
    t = Trainer(Config(problem=problem, dataset=dataset, seed=2))
    points = np.random.default_rng(0).uniform(-6, 6, (30, 2))
    t.set_data(points, np.resize(np.array(labels), 30))
    assert t.config.problem == problem and t.config.dataset == "custom"
    assert t.step(3) == 3 and t.status == "ready"


def test_adding_and_removing_points_keeps_weights_epoch_and_history() -> None:
    t = _custom_trainer(40, seed=3)
    t.step(3)
    params, history = t.net.params.copy(), list(t.train_history)
    new_points, new_labels = np.array([[1.0, 2.0], [-3.0, 0.5]]), np.array([2.0, 0.0])
    t.add_points(new_points, new_labels)
    old_points, old_labels = _points(40)
    np.testing.assert_array_equal(t.data_points()[0], np.concatenate([old_points, new_points]))
    np.testing.assert_array_equal(t.data_points()[1], np.concatenate([old_labels, new_labels]))
    # the history keeps its points; its last one becomes the loss on the new data
    assert t.epoch == 3 and list(t.train_history)[:-1] == history[:-1]
    assert t.train_history[-1] == t.metrics.train_loss
    np.testing.assert_array_equal(t.net.params, params)
    expected = custom_split(*t.data_points(), 50, np.random.default_rng([3, 0]))
    np.testing.assert_array_equal(t.split.train_points, expected.train_points)
    t.remove_points([0, 41, 7])
    keep = [i for i in range(42) if i not in (0, 7, 41)]
    np.testing.assert_array_equal(
        t.data_points()[0], np.concatenate([old_points, new_points])[keep]
    )
    assert t.epoch == 3 and len(t.data_points()[1]) == 39
    np.testing.assert_array_equal(t.net.params, params)
    assert t.step(2) == 2 and t.epoch == 5


def test_adding_points_mid_epoch_starts_the_next_batch_from_the_new_split() -> None:
    t = _custom_trainer(40, batch_size=3, seed=1)
    t.step_batches(2)
    assert t.position == 2
    t.add_points(np.array([[0.0, 0.0]]), np.array([1.0]))
    assert t.position == 0 and t._pending_count == 0
    assert t.step_batches(1) == 1


@pytest.mark.parametrize("edit", ["add", "remove"])
def test_editing_a_generated_dataset_starts_from_train_then_test_points(edit: str) -> None:
    t = Trainer(Config(problem="multiclass", dataset="blobs", classes=4, noise=10, seed=3))
    t.step(2)
    params = t.net.params.copy()
    s = t.split
    # Points beyond the plotted square (noisy clusters spill over) move onto its edge.
    points = np.clip(np.concatenate([s.train_points, s.test_points]), -6, 6)
    labels = np.concatenate([s.train_labels, s.test_labels])
    np.testing.assert_array_equal(t.data_points()[0], points)
    if edit == "add":
        t.add_points(np.array([[5.0, -5.0]]), np.array([3.0]))
        points, labels = np.concatenate([points, [[5.0, -5.0]]]), np.append(labels, 3.0)
    else:
        t.remove_points([0, len(labels) - 1])
        points, labels = points[1:-1], labels[1:-1]
    assert t.config.dataset == "custom" and t.config.classes == 4 and t.config.noise == 10
    np.testing.assert_array_equal(t.data_points()[0], points)
    np.testing.assert_array_equal(t.data_points()[1], labels)
    np.testing.assert_array_equal(t.net.params, params)
    assert t.epoch == 2


def test_more_than_2000_points_are_refused_and_nothing_changes() -> None:
    assert MAX_POINTS == 2000
    t = _custom_trainer(1999, seed=2)
    t.step(1)
    before = _state(t)
    with pytest.raises(ConfigError, match="at most 2000 points"):
        t.add_points(np.zeros((2, 2)), np.zeros(2))
    assert _state(t) == before
    t.add_points(np.zeros((1, 2)), np.zeros(1))
    assert len(t.data_points()[1]) == 2000


def test_a_generated_dataset_plus_too_many_points_is_refused() -> None:
    t = Trainer(Config(problem="regression", dataset="plane", seed=2))  # 1,200 points
    before = _state(t)
    with pytest.raises(ConfigError, match="at most 2000"):
        t.add_points(np.zeros((801, 2)), np.zeros(801))
    assert _state(t) == before and t.custom is None


@pytest.mark.parametrize("indices", [[40], [-1], [3, 40], [1000]])
def test_a_bad_index_is_refused_and_nothing_changes(indices: list[int]) -> None:
    t = _custom_trainer(40, seed=4)
    t.step(1)
    before = _state(t)
    with pytest.raises(ConfigError, match="is not a point"):
        t.remove_points(indices)
    assert _state(t) == before


# -- config changes ------------------------------------------------------------------------
@pytest.mark.parametrize("change", [{"noise": 30}, {"train_ratio": 70}, {"seed": 12}])
def test_noise_ratio_and_seed_keep_the_custom_points(change: dict[str, object]) -> None:
    t = _custom_trainer(50, seed=3)
    points, labels = t.data_points()
    train_before = _rows(t.split.train_points)
    t.update_config(change)
    assert t.config.dataset == "custom"
    np.testing.assert_array_equal(t.data_points()[0], points)
    np.testing.assert_array_equal(t.data_points()[1], labels)
    c = t.config
    expected = custom_split(points, labels, c.train_ratio, np.random.default_rng([c.seed, 0]))
    np.testing.assert_array_equal(t.split.train_points, expected.train_points)
    np.testing.assert_array_equal(t.split.test_labels, expected.test_labels)
    assert len(t.split.train_labels) == math.floor(50 * c.train_ratio / 100)
    if "noise" in change:  # noise does not apply to custom data
        assert _rows(t.split.train_points) == train_before
    else:
        assert _rows(t.split.train_points) != train_before


def test_network_changes_keep_the_custom_points() -> None:
    t = _custom_trainer(50, seed=3)
    points = t.data_points()[0].copy()
    assert t.update_config({"hidden_layers": [3], "activation": "relu"}) == "reset"
    assert t.update_config({"learning_rate": 0.1}) == "live"
    np.testing.assert_array_equal(t.data_points()[0], points)
    assert t.config.dataset == "custom"


def test_choosing_another_dataset_drops_the_custom_points() -> None:
    t = _custom_trainer(50, seed=3)
    assert t.update_config({"dataset": "sectors"}) == "data"
    assert t.custom is None and t.config.dataset == "sectors"
    assert len(t.data_points()[1]) == 500
    with pytest.raises(ConfigError, match="your own points"):
        t.update_config({"dataset": "custom"})


def test_changing_problem_drops_the_custom_points() -> None:
    t = _custom_trainer(50, seed=3)
    t.update_config({"problem": "classification"})
    assert t.custom is None and t.config.dataset == "circle"
    assert t.net.sizes[-1] == 1


def test_changing_problem_while_keeping_custom_is_refused() -> None:
    t = _custom_trainer(50, seed=3)
    before = _state(t)
    with pytest.raises(ConfigError):
        t.update_config({"problem": "classification", "dataset": "custom"})
    assert _state(t) == before


def test_fewer_classes_than_a_custom_label_is_refused_and_nothing_changes() -> None:
    t = _custom_trainer(40, k=4, seed=3)
    t.step(2)
    before = _state(t)
    with pytest.raises(ConfigError, match="class 3"):
        t.update_config({"classes": 3})
    assert _state(t) == before
    assert t.update_config({"classes": 5}) == "data"
    assert t.config.dataset == "custom" and t.net.sizes[-1] == 5
    assert len(t.data_points()[1]) == 40


def test_fewer_classes_are_fine_when_no_label_is_that_high() -> None:
    t = Trainer(_multiclass(classes=5), custom=_points(30, 3))
    t.update_config({"classes": 3})
    assert t.config.classes == 3 and t.custom is not None and t.net.sizes[-1] == 3


def test_choosing_custom_without_custom_data_is_refused() -> None:
    t = Trainer(Config(problem="multiclass", dataset="blobs", seed=1))
    t.step(1)
    before = _state(t)
    with pytest.raises(ConfigError, match="your own points"):
        t.update_config({"dataset": "custom"})
    assert _state(t) == before
    with pytest.raises(ConfigError, match="your own points"):
        Trainer(_multiclass())


def test_a_custom_label_above_the_classes_is_refused_on_construction() -> None:
    with pytest.raises(ConfigError, match="class 3"):
        Trainer(_multiclass(classes=3), custom=_points(20, 4))


def test_regenerate_on_custom_data_draws_a_new_split_of_the_same_points() -> None:
    t = _custom_trainer(60, seed=3)
    t.step(2)
    points, labels = t.data_points()
    train, params = _rows(t.split.train_points), t.net.params.copy()
    t.regenerate(99)
    assert t.config.seed == 99 and t.config.dataset == "custom"
    np.testing.assert_array_equal(t.data_points()[0], points)
    np.testing.assert_array_equal(t.data_points()[1], labels)
    assert _rows(t.split.train_points) != train
    assert len(t.split.train_labels) == 30
    np.testing.assert_array_equal(t.net.params, params)  # the network is kept


# -- an empty dataset (Clear) --------------------------------------------------------------
@pytest.mark.parametrize("problem", ["classification", "regression", "multiclass"])
def test_empty_data_gives_zero_losses_and_trains_without_diverging(problem: str) -> None:
    dataset = {"classification": "circle", "regression": "plane", "multiclass": "blobs"}[problem]
    t = Trainer(Config(problem=problem, dataset=dataset, seed=1))
    t.step(2)
    t.set_data(np.empty((0, 2)), np.empty(0))
    assert t.metrics.train_loss == 0 and t.metrics.test_loss == 0
    assert t.metrics.train_accuracy is None and t.metrics.test_accuracy is None
    params = t.net.params.copy()
    assert t.step(3) == 3
    assert t.status == "ready" and t.epoch == 3
    np.testing.assert_array_equal(t.net.params, params)
    assert all(v == 0 for v in t.train_history)
    if problem == "multiclass":
        assert t.confusion() == {"train": [[0] * 3] * 3, "test": [[0] * 3] * 3}
    assert t.predict(np.zeros((2, 2))).shape[0] == 2
    t.add_points(np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]), np.ones(3))
    assert len(t.data_points()[1]) == 3 and t.step(1) == 1


@pytest.mark.parametrize("n", [0, 1])
def test_batch_steps_with_no_training_points_do_not_fail(n: int) -> None:
    """No training point: the empty dataset, or a single point (floor(1 · ratio) = 0);
    the page's "step" button must not raise (IndexError today)."""
    t = _custom_trainer(n, seed=1)
    assert len(t.split.train_labels) == 0
    params = t.net.params.copy()
    t.step_batches(1)
    assert t.status == "ready"
    np.testing.assert_array_equal(t.net.params, params)


# -- export and import ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("config", "labels"),
    [
        (_multiclass(classes=4, hidden_layers=(5, 3)), [0.0, 1.0, 2.0, 3.0]),
        (Config(dataset="custom", hidden_layers=(4,)), [1.0, -1.0]),
        (Config(problem="regression", dataset="custom"), [0.25, -7.5, 10.0]),
    ],
)
def test_export_and_import_carry_the_custom_data(config: Config, labels: list[float]) -> None:
    points = np.random.default_rng(5).uniform(-6, 6, (37, 2))
    custom = (points, np.resize(np.array(labels), 37))
    t = Trainer(replace(config, seed=7), custom=custom)
    t.step(4)
    model = t.export()
    assert model["data"] == {"points": points.tolist(), "labels": custom[1].tolist()}
    clone = Trainer.from_model(model)
    assert clone.config == t.config and clone.epoch == 4
    np.testing.assert_array_equal(clone.data_points()[0], points)
    np.testing.assert_array_equal(clone.data_points()[1], custom[1])
    np.testing.assert_array_equal(clone.split.train_points, t.split.train_points)
    grid = np.random.default_rng(0).uniform(-6, 6, (200, 2))
    np.testing.assert_array_equal(clone.predict(grid), t.predict(grid))
    assert clone.export() == model


def test_an_exported_empty_dataset_imports() -> None:
    t = _custom_trainer(0, seed=2)
    clone = Trainer.from_model(t.export())
    assert len(clone.data_points()[1]) == 0 and clone.config.dataset == "custom"


def test_a_generated_dataset_exports_no_data() -> None:
    assert "data" not in Trainer(Config(problem="multiclass", dataset="blobs")).export()


@pytest.mark.parametrize(
    "data",
    [
        {"points": [[0.0, 0.0]], "labels": [7.0]},  # not a class of 3
        {"points": [[0.0, 9.0]], "labels": [1.0]},  # outside the square
        {"points": [[0.0, 0.0], [1.0, 1.0]], "labels": [1.0]},  # counts differ
        {"points": [[0.0, 0.0]]},  # no labels
    ],
)
def test_a_model_with_bad_data_is_refused_as_a_config_error(data: dict[str, object]) -> None:
    """ConfigError, which the routes turn into 422 (any other error would be a 500)."""
    model = _custom_trainer(5, seed=1).export()
    model["data"] = data
    with pytest.raises(ConfigError):
        Trainer.from_model(model)


def test_a_custom_model_without_data_is_refused() -> None:
    model = _custom_trainer(5, seed=1).export()
    del model["data"]
    with pytest.raises(ConfigError, match="your own points"):
        Trainer.from_model(model)


# -- snapshots -----------------------------------------------------------------------------
def _round_trip(t: Trainer) -> Trainer:
    return restore(*unpack(pack(*capture(t))))


def _same(a: Trainer, b: Trainer) -> None:
    assert a.epoch == b.epoch and a.updates == b.updates and a.run == b.run
    assert a.config == b.config
    np.testing.assert_array_equal(a.net.params, b.net.params)
    assert list(a.train_history) == list(b.train_history)
    assert a.metrics == b.metrics and a.status == b.status
    assert a.custom is not None and b.custom is not None
    for x, y in zip(a.custom, b.custom, strict=True):
        np.testing.assert_array_equal(x, y)
    assert a.rng.bit_generator.state == b.rng.bit_generator.state


@pytest.mark.parametrize(
    "changes",
    [
        {"optimizer": "adam", "batch_size": 7, "dropout": 0.2},
        {"problem": "classification", "regularization": "l1", "regularization_rate": 0.03},
    ],
    ids=["multiclass, adam, batch 7, dropout", "binary, L1"],
)
def test_a_custom_data_snapshot_trains_on_bit_for_bit(changes: dict[str, object]) -> None:
    config = _multiclass(classes=4, hidden_layers=(6, 4), seed=11)
    config = replace(config, **changes)  # type: ignore[arg-type]
    points, labels = _points(90, 4)
    if config.problem == "classification":
        labels = np.where(labels % 2 == 0, 1.0, -1.0)
    alone, saved = (
        Trainer(config, custom=(points, labels)),
        Trainer(config, custom=(points, labels)),
    )
    extra = (np.array([[0.5, 0.5], [-1.0, 2.0]]), labels[:2].copy())
    alone.step(5)
    alone.add_points(*extra)
    alone.step(6)
    alone.remove_points([3])
    alone.step_batches(4)
    saved.step(5)
    saved = _round_trip(saved)
    saved.add_points(*extra)
    saved.step(6)
    saved = _round_trip(saved)
    saved.remove_points([3])
    saved.step_batches(4)
    saved = _round_trip(saved)
    _same(alone, saved)
    alone.step(3)
    saved.step(3)
    _same(alone, saved)


@pytest.mark.parametrize("n", [0, 1])
def test_a_snapshot_with_no_training_points_restores(n: int) -> None:
    """A cleared dataset (or its first drawn point) must survive the session store."""
    t = _custom_trainer(n, seed=3)
    back = _round_trip(t)
    assert len(back.data_points()[1]) == n
    np.testing.assert_array_equal(back.net.params, t.net.params)
