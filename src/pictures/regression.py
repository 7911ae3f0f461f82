"""Pictures of a regression: predicted against true values, the residuals, the cost curve.

A regression has no decision regions to draw. What shows how good it is:

- predicted against true values, one dot per sample, with the line
  predicted = true; a perfect model puts every dot on it;
- the residuals (predicted - true) against the predicted value, with the zero
  line: noise shows as an even band around 0, a model that has not learned
  the definition as a slope or a curve in the band (against the true value,
  noisy targets would tilt even a perfect model's band);
- the training cost per epoch (``figures.cost_figure``).

It works on arrays only (no network classes) and draws with the same canvas,
axes and font as the classifier pictures.
"""

import numpy as np

from src.pictures.canvas import Canvas, polyline, stamp
from src.pictures.colours import DARK_OUTLINE, PALETTE
from src.pictures.figures import (axis_margins, cost_figure, draw_axes, fitting_ticks,
                                  format_number, nice_ticks, stack, titled)
from src.pictures.png import write_png

LINE_COLOUR = np.array(dict(PALETTE)["orange"], dtype=np.uint8)
DOT_COLOUR = np.array(dict(PALETTE)["blue"], dtype=np.uint8)


def _padded_range(values):
    low, high = float(np.min(values)), float(np.max(values))
    pad = (high - low) * 0.05 or max(abs(low) * 0.05, 1.0)
    return low - pad, high + pad


def scatter_figure(xs, ys, size=(320, 300), x_name="x", y_name="y", line=None, max_points=3000, scale=1):
    """Dots at (xs[i], ys[i]) on framed axes with ticks, as a Canvas of ``size`` (W, H) at scale 1.

    ``line`` is ``"identity"`` (y = x; both axes then cover the same range) or
    ``"zero"`` (y = 0), drawn under the dots. At most ``max_points`` dots,
    evenly spread over the samples. The y axis's name stands above the axis,
    the x axis's name below the tick labels.
    """
    xs, ys = np.asarray(xs, dtype=float).ravel(), np.asarray(ys, dtype=float).ravel()
    if xs.shape != ys.shape or not len(xs) or not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise ValueError("a scatter plot needs as many finite xs as ys, at least one")
    canvas = Canvas(size[0] * scale, size[1] * scale, scale)
    if line == "identity":
        x_range = y_range = _padded_range(np.concatenate([xs, ys]))
    else:
        x_range = _padded_range(xs)
        y_range = _padded_range(np.append(ys, 0.0) if line == "zero" else ys)
    line_height = canvas.text_size("Ag")[1]
    top = line_height + canvas.px(8)
    bottom_room = canvas.text_size("0")[1] + canvas.px(11) + line_height
    y_ticks = nice_ticks(*y_range, max_ticks=max(3, (canvas.height - top - bottom_room) // canvas.px(40)))
    y_labels = [format_number(tick) for tick in y_ticks]
    margin_left, margin_bottom = axis_margins(canvas, y_labels, ["0"])
    left = max(margin_left, canvas.text_size(y_name)[0] // 2) + canvas.scale
    right = canvas.width - canvas.px(14)
    bottom = canvas.height - margin_bottom - canvas.px(5) - line_height - canvas.scale
    if right - left < canvas.px(40) or bottom - top < canvas.px(40):
        raise ValueError(f"size {size} is too small for a scatter plot")
    box = (left, top, right - left, bottom - top)
    x_ticks = fitting_ticks(canvas, *x_range, box[2])

    def x_of(value):
        return left + (np.asarray(value, dtype=float) - x_range[0]) / (x_range[1] - x_range[0]) * (box[2] - 1)

    def y_of(value):
        return top + (y_range[1] - np.asarray(value, dtype=float)) / (y_range[1] - y_range[0]) * (box[3] - 1)

    draw_axes(canvas, box, x_ticks, [format_number(t) for t in x_ticks], x_of, y_ticks, y_labels, y_of,
              grid=True)
    clip = (left, top, left + box[2] - 1, top + box[3] - 1)
    ends = np.array(x_range)
    if line == "identity":
        polyline(canvas.pixels, x_of(ends), y_of(ends), LINE_COLOUR, clip, thickness=2 * scale)
    elif line == "zero":
        polyline(canvas.pixels, x_of(ends), y_of(np.zeros(2)), LINE_COLOUR, clip, thickness=2 * scale)
    keep = np.linspace(0, len(xs) - 1, min(len(xs), max_points)).round().astype(int)
    cols = np.rint(x_of(xs[keep])).astype(int)
    rows = np.rint(y_of(ys[keep])).astype(int)
    stamp(canvas.pixels, rows, cols, DARK_OUTLINE, 2 * scale)
    stamp(canvas.pixels, rows, cols, DOT_COLOUR, scale)
    canvas.text(left, 0, y_name, align="centre")
    canvas.text(left + box[2] // 2, bottom + margin_bottom + canvas.px(5), x_name, align="centre")
    return canvas


def regression_figure(predictions, targets, name="target", unit="", costs=None, val_costs=None, title=None,
                      subtitle=None, scale=1):
    """Predicted against true, residuals against predicted, and the cost curve if ``costs``: a Canvas.

    ``predictions`` and ``targets`` are (n,) or (n, 1) in the targets' units
    (the first column is drawn if there are more).
    """
    predictions = np.asarray(predictions, dtype=float).reshape(len(predictions), -1)[:, 0]
    targets = np.asarray(targets, dtype=float).reshape(len(targets), -1)[:, 0]
    in_units = f" ({unit})" if unit else ""
    residuals = predictions - targets
    rmse = float(np.sqrt(np.mean(residuals ** 2)))
    panels = [scatter_figure(targets, predictions, x_name=f"true {name}{in_units}",
                             y_name=f"predicted {name}{in_units}", line="identity", scale=scale),
              scatter_figure(predictions, residuals, x_name=f"predicted {name}{in_units}",
                             y_name=f"predicted - true{in_units}", line="zero", scale=scale)]
    titles = ["predicted against true", f"residuals (RMSE {rmse:.4g}{' ' + unit if unit else ''})"]
    if costs is not None:
        panels.append(cost_figure(costs, size=(340, panels[0].height // scale), validation=val_costs,
                                  scale=scale, name="cost per epoch"))
        titles.append(None)
    body = stack(panels, titles=titles, gap=16, scale=scale)
    return titled(body, title or "regression", subtitle, scale)


def save_regression_plot(path, predictions, targets, problem, unit="", **options):
    """Write ``regression_figure`` for a regression ``problem`` as a PNG; return its pixels.

    ``options`` are those of ``regression_figure`` (costs, val_costs, title,
    subtitle, scale); the title defaults to the problem's name.
    """
    options.setdefault("title", problem.name)
    figure = regression_figure(predictions, targets, name=problem.target_names[0], unit=unit, **options)
    write_png(path, figure.pixels)
    return figure.pixels
