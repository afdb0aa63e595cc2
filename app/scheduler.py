"""Training requests of one process, trained together where they can be.

A class trains many networks of one shape at once (the teacher pushed the same setup).
Step requests hand their training to one scheduler thread; it takes every request that
is waiting, groups them by ``shape_key`` and trains each group in one stacked pass
(``train_together``); a request alone in its group trains with ``Trainer.step``, as it
would without the scheduler. Each request keeps its own limits:

- its epochs, and its wall-clock deadline (the server's budget, waiting included);
- its CPU budget (``max_ms``): alone, the CPU time of its training as before; in a
  group of S, each stacked epoch's CPU time is shared out, 1/S to each member;
- a paced request (the page's fastest speeds: "as many epochs as ``max_ms`` allow") in
  a group of S trains for at most S / N of ``group_cpu`` seconds of CPU, N the sessions
  that asked in the last second (at least S), alone for at most 1 / N of it when N > 1:
  a class trains about ``group_cpu`` each time every student gets an answer, however
  its requests fall into rounds, and still gets its pictures often. A request for a
  fixed number of epochs (the fixed speeds) trains them, within its own limits.

After a group has trained, the same thread builds each request's answer (``then``: the
state and the frame's pictures) and hands it back at once, so that one thread does the
numerical work of every step and the request threads only encode and send: many
threads computing at once mostly fight over Python's GIL. Before a round the scheduler
waits up to ``gather`` seconds while a session of the same shape as a waiting request,
which asked in the last second, has not asked again (a class's next requests arrive as
their answers go out); a lone user, or users of different shapes, never wait. The
route holds the session's lock while it waits (a session is in at most one request at
a time).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .engine import Trainer
from .engine.stacked import shape_key, train_together

RECENT = 1.0  # seconds: a session that asked this recently is expected to ask again
R = TypeVar("R")


@dataclass(eq=False)
class _Job(Generic[R]):
    session: str
    trainer: Trainer
    epochs: int
    cpu: float  # seconds of CPU its training may take
    wall_end: float  # time.perf_counter() deadline
    paced: bool  # as many epochs as its CPU budget allows: the class's cap applies
    then: Callable[[int], R]  # the answer, given the epochs trained
    done: int = 0
    result: R | None = None
    charged: float = 0.0  # its share of the CPU time spent so far
    error: BaseException | None = None
    ready: threading.Event = field(default_factory=threading.Event)

    def out_of_time(self) -> bool:
        return self.charged >= self.cpu or time.perf_counter() >= self.wall_end


@dataclass
class Round:
    """What one round trained: the group sizes, for tests and benchmarks."""

    groups: list[int]


class Scheduler:
    def __init__(
        self,
        compute: threading.BoundedSemaphore,
        together: bool = True,
        gather: float = 0.005,
        group_cpu: float = 0.05,
    ) -> None:
        self.compute = compute
        self.together = together
        self.gather = gather
        self.group_cpu = group_cpu
        self.rounds: list[Round] = []  # the last few, newest last
        self._queue: list[_Job[Any]] = []
        self._seen: dict[str, tuple[float, Hashable]] = {}  # session → when, its shape
        self._cv = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    def train(
        self,
        session: str,
        trainer: Trainer,
        epochs: int,
        cpu: float,
        wall_end: float,
        then: Callable[[int], R],
        paced: bool = False,
    ) -> R:
        """Train ``trainer`` (whose session's lock the caller holds, and no compute
        slot) up to ``epochs`` epochs within ``cpu`` seconds of CPU and the deadline
        ``wall_end`` (at least one epoch unless diverged; ``paced``: the request asked
        for as many as ``cpu`` allows, and shares the class's cap); then
        ``then(epochs trained)`` on the same thread, whose result is returned."""
        job: _Job[R] = _Job(session, trainer, epochs, cpu, wall_end, paced, then)
        if not self.together:  # each alone, in the request's thread, as before
            with self.compute:
                _train_alone(job, job.cpu)
                return then(job.done)
        with self._cv:
            if self._closed:
                raise RuntimeError("the scheduler is closed")
            self._queue.append(job)
            self._seen[session] = (time.monotonic(), shape_key(trainer))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
                self._thread.start()
            self._cv.notify()
        job.ready.wait()
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[return-value]  # set with ready, as then's

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- the scheduler thread ------------------------------------------------------------
    def _run(self) -> None:
        while True:
            jobs = self._next_round()
            if jobs is None:
                return
            try:
                self._train_round(jobs)
            except BaseException as exc:  # never leave a request waiting
                for job in jobs:
                    if not job.ready.is_set():
                        job.error = job.error or exc
                        job.ready.set()
                if not isinstance(exc, Exception):
                    raise

    def _next_round(self) -> list[_Job[Any]] | None:
        """Every waiting request, once as many wait as sessions asked lately (or the
        first has waited ``gather``); None once closed."""
        with self._cv:
            while not self._queue:
                if self._closed:
                    return None
                self._cv.wait()
            deadline = time.monotonic() + self.gather
            while not self._closed:
                now = time.monotonic()
                for session, (when, _) in list(self._seen.items()):
                    if now - when > RECENT:
                        del self._seen[session]
                if now >= deadline or not self._missing():
                    break
                self._cv.wait(deadline - now)
            jobs, self._queue = self._queue, []
            return jobs

    def _missing(self) -> bool:
        """Whether a session that asked lately, of a shape that waits, is not waiting:
        its request may be on the way, to be trained with them (under the lock)."""
        waiting = {job.session for job in self._queue}
        shapes = {self._seen[s][1] for s in waiting if s in self._seen}
        return any(s not in waiting and shape in shapes for s, (_, shape) in self._seen.items())

    def _train_round(self, jobs: list[_Job[Any]]) -> None:
        """Train each group, then answer its requests one by one (an error reaches the
        requests it concerns)."""
        expected = max(1, len(self._seen))  # read without the lock: a count, for a budget
        groups: dict[Hashable, list[_Job[Any]]] = {}
        for job in jobs:
            groups.setdefault(shape_key(job.trainer), []).append(job)
        self.rounds = [*self.rounds[-9:], Round([len(g) for g in groups.values()])]
        for group in groups.values():
            try:
                cap = self.group_cpu * len(group) / max(len(group), expected)
                if len(group) == 1:
                    job = group[0]
                    _train_alone(job, min(job.cpu, cap) if job.paced and expected > 1 else job.cpu)
                else:
                    self._train_group(group, cap)
            except Exception as exc:  # this group's requests fail; the others go on
                for job in group:
                    job.error = exc
            for job in group:
                if job.error is None:
                    try:
                        job.result = job.then(job.done)
                    except Exception as exc:
                        job.error = exc
                job.ready.set()

    def _train_group(self, group: list[_Job[Any]], cap: float) -> None:
        spent = 0.0
        last = time.thread_time()

        def stop(training: list[int]) -> list[int]:
            nonlocal spent, last
            now = time.thread_time()
            share = (now - last) / max(1, len(training))
            spent += now - last
            last = now
            for i in training:
                group[i].charged += share
            capped = spent >= cap
            return [i for i in training if group[i].out_of_time() or (capped and group[i].paced)]

        done = train_together([job.trainer for job in group], [job.epochs for job in group], stop)
        for job, n in zip(group, done, strict=True):
            job.done = n


def _train_alone(job: _Job[Any], cpu: float) -> None:
    """``Trainer.step`` with the request's limits: ``cpu`` seconds of CPU time on this
    thread, and the wall-clock deadline."""
    cpu_end = time.thread_time() + cpu

    def stop() -> bool:
        return time.thread_time() >= cpu_end or time.perf_counter() >= job.wall_end

    job.done = job.trainer.step(job.epochs, stop=stop)
