"""Pictures and terminal maps of what a classifier does, with NumPy only.

Everything here works on a callable ``predict(inputs) -> scores``: ``inputs``
is an array (n, d) in the data file's raw units and ``scores`` an array (n, k),
one column per class (probabilities, tanh outputs, any scores); the predicted
class is the column with the largest score. The module never imports the
network classes, so it can show any model, or a rule written by hand.

- ``decision_map_image``: the regions of a 2-D problem, with training points.
- ``red_slices_image``: the 3-D red problem as slices of the RGB cube.
- ``cost_curve_image``: the training cost per epoch.
- ``compose`` and ``save_plot``: panels put together into one PNG figure.
- ``terminal_map``: the regions of a 2-D problem as plain ASCII text.

Images are ``uint8`` arrays (H, W, 3); row 0 is the top, so the y axis of a
map points up: row 0 holds the highest y.
"""

import math

import numpy as np

from src.png import LINE_ADVANCE, draw_text, text_size, write_png

WHITE = np.array([255, 255, 255], dtype=np.uint8)
TEXT = np.array([40, 40, 40], dtype=np.uint8)
AXIS = np.array([90, 90, 90], dtype=np.uint8)
GRID = np.array([228, 228, 228], dtype=np.uint8)
BOUNDARY = np.array([70, 70, 70], dtype=np.uint8)
OUTLINE = np.array([30, 30, 30], dtype=np.uint8)
ERROR = np.array([0, 0, 0], dtype=np.uint8)

PALETTE = np.array([
    (214, 64, 47),
    (45, 105, 200),
    (46, 150, 70),
    (135, 80, 180),
    (230, 140, 20),
    (20, 160, 165),
    (140, 95, 60),
    (200, 70, 150),
], dtype=np.uint8)
TINT_STRENGTH = 0.4
TERMINAL_SYMBOLS = "#.ox+*=@"
PREDICT_CHUNK = 65536


def _mix(base, target, amount):
    """``base`` moved ``amount`` (0..1, broadcast) of the way to ``target``, as uint8."""
    base = np.asarray(base, dtype=float)
    target = np.asarray(target, dtype=float)
    return np.clip(np.rint(base + (target - base) * amount), 0, 255).astype(np.uint8)


def class_colours(k):
    """The colours of ``k`` classes: ``(strong, tint)``, both uint8 arrays (k, 3).

    ``strong`` marks points and lines (class 0 red, 1 blue, 2 green, 3 purple,
    then orange, teal, brown, pink); ``tint`` is the lighter shade that fills
    a class's region. Past eight classes the hues go round the colour wheel.
    """
    k = int(k)
    if k < 1:
        raise ValueError(f"the number of classes must be at least 1, got {k}")
    strong = list(PALETTE[:k])
    for index in range(len(PALETTE), k):
        hue = (index * 0.618034) % 1.0
        channels = [abs(((hue * 6 + shift) % 6) - 3) - 1 for shift in (0, 4, 2)]
        strong.append(np.array([40 + 170 * min(max(c, 0), 1) for c in channels]))
    strong = np.array(strong, dtype=np.uint8)
    return strong, _mix(WHITE, strong, TINT_STRENGTH)


def _scores(predict, inputs):
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


def _classes_and_confidence(scores):
    """Class per row of ``scores`` (n, k) and a confidence in [0, 1] per row.

    The confidence is the gap between the best and the second-best score,
    relative to the spread of all scores in the array, so that it reads the
    same for probabilities (0..1) and tanh outputs (-1..1).
    """
    classes = np.argmax(scores, axis=1)
    if scores.shape[1] < 2:
        return classes, np.ones(len(scores))
    top_two = np.sort(scores, axis=1)[:, -2:]
    spread = np.nanmax(scores) - np.nanmin(scores)
    if not np.isfinite(spread) or spread <= 0:
        return classes, np.ones(len(scores))
    gap = (top_two[:, 1] - top_two[:, 0]) / spread
    return classes, np.clip(np.nan_to_num(gap, nan=0.0), 0.0, 1.0)


