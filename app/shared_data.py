"""Shared custom datasets, for links: a page link's hash cannot carry 2,000 points, so the
points are stored here and the link carries ``#data=<id>``. The id is the first 128 bits of
the SHA-256 of the dataset: the same data are kept once, whoever shares them again, and
nobody finds a dataset without having its points already.

A dataset lives as long as someone uses it: ``load`` refreshes its lifetime, and one not
loaded for ``timeout_seconds`` is gone. ``MemoryDatasetStore`` keeps them in this
process (at most ``max_items``, the least recently used dropped first);
``RedisDatasetStore`` keeps each in one Redis key, ``np:d:<id>``, holding compact JSON,
which expires by itself. Both store the JSON text, so a loaded dataset is always a fresh
copy. The store does not check the points: the route does that (app/engine/datafile.py) first.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Protocol

import redis

from .redis_store import reachable

DATASET_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # secrets.token_urlsafe's alphabet


@dataclass(frozen=True)
class SharedData:
    problem: str
    classes: int
    points: list[list[float]]  # (n, 2)
    labels: list[float]  # (n,)

    @property
    def size(self) -> int:
        return len(self.points)

    def to_json(self) -> str:
        """Compact JSON; every float written so it reads back exactly."""
        return json.dumps(asdict(self), separators=(",", ":"), allow_nan=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> SharedData:
        return cls(**json.loads(text))


def dataset_id_of(text: str) -> str:
    """The id of a dataset's JSON: 128 bits of its SHA-256, URL-safe (22 characters)."""
    digest = hashlib.sha256(text.encode()).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def valid_id(dataset_id: str) -> bool:
    """Whether ``dataset_id`` could be one of ours; anything else is never looked up."""
    return DATASET_ID.fullmatch(dataset_id) is not None


class DatasetStore(Protocol):
    def save(self, data: SharedData) -> str:
        """Store ``data`` (or renew it, when it is there); its id."""
        ...

    def load(self, dataset_id: str) -> SharedData | None:
        """The dataset, its lifetime renewed; None when unknown, expired or malformed."""
        ...


class MemoryDatasetStore:
    """Datasets in this process, least recently used first; thread-safe."""

    def __init__(
        self,
        timeout_seconds: float,
        max_items: int = 1000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.max_items = max_items
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()  # id → (used, JSON)
        self._lock = threading.Lock()

    def save(self, data: SharedData) -> str:
        text = data.to_json()
        dataset_id = dataset_id_of(text)
        with self._lock:
            now = self._clock()
            self._drop_expired(now)
            self._items[dataset_id] = (now, text)
            self._items.move_to_end(dataset_id)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)
        return dataset_id

    def load(self, dataset_id: str) -> SharedData | None:
        if not valid_id(dataset_id):
            return None
        with self._lock:
            now = self._clock()
            self._drop_expired(now)
            item = self._items.get(dataset_id)
            if item is None:
                return None
            self._items[dataset_id] = (now, item[1])
            self._items.move_to_end(dataset_id)
        return SharedData.from_json(item[1])

    def __len__(self) -> int:
        with self._lock:
            self._drop_expired(self._clock())
            return len(self._items)

    def _drop_expired(self, now: float) -> None:
        """Drop from the least recently used end while those are expired."""
        while self._items:
            oldest, (used, _) = next(iter(self._items.items()))
            if now - used < self.timeout_seconds:
                break
            del self._items[oldest]


class RedisDatasetStore:
    """Datasets in Redis, shared by every server process: one key each, ``SET … EX`` on
    save and ``GETEX … EX`` on load, so Redis drops the idle ones by itself; an index (a
    sorted set by last use) keeps at most ``max_items``, the least recently used dropped
    first. Redis out of reach raises StoreUnavailable (a 503), as the session store does."""

    def __init__(
        self,
        client: redis.Redis,
        timeout_seconds: float,
        max_items: int = 1000,
        prefix: str = "np:d:",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.expiry = max(1, math.ceil(timeout_seconds))  # whole seconds, at least 1
        self.max_items = max_items
        self.prefix = prefix
        self.index = prefix + ":index"  # no id starts with ":", so no id can name it
        self._clock = clock

    def save(self, data: SharedData) -> str:
        text = data.to_json()
        dataset_id = dataset_id_of(text)
        now = self._clock()
        with reachable():
            pipe = self.client.pipeline()
            pipe.set(self.prefix + dataset_id, text, ex=self.expiry)
            pipe.zadd(self.index, {dataset_id: now})
            pipe.zremrangebyscore(self.index, "-inf", now - self.expiry)  # expired by now
            pipe.zcard(self.index)
            count = int(pipe.execute()[-1])
            if count > self.max_items:
                ranked: list[bytes] = self.client.zrange(  # type: ignore[assignment]
                    self.index, 0, count - self.max_items - 1
                )
                oldest = [i.decode() for i in ranked]
                pipe = self.client.pipeline()
                pipe.delete(*(self.prefix + i for i in oldest))
                pipe.zrem(self.index, *oldest)
                pipe.execute()
        return dataset_id

    def load(self, dataset_id: str) -> SharedData | None:
        if not valid_id(dataset_id):
            return None
        with reachable():
            text = self.client.getex(self.prefix + dataset_id, ex=self.expiry)
            if text is not None:
                self.client.zadd(self.index, {dataset_id: self._clock()}, xx=True)
        return None if text is None else SharedData.from_json(text)
