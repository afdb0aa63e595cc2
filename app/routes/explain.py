"""Explain one training step on one point: the forward pass, the loss, the backward pass
and the SGD update (``app.engine.explain``); applied only when asked."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .. import classroom
from ..deps import LangDep, RoomsDep, SessionDep
from ..engine import ConfigError
from ..engine import config as limits
from ..engine.datafile import validate_points
from ..engine.explain import apply, explain
from ..errors import ApiError, responses
from ..schemas import DataPoint, Label, State, Strict
from ..store import Session
from .sessions import _state

router = APIRouter(
    prefix="/api/sessions", tags=["explain"], responses=responses(400, 404, 413, 422, 503)
)


def _either_shape(schema: dict[str, Any]) -> None:
    """The JSON schema says what the validator checks: a point and its label, or an
    index (each with the optional ``apply``), not a mix."""
    fields = schema.pop("properties")
    schema.pop("required", None)
    schema.pop("additionalProperties", None)
    schema["oneOf"] = [
        {
            "type": "object",
            "properties": {k: _not_null(fields[k]) for k in (*names, "apply")},
            "required": list(names),
            "additionalProperties": False,
        }
        for names in (("point", "label"), ("index",))
    ]


def _not_null(field: dict[str, Any]) -> dict[str, Any]:
    """An optional field's schema without its ``null`` choice (sent, it must be a value)."""
    choices = [c for c in field.get("anyOf", [field]) if c.get("type") != "null"]
    extra = {k: v for k, v in field.items() if k not in ("anyOf", "default")}
    return {**extra, **choices[0]}


class ExplainIn(Strict):
    """A point and its label, or ``index``: a training point (GET …/data's ``train``);
    ``apply`` makes the step."""

    model_config = ConfigDict(json_schema_extra=_either_shape)
    point: DataPoint | None = None
    label: Label | None = None
    index: Annotated[int, Field(ge=0, lt=limits.MAX_POINTS)] | None = None
    apply: bool = False

    @model_validator(mode="after")
    def _one_point(self) -> ExplainIn:
        if self.index is not None and (self.point is not None or self.label is not None):
            raise ConfigError("explain.point_and_index")
        if self.index is None and (self.point is None or self.label is None):
            raise ConfigError("explain.no_point")
        return self


Vector = list[float]
Layers = list[list[float]]


class ExplainOut(BaseModel):
    """Per layer l (1 … output): ``pre_activations[l-1]`` z = W a + b, ``activations``
    f(z) (the last: the output, multi-class the class probabilities), ``deltas`` ∂L/∂z.
    Gradients and updated parameters have the model export's shapes. ``loss`` is
    ``data_loss`` (0.5·(out − y)², multi-class −log p_y) plus ``penalty`` (the
    regularisation rate · Σ penalty(w)). ``state``: the session after an applied step."""

    point: Vector
    label: float
    inputs: Vector
    pre_activations: Layers
    activations: Layers
    output: Vector
    data_loss: float
    penalty: float
    loss: float
    deltas: Layers
    weight_gradients: list[Layers]
    bias_gradients: Layers
    learning_rate: float
    updated_weights: list[Layers]
    updated_biases: Layers
    state: State | None = None


THE_POINT = {
    "data.point_not_number": "data.the_point_not_number",
    "data.point_fault": "data.the_point_fault",
}
"""The one point's own wording of the refusals of a point of a list."""


def _point(session: Session, body: ExplainIn) -> tuple[list[float], float]:
    """The point and label to explain; HTTPException 422 when they do not fit the session."""
    t = session.trainer
    if body.index is not None:
        n = len(t.split.train_labels)
        if body.index >= n:
            if not n:
                raise ApiError(422, "explain.no_training_points", index=body.index)
            raise ApiError(
                422, "explain.not_a_training_point", index=body.index, count=n, last=n - 1
            )
        point = t.split.train_points[body.index]
        return [float(v) for v in point], float(t.split.train_labels[body.index])
    assert body.point is not None and body.label is not None
    try:
        validate_points([body.point], [body.label], t.config.problem, t.config.classes)
    except ConfigError as exc:
        said = exc.message  # "Point 1: x must be …" is "The point's x must be …" here
        if said.key not in THE_POINT:
            raise ApiError.of(exc) from None
        raise ApiError(422, THE_POINT[said.key], **said.params) from None
    return list(body.point), body.label


@router.post("/{session_id}/explain", response_model=ExplainOut, responses=responses(409))
def explain_point(
    ref: SessionDep, body: ExplainIn, rooms: RoomsDep, lang: LangDep
) -> dict[str, Any]:
    """One point's forward pass, loss, backward pass and the update one SGD step on it
    alone would make. Nothing changes unless ``apply`` is true: then the network takes
    exactly ``updated_weights`` and ``updated_biases`` (the epoch stays), and ``state``
    is the session after it. A student may not apply while the class is paused (409)."""
    if not body.apply:
        with ref.read() as session:
            return _explained(session, body)
    with ref.write() as session:
        link = classroom.lookup(rooms, session)
        classroom.refuse_paused(link)
        out = _explained(session, body)
        apply(session.trainer, out)
        out["state"] = _state(rooms, link, session, lang)
        return out


def _explained(session: Session, body: ExplainIn) -> dict[str, Any]:
    point, label = _point(session, body)
    try:
        return explain(session.trainer, point, label)
    except ConfigError as exc:
        raise ApiError.of(exc) from None
