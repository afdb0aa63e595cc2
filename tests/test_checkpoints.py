"""Replay and resume: every session keeps bounded checkpoints of its training, and going
back to one gives exactly the model of that epoch and, training on, exactly the original
trajectory (every optimizer, dropout, L1, a partial batch carried over); the API lists
them, draws a frame at one and restores one, in memory and through Redis."""

from __future__ import annotations

import json
from contextlib import nullcontext
from typing import Any

import numpy as np
import pytest
import redis
from fastapi.testclient import TestClient

from app.engine import ConfigError, Trainer, config_from_dict
from app.engine.checkpoints import LIMIT, RECENT, Checkpoints, State
from app.engine.snapshot import capture, pack, restore, unpack
from app.main import create_app
from app.settings import Settings

CASES = {
    "sgd": {},
    "sgd, batch 7 (a partial batch carries over)": {"batch_size": 7},
    "adam, dropout, spiral 8x6": {
        "optimizer": "adam", "dropout": 0.3, "dataset": "spiral", "hidden_layers": [8, 6],
    },
    "momentum, L1 (dead weights), batch 7": {
        "optimizer": "momentum", "regularization": "l1", "regularization_rate": 0.03,
        "batch_size": 7,
    },
    "rmsprop, decay, multiclass": {
        "optimizer": "rmsprop", "learning_rate_decay": 0.01, "problem": "multiclass",
    },
}  # fmt: skip


def _trainer(changes: dict[str, Any]) -> Trainer:
    return Trainer(config_from_dict({"seed": 7, **changes}))


def _model(t: Trainer) -> dict[str, Any]:
    m = t.export()
    return {k: m[k] for k in ("weights", "biases", "epoch", "history")}


def _state(size: int = 3) -> State:
    return State(np.zeros(size), None, 0, None, 0, {}, {})


# -- the bound ---------------------------------------------------------------------------
def test_at_most_64_kept_epoch_0_always_newest_32_dense_older_sparser() -> None:
    c = Checkpoints()
    for epoch in range(1000):
        c.add(epoch, 1.0, 1.0, _state())
        assert len(c) <= LIMIT
    epochs = [x.epoch for x in c.list()]
    assert epochs[0] == 0 and epochs[-1] == 999
    assert epochs[-RECENT:] == list(range(1000 - RECENT, 1000))
    older = epochs[1:-RECENT]
    assert 16 <= len(older) <= 31 and c.stride == 32  # (1000 - 32) / 32 ≤ 31
    assert older == list(range(c.stride, 1000 - RECENT, c.stride))  # evenly, all the run


def test_when_full_the_stride_doubles_and_drops_the_older_ones_off_it() -> None:
    c = Checkpoints()
    for epoch in range(LIMIT):
        c.add(epoch, 1.0, 1.0, _state())
    assert [x.epoch for x in c.list()] == list(range(LIMIT)) and c.stride == 1
    c.add(LIMIT, 1.0, 1.0, _state())
    old = LIMIT + 1 - RECENT
    assert [x.epoch for x in c.list()] == [*range(0, old, 2), *range(old, LIMIT + 1)]
    assert c.stride == 2
    c.add(LIMIT + 1, 1.0, 1.0, _state())  # epoch 33 leaves the newest 32: off the stride
    assert c.at(old) is None and c.at(old + 1) is not None


def test_adding_an_epoch_again_replaces_it_and_the_later_ones() -> None:
    c = Checkpoints()
    for epoch in range(10):
        c.add(epoch, 1.0, 1.0, _state())
    c.add(4, 2.0, 2.0, _state())
    assert [x.epoch for x in c.list()] == list(range(5)) and c.list()[-1].train_loss == 2.0


def test_trainer_keeps_one_per_epoch_and_reset_starts_over() -> None:
    t = _trainer({})
    t.step(5)
    t.step_batches(3 * t.batches_per_epoch + 2)  # mid-epoch: no checkpoint for it
    assert [c.epoch for c in t.checkpoints.list()] == list(range(9))
    t.step(200)
    assert len(t.checkpoints) <= LIMIT
    assert t.checkpoints.list()[-1].epoch == t.epoch
    t.reset()
    assert [c.epoch for c in t.checkpoints.list()] == [0]


# -- exact restore -----------------------------------------------------------------------
@pytest.mark.parametrize("changes", CASES.values(), ids=list(CASES))
def test_restore_gives_the_model_of_that_epoch_and_the_same_trajectory(
    changes: dict[str, Any],
) -> None:
    t = _trainer(changes)
    models = {0: _model(t)}
    for _ in range(30):
        t.step(1)
        models[t.epoch] = _model(t)
    run = t.run
    t.restore_checkpoint(10)
    assert _model(t) == models[10]  # weights, biases, epoch and history up to 10
    assert t.run == run + 1 and t.status == "ready"
    assert [c.epoch for c in t.checkpoints.list()] == list(range(11))
    t.step(20)
    assert _model(t) == models[30]


