"""Pictures of a classifier whose inputs are the pixels of small images (digits).

- ``shaded_text``: one image as lines of shaded characters, for the terminal.
- ``image_grid``: many images, each captioned with the predicted class; a
  wrong one is framed in red and captioned ``predicted/true`` in red.
- ``confusion_heat_map``: a confusion matrix as a heat map with its counts.
- ``image_plot_figure`` and ``save_image_plot``: the picture of
  ``main_load.py --plot`` for such a problem: the grid, the first hidden
  layer's weights as images (``neurons.weight_images``, what each neuron
  looks for), the heat map and the cost curve.

Images come as rows of pixel values, row by row (shape ``(n, h * w)``), from
``0`` (blank paper, drawn white) to ``high`` (full ink, drawn black). What it
leaves out: colour images and inputs that are not pixels.
"""

import numpy as np

from src.pictures.canvas import Canvas
from src.pictures.colours import POSITIVE, TEXT, WHITE, mix
from src.pictures.figures import CAP_MIDDLE, cost_figure, stack, titled
from src.pictures.neurons import weight_images
from src.pictures.png import write_png

SHADES = " .:-=+*#%@"
INK = np.array([20, 20, 20], dtype=np.uint8)
WRONG = np.array([214, 40, 40], dtype=np.uint8)
GRID_LINE = np.array([210, 210, 210], dtype=np.uint8)


def _images(images, shape):
    """``images`` ``(n, h * w)`` (or one image) as float ``(n, h, w)``; a ``ValueError`` if the sizes disagree."""
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 1:
        images = images[np.newaxis]
    height, width = (int(v) for v in shape)
    if images.ndim != 2 or images.shape[1] != height * width:
        raise ValueError(f"images must have {height * width} pixels each ({height}x{width}), "
                         f"got shape {images.shape}")
    return images.reshape(-1, height, width)


def shaded_text(image, shape, high=16.0):
    """One image ``(h * w,)`` as ``h + 2`` lines of text in a frame, two characters per pixel.

    A pixel's value from 0 to ``high`` picks one of ``SHADES``, from blank to
    ``@``; values outside are clipped. Two characters per pixel keep the
    image about square in a terminal, whose characters are twice as tall as wide.
    """
    pixels = _images(image, shape)[0]
    levels = np.clip(np.rint(pixels / float(high) * (len(SHADES) - 1)), 0, len(SHADES) - 1).astype(int)
    border = "+" + "-" * (2 * pixels.shape[1]) + "+"
    return [border, *("|" + "".join(SHADES[level] * 2 for level in row) + "|" for row in levels), border]


def grey_tiles(images, shape, high, pixel):
    """Images as ink on paper, each pixel ``pixel`` x ``pixel``: uint8 ``(n, h * pixel, w * pixel, 3)``."""
    amount = np.clip(_images(images, shape) / float(high), 0.0, 1.0)
    tiles = mix(WHITE, INK, amount[..., None])
    return tiles.repeat(pixel, axis=1).repeat(pixel, axis=2)


