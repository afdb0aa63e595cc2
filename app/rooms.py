"""Rooms (a class): what a room holds, and where rooms are kept.

A ``Room`` is a plain record (JSON in Redis): its code, title, the hash of the teacher's
token, the current activity, whether the class is paused, the class experiment and the
students (id, number, name, session id, experiment value). Each student's figures for
the dashboard (epoch, losses, a small output map, when the goal was reached) are kept
apart, one record per student, written by the student's own requests (``publish``), so
a busy class never rewrites the room.

``RoomStore`` is the interface the routes use; ``MemoryRoomStore`` keeps rooms in this
process, ``RedisRoomStore`` (app/redis_rooms.py) in Redis beside the sessions. Changes
go through ``update(code, change)``, which applies ``change`` to a fresh copy and saves
it atomically (in Redis: retried when another process changed the room meanwhile).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, TypeVar

ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B
CODE_LENGTH = 6
MISS_WINDOW = 60.0  # seconds over which unknown codes are counted per address

T = TypeVar("T")


class RoomNotFound(KeyError):
    """No room with that code: never existed, ended, or expired."""


class TooManyMisses(Exception):
    """This address looked up too many unknown codes lately."""


class RoomsFull(Exception):
    """The server holds as many rooms as it may."""


class CodeTaken(Exception):
    """A new room drew the code of a room that exists (about 1 in 10⁸): draw again."""


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str | None:
    """``k7q-r4m`` → ``K7QR4M``; None when it cannot be a code."""
    code = text.strip().upper().replace("-", "").replace(" ", "")
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def display_code(code: str) -> str:
    return f"{code[:3]}-{code[3:]}"


def new_token() -> str:
    """192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Student:
    id: str
    number: int  # "Student 7" when names are hidden
    name: str
    session: str
    joined: float
    value: Any = None  # the class experiment's value for this student


@dataclass
class Room:
    code: str
    title: str
    token_hash: str
    created: float
    activity: dict[str, Any] | None = None  # version, config, model, locked, message, goal, started
    paused: bool = False
    experiment: dict[str, Any] | None = None  # field, values, next (the next value's index)
    students: list[Student] = field(default_factory=list)
    next_number: int = 1
    versions: int = 0  # activities pushed so far

    def check_token(self, token: str) -> bool:
        return hmac.compare_digest(self.token_hash, token_hash(token))

    def student(self, student_id: str) -> Student | None:
        return next((s for s in self.students if s.id == student_id), None)

    def locked(self, student: Student | None) -> list[str]:
        """The fields a student may not change: the activity's, and the experiment's."""
        names = list(self.activity["locked"]) if self.activity else []
        if self.experiment and student is not None and self.experiment["field"] not in names:
            names.append(self.experiment["field"])
        return names

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Room:
        data = dict(data)
        data["students"] = [Student(**s) for s in data.get("students", [])]
        return cls(**data)


class RoomStore(Protocol):
    def create(self, room: Room) -> None: ...
    def get(self, code: str) -> Room: ...
    def find(self, code: str, address: str) -> Room: ...
    def blocked(self, address: str) -> bool: ...
    def update(self, code: str, change: Callable[[Room], T]) -> tuple[Room, T]: ...
    def delete(self, code: str) -> Room: ...
    def publish(self, code: str, student: str, record: dict[str, Any]) -> None: ...
    def record(self, code: str, student: str) -> dict[str, Any] | None: ...
    def room_and_record(self, code: str, student: str) -> tuple[Room, dict[str, Any] | None]: ...
    def records(self, code: str) -> dict[str, dict[str, Any]]: ...
    def forget(self, code: str, student: str) -> None: ...
    def close(self) -> None: ...


class MemoryRoomStore:
    """Rooms in this process. ``get`` and ``find`` hand out the stored object: treat it
    as read-only; ``update`` replaces it by a changed copy."""

    def __init__(
        self,
        max_rooms: int,
        idle_timeout: float,
        max_misses: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.max_rooms = max_rooms
        self.idle_timeout = idle_timeout
        self.max_misses = max_misses
        self._clock = clock
        self._rooms: dict[str, Room] = {}
        self._used: dict[str, float] = {}
        self._records: dict[str, dict[str, dict[str, Any]]] = {}
        self._misses: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def create(self, room: Room) -> None:
        with self._lock:
            self._expire()
            if len(self._rooms) >= self.max_rooms:
                raise RoomsFull
            if room.code in self._rooms:
                raise CodeTaken
            self._rooms[room.code] = room
            self._used[room.code] = self._clock()
            self._records[room.code] = {}

    def get(self, code: str) -> Room:
        with self._lock:
            return self._live(code)

    def find(self, code: str, address: str) -> Room:
        """The room, or RoomNotFound counted against ``address`` (TooManyMisses beyond
        the limit)."""
        with self._lock:
            try:
                return self._live(code)
            except RoomNotFound:
                self._miss(address)
                raise

    def blocked(self, address: str) -> bool:
        with self._lock:
            return len(self._recent_misses(address)) >= self.max_misses

    def update(self, code: str, change: Callable[[Room], T]) -> tuple[Room, T]:
        with self._lock:
            room = copy.deepcopy(self._live(code))
            result = change(room)
            self._rooms[code] = room
            return room, result

    def delete(self, code: str) -> Room:
        with self._lock:
            room = self._live(code)
            self._drop(code)
            return room

    def publish(self, code: str, student: str, record: dict[str, Any]) -> None:
        with self._lock:
            records = self._records.get(code)
            if records is not None:
                records[student] = record

    def record(self, code: str, student: str) -> dict[str, Any] | None:
        with self._lock:
            return self._records.get(code, {}).get(student)

    def room_and_record(self, code: str, student: str) -> tuple[Room, dict[str, Any] | None]:
        with self._lock:
            return self._live(code), self._records.get(code, {}).get(student)

    def records(self, code: str) -> dict[str, dict[str, Any]]:
        with self._lock:
            return dict(self._records.get(code, {}))

    def forget(self, code: str, student: str) -> None:
        with self._lock:
            self._records.get(code, {}).pop(student, None)

    def close(self) -> None:
        with self._lock:
            self._rooms.clear()
            self._records.clear()

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._rooms)

    # -- under the lock ----------------------------------------------------------------------
    def _live(self, code: str) -> Room:
        room = self._rooms.get(code)
        now = self._clock()
        if room is None or now - self._used[code] > self.idle_timeout:
            if room is not None:
                self._drop(code)
            raise RoomNotFound(code)
        self._used[code] = now
        return room

    def _drop(self, code: str) -> None:
        self._rooms.pop(code, None)
        self._used.pop(code, None)
        self._records.pop(code, None)

    def _expire(self) -> None:
        now = self._clock()
        for code in [c for c, used in self._used.items() if now - used > self.idle_timeout]:
            self._drop(code)

    def _recent_misses(self, address: str) -> list[float]:
        now = self._clock()
        recent = [t for t in self._misses.get(address, []) if now - t < MISS_WINDOW]
        if recent:
            self._misses[address] = recent
        else:
            self._misses.pop(address, None)
        return recent

    def _miss(self, address: str) -> None:
        recent = self._recent_misses(address)
        if len(recent) >= self.max_misses:
            raise TooManyMisses(address)
        self._misses[address] = [*recent, self._clock()]
        if len(self._misses) > 10_000:  # bound the table: forget the oldest addresses
            for stale in list(self._misses)[: len(self._misses) - 10_000]:
                del self._misses[stale]