def test_resuming_by_batches_matches_the_original_by_epochs() -> None:
    t = _trainer(CASES["momentum, L1 (dead weights), batch 7"])
    t.step(12)
    want = _model(t)
    t.restore_checkpoint(4)
    t.step_batches(3 * t.batches_per_epoch + 1)
    t.step(5)  # finishes epoch 8, then 9 … 12
    assert _model(t) == want


def test_history_is_truncated_and_counts_on_from_the_kept_points() -> None:
    t = _trainer({})
    t.step(20)
    t.restore_checkpoint(5)
    assert list(t.history.epochs) == list(range(6)) and t.history.total == 6
    assert t.history.since_position(20) is None  # a client past the end gets it all again


def test_a_diverged_session_can_be_restored() -> None:
    t = Trainer(config_from_dict({"problem": "regression", "activation": "relu",
                                  "learning_rate": 10, "seed": 2}))  # fmt: skip
    t.step(200)
    assert t.status == "diverged"
    t.restore_checkpoint(0)
    assert t.status == "ready" and t.diverged_at_epoch is None and t.epoch == 0
    t.update_config({"learning_rate": 0.01})
    assert t.step(3) == 3 and t.status == "ready"


def test_after_an_optimizer_change_resuming_starts_that_optimizer_afresh() -> None:
    t = _trainer({})
    t.step(5)
    t.update_config({"optimizer": "adam"})
    t.step(5)
    t.restore_checkpoint(3)
    assert t.optimizer.state()["t"] == 0
    t.step(2)
    assert t.epoch == 5


def test_the_optimizer_change_survives_a_snapshot_and_a_restore_before_it_is_forgotten() -> None:
    t = _trainer({})
    t.step(5)
    t.update_config({"optimizer": "adam"})
    t.step(5)
    again = restore(*unpack(pack(*capture(t))))
    assert again.checkpoints.fresh_optimizer(5) and not again.checkpoints.fresh_optimizer(6)
    again.restore_checkpoint(7)  # after the change: Adam's own state comes back
    assert again.optimizer.state()["t"] == (7 - 5) * again.batches_per_epoch  # Adam from 5
    again.restore_checkpoint(2)
    again.step(4)  # epochs 3-6 are Adam's from the start: resuming from them keeps its state
    assert not again.checkpoints.fresh_optimizer(4)
    again.restore_checkpoint(4)
    assert again.optimizer.state()["t"] == 2 * again.batches_per_epoch


def test_listed_checkpoints_read_their_state_only_when_asked() -> None:
    t = _trainer({})
    t.step(3)
    reads: list[int] = []

    def loader(epoch: int) -> State:
        reads.append(epoch)
        return t.checkpoints.at(epoch).state  # type: ignore[union-attr]

    lazy = Checkpoints.from_index(t.checkpoints.index(), loader)
    assert [c.epoch for c in lazy.list()] == [0, 1, 2, 3] and reads == []
    assert np.array_equal(lazy.at(2).state.params, t.checkpoints.at(2).state.params)  # type: ignore[union-attr]
    assert reads == [2]


def test_a_missing_epoch_is_refused_naming_the_nearest_and_changes_nothing() -> None:
    t = _trainer({})
    t.step(100)
    before = _model(t), t.run
    thinned = next(e for e in range(100) if t.checkpoints.at(e) is None)
    with pytest.raises(ConfigError, match=f"no checkpoint at epoch {thinned}; the nearest"):
        t.restore_checkpoint(thinned)
    with pytest.raises(ConfigError, match="nearest are at epochs 100"):
        t.restore_checkpoint(500)
    assert (_model(t), t.run) == before


def test_an_imported_model_has_itself_as_its_only_checkpoint() -> None:
    t = _trainer({})
    t.step(7)
    loaded = Trainer.from_model(t.export())
    assert [c.epoch for c in loaded.checkpoints.list()] == [7]
    loaded.step(3)
    loaded.restore_checkpoint(7)
    assert _model(loaded)["weights"] == _model(t)["weights"]


def test_a_hand_edit_at_an_epoch_boundary_becomes_that_epochs_checkpoint() -> None:
    t = _trainer({})
    t.step(4)
    t.set_weight(0, 0, 0, 0.5)
    edited = t.net.params.copy()
    t.step(3)
    t.restore_checkpoint(4)
    assert np.array_equal(t.net.params, edited)


