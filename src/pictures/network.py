"""The network drawn as a diagram: layers as columns of neurons, weights as lines.

Two steps, kept apart so that another renderer (an SVG in an HTML report)
draws exactly the same diagram:

1. ``network_layout(net, ...)`` decides everything: where each neuron sits,
   each weight's line (ends, width, colour, opacity, faint or not), each
   layer's faintness threshold, and every label and legend entry, in pixels
   at scale 1 with y pointing down. It returns a :class:`NetworkLayout` of
   plain numbers, strings and RGB tuples.
2. ``draw_network(layout, scale)`` rasterises that layout into a Canvas.

What the diagram shows: a line's colour is its weight's sign (blue
positive, orange negative), its width grows with |weight| on one scale for
the whole network, and each neuron's fill is its bias on the same colours.
Between two wide layers (thousands of weights), only the strongest weights
are drawn in full; the rest are faint, below a threshold written over the
gap and in the legend.
"""

import math
from dataclasses import dataclass

import numpy as np

from src.pictures.canvas import Canvas, faint_lines, line, stamp
from src.pictures.colours import DARK_OUTLINE, NEGATIVE, POSITIVE, signed_colours
from src.pictures.figures import format_number, titled
from src.pictures.font import text_size
from src.pictures.png import write_png
from src.pictures.titles import network_summary

COLUMN_GAP = 170
WIDE_COLUMN_GAP = 240
MAX_COLUMN_HEIGHT = 600
MAX_LABELLED_NEURONS = 24
STRONG_PER_NEURON = 2  # strong lines kept between wide layers: this many per neuron of the wider one
THIN, THICK = 0.6, 4.0
FAINT_OPACITY, STRONG_OPACITY = 0.12, 0.9
LEGEND_FAINT_OPACITY = 0.35  # the legend's sample of a faint line, visible on its own
FAINT_LINES_AT_FULL = 300  # more faint lines than this in a gap are drawn fainter still
INPUT_FILL = (215, 215, 215)


@dataclass(frozen=True)
class Neuron:
    layer: int
    index: int
    x: float
    y: float
    radius: float
    bias: float
    fill: tuple


@dataclass(frozen=True)
class Connection:
    """One weight: from neuron ``source`` of layer ``layer - 1`` to ``target`` of ``layer``."""

    layer: int
    source: int
    target: int
    x0: float
    y0: float
    x1: float
    y1: float
    weight: float
    width: float
    colour: tuple
    opacity: float
    faint: bool


@dataclass(frozen=True)
class Label:
    """Text whose box's top is at ``y``; ``x`` is its left edge, centre or right edge (``align``)."""

    x: float
    y: float
    text: str
    align: str = "left"
    size: int = 1


@dataclass(frozen=True)
class NetworkLayout:
    """Everything ``draw_network`` draws, in pixels at scale 1 (y down).

    ``thresholds[j]`` is the |weight| below which the weights into layer
    ``j + 1`` are faint (0: none are); ``strongest`` the |weight| drawn
    ``THICK`` wide. ``legend`` holds sample lines (as Connections) whose
    explanations are among ``labels``.
    """

    width: float
    height: float
    neurons: tuple
    connections: tuple
    labels: tuple
    thresholds: tuple
    strongest: float
    legend: tuple


def _round_down(value, digits=2):
    """``value`` > 0 rounded down to ``digits`` significant digits (so the legend's number is exact)."""
    if value <= 0:
        return 0.0
    power = 10.0 ** (math.floor(math.log10(value)) - digits + 1)
    return math.floor(value / power + 1e-9) * power


def faint_threshold(weights):
    """The |weight| below which the lines of ``weights`` (k, m) are faint; 0 when all are strong.

    Between two layers of k and m neurons, ``STRONG_PER_NEURON * max(k, m)``
    lines are enough to see structure; when there are more, the strongest
    that many stay strong, the threshold rounded down to two digits.
    """
    magnitudes = np.sort(np.abs(np.asarray(weights, dtype=float)).ravel())[::-1]
    keep = STRONG_PER_NEURON * max(np.shape(weights))
    if magnitudes.size <= keep:
        return 0.0
    return _round_down(float(magnitudes[keep - 1]))


