"""A person's own dataset (app/engine/datafile.py): CSV as files and spreadsheet pastes give it,
JSON lists, one rule per value whichever way it comes, and messages that name the row or
point and the column at fault."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine.datafile import (
    EXTENT,
    MAX_CHARS,
    MAX_POINTS,
    MAX_VALUE,
    DataError,
    parse_csv,
    to_csv,
    validate_points,
)

PROBLEMS = ("classification", "multiclass", "regression")


def _error(text: str, problem: str = "classification", classes: int = 3) -> str:
    with pytest.raises(DataError) as caught:
        parse_csv(text, problem, classes)
    return str(caught.value)


def _point_error(points: object, labels: object, problem: str = "classification") -> str:
    with pytest.raises(DataError) as caught:
        validate_points(points, labels, problem, 3)  # type: ignore[arg-type]
    return str(caught.value)


def _same(
    got: tuple[np.ndarray, np.ndarray], points: list[list[float]], labels: list[float]
) -> None:
    p, y = got
    assert p.dtype == np.float64 and y.dtype == np.float64
    assert p.shape == (len(points), 2) and y.shape == (len(labels),)
    assert p.tolist() == points and y.tolist() == labels


def test_limits_are_the_engines() -> None:
    assert (EXTENT, MAX_POINTS, MAX_VALUE) == (6.0, 2000, 10.0)


# -- reading CSV: the shapes files and pastes come in ----------------------------------------
def test_csv_with_a_header() -> None:
    text = "x,y,label\n1.5,-2,1\n-0.25,3e-1,-1\n"
    _same(parse_csv(text, "classification", 2), [[1.5, -2.0], [-0.25, 0.3]], [1.0, -1.0])


def test_csv_without_a_header() -> None:
    _same(parse_csv("1,2,0\n3,4,2", "multiclass", 3), [[1.0, 2.0], [3.0, 4.0]], [0.0, 2.0])


def test_tab_separated_spreadsheet_paste() -> None:
    text = "x\ty\tvalue\n1.5\t-2\t0.75\n0\t0\t-10\n"
    _same(parse_csv(text, "regression", 3), [[1.5, -2.0], [0.0, 0.0]], [0.75, -10.0])


def test_semicolon_separated() -> None:
    _same(parse_csv("x;y;label\n1;2;-1", "classification", 2), [[1.0, 2.0]], [-1.0])


def test_bom_and_windows_line_ends() -> None:
    text = "\ufeffx,y,label\r\n1,2,1\r\n3,4,-1\r\n"
    _same(parse_csv(text, "classification", 2), [[1.0, 2.0], [3.0, 4.0]], [1.0, -1.0])


def test_header_spelling_case_spaces_and_quotes() -> None:
    for header in (" X , Y , Label ", '"x","y","label"', "x,y,VALUE"):
        _same(parse_csv(f"{header}\n1,2,1", "classification", 2), [[1.0, 2.0]], [1.0])
    _same(parse_csv("x,y,label\n1,2,0.5", "regression", 3), [[1.0, 2.0]], [0.5])


def test_quoted_cells_and_spaces_around_them() -> None:
    _same(parse_csv('"1.5", "-2" ,"1"\n', "classification", 2), [[1.5, -2.0]], [1.0])


def test_blank_lines_are_skipped_but_counted() -> None:
    text = "\n x,y,label\n\n1,2,1\n   \n,,\n1,9,1\n"
    assert _error(text) == "Row 7, column y: 9 is not between -6 and 6."
    _same(parse_csv(text.replace("1,9,1", "1,5,1"), "classification", 2),
          [[1.0, 2.0], [1.0, 5.0]], [1.0, 1.0])  # fmt: skip


def test_old_mac_line_ends() -> None:
    _same(parse_csv("x,y,label\r1,2,1\r", "classification", 2), [[1.0, 2.0]], [1.0])


# -- reading CSV: every rule and the sentence that reports it -------------------------------
@pytest.mark.parametrize(
    ("problem", "cell", "label"),
    [
        ("classification", "1", 1.0),
        ("classification", "-1", -1.0),
        ("classification", "1.0", 1.0),
        ("classification", "+1", 1.0),
        ("classification", "-1.00", -1.0),
        ("multiclass", "0", 0.0),
        ("multiclass", "2", 2.0),
        ("multiclass", "2.0", 2.0),
        ("regression", "-10", -10.0),
        ("regression", "10", 10.0),
        ("regression", "1e-3", 0.001),
        ("regression", ".5", 0.5),
    ],
)
def test_allowed_labels(problem: str, cell: str, label: float) -> None:
    assert parse_csv(f"0,0,{cell}", problem, 3)[1].tolist() == [label]


@pytest.mark.parametrize(
    ("problem", "cell", "message"),
    [
        ("classification", "0", "Row 2, column label: 0 is not a class (1 or -1)."),
        ("classification", "2", "Row 2, column label: 2 is not a class (1 or -1)."),
        ("classification", "0.5", "Row 2, column label: 0.5 is not a class (1 or -1)."),
        ("multiclass", "3", "Row 2, column label: 3 is not a class (0, 1 or 2)."),
        ("multiclass", "-1", "Row 2, column label: -1 is not a class (0, 1 or 2)."),
        ("multiclass", "1.5", "Row 2, column label: 1.5 is not a class (0, 1 or 2)."),
        ("regression", "10.5", "Row 2, column value: 10.5 is not between -10 and 10."),
        ("regression", "1e999", "Row 2, column value: 1e999 is not between -10 and 10."),
    ],
)
def test_refused_labels(problem: str, cell: str, message: str) -> None:
    header = "x,y,value" if problem == "regression" else "x,y,label"
    assert _error(f"{header}\n0,0,{cell}", problem) == message


def test_class_list_follows_the_number_of_classes() -> None:
    assert parse_csv("0,0,4", "multiclass", 5)[1].tolist() == [4.0]
    assert _error("0,0,5", "multiclass", 5) == (
        "Row 1, column label: 5 is not a class (0, 1, 2, 3 or 4)."
    )


def test_coordinates_in_the_square() -> None:
    _same(parse_csv("-6,6,1\n6.0,-6.0,1", "classification", 2),
          [[-6.0, 6.0], [6.0, -6.0]], [1.0, 1.0])  # fmt: skip
    assert _error("x,y,label\n1,2,1\n6.01,0,1") == "Row 3, column x: 6.01 is not between -6 and 6."
    assert _error("x,y,label\n0,-7,1") == "Row 2, column y: -7 is not between -6 and 6."


@pytest.mark.parametrize("cell", ["abc", "nan", "inf", "-Infinity", "1_0", "0x1", "1e", "--1", "½"])
def test_not_numbers(cell: str) -> None:
    text = "x,y,label\n" + "1,2,1\n" * 10 + f"{cell},0,1\n"
    assert _error(text) == f'Row 12, column x: "{cell}" is not a number.'


def test_decimal_comma_gets_a_hint() -> None:
    assert _error("x;y;label\n1,5;0;1") == (
        'Row 2, column x: "1,5" is not a number; write decimals with a point, like 1.5.'
    )


def test_empty_cell() -> None:
    assert _error("x,y,label\n1,,1") == "Row 2, column y: the cell is empty."


def test_wrong_number_of_columns() -> None:
    assert _error("x,y,label\n1,2,1\n1,2") == "Row 3: expected 3 columns (x, y, label), found 2."
    assert _error("1,2,1,") == "Row 1: expected 3 columns (x, y, label), found 4."
    assert _error("x,y,value\n1,2", "regression") == (
        "Row 2: expected 3 columns (x, y, value), found 2."
    )


def test_column_names_follow_the_header() -> None:
    assert _error("x,y,value\n0,0,5") == "Row 2, column value: 5 is not a class (1 or -1)."
    assert _error("0,0,11", "regression") == "Row 1, column value: 11 is not between -10 and 10."


def test_a_wrong_header_names_the_expected_one() -> None:
    assert _error("a,b,c\n1,2,1") == (
        'Row 1: the header must be x,y,label (or no header at all), found "a,b,c".'
    )
    assert _error("\nlabel,x,y\n1,2,1", "regression") == (
        'Row 2: the header must be x,y,value (or no header at all), found "label,x,y".'
    )
    assert _error("x,y\n1,2,1") == (
        'Row 1: the header must be x,y,label (or no header at all), found "x,y".'
    )


def test_long_cells_are_cut_short_in_messages() -> None:
    assert _error("x,y,label\n1," + "a" * 1000 + ",1") == (
        f'Row 2, column y: "{"a" * 39}…" is not a number.'
    )
    assert _error("x,y,z" * 100 + "\n1,2,1") == (
        f'Row 1: the header must be x,y,label (or no header at all), found "{("x,y,z" * 8)[:39]}…".'
    )


def test_a_first_row_with_a_number_is_data() -> None:
    assert _error("1,abc,1\n") == 'Row 1, column y: "abc" is not a number.'


def test_the_first_error_is_reported() -> None:
    assert _error("x,y,label\n0,0,1\n9,0,1\n0,9,1\n0,0,5") == (
        "Row 3, column x: 9 is not between -6 and 6."
    )


@pytest.mark.parametrize("text", ["", "\n\n", "\ufeff", "x,y,label\n", "x,y,label\r\n\r\n,,\n"])
def test_no_data_rows(text: str) -> None:
    assert _error(text) == (
        "The file has no data rows: add lines like 1.5,-2,1 under the header x,y,label."
    )


def test_no_data_rows_for_regression() -> None:
    assert _error("", "regression") == (
        "The file has no data rows: add lines like 1.5,-2,0.7 under the header x,y,value."
    )


def test_at_most_2000_rows() -> None:
    rows = "x,y,label\n" + "0.5,-0.5,1\n" * MAX_POINTS
    assert parse_csv(rows, "classification", 2)[0].shape == (2000, 2)
    assert _error(rows + "0,0,1\n" * 345) == (
        "The file has 2,345 data rows; at most 2,000 points are allowed."
    )


def test_at_most_200000_characters() -> None:
    text = "x,y,label\n1,2,1\n"
    text += " " * (MAX_CHARS - len(text))
    assert parse_csv(text, "classification", 2)[1].tolist() == [1.0]
    assert _error(text + "\n") == "The file has 200,001 characters; at most 200,000 are allowed."


def test_a_bad_problem_is_the_callers_bug_not_the_files() -> None:
    with pytest.raises(ValueError, match="unknown problem") as caught:
        parse_csv("1,2,1", "clustering", 2)
    assert not isinstance(caught.value, DataError)
    with pytest.raises(ValueError, match="2 or more classes"):
        validate_points([], [], "multiclass", 1)


# -- JSON lists -------------------------------------------------------------------------------
def test_points_as_arrays() -> None:
    _same(validate_points([[1.5, -2], (0, 6)], [2, 0.0], "multiclass", 3),
          [[1.5, -2.0], [0.0, 6.0]], [2.0, 0.0])  # fmt: skip


def test_no_points_clears() -> None:
    points, labels = validate_points([], [], "regression", 3)
    assert points.shape == (0, 2) and labels.shape == (0,)
    assert points.dtype == labels.dtype == np.float64


@pytest.mark.parametrize(
    ("points", "labels", "problem", "message"),
    [
        ([[0, 0]] * 20, [1] * 19, "classification", "There are 20 points but 19 labels."),
        ([[0, 0]] * 2001, [1] * 2001, "classification",
         "There are 2,001 points; at most 2,000 are allowed."),
        ([[0, 0]] * 6 + [[1, 9.5]], [1] * 7, "classification",
         "Point 7: y must be between -6 and 6, got 9.5."),
        ([[-6.5, 0]], [1], "classification", "Point 1: x must be between -6 and 6, got -6.5."),
        ([[float("nan"), 0]], [1], "classification",
         "Point 1: x must be between -6 and 6, got nan."),
        ([[0, float("inf")]], [1], "regression", "Point 1: y must be between -6 and 6, got inf."),
        ([[0, 0], [0, 0]], [1, 0], "classification",
         "Point 2: label must be a class (1 or -1), got 0."),
        ([[0, 0]], [3.0], "multiclass", "Point 1: label must be a class (0, 1 or 2), got 3."),
        ([[0, 0]], [0.5], "multiclass", "Point 1: label must be a class (0, 1 or 2), got 0.5."),
        ([[0, 0]], [-10.25], "regression",
         "Point 1: label must be between -10 and 10, got -10.25."),
        ([[0, 0]], [float("nan")], "regression",
         "Point 1: label must be between -10 and 10, got nan."),
        ([[0, 0], [0, 0, 0]], [1, 1], "classification",
         "Point 2: expected 2 coordinates [x, y], got [0, 0, 0]."),
        ([[0, 0], 5], [1, 1], "classification", "Point 2: expected 2 coordinates [x, y], got 5."),
        ([["1", 0]], [1], "classification", "Point 1: x must be a number, got '1'."),
        ([[0, None]], [1], "classification", "Point 1: y must be a number, got None."),
        ([[0, 0]], [True], "classification", "Point 1: label must be a number, got True."),
        ("abc", [1], "classification", "The points and the labels must each be a list."),
        ([[0, 0]], {"a": 1}, "classification", "The points and the labels must each be a list."),
    ],
)  # fmt: skip
def test_refused_points(points: object, labels: object, problem: str, message: str) -> None:
    assert _point_error(points, labels, problem) == message


def test_the_same_rules_for_csv_and_json() -> None:
    """For every problem and a spread of values, a CSV row and a JSON point are refused for
    the same x, y and label values."""
    values = [-11, -10, -7, -6.5, -6, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 4, 6, 6.01, 10, 12]
    for problem in PROBLEMS:
        for v in values:
            for point, label in (([v, 0], 1), ([0, v], 1), ([0, 0], v)):
                try:
                    validate_points([point], [label], problem, 4)
                    json_ok = True
                except DataError:
                    json_ok = False
                try:
                    parse_csv(f"{point[0]},{point[1]},{label}", problem, 4)
                    csv_ok = True
                except DataError:
                    csv_ok = False
                assert json_ok == csv_ok, (problem, point, label)


# -- writing CSV ------------------------------------------------------------------------------
def test_to_csv_text() -> None:
    points = np.array([[1.5, -2.0], [0.1, 1e-7]])
    assert to_csv(points, np.array([1.0, -1.0]), "classification") == (
        "x,y,label\n1.5,-2.0,1\n0.1,1e-07,-1\n"
    )
    assert to_csv(points, np.array([0.0, 2.0]), "multiclass") == (
        "x,y,label\n1.5,-2.0,0\n0.1,1e-07,2\n"
    )
    assert to_csv(points, np.array([0.3, -10.0]), "regression") == (
        "x,y,value\n1.5,-2.0,0.3\n0.1,1e-07,-10.0\n"
    )
    assert to_csv(np.empty((0, 2)), np.empty(0), "regression") == "x,y,value\n"


def _random_dataset(seed: int, problem: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    points = rng.uniform(-EXTENT, EXTENT, size=(n, 2))
    points[:4] = np.array([[-6, 6], [6, -6], [0, -0.0], [1e-300, -5e-324]])  # the edges
    if problem == "classification":
        labels = rng.choice([-1.0, 1.0], size=n)
    elif problem == "multiclass":
        labels = rng.integers(0, 5, size=n).astype(float)
    else:
        labels = rng.uniform(-MAX_VALUE, MAX_VALUE, size=n)
    return points, labels


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_csv_round_trip_is_exact(problem: str, seed: int) -> None:
    points, labels = _random_dataset(seed, problem, (4, 1000, MAX_POINTS)[seed])
    back_points, back_labels = parse_csv(to_csv(points, labels, problem), problem, 5)
    assert np.array_equal(back_points, points) and np.array_equal(back_labels, labels)
    assert back_points.tobytes() == points.tobytes()  # bit for bit, even -0.0
    again = validate_points(points.tolist(), labels.tolist(), problem, 5)
    assert np.array_equal(again[0], points) and np.array_equal(again[1], labels)


def test_the_longest_csv_of_2000_points_can_be_read_back() -> None:
    points = np.full((MAX_POINTS, 2), -1.2345678901234567e-05)
    labels = np.full(MAX_POINTS, -1.2345678901234567e-05)
    text = to_csv(points, labels, "regression")
    assert len(text) < MAX_CHARS
    assert parse_csv(text, "regression", 3)[0].shape == (MAX_POINTS, 2)
