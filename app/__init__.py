"""Neural Playground: a self-hosted neural-network playground trained on the server."""

__version__ = "0.1.0"
