"""Server settings, read once from environment variables with the PLAYGROUND_ prefix."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    max_sessions: int = 200  # the store evicts the least recently used beyond this
    idle_timeout: float = 3600.0  # seconds without a request before a session expires
    max_epochs_per_step: int = 10_000  # the most epochs one step request may ask for
    step_time_budget: float = 0.25  # seconds of training one request may take at most
    max_body_bytes: int = 1_000_000  # larger request bodies get 413
    max_predict_points: int = 10_000
    compute_slots: int = 2  # requests that train or draw at once; the others queue
    static_dir: Path = ROOT / "static"
    templates_dir: Path = ROOT / "templates"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Each field from PLAYGROUND_<NAME> when set; a bad value raises ValueError."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"PLAYGROUND_{f.name.upper()}")
            if raw is None:
                continue
            kind = type(getattr(cls, f.name))
            try:
                value = kind(raw)
            except ValueError:
                raise ValueError(
                    f"PLAYGROUND_{f.name.upper()}={raw!r} is not a valid {kind.__name__}"
                ) from None
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"PLAYGROUND_{f.name.upper()} must be a finite number")
            if f.name == "port" and not 0 <= value <= 65535:
                raise ValueError("PLAYGROUND_PORT must be between 0 and 65535")
            if isinstance(value, int | float) and value <= 0 and f.name != "port":
                raise ValueError(f"PLAYGROUND_{f.name.upper()} must be positive")
            values[f.name] = value
        return cls(**values)  # type: ignore[arg-type]
