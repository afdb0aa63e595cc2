"""The pure NumPy engine: datasets, features, network, optimizers and training.

Nothing here imports anything web; the server wraps it.
"""

from .activations import ACTIVATIONS
from .config import (
    FIELD,
    FIELDS,
    PROBLEMS,
    Config,
    ConfigError,
    apply_changes,
    config_from_dict,
    seed_from_string,
    validate,
)
from .datasets import DATASETS, DEFAULT_DATASET
from .features import FEATURES
from .grid import evaluate_grid, grid_points
from .losses import REGULARIZATIONS
from .network import INITS
from .optimizers import OPTIMIZERS
from .trainer import Metrics, Trainer, divergence_message

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "DEFAULT_DATASET",
    "FEATURES",
    "FIELD",
    "FIELDS",
    "INITS",
    "OPTIMIZERS",
    "PROBLEMS",
    "REGULARIZATIONS",
    "Config",
    "ConfigError",
    "Metrics",
    "Trainer",
    "apply_changes",
    "config_from_dict",
    "divergence_message",
    "evaluate_grid",
    "grid_points",
    "seed_from_string",
    "validate",
]
