"""Sessions in Redis, shared by any number of server processes on any number of machines.

Keys, for a session id ``I`` (prefix ``np:``):

- ``np:s:I``, a hash: ``meta`` (JSON: config, counters, random state, …), ``state`` (the
  packed parameters, optimizer state, carried gradient, dead weights), ``data`` (the
  packed training and test points), ``v`` (a version: a new random number on every save,
  so a copy can never match a different state, even after Redis lost its last writes);
  for a student's session also ``room`` and ``student`` (set once, when it is created).
- ``np:h:I``, a string: the loss history, 24 bytes a point (epoch, train and test loss,
  float64),
  written from the first changed point on (``SETRANGE``), so a step appends rather than
  rewriting the whole history.
- ``np:c:I``, a hash: one field per checkpoint (app/engine/checkpoints.py), named by its
  epoch, the packed state of ``pack_one``; a write sets the checkpoints that are new
  since the last and deletes those thinned out, so a step adds about one checkpoint an
  epoch rather than rewriting all 64. Only their list (epochs and losses) is in ``meta``;
  a state is read when a request needs it (a restore, a frame at an epoch).
- ``np:l:I``, the session's lock: a random token, set with ``NX`` and an expiry of
  ``LOCK_TTL`` seconds, so a process killed while holding it cannot hold it longer.
- ``np:lru``, a sorted set of ids by last use: beyond ``max_sessions`` the least recently
  used are deleted; both session keys expire after ``idle_timeout`` without a request.

The packed format is app/engine/snapshot.py's (JSON and raw little-endian arrays, never
pickle). Each process keeps the sessions it served recently in memory, with the version
it saw: a request takes the lock and the current version in one round trip, uses its copy
when the version matches and loads the session otherwise, and a write saves, bumps the
version and releases the lock in one atomic script — which refuses to write when the
lock has expired meanwhile or the session was deleted. Redis down: StoreUnavailable.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import redis
from redis.exceptions import BusyLoadingError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .engine import ConfigError, Trainer
from .engine.checkpoints import Checkpoint, State, pack_one, unpack_one
from .engine.messages import message_of
from .engine.snapshot import capture, pack, restore, unpack
from .store import Session, SessionNotFound, StoreUnavailable, new_session_id

LOCK_TTL = 10.0  # seconds: the longest a lock outlives a process that died holding it
LOCK_WAIT = 10.0  # seconds a request waits for a session another request is using
LOCAL_COPIES = 100  # sessions a process keeps a copy of (a miss costs one load, ~1 ms)
SOCKET_TIMEOUT = 2.0  # seconds: a Redis that does not answer by then counts as down
POINT = 24  # bytes of one history point: epoch, train and test loss, float64
DATA_KEYS = ("train_points", "train_labels", "test_points", "test_labels")
CUSTOM_KEYS = ("custom_points", "custom_labels")  # saved with the data, when there are any
HISTORY_KEYS = ("history_epochs", "train_history", "test_history")
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, BusyLoadingError, OSError)

# KEYS: lock, session. ARGV: token, ttl ms. → the version; -1 no such session; -2 locked.
ACQUIRE = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local v = redis.call('hget', KEYS[2], 'v')
  if not v then redis.call('del', KEYS[1]) return -1 end
  return tonumber(v)
end
return -2
"""

# KEYS: lock, session, history, lru, checkpoints. ARGV: token, idle ms, now, id, then for
# a write: meta, state, data ('' = unchanged), history offset (-1 = replace), history
# bytes, the new version, n, then n checkpoint fields and values to set, then the fields
# to delete. → 1 (done), -1 lock lost (expired), -2 session deleted.
RELEASE = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return -1 end
redis.call('del', KEYS[1])
if redis.call('exists', KEYS[2]) == 0 then return -2 end
if #ARGV > 4 then
  local last = 11 + 2 * tonumber(ARGV[11])
  for i = 12, last, 2 do redis.call('hset', KEYS[5], ARGV[i], ARGV[i + 1]) end
  for i = last + 1, #ARGV do redis.call('hdel', KEYS[5], ARGV[i]) end
  redis.call('hset', KEYS[2], 'meta', ARGV[5], 'state', ARGV[6])
  if ARGV[7] ~= '' then redis.call('hset', KEYS[2], 'data', ARGV[7]) end
  if tonumber(ARGV[8]) < 0 then
    redis.call('set', KEYS[3], ARGV[9])
  else
    redis.call('setrange', KEYS[3], tonumber(ARGV[8]), ARGV[9])
  end
  redis.call('hset', KEYS[2], 'v', ARGV[10])
