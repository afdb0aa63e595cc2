"""A trainer's whole state as plain data, and back: JSON-able ``meta`` plus named NumPy
arrays, packed into bytes by ``pack`` (never pickle: nothing in it runs code when read).

Restoring gives a trainer that trains on bit for bit as the original would have: config,
data, parameters, the partial batch carried into the next epoch, L1's dead weights, the
optimizer's state, the random generator's state, counters, metrics, loss history and
checkpoints (meta ``checkpoints``: their columns; arrays ``checkpoints.params`` etc.:
one row per checkpoint; a snapshot without them still restores). A store that keeps the
checkpoints' states elsewhere captures only their list and restores with a loader that
reads a state when one is needed (app/redis_store.py).

The packed format (version 1), all little-endian:

    b"NPS1" | u32 header length | header (UTF-8 JSON) | array bytes

The header is ``{"meta": {...}, "arrays": [{"name", "dtype", "shape", "offset"}, ...]}``;
each array's bytes start at ``offset`` after the header, its dtype one of ``<f8``, ``<f4``,
``|u1``. The meta carries ``"version": 1``; a reader refuses versions it does not know.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .checkpoints import Checkpoints, State
from .config import ConfigError, config_from_dict
from .datasets import Split
from .history import History
from .messages import message_of
from .trainer import Metrics, Trainer

VERSION = 1
MAGIC = b"NPS1"
DTYPES = {"<f8": np.float64, "<f4": np.float32, "|u1": np.uint8}
_HEADER = struct.Struct("<I")

Arrays = dict[str, NDArray[Any]]
Loader = Callable[[int], State]  # a checkpoint's state by its epoch


def capture(t: Trainer, *, checkpoint_states: bool = True) -> tuple[dict[str, Any], Arrays]:
    """Everything that decides what ``t`` does next; without ``checkpoint_states`` only
    the list of checkpoints (their states are kept elsewhere: ``restore``'s loader)."""
    s, h = t.split, t.history
    scalars: dict[str, Any] = {}
    meta: dict[str, Any] = {
        "version": VERSION,
        "config": t.config.to_dict(),
        "run": t.run,
        "epoch": t.epoch,
        "position": t.position,
        "updates": t.updates,
        "pending_count": t._pending_count,
        "status": t.status,
        "diverged_at_epoch": t.diverged_at_epoch,
        "metrics": [t.metrics.train_loss, t.metrics.test_loss,
                    t.metrics.train_accuracy, t.metrics.test_accuracy],
        "rng": t.rng.bit_generator.state,
        "optimizer": scalars,
        "history": h.counters(),
    }  # fmt: skip
    arrays: Arrays = {
        "train_points": s.train_points,
        "train_labels": s.train_labels,
        "test_points": s.test_points,
        "test_labels": s.test_labels,
        "params": t.net.params.copy(),
        "pending": t._pending.copy(),
        "dead": t.dead.astype(np.uint8),
        "history_epochs": np.array(h.epochs, dtype=np.float64),
        "train_history": np.frombuffer(h.train, dtype=np.float64).copy(),
        "test_history": np.frombuffer(h.test, dtype=np.float64).copy(),
    }
    if t.custom is not None:
        arrays["custom_points"], arrays["custom_labels"] = t.custom
    for name, value in t.optimizer.state().items():
        if isinstance(value, np.ndarray):
            arrays[f"optimizer.{name}"] = value
        else:
            scalars[name] = value
    if checkpoint_states:
        meta["checkpoints"], stacks = t.checkpoints.pack()
        arrays.update(stacks)
    else:
        meta["checkpoints"] = t.checkpoints.index()
    return meta, arrays


def restore(
    meta: dict[str, Any], arrays: Arrays, checkpoint_loader: Loader | None = None
) -> Trainer:
    """The trainer ``capture`` saw. Raises ConfigError for data that does not fit."""
    if meta.get("version") != VERSION:
        raise ConfigError("snapshot.version", version=meta.get("version"))
    config = config_from_dict(meta["config"])
    split = Split(
        _shaped(arrays, "train_points", (-1, 2)),
        _shaped(arrays, "train_labels", (-1,)),
        _shaped(arrays, "test_points", (-1, 2)),
        _shaped(arrays, "test_labels", (-1,)),
    )
    custom = None
    if "custom_points" in arrays:
        points = _shaped(arrays, "custom_points", (-1, 2))
        custom = (points, _shaped(arrays, "custom_labels", (len(points),)))
    t = Trainer(config, split, custom)
    size = t.net.params.size
    t.net.params[:] = _shaped(arrays, "params", (size,))
    t._pending[:] = _shaped(arrays, "pending", (size,))
    t.dead[:] = _shaped(arrays, "dead", (size,)).astype(bool)
    optimizer = dict(meta["optimizer"])
    for name in t.optimizer.state_names:
        if f"optimizer.{name}" in arrays:
            optimizer[name] = arrays[f"optimizer.{name}"]
    try:
        t.optimizer.load_state(optimizer)
        t.rng.bit_generator.state = meta["rng"]
    except (ValueError, TypeError, KeyError) as exc:
        raise ConfigError("snapshot.optimizer", reason=message_of(exc)) from None
    t.run, t.epoch, t.updates = int(meta["run"]), int(meta["epoch"]), int(meta["updates"])
    t._pending_count = int(meta["pending_count"])
    t.position = int(meta["position"])
    if not 0 <= t.position < max(1, t.batches_per_epoch):  # no training points: 0 batches
        raise ConfigError("snapshot.position", position=t.position)
    t.status = str(meta["status"])
    t.diverged_at_epoch = meta["diverged_at_epoch"]
    t.metrics = Metrics(*meta["metrics"])
    try:
        t.history = History.load(
            _shaped(arrays, "history_epochs", (-1,)),
            _shaped(arrays, "train_history", (-1,)),
            _shaped(arrays, "test_history", (-1,)),
            meta["history"],
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError("snapshot.history", reason=message_of(exc)) from None
    _restore_checkpoints(t, meta, arrays, checkpoint_loader)
    return t


def _restore_checkpoints(
    t: Trainer, meta: dict[str, Any], arrays: Arrays, loader: Loader | None
) -> None:
    """The saved checkpoints (with ``loader``, only their list: it reads a state when one
    is needed); a session saved before there were any gets the current state as its only
    one when it stands at an epoch boundary, else none."""
    t.checkpoints = Checkpoints()
    if "checkpoints" not in meta:
        if t.position == 0:
            t._checkpoint()
        return
    try:
        if loader is None:
            t.checkpoints = Checkpoints.unpack(meta["checkpoints"], arrays, t.net.params.size)
        else:
            t.checkpoints = Checkpoints.from_index(meta["checkpoints"], loader)
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError("snapshot.checkpoints", reason=message_of(exc)) from None


def _shaped(arrays: Arrays, name: str, shape: tuple[int, ...]) -> NDArray[Any]:
    if name not in arrays:
        raise ConfigError("snapshot.missing", name=name)
    value = arrays[name]
    if len(value.shape) != len(shape) or any(
        want not in (-1, got) for want, got in zip(shape, value.shape, strict=True)
    ):
        raise ConfigError("snapshot.shape", name=name, got=list(value.shape), shape=list(shape))
    return value


def pack(meta: dict[str, Any], arrays: Arrays) -> bytes:
    """``meta`` and ``arrays`` as bytes (the format above)."""
    entries, chunks, offset = [], [], 0
    for name, value in arrays.items():
        data = np.ascontiguousarray(value)
        dtype = data.dtype.newbyteorder("<").str if data.dtype.kind == "f" else "|u1"
        raw = data.astype(DTYPES[dtype], copy=False).tobytes()
        entries.append({"name": name, "dtype": dtype, "shape": list(data.shape), "offset": offset})
        chunks.append(raw)
        offset += len(raw)
    header = json.dumps({"meta": meta, "arrays": entries}, separators=(",", ":")).encode()
    return b"".join([MAGIC, _HEADER.pack(len(header)), header, *chunks])


def unpack(data: bytes) -> tuple[dict[str, Any], Arrays]:
    """The inverse of ``pack``; raises ConfigError for anything malformed."""
    if data[:4] != MAGIC or len(data) < 8:
        raise ConfigError("snapshot.magic")
    (length,) = _HEADER.unpack_from(data, 4)
    start = 8 + length
    try:
        header = json.loads(data[8:start])
        arrays: Arrays = {}
        for entry in header["arrays"]:
            dtype = np.dtype(DTYPES[entry["dtype"]]).newbyteorder("<")
            shape = tuple(int(n) for n in entry["shape"])
            count = int(np.prod(shape, dtype=np.int64))
            offset = start + int(entry["offset"])
            if offset < start or offset + count * dtype.itemsize > len(data):
                raise ValueError(f"{entry['name']} lies outside the data")
            arrays[str(entry["name"])] = np.frombuffer(data, dtype, count, offset).reshape(shape)
        return header["meta"], arrays
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError("snapshot.malformed", reason=message_of(exc)) from None
