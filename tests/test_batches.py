"""Training one mini-batch at a time (the slow mode): a batch is exactly one update of the
reference's rule, k epochs by batches equal k epochs at once, and the two mix freely."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import Trainer, config_from_dict
from app.engine.snapshot import capture, pack, restore, unpack
from tests.reference_impl import ReferenceNet

CONFIGS = {
    "batch 10": {"batch_size": 10},
    "batch 7, carry-over": {"batch_size": 7},
    "batch 1": {"batch_size": 1, "dataset": "xor"},
    "momentum, dropout": {"optimizer": "momentum", "dropout": 0.2, "batch_size": 9},
    "adam, L1": {"optimizer": "adam", "regularization": "l1", "regularization_rate": 0.03},
}


@pytest.mark.parametrize("changes", CONFIGS.values(), ids=list(CONFIGS))
def test_k_epochs_by_batches_equal_k_epochs_at_once(changes: dict[str, object]) -> None:
    config = config_from_dict({"seed": 5, **changes})
    at_once, by_batch = Trainer(config), Trainer(config)
    at_once.step(3)
    ran = by_batch.step_batches(3 * by_batch.batches_per_epoch)
    assert ran == 3 * by_batch.batches_per_epoch
    assert by_batch.epoch == 3 and by_batch.position == 0
    assert np.array_equal(at_once.net.params, by_batch.net.params)
    assert list(at_once.train_history) == list(by_batch.train_history)
    assert at_once.metrics == by_batch.metrics


def test_batches_and_epochs_mix_freely() -> None:
    config = config_from_dict({"seed": 8, "batch_size": 7})
    plain, mixed = Trainer(config), Trainer(config)
    plain.step(4)
    mixed.step_batches(5)
    assert (mixed.epoch, mixed.position) == (0, 5)
    mixed.step(1)  # finishes the current epoch
    assert (mixed.epoch, mixed.position) == (1, 0)
    mixed.step_batches(mixed.batches_per_epoch + 3)
    mixed = restore(*unpack(pack(*capture(mixed))))  # the position survives a round trip
    assert (mixed.epoch, mixed.position) == (2, 3)
    mixed.step(2)
    assert np.array_equal(plain.net.params, mixed.net.params)
    assert list(plain.train_history) == list(mixed.train_history)


def test_one_batch_is_one_update_of_the_references_rule() -> None:
    t = Trainer(config_from_dict({"seed": 3, "batch_size": 10, "learning_rate": 0.3}))
    ref = ReferenceNet([w.copy() for w in t.net.weights()],
                       [b.copy() for b in t.net.biases()], "tanh", "tanh")  # fmt: skip
    for x, y in zip(t.train_features[:10], t.split.train_labels[:10], strict=True):
        ref.backprop(x, y)
    ref.update(0.3, "none", 0.0)
    epoch_before = t.epoch
    assert t.step_batches(1) == 1
    assert t.updates == 1 and t.epoch == epoch_before and t.position == 1
    assert t.last_batch == list(range(10))
    for ours, theirs in zip(t.net.weights(), ref.w, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_a_carried_partial_batch_joins_the_next_update() -> None:
    t = Trainer(config_from_dict({"seed": 3, "batch_size": 7}))  # 250 points: 35 batches + 5
    n = len(t.split.train_labels)
    assert t.batches_per_epoch == 36
    t.step_batches(35)
    assert t.updates == 35 and t.epoch == 0
    t.step_batches(1)  # the partial batch: no update, the epoch ends
    assert t.updates == 35 and t.epoch == 1 and t.last_batch == list(range(245, n))
    t.step_batches(1)  # the carried 5 join the first 7 of the next epoch
    assert t.updates == 36 and t.last_batch == [*range(245, n), *range(7)]


def test_losses_are_measured_after_each_batch_and_recorded_per_epoch() -> None:
    t = Trainer(config_from_dict({"seed": 4, "learning_rate": 1}))
    before = t.metrics.train_loss
    t.step_batches(3)
    assert t.metrics.train_loss != before and len(t.train_history) == 1
    t.step_batches(t.batches_per_epoch - 3)
    assert len(t.train_history) == 2 and t.train_history[-1] == t.metrics.train_loss
