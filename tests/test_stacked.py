"""Training sessions together equals training each alone (app/engine/stacked.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from app.engine import Config, Trainer, stacked
from app.engine.optimizers import OPTIMIZERS
from app.engine.stacked import shape_key, train_together

SMALL = {"dataset": "xor", "hidden_layers": (4, 3), "train_ratio": 30}


def twins(settings: list[dict[str, Any]]) -> tuple[list[Trainer], list[Trainer]]:
    """Two identical sets of fresh trainers (a deep copy would break the views)."""
    make = lambda: [Trainer(Config(**s)) for s in settings]  # noqa: E731
    return make(), make()


def assert_same(together: Trainer, alone: Trainer, tol: float = 0.0) -> float:
    """Weights within ``tol`` and the same epoch, history, counters and checkpoints;
    returns the largest weight difference."""
    diff = float(np.abs(together.net.params - alone.net.params).max())
    assert diff <= tol
    assert together.epoch == alone.epoch
    assert together.updates == alone.updates
    assert together.status == alone.status
    assert together.diverged_at_epoch == alone.diverged_at_epoch
    assert together._pending_count == alone._pending_count
    np.testing.assert_allclose(together._pending, alone._pending, rtol=0, atol=tol)
    assert (together.dead == alone.dead).all()
    for kind in ("train", "test", "epochs"):
        a, b = getattr(together.history, kind), getattr(alone.history, kind)
        np.testing.assert_allclose(np.array(a), np.array(b), rtol=0, atol=tol)
    assert together.metrics.train_accuracy == alone.metrics.train_accuracy
    assert [c.epoch for c in together.checkpoints.list()] == [
        c.epoch for c in alone.checkpoints.list()
    ]
    assert together.rng.bit_generator.state == alone.rng.bit_generator.state
    for name, value in alone.optimizer.state().items():
        np.testing.assert_allclose(together.optimizer.state()[name], value, rtol=0, atol=tol)
    return diff


def check(settings: list[dict[str, Any]], epochs: int) -> float:
    together, alone = twins(settings)
    done = train_together(together, epochs)
    assert done == [t.step(epochs) for t in alone]
    return max(assert_same(a, b) for a, b in zip(together, alone, strict=True))


def sessions(count: int, **common: Any) -> list[dict[str, Any]]:
    """``count`` sessions with their own seeds (so data) and learning rates."""
    return [{**SMALL, **common, "seed": s, "learning_rate": 0.01 * (s + 1)} for s in range(count)]


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
@pytest.mark.parametrize("dropout", [0.0, 0.2])
def test_every_optimizer_with_and_without_dropout(optimizer: str, dropout: float) -> None:
    lr = 0.003 if optimizer in ("adam", "rmsprop") else None
    settings = sessions(3, optimizer=optimizer, dropout=dropout, batch_size=7)
    if lr:
        settings = [{**s, "learning_rate": lr * (i + 1)} for i, s in enumerate(settings)]
    assert check(settings, 40) <= 1e-12


@pytest.mark.parametrize("decay", [0.0, 0.01])  # a fixed rate is kept whole (S, P)
@pytest.mark.parametrize("penalty", ["l1", "l2"])
def test_regularisation_and_decay(penalty: str, decay: float) -> None:
    settings = sessions(
        3, regularization=penalty, regularization_rate=0.01, learning_rate_decay=decay
    )
    settings[1]["regularization_rate"] = 0.003
    assert check(settings, 60) <= 1e-12


@pytest.mark.parametrize(
    "problem",
    [{"problem": "regression", "dataset": "plane"}, {"problem": "multiclass", "dataset": "blobs"}],
)
def test_regression_and_multiclass(problem: dict[str, Any]) -> None:
    settings = [{**s, **problem, "batch_size": 9} for s in sessions(3)]
    assert check(settings, 40) <= 1e-12


@pytest.mark.parametrize("count", [1, 3, 8])
def test_stacks_of_several_sizes(count: int) -> None:
    settings = sessions(count, batch_size=7, optimizer="momentum", activation="relu")
    assert check(settings, 100 if count < 8 else 50) <= 1e-12


def test_a_session_that_diverges_leaves_the_others_alone() -> None:
    settings = sessions(4, batch_size=7, activation="relu", problem="regression", dataset="plane")
    settings[2]["learning_rate"] = 10.0
    together, alone = twins(settings)
    done = train_together(together, 50)
    assert done == [t.step(50) for t in alone]
    assert together[2].status == "diverged" and done[2] < 50
    assert [d for i, d in enumerate(done) if i != 2] == [50, 50, 50]
    for a, b in zip(together, alone, strict=True):
        assert_same(a, b)


def test_trainers_can_train_on_alone_afterwards() -> None:
    together, alone = twins(sessions(2, batch_size=7, dropout=0.1, optimizer="adam"))
    train_together(together, 10)
    for t in together:
        t.step(10)
    for t in alone:
        t.step(20)
    for a, b in zip(together, alone, strict=True):
        assert_same(a, b)


def test_a_trainer_in_the_middle_of_an_epoch_finishes_it_first() -> None:
    together, alone = twins(sessions(2, batch_size=7))
    for group in (together, alone):
        group[0].step_batches(3)
    train_together(together, 5)
    for t in alone:
        t.step(5)
    for a, b in zip(together, alone, strict=True):
        assert_same(a, b)


def test_shape_key_separates_what_cannot_be_stacked() -> None:
    base = Trainer(Config(**SMALL))
    same = Trainer(Config(**{**SMALL, "seed": 3, "learning_rate": 0.3, "dropout": 0.0}))
    assert shape_key(base) == shape_key(same)
    for change in (
        {"hidden_layers": (4, 4)},
        {"activation": "relu"},
        {"batch_size": 7},
        {"train_ratio": 50},
        {"optimizer": "adam"},
        {"regularization": "l2", "regularization_rate": 0.01},
        {"dropout": 0.1},
        {"problem": "regression", "dataset": "plane"},
        {"features": ("x1", "x2", "x1_x2")},
    ):
        other = Trainer(Config(**{**SMALL, **change}))
        assert shape_key(other) != shape_key(base), change
        with pytest.raises(ValueError):
            train_together([base, other], 1)
    unused = Trainer(Config(**{**SMALL, "regularization": "l1", "regularization_rate": 0}))
    assert shape_key(unused) == shape_key(base)
    with pytest.raises(ValueError):
        train_together([base, base], 1)


def test_counts_of_their_own_and_a_stop_after_any_epoch() -> None:
    """Each trainer its own count, and ``stop`` ending some early (asked with those
    still training, after every epoch): each equals ``step`` alone for what it did."""
    settings = sessions(5, optimizer="adam", dropout=0.1)
    together, alone = twins(settings)
    together[2].step_batches(3)  # in the middle of an epoch: finishes it alone first
    alone[2].step_batches(3)
    asked: list[list[int]] = []
    stop_at = {0: 2, 3: 5}  # trainer → the epoch after which it stops

    def stop(training: list[int]) -> list[int]:
        asked.append(sorted(training))
        return [i for i in training if together[i].epoch >= stop_at.get(i, 99)]

    done = train_together(together, [6, 8, 3, 8, 1], stop)
    assert done == [2, 8, 3, 5, 1]
    assert [t.step(n) for t, n in zip(alone, done, strict=True)] == done
    for a, b in zip(together, alone, strict=True):
        assert_same(a, b)
    assert asked[0] == [2]  # after the finishing epoch, then the stacked ones
    assert all(asked)
    assert max(len(a) for a in asked) == 5
    with pytest.raises(ValueError):
        train_together(together, [1, 2])


def test_a_stack_of_one_trains_alone_and_is_asked_after_every_epoch() -> None:
    together, alone = twins(sessions(1, batch_size=7))
    asked: list[list[int]] = []

    def stop(training: list[int]) -> list[int]:
        asked.append(training)
        return training if together[0].epoch >= 4 else []

    assert train_together(together, 10, stop) == [4]
    assert asked == [[0]] * 4
    alone[0].step(4)
    assert_same(together[0], alone[0])


def test_only_some_sessions_carry_a_partial_batch() -> None:
    """With batch 7 an epoch ends in a partial batch, carried into the next; new data
    (same count) drop it for one session only."""
    together, alone = twins(sessions(3, batch_size=7, optimizer="momentum"))
    for group in (together, alone):
        for t in group:
            t.step(2)
        assert all(t._pending_count for t in group)
        group[1].regenerate(99)
        assert group[1]._pending_count == 0
    train_together(together, 5)
    for t in alone:
        t.step(5)
    for a, b in zip(together, alone, strict=True):
        assert_same(a, b)


@pytest.mark.parametrize(
    "settings",
    [
        {"activation": "tanh"},
        {"activation": "relu", "problem": "regression", "dataset": "plane"},
        {"activation": "sigmoid", "hidden_layers": (5,)},
        {"activation": "linear", "hidden_layers": (3, 6, 2)},
    ],
)
def test_the_stacked_losses_are_those_each_measures(
    settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bit for bit, also when the sessions go through in blocks (here one by one and two
    by two) and the number of points has no divisor to add the bias by (97, a prime)."""
    rng = np.random.default_rng(5)
    points = rng.uniform(-5, 5, (97, 2))
    labels = np.where(points[:, 0] * points[:, 1] > 0, 1.0, -1.0)
    if settings.get("problem") == "regression":
        labels = points[:, 0] / 5
    for block, custom in ((1, None), (2, (points, labels))):
        group = [
            Trainer(Config(**{**SMALL, **settings, "seed": s}), custom=custom)
            if custom is None
            else Trainer(
                Config(**{**SMALL, **settings, "seed": s, "dataset": "custom"}), custom=custom
            )
            for s in range(3)
        ]
        train_together(group, 3)
        count = len(group[0]._all_labels)
        widths = max(group[0].net.sizes[1:])
        monkeypatch.setattr(stacked, "MEASURE_BLOCK_BYTES", block * 4 * count * widths)
        stack = stacked._Stack(group)
        assert stack.measure is not None and stack.measure.block == block
        assert stack._measure() == [t._measure() for t in group]


