"""A session as a standalone Python script (NumPy only) that trains it again.

``script(trainer)`` fills ``script_template.TEMPLATE`` with the session's settings, its
data and its starting point, and returns the script's text. The script

- makes the data: a generated dataset from its seed, with the generator's own source
  copied from ``datasets.py`` (and the helpers it calls); a person's own points copied as
  literals and split by the seed; or, should the seed not give the session's split, the
  training and test points copied as they are;
- starts from the earliest checkpoint (epoch 0 unless the session began as an imported
  model): its weights, and whatever else decides what training does next — the partial
  batch carried over, L1's dead weights, the update count, the optimizer's memory and the
  random stream of dropout masks;
- trains with the current settings and prints each epoch's training and test loss.

Every float is written with ``repr``, which reads back as the same float, so the script
starts exactly where the session did and its losses are the session's, bit for bit.
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import json
import textwrap
from collections.abc import Sequence
from string import Template
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from . import datasets
from .activations import ACTIVATIONS
from .checkpoints import Checkpoint
from .config import Config, ConfigError
from .datasets import DATASETS, Split, custom_split, make_split
from .features import FEATURES
from .losses import REGULARIZATIONS
from .optimizers import OPTIMIZERS
from .script_template import TEMPLATE
from .trainer import Trainer

WIDTH = 88  # the longest line of copied numbers
DEFAULT_EPOCHS = 100  # epochs the script trains by default when the session has not trained
SCRIPT_NAMES = {"Array"}  # names the script defines itself: never copied from datasets.py


def script(trainer: Trainer) -> str:
    """The script that trains ``trainer``'s network again, from its earliest checkpoint.
    Raises ConfigError when it has none (only a session saved before there were
    checkpoints, in the middle of an epoch: the end of the epoch makes one)."""
    c = trainer.config
    items = trainer.checkpoints.list()  # a reset and an import both make one
    if not items:
        raise ConfigError("script.no_checkpoint")
    first = items[0]
    data = _data(trainer)
    trained = trainer.epoch - first.epoch
    return Template(TEMPLATE).substitute(
        summary=_fill(data.summary) + "\n\n" + _fill(_start_summary(first)),
        default_epochs=trained if trained > 0 else DEFAULT_EPOCHS,
        default_note=" (as far as the session had trained)" if trained > 0 else "",
        settings_table=_settings_table(trainer, first.epoch),
        settings=_settings(c, generated=data.generated),
        data_code=data.code,
        values=data.values + _start_values(trainer, first),
    )


# -- settings ---------------------------------------------------------------------------


def _settings(c: Config, *, generated: bool) -> str:
    rows: list[tuple[str, Any, str]] = [
        ("PROBLEM", c.problem, "classification (labels ±1), regression or multiclass"),
        ("CLASSES", c.classes, "the number of classes (multiclass only)"),
    ]
    if generated:
        rows.append(("NOISE", float(c.noise), "percent"))
    rows += [
        ("TRAIN_RATIO", float(c.train_ratio), "percent of the points that train"),
        ("SEED", c.seed, "the data and their split come from it"),
        ("FEATURES", c.features, _choices(FEATURES)),
        ("HIDDEN_LAYERS", c.hidden_layers, "neurons in each hidden layer"),
        ("ACTIVATION", c.activation, "of the hidden layers: " + _choices(ACTIVATIONS)),
        ("LEARNING_RATE", float(c.learning_rate), ""),
        ("LEARNING_RATE_DECAY", float(c.learning_rate_decay), "rate / (1 + decay · updates)"),
        ("OPTIMIZER", c.optimizer, _choices(OPTIMIZERS)),
        ("REGULARIZATION", c.regularization, _choices(REGULARIZATIONS)),
        ("REGULARIZATION_RATE", float(c.regularization_rate), ""),
        ("DROPOUT", float(c.dropout), "the chance that a hidden neuron is dropped"),
        ("BATCH_SIZE", c.batch_size, "examples per update"),
    ]  # fmt: skip
    return "\n".join(
        f"{name} = {_literal(value)}" + (f"  # {comment}" if comment else "")
        for name, value, comment in rows
    )


def _choices(table: Sequence[str] | dict[str, Any]) -> str:
    names = list(table)
    return ", ".join(names[:-1]) + " or " + names[-1]


def _literal(value: Any) -> str:
    """A setting as Python source: strings in double quotes, tuples, exact floats."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, tuple):
        items = [_literal(v) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, float):
        return repr(value)
    return str(int(value))


