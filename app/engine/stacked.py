"""Train several sessions of the same shape together, in one stacked pass per chunk.

S trainers whose networks have the same shape (``shape_key``) keep their parameters as
one stacked array ``params`` (S, P); layer l is the view ``layers[l]`` of shape
(S, fan_out, fan_in + 1), so one ``np.matmul`` (S, fan_out, fan_in + 1) @ (S, fan_in + 1,
m) gives layer l's total input for every session's chunk of m examples (NumPy calls
BLAS once per session: on stacks of such tiny matrices that beats einsum, broadcasting
and a Python loop of ``dot``). Everything else is each session's own, stacked along the
first axis: its data (S, n_features + 1, n), targets (S, outputs, n), learning rate and
decay (its own update counter), regularisation rate, dropout rate (masks drawn from its
own Generator, in the order it would alone), optimizer state (S, P), carried partial
batch, L1 dead weights and status.

The maths is ``Trainer._train_epoch`` / ``Backprop.gradient`` / ``Trainer._update``
with a leading session axis; every operation is element-wise or one matrix product per
session, in the same order, so each session gets what it would get alone
(``tests/test_stacked.py``). After every epoch the losses of all sessions are measured
in one float32 forward pass (the same operations as ``Trainer._measure``), and each
session's state is written back into its Trainer, which records and checkpoints itself
(``_record``). A session whose epoch fails (a non-finite update or loss) is rolled back
and marked diverged exactly as ``Trainer.step`` does, and leaves the stack; the others go
on. A stack of one is just ``Trainer.step``.

Where the time goes (bench/stacked_bench.py, 40 sessions of 6 tanh layers of 8, ~30 ms
an epoch on a 2-core EPYC): ~35 % ``np.tanh`` in float64 (~20 ns a value there, paid
per value alone or together), ~25 % the 20 stacked products per chunk (one BLAS call
per session, ~0.4 µs each), ~20 % measuring (half of it ``np.exp`` in float32), the
rest updates (preallocated (S, P) buffers), writing back and checkpoints. Only the
last two depend on how the work is arranged; bit-for-bit equality with training alone
rules out a cheaper tanh or exp here.

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

from .activations import Activation
from .losses import REGULARIZATIONS, SQUARED
from .optimizers import Adam, Momentum, RMSprop
from .trainer import Metrics, Trainer

Array = NDArray[np.float64]
Array32 = NDArray[Any]  # float32
Mask = NDArray[np.bool_]
Stop = Callable[[list[int]], Sequence[int]]

MEASURE_BLOCK_BYTES = 1 << 17
"""The float32 forward pass of the losses runs on blocks of sessions whose widest layer
takes about this much (so a block stays in the cache through its element-wise passes)."""
BIAS_ROW = 512
"""Measuring, the bias is added over rows of up to this many values (see ``_repeats``)."""


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
    stop: Stop | None = None,
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
        todo = min(left[i] for i in group)
        asked = None if stop is None else partial(_ask, stop, group)
        if len(group) == 1:
            trained, stopped = _alone(trainers[group[0]], todo, asked)
        else:
            trained, stopped = _Stack([trainers[i] for i in group]).run(todo, asked)
        for i, n in zip(group, trained, strict=True):
            done[i] += n
            left[i] -= n
        for i in stopped:
            left[i] = 0
        group = [i for i in group if left[i] > 0 and trainers[i].status != "diverged"]
    return done


def _alone(trainer: Trainer, epochs: int, stop: Stop | None) -> tuple[list[int], list[int]]:
    """``_Stack.run`` for a stack of one: ``Trainer.step`` itself (a stack pays for its
    bookkeeping only when it shares the matrix products)."""
    stopped: list[int] = []

    def ask() -> bool:
        stopped.extend(stop([0]) if stop is not None else ())
        return bool(stopped)

    done = trainer.step(epochs, stop=None if stop is None else ask)
    return [done], stopped


def _ask(stop: Stop, group: list[int], members: list[int]) -> Sequence[int]:
    """``stop`` asked with the caller's indices of a stack's members."""
    return stop([group[k] for k in members])


@dataclass
class _Buffers:
    """Work arrays for chunks of m examples, (S, neurons, m) each."""

    acts: list[Array]  # hidden activations with a ones row, (S, n + 1, m)
    out: Array  # the output layer's activations, (S, outputs, m)
    z: list[Array]  # total inputs
    deriv: list[Array]  # f'(z), from the activations
    delta: list[Array]  # dLoss/dz
    mask: list[Array]  # dropout masks of the hidden layers
    views: list[Array]  # where each layer writes its activations (above the ones rows)

    @classmethod
    def make(cls, sizes: Sequence[int], s: int, m: int) -> _Buffers:
        layers = sizes[1:]
        acts = [np.ones((s, n + 1, m)) for n in sizes[1:-1]]
        out = np.empty((s, sizes[-1], m))
        return cls(
            acts,
            out,
            [np.empty((s, n, m)) for n in layers],
            [np.empty((s, n, m)) for n in layers],
            [np.empty((s, n, m)) for n in layers],
            [np.ones((s, n, m)) for n in sizes[1:-1]],
            [a[:, :-1] for a in acts] + [out],
        )


@dataclass
class _Chunk:
    """One chunk of every session's training data: examples [start, stop)."""

    x: Array  # (S, n_features + 1, m), last row ones
    x_t: Array  # its transpose (S, m, n_features + 1)
    y: Array  # (S, outputs, m)
    full: bool
    buffers: _Buffers


