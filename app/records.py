"""Small JSON records kept by id for as long as they are used: the shared datasets of
``#data=`` links (app/shared_data.py) and the comparisons of twin runs
(app/comparisons.py).

A record lives as long as someone uses it: ``get`` renews its lifetime, and one not used
for ``timeout_seconds`` is gone; at most ``max_items`` are kept, the least recently used
dropped first. ``MemoryRecords`` keeps them in this process; ``RedisRecords`` keeps each
in one Redis key (``<prefix><id>``), ``SET … EX`` on put and ``GETEX … EX`` on get, so Redis
drops the idle ones by itself, with an index (a sorted set by last use,
``<prefix>:index``) for the bound. Both hold the text, so every read is a fresh copy.
Redis out of reach raises StoreUnavailable (a 503), as the session store does.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

import redis

from .redis_store import reachable


class Records(Protocol):
    def put(self, record_id: str, text: str) -> None:
        """Keep ``text`` under ``record_id`` (replacing it), as the most recently used."""
        ...

    def get(self, record_id: str) -> str | None:
        """The text, its lifetime renewed; None when unknown or expired."""
        ...

    def pop(self, record_id: str) -> str | None:
        """Forget the record; its text, or None when unknown or expired."""
        ...


class MemoryRecords:
    """Records in this process, least recently used first; thread-safe."""

    def __init__(
        self,
        timeout_seconds: float,
        max_items: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.max_items = max_items
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()  # id → (used, text)
        self._lock = threading.Lock()

    def put(self, record_id: str, text: str) -> None:
        with self._lock:
            now = self._clock()
            self._drop_expired(now)
            self._items[record_id] = (now, text)
            self._items.move_to_end(record_id)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def get(self, record_id: str) -> str | None:
        with self._lock:
            now = self._clock()
            self._drop_expired(now)
            item = self._items.get(record_id)
            if item is None:
                return None
            self._items[record_id] = (now, item[1])
            self._items.move_to_end(record_id)
        return item[1]

    def pop(self, record_id: str) -> str | None:
        with self._lock:
            self._drop_expired(self._clock())
            item = self._items.pop(record_id, None)
        return None if item is None else item[1]

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


class RedisRecords:
    """Records in Redis, shared by every server process (see the module's text)."""

    def __init__(
        self,
        client: redis.Redis,
        timeout_seconds: float,
        max_items: int,
        prefix: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.expiry = max(1, math.ceil(timeout_seconds))  # whole seconds, at least 1
        self.max_items = max_items
        self.prefix = prefix
        self.index = prefix + ":index"  # no id starts with ":", so no id can name it
        self._clock = clock

    def put(self, record_id: str, text: str) -> None:
        now = self._clock()
        with reachable():
            pipe = self.client.pipeline()
            pipe.set(self.prefix + record_id, text, ex=self.expiry)
            pipe.zadd(self.index, {record_id: now})
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

    def get(self, record_id: str) -> str | None:
        with reachable():
            text = self.client.getex(self.prefix + record_id, ex=self.expiry)
            if text is not None:
                self.client.zadd(self.index, {record_id: self._clock()}, xx=True)
        return None if text is None else _text(text)

    def pop(self, record_id: str) -> str | None:
        with reachable():
            pipe = self.client.pipeline()
            pipe.getdel(self.prefix + record_id)
            pipe.zrem(self.index, record_id)
            text = pipe.execute()[0]
        return None if text is None else _text(text)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
