"""Twin runs: two to four sessions trained side by side, in lockstep, from one config.

A comparison is a base configuration and 2–4 variants, each a partial configuration
applied on top of the base exactly as ``PATCH /api/sessions/{id}`` applies one (changing
the problem without naming a dataset picks that problem's default dataset). Each run is
an ordinary session in the session store, so every per-session route works on it.

What the runs share:
- the seed: the base's (drawn once when it names none), unless a variant sets its own;
  so runs whose data settings agree have the same data, and two identical variants train
  identically, dropout included (the same random stream);
- the initial weights of run 0, for every run with the same parameter shapes (features,
  hidden layers, outputs), the same initialisation scheme and the same seed: a variant
  that changes ``init`` or ``seed`` asks for weights of its own.

``train_together`` trains the runs one epoch each in turn, so that they stay at the same
epoch whatever stops them (a time budget: they stop after the same round).

The record of a comparison (its runs' session ids, the base config and the variants) is
small JSON, kept like the shared datasets (app/records.py): ``MemoryComparisonStore``
in this process, ``RedisComparisonStore`` in one Redis key each (``np:cmp:<id>``), which
expires after the sessions' idle time-out and is renewed on every use; at most
``max_items`` of them, the least recently used dropped first. Ids are 192 random bits.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import numpy as np
import redis

from .engine import Config, ConfigError, Trainer, apply_changes, config_from_dict
from .records import MemoryRecords, Records, RedisRecords
from .store import new_session_id

MIN_RUNS, MAX_RUNS = 2, 4
OWN_WEIGHTS = ("init", "seed")  # settings that choose the initial weights themselves
COMPARISON_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # secrets.token_urlsafe's alphabet


# -- the runs ----------------------------------------------------------------------------------
def run_configs(
    base: dict[str, Any], variants: Sequence[dict[str, Any]]
) -> tuple[Config, list[Config]]:
    """The base (a partial config with its seed) and each variant applied on top of it;
    raises ConfigError naming the variant that is wrong as the request's errors do
    (``variants.0`` is the first)."""
    start = config_from_dict(base)
    configs = []
    for index, changes in enumerate(variants):
        try:
            configs.append(apply_changes(start, changes)[0])
        except ConfigError as exc:
            raise ConfigError("comparison.variant", index=index, reason=exc.message) from None
    return start, configs


def build_runs(configs: Sequence[Config]) -> list[Trainer]:
    """A trainer per config, each with run 0's initial weights where they could be the
    same (see ``shares_weights``); raises ConfigError (e.g. the custom dataset, which
    needs points a comparison does not take)."""
    trainers = []
    for index, config in enumerate(configs):
        try:
            trainers.append(Trainer(config))
        except ConfigError as exc:
            raise ConfigError("comparison.variant", index=index, reason=exc.message) from None
    first = trainers[0]
    for trainer in trainers[1:]:
        if shares_weights(first, trainer):
            np.copyto(trainer.net.params, first.net.params)
            trainer.refresh_metrics()  # the losses, epoch 0's history point and checkpoint
    return trainers


def shares_weights(first: Trainer, other: Trainer) -> bool:
    """Whether ``other`` starts from ``first``'s initial weights: the same parameter
    shapes, and neither the initialisation scheme nor the seed differs."""
    same = all(getattr(first.config, name) == getattr(other.config, name) for name in OWN_WEIGHTS)
    return same and list(first.net.sizes) == list(other.net.sizes)


def train_together(
    trainers: Sequence[Trainer], epochs: int, stop: Callable[[], bool] | None = None
) -> list[int]:
    """Up to ``epochs`` epochs for every trainer, one epoch each in turn; ``stop()`` is
    asked after each round (so one round always runs), and every trainer has then
    trained the same number of epochs — except one that diverged, which stays where it
    stopped. Returns the epochs each trained."""
    done = [0] * len(trainers)
    for _ in range(epochs):
        progress = [t.step(1) for t in trainers]
        done = [d + p for d, p in zip(done, progress, strict=True)]
        if not any(progress) or (stop is not None and stop()):
            break
    return done


# -- the record ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Comparison:
    config: dict[str, Any]  # the base configuration, whole, with its seed
    variants: list[dict[str, Any]]  # each run's changes, as sent
    runs: list[str]  # the runs' session ids, in the variants' order

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), allow_nan=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> Comparison:
        return cls(**json.loads(text))


def valid_id(comparison_id: str) -> bool:
    """Whether ``comparison_id`` could be one of ours; anything else is never looked up."""
    return COMPARISON_ID.fullmatch(comparison_id) is not None


class ComparisonStore(Protocol):
    def save(self, comparison: Comparison) -> str:
        """Keep a new comparison; its id."""
        ...

    def load(self, comparison_id: str) -> Comparison | None:
        """The comparison, its lifetime renewed; None when unknown or expired."""
        ...

    def delete(self, comparison_id: str) -> Comparison | None:
        """Forget the comparison; what it was, or None when unknown or expired."""
        ...


class Comparisons:
    """Comparisons kept as their JSON text in ``records``, each under a new random id."""

    def __init__(self, records: Records) -> None:
        self.records = records

    def save(self, comparison: Comparison) -> str:
        comparison_id = new_session_id()
        self.records.put(comparison_id, comparison.to_json())
        return comparison_id

    def load(self, comparison_id: str) -> Comparison | None:
        if not valid_id(comparison_id):
            return None
        text = self.records.get(comparison_id)
        return None if text is None else Comparison.from_json(text)

    def delete(self, comparison_id: str) -> Comparison | None:
        if not valid_id(comparison_id):
            return None
        text = self.records.pop(comparison_id)
        return None if text is None else Comparison.from_json(text)


class MemoryComparisonStore(Comparisons):
    """Comparisons in this process, least recently used first; thread-safe."""

    def __init__(
        self,
        timeout_seconds: float,
        max_items: int = 100,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.memory = MemoryRecords(timeout_seconds, max_items, clock)
        super().__init__(self.memory)

    def __len__(self) -> int:
        return len(self.memory)


class RedisComparisonStore(Comparisons):
    """Comparisons in Redis, shared by every server process: one key each (app/records.py)."""

    def __init__(
        self,
        client: redis.Redis,
        timeout_seconds: float,
        max_items: int = 100,
        prefix: str = "np:cmp:",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = RedisRecords(client, timeout_seconds, max_items, prefix, clock)
        super().__init__(self.redis)

    @property
    def expiry(self) -> int:
        """Seconds a record lives unused (whole seconds, at least 1)."""
        return self.redis.expiry
