"""The message catalogs (static/i18n/<lang>/<namespace>.json), without a browser.

Every namespace (page: the main page and the join page; teach: the teacher's page;
compare: /compare) has, in every language, the same keys and the same placeholders per
key, and no empty text; every field and choice of GET /api/options has its keys; every key
a page's modules or templates use exists, and the catalogs hold no key that nothing uses.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.helpers import flatten

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "static" / "i18n"
LANGS = ["en", "zh"]
NAMESPACES = sorted(p.stem for p in (I18N / "en").glob("*.json"))
PLACEHOLDER = re.compile(r"\{(\w+)\}")

# Every page's modules and templates (the main page, /teach, /join and /r/<code>, /compare).
SOURCES = sorted((ROOT / "static" / "js").glob("*.js"))
TEMPLATES = [
    ROOT / "templates" / "index.html",
    ROOT / "templates" / "teach.html",
    ROOT / "templates" / "join.html",
    ROOT / "static" / "compare.html",
]
# The namespaces whose keys the pages also name as plain strings (a table of value → key,
# read with t() in a loop): "teach.sorts.join", "compare.presets.adam".
KEY_STRINGS = re.compile(r"""["']((?:teach|compare)\.[\w.]+)["']""")

# Keys built from a name at run time: `t(\`help.${name}\`)`, `field.<name>.label` …
DYNAMIC_PREFIXES = (
    "help.",
    "field.",
    "choice.",
    "metrics.",
    "legend.colors.",
    "xp.columns.",
    "xp.regularization.",
    "confusion.trueClass",
    "confusion.predictedClass",
)


def load(lang: str, namespace: str) -> dict[str, str]:
    return flatten(json.loads((I18N / lang / f"{namespace}.json").read_text("utf-8")))


@pytest.fixture(scope="module")
def options() -> dict[str, Any]:
    with TestClient(create_app()) as client:
        answer = client.get("/api/options")
    assert answer.status_code == 200
    return answer.json()


def test_there_is_a_page_namespace_in_every_language() -> None:
    assert {"page", "teach", "compare"} <= set(NAMESPACES)
    for lang in LANGS:
        assert sorted(p.stem for p in (I18N / lang).glob("*.json")) == NAMESPACES, lang


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_every_language_has_the_same_keys(namespace: str) -> None:
    en, zh = load("en", namespace), load("zh", namespace)
    assert sorted(set(en) - set(zh)) == [], "missing in zh"
    assert sorted(set(zh) - set(en)) == [], "missing in en"


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_placeholders_match_and_no_text_is_empty(namespace: str) -> None:
    en, zh = load("en", namespace), load("zh", namespace)
    for key, text in en.items():
        assert isinstance(text, str) and text.strip(), f"en {key} is empty"
        assert isinstance(zh[key], str) and zh[key].strip(), f"zh {key} is empty"
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(zh[key])), key


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_the_chinese_catalog_is_chinese(namespace: str) -> None:
    """Most texts have Chinese characters (the rest are names such as ReLU, X₁, L2)."""
    zh = load("zh", namespace)
    chinese = [k for k, v in zh.items() if re.search(r"[\u4e00-\u9fff]", v)]
    assert len(chinese) > 0.85 * len(zh)


@pytest.mark.parametrize(
    "key",
    [
        "page.play",
        "field.learning_rate.label",
        "xp.button",
        "lesson.next",
        "room.joinButton",
        "teach.startButton",
        "teach.leaderboard",
        "teach.pauseAll",
        "compare.title",
        "compare.status.ready",
    ],
)
def test_key_labels_are_chinese(key: str) -> None:
    zh = {k: v for ns in NAMESPACES for k, v in load("zh", ns).items()}
    assert re.search(r"[\u4e00-\u9fff]", zh[key]), key


def test_every_field_and_choice_of_the_server_has_its_keys(options: dict[str, Any]) -> None:
    for lang in LANGS:
        catalog = load(lang, "page")
        missing = []
        for field in options["fields"]:
            if f"field.{field['name']}.label" not in catalog:
                missing.append(f"field.{field['name']}.label")
            for choice in field.get("choices") or []:
                if f"choice.{field['name']}.{choice['name']}" not in catalog:
                    missing.append(f"choice.{field['name']}.{choice['name']}")
        assert missing == [], f"{lang}: {missing}"


def test_the_english_labels_are_the_servers(options: dict[str, Any]) -> None:
    """The English catalog says what the server's table says (one source for the words)."""
    en = load("en", "page")
    for field in options["fields"]:
        assert en[f"field.{field['name']}.label"] == field["label"]
        for choice in field.get("choices") or []:
            assert en[f"choice.{field['name']}.{choice['name']}"] == choice["label"]


def used_keys() -> set[str]:
    """Every literal key the pages' modules and templates name."""
    keys: set[str] = set()
    for path in SOURCES:
        text = path.read_text("utf-8")
        keys |= set(re.findall(r"""(?<![.\w])(?:t|plural|has|tOr)\(\s*["']([\w.]+)["']""", text))
        # t(cond ? "a.b" : "c.d") and plural("a.b", n): every quoted key inside a t( … ) call.
        for call in re.findall(r"(?<![.\w])t\(([^()]*?\?[^()]*?)[,)]", text):
            keys |= set(re.findall(r"""["']([a-z]\w*\.[\w.]+)["']""", call))
        keys |= set(KEY_STRINGS.findall(text))
        # startPageLanguage([…], "teach.pageTitle"): the title's key.
        keys |= set(re.findall(r"""startPageLanguage\(\[[^\]]*\],\s*["']([\w.]+)["']""", text))
    for template in TEMPLATES:
        html = template.read_text("utf-8")
        keys |= set(re.findall(r'data-i18n="([\w.]+)"', html))
        for pairs in re.findall(r'data-i18n-attr="([^"]+)"', html):
            keys |= {pair.split(":")[1].strip() for pair in pairs.split(",")}
    return keys


def english() -> dict[str, str]:
    """Every namespace's English texts, by key."""
    return {k: v for ns in NAMESPACES for k, v in load("en", ns).items()}


def test_every_key_the_pages_use_exists() -> None:
    en = english()
    missing = sorted(k for k in used_keys() if k not in en and f"{k}.other" not in en)
    assert missing == []


def test_the_namespaces_do_not_share_keys() -> None:
    seen: dict[str, str] = {}
    for ns in NAMESPACES:
        for key in load("en", ns):
            assert key not in seen, f"{key} is in {seen[key]} and {ns}"
            seen[key] = ns


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_the_catalog_has_no_unused_keys(namespace: str) -> None:
    en = load("en", namespace)
    used = used_keys()
    plural_bases = {k.rsplit(".", 1)[0] for k in en if k.endswith((".one", ".other"))}
    unused = sorted(
        k
        for k in en
        if k not in used
        and not k.startswith(DYNAMIC_PREFIXES)
        and k.rsplit(".", 1)[0] not in (plural_bases & used)
    )
    assert unused == []
