"""The loss history is bounded whatever the epoch count, thins its older part, and a
client following it by its cursor receives every point once, in order."""

from __future__ import annotations

import numpy as np

from app.engine import Trainer, config_from_dict
from app.engine.history import LIMIT, RECENT, History


def test_a_long_run_keeps_a_bounded_history_with_the_recent_part_whole() -> None:
    t = Trainer(config_from_dict({"dataset": "gauss", "hidden_layers": [1], "seed": 1}))
    t.step(12_000)
    h = t.history
    assert len(h) <= LIMIT and h.total == 12_001
    epochs = np.array(h.epochs)
    assert epochs[0] == 0 and epochs[-1] == t.epoch == 12_000
    assert np.all(np.diff(epochs) > 0)
    assert np.array_equal(epochs[-RECENT:], np.arange(12_001 - RECENT, 12_001))
    assert h.train[-1] == t.metrics.train_loss
    gaps = np.diff(epochs[: len(h) - RECENT])
    assert gaps.max() > 1 and np.all(np.diff(gaps) <= 0)  # the older, the thinner


def test_a_client_following_the_cursor_gets_every_point_once() -> None:
    h = History()
    seen: list[int] = []
    cursor = 0
    for epoch in range(9_000):
        h.append(epoch, float(epoch), -float(epoch))
        if epoch % 37 == 0:
            position = h.since_position(cursor)
            assert position is not None  # never behind by more than RECENT points
            seen.extend(h.epochs[position:])
            cursor = h.total
    position = h.since_position(cursor)
    assert position is not None
    seen.extend(h.epochs[position:])
    assert seen == list(range(9_000))


def test_a_client_behind_a_thinning_gets_the_whole_history_again() -> None:
    h = History()
    for epoch in range(LIMIT + 1):
        h.append(epoch, 0.0, 0.0)
    assert h.since_position(5) is None  # thinned away
    assert h.since_position(h.total + 1) is None  # claims more than there is
    assert h.since_position(h.total) == len(h)


def test_history_counters_survive_loading_and_are_checked() -> None:
    h = History()
    for epoch in range(LIMIT + 500):
        h.append(epoch, 1.0, 2.0)
    back = History.load(h.epochs, h.train, h.test, h.counters())
    assert back.counters() == h.counters() and list(back.epochs) == list(h.epochs)
    bad = {**h.counters(), "tail_position": len(h) + 1}
    try:
        History.load(h.epochs, h.train, h.test, bad)
    except ValueError:
        pass
    else:
        raise AssertionError("counters that do not fit were accepted")
