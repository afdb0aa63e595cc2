"""The message catalogs (app/messages/en.json, zh.json) and the language of the server's
sentences: both catalogs hold the same keys with the same placeholders, every key the
code uses exists and every key is used, no refusal in app/ is a literal English sentence,
and a bad request asked in Chinese (Accept-Language: zh-CN) is answered in Chinese, while
one without the header gets the English sentence as before."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.engine.config import CONFIG_FIELDS, PROBLEMS
from app.engine.messages import Message, accepted_language, catalog, placeholders, text
from app.lessons import pick_lang
from tests.helpers import DIVERGING

APP = Path(__file__).resolve().parent.parent / "app"
KEY = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")
DYNAMIC = {"field": CONFIG_FIELDS, "problem": PROBLEMS}
"""Keys the code builds from a name (``field.<setting>``, ``problem.<problem>``)."""
REFUSALS = {"ConfigError", "DataError", "MessageError", "LessonNotFound"}
"""Errors whose first argument is a message key (ApiError: its second)."""
NOT_CONVERTED = {"LessonError"}
"""A lesson file's mistakes are logged for the teacher at start-up (in English, with the
file and line); they never reach a client, so they are not catalog messages."""
CJK = re.compile(r"[\u4e00-\u9fff]")


def _sources() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(APP.rglob("*.py"))]


def _keys_in_code() -> set[str]:
    namespaces = {key.split(".")[0] for key in catalog("en")}
    return {
        node.value
        for _, tree in _sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and KEY.match(node.value)
        and node.value.split(".")[0] in namespaces
        and node.value.split(".")[0] not in DYNAMIC
    }


# -- the catalogs ------------------------------------------------------------------------
def test_both_catalogs_have_the_same_keys_and_placeholders_and_no_empty_text() -> None:
    en, zh = catalog("en"), catalog("zh")
    assert sorted(en) == sorted(zh)
    for key in en:
        assert en[key].strip() and zh[key].strip(), key
        assert placeholders(key, "en") == placeholders(key, "zh"), key


def test_every_key_the_code_uses_exists_and_every_key_is_used() -> None:
    used = _keys_in_code()
    assert used - set(catalog("en")) == set()
    dynamic = {f"{prefix}.{name}" for prefix, names in DYNAMIC.items() for name in names}
    assert dynamic <= set(catalog("en"))
    assert set(catalog("en")) - used - dynamic == set()


def _key_argument(node: ast.Call) -> ast.expr | None:
    name = node.func.id if isinstance(node.func, ast.Name) else None
    if name in REFUSALS:
        return node.args[0] if node.args else None
    if name == "ApiError":
        return node.args[1] if len(node.args) > 1 else None
    return None


def _tables(tree: ast.Module) -> dict[str, ast.Dict]:
    """The module's dict literals by name (e.g. ``THE_POINT = {"data.…": "data.…"}``)."""
    return {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _is_key(node: ast.expr | None, tables: dict[str, ast.Dict]) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value in catalog("en")
    if isinstance(node, ast.BoolOp):  # ``self.why or "config.not_below"``
        return all(_is_key(v, tables) or isinstance(v, ast.Attribute) for v in node.values)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        table = tables.get(node.value.id)  # ``THE_POINT[key]``: a table of keys
        return table is not None and all(v is not None and _is_key(v, tables) for v in table.values)
    return False


def test_no_refusal_in_app_is_a_literal_english_sentence() -> None:
    wrong = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            where = f"{path.relative_to(APP.parent)}:{node.lineno}"
            if node.func.id == "HTTPException":
                wrong.append(f"{where}: HTTPException (raise ApiError with a key)")
            elif node.func.id in REFUSALS | {"ApiError"} and not _is_key(
                _key_argument(node), _tables(tree)
            ):
                wrong.append(f"{where}: {node.func.id} without a catalog key")
    assert wrong == []


# -- rendering and the language rule -----------------------------------------------------
def test_a_message_fills_its_placeholders_and_nested_messages_in_one_language() -> None:
    reason = Message("config.not_number", {"name": "noise", "value": "x"})
    assert text("model.refused", "en", reason=reason) == (
        "This is not a model this page can load (noise must be a number, got 'x'). "
        "Choose a file saved with “Export model”."
    )
    chinese = text("model.refused", "zh", reason=reason)
    assert "noise 应为数字" in chinese and "导出模型" in chinese
    assert text("words.no_epochs", "fr") == "none"  # a language we do not have: English


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, "en"),
        ("", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("zh-Hans", "zh"),
        ("zh-TW", "zh"),
        ("ZH", "zh"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("fr-FR, zh;q=0.5", "zh"),
        ("en;q=0.2, zh;q=0.7", "zh"),
        ("zh;q=0", "en"),
        ("de, fr", "en"),
        ("zh;q=abc, en", "en"),
    ],
)
def test_the_language_follows_accept_language_by_q(header: str | None, lang: str) -> None:
    assert accepted_language(header) == lang
    assert pick_lang(None, header) == lang  # the lessons follow the same rule
    assert pick_lang("en", header) == "en"  # … unless the URL names the language


