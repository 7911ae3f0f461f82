"""Figures of what a classifier does: decision regions, slices of a cube, cost curves.

Everything here works on a callable ``predict(inputs) -> scores``: ``inputs``
is an array (n, d) in the data file's raw units and ``scores`` an array (n, k),
one column per class (probabilities, tanh outputs, any scores); the predicted
class is the column with the largest score. The module never imports the
network classes, so it can show any model, or a rule written by hand.

- ``decision_map``: the regions of a 2-D problem as an image, with points.
- ``boundary_levels`` and ``slices_figure``: a 3-input problem (red) as
  slices across its third input, at the levels where the boundary lies.
- ``cost_figure``: the cost per epoch, with a log axis labelled at every
  power of ten when the costs span more than a factor of 20.
- ``framed_map``, ``legend``, ``stack``, ``titled``: putting figures together.
- ``plot_figure`` and ``save_plot``: the picture ``main_load.py --plot`` writes.

Figures are :class:`~src.pictures.canvas.Canvas` objects (pixels plus the
text drawn on them) at an integer ``scale``; maps are uint8 arrays (H, W, 3)
whose row 0 holds the highest y.
"""

import math

import numpy as np

from src.pictures.canvas import Canvas, as_rgb, polyline, stamp
from src.pictures.colours import (AXIS, BOUNDARY, ERROR, GRID, PALETTE, WHITE,
                                  class_colours, mix, outline_for)
from src.pictures.png import write_png

PREDICT_CHUNK = 65536
TRAIN_COLOUR = np.array(dict(PALETTE)["blue"], dtype=np.uint8)
VALIDATION_COLOUR = np.array(dict(PALETTE)["orange"], dtype=np.uint8)
CAP_MIDDLE = 3  # the middle row of a capital or digit: labels are centred on it


# --- evaluating a classifier over a grid ---


def scores_of(predict, inputs):
    """``predict`` applied to ``inputs`` (n, d) in chunks; float array (n, k)."""
    parts = []
    for start in range(0, len(inputs), PREDICT_CHUNK):
        chunk = inputs[start:start + PREDICT_CHUNK]
        scores = np.asarray(predict(chunk), dtype=float)
        if scores.ndim != 2 or scores.shape[0] != len(chunk) or scores.shape[1] < 1:
            raise ValueError(
                f"predict must return an array of shape (n, k) for n = {len(chunk)} "
                f"inputs, got shape {scores.shape}")
        parts.append(scores)
    return np.concatenate(parts)


def classes_and_confidence(scores):
    """Class per row of ``scores`` (n, k) and a confidence in [0, 1] per row.

    The confidence is the gap between the best and the second-best score,
    relative to the spread of all scores in the array, so that it reads the
    same for probabilities (0..1) and tanh outputs (-1..1).
    """
    classes = np.argmax(scores, axis=1)
    if scores.shape[1] < 2:
        return classes, np.ones(len(scores))
    top_two = np.partition(scores, scores.shape[1] - 2, axis=1)[:, -2:]
    spread = np.nanmax(scores) - np.nanmin(scores)
    if not np.isfinite(spread) or spread <= 0:
        return classes, np.ones(len(scores))
    gap = np.abs(top_two[:, 1] - top_two[:, 0]) / spread
    return classes, np.clip(np.nan_to_num(gap, nan=0.0), 0.0, 1.0)


def as_classes(labels, n_rows):
    """Class indices (n,) from class indices (n,) or one-hot targets (n, k)."""
    labels = np.asarray(labels)
    if labels.ndim == 2:
        labels = np.argmax(labels, axis=1)
    if labels.ndim != 1 or len(labels) != n_rows:
        raise ValueError(
            f"point_classes must be {n_rows} class indices or {n_rows} rows of targets, "
            f"got shape {np.asarray(labels).shape}")
    if labels.size and (not np.all(np.isfinite(labels)) or np.any(labels < 0)):
        raise ValueError("point_classes must be non-negative class indices")
    return labels.astype(int)


