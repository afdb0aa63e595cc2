"""The configuration of one playground, its defaults (the reference's) and its bounds.

This module is the one source of truth for every list of choices and every limit: the
engine validates with it, the server's schemas and ``/api/options`` are built from it,
and the page builds its controls from ``/api/options``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from .activations import ACTIVATIONS
from .datasets import DATASETS, DEFAULT_DATASET
from .features import FEATURE_LABELS, ordered_features
from .losses import REGULARIZATIONS
from .messages import Message, MessageError
from .network import INITS
from .optimizers import OPTIMIZERS

PROBLEMS = ("classification", "regression", "multiclass")
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARIZATION_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
LEARNING_RATE_DECAYS = (0.0, 0.0001, 0.001, 0.01, 0.1)  # offered steps; any value ≥ 0 is valid
DROPOUT_RATES = (0.0, 0.1, 0.2, 0.3, 0.5)  # offered steps; any 0 ≤ rate < 1 is valid
MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 8
BATCH_SIZE = (1, 30)
NOISE = (0, 50)  # percent; the reference's control steps by 5
TRAIN_RATIO = (10, 90)  # percent; the reference's control steps by 10
MAX_LEARNING_RATE = 10.0
MAX_REGULARIZATION_RATE = 10.0
MAX_DECAY = 1e6
MAX_SEED = 2**32 - 1
MAX_SEED_LENGTH = 200  # characters of a text seed (e.g. a reference link's "0.12345")
GRID_EXTENT = 6.0  # the plotted square is [-6, 6]²
MAX_WEIGHT = 1e6  # the largest weight or bias a person may type
CLASSES = (3, 5)  # multi-class problems: the fewest and most classes
MAX_POINTS = 2000  # the most points of a custom dataset
MAX_VALUE = 10.0  # the largest |target| of a custom regression point


class ConfigError(MessageError):
    """A configuration value is out of bounds or unknown; the message (a catalog key and
    its parameters) says which."""


def seed_from_string(text: str) -> int:
    """Map any string seed (e.g. "0.12345" from a reference link) to an int, stably.

    A decimal integer string maps to itself; anything else to the first 32 bits of its
    SHA-256, so the same text always gives the same data and weights.
    """
    stripped = text.strip()
    if stripped.isascii() and stripped.isdigit() and int(stripped) <= MAX_SEED:
        return int(stripped)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big")


# -- the table of settings -------------------------------------------------------------

Kind = Literal["choice", "number", "integer", "features", "layers", "seed"]
Reset = Literal["live", "network", "data"]
"""What changing a field does: keep the network, new initial weights, or new data too."""


@dataclass(frozen=True)
class Choice:
    """One allowed value of a choice (or one feature)."""

    name: str
    label: str
    url_value: str | None = None  # the reference's spelling in the URL hash, if different
    problem: str | None = None  # datasets: the problem they belong to
    url_key: str | None = None  # features: each is a boolean key of its own in the hash
    url_flag: str | None = None  # the reference's boolean key that selects this choice


LABELS: dict[str, str] = {
    "classification": "Classification",
    "regression": "Regression",
    "multiclass": "Multi-class",
    "relu": "ReLU",
    "tanh": "Tanh",
    "sigmoid": "Sigmoid",
    "linear": "Linear",
    "none": "None",
    "l1": "L1",
    "l2": "L2",
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "playground": "Playground",
    "xavier": "Xavier (Glorot)",
    "he": "He",
    "zero": "Zero",
}
"""Display names of the choices that have no table of their own."""

FEATURE_URL_KEYS = {
    "x1": "x",
    "x2": "y",
    "x1_squared": "xSquared",
    "x2_squared": "ySquared",
    "x1_x2": "xTimesY",
    "sin_x1": "sinX",
    "sin_x2": "sinY",
}
"""The reference's hash key of each feature."""

URL_VALUES = {"plane": "reg-plane", "multigauss": "reg-gauss", "l1": "L1", "l2": "L2"}
URL_FLAGS = {"zero": "initZero"}


def _choices(names: Iterable[str]) -> tuple[Choice, ...]:
    return tuple(
        Choice(n, LABELS[n], url_value=URL_VALUES.get(n), url_flag=URL_FLAGS.get(n)) for n in names
    )


