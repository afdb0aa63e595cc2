"""Request and response models. Bounds and choices come from the engine's tables."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    create_model,
    model_validator,
)

from .engine import FEATURES, FIELDS, ConfigError
from .engine import config as limits
from .engine.config import Field as EngineField
from .engine.messages import MessageError


def _one_of(name: str, options: Any) -> AfterValidator:
    allowed = list(options)

    def check(value: str) -> str:
        if value not in allowed:
            raise ConfigError("config.unknown_choice", name=name, value=value, choices=allowed)
        return value

    return AfterValidator(check)


def _enum(options: Any) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": list(options)})


def _whole(value: Any) -> Any:
    """3.0 is an integer to JSON (and JSON Schema): take it as 3 wherever it stands (an
    integer field then accepts it; 3.5 stays a float and is refused)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole(v) for v in value]
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    return value


Finite = Annotated[float, Field(allow_inf_nan=False)]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _integers(cls, data: Any) -> Any:
        return _whole(data)


def _choice(name: str, names: Any) -> Any:
    return Annotated[str, _one_of(name, names), _enum(names)]


def _bounds(f: EngineField) -> Any:
    low, high = (f.min, None) if f.min_exclusive else (None, f.min)
    below, top = (f.max, None) if f.max_exclusive else (None, f.max)
    return Field(gt=low, ge=high, lt=below, le=top)


def _input_type(f: EngineField) -> Any:
    """What a request may send for a field: its type and bounds, from the engine's row."""
    if f.kind == "choice":
        return _choice(f.name, f.names)
    if f.kind == "features":
        item = _choice("feature", f.names)
        return Annotated[list[item], Field(min_length=1, max_length=len(f.names))]  # type: ignore[valid-type]
    if f.kind == "layers":
        neurons = Annotated[int, Field(ge=f.min, le=f.max)]
        return Annotated[list[neurons], Field(max_length=f.max_length)]
    if f.kind == "seed":
        text = Annotated[str, Field(min_length=1, max_length=f.max_length)]
        return Annotated[int, Field(ge=f.min, le=f.max)] | text
    if f.kind == "integer":
        return Annotated[int, _bounds(f)]
    return Annotated[Finite, _bounds(f)]


OUTPUT_TYPES: dict[str, Any] = {
    "choice": str,
    "number": float,
    "integer": int,
    "features": list[str],
    "layers": list[int],
    "seed": int,
}


class _ConfigPatch(Strict):
    """A partial configuration: every field optional; unknown fields are rejected."""

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude_none=True)


def config_models(fields: tuple[EngineField, ...]) -> tuple[type[_ConfigPatch], type[BaseModel]]:
    """ConfigPatch (every field optional, bounded) and ConfigOut, one attribute per row."""
    patch = create_model(
        "ConfigPatch",
        __base__=_ConfigPatch,
        __doc__=_ConfigPatch.__doc__,
        **{f.name: (_input_type(f) | None, None) for f in fields},  # type: ignore[call-overload]
    )
    out = create_model(
        "ConfigOut",
        __doc__="The whole configuration of a session.",
        **{f.name: (OUTPUT_TYPES[f.kind], ...) for f in fields},  # type: ignore[call-overload]
    )
    return patch, out


if TYPE_CHECKING:
    ConfigPatch = _ConfigPatch
    ConfigOut = BaseModel
else:
    ConfigPatch, ConfigOut = config_models(FIELDS)


ParamValue = Annotated[Finite, Field(ge=-limits.MAX_WEIGHT, le=limits.MAX_WEIGHT)]
_MAX_FAN = max(limits.MAX_NEURONS, len(FEATURES))
_MAX_WEIGHT_LAYERS = limits.MAX_HIDDEN_LAYERS + 1


