"""One playground: data, network, optimizer, epoch counter and loss history.

``Trainer`` is the whole engine behind one session. It trains exactly as the reference
does (PRODUCT.md §1): an epoch visits the training points in a fixed order; gradients
are summed over each chunk of ``batch_size`` examples (vectorised inside the chunk) and
the parameters move by the mean; the partial chunk at the end of an epoch stays
accumulated and joins the first update of the next epoch.

Randomness is explicit: the data come from a Generator seeded by (seed, 0), initial
weights and dropout masks from one seeded by (seed, 1), so one seed fixes the data, the
initial weights and the whole trajectory.

A person's own points (the ``custom`` dataset) are kept whole in ``custom`` and split
into training and test parts by the same seed; adding or removing points keeps the
network training, replacing them all (``set_data``) resets it.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .checkpoints import Checkpoint, Checkpoints, State, nearest_epochs
from .config import (
    FIELDS,
    GRID_EXTENT,
    MAX_POINTS,
    MAX_WEIGHT,
    Config,
    ConfigError,
    apply_changes,
    config_from_dict,
    validate,
)
from .datafile import validate_points
from .datasets import Split, custom_split, make_split
from .features import feature_matrix
from .history import History
from .losses import REGULARIZATIONS, SQUARED, Regularization
from .messages import text
from .network import Backprop, Network, log_softmax
from .optimizers import OPTIMIZERS, Optimizer

Array = NDArray[np.float64]

MODEL_KEYS = {"config", "weights", "biases", "epoch", "history", "data"}
KINDS = ("train", "test")  # the two loss histories


@dataclass(frozen=True)
class Metrics:
    train_loss: float
    test_loss: float
    train_accuracy: float | None
    test_accuracy: float | None


@dataclass
class _Chunk:
    x_aug: Array  # (n_features + 1, m), last row ones
    x_aug_t: Array  # its transpose (a view)
    y: Array  # (1, m)
    full: bool  # True when it holds batch_size examples
    backprop: Backprop
    start: int  # its training points are [start, stop)
    stop: int


def divergence_message(epoch: int, lang: str = "en") -> str:
    """What to say when training diverged after ``epoch`` (the epoch counter's value)."""
    return text("trainer.diverged", lang, epoch=epoch)


Data = tuple[Array, Array]  # a custom dataset: points (n, 2) and labels (n,)


class Trainer:
    def __init__(
        self, config: Config, split: Split | None = None, custom: Data | None = None
    ) -> None:
        """A playground for ``config``; its data from the seed, or ``split`` if given;
        ``custom`` holds the points of the custom dataset (checked by the caller)."""
        self.config = validate(config)
        self.custom: Data | None = None
        self.run = 0  # counts resets: a new run restarts the loss history
        self._check_custom(self.config, custom)
        self.custom = custom if self.config.dataset == "custom" else None
        self._new_data(split)
        self.reset()

    # -- set-up ------------------------------------------------------------------------
    def _new_data(self, split: Split | None = None) -> None:
        c = self.config
        self.rng = np.random.default_rng([c.seed, 1])  # initial weights and dropout
        self.split: Split = split or self._make_split(c.seed)

    def _make_split(self, seed: int) -> Split:
        c, rng = self.config, np.random.default_rng([seed, 0])
        if self.custom is not None:
            return custom_split(*self.custom, c.train_ratio, rng)
        return make_split(c.dataset, c.noise, c.train_ratio, rng, c.classes)

    @staticmethod
    def _check_custom(config: Config, custom: Data | None) -> None:
        """Custom data must be there for the custom dataset and fit its problem."""
        if config.dataset != "custom":
            return
        if custom is None:
            raise ConfigError("trainer.custom_without_points")
        labels = custom[1]
        if config.problem == "multiclass" and len(labels) and labels.max() >= config.classes:
            raise ConfigError(
                "trainer.classes_below_data", label=int(labels.max()), classes=config.classes
            )

    def reset(self) -> None:
        """New initial weights from the session's random stream; epoch 0; history cleared."""
        self._build_network()
        self.net.initialise(self.config.init, self.rng)
        self._after_reset()

    def _build_network(self) -> None:
        c = self.config
        outputs = c.classes if c.problem == "multiclass" else 1
        sizes = [len(c.features), *c.hidden_layers, outputs]
        self.net = Network(sizes, c.activation, c.problem)
        size = self.net.params.size
        self.grad = np.zeros(size)
        self._pending = np.zeros(size)
        self._mean = np.zeros(size)
        self._candidate = np.zeros(size)
        self._zeros = np.zeros(size)
        self._reg = np.zeros(size)
        self._snapshot = np.zeros(size)
        self.dead = np.zeros(size, dtype=bool)  # L1: weights that crossed zero stay at 0
        self._make_optimizer()
        self._prepare_data()

    def _make_optimizer(self) -> None:
        self.optimizer: Optimizer = OPTIMIZERS[self.config.optimizer](self.net.params.size)

    def _prepare_data(self) -> None:
        """Feature matrices for the current features, and the chunks of one epoch."""
        c, s = self.config, self.split
        self.train_features = feature_matrix(s.train_points, c.features)
        self.test_features = feature_matrix(s.test_points, c.features)
        self._all_features = np.concatenate([self.train_features, self.test_features])
        self._all_labels = np.concatenate([s.train_labels, s.test_labels])
        self._all_features32 = self._all_features.astype(np.float32)
        n = len(s.train_labels)
        x_aug = np.ones((len(c.features) + 1, n))
        x_aug[:-1] = self.train_features.T
        y = self._targets(s.train_labels)
        workspaces: dict[int, Backprop] = {}
        self._chunks: list[_Chunk] = []
        for start in range(0, n, c.batch_size):
            stop = min(start + c.batch_size, n)
            m = stop - start
            if m not in workspaces:
                workspaces[m] = Backprop(self.net, self.grad, m)
            xa = x_aug[:, start:stop]
            self._chunks.append(
                _Chunk(xa, xa.T, y[:, start:stop], m == c.batch_size, workspaces[m], start, stop)
            )

    def _targets(self, labels: Array) -> Array:
        """What the output should be, (outputs, n): the label, or one-hot classes."""
        if self.config.problem != "multiclass":
            return labels.reshape(1, len(labels))
        one_hot: Array = np.arange(self.config.classes)[:, None] == labels[None, :]
        return one_hot.astype(np.float64)

    def _after_reset(self) -> None:
        self.run += 1
        self.epoch = 0
        self.position = 0  # the next mini-batch (chunk) of the current epoch
        self.last_batch: list[int] | None = None
        self.updates = 0
        self._pending_count = 0
        self.dead[:] = False
        self.optimizer.restart()
        self.status = "ready"
        self.diverged_at_epoch: int | None = None
        self.history = History()
        self.checkpoints = Checkpoints()
        self.metrics = self._measure()
        self._record()

    # -- configuration -------------------------------------------------------------------
    def update_config(self, changes: dict[str, Any]) -> str:
        """Apply a partial config with the reference's rules; return "none", "live",
        "reset" or "data" (new data and reset). Raises ConfigError and changes nothing
        when a value is out of bounds."""
        new, effect = apply_changes(self.config, changes)
        old = self.config
        if effect == "data" and self._same_data(old, new):
            effect = "none"
        keep = self.custom if new.problem == old.problem else None
        self._check_custom(new, keep)
        self.config = new
        self.custom = keep if new.dataset == "custom" else None
        if effect == "data":
            self._new_data()
            self.reset()
        elif effect == "reset":
            # Initial weights depend only on the config and seed (so a link reproduces
            # them); the reset button draws further from the stream instead.
            self.rng = np.random.default_rng([new.seed, 1])
            self.reset()
        elif effect == "live" and new.optimizer != old.optimizer:
            self._make_optimizer()
            self.checkpoints.optimizer_changed()  # resuming from one starts it afresh
        return effect

    def _same_data(self, old: Config, new: Config) -> bool:
        """Only data settings that cannot change these data changed: noise of custom
        data, or the number of classes of a problem that has none."""
        ignored = {"noise"} if self.custom is not None and new.dataset == "custom" else set()
        if new.problem != "multiclass":
            ignored.add("classes")
        changed = {f.name for f in FIELDS if getattr(old, f.name) != getattr(new, f.name)}
        return bool(changed) and changed <= ignored

    def regenerate(self, seed: int) -> None:
        """New data under a new seed, keeping the network (the reference's Regenerate)."""
        self.config = validate(Config(**{**self.config.to_dict(), "seed": seed}))
        self._new_split(self._make_split(seed))

    def _new_split(self, split: Split) -> None:
        """Other data for the same network: the epoch starts over from its first batch."""
        self.split = split
        self._pending_count = 0
        self.position = 0
        self._prepare_data()
        self.refresh_metrics()

    # -- a person's own data -------------------------------------------------------------
    def set_data(self, points: Array, labels: Array) -> None:
        """Make ``points`` (checked by the caller) the custom dataset and reset the network
        to the initial weights of the seed (as a change of the network's settings does)."""
        self.custom = (points, labels)
        self.config = replace(self.config, dataset="custom")
        self._new_data()
        self.reset()

    def add_points(self, points: Array, labels: Array) -> None:
        """Add points (checked by the caller) to the custom dataset — which starts as the
        current data, training then test points, if it was another dataset; the network
        keeps its weights and trains on."""
        old_points, old_labels = self.data_points()
        self._keep_training_on(
            np.concatenate([old_points, points.reshape(-1, 2)]),
            np.concatenate([old_labels, labels]),
        )

    def remove_points(self, indices: list[int]) -> None:
        """Remove points of the custom dataset by their index in ``data_points()``."""
        points, labels = self.data_points()
        bad = [i for i in indices if not 0 <= i < len(labels)]
        if bad:
            raise ConfigError(
                "trainer.not_a_point", index=bad[0], count=len(labels), last=len(labels) - 1
            )
        keep = np.ones(len(labels), dtype=bool)
        keep[indices] = False
        self._keep_training_on(points[keep], labels[keep])

    def data_points(self) -> Data:
        """Every point of the dataset: the custom ones in their order, or the training
        points then the test points — moved into the plotted square, where a custom
        point must lie (gauss and blobs with much noise spill over its edge)."""
        if self.custom is not None:
            return self.custom
        s = self.split
        points = np.concatenate([s.train_points, s.test_points])
        return (
            np.clip(points, -GRID_EXTENT, GRID_EXTENT),
            np.concatenate([s.train_labels, s.test_labels]),
        )

    def _keep_training_on(self, points: Array, labels: Array) -> None:
        if len(labels) > MAX_POINTS:
            raise ConfigError("trainer.too_many_points", most=MAX_POINTS, count=len(labels))
        self.custom = (np.ascontiguousarray(points), np.ascontiguousarray(labels))
        self.config = replace(self.config, dataset="custom")
        self._new_split(self._make_split(self.config.seed))

    # -- training ------------------------------------------------------------------------
    def step(
        self,
        epochs: int = 1,
        *,
        stop: Callable[[], bool] | None = None,
        measure: bool = True,
    ) -> int:
        """Train up to ``epochs`` epochs (after batch steps, the first one finishes the
        current epoch); stop early when ``stop()`` says so (asked after each epoch, so at
        least one runs) or on divergence. With ``measure`` the losses
        are computed after every epoch (the reference's behaviour and the loss chart's
        data); without, only at the end. Returns the number of epochs completed."""
        done = 0
        self.last_batch = None
        if self.status == "diverged":
            return 0
        with np.errstate(all="ignore"):
            while done < epochs:
                np.copyto(self._snapshot, self.net.params)
                penalty = REGULARIZATIONS[self.config.regularization]
                dead_before = self.dead.copy() if penalty.kills_crossing else None
                if not self._train_epoch():  # back to the weights after the last epoch
                    np.copyto(self.net.params, self._snapshot)
                    if dead_before is not None:
                        self.dead[:] = dead_before
                    self._diverge(self.epoch + 1)
                    break
                if measure or done + 1 == epochs:
                    metrics = self._measure()
                    if not math.isfinite(metrics.train_loss + metrics.test_loss):
                        np.copyto(self.net.params, self._snapshot)
                        if dead_before is not None:
                            self.dead[:] = dead_before
                        self._diverge(self.epoch + 1)
                        break
                    self.metrics = metrics
                self.epoch += 1
                done += 1
                if measure:
                    self._record()
                if stop is not None and stop():
                    break
        if not measure and done:
            self._record()
        return done

    def step_batches(self, batches: int, *, stop: Callable[[], bool] | None = None) -> int:
        """Train up to ``batches`` mini-batches in order from the current position in the
        epoch (a slow mode for watching single updates). The batch that ends an epoch
        completes it (epoch + 1, losses recorded); the losses are measured after every
        batch. Training k epochs this way gives exactly the weights of ``step(k)``.
        ``last_batch`` then holds the training-point indices whose gradients went into
        the last batch (a partial batch carried over from the previous epoch included).
        Returns the number of batches trained."""
        done = 0
        if self.status == "diverged":
            return 0
        if not self._chunks:  # no training points: no batch, the epoch ends at once
            self.step(1, stop=stop)
            return 0
        with np.errstate(all="ignore"):
            while done < batches:
                chunk = self._chunks[self.position]
                carried = self._carried_indices()
                np.copyto(self._snapshot, self.net.params)
                dead_before = self.dead.copy()
                if not self._train_chunk(chunk):
                    self._diverge(self.epoch + 1)
                    break
                metrics = self._measure()
                if not math.isfinite(metrics.train_loss + metrics.test_loss):
                    np.copyto(self.net.params, self._snapshot)
                    self.dead[:] = dead_before
                    self._diverge(self.epoch + 1)
                    break
                self.metrics = metrics
                self.last_batch = [*carried, *range(chunk.start, chunk.stop)]
                done += 1
                self.position += 1
                if self.position == len(self._chunks):
                    self.position = 0
                    self.epoch += 1
                    self._record()
                if stop is not None and stop():
                    break
        return done

    def _carried_indices(self) -> list[int]:
        """The training points of a partial batch waiting for the next update."""
        if not self._pending_count:
            return []
        last = self._chunks[-1]
        return list(range(last.start, last.stop))

    @property
    def batches_per_epoch(self) -> int:
        return len(self._chunks)

    def _train_epoch(self) -> bool:
        """The rest of the current epoch, from chunk ``position`` on."""
        chunks = self._chunks if self.position == 0 else self._chunks[self.position :]
        for chunk in chunks:
            if not self._train_chunk(chunk):
                return False
            self.position += 1
        self.position = 0
        return True

    def _train_chunk(self, chunk: _Chunk) -> bool:
        """One chunk: its summed gradient, plus a partial batch carried from the previous
        epoch; an update when the chunk is full (False, and no change, if the update is
        not finite), else it is carried in turn."""
        grad, pending = self.grad, self._pending
        chunk.backprop.gradient(chunk.x_aug, chunk.x_aug_t, chunk.y, self.config.dropout, self.rng)
        count = chunk.y.shape[1]
        if self._pending_count:
            np.add(grad, pending, grad)
            count += self._pending_count
            self._pending_count = 0
        if chunk.full:
            return self._update(count)
        np.copyto(pending, grad)
        self._pending_count = count
        return True

    def _update(self, count: int) -> bool:
        """Move the parameters by the mean gradient; False (and no change) if the result
        is not finite."""
        c = self.config
        lr = c.learning_rate / (1.0 + c.learning_rate_decay * self.updates)
        params, cand = self.net.params, self._candidate
        np.multiply(self.grad, 1.0 / count, self._mean)
        np.add(params, self.optimizer.step(self._mean, lr), cand)
        penalty = REGULARIZATIONS[c.regularization]
        if penalty.name != "none" and c.regularization_rate > 0:
            self._regularise(cand, lr * c.regularization_rate, penalty)
        if cand.dot(self._zeros) != 0.0:  # 0·x is 0 for finite x, NaN for inf or NaN
            return False
        np.copyto(params, cand)
        self.updates += 1
        return True

    def _regularise(self, cand: Array, step: float, penalty: Regularization) -> None:
        """After the gradient step: w -= step · d(penalty)/dw at the pre-step weight.
        Biases are not regularised; under L1 a weight that crosses zero is set to 0 and
        stays dead (not updated) until reset."""
        params, reg, mask = self.net.params, self._reg, self.net.weight_mask
        penalty.deriv(params, reg)
        reg *= mask
        if not penalty.kills_crossing:
            cand -= step * reg
            return
        moved = cand - step * reg
        crossed = (cand * moved) < 0
        self.dead |= crossed
        moved[self.dead] = 0.0
        np.copyto(cand, moved)

    def _diverge(self, epoch: int) -> None:
        self.status = "diverged"
        self.diverged_at_epoch = epoch
        self._pending_count = 0
        self.optimizer.restart()

    @property
    def train_history(self) -> array[float]:
        return self.history.train

    @property
    def test_history(self) -> array[float]:
        return self.history.test

    # -- measuring -----------------------------------------------------------------------
    def _measure(self) -> Metrics:
        n, labels = len(self.split.train_labels), self._all_labels
        if self.config.problem == "multiclass":
            return self._measure_classes(n, labels)
        # The forward pass in float32 is ~3x cheaper (it runs after every epoch); the
        # error and the means are float64. Should float32 overflow, float64 decides.
        out = self.net.forward_all(self._all_features32, np.float32)[-1][:, 0].astype(np.float64)
        if not np.isfinite(out).all():
            out = self.net.predict(self._all_features)
        sq = SQUARED.value(out, labels)
        train_loss, test_loss = _mean(sq[:n]), _mean(sq[n:])
        if self.config.problem != "classification":
            return Metrics(train_loss, test_loss, None, None)
        right = np.where(out >= 0, 1.0, -1.0) == labels
        return Metrics(train_loss, test_loss, _share(right[:n]), _share(right[n:]))

    def _measure_classes(self, n: int, labels: Array) -> Metrics:
        """Mean cross-entropy −log p_y from the logits (float32, float64 if that
        overflows) and the share of points whose most probable class is right."""
        logits = self._logits()
        rows = np.arange(len(labels))
        classes = labels.astype(np.intp)
        loss = -log_softmax(logits, axis=1)[rows, classes]
        right = logits.argmax(axis=1) == classes
        return Metrics(_mean(loss[:n]), _mean(loss[n:]), _share(right[:n]), _share(right[n:]))

    def _logits(self) -> Array:
        """The outputs before the softmax for every point, training then test."""
        logits = self.net.forward_logits(self._all_features32, np.float32)[-1].astype(np.float64)
        if not np.isfinite(logits).all():
            logits = self.net.forward_logits(self._all_features)[-1]
        return logits

    def confusion(self) -> dict[str, list[list[int]]] | None:
        """Multi-class: counts of (true class, predicted class), training and test."""
        if self.config.problem != "multiclass":
            return None
        k, n = self.config.classes, len(self.split.train_labels)
        with np.errstate(all="ignore"):
            logits = self._logits()
        cells = self._all_labels.astype(np.intp) * k + logits.argmax(axis=1)
        return {
            kind: np.bincount(part, minlength=k * k).reshape(k, k).tolist()
            for kind, part in zip(KINDS, (cells[:n], cells[n:]), strict=True)
        }

    def _record(self) -> None:
        """After an epoch (always at its boundary): a history point and a checkpoint."""
        self.history.append(self.epoch, self.metrics.train_loss, self.metrics.test_loss)
        self._checkpoint()

    def _checkpoint(self) -> None:
        """Keep the current state (at an epoch boundary) as the checkpoint of its epoch."""
        pending = self._pending.copy() if self._pending_count else None
        dead = self.dead.copy() if self.dead.any() else None
        state = State(
            self.net.params.copy(), pending, self._pending_count, dead, self.updates,
            dict(self.rng.bit_generator.state), self.optimizer.state(),
        )  # fmt: skip
        self.checkpoints.add(self.epoch, self.metrics.train_loss, self.metrics.test_loss, state)

    def restore_checkpoint(self, epoch: int) -> Checkpoint:
        """Go back to the checkpoint of ``epoch``: the model, optimizer, random state and
        counters as they were then (training on repeats the original run bit for bit);
        the later history and checkpoints are dropped and ``run`` counts on (the history
        restarted). Raises ConfigError, changing nothing, when there is none at ``epoch``."""
        c = self.checkpoints.at(epoch)
        if c is None:
            near = nearest_epochs(self.checkpoints.nearest(epoch))
            raise ConfigError("trainer.no_checkpoint", epoch=epoch, near=near)
        s = c.state
        np.copyto(self.net.params, s.params)
        self._pending[:] = 0.0 if s.pending is None else s.pending
        self._pending_count = s.pending_count
        self.dead[:] = False if s.dead is None else s.dead
        self.updates = s.updates
        self.rng.bit_generator.state = s.rng
        if self.checkpoints.fresh_optimizer(epoch):
            self.optimizer.restart()
        else:
            self.optimizer.load_state(s.optimizer)
        self.epoch, self.position, self.last_batch = epoch, 0, None
        self.status, self.diverged_at_epoch = "ready", None
        self.run += 1
        self.checkpoints.drop_after(epoch)
        with np.errstate(all="ignore"):
            self.metrics = self._measure()
        m = self.metrics
        self.history.truncate(epoch, m.train_loss, m.test_loss)
        if (m.train_loss, m.test_loss) != (c.train_loss, c.test_loss):
            self._checkpoint()  # other data since: this epoch's losses on the data now
        return c

    def refresh_metrics(self) -> None:
        """Recompute the current losses after a hand edit (the history's last point too,
        and at an epoch boundary the checkpoint of this epoch: training goes on from the
        edited network)."""
        with np.errstate(all="ignore"):
            metrics = self._measure()
        if math.isfinite(metrics.train_loss + metrics.test_loss):
            self.metrics = metrics
            self.history.set_last(metrics.train_loss, metrics.test_loss)
            last = self.checkpoints.list()[-1:]
            if self.position == 0 and last and last[0].epoch == self.epoch:
                self._checkpoint()

    # -- single parameters ---------------------------------------------------------------
    def set_weight(self, layer: int, source: int, target: int, value: float) -> None:
        """The weight from neuron ``source`` of layer ``layer`` (0 = the inputs) to neuron
        ``target`` of layer ``layer + 1``."""
        L = self.net.num_layers
        if not 0 <= layer < L:
            raise ConfigError(
                "trainer.index_out_of_range", name="layer", low=0, high=L - 1, value=layer
            )
        wt = self.net.wt[layer]
        fan_out, fan_in = wt.shape[0], wt.shape[1] - 1
        if not 0 <= source < fan_in:
            raise ConfigError(
                "trainer.index_out_of_range", name="source", low=0, high=fan_in - 1, value=source
            )
        if not 0 <= target < fan_out:
            raise ConfigError(
                "trainer.index_out_of_range", name="target", low=0, high=fan_out - 1, value=target
            )
        wt[target, source] = _check_value(value)
        offset = sum(w.size for w in self.net.wt[:layer])
        self.dead[offset + target * wt.shape[1] + source] = False
        self.refresh_metrics()

    def set_bias(self, layer: int, neuron: int, value: float) -> None:
        """The bias of neuron ``neuron`` of layer ``layer`` (1 … the output layer)."""
        L = self.net.num_layers
        if not 1 <= layer <= L:
            raise ConfigError(
                "trainer.index_out_of_range", name="layer", low=1, high=L, value=layer
            )
        wt = self.net.wt[layer - 1]
        if not 0 <= neuron < wt.shape[0]:
            raise ConfigError(
                "trainer.index_out_of_range",
                name="neuron",
                low=0,
                high=wt.shape[0] - 1,
                value=neuron,
            )
        wt[neuron, -1] = _check_value(value)
        self.refresh_metrics()

    # -- evaluation ----------------------------------------------------------------------
    def predict(self, points: Array) -> Array:
        """points (n, 2) → network outputs (n,), or class probabilities (n, classes)."""
        with np.errstate(all="ignore"):
            return self.net.predict(feature_matrix(points, self.config.features))

    # -- export and import ---------------------------------------------------------------
    def export(self) -> dict[str, Any]:
        model = {
            "config": self.config.to_dict(),
            "weights": [w.tolist() for w in self.net.weights()],
            "biases": [b.tolist() for b in self.net.biases()],
            "epoch": self.epoch,
            "history": {
                "train": self.history.train.tolist(),
                "test": self.history.test.tolist(),
                "epochs": self.history.epochs.tolist(),
            },
        }
        if self.custom is not None:
            points, labels = self.custom
            model["data"] = {"points": points.tolist(), "labels": labels.tolist()}
        return model

    @classmethod
    def from_model(cls, model: dict[str, Any]) -> Trainer:
        """A new trainer holding exactly the exported model (its data from its seed)."""
        keys = set(model) if isinstance(model, dict) else set()
        if not {"config", "weights", "biases"} <= keys <= MODEL_KEYS:
            raise ConfigError("model.keys")
        if not isinstance(model["config"], dict):
            raise ConfigError("model.config_not_object")
        config = config_from_dict(model["config"])
        custom = None
        if model.get("data") is not None:
            data = model["data"]
            if not isinstance(data, dict) or set(data) != {"points", "labels"}:
                raise ConfigError("model.data_not_object")
            custom = validate_points(data["points"], data["labels"], config.problem, config.classes)
        trainer = cls(config, custom=custom)
        weights, biases = model["weights"], model["biases"]
        L = trainer.net.num_layers
        if not isinstance(weights, list) or not isinstance(biases, list):
            raise ConfigError("model.weights_not_lists")
        if len(weights) != L or len(biases) != L:
            raise ConfigError(
                "model.layer_count", layers=L, weights=len(weights), biases=len(biases)
            )
        for layer, (w, b) in enumerate(zip(weights, biases, strict=True)):
            target = trainer.net.wt[layer]
            fan_out, fan_in = target.shape[0], target.shape[1] - 1
            w_arr = _as_matrix(w, (fan_in, fan_out), f"weights[{layer}]")
            b_arr = _as_matrix(b, (fan_out,), f"biases[{layer}]")
            target[:, :-1] = w_arr.T
            target[:, -1] = b_arr
        trainer._restore_progress(model.get("epoch"), model.get("history"))
        trainer.refresh_metrics()
        trainer.checkpoints.clear()  # the only one: the loaded model
        trainer._checkpoint()
        return trainer

    def _restore_progress(self, epoch: Any, history: Any) -> None:
        """An imported model's epoch counter and loss history (both optional)."""
        if epoch is not None:
            if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
                raise ConfigError("model.bad_epoch", value=epoch)
            self.epoch = epoch
        if history is None:
            return
        train, test = (history.get(k) if isinstance(history, dict) else None for k in KINDS)
        if not isinstance(train, list) or not isinstance(test, list):
            raise ConfigError("model.history_not_lists")
        if len(train) != len(test) or not train:
            raise ConfigError("model.history_lengths")
        train_arr = _as_matrix(train, (len(train),), "history.train", limit=math.inf)
        test_arr = _as_matrix(test, (len(test),), "history.test", limit=math.inf)
        epochs = history.get("epochs")
        if epochs is None:
            epochs = range(len(train))
        elif (
            not isinstance(epochs, list)
            or len(epochs) != len(train)
            or not all(isinstance(e, int) and not isinstance(e, bool) and e >= 0 for e in epochs)
        ):
            raise ConfigError("model.history_epochs")
        self.history = History.load(epochs, train_arr, test_arr)


def _mean(values: Array) -> float:
    """The mean loss; 0 for no points (a custom dataset may have none yet)."""
    return float(values.mean()) if len(values) else 0.0


def _share(right: NDArray[np.bool_]) -> float | None:
    """The share of right answers; None for no points."""
    return float(right.mean()) if len(right) else None


def _check_value(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError("trainer.value_not_number", value=value)
    if not math.isfinite(value) or abs(value) > MAX_WEIGHT:
        raise ConfigError("trainer.value_too_large", most=MAX_WEIGHT, value=value)
    return float(value)


def _as_matrix(value: Any, shape: tuple[int, ...], name: str, limit: float = MAX_WEIGHT) -> Array:
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ConfigError("model.array_not_numbers", name=name, shape=list(shape)) from None
    if arr.shape != shape:
        raise ConfigError("model.array_shape", name=name, shape=list(shape), got=list(arr.shape))
    if not np.all(np.isfinite(arr)) or np.any(np.abs(arr) > limit):
        raise ConfigError("model.array_too_large", name=name, most=limit)
    return arr
