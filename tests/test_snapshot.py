"""A trainer captured, packed, unpacked and restored trains on bit for bit as if it had
never left memory: every optimizer, dropout, L1's dead weights, a partial batch carried
into the next epoch, a diverged session; malformed data is refused, never executed."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import ConfigError, Trainer, config_from_dict
from app.engine.snapshot import MAGIC, capture, pack, restore, unpack

CASES = {
    "sgd, batch 7 (a partial batch carries over)": {"batch_size": 7},
    "momentum, dropout": {"optimizer": "momentum", "dropout": 0.3},
    "nesterov, L2": {"optimizer": "nesterov", "regularization": "l2", "regularization_rate": 0.01},
    "rmsprop, L1 (dead weights)": {
        "optimizer": "rmsprop", "regularization": "l1", "regularization_rate": 0.1,
    },
    "adam, decay, spiral 8x6": {
        "optimizer": "adam", "learning_rate_decay": 0.01, "dataset": "spiral",
        "hidden_layers": [8] * 6,
    },
    "regression, relu": {"problem": "regression", "activation": "relu", "batch_size": 3},
}  # fmt: skip


def _round_trip(t: Trainer) -> Trainer:
    return restore(*unpack(pack(*capture(t))))


def _same(a: Trainer, b: Trainer) -> None:
    assert a.epoch == b.epoch and a.updates == b.updates and a.run == b.run
    assert np.array_equal(a.net.params, b.net.params)
    assert list(a.train_history) == list(b.train_history)
    assert list(a.test_history) == list(b.test_history)
    assert a.metrics == b.metrics and a.status == b.status


@pytest.mark.parametrize("changes", CASES.values(), ids=list(CASES))
def test_a_restored_trainer_trains_on_bit_for_bit(changes: dict[str, object]) -> None:
    config = config_from_dict({"seed": 11, **changes})
    alone, saved = Trainer(config), Trainer(config)
    alone.step(13)
    saved.step(5)
    saved = _round_trip(saved)
    saved.step(4)
    saved = _round_trip(saved)
    saved.step(4)
    _same(alone, saved)
    assert alone.rng.bit_generator.state == saved.rng.bit_generator.state


def test_a_diverged_session_stays_diverged() -> None:
    config = {"problem": "regression", "activation": "relu", "learning_rate": 10, "seed": 2}
    t = Trainer(config_from_dict({**config, "hidden_layers": [8, 8]}))
    t.step(50)
    assert t.status == "diverged"
    back = _round_trip(t)
    assert back.status == "diverged" and back.diverged_at_epoch == t.diverged_at_epoch
    assert back.step(5) == 0
    _same(t, back)


def test_the_packed_bytes_are_json_and_raw_arrays() -> None:
    data = pack(*capture(Trainer(config_from_dict({"seed": 1}))))
    assert data[:4] == MAGIC
    assert b"pickle" not in data and b'"version":1' in data


@pytest.mark.parametrize(
    "mangle",
    [
        lambda d: b"XXXX" + d[4:],
        lambda d: d[:40],
        lambda d: d[:8] + d[8:].replace(b'"<f8"', b'"|O8"', 1),
        lambda d: d[:8] + d[8:].replace(b'"version":1', b'"version":9', 1),
        lambda d: d[: len(d) - 100],
    ],
    ids=["magic", "truncated header", "object dtype", "unknown version", "truncated arrays"],
)
def test_malformed_data_is_refused(mangle: object) -> None:
    data = pack(*capture(Trainer(config_from_dict({"seed": 1}))))
    with pytest.raises(ConfigError):
        restore(*unpack(mangle(data)))  # type: ignore[operator]
