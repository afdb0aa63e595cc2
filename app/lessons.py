"""Guided lessons: TOML files of ordered steps in English and Simplified Chinese.

A lesson is one file, ``<id>.toml``; the built-in ones live in ``app/lesson_files/`` and
a teacher's in ``PLAYGROUND_LESSONS_DIR`` (a teacher's file with the id of a built-in one
replaces it). Every key of a file is checked when the server starts: a file with a
mistake is logged (one line: the file, the line, why) and skipped; the server never
stops over one.

A step may set up the playground (``config``: a partial config as POST /api/sessions
takes it, on top of the previous steps' configs), lock fields, say how long to train
(``epochs``) and hold a ``check``: conditions that must ALL hold, evaluated by the server
on the session it trains (``evaluate``). ``claim = "cannot"`` says the step's text claims
the check can NOT be met with that setup (tests/test_lessons.py holds every claim to the
engine). No web imports: the routes turn LessonNotFound into 404.
"""

from __future__ import annotations

import logging
import math
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from pydantic import ValidationError

from . import schemas
from .engine import FIELD, FIELDS, Config, ConfigError, Trainer, apply_changes
from .engine.config import CONFIG_FIELDS, MAX_HIDDEN_LAYERS, MAX_NEURONS
from .engine.messages import DEFAULT_LANG, LANGS, Lang, MessageError, accepted_language

log = logging.getLogger(__name__)

BUILT_IN = Path(__file__).resolve().parent / "lesson_files"
BOTH = " and ".join(LANGS)
NO_TEXTS: dict[str, tuple[str, ...]] = {lang: () for lang in LANGS}
ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")  # the whole name (fullmatch)
MAX_EPOCHS = 100_000
MAX_TEXT = 4000  # characters of one text, hint or question
MAX_ITEMS = 20  # hints or questions of one step
MAX_STEPS = 50

VIEW_KEYS = {"show_test_data": "showTestData", "discretize": "discretize", "lines": "lines"}
"""The page's own settings a step may switch on or off (static/js/options.js PAGE_FIELDS),
with their URL-hash keys."""


# -- the check kinds: one row each -------------------------------------------------------

Actual = float | int | bool | None


def _losses(t: Trainer) -> tuple[float, float] | None:
    return None if t.status == "diverged" else (t.metrics.train_loss, t.metrics.test_loss)


OVERFIT_TRAIN_DROP = 0.8  # the training loss must fall to this share of its value


def _overfitting(t: Trainer) -> float | None:
    """How far the test loss has risen above its lowest point in this run (0 unless the
    training loss has fallen by a fifth since that point: a drift while both losses are
    still high, early in training, is not overfitting)."""
    test, train = t.history.test, t.history.train
    if len(test) < 2 or t.status == "diverged":
        return None
    best = min(range(len(test)), key=test.__getitem__)
    if train[-1] > OVERFIT_TRAIN_DROP * train[best]:
        return 0.0
    return float(test[-1] - test[best])


def _not_diverged(f: Callable[[Trainer], Actual]) -> Callable[[Trainer], Actual]:
    return lambda t: None if t.status == "diverged" else f(t)


@dataclass(frozen=True)
class CheckKind:
    """One kind of condition: its value's type and bounds, what is measured, when it holds
    (``met(actual, value)``) and how it reads in each language (``{value}``)."""

    name: str
    type: Literal["number", "integer", "boolean"]
    low: float
    high: float
    actual: Callable[[Trainer], Actual]
    met: Callable[[Any, Any], bool]
    text: dict[str, str]
    classification: bool = False  # only for problems with classes (accuracy)