def _as_classes(labels, n_rows):
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


def _grid_axis(low, high, count):
    """The centres of ``count`` equal cells between ``low`` and ``high``."""
    return low + (np.arange(count) + 0.5) * (high - low) / count


def _check_domain(low, high, dims):
    """``low`` and ``high`` as float arrays of ``dims`` finite values with low < high."""
    low = np.asarray(low, dtype=float).reshape(-1)
    high = np.asarray(high, dtype=float).reshape(-1)
    if low.shape != (dims,) or high.shape != (dims,):
        raise ValueError(f"low and high must each hold {dims} numbers")
    if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high)) and np.all(low < high)):
        raise ValueError(f"the domain must be finite with low < high, got {low} and {high}")
    return low, high


def _check_size(size):
    """``size`` as a pair of positive ints (width, height)."""
    width, height = (int(value) for value in size)
    if width < 1 or height < 1:
        raise ValueError(f"size must be positive (width, height), got {size}")
    return width, height


def _mark_boundaries(classes):
    """Boolean mask (H, W): pixels whose class differs from the right or lower neighbour."""
    mask = np.zeros(classes.shape, dtype=bool)
    mask[:, :-1] |= classes[:, :-1] != classes[:, 1:]
    mask[:-1, :] |= classes[:-1, :] != classes[1:, :]
    return mask


def _disc(radius):
    """Row and column offsets of the pixels of a filled disc of ``radius``."""
    rows, cols = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    inside = rows ** 2 + cols ** 2 <= radius ** 2 + radius
    return rows[inside], cols[inside]


def _stamp(image, rows, cols, colour, radius):
    """Draw discs of ``radius`` centred at pixel (rows, cols) in ``colour`` (n, 3) or (3,)."""
    colour = np.broadcast_to(np.asarray(colour, dtype=np.uint8), (len(rows), 3))
    height, width = image.shape[:2]
    for d_row, d_col in zip(*_disc(radius)):
        r, c = rows + d_row, cols + d_col
        inside = (r >= 0) & (r < height) & (c >= 0) & (c < width)
        image[r[inside], c[inside]] = colour[inside]


def decision_map_image(predict, low, high, size=(240, 240), points=None, point_classes=None,
                       shade=True, max_points=2000):
    """The decision regions of a 2-D classifier as an image, uint8 (H, W, 3).

    The domain [low[0], high[0]] x [low[1], high[1]] is cut into ``size`` =
    (W, H) cells; each is coloured by the class predicted at its centre, in
    the class's light tint (fainter where the model is less sure, when
    ``shade`` is on) with a grey line where the class changes. x grows to the
    right, y upwards (row 0 holds the highest y).

    ``points`` (n, 2) and ``point_classes`` ((n,) class indices, or (n, k)
    targets whose largest entry marks the class) add the training points as
    dots in their class colour with a dark outline; at most ``max_points`` of
    them, evenly spread over the list, so large sets stay readable.
    """
    low, high = _check_domain(low, high, 2)
    width, height = _check_size(size)
    xs = _grid_axis(low[0], high[0], width)
    ys = _grid_axis(low[1], high[1], height)[::-1]
    grid_x, grid_y = np.meshgrid(xs, ys)
    inputs = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    scores = _scores(predict, inputs)
    classes, confidence = _classes_and_confidence(scores)

    n_colours = scores.shape[1]
    if points is not None:
        points = np.asarray(points, dtype=float)
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(f"points must have shape (n, 2), got {points.shape}")
        if point_classes is None:
            raise ValueError("point_classes are needed to draw points")
        point_classes = _as_classes(point_classes, len(points))
        if len(point_classes):
            n_colours = max(n_colours, int(point_classes.max()) + 1)
    strong, _ = class_colours(n_colours)

    strength = TINT_STRENGTH * ((0.35 + 0.65 * confidence) if shade else np.ones(len(classes)))
    image = _mix(WHITE, strong[classes], strength[:, None]).reshape(height, width, 3)
    image[_mark_boundaries(classes.reshape(height, width))] = BOUNDARY

    if points is not None and len(points):
        if len(points) > max_points:
            keep = np.linspace(0, len(points) - 1, max_points).round().astype(int)
            points, point_classes = points[keep], point_classes[keep]
        cols = np.floor((points[:, 0] - low[0]) / (high[0] - low[0]) * width).astype(int)
        rows = np.floor((high[1] - points[:, 1]) / (high[1] - low[1]) * height).astype(int)
        inside = (cols >= 0) & (cols < width) & (rows >= 0) & (rows < height)
        rows, cols, point_classes = rows[inside], cols[inside], point_classes[inside]
        _stamp(image, rows, cols, OUTLINE, 3)
        _stamp(image, rows, cols, strong[point_classes], 2)
    return image