class _Stack:
    """The stacked training state of S same-shape trainers (read from them on creation,
    written back after every epoch)."""

    def __init__(self, trainers: list[Trainer]) -> None:
        self.trainers = trainers
        first, s = trainers[0], len(trainers)
        c = first.config
        self.net = first.net
        self.sizes = first.net.sizes
        self.params = np.stack([t.net.params for t in trainers])  # (S, P)
        self.grad = np.zeros_like(self.params)
        self.layers = self._layer_views(self.params)  # (S, fan_out, fan_in + 1) each
        self.grads = self._layer_views(self.grad)
        self.w_back = [w[:, :, :-1].transpose(0, 2, 1) for w in self.layers]
        L = self.net.num_layers
        activations = [self.net.activation(layer) for layer in range(L)]
        self.funcs = [(f.value, f.deriv) for f in activations]
        self.dropout = c.dropout > 0
        self.chunks = self._chunks(first, s)
        # The carried partial batch changes only where an epoch ends in a partial chunk.
        self.carries = not all(chunk.full for chunk in self.chunks)
        self.pending = np.stack([t._pending for t in trainers])
        self.pending_count = np.array([t._pending_count for t in trainers])
        self.carrying = bool(self.pending_count.any())
        penalty = REGULARIZATIONS[c.regularization]
        regularising = penalty.name != "none" and c.regularization_rate > 0
        self.penalty = penalty if regularising else None
        self.kills = regularising and penalty.kills_crossing
        self.dead = np.stack([t.dead for t in trainers])
        self.updates = _column([t.updates for t in trainers])  # (S, 1), counted in floats
        self.rate = _column([t.config.learning_rate for t in trainers])
        self.decay = _column([t.config.learning_rate_decay for t in trainers])
        self.decays = bool(self.decay.any())
        self.reg_rate = _column([t.config.regularization_rate for t in trainers])
        # Without decay the rate is fixed: kept whole (S, P), as contiguous operands are
        # ~3x faster than a column broadcast over the rows.
        self.lr_full: Array | None = None
        self.minus_lr: Array | None = None
        self.reg_step: Array | None = None  # lr · regularisation rate
        if not self.decays:
            self.lr_full = np.broadcast_to(self.rate, self.params.shape).copy()
            self.minus_lr = -self.lr_full
            self.reg_step = self.lr_full * self.reg_rate
        self.optimizer_name = c.optimizer
        self.optimizer = {
            name: np.stack([getattr(t.optimizer, name) for t in trainers])
            for name in first.optimizer.state_names
            if isinstance(getattr(first.optimizer, name), np.ndarray)
        }
        self.steps = [getattr(t.optimizer, "t", 0) for t in trainers]  # Adam's counter
        # Work arrays (S, P) of the update, and what it checks finiteness with.
        self.mean, self.step, self.work, self.cand = (np.empty_like(self.params) for _ in "1234")
        self.zeros = np.zeros(self.params.shape[1])
        self.check = np.empty(s)
        self.snapshot = np.empty_like(self.params)
        self.dead_before = np.empty_like(self.dead)
        self.measure = _Measure.make(trainers, self.layers, activations)

    def _layer_views(self, flat: Array) -> list[Array]:
        """Layer l's (S, fan_out, fan_in + 1) view of an (S, P) array."""
        views, offset = [], 0
        for w in self.net.wt:
            rows, cols = w.shape
            views.append(flat[:, offset : offset + w.size].reshape(-1, rows, cols))
            offset += w.size
        return views

    def _chunks(self, first: Trainer, s: int) -> list[_Chunk]:
        """Every session's chunks of an epoch (the same [start, stop) for all)."""
        x, y = _stacked_data(self.trainers)
        buffers: dict[int, _Buffers] = {}
        chunks = []
        for c in first._chunks:
            m = c.stop - c.start
            if m not in buffers:
                buffers[m] = _Buffers.make(self.sizes, s, m)
            xs = x[:, :, c.start : c.stop]
            chunks.append(
                _Chunk(xs, xs.transpose(0, 2, 1), y[:, :, c.start : c.stop], c.full, buffers[m])
            )
        return chunks

    # -- epochs ----------------------------------------------------------------------------
    def run(self, epochs: int, stop: Stop | None = None) -> tuple[list[int], list[int]]:
        """Train every session ``epochs`` epochs, or until some session diverges (it is
        rolled back and marked) or ``stop`` (asked after each epoch with the sessions
        that trained it, as indices into this stack) names some; the rest stop there too
        and are restacked by the caller. Returns the epochs each completed and the
        indices (the caller's, as ``stop`` gave them) that were told to stop."""
        done = [0] * len(self.trainers)
        stopped: list[int] = []
        with np.errstate(all="ignore"):
            for _ in range(epochs):
                np.copyto(self.snapshot, self.params)
                if self.kills:
                    np.copyto(self.dead_before, self.dead)
                alive = self._train_epoch()
                measured = self._measure() if alive.any() else [None] * len(alive)
                diverged = False
                for s, t in enumerate(self.trainers):
                    if not alive[s]:
                        self._roll_back(s)
                        diverged = True
                        continue
                    self._write_back(s)
                    metrics = measured[s] or t._measure()
                    if not math.isfinite(metrics.train_loss + metrics.test_loss):
                        self._roll_back(s)
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

    def _roll_back(self, s: int) -> None:
        """As ``Trainer.step`` on a failed epoch: the weights (and L1's dead weights)
        after the last good epoch, then diverged."""
        self.params[s] = self.snapshot[s]
        if self.kills:
            self.dead[s] = self.dead_before[s]
        self._write_back(s)
        t = self.trainers[s]
        t._diverge(t.epoch + 1)

    def _train_epoch(self) -> Mask:
        """Every chunk once; returns which sessions had only finite updates (a session
        that failed is left unchanged from then on and draws no more dropout masks)."""
        alive = np.ones(len(self.trainers), dtype=bool)
        for chunk in self.chunks:
            self._gradient(chunk, alive)
            m = chunk.y.shape[2]
            counts: Any = m
            if self.carrying:  # a partial batch carried from the last epoch
                carried = self.pending_count > 0
                if carried.all():
                    self.grad += self.pending
                else:
                    self.grad[carried] += self.pending[carried]
                counts = m + self.pending_count
                self.pending_count = np.zeros_like(self.pending_count)
                self.carrying = False
            if chunk.full:
                inverse = 1.0 / counts if isinstance(counts, int) else (1.0 / counts)[:, None]
                alive &= self._update(inverse, alive)
            else:  # carried into the next epoch (a failed session keeps what it had)
                np.copyto(self.pending, self.grad, where=alive[:, None])
                self.pending_count = np.where(alive, counts, self.pending_count)
                self.carrying = bool(self.pending_count.any())
        return alive

    # -- one chunk's gradient ----------------------------------------------------------------
    def _gradient(self, chunk: _Chunk, alive: Mask) -> None:
        """``Backprop.gradient`` for every session at once: the summed gradient of the
        chunk into ``grad`` (S, P)."""
        matmul, multiply = np.matmul, np.multiply
        b = chunk.buffers
        views, acts, z, deriv, delta = b.views, b.acts, b.z, b.deriv, b.delta
        layers, grads, w_back = self.layers, self.grads, self.w_back
        L = len(layers)
        a_in = chunk.x
        for layer, (value, der) in enumerate(self.funcs):
            matmul(layers[layer], a_in, out=z[layer])
            a = value(z[layer], views[layer])
            der(a, deriv[layer])
            if layer < L - 1:
                if self.dropout:
                    mask = b.mask[layer]
                    self._dropout(mask, alive)
                    multiply(a, mask, a)
                    multiply(deriv[layer], mask, deriv[layer])
                a_in = acts[layer]
        d = delta[L - 1]
        if self.net.softmax:  # softmax + cross-entropy: δ = p − y
            out = b.out
            out -= out.max(axis=1, keepdims=True)
            np.exp(out, out)
            out /= out.sum(axis=1, keepdims=True)
            np.subtract(out, chunk.y, d)
        else:
            SQUARED.deriv(b.out, chunk.y, d)
            multiply(d, deriv[L - 1], d)
        for layer in range(L - 1, 0, -1):
            d = delta[layer]
            matmul(d, acts[layer - 1].transpose(0, 2, 1), out=grads[layer])
            below = delta[layer - 1]
            matmul(w_back[layer], d, out=below)
            multiply(below, deriv[layer - 1], below)
        matmul(delta[0], chunk.x_t, out=grads[0])

    def _dropout(self, mask: Array, alive: Mask) -> None:
        """Each live session's mask keep / (1 - rate) from its own Generator, drawn as
        ``Backprop.gradient`` draws it alone."""
        shape = mask.shape[1:]
        for s, t in enumerate(self.trainers):
            if alive[s]:
                rate = t.config.dropout
                mask[s] = (t.rng.random(shape) >= rate) * (1.0 / (1.0 - rate))

    # -- one update ----------------------------------------------------------------------
    def _update(self, inverse: float | Array, alive: Mask) -> Mask:
        """``Trainer._update`` for every session (``inverse`` is 1 / the examples counted,
        a number or (S, 1)): returns which results were finite (and applied); the others
        leave their parameters unchanged."""
        # The same IEEE operations as the Python floats of Trainer._update, per session.
        # Without decay: rate / (1 + 0 · updates) is the rate itself.
        if self.lr_full is None or self.minus_lr is None:
            lr = self.rate / (1.0 + self.decay * self.updates)  # (S, 1)
            minus_lr = -lr
        else:
            lr, minus_lr = self.lr_full, self.minus_lr
        np.multiply(self.grad, inverse, self.mean)
        cand = np.add(self.params, self._optimizer_step(self.mean, lr, minus_lr), self.cand)
        if self.penalty is not None:
            self._regularise(cand, lr * self.reg_rate if self.reg_step is None else self.reg_step)
        # As Trainer._update: 0·x sums to 0 for a finite row, NaN for one with inf or NaN.
        ok: Mask = (np.matmul(cand, self.zeros, out=self.check) == 0.0) & alive
        if ok.all():
            np.copyto(self.params, cand)
            self.updates += 1.0
        else:
            np.copyto(self.params, cand, where=ok[:, None])
            self.updates += ok[:, None]
        return ok

    def _optimizer_step(self, grad: Array, lr: Array, minus_lr: Array) -> Array:
        """The optimizers' ``step`` with a session axis (their state (S, P), lr (S, 1) or
        (S, P)), operation for operation; the result is in a work array."""
        name, state, step, work = self.optimizer_name, self.optimizer, self.step, self.work
        multiply = np.multiply
        if name == "sgd":
            return multiply(grad, minus_lr, step)
        if name == "momentum":
            v = state["velocity"]
            multiply(v, Momentum.mu, v)
            np.subtract(v, multiply(grad, lr, work), v)
            return v
        if name == "nesterov":
            v = state["velocity"]
            multiply(v, Momentum.mu, v)
            np.subtract(v, multiply(lr, grad, work), v)
            multiply(v, Momentum.mu, step)
            return np.subtract(step, work, step)
        if name == "rmsprop":
            sq = state["square"]
            multiply(sq, RMSprop.rho, sq)
            multiply(1.0 - RMSprop.rho, grad, work)
            sq += multiply(work, grad, work)
            np.sqrt(sq, step)
            step += RMSprop.eps
            np.divide(grad, step, step)
            return multiply(step, minus_lr, step)
        if name == "adam":
            m, v = state["m"], state["v"]
            self.steps = [t + 1 for t in self.steps]
            m *= Adam.beta1
            m += multiply(1.0 - Adam.beta1, grad, work)
            v *= Adam.beta2
            multiply(1.0 - Adam.beta2, grad, work)
            v += multiply(work, grad, work)
            scale = [
                r * math.sqrt(1.0 - Adam.beta2**t) / (1.0 - Adam.beta1**t)
                for r, t in zip(lr[:, 0].tolist(), self.steps, strict=True)
            ]
            np.sqrt(v, step)
            step += Adam.eps
            np.divide(m, step, step)
            adam: Array = multiply(step, -np.array(scale)[:, None], step)
            return adam
        raise ValueError(f"no stacked form of the optimizer {name!r}")

    def _regularise(self, cand: Array, step: Array) -> None:
        """``Trainer._regularise`` for every session (step (S, 1))."""
        assert self.penalty is not None
        reg = self.penalty.deriv(self.params, self.work)
        reg *= self.net.weight_mask
        if not self.kills:
            cand -= np.multiply(step, reg, reg)
            return
        moved = np.subtract(cand, np.multiply(step, reg, reg), self.step)
        self.dead |= np.multiply(cand, moved, reg) < 0
        np.copyto(moved, 0.0, where=self.dead)
        np.copyto(cand, moved)

    # -- the losses ------------------------------------------------------------------------
    def _measure(self) -> list[Metrics | None]:
        """``Trainer._measure`` for every session at once; None where a session must
        measure itself (see ``_Measure``)."""
        if self.measure is None:
            return [None] * len(self.trainers)
        return self.measure.metrics(self.layers)

    # -- back into the trainers ----------------------------------------------------------
    def _write_back(self, s: int) -> None:
        """Session s's state into its Trainer, as if it had trained alone."""
        t = self.trainers[s]
        np.copyto(t.net.params, self.params[s])
        if self.carries:
            np.copyto(t._pending, self.pending[s])
        t._pending_count = int(self.pending_count[s])
        if self.kills:
            np.copyto(t.dead, self.dead[s])
        t.updates = int(self.updates[s, 0])
        for name, arr in self.optimizer.items():
            np.copyto(getattr(t.optimizer, name), arr[s])
        if isinstance(t.optimizer, Adam):
            t.optimizer.t = self.steps[s]


