"""Every sentence the server says to a person, by key, in English and Simplified Chinese.

The catalogs are ``app/messages/<lang>.json``: one flat object of key → template, with
``{name}`` placeholders filled by ``str.format`` (so ``{value!r}`` and ``{low:g}`` format
as they would in an f-string; numbers look the same in both languages). A ``Message`` is
a key and its parameters, rendered only when the language is known: an error raised deep
in the engine carries one, and the server says it in the language of the request
(``accepted_language`` reads Accept-Language). English is the default, and its sentences
are the ones the API has always sent. No web imports: the engine raises these too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any, Literal, Self

LANGS = ("en", "zh")
DEFAULT_LANG = "en"
Lang = Literal["en", "zh"]
CATALOGS = Path(__file__).resolve().parent.parent / "messages"


@cache
def catalog(lang: str) -> dict[str, str]:
    """The templates of ``lang`` (read once)."""
    data = json.loads((CATALOGS / f"{lang}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@dataclass(frozen=True)
class Message:
    """A sentence not yet in a language: a catalog key and its parameters. A parameter
    may itself be a Message (e.g. the reason inside "This is not a model … (reason)"),
    said in the same language. ``english``, when set, is said as is in English (a
    sentence of Pydantic's, kept exactly as the API has always sent it)."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    english: str | None = None

    def text(self, lang: str = DEFAULT_LANG) -> str:
        lang = lang if lang in LANGS else DEFAULT_LANG
        if lang == "en" and self.english is not None:
            return self.english
        params = {
            name: value.text(lang) if isinstance(value, Message) else value
            for name, value in self.params.items()
        }
        return catalog(lang)[self.key].format(**params)

    def __str__(self) -> str:
        return self.text()


def placeholders(key: str, lang: str = DEFAULT_LANG) -> set[str]:
    """The names of the parameters the template ``key`` of ``lang`` takes."""
    return {name for _, name, _, _ in Formatter().parse(catalog(lang)[key]) if name}


def text(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """The sentence ``key`` in ``lang`` with ``params`` filled in."""
    return Message(key, params).text(lang)


class MessageError(ValueError):
    """An error whose message is a catalog key and its parameters; ``str(exc)`` is the
    English sentence."""

    def __init__(self, key: str, /, **params: Any) -> None:
        self.message = Message(key, params)
        super().__init__(self.message.text())

    @classmethod
    def of(cls, message: Message) -> Self:
        return cls(message.key, **message.params)


def message_of(exc: BaseException) -> Message:
    """The message of an error: its own, or (an internal error's English text) as is."""
    if isinstance(exc, MessageError):
        return exc.message
    return Message("error.plain", {"text": str(exc)})


# -- the language of a request -----------------------------------------------------------

_Q = re.compile(r"q\s*=\s*([^\s;,]*)")


def accepted_language(header: str | None) -> Lang:
    """The language of an Accept-Language header: the first (by q, then by order) whose
    primary tag we have — zh, zh-CN, zh-Hans, zh-TW … are zh — else English."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        match = _Q.search(params)
        if match:
            try:
                q = float(match[1])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and q > 0:
            ranked.append((-q, i, primary))
    return sorted(ranked)[0][2] if ranked else DEFAULT_LANG  # type: ignore[return-value]