def red_slices_image(predict, true_label=None, levels=(0, 64, 128, 192, 255), slice_size=96,
                     low=0.0, high=255.0):
    """Slices of the RGB cube showing a classifier of colours, uint8 image.

    One column per blue level in ``levels``; in each square r grows to the
    right and g upwards, both over [low, high]. The top row shows each
    point's own colour (a little faded) with the model's class boundary drawn
    in dark grey, so one can see which colours the model calls red. The
    bottom row shows the predicted class in its tint; where ``true_label``
    (a callable like ``predict``, (n, 3) -> (n, k)) disagrees with the model,
    the pixel is black. Black appears nowhere else in the picture.
    """
    size = int(slice_size)
    if size < 2:
        raise ValueError(f"slice_size must be at least 2, got {slice_size}")
    levels = [float(level) for level in levels]
    if not levels:
        raise ValueError("levels must name at least one blue level")
    low, high = float(low), float(high)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"the domain must be finite with low < high, got {low} and {high}")
    axis = _grid_axis(low, high, size)
    grid_r, grid_g = np.meshgrid(axis, axis[::-1])

    gap = 10
    row_titles = ("colour, with the model's boundary",
                  "predicted class" + (" (black: wrong)" if true_label is not None else ""))
    level_row = LINE_ADVANCE + 2
    first_square = level_row + LINE_ADVANCE + 2
    second_title = first_square + size + 2 + gap
    second_square = second_title + LINE_ADVANCE + 2
    caption_row = second_square + size + 2 + gap // 2
    caption = f"in each square: r across, g up, both {low:g} to {high:g}"
    width = max(len(levels) * (size + 2 + gap) - gap,
                text_size(row_titles[0])[0], text_size(caption)[0])
    image = np.empty((caption_row + LINE_ADVANCE, width, 3), dtype=np.uint8)
    image[:] = WHITE

    for column, level in enumerate(levels):
        inputs = np.column_stack([grid_r.ravel(), grid_g.ravel(), np.full(size * size, level)])
        scores = _scores(predict, inputs)
        classes = np.argmax(scores, axis=1)
        tint = class_colours(scores.shape[1])[1]

        actual = np.clip((inputs - low) / (high - low), 0.0, 1.0) * 255.0
        colours = _mix(actual, WHITE, 0.3).reshape(size, size, 3)
        colours[_mark_boundaries(classes.reshape(size, size))] = BOUNDARY
        regions = tint[classes].reshape(size, size, 3)
        if true_label is not None:
            truth = np.argmax(_scores(true_label, inputs), axis=1)
            regions[(truth != classes).reshape(size, size)] = ERROR

        left = column * (size + 2 + gap)
        draw_text(image, left, level_row, f"b = {level:g}", TEXT)
        for top, square in ((first_square, colours), (second_square, regions)):
            image[top:top + size + 2, left:left + size + 2] = AXIS
            image[top + 1:top + 1 + size, left + 1:left + 1 + size] = square
    draw_text(image, 0, 0, row_titles[0], TEXT)
    draw_text(image, 0, second_title, row_titles[1], TEXT)
    draw_text(image, 0, caption_row, caption, TEXT)
    return image