def image_grid(images, shape, predicted, true, class_names, high=16.0, columns=30, pixel=3, scale=1):
    """All ``images`` ``(n, h * w)`` in a grid, each captioned with its predicted class, as a Canvas.

    ``predicted`` and ``true`` are class indices ``(n,)``. A right answer's
    caption is its class name; a wrong one's tile is framed in red and its
    caption, in red, is ``predicted/true``. Images run left to right, then
    down, in the order given.
    """
    probe = Canvas(1, 1, scale)
    pixel = probe.px(pixel)
    tiles = grey_tiles(images, shape, high, pixel)
    predicted, true = np.asarray(predicted), np.asarray(true)
    n, tile_h, tile_w = tiles.shape[:3]
    if predicted.shape != (n,) or true.shape != (n,):
        raise ValueError(f"predicted and true need one class index per image ({n})")
    captions = [str(class_names[p]) if p == t else f"{class_names[p]}/{class_names[t]}"
                for p, t in zip(predicted, true)]
    frame, gap = probe.px(2), probe.px(4)
    line_height = probe.text_size("Ag")[1]
    cell_w = max(tile_w + 2 * frame, max(probe.text_size(c)[0] for c in captions)) + gap
    cell_h = tile_h + 2 * frame + probe.px(2) + line_height + gap
    columns = max(1, min(int(columns), n))
    rows = -(-n // columns)
    canvas = Canvas(columns * cell_w - gap, rows * cell_h - gap, scale)
    for index in range(n):
        top, left = (index // columns) * cell_h, (index % columns) * cell_w
        middle = left + (cell_w - gap) // 2
        x = middle - tile_w // 2
        wrong = predicted[index] != true[index]
        if wrong:
            canvas.pixels[top:top + tile_h + 2 * frame, x - frame:x + tile_w + frame] = WRONG
        canvas.pixels[top + frame:top + frame + tile_h, x:x + tile_w] = tiles[index]
        canvas.text(middle, top + tile_h + 2 * frame + probe.px(2), captions[index],
                    WRONG if wrong else TEXT, align="centre")
    return canvas


def confusion_heat_map(matrix, class_names, cell=26, scale=1):
    """A confusion matrix (row: true class, column: predicted) as a heat map with its counts, as a Canvas.

    A cell is shaded by its share of its row (the true class's samples): the
    square root of the share, so that one stray sample among fifty still
    shows. A dark diagonal means the classes are recognised, and a shaded
    cell off it shows which class is taken for which.
    """
    matrix = np.asarray(matrix)
    k = len(class_names)
    if matrix.shape != (k, k):
        raise ValueError(f"the confusion matrix must be {k}x{k}, got shape {matrix.shape}")
    probe = Canvas(1, 1, scale)
    cell, t = probe.px(cell), probe.scale
    rows = matrix.sum(axis=1, keepdims=True)
    amount = np.sqrt(np.divide(matrix, rows, out=np.zeros(matrix.shape), where=rows > 0))
    names = [str(name) for name in class_names]
    line_height = probe.text_size("Ag")[1]
    label_w = max(probe.text_size(name)[0] for name in names) + probe.px(6)
    side_w = probe.text_size("true")[0] + probe.px(6)
    top = 2 * line_height + probe.px(6)
    left = side_w + label_w
    canvas = Canvas(left + k * cell + t, top + k * cell + t, scale)
    canvas.text(left + k * cell // 2, 0, "predicted", align="centre")
    canvas.text(0, top + k * cell // 2 - probe.px(CAP_MIDDLE), "true")
    for i, name in enumerate(names):
        canvas.text(left - probe.px(4), top + i * cell + cell // 2 - probe.px(CAP_MIDDLE), name, align="right")
        canvas.text(left + i * cell + cell // 2, line_height + probe.px(3), name, align="centre")
    for i in range(k):
        for j in range(k):
            y, x = top + i * cell, left + j * cell
            canvas.pixels[y:y + cell, x:x + cell] = mix(WHITE, POSITIVE, amount[i, j])
            if matrix[i, j]:
                colour = WHITE if amount[i, j] > 0.6 else TEXT
                canvas.text(x + cell // 2 + t, y + cell // 2 - probe.px(CAP_MIDDLE), str(int(matrix[i, j])),
                            colour, align="centre")
    for line in range(k + 1):  # grid lines between the cells
        canvas.pixels[top + line * cell:top + line * cell + t, left:left + k * cell + t] = GRID_LINE
        canvas.pixels[top:top + k * cell + t, left + line * cell:left + line * cell + t] = GRID_LINE
    return canvas


def image_plot_figure(problem, images, predicted, true, matrix, net, costs=None, val_costs=None,
                      what="test samples", title=None, subtitle=None, scale=1):
    """The picture of ``main_load.py --plot`` for an image problem, as a Canvas.

    ``images`` ``(n, h * w)`` with their ``predicted`` and ``true`` class
    indices fill the grid; ``matrix`` is their confusion matrix; ``net``'s
    first hidden layer's weights are drawn as images; ``costs`` (and
    ``val_costs``), one per epoch, make the cost curve.
    """
    shape, names = problem.image_shape, list(problem.class_names)
    high = float(max(problem.input_high))
    wrong = int(np.count_nonzero(np.asarray(predicted) != np.asarray(true)))
    grid = image_grid(images, shape, predicted, true, names, high, scale=scale)
    weights = weight_images(net.layers[1].weights, shape, scale=scale)
    right_column = [confusion_heat_map(matrix, names, scale=scale)]
    right_titles = [f"confusion matrix on the {what}"]
    if costs is not None:
        right_column.append(cost_figure(costs, size=(340, 240), validation=val_costs, scale=scale,
                                        name="cost per epoch"))
        right_titles.append(None)
    lower = stack([weights, stack(right_column, vertical=True, titles=right_titles, gap=16, scale=scale)],
                  titles=["the first hidden layer's weights: what each neuron looks for", None],
                  gap=24, scale=scale)
    grid_title = (f"{len(images)} {what} with the predicted digit; the {wrong} wrong ones "
                  "framed in red, captioned predicted/true")
    body = stack([grid, lower], vertical=True, titles=[grid_title, None], gap=20, scale=scale)
    return titled(body, title or problem.name, subtitle, scale)


def save_image_plot(path, problem, images, predicted, true, matrix, net, **options):
    """Write ``image_plot_figure(...)`` as a PNG; return its pixels."""
    figure = image_plot_figure(problem, images, predicted, true, matrix, net, **options)
    write_png(path, figure.pixels)
    return figure.pixels