end
redis.call('pexpire', KEYS[2], ARGV[2])
redis.call('pexpire', KEYS[3], ARGV[2])
redis.call('pexpire', KEYS[5], ARGV[2])
redis.call('zadd', KEYS[4], ARGV[3], ARGV[4])
return 1
"""

# KEYS: lru. ARGV: now, idle s, max sessions, key prefix. Drops the expired and, beyond
# the cap, the least recently used sessions; returns how many remain.
EVICT = """
redis.call('zremrangebyscore', KEYS[1], '-inf', ARGV[1] - ARGV[2])
local n = redis.call('zcard', KEYS[1])
local extra = n - tonumber(ARGV[3])
if extra > 0 then
  local old = redis.call('zpopmin', KEYS[1], extra)
  for i = 1, #old, 2 do
    redis.call('del', ARGV[4] .. 's:' .. old[i], ARGV[4] .. 'h:' .. old[i],
      ARGV[4] .. 'c:' .. old[i])
  end
  n = n - extra
end
return n
"""


@dataclass
class _Copy:
    """A session this process served, as of ``version``, and what is saved of it."""

    session: Session
    version: int
    saved_points: int  # history points in Redis
    saved_run: int  # the run those points belong to
    saved_tail: int  # the history's tail_index then (it moves when the history is thinned)
    saved_split: object  # the Split object whose data are in Redis
    saved_checkpoints: dict[int, Checkpoint]  # those in Redis, by epoch


class RedisStore:
    local = False

    def __init__(
        self,
        url: str,
        max_sessions: int,
        idle_timeout: float,
        *,
        prefix: str = "np:",
        clock: Any = time.time,
    ) -> None:
        self.redis = redis.Redis.from_url(
            url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT
        )
        self.max_sessions = max_sessions
        self.idle_timeout = idle_timeout
        self.prefix = prefix
        self._clock = clock
        self._acquire = self.redis.register_script(ACQUIRE)
        self._release = self.redis.register_script(RELEASE)
        self._evict = self.redis.register_script(EVICT)
        self._copies: OrderedDict[str, _Copy] = OrderedDict()  # most recent last
        self._lock = threading.Lock()

    # -- keys ------------------------------------------------------------------------------
    def _keys(self, sid: str) -> tuple[str, str, str]:
        return f"{self.prefix}s:{sid}", f"{self.prefix}h:{sid}", f"{self.prefix}l:{sid}"

    def _ckey(self, sid: str) -> str:
        return f"{self.prefix}c:{sid}"

    @property
    def _lru(self) -> str:
        return f"{self.prefix}lru"

    @property
    def _idle_ms(self) -> int:
        return max(1, int(self.idle_timeout * 1000))

    # -- the store interface -----------------------------------------------------------------
    def create(self, trainer: Trainer, room: str = "", student: str = "") -> Session:
        session = Session(new_session_id(), trainer, room=room, student=student)
        meta, state, data, history = _parts(trainer)
        key, hkey, _ = self._keys(session.id)
        with reachable():
            pipe = self.redis.pipeline(transaction=True)
            version = _new_version()
            pipe.hset(key, mapping={"meta": meta, "state": state, "data": data, "v": version})
            if room:
                pipe.hset(key, mapping={"room": room, "student": student})
            pipe.set(hkey, history)
            ckey = self._ckey(session.id)
            pipe.delete(ckey)
            new = _checkpoint_changes(trainer, {})[0]
            if new:
                pipe.hset(ckey, mapping=new)
            pipe.pexpire(key, self._idle_ms)
            pipe.pexpire(hkey, self._idle_ms)
            pipe.pexpire(ckey, self._idle_ms)
            pipe.zadd(self._lru, {session.id: self._clock()})
            pipe.execute()
            self._evict(keys=[self._lru], args=self._evict_args())
        self._remember(_copy_of(session, version))
        return session

    def find(self, session_id: str) -> RedisRef:
        key = self._keys(session_id)[0]
        with reachable():
            if not self.redis.exists(key):
                raise SessionNotFound(session_id)
        return RedisRef(self, session_id)

    def delete(self, session_id: str) -> None:
        key, hkey, _ = self._keys(session_id)
        with reachable():
            pipe = self.redis.pipeline(transaction=True)
            pipe.delete(key, hkey, self._ckey(session_id))
            pipe.zrem(self._lru, session_id)
            deleted, _ = pipe.execute()
        with self._lock:
            self._copies.pop(session_id, None)
        if not deleted:
            raise SessionNotFound(session_id)

    def check(self) -> None:
        with reachable():
            self.redis.ping()

    def close(self) -> None:
        self.redis.close()

    def __len__(self) -> int:
        with reachable():
            return int(self._evict(keys=[self._lru], args=self._evict_args()))

    def _evict_args(self) -> list[Any]:
        return [self._clock(), self.idle_timeout, self.max_sessions, self.prefix]

    # -- one request on one session --------------------------------------------------------
    @contextmanager
    def use(self, session_id: str, *, write: bool) -> Iterator[Session]:
        """The session with its lock held (in Redis, across processes); a write is saved
        on leaving without an exception. The lock is always given back."""
        key, hkey, lock = self._keys(session_id)
        token = secrets.token_hex(16)
        with reachable():
            version = self._lock_session(lock, key, token, session_id)
        released = False
        try:
            with reachable():
                copy = self._current(session_id, version)
            with copy.session.lock:  # threads of this process: the Redis lock serialises
                try:
                    yield copy.session
                    args = [token, self._idle_ms, self._clock(), session_id]
                    version = _new_version()
                    if write:
                        args += [*self._changes(copy), version]
                        t = copy.session.trainer
                        new, gone = _checkpoint_changes(t, copy.saved_checkpoints)
                        args += [len(new), *(x for pair in new.items() for x in pair), *gone]
                    with reachable():
                        result = int(
                            self._release(
                                keys=[lock, key, hkey, self._lru, self._ckey(session_id)],
                                args=args,
                            )
                        )
                    released = True
                except BaseException:
                    # A refused or failed write may have left this copy ahead of Redis.
                    if write:
                        self._forget(session_id)
                    raise
                if result == -2:
                    self._forget(session_id)
                    raise SessionNotFound(session_id)
                if result == -1:
                    self._forget(session_id)
                    raise StoreUnavailable("the session's lock expired before it was saved")
                if write:
                    # Saved: the states are in Redis now, this copy keeps only their list.
                    t = copy.session.trainer
                    t.checkpoints.keep_states_elsewhere(self._loader(session_id, t))
                    self._remember(_copy_of(copy.session, version))
        finally:
            if not released:
                self._unlock(lock, token)

    def _lock_session(self, lock: str, key: str, token: str, session_id: str) -> int:
        deadline = time.monotonic() + LOCK_WAIT
        pause = 0.0005
        while True:
            version = int(self._acquire(keys=[lock, key], args=[token, int(LOCK_TTL * 1000)]))
            if version == -1:
                raise SessionNotFound(session_id)
            if version >= 0:
                return version
            if time.monotonic() > deadline:
                raise StoreUnavailable("the session stayed locked too long")
            time.sleep(pause)
            pause = min(pause * 2, 0.01)

    def _unlock(self, lock: str, token: str) -> None:
        """Give the lock back after a failed request (nothing saved)."""
        try:
            if self.redis.get(lock) == token.encode():
                self.redis.delete(lock)
        except UNREACHABLE:
            pass  # it expires by itself

    def _current(self, session_id: str, version: int) -> _Copy:
        with self._lock:
            copy = self._copies.get(session_id)
            if copy is not None and copy.version == version:
                self._copies.move_to_end(session_id)
                return copy
        return self._remember(self._load(session_id, version))

    def _load(self, session_id: str, version: int) -> _Copy:
        key, hkey, _ = self._keys(session_id)
        pipe = self.redis.pipeline(transaction=True)
        pipe.hgetall(key)
        pipe.get(hkey)
        fields, history = pipe.execute()
        if not fields:
            raise SessionNotFound(session_id)
        meta, arrays = unpack(fields[b"state"])
        arrays.update(unpack(fields[b"data"])[1])
        points = np.frombuffer(history or b"", dtype="<f8").reshape(-1, len(HISTORY_KEYS))
        for column, name in enumerate(HISTORY_KEYS):
            arrays[name] = points[:, column].copy()
        meta.update(json.loads(fields[b"meta"]))
        trainer = restore(meta, arrays, lambda epoch: load(epoch))
        load = self._loader(session_id, trainer)
        room, student = fields.get(b"room", b"").decode(), fields.get(b"student", b"").decode()
        copy = _copy_of(Session(session_id, trainer, room=room, student=student), version)
        if "checkpoints" not in meta:  # saved before there were any: what restore made is new
            copy.saved_checkpoints = {}
        return copy

    def _loader(self, session_id: str, trainer: Trainer) -> Callable[[int], State]:
        """Reads the state of one of ``trainer``'s checkpoints from Redis (under the
        session's lock, as every use of a session is)."""

        def load(epoch: int) -> State:
            with reachable():
                raw = self.redis.hget(self._ckey(session_id), str(epoch))
            try:
                if not isinstance(raw, bytes):
                    raise ValueError("it is no longer stored")
                return unpack_one(*unpack(raw), trainer.net.params.size)
            except (ValueError, KeyError, TypeError) as exc:
                raise ConfigError(
                    "snapshot.checkpoint_unreadable", epoch=epoch, reason=message_of(exc)
                ) from None

        return load

    def _changes(self, copy: _Copy) -> list[Any]:
        """What a write sends: meta, state, data if it changed, the history from the
        first point that may have changed (a hand edit rewrites the last one), then the
        version (filled in by the caller) and the checkpoints that changed."""
        t = copy.session.trainer
        meta, state, data, history = _parts(t, data=t.split is not copy.saved_split)
        h = t.history
        if (t.run, h.tail_index) != (copy.saved_run, copy.saved_tail) or len(h) < copy.saved_points:
            start, history = -1, history
        else:
            first = max(copy.saved_points - 1, 0)
            start, history = first * POINT, history[first * POINT :]
        return [meta, state, data, start, history]

    def _remember(self, copy: _Copy) -> _Copy:
        with self._lock:
            self._copies[copy.session.id] = copy
            self._copies.move_to_end(copy.session.id)
            while len(self._copies) > min(self.max_sessions, LOCAL_COPIES):
                self._copies.popitem(last=False)
        return copy

    def _forget(self, session_id: str) -> None:
        with self._lock:
            self._copies.pop(session_id, None)


