# Neural Playground: self-host it for a classroom.
#   docker build -t neural-playground .
#   docker run --rm -p 8000:8000 neural-playground
# With PLAYGROUND_REDIS_URL set it runs one process per core (compose.yaml), else one.
# It needs no network at run time: the page loads nothing from another host.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PLAYGROUND_HOST=0.0.0.0 \
    PLAYGROUND_PORT=8000 \
    PLAYGROUND_WORKERS=auto

RUN useradd --create-home --uid 10001 playground
WORKDIR /srv/playground

COPY pyproject.toml README.md ./
COPY app ./app
COPY static ./static
COPY templates ./templates
RUN pip install --no-cache-dir -e .

USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
CMD ["playground"]
