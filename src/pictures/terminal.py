"""The decision regions of a 2-D classifier as plain ASCII text, for the terminal.

``terminal_map`` prints one character per cell, the symbol of the class
predicted at the cell's centre. Two things make such a map truthful:

- Cells are round steps of the inputs (1, 2.5 or 5 times a power of ten
  wide) counted from 0, so round numbers, where problems put their
  boundaries (checkerboard's integers, quadrant's axes, xor's 0.5), fall on
  cell edges and never on the centres that are sampled.
- A terminal character is about twice as tall as it is wide, so a cell is
  twice as tall (in input units) as it is wide: a circle looks round.
  Where that would make the map taller than ``max_height`` rows (or shorter
  than ``min_height``), the rows get their own round step and the legend
  says the map is stretched.
"""

import math

import numpy as np

from src.pictures.figures import check_domain, format_number, scores_of

TERMINAL_SYMBOLS = "#.ox+*=@"
CHARACTER_ASPECT = 2.0  # a character cell's height over its width


def _round_step_at_least(value, mantissas=(1.0, 2.5, 5.0)):
    """The smallest ``m * 10**k`` (m in ``mantissas``) that is >= ``value`` > 0."""
    power = 10.0 ** math.floor(math.log10(value))
    for scale in (power, 10 * power):
        for m in mantissas:
            if m * scale >= value * (1 - 1e-12):
                return m * scale
    return 10 * power  # pragma: no cover


def _cells(low, high, step):
    """Edges from the multiple of ``step`` at or below ``low`` to the one at or above ``high``."""
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return first * step, max(last - first, 1)


def map_grid(low, high, width=64, max_height=30, min_height=6):
    """The cells of a terminal map: ``(x0, dx, columns, y0, dy, rows, aspect_correct)``.

    Columns are ``dx`` wide from ``x0``, at most ``width`` of them; rows ``dy``
    tall from ``y0``, with ``dy = 2 dx`` when that gives between
    ``min_height`` and ``max_height`` rows.
    """
    low, high = check_domain(low, high, 2)
    dx = _round_step_at_least((high[0] - low[0]) / width)
    x0, columns = _cells(low[0], high[0], dx)
    dy = CHARACTER_ASPECT * dx
    y0, rows = _cells(low[1], high[1], dy)
    aspect_correct = min_height <= rows <= max_height
    if not aspect_correct:
        target = max_height if rows > max_height else min_height
        dy = _round_step_at_least((high[1] - low[1]) / target, (1.0, 2.0, 2.5, 5.0))
        y0, rows = _cells(low[1], high[1], dy)
    return x0, dx, columns, y0, dy, rows, aspect_correct


def terminal_map(predict, low, high, width=64, max_height=30, symbols=None, class_names=None,
                 axis_names=("x", "y")):
    """The decision regions of a 2-D classifier over [low, high] as ASCII text.

    The top line of the map is the highest y. The frame carries the y range
    on the left and the x range below; a legend line names the classes
    (``class_names``, or 'class 0', 'class 1', ...) with their symbols
    (``symbols[k]`` for class k; by default '#', '.', 'o', 'x', ...).
    """
    x0, dx, columns, y0, dy, rows, aspect_correct = map_grid(low, high, width, max_height)
    xs = x0 + (np.arange(columns) + 0.5) * dx
    ys = (y0 + (np.arange(rows) + 0.5) * dy)[::-1]
    grid_x, grid_y = np.meshgrid(xs, ys)
    scores = scores_of(predict, np.column_stack([grid_x.ravel(), grid_y.ravel()]))
    classes = np.argmax(scores, axis=1).reshape(rows, columns)
    n_classes = max(scores.shape[1], len(class_names) if class_names is not None else 0)
    symbols = TERMINAL_SYMBOLS if symbols is None else symbols
    symbols = [str(symbol) for symbol in symbols]
    if len(symbols) < n_classes or any(len(symbol) != 1 for symbol in symbols):
        raise ValueError(f"need one single-character symbol per class ({n_classes}), "
                         f"got {symbols!r}")
    names = (list(class_names) if class_names is not None
             else [f"class {index}" for index in range(n_classes)])

    top_label, bottom_label = format_number(y0 + rows * dy), format_number(y0)
    gutter = max(len(top_label), len(bottom_label), len(axis_names[1])) + 1
    border = " " * gutter + "+" + "-" * columns + "+"
    lines = [border]
    for row in range(rows):
        label = top_label if row == 0 else bottom_label if row == rows - 1 else ""
        if rows > 2 and row == rows // 2:
            label = axis_names[1]
        cells = "".join(symbols[c] for c in classes[row])
        lines.append(label.rjust(gutter - 1) + " |" + cells + "|")
    lines.append(border)
    left_label, right_label = format_number(x0), format_number(x0 + columns * dx)
    middle = axis_names[0].center(max(columns + 2 - len(left_label) - len(right_label), 1))
    lines.append(" " * gutter + left_label + middle + right_label)
    legend = "   ".join(f"{symbols[index]} {name}" for index, name in enumerate(names))
    cell = f"one character: {format_number(dx)} x {format_number(dy)}"
    lines.append(" " * gutter + legend + "   (" + cell
                 + ("" if aspect_correct else ", stretched") + ")")
    return "\n".join(lines)