class LossHistory(Strict):
    """The loss after each epoch, training and test (point 0 is before training), and
    the epoch of each point (optional on import: 0, 1, 2, … by default)."""

    train: Annotated[list[Finite], Field(min_length=1)]
    test: Annotated[list[Finite], Field(min_length=1)]
    epochs: list[Annotated[int, Field(ge=0)]] | None = None


Coordinate = Annotated[
    Finite,
    WithJsonSchema(
        {"type": "number", "minimum": -limits.GRID_EXTENT, "maximum": limits.GRID_EXTENT}
    ),
]
DataPoint = Annotated[list[Coordinate], Field(min_length=2, max_length=2)]
Label = Annotated[
    Finite,
    WithJsonSchema({"type": "number", "minimum": -limits.MAX_VALUE, "maximum": limits.MAX_VALUE}),
]


class DataIn(Strict):
    """A person's own points and their labels: ±1 (classification), the class 0 … K−1
    (multi-class) or a value (regression). Coordinates lie in [-6, 6]; the session's
    problem decides which labels are right (a 422 names the first wrong point)."""

    points: Annotated[list[DataPoint], Field(max_length=limits.MAX_POINTS)]
    labels: Annotated[list[Label], Field(max_length=limits.MAX_POINTS)]


class IndicesIn(Strict):
    """Points to remove, by their index in ``GET …/data``'s ``custom`` list."""

    indices: Annotated[
        list[Annotated[int, Field(ge=0, lt=limits.MAX_POINTS)]],
        Field(min_length=1, max_length=limits.MAX_POINTS),
    ]


class ModelIn(Strict):
    """An exported model: each value bounded here; shapes checked by the engine."""

    config: ConfigPatch
    weights: Annotated[
        list[
            Annotated[
                list[Annotated[list[ParamValue], Field(max_length=_MAX_FAN)]],
                Field(max_length=_MAX_FAN),
            ]
        ],
        Field(max_length=_MAX_WEIGHT_LAYERS),
    ]
    biases: Annotated[
        list[Annotated[list[ParamValue], Field(max_length=_MAX_FAN)]],
        Field(max_length=_MAX_WEIGHT_LAYERS),
    ]
    epoch: Annotated[int, Field(ge=0)] | None = None
    history: LossHistory | None = None
    data: DataIn | None = None

    def to_model(self) -> dict[str, Any]:
        """The plain dict ``Trainer.from_model`` takes (config fields not sent: defaults)."""
        model: dict[str, Any] = {
            "config": self.config.changes(),
            "weights": self.weights,
            "biases": self.biases,
        }
        if self.epoch is not None:
            model["epoch"] = self.epoch
        if self.history is not None:
            model["history"] = self.history.model_dump()
        if self.data is not None:
            model["data"] = self.data.model_dump()
        return model


class CreateSession(Strict):
    config: ConfigPatch | None = None
    model: ModelIn | None = None


class Reached(BaseModel):
    epoch: int
    seconds: float


class GoalOut(BaseModel):
    metric: str
    below: float | None = None
    at_least: float | None = None
    rank: str


class ExperimentValue(BaseModel):
    field: str
    value: Any


class LessonStepOut(BaseModel):
    """A lesson activity: the lesson's id, the step (from 1) and how many steps it has."""

    id: str
    step: int
    steps: int


class RoomView(BaseModel):
    """The ``room`` part of a student's session state."""

    code: str
    title: str
    student: str
    name: str
    version: int
    locked: list[str]
    message: str
    goal: GoalOut | None
    lesson: LessonStepOut | None = None
    goal_reached: Reached | None
    paused: bool
    experiment: ExperimentValue | None


class Confusion(BaseModel):
    """Multi-class: how many points of each true class (row) got each predicted class
    (column), training and test."""

    train: list[list[int]]
    test: list[list[int]]


class State(BaseModel):
    id: str
    config: ConfigOut
    layer_sizes: list[int]
    epoch: int
    train_loss: float
    test_loss: float
    train_accuracy: float | None
    test_accuracy: float | None
    status: str
    diverged_at_epoch: int | None
    message: str | None
    confusion: Confusion | None
    data_size: int
    batch: int
    batches_per_epoch: int
    room: RoomView | None = None