def grid_axis(low, high, count):
    """The centres of ``count`` equal cells between ``low`` and ``high``."""
    return low + (np.arange(count) + 0.5) * (high - low) / count


def plane_grid(low, high, width, height):
    """Inputs (H * W, 2) at the cell centres of a W x H map, row 0 at the highest y."""
    xs = grid_axis(low[0], high[0], width)
    ys = grid_axis(low[1], high[1], height)[::-1]
    grid_x, grid_y = np.meshgrid(xs, ys)
    return np.column_stack([grid_x.ravel(), grid_y.ravel()])


def check_domain(low, high, dims):
    """``low`` and ``high`` as float arrays of ``dims`` finite values with low < high."""
    low = np.asarray(low, dtype=float).reshape(-1)
    high = np.asarray(high, dtype=float).reshape(-1)
    if low.shape != (dims,) or high.shape != (dims,):
        raise ValueError(f"low and high must each hold {dims} numbers")
    if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high)) and np.all(low < high)):
        raise ValueError(f"the domain must be finite with low < high, got {low} and {high}")
    return low, high


def check_size(size):
    """``size`` as a pair of positive ints (width, height)."""
    width, height = (int(value) for value in size)
    if width < 1 or height < 1:
        raise ValueError(f"size must be positive (width, height), got {size}")
    return width, height


def boundaries(classes):
    """Boolean mask (H, W): pixels whose class differs from the right or lower neighbour."""
    mask = np.zeros(classes.shape, dtype=bool)
    mask[:, :-1] |= classes[:, :-1] != classes[:, 1:]
    mask[:-1, :] |= classes[:-1, :] != classes[1:, :]
    return mask


# --- maps ---


def draw_points(pixels, points, classes, low, high, colours, radius, opacity=1.0):
    """Dots at ``points`` (n, 2) of the domain [low, high] in ``colours[classes]``, in place.

    Each dot has an outline that stands out from its colour (dark for light
    colours, light for dark ones); ``opacity`` below 1 blends both into the picture.
    """
    height, width = pixels.shape[:2]
    cols = np.floor((points[:, 0] - low[0]) / (high[0] - low[0]) * width).astype(int)
    rows = np.floor((high[1] - points[:, 1]) / (high[1] - low[1]) * height).astype(int)
    inside = (cols >= 0) & (cols < width) & (rows >= 0) & (rows < height)
    rows, cols, classes = rows[inside], cols[inside], classes[inside]
    layer = pixels.copy()
    stamp(layer, rows, cols, outline_for(colours[classes]), radius + 1)
    stamp(layer, rows, cols, colours[classes], radius)
    if opacity >= 1:
        pixels[...] = layer
    else:
        pixels[...] = mix(pixels, layer, opacity)