def _format_number(value):
    """A short label for a tick value: '0', '0.25', '120', '1e-4'."""
    if value == 0:
        return "0"
    if float(value).is_integer() and abs(value) < 1e6:
        return str(int(value))
    mantissa, _, exponent = f"{value:.3g}".partition("e")
    return f"{mantissa}e{int(exponent)}" if exponent else mantissa


def _nice_ticks(low, high, max_ticks=6, integer=False):
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


def _draw_polyline(image, xs, ys, colour, clip):
    """Draw the line through pixel points (xs, ys), 2 pixels thick, inside ``clip``.

    ``clip`` is (left, top, right, bottom) in pixels, inclusive. A point with
    a non-finite coordinate breaks the line.
    """
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    left, top, right, bottom = clip
    if len(xs) == 1:
        segments_x0, segments_x1, segments_y0, segments_y1 = xs, xs, ys, ys
    else:
        segments_x0, segments_x1 = xs[:-1], xs[1:]
        segments_y0, segments_y1 = ys[:-1], ys[1:]
    valid = np.isfinite(segments_x0 + segments_x1 + segments_y0 + segments_y1)
    x0, x1 = segments_x0[valid], segments_x1[valid]
    y0, y1 = segments_y0[valid], segments_y1[valid]
    if not len(x0):
        return
    lengths = np.ceil(np.maximum(np.abs(x1 - x0), np.abs(y1 - y0))).astype(int) + 1
    segment = np.repeat(np.arange(len(x0)), lengths)
    starts = np.cumsum(lengths) - lengths
    t = (np.arange(lengths.sum()) - starts[segment]) / np.maximum(lengths[segment] - 1, 1)
    px = np.rint(x0[segment] + (x1 - x0)[segment] * t).astype(int)
    py = np.rint(y0[segment] + (y1 - y0)[segment] * t).astype(int)
    for d_col, d_row in ((0, 0), (1, 0), (0, 1), (1, 1)):
        c, r = px + d_col, py + d_row
        inside = (c >= left) & (c <= right) & (r >= top) & (r <= bottom)
        image[r[inside], c[inside]] = colour