CHECKS: dict[str, CheckKind] = {
    c.name: c
    for c in (
        CheckKind("test_loss_below", "number", 0, 100,
                  _not_diverged(lambda t: t.metrics.test_loss), lambda a, v: a < v,
                  {"en": "Test loss below {value}", "zh": "测试损失低于 {value}"}),
        CheckKind("train_loss_below", "number", 0, 100,
                  _not_diverged(lambda t: t.metrics.train_loss), lambda a, v: a < v,
                  {"en": "Training loss below {value}", "zh": "训练损失低于 {value}"}),
        CheckKind("test_loss_above", "number", 0, 100,
                  _not_diverged(lambda t: t.metrics.test_loss), lambda a, v: a > v,
                  {"en": "Test loss above {value}", "zh": "测试损失高于 {value}"}),
        CheckKind("test_accuracy_at_least", "number", 0, 1,
                  _not_diverged(lambda t: t.metrics.test_accuracy), lambda a, v: a >= v,
                  {"en": "Test accuracy at least {value}", "zh": "测试准确率至少 {value}"},
                  classification=True),
        CheckKind("train_accuracy_at_least", "number", 0, 1,
                  _not_diverged(lambda t: t.metrics.train_accuracy), lambda a, v: a >= v,
                  {"en": "Training accuracy at least {value}", "zh": "训练准确率至少 {value}"},
                  classification=True),
        CheckKind("diverged", "boolean", 0, 1,
                  lambda t: t.status == "diverged", lambda a, v: a is v,
                  {"en": "Training diverged: {value}", "zh": "训练发散：{value}"}),
        CheckKind("at_most_neurons", "integer", 0, MAX_HIDDEN_LAYERS * MAX_NEURONS,
                  lambda t: sum(t.net.sizes[1:-1]), lambda a, v: a <= v,
                  {"en": "At most {value} hidden neurons", "zh": "隐藏神经元不超过 {value} 个"}),
        CheckKind("at_least_epochs", "integer", 0, MAX_EPOCHS,
                  lambda t: t.epoch, lambda a, v: a >= v,
                  {"en": "At least {value} epochs trained", "zh": "至少训练 {value} 轮"}),
        CheckKind("at_most_epochs", "integer", 0, MAX_EPOCHS,
                  lambda t: t.epoch, lambda a, v: a <= v,
                  {"en": "Within {value} epochs", "zh": "在 {value} 轮以内"}),
        CheckKind("overfitting", "number", 0, 10,
                  _overfitting, lambda a, v: a >= v,
                  {"en": "Test loss risen at least {value} above its lowest while training "
                         "loss fell",
                   "zh": "训练损失下降的同时，测试损失比最低点高出至少 {value}"}),
    )
}  # fmt: skip
"""Every kind of condition a step's ``check`` may hold; a loss or accuracy condition is
not met by a diverged network."""

WORKSHEET_TEXT = {
    "en": {"step": "Step {k} of {n}", "name": "Name", "date": "Date", "print": "Print",
           "scan": "Scan to open this step", "questions": "Questions", "open": "Open the lesson",
           "worksheet": "Worksheet"},
    "zh": {"step": "第 {k} 步（共 {n} 步）", "name": "姓名", "date": "日期", "print": "打印",
           "scan": "扫码打开这一步", "questions": "问题", "open": "打开这节课",
           "worksheet": "练习单"},
}  # fmt: skip
"""The worksheet's own few words."""

SETUP_TEXT = {"en": "The locked settings as the step set them", "zh": "锁定的设置保持本步的设定"}
BOOL_TEXT = {"en": {True: "yes", False: "no"}, "zh": {True: "是", False: "否"}}


# -- the lesson, validated ---------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    kind: str
    value: float | int | bool

    def text(self, lang: str) -> str:
        value: Any = self.value
        shown = BOOL_TEXT[lang][value] if isinstance(value, bool) else f"{value:g}"
        return CHECKS[self.kind].text[lang].format(value=shown)


@dataclass(frozen=True)
class Step:
    text: dict[str, str]
    hints: dict[str, tuple[str, ...]]
    questions: dict[str, tuple[str, ...]]
    config: dict[str, Any] | None  # the whole setup this step starts from; None: keep going
    setup: dict[str, Any]  # the setup in force (this step's, or the last one before it)
    view: dict[str, bool]
    lock: tuple[str, ...]
    epochs: int | None
    check: tuple[Condition, ...]
    claim: Literal["can", "cannot"]


@dataclass(frozen=True)
class Lesson:
    id: str
    title: dict[str, str]
    summary: dict[str, str]
    steps: tuple[Step, ...]
    order: int
    source: str  # the file it was read from
    built_in: bool = field(default=False)


