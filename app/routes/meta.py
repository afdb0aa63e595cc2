"""Health, options (every choice and bound, for the page's controls) and the page itself."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from .. import __version__
from ..deps import SettingsDep
from ..engine import ACTIVATIONS, DATASETS, INITS, OPTIMIZERS, PROBLEMS, REGULARIZATIONS, Config
from ..engine import config as limits
from ..engine.features import FEATURE_LABELS
from ..schemas import Health
from ..serialize import DENSITY

router = APIRouter(tags=["meta"])


@router.get("/healthz", response_model=Health)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/api/options")
def options(settings: SettingsDep) -> dict[str, Any]:
    defaults = Config().to_dict()
    del defaults["seed"]
    return {
        "problems": list(PROBLEMS),
        "datasets": {
            p: [{"name": n, "label": s.label} for n, s in DATASETS.items() if s.problem == p]
            for p in PROBLEMS
        },
        "features": [{"name": n, "label": label} for n, label in FEATURE_LABELS.items()],
        "activations": list(ACTIVATIONS),
        "optimizers": list(OPTIMIZERS),
        "inits": list(INITS),
        "regularizations": list(REGULARIZATIONS),
        "learning_rates": list(limits.LEARNING_RATES),
        "regularization_rates": list(limits.REGULARIZATION_RATES),
        "learning_rate_decays": list(limits.LEARNING_RATE_DECAYS),
        "dropout_rates": list(limits.DROPOUT_RATES),
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
            "max_epochs_per_step": settings.max_epochs_per_step,
            "step_time_budget_ms": settings.step_time_budget * 1000,
            "max_predict_points": settings.max_predict_points,
            "thumb": [5, 50, 25],
            "density": DENSITY,
        },
        "defaults": defaults,
    }


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def page(request: Request) -> HTMLResponse:
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "index.html", {"version": __version__})  # type: ignore[no-any-return]
