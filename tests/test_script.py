"""Export as a script (``app.engine.script`` and ``GET …/script.py``): the downloaded
script, run on its own in a fresh Python, prints the losses the session's history shows
at every epoch — for every dataset, problem, optimizer, regularisation, dropout, batch
size (with the partial batch carried over), after a restore and for an imported model —
and imports nothing but NumPy and the standard library.

Each script is run as a person runs it, ``python playground.py --epochs N``, in its own
process; the scripts of one test run side by side (two cores, each start costs ~0.2 s).
"""

from __future__ import annotations

import ast
import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.engine import ConfigError, Trainer, config_from_dict
from app.engine.datasets import make_split
from app.engine.script import script
from app.main import create_app
from app.settings import Settings
from tests.helpers import DIVERGING, new_session

F7 = ["x1", "x2", "x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2"]
Row = tuple[int, float, float]  # epoch, training loss, test loss

# name → (config, epochs to train): every dataset, problem, optimizer, regularisation,
# dropout, activation, init, feature set and layer shape, and batch sizes with a partial
# batch carried over (250 training points at batch 30: 10 carried; 150 at 7: 3).
CASES: dict[str, tuple[dict[str, Any], int]] = {
    "circle, the defaults": ({"dataset": "circle"}, 30),
    "circle, noise, batch 7, 30 % train": (
        {"dataset": "circle", "noise": 25, "batch_size": 7, "train_ratio": 30},
        20,
    ),
    "xor, relu 8-8, batch 1": (
        {"dataset": "xor", "activation": "relu", "hidden_layers": [8, 8], "batch_size": 1},
        4,
    ),
    "gauss, sigmoid, no hidden layer": (
        {"dataset": "gauss", "activation": "sigmoid", "hidden_layers": [], "noise": 40},
        20,
    ),
    "spiral, 7 features, 6 layers, batch 30": (
        {"dataset": "spiral", "features": F7, "hidden_layers": [8] * 6, "batch_size": 30},
        10,
    ),
    "momentum, x1·x2 and sines": (
        {"optimizer": "momentum", "features": ["x1_x2", "sin_x1", "sin_x2"]},
        20,
    ),
    "nesterov, decay": ({"optimizer": "nesterov", "learning_rate_decay": 0.01}, 20),
    "rmsprop, xavier": ({"optimizer": "rmsprop", "learning_rate": 0.01, "init": "xavier"}, 20),
    "adam, linear, squares": (
        {"optimizer": "adam", "activation": "linear", "features": ["x1_squared", "x2_squared"]},
        20,
    ),
    "l1 with dead weights": (
        {"regularization": "l1", "regularization_rate": 0.003, "learning_rate": 0.3},
        20,
    ),
    "l2, he, relu": (
        {"regularization": "l2", "regularization_rate": 0.01, "init": "he", "activation": "relu"},
        20,
    ),
    "dropout": ({"dropout": 0.3, "hidden_layers": [6, 4], "batch_size": 13}, 20),
    "regression, plane": ({"problem": "regression", "dataset": "plane", "noise": 10}, 10),
    "regression, multigauss, relu, l1": (
        {
            "problem": "regression",
            "dataset": "multigauss",
            "activation": "relu",
            "hidden_layers": [8, 8],
            "regularization": "l1",
            "regularization_rate": 0.001,
        },
        10,
    ),
    "multiclass, blobs, 3 classes": ({"problem": "multiclass", "dataset": "blobs"}, 20),
    "multiclass, spirals, 4 classes, adam, dropout": (
        {
            "problem": "multiclass",
            "dataset": "spirals",
            "classes": 4,
            "optimizer": "adam",
            "dropout": 0.1,
            "features": F7,
        },
        15,
    ),
    "multiclass, sectors, 5 classes, l2, batch 3": (
        {
            "problem": "multiclass",
            "dataset": "sectors",
            "classes": 5,
            "regularization": "l2",
            "regularization_rate": 0.003,
            "batch_size": 3,
        },
        8,
    ),
    "diverging": ({**DIVERGING, "hidden_layers": [8, 8, 8]}, 10),
}


# -- running a script and reading what it prints ----------------------------------------------


