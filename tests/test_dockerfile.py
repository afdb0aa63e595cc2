"""No Docker engine runs here, so the image's own commands are run in a fresh venv:
the files it copies, its pip install, its CMD with its ENV, and its HEALTHCHECK."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parent.parent


def _instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(r"\\\n\s*", " ", text)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_promises() -> None:
    inst = _instructions()
    kinds = [k for k, _ in inst]
    assert inst[0] == ("FROM", "python:3.11-slim")
    user = [v for k, v in inst if k == "USER"]
    assert user and user[-1] not in {"root", "0"}
    assert kinds.index("USER") > max(i for i, k in enumerate(kinds) if k == "RUN")
    env = " ".join(v for k, v in inst if k == "ENV")
    assert "PLAYGROUND_HOST=0.0.0.0" in env and "PLAYGROUND_PORT=8000" in env
    assert ("EXPOSE", "8000") in inst
    health = next(v for k, v in inst if k == "HEALTHCHECK")
    assert "/healthz" in health


def test_image_commands_work_in_a_fresh_venv(tmp_path: Path) -> None:
    inst = _instructions()
    work = tmp_path / "srv"
    work.mkdir()
    env = dict(os.environ)
    for kind, value in inst:
        if kind == "ENV":
            for pair in value.split():
                key, _, val = pair.partition("=")
                env[key] = val
        elif kind == "COPY":
            *sources, dst = value.split()
            for src in sources:
                if (ROOT / src).is_dir():
                    shutil.copytree(
                        ROOT / src, work / dst, ignore=shutil.ignore_patterns("__pycache__")
                    )
                else:
                    shutil.copy(ROOT / src, work / dst / Path(src).name)
    venv.create(tmp_path / "venv", with_pip=True)
    py = tmp_path / "venv" / "bin" / "python"
    for kind, value in inst:
        if kind == "RUN" and value.startswith("pip "):
            subprocess.run(
                [str(py), "-m", *value.split()],
                cwd=work,
                check=True,
                capture_output=True,
                timeout=540,
            )
    port = free_port()
    env["PLAYGROUND_PORT"] = str(port)
    env["PATH"] = f"{py.parent}{os.pathsep}{env['PATH']}"
    cmd = json.loads(next(v for k, v in inst if k == "CMD"))
    server = subprocess.Popen(
        cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        check = next(v for k, v in inst if k == "HEALTHCHECK").split("CMD", 1)[1].strip()
        argv = json.loads(check.replace("8000", str(port)))
        argv[0] = str(py)
        deadline = time.monotonic() + 30
        while True:
            result = subprocess.run(argv, cwd=tmp_path, capture_output=True, timeout=10)
            if result.returncode == 0:
                break
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() < deadline, result.stderr
            time.sleep(0.3)
        import urllib.request

        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().decode()
        assert "<html" in page.lower()
        assert sys.executable != str(py)
    finally:
        server.terminate()
        server.wait(timeout=10)