THUMB_MIN, THUMB_MAX, THUMB_DEFAULT = 5, 50, 25  # the thumbnails' grid size


class FrameOptions(Strict):
    since: Annotated[int, Field(ge=0)] = 0
    thumb: Annotated[int, Field(ge=THUMB_MIN, le=THUMB_MAX)] = THUMB_DEFAULT
    neuron: (
        Annotated[list[Annotated[int, Field(ge=0, le=8)]], Field(min_length=2, max_length=2)] | None
    ) = None


class StepIn(FrameOptions):
    """Train ``epochs`` (default 1) or ``batches`` mini-batches, not both."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={  # "not both", in the schema too
            "not": {
                "required": ["epochs", "batches"],
                "properties": {"epochs": {"type": "integer"}, "batches": {"type": "integer"}},
            }
        },
    )

    epochs: Annotated[int, Field(ge=1)] | None = None
    batches: Annotated[int, Field(ge=1)] | None = None
    max_ms: Annotated[Finite, Field(gt=0)] | None = None
    frame: bool = False
    thumbs: bool = Field(
        True,
        description="false: the frame's thumbnails (features, neurons) are null and not "
        "computed; keep the previous ones (ask for them less often than the output map)",
    )
    batch_points: bool = False

    @model_validator(mode="after")
    def _one_unit(self) -> StepIn:
        if self.epochs is not None and self.batches is not None:
            raise MessageError("session.epochs_or_batches")
        return self


class History(BaseModel):
    """Loss points from number ``start`` on (0 with the whole history: drop what you
    have); ``next`` is the ``since`` to send next time; ``epochs`` the epoch of each."""

    run: int
    start: int
    next: int
    train: list[float]
    test: list[float]
    epochs: list[int]


class NeuronGrid(BaseModel):
    layer: int
    index: int
    grid: str


class Frame(BaseModel):
    epoch: int
    density: int
    thumb: int
    output: str
    classes: list[str] | None = None
    features: list[str] | None = Field(
        description="thumbnail per input feature; null when asked with thumbs=false"
    )
    neurons: list[list[str]] | None = Field(
        description="thumbnail per hidden neuron, by layer; null when asked with thumbs=false"
    )
    neuron: NeuronGrid | None
    weights: list[list[list[float]]]
    biases: list[list[float]]
    history: History


class StepOut(State):
    epochs_run: int
    batches_run: int
    batch_points: list[int] | None = None
    frame: Frame | None = None


class WeightIn(Strict):
    layer: Annotated[int, Field(ge=0, le=limits.MAX_HIDDEN_LAYERS)]
    source: Annotated[int, Field(ge=0, le=max(limits.MAX_NEURONS, len(FEATURES)))]
    target: Annotated[int, Field(ge=0, le=limits.MAX_NEURONS)]
    value: ParamValue


class BiasIn(Strict):
    layer: Annotated[int, Field(ge=1, le=limits.MAX_HIDDEN_LAYERS + 1)]
    neuron: Annotated[int, Field(ge=0, le=limits.MAX_NEURONS)]
    value: ParamValue


Point = Annotated[
    list[Annotated[Finite, Field(ge=-limits.MAX_WEIGHT, le=limits.MAX_WEIGHT)]],
    Field(min_length=2, max_length=2),
]


class PredictIn(Strict):
    points: Annotated[list[Point], Field(min_length=1)]


class PredictOut(BaseModel):
    """The output per point; multi-class: the most probable class, and ``probabilities``
    the probability of every class (null otherwise)."""

    outputs: list[float | None]
    probabilities: list[list[float] | None] | None = None


class Points(BaseModel):
    points: list[list[float]]
    labels: list[float]


class DataOut(BaseModel):
    """The training and test points; ``custom`` is the custom dataset in its own order
    (the indices ``DELETE …/points`` takes), null for a generated dataset."""

    train: Points
    test: Points
    custom: Points | None = None


class SharedDataIn(DataIn):
    """A custom dataset to keep on the server for a link (``#data=<id>``)."""

    problem: Annotated[str, _one_of("problem", limits.PROBLEMS), _enum(limits.PROBLEMS)]
    classes: Annotated[int, Field(ge=limits.CLASSES[0], le=limits.CLASSES[1])] = limits.CLASSES[0]


class SharedDataOut(BaseModel):
    id: str
    problem: str
    classes: int
    size: int


class SharedData(SharedDataOut):
    points: list[list[float]]
    labels: list[float]


class ModelOut(BaseModel):
    config: ConfigOut
    weights: list[list[list[float]]]
    biases: list[list[float]]
    epoch: int
    history: LossHistory
    data: Points | None = None


class FieldError(BaseModel):
    field: str
    message: str


class ErrorOut(BaseModel):
    """Every 4xx answer: a sentence saying what to do, and each bad field (may be empty)."""

    detail: str
    errors: list[FieldError]


class Health(BaseModel):
    status: str  # ok | unavailable
    detail: str | None = None


class ChoiceOut(BaseModel):
    name: str
    label: str
    url_value: str | None
    problem: str | None
    url_key: str | None
    url_flag: str | None


class FieldOut(BaseModel):
    """One setting: see the engine's ``Field`` (app/engine/config.py) and docs/API.md."""

    name: str
    kind: str
    label: str
    default: Any
    reset: str
    control: str
    control_id: str | None
    url_key: str | None
    url_keys: dict[str, str]
    choices: list[ChoiceOut]
    min: float | None
    max: float | None
    min_exclusive: bool
    max_exclusive: bool
    steps: list[float]
    step: float | None
    max_length: int | None


class Named(BaseModel):
    name: str
    label: str


class Options(BaseModel):
    fields: list[FieldOut]
    problems: list[str]
    datasets: dict[str, list[Named]]
    features: list[Named]
    activations: list[str]
    optimizers: list[str]
    inits: list[str]
    regularizations: list[str]
    learning_rates: list[float]
    regularization_rates: list[float]
    learning_rate_decays: list[float]
    dropout_rates: list[float]
    limits: dict[str, Any]
    defaults: dict[str, Any]


# -- rooms -------------------------------------------------------------------------------
METRICS_BELOW = ("test_loss", "train_loss")
METRICS_AT_LEAST = ("test_accuracy", "train_accuracy")
MAX_TITLE, MAX_MESSAGE, MAX_NAME = 80, 280, 40
MAX_EXPERIMENT_VALUES = 40
MAX_LESSON_STEPS = 50  # a lesson's steps at most (app/lessons.py MAX_STEPS)


CONTROL = r"\x00-\x1f\x7f-\x9f"  # what Unicode calls Cc (lone surrogates are refused too)
TEXT_PATTERN = f"^[^{CONTROL}]*$"
NAME_PATTERN = rf"^[^{CONTROL}]*[^\s{CONTROL}][^{CONTROL}]*$"


def _no_control_characters(text: str) -> str:
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in text):
        raise MessageError("text.control_characters")
    return text