class LessonError(ValueError):
    """A lesson file that cannot be used: where (line, when known) and why."""

    def __init__(self, why: str, line: int | None = None, key: str | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.line = line
        self.key = key  # the step's key at fault, to find its line


class LessonNotFound(MessageError, LookupError):
    """No such lesson, or no such step of it; the message says which."""


# -- reading a file ----------------------------------------------------------------------

TOP_KEYS = {"title", "summary", "order", "steps"}
STEP_KEYS = {"text", "hints", "questions", "config", "view", "lock", "epochs", "check", "claim"}
STEP_HEADER = re.compile(r"^\s*\[\[\s*steps\s*\]\]")


def line_of(raw: str, step: int | None, key: str | None) -> int | None:
    """The line (1-based) of ``key`` in step ``step`` (0-based; None: the top level), or
    of the step's header when the key is not found; None when the step's table is not
    written as ``[[steps]]``. Cheap: a text search, enough to point a teacher there."""
    lines = raw.splitlines()
    headers = [i for i, text in enumerate(lines) if STEP_HEADER.match(text)]
    if step is None:
        start, stop = 0, headers[0] if headers else len(lines)
    elif step < len(headers):
        start = headers[step]
        stop = headers[step + 1] if step + 1 < len(headers) else len(lines)
    else:
        return None
    if key is not None:
        name = re.escape(key)
        pattern = re.compile(rf"^\s*(\[\s*steps\.{name}\s*\]|{name}\s*[.=])")
        for i in range(start, stop):
            if pattern.match(lines[i]):
                return i + 1
    return start + 1 if step is not None else None


def _text(value: Any, where: str) -> dict[str, str]:
    """``{en = "…", zh = "…"}``: both languages, each a non-empty string."""
    if not isinstance(value, dict):
        raise LessonError(
            f'{where} must be a table of both languages: {where} = {{en = "…", zh = "…"}}'
        )
    unknown = sorted(set(value) - set(LANGS))
    if unknown:
        raise LessonError(f"{where}: unknown language {unknown[0]!r}; lessons are in {BOTH}")
    out = {}
    for lang in LANGS:
        if lang not in value:
            raise LessonError(f"{where}: the {lang} text is missing (every text is in {BOTH})")
        text = value[lang]
        if not isinstance(text, str) or not text.strip():
            raise LessonError(f"{where}.{lang} must be a non-empty string")
        if len(text) > MAX_TEXT:
            raise LessonError(f"{where}.{lang} is longer than {MAX_TEXT} characters")
        out[lang] = text.strip()
    return out


def _texts(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    """``{en = ["…", …], zh = ["…", …]}``: the same number of items in both languages."""
    if not isinstance(value, dict):
        example = f'{where}.en = ["…"] and {where}.zh = ["…"]'
        raise LessonError(f"{where} must be a table of lists: {example}")
    unknown = sorted(set(value) - set(LANGS))
    if unknown:
        raise LessonError(f"{where}: unknown language {unknown[0]!r}; lessons are in {BOTH}")
    out: dict[str, tuple[str, ...]] = {}
    for lang in LANGS:
        items = value.get(lang)
        if items is None:
            raise LessonError(f"{where}: the {lang} list is missing (every text is in {BOTH})")
        if not isinstance(items, list) or not all(isinstance(s, str) and s.strip() for s in items):
            raise LessonError(f"{where}.{lang} must be a list of non-empty strings")
        if len(items) > MAX_ITEMS or any(len(s) > MAX_TEXT for s in items):
            raise LessonError(f"{where}.{lang}: at most {MAX_ITEMS} items of {MAX_TEXT} characters")
        out[lang] = tuple(s.strip() for s in items)
    if len(out["en"]) != len(out["zh"]):
        raise LessonError(
            f"{where}: {len(out['en'])} in English but {len(out['zh'])} in Chinese; "
            "each needs its translation"
        )
    return out


def _config(value: Any, before: Config) -> Config:
    """A partial config as POST /api/sessions takes it, applied on top of ``before``."""
    if not isinstance(value, dict):
        raise LessonError("config must be a table of settings, e.g. config = {hidden_layers = [3]}")
    try:
        changes = schemas.ConfigPatch.model_validate(value).changes()
    except ValidationError as exc:
        error = exc.errors()[0]
        name = ".".join(str(p) for p in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"unknown setting; choose from {list(CONFIG_FIELDS)}"
        raise LessonError(f"config.{name}: {message}") from None
    if changes.get("dataset") == "custom":
        raise LessonError("config.dataset: a lesson cannot use custom data (it has no points)")
    try:
        return apply_changes(before, changes)[0]
    except ConfigError as exc:
        raise LessonError(f"config: {exc}") from None


def _condition(kind: str, value: Any, problem: str) -> Condition:
    row = CHECKS.get(kind)
    if row is None:
        raise LessonError(f"unknown check {kind!r}; choose from {list(CHECKS)}")
    if row.classification and problem == "regression":
        raise LessonError(f"{kind} needs a classification problem (a regression has no accuracy)")
    if row.type == "boolean":
        if not isinstance(value, bool):
            raise LessonError(f"{kind} must be true or false, got {value!r}")
        return Condition(kind, value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise LessonError(f"{kind} must be a number, got {value!r}")
    if row.type == "integer" and value != int(value):
        raise LessonError(f"{kind} must be a whole number, got {value!r}")
    if not row.low <= value <= row.high or (row.type == "number" and value == row.low):
        low = "above" if row.type == "number" else "from"
        bounds = f"{low} {row.low:g} and at most {row.high:g}"
        raise LessonError(f"{kind} must be {bounds}, got {value!r}")
    return Condition(kind, int(value) if row.type == "integer" else float(value))


def _step(raw: dict[str, Any], setup: Config, seeded: bool) -> tuple[Step, Config, bool]:
    """One step, the setup after it and whether a seed was given; LessonError names the
    step's key at fault."""
    unknown = sorted(set(raw) - STEP_KEYS)
    if unknown:
        why = f"unknown key {unknown[0]!r}; a step may have {sorted(STEP_KEYS)}"
        raise LessonError(why, key=unknown[0])
    key = "text"
    try:
        if "text" not in raw:
            raise LessonError("text is missing")
        text = _text(raw["text"], "text")
        key = "hints"
        hints = _texts(raw["hints"], "hints") if "hints" in raw else NO_TEXTS
        key = "questions"
        questions = _texts(raw["questions"], "questions") if "questions" in raw else NO_TEXTS
        key = "config"
        if "config" in raw:
            setup = _config(raw["config"], setup)
            seeded = seeded or "seed" in raw["config"]
        in_force = setup.to_dict()
        if not seeded:
            del in_force["seed"]
        config = in_force if "config" in raw else None
        key = "view"
        view = raw.get("view", {})
        if not isinstance(view, dict) or not all(
            k in VIEW_KEYS and isinstance(v, bool) for k, v in view.items()
        ):
            raise LessonError(f"view must be a table of true/false for {sorted(VIEW_KEYS)}")
        key = "lock"
        lock = raw.get("lock", [])
        if not isinstance(lock, list) or not all(isinstance(n, str) for n in lock):
            raise LessonError("lock must be a list of setting names")
        for name in lock:
            if name not in FIELD:
                choose = f"choose from {list(CONFIG_FIELDS)}"
                raise LessonError(f"lock: unknown setting {name!r}; {choose}")
        key = "epochs"
        epochs = raw.get("epochs")
        if epochs is not None and (
            isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= MAX_EPOCHS
        ):
            raise LessonError(f"epochs must be a whole number 1 … {MAX_EPOCHS}, got {epochs!r}")
        key = "check"
        check = raw.get("check", {})
        if not isinstance(check, dict):
            raise LessonError("check must be a table, e.g. check = {test_loss_below = 0.1}")
        conditions = tuple(_condition(k, v, setup.problem) for k, v in check.items())
        key = "claim"
        claim = raw.get("claim", "can")
        if claim not in ("can", "cannot"):
            raise LessonError(f'claim must be "can" or "cannot", got {claim!r}')
        if claim == "cannot" and not conditions:
            raise LessonError('claim = "cannot" needs a check (what cannot be met)')
    except LessonError as exc:
        why = exc.why if exc.why.startswith(key) else f"{key}: {exc.why}"
        raise LessonError(why, key=key) from None
    step = Step(text, hints, questions, config, in_force, dict(view), tuple(dict.fromkeys(lock)),
                epochs, conditions, claim)  # fmt: skip
    return step, setup, seeded


def parse(raw: str, lesson_id: str, source: str = "", built_in: bool = False) -> Lesson:
    """A lesson from the text of its TOML file; LessonError says where and why."""
    if not ID.fullmatch(lesson_id):
        raise LessonError(
            "the file name must be the lesson's id: lower-case letters, digits, - and _ "
            "(at most 64), then .toml"
        )
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        why = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        if match:
            raise LessonError(f"not valid TOML, column {match[2]}: {why}", int(match[1])) from None
        raise LessonError(f"not valid TOML: {why}") from None
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise LessonError(
            f"unknown key {unknown[0]!r}; a lesson has {sorted(TOP_KEYS)}",
            line_of(raw, None, unknown[0]),
        )
    for key in ("title", "summary"):
        if key not in data:
            raise LessonError(f"{key} is missing")
    try:
        title = _text(data["title"], "title")
    except LessonError as exc:
        raise LessonError(exc.why, line_of(raw, None, "title")) from None
    try:
        summary = _text(data["summary"], "summary")
    except LessonError as exc:
        raise LessonError(exc.why, line_of(raw, None, "summary")) from None
    order = data.get("order", 1000)
    if isinstance(order, bool) or not isinstance(order, int):
        raise LessonError("order must be a whole number", line_of(raw, None, "order"))
    steps_raw = data.get("steps")
    if not isinstance(steps_raw, list) or not all(isinstance(s, dict) for s in steps_raw or [0]):
        raise LessonError("a lesson needs at least one step: a [[steps]] table with its text")
    if len(steps_raw) > MAX_STEPS:
        raise LessonError(f"at most {MAX_STEPS} steps")
    steps = []
    setup, seeded = Config(), False
    for i, step_raw in enumerate(steps_raw):
        try:
            step, setup, seeded = _step(step_raw, setup, seeded)
        except LessonError as exc:
            raise LessonError(f"step {i + 1}, {exc.why}", line_of(raw, i, exc.key)) from None
        steps.append(step)
    return Lesson(lesson_id, title, summary, tuple(steps), order, source, built_in)


def describe(path: Path, error: LessonError) -> str:
    """One line for the log: the file, the line, why."""
    where = f"{path}, line {error.line}" if error.line else f"{path}"
    return f"Lesson file {where}: {error.why}. The file was skipped."


def _read_folder(folder: Path, built_in: bool) -> dict[str, Lesson]:
    found: dict[str, Lesson] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            raw = path.read_text(encoding="utf-8-sig")  # a byte-order mark (Notepad) is fine
            found[path.stem] = parse(raw, path.stem, str(path), built_in)
        except LessonError as exc:
            log.warning(describe(path, exc))
        except (OSError, UnicodeDecodeError) as exc:
            log.warning(describe(path, LessonError(f"cannot be read as UTF-8 text ({exc})")))
        except Exception as exc:  # a bug of ours must not stop the server either
            why = f"could not be checked ({type(exc).__name__}: {exc})"
            log.warning(describe(path, LessonError(why)))
    return found


def load(extra: Path | None = None, built_in: Path = BUILT_IN) -> dict[str, Lesson]:
    """Every lesson by id, in order (``order``, then id): the built-in ones, then the
    folder ``extra``'s, whose file with a built-in id replaces that lesson."""
    lessons = _read_folder(built_in, True)
    if extra is not None:
        if extra.is_dir():
            lessons.update(_read_folder(extra, False))
        else:
            why = "is not a folder; no lessons were read from it"
            log.warning(f"Lessons folder {extra} (PLAYGROUND_LESSONS_DIR) {why}.")
    ordered = sorted(lessons.values(), key=lambda lesson: (lesson.order, lesson.id))
    return {lesson.id: lesson for lesson in ordered}


# -- languages ---------------------------------------------------------------------------


def pick_lang(query: str | None, accept_language: str | None) -> Lang:
    """``lang`` of the query, else the first of Accept-Language (by q) we have, else en
    (the rule every sentence of the server follows: ``accepted_language``)."""
    if query in LANGS:
        return query  # type: ignore[return-value]
    return accepted_language(accept_language)


# -- what the API sends ------------------------------------------------------------------


def find(lessons: dict[str, Lesson], lesson_id: str, step: int | None = None) -> Lesson:
    lesson = lessons.get(lesson_id)
    if lesson is None:
        raise LessonNotFound("lesson.unknown", lesson=lesson_id[:64])
    if step is not None and not 1 <= step <= len(lesson.steps):
        count = len(lesson.steps)
        raise LessonNotFound("lesson.no_such_step", lesson=lesson_id, count=count, step=step)
    return lesson


def summary(lesson: Lesson, lang: str) -> dict[str, Any]:
    return {
        "id": lesson.id,
        "title": lesson.title[lang],
        "summary": lesson.summary[lang],
        "steps": len(lesson.steps),
    }


def in_language(lesson: Lesson, lang: str) -> dict[str, Any]:
    return {
        "id": lesson.id,
        "lang": lang,
        "title": lesson.title[lang],
        "summary": lesson.summary[lang],
        "steps": [
            {
                "number": n,
                "text": s.text[lang],
                "hints": list(s.hints[lang]),
                "questions": list(s.questions[lang]),
                "config": s.config,
                "view": s.view,
                "lock": list(s.lock),
                "epochs": s.epochs,
                "check": [
                    {"kind": c.kind, "value": c.value, "text": c.text(lang)} for c in s.check
                ],
                "claim": s.claim,
            }
            for n, s in enumerate(lesson.steps, start=1)
        ],
    }


def evaluate(step: Step, trainer: Trainer, lang: str = DEFAULT_LANG) -> dict[str, Any]:
    """The step's check on a session's trainer: each condition with what was measured,
    and whether all hold. A locked setting changed from the step's setup is a condition
    too ("setup"), so that the check holds only for the setup the step is about."""
    conditions = []
    for c in step.check:
        row = CHECKS[c.kind]
        actual = row.actual(trainer)
        if isinstance(actual, float) and not math.isfinite(actual):
            actual = None
        met = actual is not None and bool(row.met(actual, c.value))
        conditions.append(
            {"kind": c.kind, "value": c.value, "actual": actual, "met": met, "text": c.text(lang)}
        )
    if step.lock and step.check:
        current = trainer.config.to_dict()
        changed = [n for n in step.lock if n in step.setup and current[n] != step.setup[n]]
        kept = not changed
        text = SETUP_TEXT[lang]
        conditions.append(
            {"kind": "setup", "value": True, "actual": kept, "met": kept, "text": text}
        )
    return {"met": bool(conditions) and all(c["met"] for c in conditions), "conditions": conditions}


# -- a link to a step's setup ------------------------------------------------------------


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


Entries = list[tuple[str, str]]


def hash_entries(config: dict[str, Any], view: dict[str, bool] | None = None) -> Entries:
    """A config → the page's URL-hash keys and texts (the reference's keys, from the
    table of fields; static/js/state.js reads them back to the same config)."""
    out: list[tuple[str, str]] = []
    for f in FIELDS:
        if f.name not in config:
            continue
        value = config[f.name]
        if f.kind == "choice":
            key = f.url_keys.get(config.get("problem", ""), f.url_key) if f.url_keys else f.url_key
            choice = next(c for c in f.choices if c.name == value)
            out.append((key or f.name, choice.url_value or choice.name))
            out.extend((c.url_flag, str(c.name == value).lower()) for c in f.choices if c.url_flag)
        elif f.kind == "features":
            out.extend((c.url_key or c.name, str(c.name in value).lower()) for c in f.choices)
        elif f.kind == "layers":
            out.append((f.url_key or f.name, ",".join(str(n) for n in value)))
        elif f.kind == "seed":
            out.append((f.url_key or f.name, str(value)))
        else:
            out.append((f.url_key or f.name, _number(value)))
    out.extend((VIEW_KEYS[k], str(v).lower()) for k, v in (view or {}).items())
    return out


def setup_hash(config: dict[str, Any], view: dict[str, bool] | None = None) -> Entries:
    """The hash entries of a setup that differ from the defaults' (the page takes the
    default for a key that is absent), so that a printed QR code stays small."""
    defaults = set(hash_entries(Config().to_dict()))
    return [entry for entry in hash_entries(config, view) if entry not in defaults]


def step_hash(lesson: Lesson, number: int, lang: str) -> str:
    """The hash of a link that opens the lesson at step ``number`` (1-based) with its
    setup: the config in the page's keys, then lesson, step and lang."""
    step = lesson.steps[number - 1]
    entries = [*setup_hash(step.setup, step.view), ("lesson", lesson.id)]
    entries += [("step", str(number)), ("lang", lang)]
    return "&".join(f"{k}={quote(v, safe=',')}" for k, v in entries)


def all_conditions(lessons: Iterable[Lesson]) -> Iterable[tuple[Lesson, int, Step]]:
    """Every step with a check, numbered from 1 (for tests and tools)."""
    for lesson in lessons:
        for n, step in enumerate(lesson.steps, start=1):
            if step.check:
                yield lesson, n, step