PROBLEMS = {
    "classification": "labels ±1, a tanh output, loss ½(output − label)²",
    "regression": "a linear output, loss ½(output − target)²",
    "multiclass": "{classes} classes, a softmax output, loss −log p(the right class)",
}


def _settings_table(t: Trainer, start: int) -> str:
    c = t.config
    n = len(t.split.train_labels) + len(t.split.test_labels)
    if t.custom is not None:
        data = f"your own {n} points, seed {c.seed}"
    else:
        data = f"{c.dataset}, {n} points, noise {c.noise:g} %, seed {c.seed}"
    decay = f", decay {c.learning_rate_decay:g}" if c.learning_rate_decay else " (no decay)"
    rate = f", rate {c.regularization_rate:g}" if c.regularization != "none" else ""
    dropout = f"{c.dropout:g} (of the hidden neurons)" if c.dropout else "none"
    layers = ", ".join(str(n) for n in c.hidden_layers) or "none"
    start_weights = (
        f"the session's at epoch 0 (drawn by the {c.init} scheme)"
        if start == 0
        else f"the session's at epoch {start}"
    )
    rows = [
        ("problem", f"{c.problem}: " + PROBLEMS[c.problem].format(classes=c.classes)),
        ("data", f"{data}; {c.train_ratio:g} % train, the others test"),
        ("input features", ", ".join(c.features)),
        ("hidden layers", f"{layers}; activation {c.activation}"),
        ("learning rate", f"{c.learning_rate:g}{decay}"),
        ("optimizer", c.optimizer),
        ("regularization", f"{c.regularization}{rate}"),
        ("dropout", dropout),
        ("batch size", str(c.batch_size)),
        ("starting weights", start_weights),
    ]
    return "\n".join(f"    {name:<18} {value}" for name, value in rows)


# -- the data ---------------------------------------------------------------------------


class Data(NamedTuple):
    code: str  # the script's ``make_data`` and what it needs
    values: str  # the literals it reads (placed at the end of the script)
    summary: str  # a sentence saying where the data come from
    generated: bool = False  # made again from the seed


def _data(t: Trainer) -> Data:
    """How the script makes the session's data: generated from the seed, a person's own
    points split by the seed, or (should the seed not give the session's split) the
    training and test points as they are."""
    c = t.config
    rng = np.random.default_rng([c.seed, 0])  # as the trainer makes its split
    if t.custom is not None:
        points, labels = t.custom
        if _same(custom_split(points, labels, c.train_ratio, rng), t.split):
            return Data(
                CUSTOM_CODE,
                _assign("POINTS", _rows(points.tolist()), "Your points (x1, x2) ...")
                + _assign("LABELS", _wrapped(labels.tolist(), 4), "... and their labels"),
                f"The data: your own {len(labels)} points, copied at the end of this file, "
                f"put in an order drawn from seed {c.seed} and split as the playground "
                "splits them.",
            )
    elif _same(make_split(c.dataset, c.noise, c.train_ratio, rng, c.classes), t.split):
        spec = DATASETS[c.dataset]
        name = spec.generate.__name__
        code = GENERATED_CODE.substitute(
            dataset=c.dataset, source=_source(name), generate=name, size=spec.size
        )
        return Data(
            code,
            "",
            f"The data: the {c.dataset} dataset, made again from seed {c.seed} by the "
            "playground's own generator (its source is copied below).",
            generated=True,
        )
    s = t.split
    values = "".join(
        _assign(name, _rows(v.tolist()) if v.ndim == 2 else _wrapped(v.tolist(), 4), "")
        for name, v in (
            ("TRAIN_POINTS", s.train_points),
            ("TRAIN_LABELS", s.train_labels),
            ("TEST_POINTS", s.test_points),
            ("TEST_LABELS", s.test_labels),
        )
    )
    return Data(
        COPIED_CODE,
        values,
        "The data: the session's training and test points, copied at the end of this file.",
    )


