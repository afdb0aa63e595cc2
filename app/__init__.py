"""Neural Playground: a self-hosted neural-network playground trained on the server."""

__version__ = "0.1.0"

import os

# One BLAS thread per computation: the server runs many small requests in parallel, and
# OpenBLAS splitting a 10,000-point grid product across both cores of a busy machine made
# it 10–20x slower (docs/BENCHMARKS.md). Takes effect when set before NumPy is imported;
# an explicit setting in the environment wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