def decision_map(predict, low, high, size=(240, 240), class_names=None, points=None,
                 point_classes=None, shade=True, max_points=2000, point_radius=2,
                 shade_steps=None):
    """The decision regions of a 2-D classifier as an image, uint8 (H, W, 3).

    The domain [low[0], high[0]] x [low[1], high[1]] is cut into ``size`` =
    (W, H) cells; each is filled with the colour of the class predicted at
    its centre (fainter where the model is less sure, when ``shade`` is on),
    with a grey line where the class changes. ``class_names`` choose the
    colours (see ``class_colours``); x grows to the right, y upwards.

    ``points`` (n, 2) and ``point_classes`` ((n,) class indices, or (n, k)
    targets whose largest entry marks the class) add the training points as
    dots in their class colour; at most ``max_points`` of them, evenly
    spread over the list, so large sets stay readable. ``shade_steps`` rounds
    the shading to that many levels (flat bands compress far better, for
    animations).
    """
    low, high = check_domain(low, high, 2)
    width, height = check_size(size)
    scores = scores_of(predict, plane_grid(low, high, width, height))
    classes, confidence = classes_and_confidence(scores)

    n_colours = scores.shape[1]
    if points is not None:
        points = np.asarray(points, dtype=float)
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(f"points must have shape (n, 2), got {points.shape}")
        if point_classes is None:
            raise ValueError("point_classes are needed to draw points")
        point_classes = as_classes(point_classes, len(points))
        if len(point_classes):
            n_colours = max(n_colours, int(point_classes.max()) + 1)
    names = list(class_names) if class_names is not None else []
    strong, fill = class_colours(names + [None] * (n_colours - len(names)))

    if shade_steps:
        confidence = np.ceil(confidence * shade_steps) / shade_steps
    strength = (0.35 + 0.65 * confidence) if shade else np.ones(len(classes))
    image = mix(WHITE, fill[classes], strength[:, None]).reshape(height, width, 3)
    image[boundaries(classes.reshape(height, width))] = BOUNDARY

    if points is not None and len(points):
        if len(points) > max_points:
            keep = np.linspace(0, len(points) - 1, max_points).round().astype(int)
            points, point_classes = points[keep], point_classes[keep]
        draw_points(image, points, point_classes, low, high, strong, point_radius)
    return image


def boundary_levels(predict, low, high, count=5, grid=24, minimum_share=0.01):
    """Where to slice a 3-input classifier: ``(levels, found)``.

    The third input is tried at round levels (a tick step of its range); a
    level shows the boundary when at least ``minimum_share`` of a ``grid`` x
    ``grid`` slice is predicted as something other than the slice's most
    common class. Returns ``count`` levels spread evenly from the first such
    level to the last, and ``found=True``; or, when no level shows a
    boundary, ``count`` levels spread over the whole range and ``found=False``.
    """
    low, high = check_domain(low, high, 3)
    candidates = nice_ticks(low[2], high[2], max_ticks=33)
    plane = plane_grid(low[:2], high[:2], grid, grid)
    showing = []
    for level in candidates:
        inputs = np.column_stack([plane, np.full(len(plane), level)])
        classes = np.argmax(scores_of(predict, inputs), axis=1)
        majority = np.bincount(classes).max() / len(classes)
        if 1.0 - majority >= minimum_share:
            showing.append(level)
    found = bool(showing)
    pool = np.array(showing) if found else candidates
    picks = np.unique(np.linspace(0, len(pool) - 1, count).round().astype(int))
    return [float(level) for level in pool[picks]], found