def _same(a: Split, b: Split) -> bool:
    return all(
        np.array_equal(x, y)
        for x, y in (
            (a.train_points, b.train_points),
            (a.train_labels, b.train_labels),
            (a.test_points, b.test_points),
            (a.test_labels, b.test_labels),
        )
    )


GENERATED_CODE = Template(
    '''# The playground's own generator of the $dataset dataset and what it calls, copied
# from its source (app/engine/datasets.py). Its random numbers come from a generator
# seeded by (SEED, 0), so the same seed gives the same points.


$source


def make_data() -> tuple[Array, Array, Array, Array]:
    """Make the $size points, shuffle them once (by the same seed) and split them:
    training points, training labels, test points, test labels."""
    rng = np.random.default_rng([SEED, 0])
    points, labels = $generate($size, NOISE / 100.0, rng, CLASSES)
    order = rng.permutation(len(labels))
    return split(points[order], labels[order])
'''
)

CUSTOM_CODE = '''# Your own points (POINTS and LABELS, copied at the end of this file).


def make_data() -> tuple[Array, Array, Array, Array]:
    """Your points in an order drawn from the seed (each point draws one uniform number;
    they are sorted by them), then split: training points, training labels, test points,
    test labels. Adding a point moves at most one other between training and test."""
    rng = np.random.default_rng([SEED, 0])
    points = np.array(POINTS, dtype=np.float64).reshape(-1, 2)
    labels = np.array(LABELS, dtype=np.float64)
    order = np.argsort(rng.random(len(labels)), kind="stable")
    return split(points[order], labels[order])
'''

COPIED_CODE = '''# The session's training and test points (copied at the end of this file).


def make_data() -> tuple[Array, Array, Array, Array]:
    """Training points, training labels, test points, test labels."""
    return (
        np.array(TRAIN_POINTS, dtype=np.float64).reshape(-1, 2),
        np.array(TRAIN_LABELS, dtype=np.float64),
        np.array(TEST_POINTS, dtype=np.float64).reshape(-1, 2),
        np.array(TEST_LABELS, dtype=np.float64),
    )
'''


@functools.cache
def _module_parts() -> tuple[str, dict[str, ast.stmt]]:
    """datasets.py's source and its top-level functions and constants by name."""
    source = inspect.getsource(datasets)
    parts: dict[str, ast.stmt] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            parts[node.name] = node
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    parts[target.id] = node
    return source, parts


def _source(function: str) -> str:
    """The source of a function of datasets.py and of the functions and constants it uses
    (in the file's order)."""
    source, parts = _module_parts()
    needed, todo = set(), [function]
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        used = {n.id for n in ast.walk(parts[name]) if isinstance(n, ast.Name)}
        todo += [n for n in used if n in parts and n not in SCRIPT_NAMES]
    chosen = [node for name, node in parts.items() if name in needed]
    return "\n\n\n".join(ast.get_source_segment(source, node) or "" for node in chosen)


# -- the starting point -----------------------------------------------------------------


def _start_summary(first: Checkpoint) -> str:
    if first.epoch == 0:
        return (
            "It starts from the network at epoch 0: the first weights and biases, copied at "
            "the end of this file."
        )
    return (
        f"It starts from the session's earliest checkpoint, epoch {first.epoch} (it has "
        "none before: it began there, e.g. as an imported model): its weights and biases, and "
        "whatever else decides what training does next (a partial batch carried over, "
        "L1's dead weights, the update count, the optimizer's memory, the random stream "
        "of dropout masks), copied at the end of this file."
    )


def _start_values(t: Trainer, first: Checkpoint) -> str:
    s = first.state
    memory = _memory(t, first)
    pending = None if s.pending is None or not s.pending_count else s.pending.tolist()
    dead = [] if s.dead is None else np.flatnonzero(s.dead).tolist()
    return "".join(
        (
            f"START_EPOCH = {first.epoch}\n",
            _weights(t, s.params),
            f"START_UPDATES = {s.updates}  # updates made before it (the decay counts them)\n",
            _assign(
                "START_PENDING",
                "None" if pending is None else _wrapped(pending, 4),
                "the summed gradient of a partial batch carried into the next epoch",
            ),
            f"START_PENDING_COUNT = {s.pending_count if pending else 0}  # examples in it\n",
            _assign(
                "START_DEAD: list[int]",
                _wrapped(dead, 4),
                "L1: weights (indices into params) that crossed 0",
            ),
            _assign(
                "START_MEMORY: dict[str, Any]",
                _memory_literal(memory),
                "the optimizer's memory ({}: nothing yet)",
            ),
            "# Where the random stream of dropout masks was.\n",
            f"RNG_STATE = {_nested(s.rng, 0)}\n",
        )
    )


