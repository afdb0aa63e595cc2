"""Health, options (every choice and bound, for the page's controls) and the page itself."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from .. import __version__, serialize
from ..deps import SettingsDep, StoreDep
from ..engine import FIELD, FIELDS, PROBLEMS, Config
from ..engine import config as limits
from ..errors import UNAVAILABLE
from ..schemas import THUMB_DEFAULT, THUMB_MAX, THUMB_MIN, Health, Options
from ..serialize import DENSITY
from ..store import StoreUnavailable

router = APIRouter(tags=["meta"])


@router.get(
    "/healthz",
    response_model=Health,
    response_model_exclude_none=True,
    responses={503: {"model": Health}},
)
def healthz(store: StoreDep) -> Any:
    """ok, or 503 when the session store (Redis) does not answer."""
    try:
        store.check()
    except StoreUnavailable:
        body = {"status": "unavailable", "detail": UNAVAILABLE}
        return JSONResponse(body, status_code=503)
    return {"status": "ok", "detail": None}


@router.get("/api/options", response_model=Options)
def options(settings: SettingsDep) -> dict[str, Any]:
    """Every setting (the engine's table, ``fields``) and every limit the page needs.

    The older lists (``activations``, ``learning_rates``, …) are kept for API clients;
    each is derived from the same table."""
    defaults = Config().to_dict()
    del defaults["seed"]
    field = {f["name"]: f for f in (serialize.field(f) for f in FIELDS)}
    return {
        "fields": list(field.values()),
        "problems": list(PROBLEMS),
        "datasets": {
            p: [
                {"name": c["name"], "label": c["label"]}
                for c in field["dataset"]["choices"]
                if c["problem"] == p
            ]
            for p in PROBLEMS
        },
        "features": [
            {"name": c["name"], "label": c["label"]} for c in field["features"]["choices"]
        ],
        "activations": FIELD["activation"].names,
        "optimizers": FIELD["optimizer"].names,
        "inits": FIELD["init"].names,
        "regularizations": FIELD["regularization"].names,
        "learning_rates": FIELD["learning_rate"].steps,
        "regularization_rates": FIELD["regularization_rate"].steps,
        "learning_rate_decays": FIELD["learning_rate_decay"].steps,
        "dropout_rates": FIELD["dropout"].steps,
        "limits": {
            "max_hidden_layers": limits.MAX_HIDDEN_LAYERS,
            "max_neurons": limits.MAX_NEURONS,
            "batch_size": list(limits.BATCH_SIZE),
            "noise": list(limits.NOISE),
            "train_ratio": list(limits.TRAIN_RATIO),
            "max_learning_rate": limits.MAX_LEARNING_RATE,
            "max_regularization_rate": limits.MAX_REGULARIZATION_RATE,
            "dropout": [0, 1],
            "max_seed": limits.MAX_SEED,
            "max_seed_length": limits.MAX_SEED_LENGTH,
            "grid_extent": limits.GRID_EXTENT,
            "max_weight": limits.MAX_WEIGHT,
            "max_epochs_per_step": settings.max_epochs_per_step,
            "step_time_budget_ms": settings.step_time_budget * 1000,
            "max_predict_points": settings.max_predict_points,
            "thumb": [THUMB_MIN, THUMB_MAX, THUMB_DEFAULT],
            "density": DENSITY,
        },
        "defaults": defaults,
    }


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def page(request: Request) -> HTMLResponse:
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "index.html", {"version": __version__})  # type: ignore[no-any-return]
