"""Rooms in Redis, beside the sessions (app/redis_store.py), so that every process serves
every class. Keys, for a room code ``C`` (prefix ``np:``):

- ``np:r:C``, a string: the room as JSON (app/rooms.py ``Room``); changed only through
  ``update``, a WATCH/MULTI transaction retried when another process changed it first.
- ``np:rr:C``, a hash: each student's latest figures (JSON), written by that student's
  own requests, so students never contend for the room's key.
- ``np:rooms``, a sorted set of codes by last use: counts the rooms against the limit.
- ``np:m:A``, a counter of unknown codes looked up from address ``A``, expiring after a
  minute.

Both room keys expire after the room's idle time-out without a request.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis

from .redis_store import SOCKET_TIMEOUT, reachable
from .rooms import MISS_WINDOW, CodeTaken, Room, RoomNotFound, RoomsFull, TooManyMisses

T = TypeVar("T")


class RedisRoomStore:
    def __init__(
        self,
        url: str,
        max_rooms: int,
        idle_timeout: float,
        max_misses: int,
        *,
        prefix: str = "np:",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = redis.Redis.from_url(
            url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT
        )
        self.max_rooms = max_rooms
        self.idle_timeout = idle_timeout
        self.max_misses = max_misses
        self.prefix = prefix
        self._clock = clock

    def _keys(self, code: str) -> tuple[str, str]:
        return f"{self.prefix}r:{code}", f"{self.prefix}rr:{code}"

    @property
    def _index(self) -> str:
        return f"{self.prefix}rooms"

    @property
    def _idle_ms(self) -> int:
        return max(1, int(self.idle_timeout * 1000))

    def _touch(self, pipe: Any, code: str) -> None:
        key, records = self._keys(code)
        pipe.pexpire(key, self._idle_ms)
        pipe.pexpire(records, self._idle_ms)
        pipe.zadd(self._index, {code: self._clock()}, xx=True)

    def create(self, room: Room) -> None:
        key, _ = self._keys(room.code)
        with reachable():
            now = self._clock()
            self.redis.zremrangebyscore(self._index, "-inf", now - self.idle_timeout)
            if self.redis.zcard(self._index) >= self.max_rooms:
                raise RoomsFull
            if not self.redis.set(key, _dump(room), nx=True, px=self._idle_ms):
                raise CodeTaken
            self.redis.zadd(self._index, {room.code: now})

    def get(self, code: str) -> Room:
        return self.room_and_record(code, None)[0]

    def find(self, code: str, address: str) -> Room:
        try:
            return self.get(code)
        except RoomNotFound:
            key = f"{self.prefix}m:{address}"
            with reachable():
                pipe = self.redis.pipeline(transaction=True)
                pipe.incr(key)
                pipe.expire(key, int(MISS_WINDOW), nx=True)
                count = int(pipe.execute()[0])
            if count > self.max_misses:
                raise TooManyMisses(address) from None
            raise

    def blocked(self, address: str) -> bool:
        with reachable():
            count = self.redis.get(f"{self.prefix}m:{address}")
        return int(count or 0) >= self.max_misses

    def update(self, code: str, change: Callable[[Room], T]) -> tuple[Room, T]:
        key, _ = self._keys(code)

        def attempt(pipe: Any) -> tuple[Room, T]:
            raw = pipe.get(key)
            if raw is None:
                raise RoomNotFound(code)
            room = Room.from_dict(json.loads(raw))
            result = change(room)
            pipe.multi()
            pipe.set(key, _dump(room), px=self._idle_ms)
            return room, result

        with reachable():
            out = self.redis.transaction(attempt, key, value_from_callable=True)  # type: ignore[arg-type]
        return out  # type: ignore[return-value]

    def delete(self, code: str) -> Room:
        key, records = self._keys(code)
        with reachable():
            pipe = self.redis.pipeline(transaction=True)
            pipe.get(key)
            pipe.delete(key, records)
            pipe.zrem(self._index, code)
            raw = pipe.execute()[0]
        if raw is None:
            raise RoomNotFound(code)
        return Room.from_dict(json.loads(raw))

    def publish(self, code: str, student: str, record: dict[str, Any]) -> None:
        _, records = self._keys(code)
        with reachable():
            pipe = self.redis.pipeline(transaction=False)
            pipe.hset(records, student, json.dumps(record, separators=(",", ":")))
            pipe.pexpire(records, self._idle_ms)
            pipe.execute()

    def record(self, code: str, student: str) -> dict[str, Any] | None:
        _, records = self._keys(code)
        with reachable():
            raw = self.redis.hget(records, student)
        return json.loads(raw) if raw else None

    def room_and_record(self, code: str, student: str | None) -> tuple[Room, dict[str, Any] | None]:
        key, records = self._keys(code)
        with reachable():
            pipe = self.redis.pipeline(transaction=False)
            pipe.get(key)
            if student is not None:
                pipe.hget(records, student)
            self._touch(pipe, code)
            answers = pipe.execute()
        if answers[0] is None:
            raise RoomNotFound(code)
        raw = answers[1] if student is not None else None
        return Room.from_dict(json.loads(answers[0])), json.loads(raw) if raw else None

    def records(self, code: str) -> dict[str, dict[str, Any]]:
        _, records = self._keys(code)
        with reachable():
            raw = self.redis.hgetall(records)
        return {_text(k): json.loads(v) for k, v in raw.items()}

    def forget(self, code: str, student: str) -> None:
        _, records = self._keys(code)
        with reachable():
            self.redis.hdel(records, student)

    def close(self) -> None:
        self.redis.close()

    def __len__(self) -> int:
        with reachable():
            self.redis.zremrangebyscore(self._index, "-inf", self._clock() - self.idle_timeout)
            return int(self.redis.zcard(self._index))


def _dump(room: Room) -> str:
    return json.dumps(room.to_dict(), separators=(",", ":"))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
