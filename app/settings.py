"""Server settings, read once from environment variables with the PLAYGROUND_ prefix.

pydantic-settings reads and converts them; the bounds below refuse a bad value at start
with a message that names the variable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "PLAYGROUND_"

Count = Annotated[int, Field(gt=0)]
Seconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8000
    max_sessions: Count = 200  # the store evicts the least recently used beyond this
    idle_timeout: Seconds = 3600.0  # seconds without a request before a session expires
    max_epochs_per_step: Count = 10_000  # the most epochs one step request may ask for
    step_time_budget: Seconds = 0.25  # seconds of training one request may take at most
    max_body_bytes: Count = 1_000_000  # larger request bodies get 413
    max_predict_points: Count = 10_000
    compute_slots: Count = 2  # requests that train or draw at once; the others queue
    train_together: bool = True  # sessions of one shape stepping at once train stacked
    gather_ms: Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)] = 5.0  # see scheduler
    group_ms: Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)] = 50.0  # see scheduler
    max_rooms: Count = 50  # classes at once
    max_room_students: Count = 100  # students in one class
    room_idle_timeout: Seconds = 14_400.0  # seconds without a request before a class ends
    room_misses: Count = 20  # unknown class codes one address may try a minute
    max_shared_datasets: Count = 1000  # custom datasets kept for links (LRU beyond this)
    redis_url: str = ""  # e.g. redis://127.0.0.1:6379/0: sessions in Redis, shared
    workers: Count | Literal["auto"] = 1  # processes; >1 needs redis_url; auto: one per core
    static_dir: Path = ROOT / "static"
    templates_dir: Path = ROOT / "templates"
    lessons_dir: str = ""  # a folder of a teacher's lesson files (*.toml); "": none

    def worker_count(self) -> int:
        """``auto``: one process per core with Redis, one without (it could not share)."""
        if self.workers != "auto":
            return self.workers
        return (os.cpu_count() or 1) if self.redis_url else 1

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings from PLAYGROUND_<NAME> variables (of ``environ``, default the
        process's); a bad value raises ValueError naming the variable."""
        source = EnvSettingsSource(cls)
        if environ is not None:
            source.env_vars = {key.lower(): value for key, value in environ.items()}
        values = source()
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = []
            for error in exc.errors():
                name = str(error["loc"][0])
                message = "must be positive" if error["type"] == "greater_than" else error["msg"]
                problems.append(f"{PREFIX}{name.upper()}={values.get(name)!r}: {message}")
            raise ValueError("; ".join(problems)) from None