def run_scripts(paths: list[Path], epochs: list[int | None]) -> list[str]:
    """Run each script in its own Python (side by side); their outputs."""
    procs = [
        subprocess.Popen(
            [sys.executable, str(path), *([] if n is None else ["--epochs", str(n)])],
            cwd=path.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path, n in zip(paths, epochs, strict=True)
    ]
    outputs = []
    for path, proc in zip(paths, procs, strict=True):
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, f"{path.name} failed:\n{err}"
        outputs.append(out)
    return outputs


def rows(output: str) -> list[Row]:
    """The lines ``epoch train-loss test-loss`` (a header and a divergence note are not)."""
    out = []
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].isdigit():
            out.append((int(parts[0]), float(parts[1]), float(parts[2])))
    return out


def history(client: TestClient, sid: str) -> list[Row]:
    h = client.get(f"/api/sessions/{sid}/frame").json()["history"]
    return list(zip(h["epochs"], h["train"], h["test"], strict=True))


def mismatches(printed: list[Row], shown: list[Row]) -> list[int]:
    """The epochs where the script and the history differ (more than 1e-9 relatively); a
    missing or extra epoch counts. The script starts where its rows start."""
    assert printed, "the script printed no losses"
    shown = [r for r in shown if r[0] >= printed[0][0]]
    bad = [e for e, _, _ in printed[len(shown) :]] + [e for e, _, _ in shown[len(printed) :]]
    for (e, a, b), (f, c, d) in zip(printed, shown, strict=False):
        close = all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12) for x, y in ((a, c), (b, d)))
        if e != f or not close:
            bad.append(e)
    return bad


def replay(
    client: TestClient, sids: list[str], tmp_path: Path, epochs: list[int | None] | None = None
) -> list[tuple[list[Row], list[Row], str]]:
    """Download each session's script, run them all; per session (printed, shown, text).
    ``epochs``: what to pass as --epochs (default: the epochs trained, from its history)."""
    texts, paths = [], []
    for i, sid in enumerate(sids):
        r = client.get(f"/api/sessions/{sid}/script.py")
        assert r.status_code == 200, r.text
        path = tmp_path / f"playground_{i}.py"
        path.write_text(r.text, encoding="utf-8")
        texts.append(r.text)
        paths.append(path)
    shown = [history(client, sid) for sid in sids]
    if epochs is None:
        epochs = [None] * len(sids)
    outputs = run_scripts(paths, epochs)
    return [(rows(out), h, text) for out, h, text in zip(outputs, shown, texts, strict=True)]


@pytest.fixture
def memory_client() -> Iterator[TestClient]:
    """The app with sessions in memory (the cases below need no Redis to be exact; the
    tests further down run through both stores)."""
    with TestClient(create_app(Settings())) as c:
        yield c


def _train(client: TestClient, sid: str, epochs: int) -> None:
    r = client.post(f"/api/sessions/{sid}/step", json={"epochs": epochs})
    assert r.status_code == 200, r.text
    assert r.json()["epochs_run"] == epochs or r.json()["status"] == "diverged"


# -- every setting ----------------------------------------------------------------------------


def test_every_case_prints_the_sessions_losses_at_every_epoch(
    memory_client: TestClient, tmp_path: Path
) -> None:
    sids = []
    for seed, (config, epochs) in enumerate(CASES.values(), start=1):
        sid = new_session(memory_client, seed=seed, **config)["id"]
        _train(memory_client, sid, epochs)
        sids.append(sid)
    results = replay(memory_client, sids, tmp_path)
    for name, (printed, shown, text) in zip(CASES, results, strict=True):
        assert printed[0][0] == 0, name
        assert mismatches(printed, shown) == [], name
        config = CASES[name][0]
        if config.get("dataset") in ("circle", "multigauss", "sectors"):
            assert "made again from seed" in text and "POINTS" not in text, name
    diverged = results[list(CASES).index("diverging")]
    assert len(diverged[0]) < 1 + CASES["diverging"][1]  # it stopped where the session did


