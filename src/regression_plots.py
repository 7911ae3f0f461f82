"""Pictures of a regression: predicted against true values, the residuals, the cost curve.

A regression has no decision regions to draw. What shows how good it is:

- predicted against true values, one dot per sample, with the line
  predicted = true; a perfect model puts every dot on it;
- the residuals (predicted - true) against the predicted value, with the zero
  line: noise shows as an even band around 0, a model that has not learned
  the definition as a slope or a curve in the band (against the true value,
  noisy targets would tilt even a perfect model's band);
- the training cost per epoch (``src.plotting.cost_curve_image``).

It draws into ``uint8`` arrays with the helpers of ``src.plotting`` and
``src.png``, like the classifier pictures, and works on arrays only: no
network classes.
"""

import numpy as np

from src.plotting import (AXIS, GRID, OUTLINE, PALETTE, TEXT, WHITE, _draw_polyline, _format_number,
                          _nice_ticks, _stamp, compose, cost_curve_image)
from src.png import LINE_ADVANCE, draw_text, text_size, write_png


def _padded_range(values):
    low, high = float(np.min(values)), float(np.max(values))
    pad = (high - low) * 0.05 or max(abs(low) * 0.05, 1.0)
    return low - pad, high + pad


def scatter_image(xs, ys, size=(320, 300), x_name="x", y_name="y", line=None, max_points=3000):
    """Dots at (xs[i], ys[i]) on framed axes with ticks, uint8 (H, W, 3) with ``size`` = (W, H).

    ``line`` is ``"identity"`` (y = x; both axes then cover the same range) or
    ``"zero"`` (y = 0), drawn under the dots. At
    most ``max_points`` dots, evenly spread over the samples.
    """
    xs, ys = np.asarray(xs, dtype=float).ravel(), np.asarray(ys, dtype=float).ravel()
    if xs.shape != ys.shape or not len(xs) or not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise ValueError("scatter_image needs as many finite xs as ys, at least one")
    width, height = size
    if line == "identity":
        x_range = y_range = _padded_range(np.concatenate([xs, ys]))
    else:
        x_range = _padded_range(xs)
        y_range = _padded_range(np.append(ys, 0.0) if line == "zero" else ys)
    x_ticks = _nice_ticks(*x_range, max_ticks=max(3, width // 60))
    y_ticks = _nice_ticks(*y_range, max_ticks=max(3, height // 40))
    y_labels = [_format_number(tick) for tick in y_ticks]
    left = max(text_size(label)[0] for label in y_labels) + 8
    top, right, bottom = LINE_ADVANCE + 6, width - 8, height - 2 * LINE_ADVANCE - 8
    if right - left < 20 or bottom - top < 20:
        raise ValueError(f"size {size} is too small for a scatter plot")
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[:] = WHITE

    def to_col(x):
        return left + (np.asarray(x) - x_range[0]) / (x_range[1] - x_range[0]) * (right - left)

    def to_row(y):
        return bottom - (np.asarray(y) - y_range[0]) / (y_range[1] - y_range[0]) * (bottom - top)

    for tick, label in zip(y_ticks, y_labels):
        row = int(round(float(to_row(tick))))
        image[row, left:right + 1] = GRID
        image[row, left - 3:left] = AXIS
        draw_text(image, left - 5 - text_size(label)[0], row - 3, label, TEXT)
    for tick in x_ticks:
        col = int(round(float(to_col(tick))))
        image[top:bottom + 1, col] = GRID
        image[bottom + 1:bottom + 4, col] = AXIS
        label = _format_number(tick)
        draw_text(image, col - text_size(label)[0] // 2, bottom + 6, label, TEXT)
    image[top:bottom + 1, left] = AXIS
    image[bottom, left:right + 1] = AXIS
    clip = (left + 1, top, right, bottom - 1)
    if line == "identity":
        ends = np.array(x_range)
        _draw_polyline(image, to_col(ends), to_row(ends), PALETTE[0], clip)
    elif line == "zero":
        _draw_polyline(image, to_col(np.array(x_range)), to_row(np.zeros(2)), PALETTE[0], clip)

    keep = np.linspace(0, len(xs) - 1, min(len(xs), max_points)).round().astype(int)
    cols = np.rint(to_col(xs[keep])).astype(int)
    rows = np.rint(to_row(ys[keep])).astype(int)
    _stamp(image, rows, cols, OUTLINE, 2)
    _stamp(image, rows, cols, PALETTE[1], 1)
    draw_text(image, left, 2, y_name, TEXT)
    draw_text(image, (left + right - text_size(x_name)[0]) // 2, height - LINE_ADVANCE, x_name, TEXT)
    return image


def regression_figure(predictions, targets, name="target", unit="", costs=None, val_costs=None, title=None):
    """The figure: predicted against true, residuals against predicted, and the cost curve if ``costs``.

    ``predictions`` and ``targets`` are (n,) or (n, 1) in the targets' units
    (the first column is drawn if there are more). Returns uint8 (H, W, 3).
    """
    predictions = np.asarray(predictions, dtype=float).reshape(len(predictions), -1)[:, 0]
    targets = np.asarray(targets, dtype=float).reshape(len(targets), -1)[:, 0]
    in_units = f" ({unit})" if unit else ""
    residuals = predictions - targets
    rmse = float(np.sqrt(np.mean(residuals ** 2)))
    panels = [scatter_image(targets, predictions, x_name=f"true {name}{in_units}",
                            y_name=f"predicted {name}{in_units}", line="identity"),
              scatter_image(predictions, residuals, x_name=f"predicted {name}{in_units}",
                            y_name=f"predicted - true{in_units}", line="zero")]
    titles = ["predicted against true", f"residuals (RMSE {rmse:.4g}{' ' + unit if unit else ''})"]
    if costs is not None:
        panels.append(cost_curve_image(costs, size=(320, panels[0].shape[0]), validation=val_costs))
        titles.append("training cost per epoch")
    return compose(panels, titles=titles, title=title)


def save_regression_plot(path, predictions, targets, problem, costs=None, val_costs=None, unit=""):
    """Write ``regression_figure`` for a regression ``problem`` (its name and target name) as a PNG."""
    figure = regression_figure(predictions, targets, name=problem.target_names[0], unit=unit, costs=costs,
                               val_costs=val_costs, title=f"{problem.name}: {len(targets):,} samples")
    write_png(path, figure)
    return figure