# -- through the API ---------------------------------------------------------------------
ALLOWED_WORDS = {
    *CONFIG_FIELDS,
    *(n for f in CONFIG_FIELDS for n in f.split("_")),
    *{"body", "config", "model", "variants", "values", "index", "epochs", "batches"},
    *{"point", "points", "labels", "label", "value", "layer", "source", "target", "neuron"},
    *{"name", "field", "message", "id", "sessions", "api", "rooms", "docs", "nope", "spiral"},
    *{"POST", "GET", "PUT", "PATCH", "DELETE", "HEAD", "API", "JSON", "CSV", "UTF", "Redis"},
    *{"Content", "Type", "application", "json", "Authorization", "Bearer", "NaN", "Dropout"},
    *{"teacher_token", "xor", "circle", "plane", "relu", "tanh", "sigmoid", "linear"},
}
"""Words a Chinese sentence may keep: names of the API (fields, methods, ids) and of
choices, which the person types or sees in the API as they are."""


def english_words(sentence: str) -> list[str]:
    """The English words of ``sentence`` outside quotes, lists and paths, beyond the
    names of the API."""
    bare = re.sub(r"^[\w.\[\]]+：", " ", sentence)  # where: a field path, as sent
    bare = re.sub(r"'[^']*'|\"[^\"]*\"|“[^”]*”|\[[^\]]*\]|\{[^}]*\}|/[\w/{}.…-]*", " ", bare)
    bare = re.sub(r"\b[A-Z0-9]{3}-[A-Z0-9]{3}\b", " ", bare)  # a class code
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]+", bare) if w not in ALLOWED_WORDS]


def _session(client: TestClient, **config: Any) -> str:
    answer = client.post("/api/sessions", json={"config": {"seed": 1, **config}})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _room(client: TestClient) -> dict[str, Any]:
    return dict(client.post("/api/rooms", json={"title": "7A"}).json())


def _student_locked(client: TestClient, headers: dict[str, str]) -> httpx.Response:
    room = _room(client)
    auth = {"Authorization": f"Bearer {room['teacher_token']}"}
    pushed = client.put(
        f"/api/rooms/{room['code']}/activity", json={"locked": ["learning_rate"]}, headers=auth
    )
    assert pushed.status_code == 200, pushed.text
    joined = client.post(f"/api/rooms/{room['code']}/students", json={"name": "Ada"}).json()
    sid = joined["session"]["id"]
    return client.patch(f"/api/sessions/{sid}", json={"learning_rate": 1}, headers=headers)


def _csv(body: str) -> Callable[[TestClient, dict[str, str]], httpx.Response]:
    def send(client: TestClient, headers: dict[str, str]) -> httpx.Response:
        sid = _session(client)
        return client.put(
            f"/api/sessions/{sid}/data.csv",
            content=body.encode(),
            headers={**headers, "Content-Type": "text/csv"},
        )

    return send


def _on_session(
    method: str, path: str, **kwargs: Any
) -> Callable[[TestClient, dict[str, str]], httpx.Response]:
    def send(client: TestClient, headers: dict[str, str]) -> httpx.Response:
        sid = _session(client)
        return client.request(method, f"/api/sessions/{sid}{path}", headers=headers, **kwargs)

    return send


def _post(
    path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
) -> Callable[[TestClient, dict[str, str]], httpx.Response]:
    return lambda client, lang: client.post(path, headers={**lang, **(headers or {})}, **kwargs)


def _teacher(token: str | None) -> Callable[[TestClient, dict[str, str]], httpx.Response]:
    def send(client: TestClient, headers: dict[str, str]) -> httpx.Response:
        room = _room(client)
        if token is not None:
            headers = {**headers, "Authorization": f"Bearer {token}"}
        return client.put(f"/api/rooms/{room['code']}/activity", json={}, headers=headers)

    return send


