"""The scheduler (app/scheduler.py): requests that wait together train together, each
exactly as it would alone; a lone request never waits; the limits of each hold."""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import pytest

from app.engine import Config, Trainer
from app.scheduler import Scheduler

SPIRAL = {"dataset": "spiral", "hidden_layers": (8, 8, 8), "optimizer": "adam"}
FAR = 1e9  # no deadline


def answer(epochs: int) -> int:
    return epochs


def make(count: int, **common: Any) -> list[Trainer]:
    return [Trainer(Config(**{**SPIRAL, **common, "seed": s})) for s in range(count)]


def at_once(
    scheduler: Scheduler,
    trainers: list[Trainer],
    epochs: int,
    cpu: float = FAR,
    paced: bool = False,
) -> list[int]:
    """Every trainer's request from a thread of its own, all at once."""
    done = [0] * len(trainers)
    start = threading.Barrier(len(trainers))

    def ask(i: int) -> None:
        start.wait()
        done[i] = scheduler.train(
            f"s{i}", trainers[i], epochs, cpu, time.perf_counter() + FAR, answer, paced
        )

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(trainers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return done


@pytest.fixture
def scheduler() -> Any:
    s = Scheduler(threading.BoundedSemaphore(2), gather=0.2, group_cpu=FAR)
    yield s
    s.close()


def test_requests_at_once_train_together_and_equal_alone(scheduler: Scheduler) -> None:
    together, alone = make(6, dropout=0.1), make(6, dropout=0.1)
    at_once(scheduler, together[:1], 2)  # the first session seen: trained alone
    assert scheduler.rounds[-1].groups == [1]
    at_once(scheduler, together, 5)
    # The barrier starts them within ms: the first may go alone, the others wait for it.
    assert max(g for r in scheduler.rounds[1:] for g in r.groups) >= 2
    assert sum(sum(r.groups) for r in scheduler.rounds) == 7
    alone[0].step(2)
    for a, b in zip(together, alone, strict=True):
        b.step(5)
        assert a.epoch == b.epoch
        assert np.abs(a.net.params - b.net.params).max() <= 1e-12
        np.testing.assert_allclose(a.history.train, b.history.train, rtol=0, atol=1e-12)


def test_a_lone_request_does_not_wait() -> None:
    s = Scheduler(threading.BoundedSemaphore(2), gather=0.5)
    try:
        (t,) = make(1)
        s.train("a", t, 1, FAR, FAR, answer)  # warm: the thread started
        began = time.perf_counter()
        for _ in range(20):
            s.train("a", t, 1, FAR, FAR, answer)
        assert (time.perf_counter() - began) / 20 < 0.1  # far below the 0.5 s gather
        assert all(r.groups == [1] for r in s.rounds)
    finally:
        s.close()


def test_shapes_are_trained_apart(scheduler: Scheduler) -> None:
    trainers = make(3) + make(3, hidden_layers=(4,))
    at_once(scheduler, trainers, 3)
    assert sum(sum(r.groups) for r in scheduler.rounds) == 6
    assert all(t.epoch == 3 for t in trainers)
    for t in trainers:
        (fresh,) = [Trainer(t.config)]
        fresh.step(3)
        assert np.abs(fresh.net.params - t.net.params).max() <= 1e-12


def test_a_group_shares_its_cpu_and_is_capped() -> None:
    """A group stops at its CPU cap; every member got at least one epoch and the same
    weights as alone for the epochs it got."""
    s = Scheduler(threading.BoundedSemaphore(2), gather=0.2, group_cpu=0.02)
    try:
        trainers = make(8)
        at_once(s, trainers, 1)  # now seen: the next requests wait for each other
        done = at_once(s, trainers, 10_000, paced=True)
        assert all(n >= 1 for n in done)
        assert max(done) < 10_000
        for t, n in zip(trainers, done, strict=True):
            fresh = Trainer(t.config)
            fresh.step(1 + n)
            assert np.abs(fresh.net.params - t.net.params).max() <= 1e-12
    finally:
        s.close()


def test_each_request_keeps_its_own_budget(scheduler: Scheduler) -> None:
    """A member's CPU budget is its share of the stacked passes: with a tiny one it
    trains one epoch; the deadline stops it too."""
    trainers = make(4)
    done = at_once(scheduler, trainers, 10_000, cpu=1e-6)
    assert done == [1, 1, 1, 1]
    past = time.perf_counter() - 1
    assert scheduler.train("late", trainers[0], 50, FAR, past, answer) == 1


def test_without_training_together_each_trains_alone() -> None:
    s = Scheduler(threading.BoundedSemaphore(2), together=False)
    trainers = make(4)
    assert at_once(s, trainers, 3) == [3, 3, 3, 3]
    assert s.rounds == []
    s.close()


def test_a_failure_reaches_the_requests_of_that_round_only(scheduler: Scheduler) -> None:
    (good,) = make(1)
    (bad,) = make(1, hidden_layers=(2,))
    bad.step = lambda *a, **k: 1 / 0  # type: ignore[method-assign]
    with pytest.raises(ZeroDivisionError):
        scheduler.train("bad", bad, 1, FAR, FAR, answer)
    assert scheduler.train("good", good, 2, FAR, FAR, answer) == 2  # the thread lives on


def test_the_answer_is_built_on_the_scheduler_thread(scheduler: Scheduler) -> None:
    """``then`` runs on the scheduler's thread after the training, with the epochs
    trained; its error reaches its own request only."""
    (t,) = make(1)
    where: list[str] = []

    def then(epochs: int) -> tuple[int, int]:
        where.append(threading.current_thread().name)
        return epochs, t.epoch

    assert scheduler.train("a", t, 3, FAR, FAR, then) == (3, 3)
    assert where == ["scheduler"]

    def broken(epochs: int) -> int:
        raise LookupError("no frame")

    with pytest.raises(LookupError):
        scheduler.train("a", t, 1, FAR, FAR, broken)
    assert scheduler.train("a", t, 1, FAR, FAR, answer) == 1


def test_the_cap_is_for_paced_requests_only() -> None:
    """A request for a fixed number of epochs gets them all in a class; a paced one
    alone in its round, while others asked lately, gets its 1 / N of the cap."""
    s = Scheduler(threading.BoundedSemaphore(2), gather=0.2, group_cpu=0.002)
    try:
        trainers = make(4)
        at_once(s, trainers, 1)  # seen
        assert at_once(s, trainers, 12) == [12, 12, 12, 12]
        (other,) = make(1, hidden_layers=(8, 8))  # a shape of its own, paced
        done = s.train("s0", other, 10_000, FAR, time.perf_counter() + FAR, answer, True)
        assert 1 <= done < 10_000
    finally:
        s.close()


def test_nobody_waits_for_sessions_of_another_shape() -> None:
    """Two users of different shapes, one after the other: neither round waits."""
    s = Scheduler(threading.BoundedSemaphore(2), gather=0.5)
    try:
        (a,) = make(1)
        (b,) = make(1, hidden_layers=(4,))
        s.train("a", a, 1, FAR, FAR, answer)
        s.train("b", b, 1, FAR, FAR, answer)
        began = time.perf_counter()
        for _ in range(5):
            s.train("a", a, 1, FAR, FAR, answer)
            s.train("b", b, 1, FAR, FAR, answer)
        assert (time.perf_counter() - began) / 10 < 0.25  # the 0.5 s gather never ran out
    finally:
        s.close()
