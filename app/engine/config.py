"""The configuration of one playground, its defaults (the reference's) and its bounds.

This module is the one source of truth for every list of choices and every limit: the
engine validates with it, the server's schemas and ``/api/options`` are built from it,
and the page builds its controls from ``/api/options``.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from .activations import ACTIVATIONS
from .datasets import DATASETS, DEFAULT_DATASET
from .features import ordered_features
from .network import INITS
from .optimizers import OPTIMIZERS

PROBLEMS = ("classification", "regression")
REGULARIZATIONS = ("none", "l1", "l2")
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
MAX_SEED = 2**32 - 1


class ConfigError(ValueError):
    """A configuration value is out of bounds or unknown; the message says which."""


def seed_from_string(text: str) -> int:
    """Map any string seed (e.g. "0.12345" from a reference link) to an int, stably.

    A decimal integer string maps to itself; anything else to the first 32 bits of its
    SHA-256, so the same text always gives the same data and weights.
    """
    stripped = text.strip()
    if stripped.isascii() and stripped.isdigit() and int(stripped) <= MAX_SEED:
        return int(stripped)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big")


@dataclass(frozen=True)
class Config:
    problem: str = "classification"
    dataset: str = "circle"
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
        d = asdict(self)
        d["features"] = list(self.features)
        d["hidden_layers"] = list(self.hidden_layers)
        return d


CONFIG_FIELDS = tuple(f.name for f in fields(Config))

# Which changes keep the network, which reset it, which make new data (PRODUCT.md §1).
LIVE_FIELDS = frozenset({"learning_rate", "optimizer", "learning_rate_decay"})
RESET_FIELDS = frozenset(
    {
        "activation",
        "regularization",
        "regularization_rate",
        "features",
        "hidden_layers",
        "batch_size",
        "init",
        "dropout",
    }
)
DATA_FIELDS = frozenset({"problem", "dataset", "noise", "train_ratio", "seed"})


def _check_number(name: str, value: Any, low: float, high: float, *, integer: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be finite, got {value!r}")
    if integer and value != int(value):
        raise ConfigError(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g}, got {value!r}")
    return int(value) if integer else float(value)


def _check_choice(name: str, value: Any, choices: Any) -> str:
    if value not in choices:
        raise ConfigError(f"unknown {name} {value!r}; choose from {list(choices)}")
    return str(value)


def validate(config: Config) -> Config:
    """Check every field against its bounds and return the normalised config."""
    c = config
    problem = _check_choice("problem", c.problem, PROBLEMS)
    dataset = _check_choice("dataset", c.dataset, DATASETS)
    if DATASETS[dataset].problem != problem:
        raise ConfigError(
            f"dataset {dataset!r} is a {DATASETS[dataset].problem} dataset, "
            f"not a {problem} one; for {problem} choose from "
            f"{[n for n, s in DATASETS.items() if s.problem == problem]}"
        )
    if not isinstance(c.features, list | tuple) or not all(isinstance(f, str) for f in c.features):
        raise ConfigError("features must be a list of feature names")
    try:
        features = ordered_features(c.features)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if not isinstance(c.hidden_layers, list | tuple):
        raise ConfigError("hidden_layers must be a list of neuron counts")
    if len(c.hidden_layers) > MAX_HIDDEN_LAYERS:
        raise ConfigError(f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(c.hidden_layers)}")
    layers = tuple(
        int(_check_number("neurons per layer", n, 1, MAX_NEURONS, integer=True))
        for n in c.hidden_layers
    )
    seed = c.seed
    if isinstance(seed, str):
        seed = seed_from_string(seed)
    return replace(
        c,
        problem=problem,
        dataset=dataset,
        noise=_check_number("noise", c.noise, *NOISE, integer=False),
        train_ratio=_check_number("train_ratio", c.train_ratio, *TRAIN_RATIO, integer=False),
        batch_size=int(_check_number("batch_size", c.batch_size, *BATCH_SIZE, integer=True)),
        features=features,
        hidden_layers=layers,
        activation=_check_choice("activation", c.activation, ACTIVATIONS),
        learning_rate=_check_learning_rate(c.learning_rate),
        regularization=_check_choice("regularization", c.regularization, REGULARIZATIONS),
        regularization_rate=_check_number(
            "regularization_rate",
            c.regularization_rate,
            0,
            MAX_REGULARIZATION_RATE,
            integer=False,
        ),
        optimizer=_check_choice("optimizer", c.optimizer, OPTIMIZERS),
        init=_check_choice("init", c.init, INITS),
        learning_rate_decay=_check_number(
            "learning_rate_decay", c.learning_rate_decay, 0, 1e6, integer=False
        ),
        dropout=_check_dropout(c.dropout),
        seed=int(_check_number("seed", seed, 0, MAX_SEED, integer=True)),
    )


def _check_learning_rate(value: Any) -> float:
    lr = _check_number("learning_rate", value, 0, MAX_LEARNING_RATE, integer=False)
    if lr <= 0:
        raise ConfigError(f"learning_rate must be greater than 0, got {value!r}")
    return lr


def _check_dropout(value: Any) -> float:
    rate = _check_number("dropout", value, 0, 1, integer=False)
    if rate >= 1:
        raise ConfigError(f"dropout must be below 1 (1 would drop every neuron), got {value!r}")
    return rate


def apply_changes(config: Config, changes: dict[str, Any]) -> tuple[Config, str]:
    """Apply a partial config; return the validated config and what it implies.

    The second value is "none", "live" (keep the network), "reset" (new initial weights)
    or "data" (new data and a reset). Changing ``problem`` without naming a dataset of
    the new problem switches to that problem's default dataset.
    """
    unknown = set(changes) - set(CONFIG_FIELDS)
    if unknown:
        raise ConfigError(f"unknown config field(s) {sorted(unknown)}")
    changes = dict(changes)
    if "problem" in changes and changes["problem"] != config.problem and "dataset" not in changes:
        problem = _check_choice("problem", changes["problem"], PROBLEMS)
        changes["dataset"] = DEFAULT_DATASET[problem]
    new = validate(replace(config, **changes))
    changed = {name for name in CONFIG_FIELDS if getattr(new, name) != getattr(config, name)}
    if changed & DATA_FIELDS:
        return new, "data"
    if changed & RESET_FIELDS:
        return new, "reset"
    if changed & LIVE_FIELDS:
        return new, "live"
    return new, "none"


def config_from_dict(data: dict[str, Any]) -> Config:
    """Build and validate a config from a plain dict (missing fields take defaults)."""
    unknown = set(data) - set(CONFIG_FIELDS)
    if unknown:
        raise ConfigError(f"unknown config field(s) {sorted(unknown)}")
    data = dict(data)
    if "problem" in data and "dataset" not in data and data["problem"] in PROBLEMS:
        data["dataset"] = DEFAULT_DATASET[data["problem"]]
    return validate(Config(**data))
