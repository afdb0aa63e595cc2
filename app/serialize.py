"""NumPy → JSON, in one place: session state, frames (quantised grids), data, predictions."""

from __future__ import annotations

import base64
import itertools
import math
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .engine import ConfigError, Trainer, divergence_message, evaluate_grid
from .engine.checkpoints import nearest_epochs
from .engine.config import Field
from .store import Session

DENSITY = 100


def state(session: Session, lang: str = "en") -> dict[str, Any]:
    """The session's state; its sentences (the divergence explanation) in ``lang``."""
    t = session.trainer
    m = t.metrics
    diverged = t.status == "diverged"
    return {
        "id": session.id,
        "config": t.config.to_dict(),
        "layer_sizes": list(t.net.sizes),
        "epoch": t.epoch,
        "train_loss": m.train_loss,
        "test_loss": m.test_loss,
        "train_accuracy": m.train_accuracy,
        "test_accuracy": m.test_accuracy,
        "status": t.status,
        "diverged_at_epoch": t.diverged_at_epoch,
        "message": divergence_message(t.epoch, lang) if diverged else None,
        "confusion": t.confusion(),
        "data_size": len(t.split.train_labels) + len(t.split.test_labels),
        "batch": t.position,
        "batches_per_epoch": t.batches_per_epoch,
    }


def quantised(grids: NDArray[Any]) -> NDArray[np.uint8]:
    """Grids (k, …) with values clamped to [-1, 1] → bytes q = round((v + 1)·127.5), NaN
    as 127, same shape. One vectorised pass for all k."""
    q = np.clip(grids, -1.0, 1.0)
    q += 1.0
    q *= 127.5
    np.rint(q, out=q)
    out: NDArray[np.uint8] = np.nan_to_num(q, nan=127.0).astype(np.uint8)
    return out


def quantise_each(grids: NDArray[Any]) -> list[str]:
    """Grids (k, …) → one base64 string of its bytes (``quantised``) per grid."""
    return [b64(g.tobytes()) for g in quantised(grids)]


def quantise(grid: NDArray[Any]) -> str:
    return quantise_each(grid[np.newaxis])[0]


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _grids(session: Session, slot: str, density: int) -> list[NDArray[Any]]:
    """The grid of every layer at ``density``, cached until the weights change.

    One cache entry per slot ("full" and "thumb"; a checkpoint's grids are dropped after
    its frame): a client asking for many thumbnail sizes or epochs cannot make a session
    hold a set of grids for each."""
    t = session.trainer
    key = (t.net.params.tobytes(), t.config, density)
    cached = session.cache.get(slot)
    if cached is not None and cached[0] == key:
        return cached[1]  # type: ignore[no-any-return]
    layers = evaluate_grid(t, density)
    session.cache[slot] = (key, layers)
    return layers


def frame(
    session: Session,
    since: int,
    thumb: int,
    neuron: list[int] | None,
    epoch: int | None = None,
    thumbs: bool = True,
) -> dict[str, Any]:
    """The frame as JSON sends it: ``frame_bytes`` with each map as a base64 string."""
    return with_maps(frame_bytes(session, since, thumb, neuron, epoch, thumbs), b64)


def frame_bytes(
    session: Session,
    since: int,
    thumb: int,
    neuron: list[int] | None,
    epoch: int | None = None,
    thumbs: bool = True,
) -> dict[str, Any]:
    """The pictures of the network (and the history from ``since``), each map as its
    quantised bytes; with ``epoch``, of the network at that checkpoint — the session's
    history, nothing changed. ``thumbs`` false: no thumbnails (``features`` and
    ``neurons`` null, not computed). Raises ConfigError when there is no checkpoint at
    ``epoch``."""
    if epoch is None:
        return _frame(session, since, thumb, neuron, "", thumbs)
    t = session.trainer
    c = t.checkpoints.at(epoch)
    if c is None:
        near = nearest_epochs(t.checkpoints.nearest(epoch))
        raise ConfigError("frame.no_checkpoint", epoch=epoch, near=near)
    current = t.net.params.copy()
    np.copyto(t.net.params, c.state.params)  # under the session's lock: put back below
    try:
        out = _frame(session, since, thumb, neuron, "replay ", thumbs)
    finally:
        np.copyto(t.net.params, current)
        for slot in ("replay full", "replay thumb"):  # kept only while drawing it
            session.cache.pop(slot, None)
    out["epoch"] = epoch
    return out


