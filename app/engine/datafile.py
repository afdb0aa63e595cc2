"""A person's own dataset: CSV text (a file, or cells pasted from a spreadsheet) or JSON
lists, checked point by point, and written back as CSV.

Every point is (x, y) with both coordinates in [-EXTENT, EXTENT] and one label: 1 or -1
for classification, a class 0 … classes-1 for multi-class, a value with |v| ≤ MAX_VALUE
for regression. A dataset has at most MAX_POINTS points. Each rule is written once
(``_RULES`` and the ``_*_fault`` functions) and reported in two places: a CSV row and
column ("Row 4, column label: 7 is not a class (0, 1 or 2).") or a point of a JSON list
("Point 7: y must be between -6 and 6, got 9.5."). A bad input raises DataError, whose
message is one sentence a teacher can act on; the first fault found is the one reported.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Callable, Sequence
from numbers import Real

import numpy as np

from .config import GRID_EXTENT as EXTENT
from .config import MAX_POINTS, MAX_VALUE, PROBLEMS, ConfigError
from .messages import Message

__all__ = [
    "EXTENT",
    "MAX_CHARS",
    "MAX_POINTS",
    "MAX_VALUE",
    "DataError",
    "parse_csv",
    "to_csv",
    "validate_points",
]

MAX_CHARS = 200_000  # characters of CSV text; to_csv of MAX_POINTS points stays below
SEPARATORS = ("\t", ";", ",")  # the first one found in the first row is the separator
LABEL_NAMES = ("label", "value")  # either spelling is accepted in a header
# A plain decimal number, as a person types it: no nan, inf, 1_000 or hexadecimal.
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
DECIMAL_COMMA = re.compile(r"[+-]?[0-9]*,[0-9]+")  # 1,5: gets a hint
LISTS = (list, tuple, np.ndarray)  # what validate_points takes as a list


class DataError(ConfigError):
    """A dataset a person gave cannot be used; the message says where and why. A
    ConfigError (so a ValueError): routes answer it with 422 as any bad setting."""


# -- the rules, each once: None when the value is allowed, else what is allowed ------------
def _within(v: float, limit: float) -> Message | None:
    if -limit <= v <= limit:
        return None
    return Message("data.between", {"low": _show(-limit), "high": _show(limit)})


def _coordinate_fault(v: float) -> Message | None:
    return _within(v, EXTENT)


def _value_fault(v: float, classes: int) -> Message | None:
    return _within(v, MAX_VALUE)


def _binary_fault(v: float, classes: int) -> Message | None:
    return None if v in (1.0, -1.0) else Message("data.binary_class")


def _class_fault(v: float, classes: int) -> Message | None:
    if math.isfinite(v) and v.is_integer() and 0 <= v < classes:
        return None
    return Message("data.class_of", {"classes": _either(range(classes))})


_RULES: dict[str, Callable[[float, int], Message | None]] = {
    "classification": _binary_fault,
    "multiclass": _class_fault,
    "regression": _value_fault,
}


# -- CSV ---------------------------------------------------------------------------------
def parse_csv(text: str, problem: str, classes: int) -> tuple[np.ndarray, np.ndarray]:
    """The points (n, 2) and labels (n,) of CSV ``text``, both float64.

    Cells are separated by tabs, semicolons or commas (whichever the first row has, in
    that order); a header ``x,y,label`` (or ``x,y,value``) is optional (a first row with
    no number in it is taken for a header and must be one); blank lines, a
    UTF-8 byte-order mark, Windows line ends and quotes around a cell are fine. Rows are
    numbered as a person sees the file: its first line is row 1.
    """
    label_fault = _rule(problem, classes)
    if len(text) > MAX_CHARS:
        raise DataError("data.too_many_characters", count=len(text), most=MAX_CHARS)
    rows = _rows(text)
    columns: tuple[str, ...] = ("x", "y", "value" if problem == "regression" else "label")
    if rows and not any(NUMBER.fullmatch(cell) for cell in rows[0][1]):
        number, header = rows.pop(0)
        columns = _header(number, header, columns)
    if not rows:
        example = "1.5,-2,0.7" if problem == "regression" else "1.5,-2,1"
        raise DataError("data.no_rows", example=example, header=",".join(columns))
    if len(rows) > MAX_POINTS:
        raise DataError("data.too_many_rows", count=len(rows), most=MAX_POINTS)
    values = np.empty((len(rows), 3))
    for i, (number, cells) in enumerate(rows):
        if len(cells) != 3:
            raise DataError(
                "data.row_columns", row=number, columns=", ".join(columns), count=len(cells)
            )
        for j, (cell, column) in enumerate(zip(cells, columns, strict=True)):
            v = _number(cell, number, column)
            values[i, j] = v
            fault = _coordinate_fault(v) if j < 2 else label_fault(v, classes)
            if fault is not None:
                raise DataError(
                    "data.cell_fault", row=number, column=column, cell=cell, fault=fault
                )
    return values[:, :2].copy(), values[:, 2].copy()


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """The non-blank rows of ``text`` as (row number, cells), each cell stripped of
    spaces and of quotes around it. A row of empty cells counts as blank."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next((line for line in lines if line.strip()), "")
    separator = next((s for s in SEPARATORS if s in first), ",")
    rows = []
    for number, line in enumerate(lines, start=1):
        cells = [_unquote(cell) for cell in line.split(separator)]
        if any(cells):
            rows.append((number, cells))
    return rows


