"""Shared custom datasets, for links: a page link's hash cannot carry 2,000 points, so the
points are stored here and the link carries ``#data=<id>``. The id is the first 128 bits of
the SHA-256 of the dataset: the same data are kept once, whoever shares them again, and
nobody finds a dataset without having its points already.

A dataset lives as long as someone uses it: ``load`` refreshes its lifetime, and one not
loaded for ``timeout_seconds`` is gone (app/records.py keeps them). ``MemoryDatasetStore``
keeps them in this process (at most ``max_items``, the least recently used dropped
first); ``RedisDatasetStore`` keeps each in one Redis key, ``np:d:<id>``, holding compact
JSON, which expires by itself. Both store the JSON text, so a loaded dataset is always a
fresh copy. The store does not check the points: the route does that (app/engine/datafile.py) first.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Protocol

import redis

from .records import MemoryRecords, Records, RedisRecords

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


class Datasets:
    """Datasets kept as their JSON text in ``records``, by the id of that text."""

    def __init__(self, records: Records) -> None:
        self.records = records

    def save(self, data: SharedData) -> str:
        text = data.to_json()
        dataset_id = dataset_id_of(text)
        self.records.put(dataset_id, text)
        return dataset_id

    def load(self, dataset_id: str) -> SharedData | None:
        if not valid_id(dataset_id):
            return None
        text = self.records.get(dataset_id)
        return None if text is None else SharedData.from_json(text)


class MemoryDatasetStore(Datasets):
    """Datasets in this process, least recently used first; thread-safe."""

    def __init__(
        self,
        timeout_seconds: float,
        max_items: int = 1000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.memory = MemoryRecords(timeout_seconds, max_items, clock)
        super().__init__(self.memory)

    def __len__(self) -> int:
        return len(self.memory)


class RedisDatasetStore(Datasets):
    """Datasets in Redis, shared by every server process: one key each (app/records.py)."""

    def __init__(
        self,
        client: redis.Redis,
        timeout_seconds: float,
        max_items: int = 1000,
        prefix: str = "np:d:",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = RedisRecords(client, timeout_seconds, max_items, prefix, clock)
        super().__init__(self.redis)

    @property
    def expiry(self) -> int:
        """Seconds a record lives unused (whole seconds, at least 1)."""
        return self.redis.expiry