@dataclass(frozen=True)
class Field:
    """One setting: its type and bounds, default, reset rule, URL key, label, control.

    The engine validates with it; the server's schemas, the reset rules, ``/api/options``
    and the page (controls, URL hash, the config it sends) are all built from it.
    """

    name: str
    kind: Kind
    label: str
    default: Any
    reset: Reset
    control: str  # select | slider | datasets | features | layers | seed
    control_id: str | None = None  # the page's element id (the reference's, where it has one)
    url_key: str | None = None  # the URL-hash key (the reference's, where it has one)
    url_keys: dict[str, str] = field(default_factory=dict)  # per problem, where it differs
    choices: tuple[Choice, ...] = ()
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False
    steps: tuple[float, ...] = ()  # the values the page offers
    step: float | None = None  # a slider's increment
    max_length: int | None = None  # layers: most hidden layers; seed: most characters
    why: str = ""  # the message key of an exclusive upper bound that needs explaining

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.choices)

    def check(self, value: Any) -> Any:
        """The normalised value, or ConfigError with a sentence saying what is wrong."""
        if self.kind == "choice":
            if value not in self.names:
                raise ConfigError(
                    "config.unknown_choice", name=self.name, value=value, choices=list(self.names)
                )
            return str(value)
        if self.kind == "features":
            if not isinstance(value, list | tuple) or not all(isinstance(f, str) for f in value):
                raise ConfigError("config.features_not_list")
            try:
                return ordered_features(value)
            except MessageError as exc:
                raise ConfigError.of(exc.message) from None
        if self.kind == "layers":
            if not isinstance(value, list | tuple):
                raise ConfigError("config.layers_not_list")
            if self.max_length is not None and len(value) > self.max_length:
                raise ConfigError("config.too_many_layers", most=self.max_length, count=len(value))
            per_layer = Message("config.neurons_per_layer")
            return tuple(int(self._number(per_layer, n, integer=True)) for n in value)
        if self.kind == "seed":
            if isinstance(value, str):
                value = seed_from_string(value)
            return int(self._number(self.name, value, integer=True))
        return self._number(self.name, value, integer=self.kind == "integer")

    def _number(self, name: str | Message, value: Any, *, integer: bool) -> float:
        low, high = self.min, self.max
        assert low is not None and high is not None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError("config.not_number", name=name, value=value)
        if not math.isfinite(value):
            raise ConfigError("config.not_finite", name=name, value=value)
        if integer and value != int(value):
            raise ConfigError("config.not_whole", name=name, value=value)
        if not low <= value <= high:
            raise ConfigError("config.out_of_range", name=name, low=low, high=high, value=value)
        if self.min_exclusive and value == low:
            raise ConfigError("config.not_above", name=name, low=low, value=value)
        if self.max_exclusive and value == high:
            raise ConfigError(self.why or "config.not_below", name=name, high=high, value=value)
        return int(value) if integer else float(value)


FIELDS: tuple[Field, ...] = (
    Field("problem", "choice", "Problem type", "classification", "data", "select",
          "problem", "problem", choices=_choices(PROBLEMS)),
    Field("dataset", "choice", "Dataset", "circle", "data", "datasets", None, "dataset",
          url_keys={"regression": "regDataset", "multiclass": "mcDataset"},
          choices=tuple(Choice(n, s.label, URL_VALUES.get(n), s.problem)
                        for n, s in DATASETS.items())),
    Field("classes", "integer", "Classes", 3, "data", "slider", "classes", "classes",
          min=CLASSES[0], max=CLASSES[1], step=1),
    Field("noise", "number", "Noise", 0, "data", "slider", "noise", "noise",
          min=NOISE[0], max=NOISE[1], step=5),
    Field("train_ratio", "number", "Ratio of training to test data", 50, "data", "slider",
          "percTrainData", "percTrainData", min=TRAIN_RATIO[0], max=TRAIN_RATIO[1], step=10),
    Field("batch_size", "integer", "Batch size", 10, "network", "slider", "batchSize",
          "batchSize", min=BATCH_SIZE[0], max=BATCH_SIZE[1], step=1),
    Field("features", "features", "Features", ("x1", "x2"), "network", "features",
          choices=tuple(Choice(n, label, url_key=FEATURE_URL_KEYS[n])
                        for n, label in FEATURE_LABELS.items())),
    Field("hidden_layers", "layers", "Hidden layers", (4, 2), "network", "layers", None,
          "networkShape", min=1, max=MAX_NEURONS, max_length=MAX_HIDDEN_LAYERS),
    Field("activation", "choice", "Activation", "tanh", "network", "select", "activations",
          "activation", choices=_choices(ACTIVATIONS)),
    Field("learning_rate", "number", "Learning rate", 0.03, "live", "select", "learningRate",
          "learningRate", min=0, max=MAX_LEARNING_RATE, min_exclusive=True,
          steps=LEARNING_RATES),
    Field("regularization", "choice", "Regularization", "none", "network", "select",
          "regularizations", "regularization", choices=_choices(REGULARIZATIONS)),
    Field("regularization_rate", "number", "Regularization rate", 0.0, "network", "select",
          "regularRate", "regularizationRate", min=0, max=MAX_REGULARIZATION_RATE,
          steps=REGULARIZATION_RATES),
    Field("optimizer", "choice", "Optimizer", "sgd", "live", "select", "optimizer",
          "optimizer", choices=_choices(OPTIMIZERS)),
    Field("init", "choice", "Initialization", "playground", "network", "select", "init",
          "init", choices=_choices(INITS)),
    Field("learning_rate_decay", "number", "Rate decay", 0.0, "live", "select", "decay",
          "decay", min=0, max=MAX_DECAY, steps=LEARNING_RATE_DECAYS),
    Field("dropout", "number", "Dropout", 0.0, "network", "select", "dropout", "dropout",
          min=0, max=1, max_exclusive=True, steps=DROPOUT_RATES,
          why="config.dropout_below"),
    Field("seed", "seed", "Seed", 0, "data", "seed", None, "seed", min=0, max=MAX_SEED,
          max_length=MAX_SEED_LENGTH),
)  # fmt: skip
"""One row per setting, in the order of the reference's URL hash where it has one."""

