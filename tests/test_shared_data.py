"""Shared custom datasets (app/shared_data.py), in memory and in a real redis-server: exact
round trips of 2,000 points, a lifetime that each load renews, the memory store's bound,
and ids that are not ours never looked up."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from app.shared_data import (
    DatasetStore,
    MemoryDatasetStore,
    RedisDatasetStore,
    SharedData,
)
from app.store import StoreUnavailable
from bench.soak import HOST, free_port

BAD_IDS = ["", "a" * 65, "../x", "a b", "np:s:abc", "*", "a\nb", "é", "abc?", "x" * 10_000]


def _dataset(n: int = 2000, seed: int = 0, problem: str = "regression") -> SharedData:
    rng = np.random.default_rng(seed)
    points = rng.uniform(-6, 6, size=(n, 2))
    labels = rng.uniform(-10, 10, size=n)
    if n >= 3:
        points[:3] = [[-6.0, 6.0], [-0.0, 5e-324], [0.1, 1 / 3]]
    return SharedData(problem, 3, points.tolist(), labels.tolist())


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    """A client of the test session's redis-server (tests/conftest.py starts it)."""
    c = redis.Redis.from_url(redis_url)
    yield c
    c.close()


@pytest.fixture
def prefix() -> str:
    """Keys of this test only (the redis-server is shared by the test session)."""
    return f"test:{secrets.token_hex(8)}:"


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> DatasetStore:
    if request.param == "memory":
        return MemoryDatasetStore(60)
    client = request.getfixturevalue("client")
    return RedisDatasetStore(client, 60, prefix=request.getfixturevalue("prefix"))


# -- both stores ------------------------------------------------------------------------------
def test_2000_points_come_back_exactly(store: DatasetStore) -> None:
    data = _dataset()
    dataset_id = store.save(data)
    loaded = store.load(dataset_id)
    assert loaded == data
    assert loaded is not None and loaded.size == 2000
    assert np.array(loaded.points).tobytes() == np.array(data.points).tobytes()  # even -0.0
    assert store.load(dataset_id) == data  # a second time too


def test_the_id_is_the_datas_own_and_long(store: DatasetStore) -> None:
    ids = {store.save(_dataset(3, seed)) for seed in range(20)}
    assert len(ids) == 20
    for dataset_id in ids:
        assert len(dataset_id) == 22 and dataset_id.replace("-", "").replace("_", "").isalnum()
    # The same data shared again: the same id, one copy.
    again = store.save(_dataset(3, 0))
    assert again in ids and store.save(_dataset(3, 0)) == again


def test_loads_are_copies(store: DatasetStore) -> None:
    dataset_id = store.save(_dataset(3))
    first = store.load(dataset_id)
    assert first is not None
    first.points[0][0] = 5.0
    first.labels.append(1.0)
    assert store.load(dataset_id) == _dataset(3)


def test_empty_dataset(store: DatasetStore) -> None:
    data = SharedData("multiclass", 5, [], [])
    assert store.load(store.save(data)) == data


@pytest.mark.parametrize("dataset_id", ["A" * 22, "unknown", "a" * 64])
def test_unknown_ids(store: DatasetStore, dataset_id: str) -> None:
    store.save(_dataset(3))
    assert store.load(dataset_id) is None


@pytest.mark.parametrize("dataset_id", BAD_IDS)
def test_malformed_ids(store: DatasetStore, dataset_id: str) -> None:
    store.save(_dataset(3))
    assert store.load(dataset_id) is None


def test_json_is_compact_and_exact() -> None:
    data = SharedData("classification", 2, [[1.5, -0.1], [6.0, 1 / 3]], [1.0, -1.0])
    text = data.to_json()
    assert text == (
        '{"problem":"classification","classes":2,"points":[[1.5,-0.1],[6.0,0.3333333333333333]],'
        '"labels":[1.0,-1.0]}'
    )
    assert SharedData.from_json(text) == data
    assert SharedData.from_json(text.encode()) == data


# -- in memory --------------------------------------------------------------------------------
def test_memory_expires_when_idle_and_each_load_renews(clock: Clock) -> None:
    store = MemoryDatasetStore(10, clock=clock)
    kept, idle = store.save(_dataset(3)), store.save(_dataset(4))
    for _ in range(3):
        clock.now += 9.9
        assert store.load(kept) is not None  # renewed each time: 29.7 s after saving
    assert store.load(idle) is None
    assert len(store) == 1
    clock.now += 10
    assert store.load(kept) is None
    assert len(store) == 0


