"""API documentation pages (/docs, /redoc) that work offline under our CSP.

Placeholder: filled in by the offline-docs work (issue 9)."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Add the documentation routes and their assets to ``app``."""