def _memory(t: Trainer, first: Checkpoint) -> dict[str, Any]:
    """The optimizer's state at ``first`` as resuming from it would load it; {} when that
    is the fresh state (nothing learnt yet)."""
    state = first.state.optimizer
    if t.checkpoints.fresh_optimizer(first.epoch) or set(state) != set(t.optimizer.state_names):
        return {}
    if all(not np.any(v) for v in state.values()):
        return {}
    return state


def _memory_literal(memory: dict[str, Any]) -> str:
    if not memory:
        return "{}"
    items = [
        f"    {json.dumps(k)}: "
        + (_wrapped(v.tolist(), 8) if isinstance(v, np.ndarray) else str(int(v)))
        + ",\n"
        for k, v in memory.items()
    ]
    return "{\n" + "".join(items) + "}"


def _weights(t: Trainer, params: NDArray[np.float64]) -> str:
    """START_WEIGHTS: a matrix per layer, a row per neuron (its weights, then its bias)."""
    sizes, offset = t.net.sizes, 0
    out = [
        "# The weights and biases, a matrix per layer: row j holds the weights into neuron j\n"
        "# from each neuron of the layer below, then the bias of neuron j.\n"
        "START_WEIGHTS = [\n"
    ]
    for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes), start=1):
        size = fan_out * (fan_in + 1)
        matrix = params[offset : offset + size].reshape(fan_out, fan_in + 1).tolist()
        offset += size
        below = "inputs" if layer == 1 else "neurons"
        what = "the output" if layer == len(sizes) - 1 else "hidden"
        into = f"{fan_out} neuron" + ("s" if fan_out > 1 else "")
        out.append(f"    # layer {layer} ({what}): {fan_in} {below} → {into}\n    [\n")
        out += [f"        {_wrapped(row, 8)},\n" for row in matrix]
        out.append("    ],\n")
    out.append("]\n")
    return "".join(out)


def _nested(value: Any, indent: int) -> str:
    """A dict of strings, numbers and dicts (a random generator's state) as Python source,
    one key to a line."""
    if isinstance(value, dict):
        pad = " " * (indent + 4)
        items = [f"{pad}{json.dumps(k)}: {_nested(v, indent + 4)},\n" for k, v in value.items()]
        return "{\n" + "".join(items) + " " * indent + "}"
    return json.dumps(value) if isinstance(value, str) else repr(value)


def _fill(paragraph: str) -> str:
    return textwrap.fill(paragraph, width=WIDTH)


# -- number literals --------------------------------------------------------------------


def _number(value: float | int) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))


def _wrapped(values: Sequence[float | int], indent: int) -> str:
    """Numbers as a list literal."""
    return _list([_number(v) for v in values], indent)


def _rows(rows: list[list[float]]) -> str:
    """Points as a list of [x1, x2] pairs."""
    return _list(["[" + ", ".join(_number(v) for v in row) + "]" for row in rows], 0)


def _list(items: list[str], indent: int) -> str:
    """A list literal of ``items`` (source text) at ``indent``: on one line when it fits,
    else several items to a line, at most ``WIDTH`` long."""
    line = "[" + ", ".join(items) + "]"
    if indent + len(line) <= WIDTH:
        return line
    lines, current = [], ""
    for item in items:
        if current and indent + 4 + len(current) + len(item) + 2 > WIDTH:
            lines.append(current.rstrip())
            current = ""
        current += item + ", "
    lines.append(current.rstrip())
    pad = " " * (indent + 4)
    return "[\n" + "".join(pad + line + "\n" for line in lines) + " " * indent + "]"


def _assign(name: str, literal: str, comment: str) -> str:
    note = f"# {comment}\n" if comment and "\n" in literal else ""
    tail = f"  # {comment}" if comment and "\n" not in literal else ""
    return f"{note}{name} = {literal}{tail}\n"