def test_the_comparison_notices_a_script_that_trains_differently(
    memory_client: TestClient, tmp_path: Path
) -> None:
    """A script with another learning rate (or batch size) starts from the same losses and
    then parts from the session's: the comparison above would catch a wrong rule."""
    sid = new_session(memory_client, seed=3)["id"]
    _train(memory_client, sid, 10)
    text = memory_client.get(f"/api/sessions/{sid}/script.py").text
    shown = history(memory_client, sid)
    variants = [
        text.replace("LEARNING_RATE = 0.03", "LEARNING_RATE = 0.0300001"),
        text.replace("BATCH_SIZE = 10", "BATCH_SIZE = 11"),
        text,
    ]
    assert variants[0] != text and variants[1] != text
    paths = [tmp_path / f"variant_{i}.py" for i in range(len(variants))]
    for path, variant in zip(paths, variants, strict=True):
        path.write_text(variant, encoding="utf-8")
    outputs = run_scripts(paths, [10] * len(paths))
    for out in outputs[:2]:
        bad = mismatches(rows(out), shown)
        assert 0 not in bad and bad == list(range(1, 11))
    assert mismatches(rows(outputs[2]), shown) == []


# -- both stores: own data, restores, imports, partial epochs, edits -------------------------


def _points(seed: int, n: int, problem: str) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    points = rng.uniform(-6, 6, (n, 2))
    if problem == "classification":
        labels = np.where(points[:, 0] * points[:, 1] > 0, 1.0, -1.0)
    elif problem == "multiclass":
        labels = rng.integers(0, 4, n).astype(float)
    else:
        labels = np.sin(points[:, 0]) * 0.8
    return {"points": points.tolist(), "labels": labels.tolist()}


def test_own_points_are_copied_into_the_script_and_split_by_the_seed(
    client: TestClient, tmp_path: Path
) -> None:
    own: list[tuple[str, dict[str, Any], int]] = [  # problem, settings, points
        ("classification", {"batch_size": 7}, 143),
        ("regression", {"optimizer": "adam", "learning_rate": 0.01}, 90),
        ("multiclass", {"classes": 4, "dropout": 0.2}, 120),
        ("classification", {}, 0),  # no points at all: both losses 0
    ]
    sids = []
    for seed, (problem, extra, n) in enumerate(own, start=1):
        sid = new_session(client, seed=seed, problem=problem, **extra)["id"]
        r = client.put(f"/api/sessions/{sid}/data", json=_points(seed, n, problem))
        assert r.status_code == 200, r.text
        _train(client, sid, 12)
        sids.append(sid)
    results = replay(client, sids, tmp_path)
    for printed, shown, text in results:
        assert mismatches(printed, shown) == []
        assert "POINTS = [" in text and "your own" in text
    empty = results[-1][0]
    assert len(empty) == 13 and {(a, b) for _, a, b in empty} == {(0.0, 0.0)}


def test_after_a_restore_the_script_still_starts_at_epoch_0(
    client: TestClient, tmp_path: Path
) -> None:
    """Going back to epoch 10 and training on repeats the run; so does the script."""
    sid = new_session(client, seed=5, dropout=0.2, regularization="l1", regularization_rate=0.003)
    sid = sid["id"]
    _train(client, sid, 25)
    r = client.post(f"/api/sessions/{sid}/restore", json={"epoch": 10})
    assert r.status_code == 200, r.text
    _train(client, sid, 8)
    [(printed, shown, _)] = replay(client, [sid], tmp_path)
    assert [e for e, _, _ in printed] == list(range(19))
    assert mismatches(printed, shown) == []


def test_an_imported_model_starts_where_it_was_exported(client: TestClient, tmp_path: Path) -> None:
    """An imported model has no epoch 0: the script starts from the import (epoch 15),
    also after a restore to it."""
    first = new_session(client, seed=6, optimizer="momentum", batch_size=7)["id"]
    _train(client, first, 15)
    model = client.get(f"/api/sessions/{first}/model").json()
    imported = client.post("/api/sessions", json={"model": model})
    assert imported.status_code == 201, imported.text
    sid = imported.json()["id"]
    _train(client, sid, 12)
    restored = client.post("/api/sessions", json={"model": model}).json()["id"]
    _train(client, restored, 6)
    assert client.post(f"/api/sessions/{restored}/restore", json={"epoch": 15}).status_code == 200
    _train(client, restored, 4)
    results = replay(client, [sid, restored], tmp_path)
    for (printed, shown, text), last in zip(results, (27, 19), strict=True):
        assert [e for e, _, _ in printed] == list(range(15, last + 1))
        assert mismatches(printed, shown) == []
        assert "START_EPOCH = 15" in text