def _unquote(cell: str) -> str:
    cell = cell.strip()
    if len(cell) >= 2 and cell[0] == cell[-1] == '"':
        cell = cell[1:-1].strip()
    return cell


def _header(number: int, cells: list[str], columns: tuple[str, ...]) -> tuple[str, ...]:
    """The column names of a header row (its third spelled label or value)."""
    names = tuple(cell.lower() for cell in cells)
    if len(names) == 3 and names[:2] == ("x", "y") and names[2] in LABEL_NAMES:
        return names
    raise DataError(
        "data.bad_header", row=number, header=",".join(columns), found=_clip(",".join(cells))
    )


def _number(cell: str, row: int, column: str) -> float:
    if not cell:
        raise DataError("data.empty_cell", row=row, column=column)
    if NUMBER.fullmatch(cell):
        return float(cell)
    if DECIMAL_COMMA.fullmatch(cell):
        raise DataError("data.decimal_comma", row=row, column=column, cell=_clip(cell))
    raise DataError("data.not_number", row=row, column=column, cell=_clip(cell))


# -- JSON lists --------------------------------------------------------------------------
def validate_points(
    points: Sequence[Sequence[float]], labels: Sequence[float], problem: str, classes: int
) -> tuple[np.ndarray, np.ndarray]:
    """The points (n, 2) and labels (n,) as float64 arrays, checked by the same rules as
    parse_csv. Points are numbered from 1 in messages ("Point 1" is points[0]); empty
    lists are allowed (a cleared dataset)."""
    label_fault = _rule(problem, classes)
    if not isinstance(points, LISTS) or not isinstance(labels, LISTS):
        raise DataError("data.not_lists")
    if len(points) != len(labels):
        raise DataError("data.count_mismatch", points=len(points), labels=len(labels))
    if len(points) > MAX_POINTS:
        raise DataError("data.too_many_points", count=len(points), most=MAX_POINTS)
    values = np.empty((len(points), 3))
    for i, (point, label) in enumerate(zip(points, labels, strict=True)):
        if not isinstance(point, LISTS) or len(point) != 2:
            raise DataError("data.point_not_pair", point=i + 1, value=_brief(point))
        for j, (v, column) in enumerate(zip((*point, label), ("x", "y", "label"), strict=True)):
            if isinstance(v, bool) or not isinstance(v, Real):
                raise DataError(
                    "data.point_not_number", point=i + 1, column=column, value=_brief(v)
                )
            v = float(v)
            values[i, j] = v
            fault = _coordinate_fault(v) if j < 2 else label_fault(v, classes)
            if fault is not None:
                raise DataError(
                    "data.point_fault", point=i + 1, column=column, fault=fault, value=_show(v)
                )
    return values[:, :2].copy(), values[:, 2].copy()


# -- writing -----------------------------------------------------------------------------
def to_csv(points: np.ndarray, labels: np.ndarray, problem: str) -> str:
    """CSV text with a header, one row per point, that parse_csv reads back exactly:
    coordinates (and regression values) as the shortest text that round-trips, class
    labels as whole numbers."""
    regression = problem == "regression"
    lines = ["x,y,value" if regression else "x,y,label"]
    for (x, y), label in zip(np.asarray(points).tolist(), np.asarray(labels).tolist(), strict=True):
        text = repr(float(label)) if regression else str(int(label))
        lines.append(f"{float(x)!r},{float(y)!r},{text}")
    return "\n".join(lines) + "\n"


# -- helpers -----------------------------------------------------------------------------
def _rule(problem: str, classes: int) -> Callable[[float, int], Message | None]:
    """The label rule of ``problem``; a bad problem or class count is the caller's bug."""
    if problem not in PROBLEMS:
        raise ValueError(f"unknown problem {problem!r}")
    if problem == "multiclass" and classes < 2:
        raise ValueError(f"a multi-class problem needs 2 or more classes, got {classes}")
    return _RULES[problem]


def _show(v: float) -> str:
    """A number as a person writes it: 7 rather than 7.0, all digits otherwise."""
    return str(int(v)) if math.isfinite(v) and v.is_integer() else repr(v)


def _clip(text: str, most: int = 40) -> str:
    """Text of a file as a message quotes it: cut short when long."""
    return text if len(text) <= most else text[: most - 1] + "…"


def _brief(value: object) -> str:
    """A value of a JSON list as Python shows it, cut short when long."""
    return reprlib.repr(value)


def _either(items: Sequence[int]) -> str | Message:
    """'0, 1 or 2'."""
    words = [str(i) for i in items]
    if len(words) == 1:
        return words[0]
    return Message("words.or", {"first": ", ".join(words[:-1]), "last": words[-1]})