def test_a_session_whose_update_is_not_finite_is_rolled_back() -> None:
    """Weights so large that the gradient overflows: the update itself fails (not the
    losses measured after the epoch), in the first chunk of the epoch."""
    together, alone = twins(sessions(3, batch_size=7, problem="regression", dataset="plane"))
    for group in (together, alone):
        group[1].net.params[:] = 1e200
    done = train_together(together, 5)
    assert done == [t.step(5) for t in alone] and done[1] == 0
    assert together[1].status == "diverged" and together[1].diverged_at_epoch == 1
    for a, b in zip(together, alone, strict=True):
        assert_same(a, b)


ADAM_DECAY = {"optimizer": "adam", "learning_rate": 0.003}
RMS_L2 = {"optimizer": "rmsprop", "learning_rate": 0.003, "learning_rate_decay": 0.01}
NO_PENALTY = [{"regularization": p, "regularization_rate": 0.0} for p in ("l1", "none", "l2")]


@pytest.mark.parametrize(
    "changes",
    [
        [{**ADAM_DECAY, "learning_rate_decay": d} for d in (0.0, 0.02, 0.005)],  # mixed decay
        [{**RMS_L2, "regularization": "l2", "regularization_rate": r} for r in (0.001, 0.01)]
        + [{**RMS_L2, "regularization": "l2", "regularization_rate": 0.003}],
        NO_PENALTY,  # L1 and L2 at rate 0 stack with "none" (the same key)
        [{"problem": "multiclass", "dataset": "blobs", "dropout": 0.2}] * 3,
        [{"problem": "regression", "dataset": "plane", "activation": "sigmoid"}] * 3,
    ],
)
def test_more_cases_are_bit_for_bit_alone(changes: list[dict[str, Any]]) -> None:
    settings = [{**s, **c} for s, c in zip(sessions(3, batch_size=7), changes, strict=True)]
    assert check(settings, 30) == 0.0


def test_nesterov_with_dropout_after_batch_steps_is_bit_for_bit_alone() -> None:
    together, alone = twins(sessions(3, optimizer="nesterov", dropout=0.2, batch_size=7))
    for group in (together, alone):
        group[1].step_batches(2)
        group[2].step_batches(5)
    done = train_together(together, 20)
    assert done == [t.step(20) for t in alone]
    for a, b in zip(together, alone, strict=True):
        assert assert_same(a, b) == 0.0
