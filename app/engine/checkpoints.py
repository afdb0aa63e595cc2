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

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .messages import Message

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


@dataclass(frozen=True, eq=False)
class Checkpoint:
    """One checkpoint. Its state is held (``saved``) or, for one kept elsewhere (a session
    in Redis keeps each under its own field), read by ``loader(epoch)`` when asked for."""

    epoch: int
    train_loss: float
    test_loss: float
    saved: State | None = None
    loader: Callable[[int], State] | None = field(default=None, repr=False)

    @property
    def state(self) -> State:
        if self.saved is not None:
            return self.saved
        if self.loader is None:
            raise ValueError(f"checkpoint {self.epoch} has no state")
        return self.loader(self.epoch)


Items = list[Checkpoint]  # aliases: inside the class, ``list`` is the method
Epochs = list[int]


def nearest_epochs(epochs: Epochs) -> str | Message:
    """The epochs ``Checkpoints.nearest`` gives, as a message says them: "4 and 9"."""
    if not epochs:
        return Message("words.no_epochs")
    if len(epochs) == 1:
        return Message("words.epoch_one", {"epoch": epochs[0]})
    return Message("words.epochs_two", {"first": epochs[0], "last": epochs[1]})


class Checkpoints:
    def __init__(self) -> None:
        self._items: Items = []
        self.stride = 1  # older checkpoints only at multiples of it
        # Checkpoints up to this epoch predate an optimizer change: resuming from one
        # starts the optimizer afresh (their saved optimizer state is of another kind).
        self.fresh_optimizer_through = -1

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
        self.fresh_optimizer_through = min(self.fresh_optimizer_through, epoch)
        # Back to the stride a run of this length has (those kept are on it too), so the
        # epochs trained from here on are kept as densely as in a fresh run.
        while self.stride > 1 and max(0, epoch - RECENT) <= (LIMIT - RECENT - 1) * (
            self.stride // 2
        ):
            self.stride //= 2

    def clear(self) -> None:
        self._items, self.stride, self.fresh_optimizer_through = [], 1, -1

    def keep_states_elsewhere(self, loader: Callable[[int], State]) -> None:
        """Drop the states held here: ``loader(epoch)`` reads one when it is needed."""
        self._items = [
            c if c.saved is None else Checkpoint(c.epoch, c.train_loss, c.test_loss, loader=loader)
            for c in self._items
        ]

    def optimizer_changed(self) -> None:
        """The optimizer was changed: resuming from any checkpoint kept so far restarts it."""
        if self._items:
            self.fresh_optimizer_through = self._items[-1].epoch

    def fresh_optimizer(self, epoch: int) -> bool:
        return epoch <= self.fresh_optimizer_through

    # -- saving and loading --------------------------------------------------------------
    def index(self) -> dict[str, Any]:
        """What lists them (JSON-able), without their states."""
        return {
            "epochs": [c.epoch for c in self._items],
            "train": [c.train_loss for c in self._items],
            "test": [c.test_loss for c in self._items],
            "stride": self.stride,
            "fresh_optimizer_through": self.fresh_optimizer_through,
        }

    @classmethod
    def from_index(cls, meta: dict[str, Any], loader: Callable[[int], State]) -> Checkpoints:
        """Checkpoints listed by ``index()`` whose states ``loader(epoch)`` reads when one is
        needed; raises ValueError, KeyError or TypeError for an index that does not fit."""
        out = cls._listed(meta)
        out._items = [
            Checkpoint(c.epoch, c.train_loss, c.test_loss, loader=loader) for c in out._items
        ]
        return out

    @classmethod
    def _listed(cls, meta: dict[str, Any]) -> Checkpoints:
        out = cls()
        out.stride = int(meta.get("stride", 1))
        if out.stride < 1:
            raise ValueError(f"stride must be ≥ 1, got {out.stride}")
        out.fresh_optimizer_through = int(meta.get("fresh_optimizer_through", -1))
        epochs = [int(e) for e in meta["epochs"]]
        if len(meta["train"]) != len(epochs) or len(meta["test"]) != len(epochs):
            raise ValueError("checkpoint columns differ in length")
        out._items = [
            Checkpoint(e, float(a), float(b))
            for e, a, b in zip(epochs, meta["train"], meta["test"], strict=True)
        ]
        return out

    def pack(self) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
        """JSON-able columns and stacked arrays (k, P) named ``checkpoints.*``; the
        pending and dead stacks only when some checkpoint has them."""
        items = self._items
        states = [c.state for c in items]
        meta: dict[str, Any] = {
            **self.index(),
            "pending_count": [s.pending_count for s in states],
            "updates": [s.updates for s in states],
            "rng": [s.rng for s in states],
            "optimizer": {},
        }
        arrays: dict[str, NDArray[Any]] = {}
        if not items:
            return meta, arrays
        size = states[0].params.size
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
        # The optimizer's state as the newest checkpoint has it. Those from before an
        # optimizer change hold another kind (they restart it when resumed from, so what
        # they hold is never used): they are saved with zeros.
        for name, value in states[-1].optimizer.items():
            if isinstance(value, np.ndarray):
                arrays[f"checkpoints.optimizer.{name}"] = np.stack(
                    [_same_kind(s.optimizer.get(name), value) for s in states]
                )
            else:
                meta["optimizer"][name] = [
                    s.optimizer[name] if isinstance(s.optimizer.get(name), int) else 0
                    for s in states
                ]
        return meta, arrays

    @classmethod
    def unpack(
        cls, meta: dict[str, Any], arrays: dict[str, NDArray[Any]], size: int
    ) -> Checkpoints:
        """The inverse of ``pack`` for parameters of ``size``; raises ValueError, KeyError
        or TypeError for data that do not fit."""
        out = cls._listed(meta)
        listed = out._items
        k = len(listed)
        if not k:
            return out
        columns = ("pending_count", "updates", "rng")
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
        out._items = []
        for i, c in enumerate(listed):
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
            out._items.append(Checkpoint(c.epoch, c.train_loss, c.test_loss, state))
        return out


def pack_one(c: Checkpoint) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
    """One checkpoint, packed as ``Checkpoints.pack`` packs a list of one."""
    one = Checkpoints()
    one._items = [c]
    return one.pack()


def unpack_one(meta: dict[str, Any], arrays: dict[str, NDArray[Any]], size: int) -> State:
    """The state ``pack_one`` packed; raises ValueError, KeyError or TypeError."""
    items = Checkpoints.unpack(meta, arrays, size).list()
    if len(items) != 1:
        raise ValueError(f"expected one checkpoint, got {len(items)}")
    return items[0].state


def _same_kind(value: Any, like: NDArray[Any]) -> NDArray[Any]:
    if isinstance(value, np.ndarray) and value.shape == like.shape:
        return value
    return np.zeros_like(like)


def _stack(arrays: dict[str, NDArray[Any]], name: str, k: int, size: int) -> NDArray[Any]:
    value = arrays[f"checkpoints.{name}"]
    if value.shape != (k, size):
        raise ValueError(f"checkpoints.{name} has shape {list(value.shape)}, not {[k, size]}")
    return value