def test_mid_epoch_steps_and_an_edit_at_the_start_are_replayed(
    client: TestClient, tmp_path: Path
) -> None:
    """Batch steps end at the same epochs as epoch steps; a weight edited before the first
    epoch is part of the starting weights."""
    sid = new_session(client, seed=8, batch_size=9)["id"]
    body = {"layer": 0, "source": 1, "target": 2, "value": 1.25}
    assert client.put(f"/api/sessions/{sid}/weights", json=body).status_code == 200
    _train(client, sid, 6)
    r = client.post(f"/api/sessions/{sid}/step", json={"batches": 40})
    assert r.status_code == 200 and r.json()["batch"] != 0  # stopped inside an epoch
    [(printed, shown, text)] = replay(client, [sid], tmp_path)
    assert mismatches(printed, shown) == [] and printed[-1][0] == shown[-1][0] > 6
    assert "1.25" in text


# -- the script itself ------------------------------------------------------------------------


def test_the_script_imports_only_numpy_and_the_standard_library(
    memory_client: TestClient,
) -> None:
    sid = new_session(memory_client, seed=2, problem="regression", dataset="multigauss")["id"]
    text = memory_client.get(f"/api/sessions/{sid}/script.py").text
    imported = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0 and node.module is not None
            imported.add(node.module.split(".")[0])
    assert "numpy" in imported
    assert imported - {"numpy"} <= sys.stdlib_module_names
    assert "def multi_gauss(" in text and "_GAUSSIANS = np.array(" in text  # what it calls


def test_the_download_is_a_python_file_with_a_readable_header(
    memory_client: TestClient, tmp_path: Path
) -> None:
    sid = new_session(memory_client, seed=4, learning_rate=0.1, hidden_layers=[3])["id"]
    _train(memory_client, sid, 7)
    r = memory_client.get(f"/api/sessions/{sid}/script.py")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/x-python; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="playground.py"'
    header = ast.get_docstring(ast.parse(r.text)) or ""
    for words in ("--epochs", "learning rate      0.1", "hidden layers      3", "Not replayed"):
        assert words in header
    path = tmp_path / "playground.py"
    path.write_text(r.text, encoding="utf-8")
    (out,) = run_scripts([path], [None])  # by default: as far as the session trained
    assert [e for e, _, _ in rows(out)] == list(range(8))


def test_unknown_session_returns_404(client: TestClient) -> None:
    r = client.get("/api/sessions/no-such-session/script.py")
    assert r.status_code == 404
    assert "No session with this id" in r.json()["detail"] and r.json()["errors"] == []


def test_data_the_seed_does_not_give_are_copied_as_they_are(tmp_path: Path) -> None:
    """A trainer given its split (not the seed's) gets its training and test points
    copied into the script."""
    config = config_from_dict({"seed": 1, "dataset": "xor", "batch_size": 4})
    other = make_split("xor", 0, 50, np.random.default_rng([99, 0]))
    trainer = Trainer(config, split=other)
    trainer.step(5)
    text = script(trainer)
    assert "TRAIN_POINTS = [" in text and "def xor(" not in text
    path = tmp_path / "copied.py"
    path.write_text(text, encoding="utf-8")
    (out,) = run_scripts([path], [5])
    h = trainer.history
    shown = list(zip(h.epochs, h.train, h.test, strict=True))
    assert mismatches(rows(out), shown) == []


def test_a_session_without_a_checkpoint_gets_a_sentence_not_a_script(
    memory_client: TestClient,
) -> None:
    """Only a session saved by an older server in the middle of an epoch has none."""
    sid = new_session(memory_client, seed=1)["id"]
    with memory_client.app.state.store.find(sid).write() as session:  # type: ignore[attr-defined]
        session.trainer.checkpoints.clear()
        with pytest.raises(ConfigError, match="no checkpoint"):
            script(session.trainer)
    r = memory_client.get(f"/api/sessions/{sid}/script.py")
    assert r.status_code == 422 and "train to the end of the epoch" in r.json()["detail"]