# -- saved sessions ----------------------------------------------------------------------
@pytest.mark.parametrize("changes", CASES.values(), ids=list(CASES))
def test_checkpoints_survive_a_snapshot_and_resume_exactly(changes: dict[str, Any]) -> None:
    t = _trainer(changes)
    t.step(30)
    want = _model(t)
    back = restore(*unpack(pack(*capture(t))))
    assert [c.epoch for c in back.checkpoints.list()] == [c.epoch for c in t.checkpoints.list()]
    back.restore_checkpoint(10)
    back.step(20)
    assert _model(back) == want


def test_a_snapshot_from_before_checkpoints_restores_with_the_current_state() -> None:
    t = _trainer({"batch_size": 7})
    t.step(6)
    meta, arrays = capture(t)
    del meta["checkpoints"]
    arrays = {k: v for k, v in arrays.items() if not k.startswith("checkpoints.")}
    back = restore(*unpack(pack(meta, arrays)))
    assert [c.epoch for c in back.checkpoints.list()] == [6]
    back.step(2)
    back.restore_checkpoint(6)
    assert np.array_equal(back.net.params, t.net.params)


def test_malformed_checkpoints_are_refused() -> None:
    t = _trainer({})
    t.step(3)
    meta, arrays = capture(t)
    arrays["checkpoints.params"] = arrays["checkpoints.params"][:2]
    with pytest.raises(ConfigError, match="checkpoints do not fit"):
        restore(meta, arrays)


# -- the API -----------------------------------------------------------------------------
SPIRAL = {"dataset": "spiral", "hidden_layers": [8, 6], "optimizer": "adam", "dropout": 0.2,
          "batch_size": 7, "seed": 11}  # fmt: skip


def _create(client: TestClient) -> str:
    r = client.post("/api/sessions", json={"config": SPIRAL})
    assert r.status_code == 201
    return str(r.json()["id"])


def test_api_lists_draws_and_restores_checkpoints(client: TestClient, settings: Settings) -> None:
    sid = _create(client)
    url = f"/api/sessions/{sid}"
    frames, models = {}, {}
    for _ in range(15):
        state = client.post(f"{url}/step", json={"epochs": 1, "frame": True}).json()
        frames[state["epoch"]] = state["frame"]
        models[state["epoch"]] = client.get(f"{url}/model").json()
    listed = client.get(f"{url}/checkpoints").json()["checkpoints"]
    assert [c["epoch"] for c in listed] == list(range(16))
    assert listed[15]["train_loss"] == state["train_loss"]
    current = client.get(f"{url}/frame").json()
    at = client.get(f"{url}/frame", params={"epoch": 6}).json()
    assert at["epoch"] == 6 and at["output"] == frames[6]["output"]
    assert at["weights"] == frames[6]["weights"] and at["neurons"] == frames[6]["neurons"]
    assert client.get(f"{url}/frame").json() == current  # the session did not change
    # With Redis another server process, which loads the session from Redis, restores it.
    other = TestClient(create_app(settings)) if settings.redis_url else nullcontext(client)
    with other as c:
        r = c.post(f"{url}/restore", json={"epoch": 6})
        assert r.status_code == 200 and r.json()["epoch"] == 6
    assert client.get(f"{url}/model").json() == models[6]
    assert [c["epoch"] for c in client.get(f"{url}/checkpoints").json()["checkpoints"]] == list(
        range(7)
    )
    for _ in range(3):
        client.post(f"{url}/step", json={"epochs": 3})
    assert client.get(f"{url}/model").json() == models[15]


def test_api_bad_epochs_are_422_and_change_nothing(client: TestClient) -> None:
    sid = _create(client)
    url = f"/api/sessions/{sid}"
    client.post(f"{url}/step", json={"epochs": 3})
    before = client.get(f"{url}/model").json(), client.get(f"{url}").json()
    r = client.post(f"{url}/restore", json={"epoch": 9})
    assert r.status_code == 422
    assert "no checkpoint at epoch 9; the nearest are at epochs 3" in r.json()["detail"]
    for body in ({"epoch": -1}, {"epoch": 1.5}, {"epoch": "2"}, {}):
        assert client.post(f"{url}/restore", json=body).status_code == 422
    r = client.get(f"{url}/frame", params={"epoch": 9})
    assert r.status_code == 422 and "no checkpoint at epoch 9" in r.json()["detail"]
    assert client.get(f"{url}/frame", params={"epoch": -1}).status_code == 422
    assert (client.get(f"{url}/model").json(), client.get(f"{url}").json()) == before
    assert client.get("/api/sessions/nope/checkpoints").status_code == 404
    assert client.post("/api/sessions/nope/restore", json={"epoch": 0}).status_code == 404


