"""Request and response models. Bounds and choices come from the engine's tables."""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from .engine import ACTIVATIONS, DATASETS, FEATURES, INITS, OPTIMIZERS, PROBLEMS, REGULARIZATIONS
from .engine import config as limits


def _one_of(name: str, options: Any) -> AfterValidator:
    allowed = list(options)

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"unknown {name} {value!r}; choose from {allowed}")
        return value

    return AfterValidator(check)


def _enum(options: Any) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": list(options)})


Problem: TypeAlias = Annotated[str, _one_of("problem", PROBLEMS), _enum(PROBLEMS)]
Dataset: TypeAlias = Annotated[str, _one_of("dataset", DATASETS), _enum(DATASETS)]
Feature: TypeAlias = Annotated[str, _one_of("feature", FEATURES), _enum(FEATURES)]
ActivationName: TypeAlias = Annotated[str, _one_of("activation", ACTIVATIONS), _enum(ACTIVATIONS)]
Regularization: TypeAlias = Annotated[
    str, _one_of("regularization", REGULARIZATIONS), _enum(REGULARIZATIONS)
]
OptimizerName: TypeAlias = Annotated[str, _one_of("optimizer", OPTIMIZERS), _enum(OPTIMIZERS)]
InitName: TypeAlias = Annotated[str, _one_of("init", INITS), _enum(INITS)]

Finite = Annotated[float, Field(allow_inf_nan=False)]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class ConfigPatch(Strict):
    """A partial configuration: every field optional; unknown fields are rejected."""

    problem: Problem | None = None
    dataset: Dataset | None = None
    noise: Annotated[Finite, Field(ge=limits.NOISE[0], le=limits.NOISE[1])] | None = None
    train_ratio: (
        Annotated[Finite, Field(ge=limits.TRAIN_RATIO[0], le=limits.TRAIN_RATIO[1])] | None
    ) = None
    batch_size: Annotated[int, Field(ge=limits.BATCH_SIZE[0], le=limits.BATCH_SIZE[1])] | None = (
        None
    )
    features: Annotated[list[Feature], Field(min_length=1, max_length=len(FEATURES))] | None = None
    hidden_layers: (
        Annotated[
            list[Annotated[int, Field(ge=1, le=limits.MAX_NEURONS)]],
            Field(max_length=limits.MAX_HIDDEN_LAYERS),
        ]
        | None
    ) = None
    activation: ActivationName | None = None
    learning_rate: Annotated[Finite, Field(gt=0, le=limits.MAX_LEARNING_RATE)] | None = None
    regularization: Regularization | None = None
    regularization_rate: (
        Annotated[Finite, Field(ge=0, le=limits.MAX_REGULARIZATION_RATE)] | None
    ) = None
    optimizer: OptimizerName | None = None
    init: InitName | None = None
    learning_rate_decay: Annotated[Finite, Field(ge=0, le=1e6)] | None = None
    dropout: Annotated[Finite, Field(ge=0, lt=1)] | None = None
    seed: (
        Annotated[int, Field(ge=0, le=limits.MAX_SEED)]
        | Annotated[str, Field(min_length=1, max_length=200)]
        | None
    ) = None

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude_none=True)


ParamValue = Annotated[Finite, Field(ge=-1e6, le=1e6)]
_MAX_FAN = max(limits.MAX_NEURONS, len(FEATURES))
_MAX_WEIGHT_LAYERS = limits.MAX_HIDDEN_LAYERS + 1


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

    def to_model(self) -> dict[str, Any]:
        """The plain dict ``Trainer.from_model`` takes (config fields not sent: defaults)."""
        return {"config": self.config.changes(), "weights": self.weights, "biases": self.biases}


class CreateSession(Strict):
    config: ConfigPatch | None = None
    model: ModelIn | None = None


class ConfigOut(BaseModel):
    problem: str
    dataset: str
    noise: float
    train_ratio: float
    batch_size: int
    features: list[str]
    hidden_layers: list[int]
    activation: str
    learning_rate: float
    regularization: str
    regularization_rate: float
    optimizer: str
    init: str
    learning_rate_decay: float
    dropout: float
    seed: int


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


class FrameOptions(Strict):
    since: Annotated[int, Field(ge=0)] = 0
    thumb: Annotated[int, Field(ge=5, le=50)] = 25
    neuron: (
        Annotated[list[Annotated[int, Field(ge=0, le=8)]], Field(min_length=2, max_length=2)] | None
    ) = None


class StepIn(FrameOptions):
    epochs: Annotated[int, Field(ge=1)] = 1
    max_ms: Annotated[Finite, Field(gt=0)] | None = None
    frame: bool = False


class History(BaseModel):
    run: int
    start: int
    train: list[float]
    test: list[float]


class NeuronGrid(BaseModel):
    layer: int
    index: int
    grid: str


class Frame(BaseModel):
    epoch: int
    density: int
    thumb: int
    output: str
    features: list[str]
    neurons: list[list[str]]
    neuron: NeuronGrid | None
    weights: list[list[list[float]]]
    biases: list[list[float]]
    history: History


class StepOut(State):
    epochs_run: int
    frame: Frame | None = None


class WeightIn(Strict):
    layer: Annotated[int, Field(ge=0, le=limits.MAX_HIDDEN_LAYERS)]
    source: Annotated[int, Field(ge=0, le=max(limits.MAX_NEURONS, len(FEATURES)))]
    target: Annotated[int, Field(ge=0, le=limits.MAX_NEURONS)]
    value: Annotated[Finite, Field(ge=-1e6, le=1e6)]


class BiasIn(Strict):
    layer: Annotated[int, Field(ge=1, le=limits.MAX_HIDDEN_LAYERS + 1)]
    neuron: Annotated[int, Field(ge=0, le=limits.MAX_NEURONS)]
    value: Annotated[Finite, Field(ge=-1e6, le=1e6)]


Point = Annotated[
    list[Annotated[Finite, Field(ge=-1e6, le=1e6)]], Field(min_length=2, max_length=2)
]


class PredictIn(Strict):
    points: Annotated[list[Point], Field(min_length=1)]


class PredictOut(BaseModel):
    outputs: list[float | None]


class Points(BaseModel):
    points: list[list[float]]
    labels: list[float]


class DataOut(BaseModel):
    train: Points
    test: Points


class ModelOut(BaseModel):
    config: ConfigOut
    weights: list[list[list[float]]]
    biases: list[list[float]]


class Health(BaseModel):
    status: str
