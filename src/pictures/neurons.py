"""What every neuron computes: its activation over the input plane, as small heat maps.

TensorFlow Playground shows, for each hidden neuron, a little map of its
output over the input plane; this module draws the same for a trained
network, layer by layer like the network itself:

- a problem with 2 inputs: one map per neuron over the input domain, the
  output neurons' maps larger with the training points faint on them;
- a problem with 3 inputs (red): per neuron, a row of slices across the
  third input, at the levels where the model's boundary lies;
- a problem whose inputs are an image (``problem.image_shape``, e.g. digits'
  8 x 8): the first layer's weights, one image per neuron (``weight_images``).

Colours run from dark (low) to light (high): over the activation's whole
range when it is bounded (tanh: -1 to 1, softmax: 0 to 1), the same for every
neuron of the layer; otherwise (ReLU, ELU) from each neuron's lowest to its
highest value on its map. The column header says which. ``neuron_values``
gives the numbers behind the maps; the network itself is only read.
"""

import math

import numpy as np

from src.pictures.canvas import Canvas
from src.pictures.colours import AXIS, class_colours, heat_colours, signed_colours
from src.pictures.figures import (as_classes, boundary_levels, check_domain, draw_points,
                                  format_number, plane_grid, stack, titled)
from src.pictures.png import write_png
from src.pictures.titles import model_title


def neuron_values(net, inputs):
    """Every non-input layer's activations for ``inputs`` (n, d) raw: a list of (n, size) arrays."""
    return [step["activation"] for step in net.forward_trace(np.asarray(inputs, dtype=float))[1:]]


def colour_shares(layer, values):
    """``(shares, text)``: ``values`` (n, size) of one layer as 0..1 for the ramp, and how.

    A bounded activation (tanh, sigmoid, softmax) is shown over its whole
    range, the same for every neuron of the layer, so a saturated neuron
    looks saturated. An unbounded one (ReLU, ELU, linear) is shown from each
    neuron's lowest to its highest value on the map.
    """
    low, high = layer.activation_func.output_range
    if math.isfinite(low) and math.isfinite(high):
        text = f"dark {format_number(low)} to light {format_number(high)}, its whole range"
        return (values - low) / (high - low), text
    finite = np.where(np.isfinite(values), values, np.nan)
    lowest, highest = np.nanmin(finite, axis=0), np.nanmax(finite, axis=0)
    span = np.where(highest > lowest, highest - lowest, 1.0)
    return (values - lowest) / span, "each map from dark (its lowest) to light (its highest)"


def layer_name(net, index):
    """'hidden 1: 32 tanh' or 'output: 2 softmax' for layer ``index`` (>= 1)."""
    layer = net.layers[index]
    kind = "output" if index == len(net.layers) - 1 else f"hidden {index}"
    return f"{kind}: {layer.layer_size} {layer.activation_func.title}"


def _grid_shape(count):
    """(columns, rows) of a block of ``count`` maps: one column up to 8, else near-square."""
    if count <= 8:
        return 1, count
    columns = math.ceil(math.sqrt(count))
    return columns, math.ceil(count / columns)


def _ramp_bar(canvas_scale, width, low_text, high_text):
    """A horizontal colour bar of the heat ramp with its two ends named."""
    probe = Canvas(1, 1, canvas_scale)
    bar_height = probe.px(8)
    line_height = probe.text_size("Ag")[1]
    canvas = Canvas(max(width, probe.text_size(low_text + high_text)[0] + probe.px(12)),
                    bar_height + probe.px(3) + line_height + 2 * probe.scale, canvas_scale)
    bar = heat_colours(np.linspace(0, 1, canvas.width - 2 * probe.scale))
    canvas.pixels[probe.scale:probe.scale + bar_height, probe.scale:-probe.scale] = bar[None]
    canvas.frame(probe.scale, probe.scale, canvas.width - 2 * probe.scale, bar_height, AXIS)
    top = bar_height + probe.px(3) + probe.scale
    canvas.text(0, top, low_text)
    canvas.text(canvas.width, top, high_text, align="right")
    return canvas