def _new_version() -> int:
    # ≥ 1 (the lock script answers -1 and -2 for errors), < 2⁵³ (exact as a Lua number)
    return secrets.randbits(52) + 1


def _copy_of(session: Session, version: int) -> _Copy:
    """A copy whose every part is as saved in Redis at ``version``."""
    t = session.trainer
    return _Copy(
        session,
        version,
        len(t.history),
        t.run,
        t.history.tail_index,
        t.split,
        {c.epoch: c for c in t.checkpoints.list()},
    )


@dataclass
class RedisRef:
    store: RedisStore
    id: str

    def read(self) -> Any:
        return self.store.use(self.id, write=False)

    def write(self) -> Any:
        return self.store.use(self.id, write=True)


def _checkpoint_changes(
    t: Trainer, saved: dict[int, Checkpoint]
) -> tuple[dict[Any, bytes], list[str]]:
    """The checkpoint fields to set (packed states of those not in ``saved``, or replaced
    since) and the fields to delete (those gone)."""
    current = {c.epoch: c for c in t.checkpoints.list()}
    new = {str(e): pack(*pack_one(c)) for e, c in current.items() if saved.get(e) is not c}
    return new, [str(e) for e in saved if e not in current]


def _parts(t: Trainer, *, data: bool = True) -> tuple[bytes, bytes, bytes, bytes]:
    """A trainer as Redis stores it: meta JSON (with the list of checkpoints), packed
    state, packed data (or b"" when ``data`` is False), history bytes."""
    meta, arrays = capture(t, checkpoint_states=False)
    split = {k: arrays.pop(k) for k in (*DATA_KEYS, *CUSTOM_KEYS) if k in arrays}
    history = np.column_stack([arrays.pop(k) for k in HISTORY_KEYS]).astype("<f8").tobytes()
    state = pack({"version": meta["version"]}, arrays)
    return (
        json.dumps(meta, separators=(",", ":")).encode(),
        state,
        pack({"version": meta["version"]}, split) if data else b"",
        history,
    )


@contextmanager
def reachable() -> Iterator[None]:
    """Redis errors that mean "not reachable now" become StoreUnavailable (503)."""
    try:
        yield
    except UNREACHABLE as exc:
        raise StoreUnavailable(str(exc)) from None
