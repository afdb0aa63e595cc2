"""The session store: the only shared mutable state of the server.

``SessionStore`` is the small interface the routes use; ``MemoryStore`` keeps sessions
in this process, bounded by a maximum count (least recently used evicted first) and an
idle time-out. A store shared by several processes (e.g. Redis) would implement the same
interface, serialising each session with ``Trainer.export``-like state.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
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


class SessionStore(Protocol):
    def create(self, trainer: Trainer) -> Session: ...
    def get(self, session_id: str) -> Session: ...
    def delete(self, session_id: str) -> None: ...
    def __len__(self) -> int: ...


def new_session_id() -> str:
    """192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


class MemoryStore:
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

    def create(self, trainer: Trainer) -> Session:
        session = Session(new_session_id(), trainer, last_used=self._clock())
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

    def delete(self, session_id: str) -> None:
        with self._lock:
            if self._sessions.pop(session_id, None) is None:
                raise SessionNotFound(session_id)

    def _expire(self) -> None:
        """Drop sessions idle past the time-out (they are at the front of the order)."""
        now = self._clock()
        while self._sessions:
            oldest = next(iter(self._sessions.values()))
            if now - oldest.last_used <= self.idle_timeout:
                break
            self._sessions.popitem(last=False)