def slices_figure(predict, low, high, levels, input_names=("r", "g", "b"), class_names=None,
                  true_label=None, slice_size=96, scale=1, colour_row=True):
    """Slices of a 3-input classifier (the RGB cube) across its third input.

    One column per value of the third input in ``levels``; in each square
    the first input grows to the right and the second upwards, over [low,
    high]. With ``colour_row`` the top row shows each point's own colour (a
    little faded: for inputs that are a colour, like red's) with the model's
    boundary in grey.
    The next row shows the predicted class; where ``true_label`` (a callable
    like ``predict``) disagrees with the model, the pixel is black. Returns
    a Canvas.
    """
    low, high = check_domain(low, high, 3)
    levels = [float(level) for level in levels]
    if not levels:
        raise ValueError("levels must name at least one slice")
    size = int(slice_size) * int(scale)
    if size < 2:
        raise ValueError(f"slice_size must be at least 2, got {slice_size}")
    plane = plane_grid(low[:2], high[:2], size, size)
    a_name, b_name, c_name = (str(name) for name in input_names)

    squares = []  # per level: (colour square or None, class square)
    for level in levels:
        inputs = np.column_stack([plane, np.full(len(plane), level)])
        scores = scores_of(predict, inputs)
        classes = np.argmax(scores, axis=1)
        names = list(class_names) if class_names is not None else []
        fill = class_colours(names + [None] * (scores.shape[1] - len(names)))[1]
        regions = fill[classes].reshape(size, size, 3)
        if true_label is not None:
            truth = np.argmax(scores_of(true_label, inputs), axis=1)
            regions[(truth != classes).reshape(size, size)] = ERROR
        colours = None
        if colour_row:
            actual = np.clip((inputs - low) / (high - low), 0.0, 1.0) * 255.0
            colours = mix(actual, WHITE, 0.3).reshape(size, size, 3)
            colours[boundaries(classes.reshape(size, size))] = BOUNDARY
        squares.append((colours, regions))

    probe = Canvas(1, 1, scale)
    line_height = probe.text_size("Ag")[1]
    gap, border = probe.px(10), probe.scale
    rows = (["colour, with the model's boundary"] if colour_row else []) + [
        "predicted class" + (" (black: wrong)" if true_label is not None else "")]
    if (low[0], high[0]) == (low[1], high[1]):
        caption = f"in each square: {a_name} across, {b_name} up, from {low[0]:g} to {high[0]:g}"
    else:
        caption = (f"in each square: {a_name} across from {low[0]:g} to {high[0]:g}, "
                   f"{b_name} up from {low[1]:g} to {high[1]:g}")
    column_width = size + 2 * border
    width = max(len(levels) * (column_width + gap) - gap,
                max(probe.text_size(text)[0] for text in rows + [caption]))
    row_height = line_height + probe.px(4) + column_width + gap
    height = line_height + probe.px(3) + len(rows) * row_height + line_height
    canvas = Canvas(width, height, scale)
    y = 0
    for row, title in enumerate(rows):
        canvas.text(0, y, title)
        y += line_height + probe.px(4)
        if row == 0:
            for column, level in enumerate(levels):
                canvas.text(column * (column_width + gap) + column_width // 2, y,
                            f"{c_name} = {level:g}", align="centre")
            y += line_height + probe.px(3)
        for column, pair in enumerate(squares):
            square = pair[1] if row == len(rows) - 1 else pair[0]
            left = column * (column_width + gap)
            canvas.frame(left + border, y + border, size, size, AXIS)
            canvas.pixels[y + border:y + border + size, left + border:left + border + size] = square
        y += column_width + gap
    canvas.text(0, y, caption)
    return canvas


# --- axes ---


def format_number(value):
    """A short label for a tick value: '0', '0.25', '120', '1e-5'."""
    if value == 0:
        return "0"
    if float(value).is_integer() and abs(value) < 1e6:
        return str(int(value))
    mantissa, _, exponent = f"{value:.3g}".partition("e")
    return f"{mantissa}e{int(exponent)}" if exponent else mantissa