def cost_curve_image(history_costs, size=(320, 240), validation=None):
    """A line chart of the cost per epoch, uint8 (H, W, 3) with ``size`` = (W, H).

    ``history_costs`` holds one cost per epoch (epoch 1 first); ``validation``,
    if given, a second series drawn in orange. The y axis is logarithmic when
    the costs span more than a factor of 20 across at least two powers of ten.
    Non-finite costs (a diverged run) leave a gap in the line.
    """
    width, height = _check_size(size)
    train = np.asarray(history_costs, dtype=float).reshape(-1)
    series = [(train, PALETTE[1], "train")]
    if validation is not None:
        series.append((np.asarray(validation, dtype=float).reshape(-1), PALETTE[4], "validation"))
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[:] = WHITE

    values = np.concatenate([values for values, _, _ in series])
    finite = values[np.isfinite(values)]
    n_epochs = max(len(values) for values, _, _ in series)
    if not len(finite):
        draw_text(image, 4, 4, "no finite costs to show", TEXT)
        return image

    lowest, highest = float(finite.min()), float(finite.max())
    use_log = (lowest > 0 and highest / lowest > 20
               and math.floor(math.log10(highest)) - math.ceil(math.log10(lowest)) >= 1)
    transform = np.log10 if use_log else (lambda v: np.asarray(v, dtype=float))
    y_low, y_high = (float(v) for v in transform(np.array([lowest, highest])))
    if y_high - y_low <= 0:
        pad = 0.5 if use_log else max(abs(y_low) * 0.1, 1e-12 if y_low else 1.0)
        y_low, y_high = y_low - pad, y_high + pad
    pad = (y_high - y_low) * 0.05
    y_low, y_high = y_low - pad, y_high + pad
    if use_log:
        y_ticks = np.arange(math.ceil(y_low), math.floor(y_high) + 1)
        y_labels = [_format_number(10.0 ** tick) for tick in y_ticks]
    else:
        y_ticks = _nice_ticks(y_low, y_high, max_ticks=max(4, height // 35))
        y_labels = [_format_number(tick) for tick in y_ticks]
    x_low, x_high = 1.0, float(max(n_epochs, 2))
    x_ticks = _nice_ticks(x_low, x_high, max_ticks=max(4, width // 50), integer=True)
    x_ticks = x_ticks[x_ticks >= 1]
    if len(x_ticks) < 2:
        x_ticks = np.array([x_low, x_high])

    label_width = max(text_size(label)[0] for label in y_labels)
    last_label_width = text_size(_format_number(x_ticks[-1]))[0] if len(x_ticks) else 0
    left, top = label_width + 8, 14
    right, bottom = width - 4 - max(4, last_label_width // 2), height - 2 * LINE_ADVANCE - 8
    if right - left < 10 or bottom - top < 10:
        raise ValueError(f"size {size} is too small for a cost curve")

    def to_col(epoch):
        return left + (np.asarray(epoch, dtype=float) - x_low) / (x_high - x_low) * (right - left)

    def to_row(value):
        return bottom - (transform(value) - y_low) / (y_high - y_low) * (bottom - top)

    for tick, label in zip(y_ticks, y_labels):
        row = int(round(bottom - (tick - y_low) / (y_high - y_low) * (bottom - top)))
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

    with np.errstate(divide="ignore", invalid="ignore"):
        for values, colour, _ in series:
            rows = to_row(np.where(values > 0, values, np.nan) if use_log else values)
            cols = to_col(np.arange(1, len(values) + 1))
            _draw_polyline(image, cols, rows, colour, (left + 1, top, right, bottom - 1))
            shown = np.isfinite(rows)
            alone = shown & ~np.r_[False, shown[:-1]] & ~np.r_[shown[1:], False]
            _stamp(image, np.rint(rows[alone]).astype(int), np.rint(cols[alone]).astype(int),
                   colour, 2)

    caption = "cost (log scale)" if use_log else "cost"
    draw_text(image, left, 2, caption, TEXT)
    legend_left = right
    for _, colour, name in reversed(series):
        legend_left -= text_size(name)[0]
        draw_text(image, legend_left, 2, name, colour)
        legend_left -= 12
    draw_text(image, (left + right - text_size("epoch")[0]) // 2, height - LINE_ADVANCE, "epoch",
              TEXT)
    return image


def _as_rgb(image):
    """``image`` (H, W) or (H, W, 3) uint8 as (H, W, 3)."""
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim not in (2, 3) or (image.ndim == 3
                                                               and image.shape[2] != 3):
        raise ValueError(f"panels must be uint8 arrays (H, W, 3) or (H, W), "
                         f"got {image.dtype} {image.shape}")
    return np.repeat(image[:, :, None], 3, axis=2) if image.ndim == 2 else image


def compose(images, titles=None, title=None, margin=12, vertical=False):
    """Panels side by side (or stacked, with ``vertical``) on white, uint8 (H, W, 3).

    Each panel may carry a title above it (``titles``, one per panel, ``None``
    or ``""`` for none); ``title`` goes above everything in double-size text.
    Panels are aligned at their top (at their left when stacked).
    """
    panels = [_as_rgb(image) for image in images]
    if not panels:
        raise ValueError("compose needs at least one image")
    titles = list(titles) if titles is not None else [None] * len(panels)
    if len(titles) != len(panels):
        raise ValueError(f"{len(titles)} titles for {len(panels)} images")
    title_height = LINE_ADVANCE + 6 if any(titles) else 0
    boxes = [(max(panel.shape[1], text_size(name or "")[0]), panel.shape[0] + title_height)
             for panel, name in zip(panels, titles)]
    heading_height = text_size(title, 2)[1] + margin if title else 0
    if vertical:
        inner_width = max(w for w, _ in boxes)
        inner_height = sum(h for _, h in boxes) + margin * (len(boxes) - 1)
    else:
        inner_width = sum(w for w, _ in boxes) + margin * (len(boxes) - 1)
        inner_height = max(h for _, h in boxes)
    if title:
        inner_width = max(inner_width, text_size(title, 2)[0])
    figure = np.empty((inner_height + heading_height + 2 * margin, inner_width + 2 * margin, 3),
                      dtype=np.uint8)
    figure[:] = WHITE
    if title:
        draw_text(figure, margin, margin, title, TEXT, scale=2)
    x, y = margin, margin + heading_height
    for panel, name, (box_width, box_height) in zip(panels, titles, boxes):
        if name:
            draw_text(figure, x, y, name, TEXT)
        figure[y + title_height:y + title_height + panel.shape[0], x:x + panel.shape[1]] = panel
        if vertical:
            y += box_height + margin
        else:
            x += box_width + margin
    return figure


def framed_map(image, low, high, axis_names=("x", "y")):
    """A map ``image`` of [low[0], high[0]] x [low[1], high[1]] framed, with ticks and labels."""
    low, high = _check_domain(low, high, 2)
    image = _as_rgb(image)
    height, width = image.shape[:2]
    x_ticks = _nice_ticks(low[0], high[0], max_ticks=max(2, width // 50))
    y_ticks = _nice_ticks(low[1], high[1], max_ticks=max(2, height // 40))
    y_labels = [_format_number(tick) for tick in y_ticks]
    y_name_width = text_size(axis_names[1])[0] + 6
    left = y_name_width + max(text_size(label)[0] for label in y_labels) + 6
    top = 4
    x_name_height = LINE_ADVANCE + 2
    figure = np.empty((top + height + 2 + 6 + LINE_ADVANCE + x_name_height, left + width + 2
                       + text_size(_format_number(x_ticks[-1]))[0] // 2 + 2, 3), dtype=np.uint8)
    figure[:] = WHITE
    figure[top:top + height + 2, left:left + width + 2] = AXIS
    figure[top + 1:top + 1 + height, left + 1:left + 1 + width] = image
    for tick, label in zip(y_ticks, y_labels):
        row = top + 1 + int(round((high[1] - tick) / (high[1] - low[1]) * (height - 1)))
        figure[row, left - 3:left] = AXIS
        draw_text(figure, left - 5 - text_size(label)[0], row - 3, label, TEXT)
    for tick in x_ticks:
        col = left + 1 + int(round((tick - low[0]) / (high[0] - low[0]) * (width - 1)))
        figure[top + height + 2:top + height + 5, col] = AXIS
        label = _format_number(tick)
        draw_text(figure, col - text_size(label)[0] // 2, top + height + 7, label, TEXT)
    draw_text(figure, 0, top + 1 + height // 2 - 3, axis_names[1], TEXT)
    draw_text(figure, left + 1 + width // 2 - text_size(axis_names[0])[0] // 2,
              figure.shape[0] - LINE_ADVANCE, axis_names[0], TEXT)
    return figure


def legend_image(class_names, colours=None):
    """A one-line legend: a swatch in each class's colour and its name, uint8 (H, W, 3)."""
    names = [str(name) for name in class_names]
    if not names:
        raise ValueError("the legend needs at least one class name")
    colours = class_colours(len(names))[0] if colours is None else np.asarray(colours, np.uint8)
    swatch, spacing = 10, 16
    width = sum(swatch + 6 + text_size(name)[0] + spacing for name in names) - spacing
    image = np.empty((swatch + 2, width, 3), dtype=np.uint8)
    image[:] = WHITE
    x = 0
    for name, colour in zip(names, colours):
        image[0:swatch + 2, x:x + swatch + 2] = OUTLINE
        image[1:swatch + 1, x + 1:x + swatch + 1] = colour
        draw_text(image, x + swatch + 6, 3, name, TEXT)
        x += swatch + 6 + text_size(name)[0] + spacing
    return image


def save_plot(path, predict, problem, points=None, point_classes=None, costs=None,
              val_costs=None, true_label=None):
    """Write the figure of a model on ``problem`` (a ``src.problems.Problem``) as a PNG.

    For a 2-D problem: the decision regions over ``problem.input_low`` ..
    ``input_high`` with the optional training points (``points`` (n, 2) and
    ``point_classes``, see ``decision_map_image``); for a 3-input problem
    (red): slices of the cube, with errors against ``true_label`` marked in
    black. Beside it the cost curve when ``costs`` (one per epoch) is given,
    with ``val_costs`` as a second series, and a legend of
    ``problem.class_names`` below. Returns the figure, uint8 (H, W, 3).
    """
    n_inputs = len(problem.input_names)
    if n_inputs == 2:
        region_map = decision_map_image(predict, problem.input_low, problem.input_high,
                                        size=(300, 300), points=points,
                                        point_classes=point_classes)
        panel = framed_map(region_map, problem.input_low, problem.input_high,
                           problem.input_names)
        panel_title = "decision regions" + (" and training points" if points is not None else "")
    elif n_inputs == 3:
        low, high = float(min(problem.input_low)), float(max(problem.input_high))
        panel = red_slices_image(predict, true_label=true_label, low=low, high=high)
        panel_title = "slices of the colour cube at five blue levels"
    else:
        raise ValueError(
            f"can only draw problems with 2 or 3 inputs; {problem.name} has {n_inputs}")
    panels, titles = [panel], [panel_title]
    if costs is not None:
        panels.append(cost_curve_image(costs, size=(340, max(panel.shape[0], 200)),
                                       validation=val_costs))
        titles.append("training cost per epoch")
    body = compose(panels, titles=titles, margin=0)
    figure = compose([body, legend_image(problem.class_names)], title=problem.name,
                     vertical=True, margin=14)
    write_png(path, figure)
    return figure


def terminal_map(predict, low, high, width=60, height=20, symbols=None, class_names=None,
                 axis_names=("x", "y")):
    """The decision regions of a 2-D classifier as plain ASCII text.

    One character per cell, the symbol of the class predicted at the cell's
    centre (``symbols[k]`` for class k; by default '#', '.', 'o', 'x', ...).
    The top line of the map is the highest y. The frame carries the y range
    on the left, the x range below, and a legend line names the classes
    (``class_names``, or 'class 0', 'class 1', ...).
    """
    low, high = _check_domain(low, high, 2)
    width, height = _check_size((width, height))
    xs = _grid_axis(low[0], high[0], width)
    ys = _grid_axis(low[1], high[1], height)[::-1]
    grid_x, grid_y = np.meshgrid(xs, ys)
    scores = _scores(predict, np.column_stack([grid_x.ravel(), grid_y.ravel()]))
    classes = np.argmax(scores, axis=1).reshape(height, width)
    n_classes = max(scores.shape[1], len(class_names) if class_names is not None else 0)
    symbols = TERMINAL_SYMBOLS if symbols is None else symbols
    symbols = [str(symbol) for symbol in symbols]
    if len(symbols) < n_classes or any(len(symbol) != 1 for symbol in symbols):
        raise ValueError(f"need one single-character symbol per class ({n_classes}), "
                         f"got {symbols!r}")
    names = (list(class_names) if class_names is not None
             else [f"class {index}" for index in range(n_classes)])

    top_label, bottom_label = _format_number(high[1]), _format_number(low[1])
    gutter = max(len(top_label), len(bottom_label), len(axis_names[1])) + 1
    border = " " * gutter + "+" + "-" * width + "+"
    lines = [border]
    for row in range(height):
        label = top_label if row == 0 else bottom_label if row == height - 1 else ""
        if height > 2 and row == height // 2:
            label = axis_names[1]
        cells = "".join(symbols[c] for c in classes[row])
        lines.append(label.rjust(gutter - 1) + " |" + cells + "|")
    lines.append(border)
    left_label, right_label = _format_number(low[0]), _format_number(high[0])
    middle = axis_names[0].center(max(width + 2 - len(left_label) - len(right_label), 1))
    lines.append(" " * gutter + left_label + middle + right_label)
    legend = "   ".join(f"{symbols[index]} {name}" for index, name in enumerate(names))
    lines.append(" " * gutter + legend)
    return "\n".join(lines)