def _name(text: str) -> str:
    text = _no_control_characters(text)
    if not text.strip():
        raise MessageError("text.empty_name", most=MAX_NAME)
    return text.strip()


def _plain_text(max_length: int) -> Any:
    """Text of at most ``max_length`` characters, without control characters: the JSON
    Schema says so with a pattern, and the check is ours (a regex of Rust's kind, as
    Pydantic's and schemathesis's are, cannot name lone surrogates, which we refuse too)."""
    return Annotated[
        str,
        Field(max_length=max_length, json_schema_extra={"pattern": TEXT_PATTERN}),
        AfterValidator(_no_control_characters),
    ]


class RoomIn(Strict):
    title: _plain_text(MAX_TITLE) = ""  # type: ignore[valid-type]


class Goal(Strict):
    """``{"metric": "test_loss", "below": 0.1}`` or ``{"metric": "test_accuracy",
    "at_least": 0.95}``; ``rank``: first to reach it (time) or fewest hidden neurons."""

    metric: Annotated[str, _one_of("metric", METRICS_BELOW + METRICS_AT_LEAST)] = Field(
        json_schema_extra={"enum": list(METRICS_BELOW + METRICS_AT_LEAST)}
    )
    below: Annotated[Finite, Field(gt=0)] | None = None
    at_least: Annotated[Finite, Field(gt=0, le=1)] | None = None
    rank: Annotated[str, _one_of("rank", ("time", "neurons"))] = Field(
        "time", json_schema_extra={"enum": ["time", "neurons"]}
    )

    @model_validator(mode="after")
    def _threshold(self) -> Goal:
        wants = "below" if self.metric in METRICS_BELOW else "at_least"
        given = [k for k in ("below", "at_least") if getattr(self, k) is not None]
        if given != [wants]:
            raise MessageError("class.goal_threshold", metric=self.metric, wants=wants)
        return self