class _Measure:
    """``Trainer._measure`` of S sessions in one float32 forward pass over their stacked
    points, operation for operation as ``Network.forward_all`` does it for one (so the
    same float32 outputs, bit for bit), then the errors and means in float64.

    Sessions go through it in blocks (``MEASURE_BLOCK_BYTES``) so that a block's layer
    stays in the cache through its element-wise passes, into buffers made once. A layer's
    bias is added to rows of ``repeat`` points at a time, from a bias tiled ``repeat``
    times: the same additions as ``z += bias`` (rows of fan_out values), in far fewer,
    longer inner loops."""

    def __init__(
        self, trainers: list[Trainer], layers: list[Array], activations: list[Activation]
    ) -> None:
        first = trainers[0]
        self.sessions = len(trainers)
        self.n = len(first.split.train_labels)
        self.classification = first.config.problem == "classification"
        self.points = np.stack([t._all_features32 for t in trainers])  # (S, N, features)
        self.labels = np.stack([t._all_labels for t in trainers])  # (S, N)
        count = self.points.shape[1]
        widths = [w.shape[1] for w in layers]
        self.block = max(1, MEASURE_BLOCK_BYTES // (4 * count * max(widths)))
        block = min(self.block, self.sessions)
        self.z = [np.empty((block, count, width), dtype=np.float32) for width in widths]
        self.repeats = [_repeats(count, width) for width in widths]
        self.activations = activations
        self.out = np.empty((self.sessions, count))

    @classmethod
    def make(
        cls, trainers: list[Trainer], layers: list[Array], activations: list[Activation]
    ) -> _Measure | None:
        """None where the sessions measure themselves: multi-class outputs, no training or
        test points, or different numbers of points."""
        first = trainers[0]
        count, n = len(first._all_labels), len(first.split.train_labels)
        if first.net.softmax or not 0 < n < count:
            return None
        if any(len(t._all_labels) != count for t in trainers):
            return None
        return cls(trainers, layers, activations)

    def outputs(self, layers: list[Array]) -> Array:
        """The network outputs of every session's points (S, N), float64 from float32."""
        weights: list[Array32] = []
        biases: list[Array32] = []
        for w, r in zip(layers, self.repeats, strict=True):
            weights.append(np.ascontiguousarray(w[:, :, :-1].transpose(0, 2, 1), np.float32))
            biases.append(np.tile(w[:, :, -1].astype(np.float32), r)[:, None, :])
        count = self.points.shape[1]
        for lo in range(0, self.sessions, self.block):
            hi = min(lo + self.block, self.sessions)
            a = self.points[lo:hi]
            for layer, z_all in enumerate(self.z):
                z = z_all[: hi - lo]
                np.matmul(a, weights[layer][lo:hi], out=z)
                r = self.repeats[layer]
                rows = z.reshape(hi - lo, count // r, r * z.shape[2])
                rows += biases[layer][lo:hi]
                _activate32(self.activations[layer], z)
                a = z
            self.out[lo:hi] = a[:, :, 0]
        return self.out

    def metrics(self, layers: list[Array]) -> list[Metrics | None]:
        """Each session's Metrics, or None where its outputs overflowed float32 (float64
        decides: it measures itself)."""
        out, labels, n = self.outputs(layers), self.labels, self.n
        sq = SQUARED.value(out, labels)
        train_loss, test_loss = sq[:, :n].mean(axis=1).tolist(), sq[:, n:].mean(axis=1).tolist()
        finite: list[bool] = np.all(np.isfinite(out), axis=1).tolist()
        if self.classification:
            right = np.where(out >= 0, 1.0, -1.0) == labels
            train_acc = right[:, :n].mean(axis=1).tolist()
            test_acc = right[:, n:].mean(axis=1).tolist()
            return [
                Metrics(train_loss[s], test_loss[s], train_acc[s], test_acc[s])
                if finite[s]
                else None
                for s in range(self.sessions)
            ]
        return [
            Metrics(train_loss[s], test_loss[s], None, None) if finite[s] else None
            for s in range(self.sessions)
        ]


def _activate32(f: Activation, z: Array32) -> None:
    """``f(z)`` (``Activation.__call__``) in place, the same float32 operations."""
    if f.name != "tanh":
        f.value(z, z)
        return
    # activations._tanh_large: tanh(z) = 2 / (1 + exp(-2z)) - 1
    np.multiply(z, -2.0, z)
    np.exp(z, z)
    z += 1.0
    np.divide(2.0, z, z)
    z -= 1.0


def _repeats(count: int, width: int) -> int:
    """The largest divisor r of ``count`` with r · width ≤ BIAS_ROW (at least 1): the
    points whose total inputs form one row of the bias addition."""
    return max(
        (r for r in range(1, count + 1) if count % r == 0 and r * width <= BIAS_ROW), default=1
    )


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