def with_maps(frame: dict[str, Any], encode: Callable[[bytes], Any]) -> dict[str, Any]:
    """A copy of ``frame_bytes``'s answer with every map replaced by ``encode(bytes)``:
    ``output`` (left "" for class probabilities), each of ``classes``, ``features``,
    ``neurons[l]`` and ``neuron.grid``; null stays null."""

    def each(maps: list[bytes] | None) -> list[Any] | None:
        return None if maps is None else [encode(m) for m in maps]

    out = dict(frame)
    out["output"] = encode(frame["output"]) if frame["output"] else ""
    out["classes"] = each(frame["classes"])
    out["features"] = each(frame["features"])
    neurons = frame["neurons"]
    out["neurons"] = None if neurons is None else [each(layer) for layer in neurons]
    if frame["neuron"] is not None:
        out["neuron"] = {**frame["neuron"], "grid": encode(frame["neuron"]["grid"])}
    return out


def _frame(
    session: Session,
    since: int,
    thumb: int,
    neuron: list[int] | None,
    slots: str,
    thumbs: bool,
) -> dict[str, Any]:
    t = session.trainer
    full = _grids(session, slots + "full", DENSITY)
    neuron_out = None
    if neuron is not None:
        layer, index = neuron
        if layer < len(full) - 1 and index < full[layer].shape[0]:
            grid = quantised(full[layer][index]).tobytes()
            neuron_out = {"layer": layer, "index": index, "grid": grid}
    features, neurons = None, None
    if thumbs:
        small = _grids(session, slots + "thumb", thumb)
        q = quantised(np.concatenate(small[:-1]))  # features and hidden neurons
        each = [g.tobytes() for g in q]
        bounds = np.cumsum([0] + [len(layer) for layer in small[:-1]]).tolist()
        features = each[: len(small[0])]
        neurons = [each[a:b] for a, b in itertools.pairwise(bounds[1:])]
    h = t.history
    position = h.since_position(since)
    start = since if position is not None else 0  # 0: the whole (thinned) history again
    position = position or 0
    output, classes = b"", None
    if t.net.softmax:  # probabilities p in [0, 1] → 2p − 1, so the byte is round(255·p)
        classes = [g.tobytes() for g in quantised(2.0 * full[-1] - 1.0)]
    else:
        output = quantised(full[-1][0]).tobytes()
    return {
        "epoch": t.epoch,
        "density": DENSITY,
        "thumb": thumb,
        "output": output,
        "classes": classes,
        "features": features,
        "neurons": neurons,
        "neuron": neuron_out,
        "weights": [w.tolist() for w in t.net.weights()],
        "biases": [b.tolist() for b in t.net.biases()],
        "history": {
            "run": t.run,
            "start": start,
            "next": h.total,
            "train": h.train[position:].tolist(),
            "test": h.test[position:].tolist(),
            "epochs": h.epochs[position:].tolist(),
        },
    }


def field(f: Field) -> dict[str, Any]:
    """One row of the engine's table of settings, as ``/api/options`` sends it."""
    out = asdict(f)
    del out["why"]
    out["steps"] = list(f.steps)
    out["default"] = _plain(f.default)
    if f.kind == "seed":
        out["default"] = None  # a new session without a seed gets a random one
    return out


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def predictions(values: NDArray[np.float64]) -> dict[str, Any]:
    """``/predict``'s answer: outputs, or for class probabilities (n, K) the most probable
    class and the probabilities."""
    if values.ndim == 1:
        return {"outputs": outputs(values), "probabilities": None}
    finite = np.isfinite(values).sum(axis=1) == values.shape[1]  # diverged: null, as for one
    best = values.argmax(axis=1).astype(np.float64).tolist()
    rows = values.tolist()
    return {
        "outputs": [b if ok else None for b, ok in zip(best, finite.tolist(), strict=True)],
        "probabilities": [r if ok else None for r, ok in zip(rows, finite.tolist(), strict=True)],
    }


def outputs(values: NDArray[np.float64]) -> list[float | None]:
    """Predictions as JSON numbers: ±inf clipped to the largest float, NaN as null."""
    clipped = np.clip(values, -np.finfo(np.float64).max, np.finfo(np.float64).max)
    return [None if math.isnan(v) else v for v in clipped.tolist()]


def data(trainer: Trainer) -> dict[str, Any]:
    s = trainer.split
    custom = None
    if trainer.custom is not None:
        points, labels = trainer.custom
        custom = {"points": points.tolist(), "labels": labels.tolist()}
    return {
        "train": {"points": s.train_points.tolist(), "labels": s.train_labels.tolist()},
        "test": {"points": s.test_points.tolist(), "labels": s.test_labels.tolist()},
        "custom": custom,
    }