def _layer_block(canvas_scale, header, range_text, tiles, columns, labels=None):
    """A column of the figure: a header, a line about the colour scale, and tiles in a grid."""
    probe = Canvas(1, 1, canvas_scale)
    gap, t = probe.px(4), probe.scale
    tile_height, tile_width = tiles[0].shape[:2]
    label_height = probe.text_size("Ag")[1] + probe.px(2) if labels else 0
    rows = math.ceil(len(tiles) / columns)
    cell_width = tile_width + 2 * t + gap
    if labels:
        cell_width = max(cell_width, max(probe.text_size(l)[0] for l in labels) + gap)
    cell_height = tile_height + 2 * t + label_height + gap
    line_height = probe.text_size("Ag")[1]
    head = 2 * line_height + probe.px(10)
    width = max(columns * cell_width - gap, probe.text_size(header)[0],
                probe.text_size(range_text)[0])
    canvas = Canvas(width, head + rows * cell_height - gap, canvas_scale)
    canvas.text(0, 0, header)
    canvas.text(0, line_height + probe.px(3), range_text)
    for index, tile in enumerate(tiles):
        row, column = divmod(index, columns)
        left = column * cell_width + t
        top = head + row * cell_height + t
        canvas.frame(left, top, tile_width, tile_height, AXIS)
        canvas.pixels[top:top + tile_height, left:left + tile_width] = tile
        if labels:
            canvas.text(left + tile_width // 2, top + tile_height + t + probe.px(2),
                        labels[index], align="centre")
    return canvas


def plane_tiles(net, index, low, high, size):
    """Layer ``index``'s maps over the plane [low, high]: ``(tiles, how the colours run)``.

    ``tiles`` holds one uint8 image (size, size, 3) per neuron, row 0 at the
    highest y, dark where the neuron's output is low and light where it is high.
    """
    values = neuron_values(net, plane_grid(low, high, size, size))[index - 1]
    shares, range_text = colour_shares(net.layers[index], values)
    return [heat_colours(shares[:, k]).reshape(size, size, 3)
            for k in range(shares.shape[1])], range_text


def plane_neuron_maps(net, low, high, output_names, points=None, point_classes=None,
                      scale=1):
    """The 2-input figure body: one block per layer, as a Canvas (see the module's docstring)."""
    low, high = check_domain(low, high, 2)
    hidden_sizes = [layer.layer_size for layer in net.layers[1:-1]]
    small = 40 if max(hidden_sizes, default=0) > 16 else 56
    blocks = []
    for index in range(1, len(net.layers)):
        is_output = index == len(net.layers) - 1
        size = (120 if is_output else small) * scale
        tiles, range_text = plane_tiles(net, index, low, high, size)
        labels = None
        if is_output:
            labels = list(output_names)
            if points is not None and len(points):
                classes = as_classes(point_classes, len(points))
                strong = class_colours(labels)[0]
                for tile in tiles:
                    draw_points(tile, np.asarray(points, float), classes, low, high, strong,
                                scale, opacity=0.4)
        elif size >= 48 * scale:
            labels = [str(k + 1) for k in range(len(tiles))]
        columns = min(len(tiles), 2) if is_output and len(tiles) <= 4 else _grid_shape(len(tiles))[0]
        blocks.append(_layer_block(scale, layer_name(net, index), range_text, tiles, columns,
                                   labels))
    return stack(blocks, gap=24, scale=scale, align="centre")


def slice_tiles(net, index, low, high, levels, square, gap=1):
    """Layer ``index``'s maps on slices at ``levels`` of the third input: ``(tiles, how the colours run)``.

    ``tiles`` holds one uint8 strip per neuron: a ``square`` x ``square``
    map over the first two inputs per level, side by side ``gap`` apart.
    """
    plane = plane_grid(low[:2], high[:2], square, square)
    inputs = np.concatenate([np.column_stack([plane, np.full(len(plane), level)]) for level in levels])
    values = neuron_values(net, inputs)[index - 1]
    shares, range_text = colour_shares(net.layers[index], values)
    shares = shares.reshape(len(levels), square, square, -1)
    tiles = []
    for k in range(shares.shape[-1]):
        strip = np.full((square, len(levels) * (square + gap) - gap, 3), 255, np.uint8)
        for j in range(len(levels)):
            strip[:, j * (square + gap):j * (square + gap) + square] = heat_colours(shares[j, :, :, k])
        tiles.append(strip)
    return tiles, range_text