def nice_ticks(low, high, max_ticks=6, integer=False):
    """Round tick values (1, 2 or 5 times a power of ten apart) within [low, high]."""
    span = high - low
    if span <= 0:
        return np.array([low])
    raw = span / max(max_ticks - 1, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if integer:
        step = max(step, 1.0)
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    return np.round(np.arange(first, last + 1) * step, 12)


def fitting_ticks(canvas, low, high, length, integer=False, min_gap=8):
    """The most ticks (up to 10) whose labels fit side by side along ``length`` pixels."""
    for count in range(10, 1, -1):
        ticks = nice_ticks(low, high, max_ticks=count, integer=integer)
        if len(ticks) < 2:
            continue
        widths = [canvas.text_size(format_number(t))[0] for t in ticks]
        spacing = length * (ticks[1] - ticks[0]) / (high - low)
        if spacing >= max(widths) + canvas.px(min_gap):
            return ticks
    return np.array([low, high])


def cost_axis(lowest, highest):
    """How to draw costs from ``lowest`` to ``highest``: ``(log, low, high, ticks, labels)``.

    Logarithmic when the costs are positive and span more than a factor of
    20; the axis then runs from the power of ten below the lowest cost to the
    one above the highest, with a labelled tick at every power of ten. On a
    log axis ``low``, ``high`` and the ticks are powers (log10 of the costs).
    """
    if lowest > 0 and highest / lowest > 20:
        low, high = math.floor(math.log10(lowest)), math.ceil(math.log10(highest))
        ticks = np.arange(low, high + 1, dtype=float)
        return True, float(low), float(high), ticks, [format_number(10.0 ** t) for t in ticks]
    low, high = lowest, highest
    if high - low <= 0:
        pad = max(abs(low) * 0.1, 1e-12) if low else 1.0
        low, high = low - pad, high + pad
    pad = (high - low) * 0.05
    low, high = low - pad, high + pad
    ticks = nice_ticks(low, high, max_ticks=6)
    return False, low, high, ticks, [format_number(t) for t in ticks]


def draw_axes(canvas, box, x_ticks, x_labels, x_of, y_ticks, y_labels, y_of, grid=False):
    """Frame ``box`` = (left, top, width, height) with ticks and labels outside it.

    ``x_of``/``y_of`` turn tick values into pixel columns/rows. Tick labels
    go below the frame (centred on their tick) and left of it (right-aligned,
    centred on their tick's row); ``grid`` draws light lines across the box.
    """
    left, top, width, height = box
    t = canvas.scale
    tick = canvas.px(3)
    for value, label in zip(y_ticks, y_labels):
        row = int(round(y_of(value)))
        if grid:
            canvas.pixels[row:row + t, left:left + width] = GRID
        canvas.pixels[row:row + t, left - t - tick:left - t] = AXIS
        canvas.text(left - t - tick - canvas.px(3), row - canvas.px(CAP_MIDDLE), label,
                    align="right")
    for value, label in zip(x_ticks, x_labels):
        col = int(round(x_of(value)))
        if grid:
            canvas.pixels[top:top + height, col:col + t] = GRID
        canvas.pixels[top + height + t:top + height + t + tick, col:col + t] = AXIS
        canvas.text(col + t // 2, top + height + t + tick + canvas.px(2), label, align="centre")
    canvas.frame(left, top, width, height, AXIS)


def axis_margins(canvas, y_labels, x_labels):
    """(left, bottom) room that ``draw_axes`` needs outside the box for these labels."""
    label_height = canvas.text_size("0")[1]
    left = max(canvas.text_size(label)[0] for label in y_labels) + canvas.px(7)
    bottom = canvas.px(6) + label_height
    return left, bottom


def framed_map(image, low, high, axis_names=("x", "y"), scale=1):
    """A map ``image`` of [low[0], high[0]] x [low[1], high[1]] framed, with ticks and names.

    The y axis's name stands above the axis and the x axis's name below the
    tick labels, each clear of every number. Returns a Canvas.
    """
    low, high = check_domain(low, high, 2)
    image = as_rgb(image)
    map_height, map_width = image.shape[:2]
    probe = Canvas(1, 1, scale)
    x_ticks = fitting_ticks(probe, low[0], high[0], map_width)
    y_ticks = nice_ticks(low[1], high[1], max_ticks=max(2, map_height // probe.px(40)))
    x_labels = [format_number(t) for t in x_ticks]
    y_labels = [format_number(t) for t in y_ticks]
    line_height = probe.text_size("Ag")[1]
    margin_left, margin_bottom = axis_margins(probe, y_labels, x_labels)
    t = probe.scale
    left = max(margin_left, probe.text_size(axis_names[1])[0] // 2) + t
    top = line_height + probe.px(8)
    right_room = probe.text_size(x_labels[-1])[0] // 2 + probe.px(2)
    bottom_of_labels = top + map_height + t + margin_bottom
    canvas = Canvas(left + map_width + t + right_room,
                    bottom_of_labels + probe.px(5) + line_height, scale)
    canvas.pixels[top:top + map_height, left:left + map_width] = image

    def x_of(value):
        return left + (value - low[0]) / (high[0] - low[0]) * (map_width - 1)

    def y_of(value):
        return top + (high[1] - value) / (high[1] - low[1]) * (map_height - 1)

    draw_axes(canvas, (left, top, map_width, map_height), x_ticks, x_labels, x_of,
              y_ticks, y_labels, y_of)
    canvas.text(left, 0, axis_names[1], align="centre")
    canvas.text(left + map_width // 2, bottom_of_labels + probe.px(5), axis_names[0],
                align="centre")
    return canvas


def cost_figure(costs, size=(320, 240), validation=None, positions=None, x_limits=None,
                y_limits=None, scale=1, name="cost"):
    """A line chart of the cost during training, as a Canvas about ``size`` (W, H) at scale 1.

    ``costs`` holds one cost per epoch (epoch 1 first), or one per entry of
    ``positions`` (epochs as floats, for costs measured within epochs);
    ``validation``, if given, a second series drawn in orange. ``x_limits``
    and ``y_limits`` fix the axes (an animation keeps them from frame to
    frame); by default they fit the data. The y axis follows ``cost_axis``.
    Non-finite costs (a diverged run) leave a gap in the line.
    """
    width, height = (value * int(scale) for value in check_size(size))
    train = np.asarray(costs, dtype=float).reshape(-1)
    x = (np.arange(1, len(train) + 1, dtype=float) if positions is None
         else np.asarray(positions, dtype=float).reshape(-1))
    if len(x) != len(train):
        raise ValueError(f"{len(train)} costs for {len(x)} positions")
    series = [(train, TRAIN_COLOUR, "training")]
    if validation is not None:
        series.append((np.asarray(validation, dtype=float).reshape(-1), VALIDATION_COLOUR,
                       "validation"))
    canvas = Canvas(width, height, scale)

    values = np.concatenate([values for values, _, _ in series])
    finite = values[np.isfinite(values)]
    if y_limits is None and not len(finite):
        canvas.text(canvas.px(4), canvas.px(4), "no finite costs to show")
        return canvas
    lowest, highest = y_limits if y_limits is not None else (finite.min(), finite.max())
    use_log, y_low, y_high, y_ticks, y_labels = cost_axis(float(lowest), float(highest))
    x_low, x_high = x_limits if x_limits is not None else (1.0, max(float(x.max()) if len(x)
                                                                   else 1.0, 2.0))
    line_height = canvas.text_size("Ag")[1]
    margin_left, margin_bottom = axis_margins(canvas, y_labels, ["0"])
    t = canvas.scale
    left = margin_left + t
    title = f"{name} (log scale)" if use_log else name
    key_width = sum(canvas.text_size(label)[0] + canvas.px(10) for _, _, label in series)
    key_row = 0  # the series' names beside the title, or under it when there is no room
    if len(series) > 1 and canvas.text_size(title)[0] + canvas.px(6) + key_width > width:
        key_row = line_height + canvas.px(3)
    top = key_row + line_height + canvas.px(8)
    plot_right = width - canvas.px(14) - t
    plot_bottom = height - margin_bottom - canvas.px(5) - line_height - t
    if plot_right - left < canvas.px(40) or plot_bottom - top < canvas.px(40):
        raise ValueError(f"size {size} is too small for a cost curve")
    box = (left, top, plot_right - left, plot_bottom - top)
    x_ticks = fitting_ticks(canvas, x_low, x_high, box[2], integer=True)
    x_ticks = x_ticks[(x_ticks >= x_low) & (x_ticks <= x_high)]

    def x_of(value):
        return left + (np.asarray(value, dtype=float) - x_low) / (x_high - x_low) * (box[2] - 1)

    def y_of(value):  # value already on the axis's scale (log10 on a log axis)
        return top + (y_high - np.asarray(value, dtype=float)) / (y_high - y_low) * (box[3] - 1)

    if use_log:  # light lines at 2..9 times each power of ten
        for power in range(int(y_low), int(y_high)):
            for factor in range(2, 10):
                row = int(round(float(y_of(power + math.log10(factor)))))
                canvas.pixels[row:row + t, left:left + box[2]] = mix(WHITE, GRID, 0.5)
    draw_axes(canvas, box, x_ticks, [format_number(v) for v in x_ticks], x_of,
              y_ticks, y_labels, y_of, grid=True)

    with np.errstate(divide="ignore", invalid="ignore"):
        for values, colour, _ in series:
            on_axis = np.log10(np.where(values > 0, values, np.nan)) if use_log else values
            rows, cols = y_of(on_axis), x_of(x[:len(values)])
            polyline(canvas.pixels, cols, rows, colour,
                     (left, top, left + box[2] - 1, top + box[3] - 1), thickness=2 * t)
            shown = np.isfinite(rows)
            alone = shown & ~np.r_[False, shown[:-1]] & ~np.r_[shown[1:], False]
            stamp(canvas.pixels, np.rint(rows[alone]).astype(int),
                  np.rint(cols[alone]).astype(int), colour, 2 * t)

    canvas.text(0, 0, title)
    right = width - canvas.px(2)
    for _, colour, label in reversed(series) if len(series) > 1 else ():
        right = canvas.text(right, key_row, label, colour, align="right").left - canvas.px(10)
    canvas.text(left + box[2] // 2, plot_bottom + t + margin_bottom + canvas.px(5), "epoch",
                align="centre")
    return canvas


# --- putting figures together ---


def legend(class_names, colours=None, scale=1):
    """A one-line legend: a swatch in each class's colour and its name, as a Canvas."""
    names = [str(name) for name in class_names]
    if not names:
        raise ValueError("the legend needs at least one class name")
    colours = class_colours(names)[0] if colours is None else np.asarray(colours, np.uint8)
    probe = Canvas(1, 1, scale)
    swatch, gap, spacing = probe.px(10), probe.px(6), probe.px(16)
    height = max(swatch + 2 * probe.scale, probe.text_size("Ag")[1])
    width = sum(swatch + gap + probe.text_size(name)[0] + spacing for name in names) - spacing
    canvas = Canvas(width + 2 * probe.scale, height, scale)
    x = probe.scale
    for name, colour in zip(names, colours):
        canvas.frame(x, probe.scale, swatch, swatch, outline_for(colour))
        canvas.pixels[probe.scale:probe.scale + swatch, x:x + swatch] = colour
        box = canvas.text(x + swatch + gap, (swatch + 2 * probe.scale) // 2
                          - probe.px(CAP_MIDDLE) - probe.scale // 2 + probe.scale, name)
        x = box.right + spacing
    return canvas


def stack(pictures, vertical=False, gap=12, titles=None, scale=1, align="start"):
    """Canvases side by side (or one above the other), each with an optional title above it.

    ``align``: ``"start"`` lines them up at their tops (at their left edges
    when stacked), ``"centre"`` at their middles.
    """
    pictures = [p if isinstance(p, Canvas) else _canvas_of(p, scale) for p in pictures]
    if not pictures:
        raise ValueError("stack needs at least one picture")
    titles = list(titles) if titles is not None else [None] * len(pictures)
    if len(titles) != len(pictures):
        raise ValueError(f"{len(titles)} titles for {len(pictures)} pictures")
    probe = Canvas(1, 1, scale)
    gap = probe.px(gap)
    title_height = probe.text_size("Ag")[1] + probe.px(6) if any(titles) else 0
    boxes = [(max(p.width, probe.text_size(title or "")[0]), p.height + title_height)
             for p, title in zip(pictures, titles)]
    if vertical:
        width, height = max(w for w, _ in boxes), sum(h for _, h in boxes) + gap * (len(boxes) - 1)
    else:
        width, height = sum(w for w, _ in boxes) + gap * (len(boxes) - 1), max(h for _, h in boxes)
    canvas = Canvas(width, height, scale)
    x = y = 0
    for picture, title, (box_width, box_height) in zip(pictures, titles, boxes):
        dx = (width - box_width) // 2 if vertical and align == "centre" else 0
        dy = (height - box_height) // 2 if not vertical and align == "centre" else 0
        if title:
            canvas.text(x + dx, y + dy, title)
        canvas.paste(picture, x + dx, y + dy + title_height)
        if vertical:
            y += box_height + gap
        else:
            x += box_width + gap
    return canvas


def _canvas_of(image, scale):
    image = as_rgb(image)
    canvas = Canvas(image.shape[1], image.shape[0], scale)
    canvas.pixels[...] = image
    return canvas


def titled(picture, title, subtitle=None, scale=1, margin=14):
    """``picture`` on a white page with ``title`` above it in double size, and a smaller subtitle."""
    probe = Canvas(1, 1, scale)
    margin = probe.px(margin)
    lines = [(title, 2)] + ([(line, 1) for line in str(subtitle).split("\n")] if subtitle else [])
    sizes = [probe.text_size(text, size) for text, size in lines]
    head = sum(h for _, h in sizes) + probe.px(5) * len(lines) + probe.px(4)
    width = max([picture.width] + [w for w, _ in sizes])
    canvas = Canvas(width + 2 * margin, head + picture.height + 2 * margin, scale)
    y = margin
    for (text, size), (_, h) in zip(lines, sizes):
        canvas.text(margin, y, text, size=size)
        y += h + probe.px(5)
    canvas.paste(picture, margin, margin + head)
    return canvas


def plot_figure(predict, problem, points=None, point_classes=None, costs=None, val_costs=None,
                true_label=None, title=None, subtitle=None, scale=1):
    """The figure of a model on ``problem`` (a ``src.problems.Problem``), as a Canvas.

    For a 2-D problem: the decision regions over ``problem.input_low`` ..
    ``input_high`` with the optional training points (``points`` (n, 2) and
    ``point_classes``, see ``decision_map``); for a 3-input problem (red):
    slices across the third input where the boundary lies, with errors
    against ``true_label`` in black. Beside it the cost curve when ``costs``
    (one per epoch) is given, with ``val_costs`` as a second series, and a
    legend of the classes below. ``title`` defaults to the problem's name.
    """
    n_inputs = len(problem.input_names)
    names = list(problem.class_names)
    if n_inputs == 2:
        size = 300 * scale
        region_map = decision_map(predict, problem.input_low, problem.input_high, (size, size),
                                  names, points, point_classes, point_radius=2 * scale)
        panel = framed_map(region_map, problem.input_low, problem.input_high,
                           problem.input_names, scale)
        panel_title = "decision regions" + (" and training points" if points is not None else "")
    elif n_inputs == 3:
        levels, found = boundary_levels(predict, problem.input_low, problem.input_high)
        panel = slices_figure(predict, problem.input_low, problem.input_high, levels,
                              problem.input_names, names, true_label, scale=scale,
                              colour_row=tuple(problem.input_names) == ("r", "g", "b"))
        where = "where the model's boundary lies" if found else "evenly spaced: no boundary found"
        panel_title = f"slices at {problem.input_names[2]} = " + ", ".join(
            f"{level:g}" for level in levels) + f" ({where})"
    else:
        raise ValueError(
            f"can only draw problems with 2 or 3 inputs; {problem.name} has {n_inputs}")
    panels, titles = [panel], [panel_title]
    if costs is not None:
        panels.append(cost_figure(costs, size=(340, max(panel.height // scale, 240)),
                                  validation=val_costs, scale=scale, name="cost per epoch"))
        titles.append(None)
    body = stack(panels, titles=titles, gap=16, scale=scale)
    figure = stack([body, legend(names, scale=scale)], vertical=True, gap=10, scale=scale)
    return titled(figure, title or problem.name, subtitle, scale)


def save_plot(path, predict, problem, **options):
    """Write ``plot_figure(predict, problem, **options)`` as a PNG; return its pixels."""
    figure = plot_figure(predict, problem, **options)
    write_png(path, figure.pixels)
    return figure.pixels