class ActivityIn(Strict):
    """What every student is reset to: a config (or an exported model), the fields they
    may not change, a message and a goal; or a lesson's step (``lesson``, ``step``, 1 when
    absent), whose setup, locks and check take the place of config, model and goal."""

    config: ConfigPatch | None = None
    model: ModelIn | None = None
    locked: Annotated[
        list[Annotated[str, _one_of("field", [f.name for f in FIELDS])]],
        Field(max_length=len(FIELDS)),
    ] = []
    message: _plain_text(MAX_MESSAGE) = ""  # type: ignore[valid-type]
    goal: Goal | None = None
    lesson: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    step: Annotated[int, Field(ge=1, le=MAX_LESSON_STEPS)] | None = None


class ActivityOut(BaseModel):
    version: int
    config: ConfigOut
    from_model: bool
    locked: list[str]
    message: str
    goal: GoalOut | None
    lesson: LessonStepOut | None = None
    started: float


class ExperimentIn(Strict):
    """One setting, a value per group of students (round-robin in join order)."""

    field: Annotated[str, _one_of("field", [f.name for f in FIELDS if f.name != "problem"])]
    values: Annotated[list[Any], Field(min_length=2, max_length=MAX_EXPERIMENT_VALUES)]


class ExperimentOut(BaseModel):
    field: str
    values: list[Any]


class RoomOut(BaseModel):
    code: str
    title: str
    join_url: str
    teacher_token: str | None = None
    paused: bool
    students: int
    max_students: int
    activity: ActivityOut | None
    experiment: ExperimentOut | None


class JoinIn(Strict):
    """A display name: 1–40 characters, any script, not only spaces; kept as typed
    (without spaces at its ends) and always shown as text."""

    name: Annotated[
        str,
        Field(min_length=1, max_length=MAX_NAME, json_schema_extra={"pattern": NAME_PATTERN}),
        AfterValidator(_name),
    ]


class StudentOut(BaseModel):
    id: str
    number: int
    name: str


class JoinOut(BaseModel):
    student: StudentOut
    session: State


class StudentRow(BaseModel):
    id: str
    number: int
    name: str
    epoch: int
    train_loss: float | None
    test_loss: float | None
    test_accuracy: float | None
    status: str
    layer_sizes: list[int]
    neurons: int
    thumbnail: str | None
    thumb: int
    goal_reached_at: Reached | None
    value: Any
    last_seen: float | None


class StudentsOut(BaseModel):
    students: list[StudentRow]
    leaderboard: list[str]
    room: RoomOut


class SpotlightOut(BaseModel):
    student: StudentOut
    state: State
    frame: Frame
    data: DataOut