def slice_neuron_maps(net, low, high, levels, output_names, scale=1):
    """The 3-input figure body: per neuron a row of slices at ``levels`` of the third input."""
    low, high = check_domain(low, high, 3)
    gap = scale
    blocks = []
    for index in range(1, len(net.layers)):
        is_output = index == len(net.layers) - 1
        square = (40 if is_output else 24) * scale
        layer = net.layers[index]
        tiles, range_text = slice_tiles(net, index, low, high, levels, square, gap)
        labels = list(output_names) if is_output else None
        columns = 1 if is_output or layer.layer_size <= 12 else math.ceil(layer.layer_size / 16)
        blocks.append(_layer_block(scale, layer_name(net, index), range_text, tiles, columns,
                                   labels))
    return stack(blocks, gap=24, scale=scale, align="centre")


def weight_tiles(weights, image_shape, block=4):
    """A layer's incoming weights as images: ``(tiles, strongest |weight|)``.

    ``weights`` (k, h * w): row j holds neuron j's weights from the h * w
    input pixels, row by row (``image_shape`` = (h, w)). Each becomes an
    h x w image of ``block`` x ``block`` squares: blue where the weight is
    positive, orange where negative, white at 0, on one scale for the whole
    layer (the largest |weight| is full colour).
    """
    weights = np.asarray(weights, dtype=float)
    height, width = (int(v) for v in image_shape)
    if weights.ndim != 2 or weights.shape[1] != height * width:
        raise ValueError(f"weights must have shape (k, {height * width}) for images of "
                         f"{height} x {width}, got {weights.shape}")
    strongest = float(np.max(np.abs(weights))) if weights.size else 0.0
    shares = weights / strongest if strongest > 0 else weights
    square = np.ones((int(block), int(block), 1))
    return [np.kron(signed_colours(row.reshape(height, width)), square).astype(np.uint8)
            for row in shares], strongest


def weight_images(weights, image_shape, pixel=4, columns=None, scale=1):
    """``weight_tiles`` laid out ``columns`` to a row (default: near-square), as a Canvas."""
    tiles, strongest = weight_tiles(weights, image_shape, int(pixel) * int(scale))
    height, width = (int(v) for v in image_shape)
    columns = columns or math.ceil(math.sqrt(len(tiles)))
    return _layer_block(scale, f"{len(tiles)} neurons, one {height} x {width} image each",
                        f"blue positive, orange negative, full colour at |w| = "
                        f"{format_number(round(strongest, 3))}", tiles, columns)


def neuron_figure(net, problem, points=None, point_classes=None, title=None, subtitle=None,
                  scale=1):
    """The picture of ``main_load.py --neurons`` for ``net`` on ``problem``, as a Canvas."""
    outputs = list(problem.class_names) or list(getattr(problem, "target_names", ())) \
        or [f"output {k + 1}" for k in range(net.layers[-1].layer_size)]
    image_shape = getattr(problem, "image_shape", None)
    n_inputs = net.layers[0].layer_size
    if image_shape is not None:
        first = net.layers[1]
        body = stack([weight_images(first.weights, image_shape, scale=scale)],
                     titles=[f"the first layer's weights ({layer_name(net, 1)})"], scale=scale)
    elif n_inputs == 2:
        body = plane_neuron_maps(net, problem.input_low, problem.input_high, outputs, points,
                                 point_classes, scale)
        body = stack([body, _ramp_bar(scale, 240 * scale, "low", "high")], vertical=True,
                     titles=[f"each neuron's output over {problem.input_names[0]} across, "
                             f"{problem.input_names[1]} up (training points faint on the "
                             "outputs)", None], scale=scale)
    elif n_inputs == 3:
        levels, _ = boundary_levels(net.predict, problem.input_low, problem.input_high)
        names = problem.input_names
        body = slice_neuron_maps(net, problem.input_low, problem.input_high, levels, outputs,
                                 scale)
        note = (f"each neuron on slices at {names[2]} = " + ", ".join(f"{v:g}" for v in levels)
                + f" ({names[0]} across, {names[1]} up in each)")
        body = stack([body, _ramp_bar(scale, 240 * scale, "low", "high")], vertical=True,
                     titles=[note, None], scale=scale)
    else:
        raise ValueError(f"--neurons draws problems with 2 or 3 inputs or image inputs; "
                         f"{problem.name} has {n_inputs} inputs")
    return titled(body, title or model_title(problem, net), subtitle, scale)


def save_neuron_figure(path, net, problem, **options):
    """Write ``neuron_figure(net, problem, **options)`` as a PNG; return its pixels."""
    figure = neuron_figure(net, problem, **options)
    write_png(path, figure.pixels)
    return figure.pixels
