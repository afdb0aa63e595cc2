"""Twin runs (app/comparisons.py): create, step, read and delete a comparison of 2–4
sessions, and the compare page (/compare)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from .. import serialize
from ..comparisons import (
    MAX_RUNS,
    MIN_RUNS,
    Comparison,
    build_runs,
    run_configs,
    train_together,
)
from ..deps import ComparisonsDep, ComputeDep, LangDep, SettingsDep, StoreDep
from ..engine import ConfigError
from ..engine.messages import text
from ..errors import ApiError, responses
from ..schemas import (
    THUMB_DEFAULT,
    THUMB_MAX,
    THUMB_MIN,
    ConfigOut,
    ConfigPatch,
    Finite,
    State,
    StepOut,
    Strict,
)
from ..store import Session, SessionNotFound, SessionStore
from .sessions import random_seed

router = APIRouter(
    prefix="/api/comparisons", tags=["compare"], responses=responses(400, 404, 413, 422, 503)
)
pages = APIRouter(include_in_schema=False)

UNKNOWN = text("comparison.unknown")  # in English, as the API says it by default
RUNS_GONE = text("comparison.runs_gone")


class ComparisonIn(Strict):
    """A base configuration (missing fields: the defaults; no seed: a random one, the
    same for every run) and 2–4 variants, each the changes one run makes to it."""

    config: ConfigPatch | None = None
    variants: Annotated[list[ConfigPatch], Field(min_length=MIN_RUNS, max_length=MAX_RUNS)]


class ComparisonStepIn(Strict):
    """Train every run ``epochs`` epochs, in lockstep (fewer, the same for all, when the
    time runs out); ``frame`` adds each run's frame (its history from ``since``)."""

    epochs: Annotated[int, Field(ge=1)] = 1
    max_ms: Annotated[Finite, Field(gt=0)] | None = None
    frame: bool = False
    since: Annotated[int, Field(ge=0)] = 0
    thumb: Annotated[int, Field(ge=THUMB_MIN, le=THUMB_MAX)] = THUMB_DEFAULT


class _ComparisonBase(BaseModel):
    id: str
    config: ConfigOut
    variants: list[dict[str, Any]]


class ComparisonOut(_ComparisonBase):
    """The comparison: its base config, each run's changes, and each run's state (its
    ``id`` is the run's session id, for the per-session routes)."""

    runs: list[State]


class ComparisonStepOut(_ComparisonBase):
    runs: list[StepOut]


async def get_comparison(comparison_id: str, comparisons: ComparisonsDep) -> tuple[str, Comparison]:
    """The comparison or 404 (Redis is asked from the thread pool)."""
    found = await run_in_threadpool(comparisons.load, comparison_id)
    if found is None:
        raise ApiError(404, "comparison.unknown")
    return comparison_id, found


ComparisonDep = Annotated[tuple[str, Comparison], Depends(get_comparison)]


@contextmanager
def _runs(store: SessionStore, comparison: Comparison, *, write: bool) -> Iterator[list[Session]]:
    """Every run's session, all locked (always in the runs' order, so two requests on one
    comparison cannot deadlock); 404 when one is gone."""
    try:
        with ExitStack() as stack:
            sessions = []
            for session_id in comparison.runs:
                ref = store.find(session_id)
                sessions.append(stack.enter_context(ref.write() if write else ref.read()))
            yield sessions
    except SessionNotFound:
        raise ApiError(404, "comparison.runs_gone") from None


def _out(comparison_id: str, comparison: Comparison, runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": comparison_id,
        "config": comparison.config,
        "variants": comparison.variants,
        "runs": runs,
    }


@router.post("", status_code=201, response_model=ComparisonOut)
def create_comparison(
    body: ComparisonIn, store: StoreDep, comparisons: ComparisonsDep, lang: LangDep
) -> dict[str, Any]:
    """A run (a new session) per variant; nothing is created when one is refused (422)."""
    base = body.config.changes() if body.config else {}
    base.setdefault("seed", random_seed())
    variants = [v.changes() for v in body.variants]
    try:
        start, configs = run_configs(base, variants)
        trainers = build_runs(configs)
    except ConfigError as exc:
        raise ApiError.of(exc) from None
    sessions = [store.create(trainer) for trainer in trainers]
    comparison = Comparison(start.to_dict(), variants, [session.id for session in sessions])
    comparison_id = comparisons.save(comparison)
    return _out(comparison_id, comparison, [serialize.state(s, lang) for s in sessions])


@router.get("/{comparison_id}", response_model=ComparisonOut)
def read_comparison(found: ComparisonDep, store: StoreDep, lang: LangDep) -> dict[str, Any]:
    comparison_id, comparison = found
    with _runs(store, comparison, write=False) as sessions:
        return _out(comparison_id, comparison, [serialize.state(s, lang) for s in sessions])


@router.post("/{comparison_id}/step", response_model=ComparisonStepOut)
def step_comparison(
    found: ComparisonDep,
    body: ComparisonStepIn,
    store: StoreDep,
    settings: SettingsDep,
    compute: ComputeDep,
    lang: LangDep,
) -> dict[str, Any]:
    """As a session's step, with one budget of time for all the runs together."""
    comparison_id, comparison = found
    if body.epochs > settings.max_epochs_per_step:
        raise ApiError(
            422, "session.too_many_steps", unit="epochs", most=settings.max_epochs_per_step
        )
    wall_end = time.perf_counter() + settings.step_time_budget
    cpu = settings.step_time_budget
    if body.max_ms is not None:
        cpu = min(cpu, body.max_ms / 1000.0)
    with _runs(store, comparison, write=True) as sessions, compute:
        runs = _train(sessions, body, cpu, wall_end, lang)
    return _out(comparison_id, comparison, runs)


def _train(
    sessions: list[Session], body: ComparisonStepIn, cpu: float, wall_end: float, lang: str
) -> list[dict[str, Any]]:
    """Train under the runs' locks and a compute slot; each run's state (and frame)."""
    cpu_end = time.thread_time() + cpu

    def stop() -> bool:
        return time.thread_time() >= cpu_end or time.perf_counter() >= wall_end

    trainers = [s.trainer for s in sessions]
    done = train_together(trainers, body.epochs, stop)
    runs = []
    for session, epochs_run in zip(sessions, done, strict=True):
        out = serialize.state(session, lang)
        out["epochs_run"] = epochs_run
        out["batches_run"] = 0
        out["batch_points"] = None
        out["frame"] = (
            serialize.frame(session, body.since, body.thumb, None) if body.frame else None
        )
        runs.append(out)
    return runs


@router.delete("/{comparison_id}", status_code=204)
def delete_comparison(comparison_id: str, store: StoreDep, comparisons: ComparisonsDep) -> Response:
    """Forget the comparison and delete its runs' sessions (those still there)."""
    comparison = comparisons.delete(comparison_id)
    if comparison is None:
        raise ApiError(404, "comparison.unknown")
    for session_id in comparison.runs:
        with suppress(SessionNotFound):
            store.delete(session_id)
    return Response(status_code=204)


@pages.get("/compare")
def compare_page(request: Request) -> FileResponse:
    """The compare page (static/compare.html): plain HTML, its scripts under /static."""
    settings = request.app.state.settings
    return FileResponse(settings.static_dir / "compare.html", media_type="text/html")