# -- in Redis: one field per checkpoint, written as they come and go ----------------------
def _release_sizes(client: TestClient) -> list[int]:
    """Bytes each write sends to Redis from now on (the release script's arguments)."""
    store: Any = client.app.state.store  # type: ignore[attr-defined]
    sizes: list[int] = []
    release = store._release

    def counting(*, keys: list[str], args: list[Any]) -> Any:
        sizes.append(sum(len(a) if isinstance(a, bytes | str) else 8 for a in args))
        return release(keys=keys, args=args)

    store._release = counting
    return sizes


def test_redis_keeps_each_checkpoint_under_its_own_field_written_once(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushall()
    settings = Settings(redis_url=redis_url)
    adam = {**SPIRAL, "optimizer": "adam", "batch_size": 10}
    with TestClient(create_app(settings)) as client:
        sid = client.post("/api/sessions", json={"config": adam}).json()["id"]
        url, ckey = f"/api/sessions/{sid}", f"np:c:{sid}"
        db = redis.Redis.from_url(redis_url)
        sizes = _release_sizes(client)
        for _ in range(60):
            client.post(f"{url}/step", json={"epochs": 5})
            listed = client.get(f"{url}/checkpoints").json()["checkpoints"]
            assert sorted(int(f) for f in db.hkeys(ckey)) == [c["epoch"] for c in listed]
        assert RECENT < len(listed) <= LIMIT and listed[-1]["epoch"] == 300
        one = len(db.hget(ckey, "300") or b"")
        steps = sizes[1::2]  # each step's write (the reads in between send 4 arguments)
        # A step of 5 epochs sends its 5 new checkpoints and the session (~12 KB), not 64.
        assert max(steps) < 5 * one + 20_000, (max(steps), one)
        assert len(db.hget(f"np:s:{sid}", "state") or b"") < one + 5_000
        # Another process loads the session without the states, and reads one to restore.
        with TestClient(create_app(settings)) as other:
            model = other.get(f"{url}/model").json()
            assert other.post(f"{url}/restore", json={"epoch": 290}).status_code == 200
            other.post(f"{url}/step", json={"epochs": 10})
            assert other.get(f"{url}/model").json()["weights"] == model["weights"]
        assert sorted(int(f) for f in db.hkeys(ckey))[-1] == 300
        assert client.delete(url).status_code == 204
        assert not db.exists(ckey)


def test_after_a_restore_the_run_from_there_is_kept_as_densely_as_a_fresh_one() -> None:
    long, fresh = _trainer({}), _trainer({})
    long.step(3000)
    assert long.checkpoints.stride > 1
    long.restore_checkpoint(0)
    long.step(100)
    fresh.step(100)
    assert [c.epoch for c in long.checkpoints.list()] == [c.epoch for c in fresh.checkpoints.list()]


def test_a_restore_on_other_data_records_the_losses_on_the_data_now() -> None:
    t = _trainer({})
    t.step(8)
    t.regenerate(99)
    t.step(2)
    t.restore_checkpoint(5)
    m = t.metrics
    assert (t.history.train[-1], t.history.test[-1]) == (m.train_loss, m.test_loss)
    c = t.checkpoints.at(5)
    assert c is not None and (c.train_loss, c.test_loss) == (m.train_loss, m.test_loss)


def test_a_checkpoints_frame_leaves_no_grids_behind() -> None:
    with TestClient(create_app(Settings())) as client:
        sid = _create(client)
        client.post(f"/api/sessions/{sid}/step", json={"epochs": 3, "frame": True})
        client.get(f"/api/sessions/{sid}/frame", params={"epoch": 1})
        store: Any = client.app.state.store  # type: ignore[attr-defined]
        assert set(store.get(sid).cache) == {"full", "thumb"}


def test_redis_a_session_saved_before_checkpoints_gets_its_first_one_stored(
    redis_url: str,
) -> None:
    redis.Redis.from_url(redis_url).flushall()
    settings = Settings(redis_url=redis_url)
    db = redis.Redis.from_url(redis_url)
    with TestClient(create_app(settings)) as a:
        sid = _create(a)
        url = f"/api/sessions/{sid}"
        a.post(f"{url}/step", json={"epochs": 5})
        meta = json.loads(db.hget(f"np:s:{sid}", "meta") or b"{}")
        del meta["checkpoints"]  # as an older server saved it
        db.hset(f"np:s:{sid}", mapping={"meta": json.dumps(meta), "v": 12345})
        db.delete(f"np:c:{sid}")
        assert a.patch(url, json={"learning_rate": 0.01}).status_code == 200
    with TestClient(create_app(settings)) as b:  # another process, from Redis alone
        assert [c["epoch"] for c in b.get(f"{url}/checkpoints").json()["checkpoints"]] == [5]
        assert b.get(f"{url}/frame", params={"epoch": 5}).status_code == 200
        assert b.post(f"{url}/restore", json={"epoch": 5}).status_code == 200
