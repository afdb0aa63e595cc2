"""Checkpoints of one run: the trainer's state at some epoch boundaries, bounded.

A checkpoint is taken after every epoch's losses are recorded (and at a reset, epoch 0).
It holds everything that decides what training does next from that epoch — parameters,
the partial batch carried into the next epoch and its count, L1's dead weights, the
optimizer's state, the random generator's state (dropout) and the update counter — so
training on from it repeats the original run bit for bit (the position within the epoch
is 0 at a boundary).

The rule that bounds them: at most ``LIMIT`` (64) are kept. The newest ``RECENT`` (32)
are kept one by one; older ones only at epochs that are multiples of a ``stride`` (1 at
first), and epoch 0 always. When one more would make ``LIMIT + 1``, the stride doubles
and the older ones off it are dropped (about half of them). So a run of E epochs keeps
its last 32 epochs densely and the rest evenly every ``stride`` epochs, 16 … 31 of them,
wherever it is in time: stride = the smallest power of two with (E − 32) / stride ≤ 31.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

LIMIT = 64
RECENT = 32

Array = NDArray[np.float64]


@dataclass(frozen=True)
class State:
    """What a trainer needs to train on from an epoch boundary. ``pending`` is None when
    no partial batch is carried (``pending_count`` 0), ``dead`` None when no weight is
    dead; arrays are copies the checkpoint owns."""

    params: Array  # (P,)
    pending: Array | None  # (P,): the carried partial batch's summed gradient
    pending_count: int
    dead: NDArray[np.bool_] | None  # (P,)
    updates: int
    rng: dict[str, Any]  # the bit generator's state
    optimizer: dict[str, Any]  # Optimizer.state(): arrays (P,) and counters


@dataclass(frozen=True)
class Checkpoint:
    epoch: int
    train_loss: float
    test_loss: float
    state: State


Items = list[Checkpoint]  # aliases: inside the class, ``list`` is the method
Epochs = list[int]


class Checkpoints:
    def __init__(self) -> None:
        self._items: Items = []
        self.stride = 1  # older checkpoints only at multiples of it

    def __len__(self) -> int:
        return len(self._items)

    def add(self, epoch: int, train_loss: float, test_loss: float, state: State) -> None:
        """Keep the state at ``epoch`` (replacing one at the same epoch), then thin."""
        if self._items and self._items[-1].epoch >= epoch:
            self.drop_after(epoch - 1)
        items = self._items
        items.append(Checkpoint(epoch, train_loss, test_loss, state))
        if len(items) > RECENT + 1 and not self._on_stride(items[-RECENT - 1].epoch):
            del items[-RECENT - 1]  # it left the newest RECENT, off the stride
        while len(items) > LIMIT:
            self.stride *= 2
            recent = len(items) - RECENT
            items[:] = [c for i, c in enumerate(items) if i >= recent or self._on_stride(c.epoch)]

    def _on_stride(self, epoch: int) -> bool:
        return epoch % self.stride == 0  # epoch 0 too

    def list(self) -> Items:
        return list(self._items)

    def at(self, epoch: int) -> Checkpoint | None:
        for c in self._items:
            if c.epoch == epoch:
                return c
        return None

    def nearest(self, epoch: int) -> Epochs:
        """The epochs of the checkpoints just before and just after ``epoch``."""
        before = [c.epoch for c in self._items if c.epoch < epoch][-1:]
        after = [c.epoch for c in self._items if c.epoch > epoch][:1]
        return before + after

    def drop_after(self, epoch: int) -> None:
        """Forget the checkpoints of epochs after ``epoch``."""
        self._items = [c for c in self._items if c.epoch <= epoch]

    def clear(self) -> None:
        self._items, self.stride = [], 1

    def map_states(self, change: Any) -> None:
        """Replace each state by ``change(state)`` (e.g. a fresh optimizer state)."""
        self._items = [
            Checkpoint(c.epoch, c.train_loss, c.test_loss, change(c.state)) for c in self._items
        ]

    # -- saving and loading --------------------------------------------------------------
    def pack(self) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
        """JSON-able columns and stacked arrays (k, P) named ``checkpoints.*``; the
        pending and dead stacks only when some checkpoint has them."""
        items = self._items
        meta: dict[str, Any] = {
            "epochs": [c.epoch for c in items],
            "train": [c.train_loss for c in items],
            "test": [c.test_loss for c in items],
            "pending_count": [c.state.pending_count for c in items],
            "updates": [c.state.updates for c in items],
            "rng": [c.state.rng for c in items],
            "optimizer": {},
            "stride": self.stride,
        }
        arrays: dict[str, NDArray[Any]] = {}
        if not items:
            return meta, arrays
        size = items[0].state.params.size
        arrays["checkpoints.params"] = np.stack([c.state.params for c in items])
        zeros = np.zeros(size)
        if any(c.state.pending is not None for c in items):
            arrays["checkpoints.pending"] = np.stack(
                [zeros if c.state.pending is None else c.state.pending for c in items]
            )
        if any(c.state.dead is not None for c in items):
            no = np.zeros(size, dtype=bool)
            arrays["checkpoints.dead"] = np.stack(
                [no if c.state.dead is None else c.state.dead for c in items]
            ).astype(np.uint8)
        for name, value in items[0].state.optimizer.items():
            if isinstance(value, np.ndarray):
                arrays[f"checkpoints.optimizer.{name}"] = np.stack(
                    [c.state.optimizer[name] for c in items]
                )
            else:
                meta["optimizer"][name] = [c.state.optimizer[name] for c in items]
        return meta, arrays

    @classmethod
    def unpack(
        cls, meta: dict[str, Any], arrays: dict[str, NDArray[Any]], size: int
    ) -> Checkpoints:
        """The inverse of ``pack`` for parameters of ``size``; raises ValueError, KeyError
        or TypeError for data that do not fit."""
        out = cls()
        out.stride = int(meta.get("stride", 1))
        if out.stride < 1:
            raise ValueError(f"stride must be ≥ 1, got {out.stride}")
        epochs = [int(e) for e in meta["epochs"]]
        k = len(epochs)
        if not k:
            return out
        columns = ("train", "test", "pending_count", "updates", "rng")
        if any(len(meta[name]) != k for name in columns):
            raise ValueError("checkpoint columns differ in length")
        params = _stack(arrays, "params", k, size)
        pending = _stack(arrays, "pending", k, size) if "checkpoints.pending" in arrays else None
        dead = _stack(arrays, "dead", k, size) if "checkpoints.dead" in arrays else None
        scalars = {n: list(v) for n, v in meta["optimizer"].items()}
        prefix = "checkpoints.optimizer."
        stacks = {
            name.removeprefix(prefix): _stack(arrays, name.removeprefix("checkpoints."), k, size)
            for name in arrays
            if name.startswith(prefix)
        }
        for i, epoch in enumerate(epochs):
            count = int(meta["pending_count"][i])
            optimizer: dict[str, Any] = {n: v[i].copy() for n, v in stacks.items()}
            optimizer.update({n: int(v[i]) for n, v in scalars.items()})
            state = State(
                params=params[i].astype(np.float64),
                pending=None if pending is None or not count else pending[i].astype(np.float64),
                pending_count=count,
                dead=None if dead is None or not dead[i].any() else dead[i].astype(bool),
                updates=int(meta["updates"][i]),
                rng=dict(meta["rng"][i]),
                optimizer=optimizer,
            )
            out._items.append(
                Checkpoint(epoch, float(meta["train"][i]), float(meta["test"][i]), state)
            )
        return out


def _stack(arrays: dict[str, NDArray[Any]], name: str, k: int, size: int) -> NDArray[Any]:
    value = arrays[f"checkpoints.{name}"]
    if value.shape != (k, size):
        raise ValueError(f"checkpoints.{name} has shape {list(value.shape)}, not {[k, size]}")
    return value
