"""The session store: the only shared mutable state of the server.

``SessionStore`` is the small interface the routes use: ``find`` gives a ``SessionRef``,
whose ``read()`` and ``write()`` hold the session's lock while the route works on it
(``write`` also saves it afterwards, where the store keeps sessions elsewhere).
``MemoryStore`` keeps sessions in this process, bounded by a maximum count (least
recently used evicted first) and an idle time-out; ``RedisStore`` (app/redis_store.py)
shares them between processes and machines.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from .engine import Trainer


class SessionNotFound(KeyError):
    """No session with that id: unknown, deleted, expired or evicted."""


@dataclass
class Session:
    id: str
    trainer: Trainer
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_used: float = field(default_factory=time.monotonic)
    cache: dict[str, Any] = field(default_factory=dict)  # derived data, e.g. frame grids
    room: str = ""  # a student's session: the room's code and the student's id
    student: str = ""


class StoreUnavailable(RuntimeError):
    """The store cannot be reached (e.g. Redis is down); the request may be retried."""


class SessionRef(Protocol):
    @property
    def id(self) -> str: ...

    def read(self) -> AbstractContextManager[Session]: ...
    def write(self) -> AbstractContextManager[Session]: ...


class SessionStore(Protocol):
    local: bool  # True when every call is answered from this process's memory

    def create(self, trainer: Trainer, room: str = "", student: str = "") -> Session: ...
    def find(self, session_id: str) -> SessionRef: ...
    def delete(self, session_id: str) -> None: ...
    def check(self) -> None: ...
    def close(self) -> None: ...
    def __len__(self) -> int: ...


@dataclass
class LocalRef:
    """A session held in this process: reading and writing both just take its lock."""

    session: Session

    @property
    def id(self) -> str:
        return self.session.id

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.session.lock:
            yield self.session

    write = read


def new_session_id() -> str:
    """192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


class MemoryStore:
    local = True

    def __init__(
        self,
        max_sessions: int,
        idle_timeout: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_sessions = max_sessions
        self.idle_timeout = idle_timeout
        self._clock = clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()  # oldest use first
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def create(self, trainer: Trainer, room: str = "", student: str = "") -> Session:
        session = Session(
            new_session_id(), trainer, last_used=self._clock(), room=room, student=student
        )
        with self._lock:
            self._expire()
            while len(self._sessions) >= self.max_sessions:
                self._sessions.popitem(last=False)
            self._sessions[session.id] = session
        return session

    def get(self, session_id: str) -> Session:
        now = self._clock()
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                raise SessionNotFound(session_id)
            if now - session.last_used > self.idle_timeout:
                del self._sessions[session_id]
                raise SessionNotFound(session_id)
            session.last_used = now
            self._sessions.move_to_end(session_id)
            return session

    def find(self, session_id: str) -> LocalRef:
        return LocalRef(self.get(session_id))

    def delete(self, session_id: str) -> None:
        with self._lock:
            if self._sessions.pop(session_id, None) is None:
                raise SessionNotFound(session_id)

    def check(self) -> None:
        """Always reachable."""

    def close(self) -> None:
        with self._lock:
            self._sessions.clear()

    def _expire(self) -> None:
        """Drop sessions idle past the time-out (they are at the front of the order)."""
        now = self._clock()
        while self._sessions:
            oldest = next(iter(self._sessions.values()))
            if now - oldest.last_used <= self.idle_timeout:
                break
            self._sessions.popitem(last=False)
