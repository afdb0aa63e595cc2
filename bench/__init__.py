"""Benchmarks (scripts that print figures; not tests)."""

import os

# The server's default (see app/__init__.py): one BLAS thread per computation. Set here,
# before any benchmark imports NumPy, so the figures are the server's.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