def network_layout(net, input_names=None, output_names=None):
    """The diagram of ``net`` (a NeuralNet: ``layers`` with weights and biases), laid out.

    ``input_names`` and ``output_names`` label the first and last columns
    (when they have at most 24 neurons).
    """
    layers = list(net.layers)
    sizes = [layer.layer_size for layer in layers]
    line_height = text_size("Ag")[1]
    spacing = min(28.0, max(4.0, MAX_COLUMN_HEIGHT / max(max(sizes) - 1, 1)))
    radius = min(8.0, max(1.5, spacing * 0.36))
    tallest = spacing * (max(sizes) - 1)

    in_names = [str(n) for n in (input_names or [])]
    out_names = [str(n) for n in (output_names or [])]
    label_inputs = len(in_names) == sizes[0] and sizes[0] <= MAX_LABELLED_NEURONS
    label_outputs = len(out_names) == sizes[-1] and sizes[-1] <= MAX_LABELLED_NEURONS
    left = 12 + (max(text_size(n)[0] for n in in_names) + 6 if label_inputs else 0) + radius
    top = 3 * line_height + 20 + radius
    xs = [left]
    for before, after in zip(sizes, sizes[1:]):  # wide layers get more room between them
        xs.append(xs[-1] + (COLUMN_GAP if max(before, after) <= 16 else WIDE_COLUMN_GAP))
    right = xs[-1] + radius + (max(text_size(n)[0] for n in out_names) + 6 if label_outputs else 0)

    biases = [np.asarray(layer.biases, dtype=float) for layer in layers[1:]]
    largest_bias = max([float(np.max(np.abs(b))) for b in biases if b.size] + [0.0])
    neurons, positions = [], []
    for j, (layer, size) in enumerate(zip(layers, sizes)):
        column_top = top + (tallest - spacing * (size - 1)) / 2
        ys = [column_top + spacing * i for i in range(size)]
        positions.append(ys)
        for i, y in enumerate(ys):
            bias = 0.0 if j == 0 else float(layer.biases[i])
            fill = INPUT_FILL if j == 0 else tuple(int(c) for c in signed_colours(
                bias / largest_bias if largest_bias > 0 else 0.0))
            neurons.append(Neuron(j, i, xs[j], y, radius, bias, fill))

    strongest = max(float(np.max(np.abs(layer.weights))) for layer in layers[1:]) \
        if len(layers) > 1 else 0.0
    connections, thresholds = [], []
    for j in range(1, len(layers)):
        weights = np.asarray(layers[j].weights, dtype=float)
        threshold = faint_threshold(weights)
        thresholds.append(threshold)
        n_faint = int(np.count_nonzero(np.abs(weights) < threshold))
        faint_opacity = FAINT_OPACITY * min(1.0, math.sqrt(FAINT_LINES_AT_FULL / max(n_faint, 1)))
        for target in range(weights.shape[0]):
            for source in range(weights.shape[1]):
                w = float(weights[target, source])
                faint = abs(w) < threshold
                share = abs(w) / strongest if strongest > 0 else 0.0
                connections.append(Connection(
                    j, source, target, xs[j - 1], positions[j - 1][source], xs[j],
                    positions[j][target], w, THIN if faint else THIN + (THICK - THIN) * share,
                    tuple(int(c) for c in (POSITIVE if w >= 0 else NEGATIVE)),
                    faint_opacity if faint else STRONG_OPACITY, faint))

    labels = []
    for j, layer in enumerate(layers):
        kind = "input" if j == 0 else "output" if j == len(layers) - 1 else f"hidden {j}"
        labels.append(Label(xs[j], 12, kind, "centre"))
        detail = f"{layer.layer_size}" + ("" if j == 0 else f" {layer.activation_func.title}")
        labels.append(Label(xs[j], 12 + line_height + 2, detail, "centre"))
    for j, threshold in enumerate(thresholds, start=1):
        if threshold > 0:
            labels.append(Label((xs[j - 1] + xs[j]) / 2, 12 + 2 * (line_height + 2),
                                f"faint: |w| < {format_number(threshold)}", "centre"))
    if label_inputs:
        for name, y in zip(in_names, positions[0]):
            labels.append(Label(xs[0] - radius - 6, y - 3, name, "right"))
    if label_outputs:
        for name, y in zip(out_names, positions[-1]):
            labels.append(Label(xs[-1] + radius + 6, y - 3, name, "left"))

    legend_top = top + tallest + radius + 24
    samples = [
        (POSITIVE, THICK, STRONG_OPACITY, "positive weight"),
        (NEGATIVE, THICK, STRONG_OPACITY, "negative weight"),
        (POSITIVE, THIN + (THICK - THIN) * 0.25, STRONG_OPACITY,
         f"width grows with |w|: widest |w| = {format_number(round(strongest, 3))}"),
        (POSITIVE, THIN, LEGEND_FAINT_OPACITY, "faint: |w| below the threshold over its gap"
         if any(thresholds) else "faint: none (every weight is drawn)"),
    ]
    legend = []
    for row, (colour, width, opacity, text) in enumerate(samples):
        y = legend_top + row * (line_height + 4) + 3
        legend.append(Connection(0, 0, 0, 12, y, 40, y, 0.0, width,
                                 tuple(int(c) for c in colour), opacity, opacity < STRONG_OPACITY))
        labels.append(Label(48, y - 3, text))
    labels.append(Label(12, legend_top + len(samples) * (line_height + 4) + 2,
                        "circles: each neuron's bias, on the same colours (grey: input)"))
    width = max(right, max(_label_right(label) for label in labels)) + 12
    height = legend_top + (len(samples) + 1) * (line_height + 4) + 12
    return NetworkLayout(width, height, tuple(neurons), tuple(connections), tuple(labels),
                         tuple(thresholds), strongest, tuple(legend))


