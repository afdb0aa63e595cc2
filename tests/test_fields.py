"""The table of settings (app/engine/config.py FIELDS) is the one source of truth: the
engine's Config, validation and reset rules, the schemas, OpenAPI and /api/options all
follow it; the loss and penalty tables pair each value with its derivative."""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

import app.engine.config as config_module
from app.engine import FIELDS, Config, apply_changes
from app.engine.config import Choice, Field
from app.engine.losses import REGULARIZATIONS, SQUARED


def test_config_attributes_are_the_rows_of_the_table() -> None:
    attributes = {f.name: f.default for f in dataclasses.fields(Config)}
    assert list(attributes) == [f.name for f in FIELDS]
    for f in FIELDS:
        assert attributes[f.name] == f.default, f.name


def _other_value(f: Field) -> Any:
    """A valid value of ``f`` different from its default."""
    if f.kind == "choice":
        return next(n for n in f.names if n != f.default)
    if f.kind == "features":
        return ["x1"]
    if f.kind == "layers":
        return [3]
    if f.steps:
        return next(v for v in f.steps if v != f.default)
    assert f.max is not None
    return f.max if not f.max_exclusive else (f.min or 0) + 1


@pytest.mark.parametrize("field", [f for f in FIELDS if f.name != "dataset"], ids=lambda f: f.name)
def test_changing_a_field_does_what_its_row_says(field: Field) -> None:
    _, what = apply_changes(Config(), {field.name: _other_value(field)})
    assert what == {"live": "live", "network": "reset", "data": "data"}[field.reset]


def test_every_bound_of_a_numeric_row_is_enforced_by_the_engine() -> None:
    for f in FIELDS:
        if f.kind not in ("number", "integer"):
            continue
        assert f.min is not None and f.max is not None
        for outside in (f.min - 1, f.max + 1):
            with pytest.raises(ValueError, match=f.name):
                f.check(outside)
        edge = f.min if f.min_exclusive else f.max if f.max_exclusive else None
        if edge is not None:
            with pytest.raises(ValueError, match=f.name):
                f.check(edge)


# -- a throwaway row shows up everywhere without other code changes ---------------------------

THROWAWAY = Field(
    "momentum_beta", "number", "Momentum β", 0.9, "live", "select", "beta", "beta",
    min=0, max=1, max_exclusive=True, steps=(0.5, 0.9, 0.99),
)  # fmt: skip
REBUILT = (
    "app.schemas",
    "app.errors",
    "app.routes.meta",
    "app.routes.sessions",
    "app.routes.data",
    "app.routes.explain",
    "app.routes.checkpoints",
    "app.routes.script",
    "app.routes.comparisons",
    "app.routes.rooms",
    "app.routes.lessons",
    "app.main",
)


def _reload() -> ModuleType:
    modules = [importlib.import_module(name) for name in REBUILT]
    for module in modules:
        importlib.reload(module)
    return modules[-1]


@pytest.fixture
def app_with_throwaway_field(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setattr(config_module, "FIELDS", (*config_module.FIELDS, THROWAWAY))
    monkeypatch.setattr("app.engine.FIELDS", config_module.FIELDS)
    main = _reload()
    try:
        yield main.create_app()
    finally:
        monkeypatch.undo()
        _reload()


def test_a_new_row_appears_in_the_schemas_and_options(app_with_throwaway_field: Any) -> None:
    with TestClient(app_with_throwaway_field) as client:
        schemas = client.get("/openapi.json").json()["components"]["schemas"]
        patch = schemas["ConfigPatch"]["properties"]["momentum_beta"]
        number = next(s for s in patch["anyOf"] if s.get("type") == "number")
        assert (number["minimum"], number["exclusiveMaximum"]) == (0, 1)
        assert "momentum_beta" in schemas["ConfigOut"]["required"]
        options = client.get("/api/options").json()
        row = next(f for f in options["fields"] if f["name"] == "momentum_beta")
        assert row["steps"] == [0.5, 0.9, 0.99] and row["url_key"] == "beta"
        assert row["reset"] == "live" and row["control_id"] == "beta"
    patch_model = importlib.import_module("app.schemas").ConfigPatch
    assert patch_model.model_validate({"momentum_beta": 0.5}).changes() == {"momentum_beta": 0.5}
    with pytest.raises(ValueError, match="momentum_beta"):
        patch_model.model_validate({"momentum_beta": 1})


def test_the_app_without_the_throwaway_row_does_not_know_it() -> None:
    from app.main import create_app

    with TestClient(create_app()) as client:
        names = [f["name"] for f in client.get("/api/options").json()["fields"]]
        assert names == [f.name for f in FIELDS] and "momentum_beta" not in names


def test_options_rows_carry_the_references_url_keys() -> None:
    from app.main import create_app

    with TestClient(create_app()) as client:
        rows = {f["name"]: f for f in client.get("/api/options").json()["fields"]}
    features = {c["name"]: c["url_key"] for c in rows["features"]["choices"]}
    assert features == {
        "x1": "x", "x2": "y", "x1_squared": "xSquared", "x2_squared": "ySquared",
        "x1_x2": "xTimesY", "sin_x1": "sinX", "sin_x2": "sinY",
    }  # fmt: skip
    datasets = {c["name"]: c["url_value"] for c in rows["dataset"]["choices"]}
    assert datasets["plane"] == "reg-plane" and datasets["multigauss"] == "reg-gauss"
    assert rows["dataset"]["url_keys"] == {"regression": "regDataset", "multiclass": "mcDataset"}
    assert rows["hidden_layers"]["url_key"] == "networkShape"
    assert rows["train_ratio"]["url_key"] == "percTrainData"
    zero = next(c for c in rows["init"]["choices"] if c["name"] == "zero")
    assert zero == Choice("zero", "Zero", url_flag="initZero").__dict__
    assert rows["seed"]["default"] is None


# -- the (value, derivative) tables, against finite differences --------------------------------


def _numeric_derivative(f: Any, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    return (f(x + h) - f(x - h)) / (2 * h)  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", list(REGULARIZATIONS))
def test_penalty_derivatives_match_finite_differences(name: str) -> None:
    penalty = REGULARIZATIONS[name]
    w = np.random.default_rng(3).uniform(-2, 2, 50)
    w = w[np.abs(w) > 1e-3]  # |w| has no derivative at 0
    analytic = penalty.deriv(w, np.empty_like(w))
    np.testing.assert_allclose(analytic, _numeric_derivative(penalty.value, w), atol=1e-6)


def test_squared_loss_by_hand_and_its_derivative() -> None:
    out, target = np.array([0.5, -1.0, 2.0]), np.array([1.0, 1.0, -1.0])
    np.testing.assert_allclose(SQUARED.value(out, target), [0.125, 2.0, 4.5])
    analytic = SQUARED.deriv(out, target, np.empty(3))
    numeric = _numeric_derivative(lambda o: SQUARED.value(o, target), out)
    np.testing.assert_allclose(analytic, numeric, atol=1e-6)
