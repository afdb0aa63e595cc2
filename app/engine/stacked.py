"""Train several sessions of the same shape together, in one stacked pass per chunk.

S trainers whose networks have the same shape (``shape_key``) keep their parameters as
one stacked array ``params`` (S, P); layer l is the view ``layers[l]`` of shape
(S, fan_out, fan_in + 1), so one ``np.matmul`` (S, fan_out, fan_in + 1) @ (S, fan_in + 1,
m) gives layer l's total input for every session's chunk of m examples. Everything else
is each session's own, stacked along the first axis: its data (S, n_features + 1, n),
targets (S, outputs, n), learning rate and decay (its own update counter), regularisation
rate, dropout rate (masks drawn from its own Generator, in the order it would alone),
optimizer state (S, P), carried partial batch, L1 dead weights and status.

The maths is ``Trainer._train_epoch`` / ``Backprop.gradient`` / ``Trainer._update``
with a leading session axis; every operation is element-wise or one matrix product per
session, so each session gets what it would get alone (``tests/test_stacked.py``).
After every epoch each session's state is written back into its Trainer, which then
measures, records and checkpoints itself (``_measure``, ``_record``). A session whose
epoch fails (a non-finite update or loss) is rolled back and marked diverged exactly as
``Trainer.step`` does, and leaves the stack; the others go on.

This module reads and writes the Trainer's private training state (``_chunks``,
``_pending``, ``_pending_count``, ``dead``, ``updates``, the optimizer's state arrays) —
the same state ``Trainer._checkpoint`` saves.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .losses import REGULARIZATIONS, SQUARED
from .optimizers import Adam, Momentum, RMSprop
from .trainer import Metrics, Trainer

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]
Deriv = Callable[[Array, Array], Array]  # a penalty's derivative (w, out) -> out


def shape_key(trainer: Trainer) -> Hashable:
    """Trainers with equal keys can be trained together: the same layer sizes,
    activation, problem, batch size and number of training points (so the same chunks),
    optimizer, regularisation (counted as "none" at rate 0) and dropout on or off."""
    c = trainer.config
    regularising = c.regularization != "none" and c.regularization_rate > 0
    return (
        trainer.net.sizes,
        c.activation,
        c.problem,
        c.batch_size,
        len(trainer.split.train_labels),
        c.optimizer,
        c.regularization if regularising else "none",
        c.dropout > 0,
    )


def train_together(
    trainers: Sequence[Trainer],
    epochs: int | Sequence[int],
    stop: Callable[[list[int]], Sequence[int]] | None = None,
) -> list[int]:
    """Train every trainer by up to ``epochs`` epochs (one count for all, or one each), as
    ``trainer.step(epochs)`` would (stopping early on divergence); return the epochs each
    completed. All must have the same ``shape_key`` (ValueError otherwise). A trainer in
    the middle of an epoch (after batch steps) finishes it alone first, as ``step`` would.

    ``stop(training)``, asked after every epoch with the indices (into ``trainers``) of
    those still training, returns the indices that stop there — as ``Trainer.step``'s
    ``stop`` asks after each epoch, so each trains at least one."""
    if len({id(t) for t in trainers}) != len(trainers):
        raise ValueError("a trainer appears twice")
    if len({shape_key(t) for t in trainers}) > 1:
        raise ValueError("trainers of different shapes cannot be trained together")
    counts = [epochs] * len(trainers) if isinstance(epochs, int) else list(epochs)
    if len(counts) != len(trainers):
        raise ValueError("one count of epochs per trainer")
    done = [0] * len(trainers)
    for t in trainers:
        t.last_batch = None
    left = dict(enumerate(counts))
    finishing = [i for i, t in enumerate(trainers) if t.position != 0 and t.status != "diverged"]
    for i in finishing:
        if left[i] > 0:
            done[i] = trainers[i].step(1)
            left[i] -= done[i]
    if stop is not None and finishing:
        for i in stop([i for i in finishing if done[i]]):
            left[i] = 0
    group = [i for i in left if left[i] > 0 and trainers[i].status != "diverged"]
    while group:
        stack = _Stack([trainers[i] for i in group])
        todo = min(left[i] for i in group)
        trained, stopped = stack.run(todo, None if stop is None else partial(_ask, stop, group))
        for i, n in zip(group, trained, strict=True):
            done[i] += n
            left[i] -= n
        for i in stopped:
            left[i] = 0
        group = [i for i in group if left[i] > 0 and trainers[i].status != "diverged"]
    return done


@dataclass
class _Buffers:
    """Work arrays for chunks of m examples, (S, neurons, m) each."""

    acts: list[Array]  # hidden activations with a ones row, (S, n + 1, m)
    out: Array  # the output layer's activations, (S, outputs, m)
    z: list[Array]  # total inputs
    deriv: list[Array]  # f'(z), from the activations
    delta: list[Array]  # dLoss/dz
    mask: list[Array]  # dropout masks of the hidden layers

    @classmethod
    def make(cls, sizes: Sequence[int], s: int, m: int) -> _Buffers:
        layers = sizes[1:]
        return cls(
            [np.ones((s, n + 1, m)) for n in sizes[1:-1]],
            np.empty((s, sizes[-1], m)),
            [np.empty((s, n, m)) for n in layers],
            [np.empty((s, n, m)) for n in layers],
            [np.empty((s, n, m)) for n in layers],
            [np.ones((s, n, m)) for n in sizes[1:-1]],
        )

    def views(self) -> list[Array]:
        """Where each layer writes its activations: the hidden ones above the ones row."""
        return [a[:, :-1] for a in self.acts] + [self.out]


class _Stack:
    """The stacked training state of S same-shape trainers (read from them on creation,
    written back after every epoch)."""

    def __init__(self, trainers: list[Trainer]) -> None:
        self.trainers = trainers
        first = trainers[0]
        self.net = first.net
        self.sizes = first.net.sizes
        self.chunks = [(c.start, c.stop, c.full) for c in first._chunks]
        self.params = np.stack([t.net.params for t in trainers])  # (S, P)
        self.layers: list[Array] = []  # (S, fan_out, fan_in + 1) views of params
        self.grads: list[Array] = []  # the same views of grad
        self.grad = np.zeros_like(self.params)
        offset = 0
        for w in first.net.wt:
            rows, cols = w.shape
            end = offset + w.size
            self.layers.append(self.params[:, offset:end].reshape(-1, rows, cols))
            self.grads.append(self.grad[:, offset:end].reshape(-1, rows, cols))
            offset = end
        self.w_back = [w[:, :, :-1].transpose(0, 2, 1) for w in self.layers]
        self.pending = np.stack([t._pending for t in trainers])
        self.pending_count = [t._pending_count for t in trainers]
        self.dead = np.stack([t.dead for t in trainers])
        self.updates = _column([t.updates for t in trainers])  # (S, 1), counted in floats
        self.rate = _column([t.config.learning_rate for t in trainers])
        self.decay = _column([t.config.learning_rate_decay for t in trainers])
        self.reg_rate = _column([t.config.regularization_rate for t in trainers])
        self.optimizer = {
            name: np.stack([getattr(t.optimizer, name) for t in trainers])
            for name in first.optimizer.state_names
            if isinstance(getattr(first.optimizer, name), np.ndarray)
        }
        self.steps = [getattr(t.optimizer, "t", 0) for t in trainers]  # Adam's counter
        self.x, self.y = _stacked_data(trainers)
        self.buffers: dict[int, _Buffers] = {}
        same = len({len(t._all_labels) for t in trainers}) == 1
        self.points32 = np.stack([t._all_features32 for t in trainers]) if same else None
        self.labels = np.stack([t._all_labels for t in trainers]) if same else None

    # -- one epoch -----------------------------------------------------------------------
    def run(
        self, epochs: int, stop: Callable[[list[int]], Sequence[int]] | None = None
    ) -> tuple[list[int], list[int]]:
        """Train every session ``epochs`` epochs, or until some session diverges (it is
        rolled back and marked) or ``stop`` (asked after each epoch with the sessions
        that trained it, as indices into this stack) names some; the rest stop there too
        and are restacked by the caller. Returns the epochs each completed and the
        indices (the caller's, as ``stop`` gave them) that were told to stop."""
        done = [0] * len(self.trainers)
        stopped: list[int] = []
        with np.errstate(all="ignore"):
            for _ in range(epochs):
                snapshot, dead_before = self.params.copy(), self.dead.copy()
                alive = self._train_epoch()
                measured = self._measure()
                diverged = False
                for s, t in enumerate(self.trainers):
                    if not alive[s]:
                        self._roll_back(s, snapshot, dead_before)
                        diverged = True
                        continue
                    self._write_back(s)
                    metrics = measured[s] or t._measure()
                    if not math.isfinite(metrics.train_loss + metrics.test_loss):
                        self._roll_back(s, snapshot, dead_before)
                        diverged = True
                        continue
                    t.metrics = metrics
                    t.epoch += 1
                    done[s] += 1
                    t._record()
                if stop is not None:
                    trained = [s for s, t in enumerate(self.trainers) if t.status != "diverged"]
                    stopped = list(stop(trained))
                if diverged or stopped:
                    break
        return done, stopped

    def _measure(self) -> list[Metrics | None]:
        """``Trainer._measure`` for every session at once: one float32 forward pass over
        the stacked points, the errors and means in float64. None where a session must
        measure itself: its outputs overflowed float32 (float64 decides), multi-class
        outputs, or no training or test points."""
        trainers = self.trainers
        count = len(trainers[0]._all_labels)
        n = len(trainers[0].split.train_labels)
        if self.net.softmax or not 0 < n < count:
            return [None] * len(trainers)
        if self.points32 is None or self.labels is None:  # different numbers of points
            return [None] * len(trainers)
        a: NDArray[Any] = self.points32  # (S, points, n_features)
        for layer, w in enumerate(self.layers):
            weights: NDArray[Any] = np.ascontiguousarray(
                w[:, :, :-1].transpose(0, 2, 1), dtype=np.float32
            )
            z: NDArray[Any] = a @ weights  # (S, points, fan_out)
            z += w[:, None, :, -1].astype(np.float32)
            a = self.net.activation(layer)(z)
        out = a[:, :, 0].astype(np.float64)  # (S, points)
        labels = self.labels
        sq = SQUARED.value(out, labels)
        train_loss, test_loss = sq[:, :n].mean(axis=1), sq[:, n:].mean(axis=1)
        right = np.where(out >= 0, 1.0, -1.0) == labels
        train_acc, test_acc = right[:, :n].mean(axis=1), right[:, n:].mean(axis=1)
        finite: Mask = np.all(np.isfinite(out), axis=1)
        classification = trainers[0].config.problem == "classification"
        return [
            Metrics(
                float(train_loss[s]),
                float(test_loss[s]),
                float(train_acc[s]) if classification else None,
                float(test_acc[s]) if classification else None,
            )
            if finite[s]
            else None
            for s in range(len(trainers))
        ]

    def _roll_back(self, s: int, snapshot: Array, dead_before: NDArray[np.bool_]) -> None:
        """As ``Trainer.step`` on a failed epoch: the weights (and L1's dead weights)
        after the last good epoch, then diverged."""
        self.params[s] = snapshot[s]
        self.dead[s] = dead_before[s]
        self._write_back(s)
        t = self.trainers[s]
        t._diverge(t.epoch + 1)

    def _train_epoch(self) -> Mask:
        """Every chunk once; returns which sessions had only finite updates (a session
        that failed is left unchanged from then on and draws no more dropout masks)."""
        alive = np.ones(len(self.trainers), dtype=bool)
        for start, stop, full in self.chunks:
            self._gradient(start, stop, alive)
            counts = [stop - start + p for p in self.pending_count]
            carried = [s for s, p in enumerate(self.pending_count) if p]
            if carried:
                self.grad[carried] += self.pending[carried]
            if full:
                self.pending_count = [0] * len(counts)
                alive &= self._update(counts, alive)
            else:
                np.copyto(self.pending, self.grad)
                self.pending_count = counts
        return alive

    def _gradient(self, start: int, stop: int, alive: Mask) -> None:
        """``Backprop.gradient`` for every session at once: the summed gradient of the
        chunk [start, stop) into ``grad`` (S, P)."""
        m = stop - start
        if m not in self.buffers:
            self.buffers[m] = _Buffers.make(self.sizes, len(self.trainers), m)
        b = self.buffers[m]
        x = self.x[:, :, start:stop]  # (S, n_features + 1, m)
        y = self.y[:, :, start:stop]  # (S, outputs, m)
        views = b.views()
        L = len(self.layers)
        a_in = x
        for layer in range(L):
            f = self.net.activation(layer)
            np.matmul(self.layers[layer], a_in, out=b.z[layer])
            a = f.value(b.z[layer], views[layer])
            f.deriv(a, b.deriv[layer])
            if layer < L - 1:
                if self.trainers[0].config.dropout > 0.0:
                    self._dropout(b.mask[layer], alive)
                    np.multiply(a, b.mask[layer], a)
                    np.multiply(b.deriv[layer], b.mask[layer], b.deriv[layer])
                a_in = b.acts[layer]
        d = b.delta[L - 1]
        if self.net.softmax:  # softmax + cross-entropy: δ = p − y
            out = b.out
            out -= out.max(axis=1, keepdims=True)
            np.exp(out, out)
            out /= out.sum(axis=1, keepdims=True)
            np.subtract(out, y, d)
        else:
            SQUARED.deriv(b.out, y, d)
            np.multiply(d, b.deriv[L - 1], d)
        for layer in range(L - 1, 0, -1):
            d = b.delta[layer]
            np.matmul(d, b.acts[layer - 1].transpose(0, 2, 1), out=self.grads[layer])
            below = b.delta[layer - 1]
            np.matmul(self.w_back[layer], d, out=below)
            np.multiply(below, b.deriv[layer - 1], below)
        np.matmul(b.delta[0], x.transpose(0, 2, 1), out=self.grads[0])

    def _dropout(self, mask: Array, alive: Mask) -> None:
        """Each live session's mask keep / (1 - rate) from its own Generator, drawn as
        ``Backprop.gradient`` draws it alone."""
        shape = mask.shape[1:]
        for s, t in enumerate(self.trainers):
            if alive[s]:
                rate = t.config.dropout
                mask[s] = (t.rng.random(shape) >= rate) * (1.0 / (1.0 - rate))

    # -- one update ----------------------------------------------------------------------
    def _update(self, counts: list[int], alive: Mask) -> Mask:
        """``Trainer._update`` for every session: returns which results were finite (and
        applied); the others leave their parameters unchanged."""
        # The same IEEE operations as the Python floats of Trainer._update, per session.
        lr = self.rate / (1.0 + self.decay * self.updates)  # (S, 1)
        mean = np.multiply(self.grad, 1.0 / np.array(counts, dtype=float)[:, None])
        cand = self.params + self._optimizer_step(mean, lr)
        penalty = REGULARIZATIONS[self.trainers[0].config.regularization]
        if penalty.name != "none" and self.trainers[0].config.regularization_rate > 0:
            self._regularise(cand, lr * self.reg_rate, penalty.kills_crossing, penalty.deriv)
        ok: Mask = np.isfinite(cand).all(axis=1) & alive
        np.copyto(self.params, cand, where=ok[:, None])
        self.updates += ok[:, None]
        return ok

    def _optimizer_step(self, grad: Array, lr: Array) -> Array:
        """The optimizers' ``step`` with a session axis (their state (S, P), lr (S, 1))."""
        name, state = self.trainers[0].config.optimizer, self.optimizer
        if name == "sgd":
            return np.multiply(grad, -lr)
        if name == "momentum":
            v = state["velocity"]
            np.multiply(v, Momentum.mu, v)
            np.subtract(v, np.multiply(grad, lr), v)
            return v.copy()
        if name == "nesterov":
            v = state["velocity"]
            np.multiply(v, Momentum.mu, v)
            np.subtract(v, lr * grad, v)
            delta = np.multiply(v, Momentum.mu)
            nesterov: Array = np.subtract(delta, lr * grad, delta)
            return nesterov
        if name == "rmsprop":
            sq = state["square"]
            np.multiply(sq, RMSprop.rho, sq)
            sq += (1.0 - RMSprop.rho) * grad * grad
            delta = np.divide(grad, np.sqrt(sq) + RMSprop.eps)
            rms: Array = np.multiply(delta, -lr, delta)
            return rms
        if name == "adam":
            m, v = state["m"], state["v"]
            self.steps = [t + 1 for t in self.steps]
            m *= Adam.beta1
            m += (1.0 - Adam.beta1) * grad
            v *= Adam.beta2
            v += (1.0 - Adam.beta2) * grad * grad
            scale = [
                r * math.sqrt(1.0 - Adam.beta2**t) / (1.0 - Adam.beta1**t)
                for r, t in zip(lr[:, 0].tolist(), self.steps, strict=True)
            ]
            delta = np.divide(m, np.sqrt(v) + Adam.eps)
            adam: Array = np.multiply(delta, -np.array(scale)[:, None], delta)
            return adam
        raise ValueError(f"no stacked form of the optimizer {name!r}")

    def _regularise(self, cand: Array, step: Array, kills: bool, deriv: Deriv) -> None:
        """``Trainer._regularise`` for every session (step (S, 1))."""
        reg = deriv(self.params, np.empty_like(self.params))
        reg *= self.net.weight_mask
        if not kills:
            cand -= step * reg
            return
        moved = cand - step * reg
        self.dead |= (cand * moved) < 0
        moved[self.dead] = 0.0
        np.copyto(cand, moved)

    # -- back into the trainers ----------------------------------------------------------
    def _write_back(self, s: int) -> None:
        """Session s's state into its Trainer, as if it had trained alone."""
        t = self.trainers[s]
        np.copyto(t.net.params, self.params[s])
        np.copyto(t._pending, self.pending[s])
        t._pending_count = self.pending_count[s]
        np.copyto(t.dead, self.dead[s])
        t.updates = int(self.updates[s, 0])
        for name, arr in self.optimizer.items():
            np.copyto(getattr(t.optimizer, name), arr[s])
        if isinstance(t.optimizer, Adam):
            t.optimizer.t = self.steps[s]


def _ask(
    stop: Callable[[list[int]], Sequence[int]], group: list[int], members: list[int]
) -> Sequence[int]:
    """``stop`` asked with the caller's indices of a stack's members."""
    return stop([group[k] for k in members])


def _stacked_data(trainers: Sequence[Trainer]) -> tuple[Array, Array]:
    """Each session's training inputs with a ones row, (S, n_features + 1, n), and
    targets, (S, outputs, n) — as ``Trainer._prepare_data`` lays them out."""
    first = trainers[0]
    n, f = first.train_features.shape
    x = np.ones((len(trainers), f + 1, n))
    for s, t in enumerate(trainers):
        x[s, :-1] = t.train_features.T
    y = np.stack([t._targets(t.split.train_labels) for t in trainers])
    return x, y


def _column(values: Sequence[float]) -> Array:
    """Per-session numbers as a column (S, 1), to broadcast over (S, P)."""
    return np.array(values, dtype=float)[:, None]