FIELD = {f.name: f for f in FIELDS}


@dataclass(frozen=True)
class Config:
    """A validated configuration; its attributes are the rows of ``FIELDS`` (a test
    checks that names and defaults agree)."""

    problem: str = "classification"
    dataset: str = "circle"
    classes: int = 3
    noise: float = 0
    train_ratio: float = 50
    batch_size: int = 10
    features: tuple[str, ...] = ("x1", "x2")
    hidden_layers: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    learning_rate: float = 0.03
    regularization: str = "none"
    regularization_rate: float = 0.0
    optimizer: str = "sgd"
    init: str = "playground"
    learning_rate_decay: float = 0.0
    dropout: float = 0.0
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


CONFIG_FIELDS = tuple(f.name for f in FIELDS)


def validate(config: Config) -> Config:
    """Check every field against its row and return the normalised config."""
    values = {f.name: f.check(getattr(config, f.name)) for f in FIELDS}
    problem, dataset = values["problem"], values["dataset"]
    if DATASETS[dataset].problem not in (problem, None):
        raise ConfigError(
            "config.dataset_of_other_problem",
            dataset=dataset,
            its=Message(f"problem.{DATASETS[dataset].problem}"),
            problem=Message(f"problem.{problem}"),
            choices=[n for n, s in DATASETS.items() if s.problem in (problem, None)],
        )
    return replace(config, **values)


def apply_changes(config: Config, changes: dict[str, Any]) -> tuple[Config, str]:
    """Apply a partial config; return the validated config and what it implies.

    The second value is "none", "live" (keep the network), "reset" (new initial weights)
    or "data" (new data and a reset). Changing ``problem`` without naming a dataset of
    the new problem switches to that problem's default dataset.
    """
    unknown = set(changes) - set(CONFIG_FIELDS)
    if unknown:
        raise ConfigError("config.unknown_fields", names=sorted(unknown))
    changes = dict(changes)
    if "problem" in changes and changes["problem"] != config.problem and "dataset" not in changes:
        problem = FIELD["problem"].check(changes["problem"])
        changes["dataset"] = DEFAULT_DATASET[problem]
    new = validate(replace(config, **changes))
    changed = {FIELD[n].reset for n in CONFIG_FIELDS if getattr(new, n) != getattr(config, n)}
    for rule, answer in (("data", "data"), ("network", "reset"), ("live", "live")):
        if rule in changed:
            return new, answer
    return new, "none"


def config_from_dict(data: dict[str, Any]) -> Config:
    """Build and validate a config from a plain dict (missing fields take defaults)."""
    unknown = set(data) - set(CONFIG_FIELDS)
    if unknown:
        raise ConfigError("config.unknown_fields", names=sorted(unknown))
    data = dict(data)
    if "problem" in data and "dataset" not in data and data["problem"] in PROBLEMS:
        data["dataset"] = DEFAULT_DATASET[data["problem"]]
    return validate(Config(**data))
