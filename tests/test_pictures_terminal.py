"""Tests of the terminal maps and of the confusion matrix's headers."""

import re

import numpy as np
import pytest

from src.evaluation import report
from src.pictures.terminal import map_grid, terminal_map


def rows_of(text):
    return [line.split("|")[1] for line in text.splitlines() if line.count("|") == 2]


def runs(row):
    """Lengths of the runs of equal characters in ``row``."""
    edges = [0] + [i for i in range(1, len(row)) if row[i] != row[i - 1]] + [len(row)]
    return [b - a for a, b in zip(edges, edges[1:])]


def right_is_class_0(inputs):
    right = inputs[:, 0] > 0.5
    return np.column_stack([right, ~right]).astype(float)


def checkerboard_rule(inputs):
    black = (np.floor(inputs[:, 0]) + np.floor(inputs[:, 1])) % 2 == 0
    return np.column_stack([black, ~black]).astype(float)


def quadrant_rule(inputs):
    x, y = inputs[:, 0], inputs[:, 1]
    return np.column_stack([(x > 0) & (y > 0), (x < 0) & (y > 0),
                            (x < 0) & (y < 0), (x > 0) & (y < 0)]).astype(float)


def test_terminal_map_has_the_right_symbols_on_each_side():
    text = terminal_map(right_is_class_0, (0, -1), (1, 1), width=20, class_names=("right", "left"))
    rows = rows_of(text)
    assert all(row == "." * 10 + "#" * 10 for row in rows)
    assert "# right" in text and ". left" in text
    assert text.isascii()


def test_checkerboard_rows_never_sit_on_a_boundary():
    """Rows sampled at y = 1 and 3 showed the wrong colour for a perfect model."""
    for width in (20, 40, 50, 64, 80):
        rows = rows_of(terminal_map(checkerboard_rule, (0, 0), (4, 4), width=width))
        assert all(runs(row) == [len(row) // 4] * 4 for row in rows), width
        bands = runs(["".join(row) for row in rows])
        assert len(bands) == 4 and len(set(bands)) == 1, (width, bands)


def test_quadrant_axes_fall_between_cells():
    rows = rows_of(terminal_map(quadrant_rule, (-5, -5), (5, 5), width=64))
    assert len(rows) % 2 == 0 and len(rows[0]) % 2 == 0
    half, middle = len(rows) // 2, len(rows[0]) // 2
    assert all(set(row[:middle]) == {"."} and set(row[middle:]) == {"#"} for row in rows[:half])
    assert all(set(row[:middle]) == {"o"} and set(row[middle:]) == {"x"} for row in rows[half:])


def test_a_circle_looks_round():
    """Characters are twice as tall as wide, so a cell is twice as tall as wide in input units."""
    def disc(inputs):
        inside = np.hypot(inputs[:, 0], inputs[:, 1]) < 0.8
        return np.column_stack([inside, ~inside]).astype(float)

    rows = rows_of(terminal_map(disc, (-1, -1), (1, 1), width=64))
    across = max(row.count("#") for row in rows)
    down = sum("#" in row for row in rows)
    assert 1.8 <= across / down <= 2.2, (across, down)
    x0, dx, columns, y0, dy, n_rows, aspect_correct = map_grid((-1, -1), (1, 1), 64)
    assert aspect_correct and dy == 2 * dx and columns <= 64
    _, dx, columns, _, dy, rows, _ = map_grid((0, 0), (4, 4), 64)  # the README's example
    assert (dx, dy, columns, rows) == (0.1, 0.2, 40, 20)


def test_a_very_tall_domain_is_stretched_and_says_so():
    text = terminal_map(right_is_class_0, (0, 0), (1, 100), width=40, max_height=20)
    assert len(rows_of(text)) <= 20 and "stretched" in text


def test_terminal_map_custom_symbols_and_top_row_is_high_y():
    def upper(inputs):
        return np.column_stack([inputs[:, 1] > 0, inputs[:, 1] <= 0]).astype(float)

    text = terminal_map(upper, (0, 0), (1, 2), width=8, symbols="AB")
    rows = rows_of(text)
    assert set(rows[0]) == {"A"}
    with pytest.raises(ValueError):
        terminal_map(upper, (0, 0), (1, 2), width=8, symbols="A")


def test_confusion_matrix_headers_show_every_class_name_in_full():
    """Names cut to nine characters read 'quadrant quadrant quadrant'."""
    names = ["quadrant 1", "quadrant 2", "quadrant 3", "quadrant 4"]
    matrix = np.diag([1250, 1250, 1250, 1249]) + np.eye(4, k=1, dtype=int)
    lines = report("fresh samples", matrix, names).splitlines()
    header = lines[2]
    assert [name for name in names if name in header] == names
    columns = [header.index(name) + len(name) for name in names]  # right edges of the headers
    for line, name in zip(lines[3:7], names):
        assert line.strip().startswith("true " + name)
        start = line.index(name) + len(name)
        ends = [start + match.end() for match in re.finditer(r"[0-9,]+", line[start:])]
        assert ends == columns, (line, header)