BAD_REQUESTS: list[tuple[str, int, str, Callable[[TestClient, dict[str, str]], httpx.Response]]] = [
    # (case, status, part of the English detail, the request)
    ("out of bounds", 422, "less than or equal to 10", _post("/api/sessions",
        json={"config": {"learning_rate": 10.5}})),
    ("unknown choice", 422, "unknown activation 'swish'", _post("/api/sessions",
        json={"config": {"activation": "swish"}})),
    ("dataset of another problem", 422, "is a classification dataset", _post("/api/sessions",
        json={"config": {"problem": "regression", "dataset": "xor"}})),
    ("wrong type", 422, "Input should be a valid number", _post("/api/sessions",
        json={"config": {"noise": "loud"}})),
    ("extra field", 422, "Extra inputs are not permitted", _post("/api/sessions",
        json={"config": {"colour": 1}})),
    ("bad JSON", 422, "not valid JSON", _post("/api/sessions",
        content=b"{bad", headers={"Content-Type": "application/json"})),
    ("not a model", 422, "This is not a model", _post("/api/sessions",
        json={"model": {"config": {}, "weights": [], "biases": []}})),
    ("missing field", 422, "Field required", _on_session("PUT", "/weights", json={"layer": 0})),
    ("epochs and batches", 422, "either epochs or batches", _on_session("POST", "/step",
        json={"epochs": 1, "batches": 1})),
    ("CSV bad label", 422, "Row 2, column label: 7 is not a class (1 or -1).",
        _csv("x,y,label\n1,2,7\n")),
    ("CSV decimal comma", 422, "write decimals with a point", _csv("1;2;1\n1,5;2;1\n")),
    ("CSV bad header", 422, "the header must be x,y,label", _csv("a,b,c\n1,2,1\n")),
    ("CSV no rows", 422, "The file has no data rows", _csv("x,y,label\n")),
    ("point out of the square", 422, "Point 1: y must be between -6 and 6, got 9.",
        _on_session("PUT", "/data", json={"points": [[1, 9]], "labels": [1]})),
    ("remove a point that is not there", 422, "index 1999 is not a point",
        _on_session("DELETE", "/points", json={"indices": [1999]})),
    ("explain index", 422, "is not a training point", _on_session("POST", "/explain",
        json={"index": 1999})),
    ("explain a point", 422, "The point's x must be between -6 and 6", _on_session(
        "POST", "/explain", json={"point": [7, 0], "label": 1})),
    ("restore a missing epoch", 422, "there is no checkpoint at epoch 999",
        _on_session("POST", "/restore", json={"epoch": 999})),
    ("a frame of a missing epoch", 422, "there is no checkpoint at epoch 7",
        _on_session("GET", "/frame?epoch=7")),
    ("weight out of range", 422, "layer must be between 0 and 2, got 5",
        _on_session("PUT", "/weights", json={"layer": 5, "source": 0, "target": 0, "value": 1})),
    ("unknown session", 404, "No session with this id",
        lambda client, headers: client.get("/api/sessions/nope", headers=headers)),
    ("unknown path", 404, "There is no /api/nothing here",
        lambda client, headers: client.get("/api/nothing", headers=headers)),
    ("wrong method", 405, "is not allowed here; use",
        lambda client, headers: client.put("/api/sessions", headers=headers)),
    ("unknown class", 404, "There is no class with the code",
        _post("/api/rooms/ZZZ-ZZZ/students", json={"name": "Ada"})),
    ("no teacher token", 401, "Only the teacher can do this", _teacher(None)),
    ("wrong teacher token", 403, "This is not the teacher token", _teacher("guess")),
    ("locked field", 403, "Your teacher has locked the learning rate", _student_locked),
    ("unknown comparison", 404, "No comparison with this id",
        lambda client, headers: client.get("/api/comparisons/nope", headers=headers)),
    ("comparison variant", 422, "variants.1: ", _post("/api/comparisons",
        json={"config": {"seed": 1}, "variants": [{}, {"dataset": "plane"}]})),
    ("unknown lesson", 404, "There is no lesson 'nope'",
        lambda client, headers: client.get("/api/lessons/nope", headers=headers)),
]  # fmt: skip
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}


@pytest.mark.parametrize(
    ("status", "english", "send"),
    [case[1:] for case in BAD_REQUESTS],
    ids=[case[0] for case in BAD_REQUESTS],
)
def test_a_refusal_is_in_chinese_when_asked_and_in_english_by_default(
    client: TestClient,
    status: int,
    english: str,
    send: Callable[[TestClient, dict[str, str]], httpx.Response],
) -> None:
    chinese = send(client, ZH)
    assert chinese.status_code == status, chinese.text
    said = [chinese.json()["detail"], *(e["message"] for e in chinese.json()["errors"])]
    for sentence in said:
        assert CJK.search(sentence), sentence
        assert english_words(sentence) == [], sentence
    plain = send(client, {})
    assert plain.status_code == status, plain.text
    detail = plain.json()["detail"]
    assert english in detail and not CJK.search(plain.text), detail


def test_the_divergence_explanation_follows_the_language(client: TestClient) -> None:
    sid = _session(client, **DIVERGING, hidden_layers=[8] * 6)
    first = client.post(f"/api/sessions/{sid}/step", json={"epochs": 100}, headers=ZH).json()
    assert first["status"] == "diverged"
    chinese = first["message"]
    assert "学习率" in chinese and english_words(chinese) == [], chinese
    english = client.get(f"/api/sessions/{sid}").json()["message"]
    assert english.startswith(f"Training diverged after epoch {first['epoch']}:")
    assert client.get(f"/api/sessions/{sid}", headers=ZH).json()["message"] == chinese


def test_a_too_large_body_is_refused_in_the_language_asked() -> None:
    from app.main import create_app
    from app.settings import Settings

    with TestClient(create_app(Settings(max_body_bytes=1000))) as client:
        big = {"points": [[0, 0]] * 500, "labels": [1] * 500}
        chinese = client.post("/api/datasets", json=big, headers=ZH)
        english = client.post("/api/datasets", json=big)
    assert chinese.status_code == english.status_code == 413
    assert CJK.search(chinese.json()["detail"])
    assert english.json()["detail"] == "The request body is larger than 1000 bytes."