def test_memory_keeps_the_most_recently_used(clock: Clock) -> None:
    store = MemoryDatasetStore(60, max_items=3, clock=clock)
    a, b, c = (store.save(_dataset(3, seed)) for seed in range(3))
    assert store.load(a) is not None  # now b is the least recently used
    d = store.save(_dataset(3, 3))
    assert len(store) == 3
    assert store.load(b) is None
    assert [store.load(i) for i in (a, c, d)] == [_dataset(3, s) for s in (0, 2, 3)]


def test_memory_from_threads() -> None:
    store = MemoryDatasetStore(60, max_items=50)
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            for i in range(200):
                data = _dataset(2, seed * 1000 + i)
                loaded = store.load(store.save(data))
                assert loaded is None or loaded == data  # None: evicted by another thread
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store) == 50


# -- in Redis ---------------------------------------------------------------------------------
def test_redis_one_key_of_compact_json_that_expires(client: Any, prefix: str) -> None:
    store = RedisDatasetStore(client, 30, prefix=prefix)
    data = _dataset(5)
    dataset_id = store.save(data)
    keys = {(prefix + dataset_id).encode(), (prefix + ":index").encode()}
    assert set(client.keys(prefix + "*")) == keys
    assert client.get(prefix + dataset_id) == data.to_json().encode()
    assert 29_000 < client.pttl(prefix + dataset_id) <= 30_000


def test_redis_default_prefix(client: Any) -> None:
    store = RedisDatasetStore(client, 30)
    dataset_id = store.save(_dataset(3))
    assert client.exists(f"np:d:{dataset_id}") == 1
    client.zrem("np:d::index", dataset_id)
    client.delete(f"np:d:{dataset_id}")


def test_redis_keeps_the_most_recently_used(client: Any, prefix: str, clock: Clock) -> None:
    store = RedisDatasetStore(client, 60, max_items=3, prefix=prefix, clock=clock)
    a, b, c = [], [], []
    for seed, ids in enumerate((a, b, c)):
        clock.now += 1
        ids.append(store.save(_dataset(3, seed)))
    clock.now += 1
    assert store.load(a[0]) is not None  # now b is the least recently used
    clock.now += 1
    d = store.save(_dataset(3, 3))
    assert store.load(b[0]) is None and client.exists(prefix + b[0]) == 0
    assert [store.load(i) for i in (a[0], c[0], d)] == [_dataset(3, s) for s in (0, 2, 3)]
    assert client.zcard(prefix + ":index") == 3
    # An id can never name the index.
    assert store.load(":index") is None and store.load("index") is None


def test_redis_expires_when_idle_and_a_load_renews(client: Any, prefix: str) -> None:
    store = RedisDatasetStore(client, 2, prefix=prefix)
    dataset_id = store.save(_dataset(3))
    time.sleep(0.5)
    assert client.pttl(prefix + dataset_id) <= 1500
    assert store.load(dataset_id) == _dataset(3)
    assert client.pttl(prefix + dataset_id) > 1500  # renewed

    short = RedisDatasetStore(client, 1, prefix=prefix)
    gone = short.save(_dataset(3))
    time.sleep(1.1)
    assert short.load(gone) is None
    assert client.exists(prefix + gone) == 0


def test_redis_expiry_in_whole_seconds() -> None:
    client = redis.Redis(host=HOST, port=free_port())  # never connects
    assert RedisDatasetStore(client, 0.2).expiry == 1
    assert RedisDatasetStore(client, 2.5).expiry == 3
    assert RedisDatasetStore(client, 3600).expiry == 3600


@pytest.mark.parametrize("dataset_id", BAD_IDS)
def test_redis_never_sees_a_malformed_id(dataset_id: str) -> None:
    class Refuses:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"Redis was asked: {name}")

    assert RedisDatasetStore(Refuses(), 60).load(dataset_id) is None  # type: ignore[arg-type]


def test_redis_ignores_keys_named_like_a_malformed_id(client: Any, prefix: str) -> None:
    client.set(prefix + "a b", _dataset(3).to_json())
    assert RedisDatasetStore(client, 60, prefix=prefix).load("a b") is None


def test_redis_out_of_reach_is_store_unavailable() -> None:
    down = redis.Redis(host=HOST, port=free_port(), retry=Retry(NoBackoff(), 0))
    store = RedisDatasetStore(down, 60)
    with pytest.raises(StoreUnavailable):
        store.save(_dataset(3))
    with pytest.raises(StoreUnavailable):
        store.load("A" * 22)