def _label_right(label):
    width = text_size(label.text, label.size)[0]
    return label.x + {"left": width, "centre": width / 2, "right": 0}[label.align]


def draw_network(layout, scale=1):
    """Rasterise a :class:`NetworkLayout` into a Canvas at ``scale``.

    Faint lines first, then strong ones from the weakest to the strongest,
    so the strong ones lie on top; then the neurons and the labels.
    """
    canvas = Canvas(math.ceil(layout.width * scale), math.ceil(layout.height * scale), scale)
    pixels = canvas.pixels
    faint = [c for c in layout.connections if c.faint]
    for gap in sorted({c.layer for c in faint}):
        group = [c for c in faint if c.layer == gap]
        faint_lines(pixels, group[0].x0 * scale, group[0].x1 * scale,
                    [c.y0 * scale for c in group], [c.y1 * scale for c in group],
                    group[0].width * scale, [c.colour for c in group], group[0].opacity)
    strong = sorted((c for c in layout.connections if not c.faint), key=lambda c: abs(c.weight))
    for c in strong + list(layout.legend):
        line(pixels, c.x0 * scale, c.y0 * scale, c.x1 * scale, c.y1 * scale, c.width * scale,
             c.colour, c.opacity)
    rows = np.array([round(n.y * scale) for n in layout.neurons])
    cols = np.array([round(n.x * scale) for n in layout.neurons])
    radius = max(1, round(layout.neurons[0].radius * scale))
    stamp(pixels, rows, cols, DARK_OUTLINE, radius)
    stamp(pixels, rows, cols, np.array([n.fill for n in layout.neurons]),
          max(radius - max(1, scale), 0))
    for label in layout.labels:
        canvas.text(label.x * scale, label.y * scale, label.text, size=label.size,
                    align=label.align)
    return canvas


def network_figure(net, input_names=None, output_names=None, title=None, subtitle=None,
                   scale=1):
    """The picture of ``main_load.py --network``: the diagram under a title, as a Canvas."""
    diagram = draw_network(network_layout(net, input_names, output_names), scale)
    return titled(diagram, title or network_summary(net), subtitle, scale)


def save_network_figure(path, net, **options):
    """Write ``network_figure(net, **options)`` as a PNG; return its pixels."""
    figure = network_figure(net, **options)
    write_png(path, figure.pixels)
    return figure.pixels
