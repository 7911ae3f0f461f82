"""A training report: one self-contained HTML page per model, to open in any browser.

The page holds everything about a model in one file, with no request to any
network, no outside script, style or font (its Content-Security-Policy forbids
them): images are PNG data URIs, the network and the curves are inline SVG,
and a little plain JavaScript drives it.

- **Header**: the problem, the network, the cost, the optimiser and every
  setting, the seeds, the epochs, the training time and the held-out figures.
- **Training**: an epoch slider; moving it shows the decision regions (the
  cube slices for red, a regression's predictions against the true values)
  at that epoch and marks the epoch on the cost and accuracy curves.
- **The network**: the diagram of ``src.pictures.network`` drawn as SVG (the
  same layout, so the same lines, widths and faint weights); pointing at a
  weight shows its value, and pointing at, clicking or selecting with the
  keyboard (Tab, then Enter) a neuron shows its map of ``src.pictures.neurons``
  at the chosen epoch.
- **Evaluation**: the measurements of ``src.evaluation.measure_model``, the
  same ones ``main_load.py`` prints, as tables.

The snapshots are those ``src.pictures.animation.Snapshots`` takes during
training (as for ``--animate``): at most :data:`MAX_SNAPSHOTS` of them are
shown, spread evenly from the first to the last, and fewer when their
pictures would make the page larger than :data:`PAGE_BUDGET` bytes. A page
for an existing model (``main_load.py --report``) shows its final weights
alone, without a slider.

What it leaves out: the decision regions and neuron maps of problems with
more than three inputs (iris), except a first layer's weights as images when
the inputs are an image's pixels (``problem.image_shape``). The page is
built whole in memory; writing it takes about as long as drawing its
pictures (a second or less per snapshot).
"""

import base64
import html
import json
import math

import numpy as np

from src.arguments import path_argument
from src.datasets import load_dataset
from src.evaluation import cube_summary, measure_model, per_class_scores
from src.fileio import atomic_write_text
from src.pictures.animation import Snapshots, batches_per_epoch
from src.pictures.colours import NEGATIVE, POSITIVE, class_colours
from src.pictures.figures import (TRAIN_COLOUR, VALIDATION_COLOUR, boundary_levels, cost_axis, decision_map,
                                  format_number, framed_map, nice_ticks, slices_figure)
from src.pictures.network import STRONG_OPACITY, network_layout
from src.pictures.neurons import plane_tiles, slice_tiles, weight_tiles
from src.pictures.png import encode_png
from src.pictures.regression import scatter_figure
from src.pictures.titles import model_title, network_summary

MAX_SNAPSHOTS = 21
PAGE_BUDGET = 2_500_000  # bytes; the limit promised for any shipped model is 3 MB
MAP_SIZE = 32            # pixels of a neuron map over a plane (shown enlarged)
SLICE_SIZE = 24          # pixels of each slice of a neuron's map for 3 inputs
REGION_SIZE = 240        # pixels of a decision-region map


def output_names(problem):
    """The names of the output neurons: the classes, or a regression's targets."""
    return problem.target_names if problem.is_regression else problem.class_names


def _png_uri(image):
    return "data:image/png;base64," + base64.b64encode(encode_png(image)).decode("ascii")


def _esc(value):
    return html.escape(str(value), quote=True)


def _number(value, digits=4):
    """A short number for the page (``digits`` significant digits)."""
    return f"{value:.{digits}g}"


def _hex(colour):
    return "#" + "".join(f"{int(c):02x}" for c in colour)


# --- the pictures of one snapshot ---

class Scene:
    """What every snapshot's pictures share, fixed once from the final network.

    ``points`` and ``point_targets`` are the data file's samples (drawn on
    2-D maps; a regression's predicted-vs-true plot uses them); for three
    inputs, ``levels`` are the slices of the neuron maps (and of red's
    regions): where the final model's boundary lies.
    """

    def __init__(self, net, problem, points=None, point_targets=None):
        self.problem = problem
        self.points, self.point_targets = points, point_targets
        self.levels = None
        if problem.n_inputs == 3 and not problem.is_regression:
            self.levels, _ = boundary_levels(net.predict, problem.input_low, problem.input_high)
        elif problem.n_inputs == 3:  # a regression has no boundary: slices spread over the third input
            self.levels = [float(v) for v in np.linspace(problem.input_low[2], problem.input_high[2], 5)]

    def regions(self, net):
        """What the slider shows of ``net``: uint8 image, or None (more than 3 inputs)."""
        problem = self.problem
        if problem.is_regression:
            if self.points is None or not len(self.points):
                return None
            name = problem.target_names[0]
            return scatter_figure(np.asarray(self.point_targets)[:, 0], net.predict(self.points)[:, 0],
                                  size=(300, 280), x_name=f"true {name}", y_name=f"predicted {name}",
                                  line="identity").pixels
        if problem.n_inputs == 2:
            regions = decision_map(net.predict, problem.input_low, problem.input_high,
                                   (REGION_SIZE, REGION_SIZE), problem.class_names, self.points,
                                   self.point_targets)
            return framed_map(regions, problem.input_low, problem.input_high, problem.input_names).pixels
        if problem.n_inputs == 3:
            return slices_figure(net.predict, problem.input_low, problem.input_high, self.levels,
                                 problem.input_names, problem.class_names, problem.generator.label,
                                 slice_size=80).pixels
        return None

    def neuron_maps(self, net):
        """``(maps, notes)``: per layer after the input one, a list of uint8 images (or None) and a caption."""
        problem = self.problem
        maps, notes = [], []
        for index in range(1, len(net.layers)):
            if problem.n_inputs == 2:
                tiles, note = plane_tiles(net, index, problem.input_low, problem.input_high, MAP_SIZE)
            elif problem.n_inputs == 3:
                tiles, note = slice_tiles(net, index, problem.input_low, problem.input_high, self.levels,
                                          SLICE_SIZE, 2)
            elif index == 1 and problem.image_shape is not None:
                tiles, strongest = weight_tiles(net.layers[1].weights, problem.image_shape)
                note = (f"its weights from the {problem.image_shape[0]} x {problem.image_shape[1]} input "
                        f"pixels: blue positive, orange negative, full colour at |w| = {strongest:.3g}")
            else:
                tiles, note = None, None
            maps.append(tiles)
            notes.append(note)
        return maps, notes

    def render(self, net, epoch):
        """What the page shows of ``net`` at ``epoch``: a dict ready for JSON."""
        problem = self.problem
        regions = self.regions(net)
        maps, notes = self.neuron_maps(net)
        layout = network_layout(net, problem.input_names, output_names(problem))
        connections = layout.connections
        faint_opacity = [min((c.opacity for c in connections if c.layer == j and c.faint), default=0)
                         for j in range(1, len(net.layers))]
        return {
            "epoch": round(float(epoch), 3),
            "regions": None if regions is None else _png_uri(regions),
            "maps": [None if tiles is None else [_png_uri(t) for t in tiles] for tiles in maps],
            "notes": notes,
            "weights": [float(_number(c.weight)) for c in connections],
            "widths": [round(c.width, 1) for c in connections],
            "faint": "".join("1" if c.faint else "0" for c in connections),
            "faint_opacity": [round(o, 3) for o in faint_opacity],
            "fills": [_hex(n.fill) for n in layout.neurons if n.layer > 0],
            "biases": [float(_number(n.bias)) for n in layout.neurons if n.layer > 0],
            "labels": _labels_svg(layout),
        }


def _labels_svg(layout):
    """The diagram's labels and legend lines as SVG markup (they change with the weights)."""
    anchor = {"left": "start", "centre": "middle", "right": "end"}
    out = [f'<line x1="{c.x0:.1f}" y1="{c.y0:.1f}" x2="{c.x1:.1f}" y2="{c.y1:.1f}" stroke="{_hex(c.colour)}" '
           f'stroke-width="{c.width:.1f}" stroke-opacity="{c.opacity:.2f}"/>' for c in layout.legend]
    out += [f'<text x="{label.x:.1f}" y="{label.y:.1f}" text-anchor="{anchor[label.align]}" '
            f'dominant-baseline="hanging" class="size{label.size}">{_esc(label.text)}</text>'
            for label in layout.labels]
    return "".join(out)


def _thin(items, count):
    """``count`` of ``items`` evenly spread, the first and the last always kept."""
    if count >= len(items):
        return list(items)
    if count <= 1:
        return [items[-1]]
    keep = sorted({int(round(i)) for i in np.linspace(0, len(items) - 1, count)})
    return [items[i] for i in keep]


# --- the page's parts ---

def layer_lines(net):
    """One line per layer after the input: its size, activation and the activation's parameters."""
    layers = []
    for i, layer in enumerate(net.layers[1:], start=1):
        params = ", ".join(f"{k}={v:g}" for k, v in layer.activation_params.items())
        layers.append(f"layer {i} ({layer.layer_type}): {layer.layer_size} neurons, "
                      f"{layer.activation_func.title}" + (f" ({params})" if params else ""))
    return layers


def _value_text(value):
    if isinstance(value, float):
        return _number(value, 6)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value_text(v)}" for k, v in value.items()) + "}"
    return "none" if value is None else str(value)


def _table(rows, header=None, cls=None):
    """An HTML table of text cells; ``rows`` of (th, td, td, ...)."""
    attribute = f' class="{cls}"' if cls else ""
    out = [f'<div class="scroll"><table{attribute}>']
    if header:
        out.append("<tr>" + "".join(f'<th scope="col">{_esc(h)}</th>' for h in header) + "</tr>")
    for row in rows:
        out.append(f'<tr><th scope="row">{_esc(row[0])}</th>'
                   + "".join(f"<td>{_esc(cell)}</td>" for cell in row[1:]) + "</tr>")
    out.append("</table></div>")
    return "".join(out)


def _header(net, problem, record, settings, seconds, source):
    history = record.get("history", [])
    runs = record.get("runs", [])
    if settings is None:
        settings = next((run["settings"] for run in reversed(runs) if isinstance(run.get("settings"), dict)),
                        None)
    final = history[-1] if history else {}
    facts = [("problem", problem.name),
             ("network", f"{network_summary(net)}: " + "; ".join(layer_lines(net))),
             ("input scaling", "raw inputs scaled from the problem's domain to -1..1"
              if net.input_offset is not None else "none (the network takes the inputs as they are)"),
             ("cost", net.cost_function or "not recorded"),
             ("optimiser", settings.get("optimizer", "not recorded") if settings else "not recorded"),
             ("epochs", f"{len(history)} in {len(runs)} run{'s' if len(runs) != 1 else ''}"),
             ("training time", f"{seconds:.1f} s (this run)" if seconds is not None
              else "not recorded in the model file")]
    if "val_cost" in final:
        held_out = f"cost {_number(final['val_cost'], 6)}"
        if "val_accuracy" in final and not problem.is_regression:
            held_out = f"accuracy {100 * final['val_accuracy']:.4f} %, " + held_out
        if settings and "validation_samples_per_class" in settings:
            count = settings["validation_samples_per_class"] * max(problem.n_classes, 1)
            held_out += (f" on {count:,} samples never trained on (seed {settings.get('data_seed', 0) + 1})")
        facts.append(("held out, after the last epoch", held_out))
    facts.append(("made by", source))
    out = [f"<header><h1>{_esc(model_title(problem, net))}</h1>",
           '<dl class="facts">' + "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in facts) + "</dl>"]
    if settings:
        out.append('<h2>Settings</h2><dl class="settings">'
                   + "".join(f"<div><dt>{_esc(k)}</dt><dd>{_esc(_value_text(v))}</dd></div>"
                             for k, v in settings.items()) + "</dl>")
    if runs:
        keys = []
        for run in runs:
            keys += [k for k in run if k != "settings" and k not in keys]
        rows = [[str(i + 1)] + [_value_text(run.get(k, "")) if k in run else "" for k in keys]
                for i, run in enumerate(runs)]
        out.append("<details><summary>runs in the training record</summary>"
                   + _table(rows, ["run"] + keys, "runs") + "</details>")
    out.append("</header>")
    return "".join(out)


def _chart(chart_id, series, title, last_epoch, marker_epoch, percent=False):
    """A line chart in SVG of per-epoch ``series`` [(name, css class, values)], with an epoch marker.

    The x axis runs from epoch 0 (the starting weights) to ``last_epoch``;
    value i of a series belongs to epoch i + 1. Costs get the axis of the
    pictures' cost curves (``cost_axis``: logarithmic when they span more
    than a factor of 20); ``percent`` draws fractions as percentages.
    """
    width, height, left, right, top, bottom = 320, 210, 50, 306, 24, 174
    values = np.array([v for _, _, vs in series for v in vs if v is not None], dtype=float)
    finite = values[np.isfinite(values)]
    if not finite.size:
        return f'<p class="note">no {_esc(title)} recorded</p>'
    if percent:
        log_scale = False
        y_low, y_high = float(finite.min()), float(finite.max())
        if y_high - y_low < 1e-12:
            y_low, y_high = y_low - 0.01, y_high + 0.01
        pad = 0.05 * (y_high - y_low)
        y_low, y_high = y_low - pad, y_high + pad
        ticks = nice_ticks(y_low, y_high, 5)
        tick_labels = [f"{format_number(round(100 * t, 10))} %" for t in ticks]
    else:
        log_scale, y_low, y_high, ticks, tick_labels = cost_axis(float(finite.min()), float(finite.max()))
    transform = math.log10 if log_scale else float
    x_high = max(last_epoch, 1)

    def x_of(epoch):
        return left + (right - left) * epoch / x_high

    def y_of(value):  # value on the axis's scale (log10 on a log axis)
        return bottom - (bottom - top) * (value - y_low) / (y_high - y_low)

    out = [f'<svg id="{chart_id}" class="chart" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{_esc(title)} per epoch" data-left="{left}" data-right="{right}" '
           f'data-last-epoch="{x_high:g}">',
           f'<text x="{left}" y="14" class="label">{_esc(title)}{" (log scale)" if log_scale else ""}</text>']
    for tick, label in zip(ticks, tick_labels):
        y = y_of(tick)
        out.append(f'<line class="grid" x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}"/>'
                   f'<text x="{left - 4}" y="{y + 4:.1f}" class="tick" text-anchor="end">{_esc(label)}</text>')
    for tick in nice_ticks(0, x_high, 6, integer=True):
        x = x_of(tick)
        out.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{bottom}"/>'
                   f'<text x="{x:.1f}" y="{bottom + 15}" class="tick" text-anchor="middle">'
                   f'{format_number(tick)}</text>')
    out.append(f'<text x="{(left + right) / 2}" y="{height - 4}" class="tick" text-anchor="middle">epoch</text>')
    out.append(f'<path class="axis" d="M{left} {top}V{bottom}H{right}"/>')
    legend_x = right
    for name, cls, values in series:
        points = [(x_of(i + 1), y_of(transform(v))) for i, v in enumerate(values)
                  if v is not None and math.isfinite(v) and (v > 0 or not log_scale)]
        if not points:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        out.append(f'<polyline class="series {cls}" points="{path}"><title>{_esc(name)}</title></polyline>')
        out.append(f'<text x="{legend_x}" y="14" class="legend {cls}" text-anchor="end">{_esc(name)}</text>')
        legend_x -= 10 + 7 * len(name)
    x = x_of(marker_epoch)
    out.append(f'<line class="marker" x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{bottom}"/>')
    out.append("</svg>")
    return "".join(out)


def _charts(history, last_epoch, marker_epoch, show_accuracy=True):
    def column(key):
        return [entry.get(key) for entry in history if isinstance(entry, dict)]

    costs = [("training", "train", column("cost"))]
    if any(v is not None for v in column("val_cost")):
        costs.append(("held out", "held", column("val_cost")))
    charts = [_chart("cost-chart", costs, "cost", last_epoch, marker_epoch)]
    accuracy = [("training", "train", column("accuracy"))]
    if any(v is not None for v in column("val_accuracy")):
        accuracy.append(("held out", "held", column("val_accuracy")))
    if show_accuracy and any(v is not None for _, _, vs in accuracy for v in vs):
        charts.append(_chart("accuracy-chart", accuracy, "accuracy", last_epoch, marker_epoch, percent=True))
    return "".join(charts)


def _legend(problem):
    strong, _ = class_colours(problem.class_names)
    return '<p class="legend-row">' + "".join(
        f'<span class="item"><span class="swatch" style="background:{_hex(colour)}"></span>{_esc(name)}</span> '
        for name, colour in zip(problem.class_names, strong)) + "</p>"


def _epoch_text(epoch):
    return f"{epoch:g}" if float(epoch).is_integer() else f"{epoch:.2f}"


def _training_section(problem, snapshots, history, slider):
    final = snapshots[-1]
    last_epoch = max(len(history), final["epoch"])
    out = ['<section id="training"><h2>Training</h2>']
    if slider:
        out.append(f'<div class="controls"><label for="epoch">epoch</label>'
                   f'<input type="range" id="epoch" min="0" max="{len(snapshots) - 1}" step="1" '
                   f'value="{len(snapshots) - 1}" aria-valuetext="epoch {_epoch_text(final["epoch"])}">'
                   f'<output id="epoch-label" for="epoch">{_epoch_text(final["epoch"])}</output>'
                   f'<span class="note">{len(snapshots)} snapshots from epoch {_epoch_text(snapshots[0]["epoch"])} '
                   f'to {_epoch_text(final["epoch"])}</span></div>')
    else:
        out.append(f'<p class="note">The final weights (epoch {_epoch_text(final["epoch"])}); the curves '
                   f'come from the model\'s training record.</p>')
    out.append('<div class="panels">')
    if final["regions"] is not None:
        caption = ("predictions against the true values of the data file's samples" if problem.is_regression
                   else "decision regions and the data file's points" if problem.n_inputs == 2
                   else "slices of the cube where the final model's boundary lies (black: wrong)")
        out.append(f'<figure class="regions"><img id="regions" src="{final["regions"]}" '
                   f'data-epoch="{_epoch_text(final["epoch"])}" alt="{_esc(caption)}">'
                   f'<figcaption>{_esc(caption)}, epoch <span id="regions-epoch">{_epoch_text(final["epoch"])}'
                   f'</span>{"" if problem.is_regression else _legend(problem)}</figcaption></figure>')
    out.append(f'<figure class="curves">{_charts(history, last_epoch, final["epoch"], not problem.is_regression)}'
               '<figcaption>per epoch: training (blue) and held-out samples (orange); '
               'the red line marks the chosen epoch</figcaption></figure>')
    out.append("</div></section>")
    return "".join(out)


def _network_section(net, problem, final):
    """The diagram (neurons in SVG; the weights' lines are drawn by the script) and the map panel.

    Returns ``(layout data for the script, html)``. The lines are made by the
    script from the neurons' places: as markup, the 4,000 weights of a 64-64
    network would weigh 800 kB.
    """
    layout = network_layout(net, problem.input_names, output_names(problem))
    names = [list(problem.input_names)]
    for i, layer in enumerate(net.layers[1:], start=1):
        if layer.layer_type == "output":
            names.append([f"output {name}" for name in output_names(problem)])
        else:
            names.append([f"hidden {i} neuron {j + 1}" for j in range(layer.layer_size)])
    positions = [[] for _ in net.layers]
    for neuron in layout.neurons:
        positions[neuron.layer].append([round(neuron.x, 1), round(neuron.y, 1)])
    out = [f'<svg id="network" viewBox="0 0 {layout.width:.0f} {layout.height:.0f}" role="group" '
           f'style="max-width: {1.4 * layout.width:.0f}px" '
           'aria-label="the network: neurons and weights">', '<g class="edges"></g><g class="neurons">']
    fills = iter(final["fills"])
    biases = iter(final["biases"])
    for neuron in layout.neurons:
        name = names[neuron.layer][neuron.index]
        common = f'cx="{neuron.x:.1f}" cy="{neuron.y:.1f}" r="{max(neuron.radius, 3):.1f}"'
        if neuron.layer == 0:
            out.append(f'<circle class="input" {common}><title>input {_esc(name)}</title></circle>')
            continue
        out.append(f'<circle class="neuron" tabindex="0" role="button" data-layer="{neuron.layer}" '
                   f'data-neuron="{neuron.index}" {common} fill="{next(fills)}" aria-label="{_esc(name)}">'
                   f'<title>{_esc(name)}, bias {_number(next(biases))}</title></circle>')
    out.append(f'</g><g class="labels">{final["labels"]}</g></svg>')
    maps = final["maps"]
    first = next((i for i, tiles in enumerate(maps) if tiles), None)
    if first is None:
        panel = '<p class="note">No activation maps for problems with more than three inputs.</p>'
    else:
        if problem.n_inputs == 2:
            plane = f"{problem.input_names[0]} across, {problem.input_names[1]} up"
        elif problem.n_inputs == 3:
            plane = (f"{problem.input_names[0]} across, {problem.input_names[1]} up, on slices at "
                     + ", ".join(f"{problem.input_names[2]} = {level:g}" for level in final["levels"]))
        else:
            plane = "the input image, pixel by pixel"
        strip = ' class="strip"' if problem.n_inputs == 3 else ""  # a row of slices per neuron
        panel = (f'<img id="neuron-map"{strip} src="{maps[first][0]}" data-layer="{first + 1}" data-neuron="0" '
                 f'data-epoch="{_epoch_text(final["epoch"])}" alt="activation map">'
                 f'<figcaption><span id="neuron-caption">{_esc(names[first + 1][0])}, epoch '
                 f'{_epoch_text(final["epoch"])}</span><br><span id="neuron-note">{_esc(final["notes"][first])}'
                 f'</span><br>over {_esc(plane)}</figcaption>')
    html_text = ('<section id="network-section"><h2>The network</h2>'
                 '<p class="note">The lines are the weights: blue positive, orange negative, wider when '
                 'larger; between wide layers the weaker ones are faint. A neuron\'s fill is its bias. '
                 'Point at a weight for its value; point at, click, or Tab to a neuron and press Enter '
                 'for its map.</p>'
                 f'<div class="panels"><figure class="diagram">{"".join(out)}</figure>'
                 f'<figure class="neuron-panel">{panel}</figure></div></section>')
    return {"positions": positions, "names": names, "strong_opacity": STRONG_OPACITY}, html_text


def _measurement_html(title, matrix, class_names):
    total, correct = int(matrix.sum()), int(np.trace(matrix))
    precision, recall, f1 = per_class_scores(matrix)
    confusion = _table([[f"true {name}"] + [f"{count:,}" for count in row]
                        for name, row in zip(class_names, matrix)],
                       [""] + [f"predicted {name}" for name in class_names], "confusion")
    scores = _table([[name, f"{p:.5f}", f"{r:.5f}", f"{f:.5f}"]
                     for name, p, r, f in zip(class_names, precision, recall, f1)],
                    ["class", "precision", "recall", "F1"], "scores")
    return (f'<article class="measurement"><h3>{_esc(title)}</h3>'
            f'<p class="accuracy">accuracy <strong>{100 * correct / total:.4f} %</strong> '
            f'({correct:,} of {total:,} right, {total - correct:,} wrong)</p>{confusion}{scores}</article>')


def _cube_html(result):
    items = cube_summary(result)
    distances = result["distances"]
    if distances.size:
        items.append(f"distance of the wrong colours from the sphere of radius 127: "
                     f"median {np.median(distances):.3f}, max {distances.max():.3f}")
    return ('<article class="measurement cube"><h3>whole cube</h3><ul>'
            + "".join(f"<li>{_esc(item)}</li>" for item in items) + "</ul></article>")


def _regression_html(found, unit):
    """One set's regression metrics as ``main_load.py`` prints them, in a table."""
    unit = f" {unit}" if unit else ""
    rows = [(what, f"{m['mae']:.4f}{unit}", f"{m['mse']:.4f}", f"{m['rmse']:.4f}{unit}", f"{m['r2']:.6f}")
            for what, m in (("the targets", found["metrics"]), ("the noise-free targets", found["noise_free"]),
                            ("the definition itself, against the targets", found["definition"]))]
    return (f'<article class="measurement"><h3>{_esc(found["title"])}</h3>'
            + _table(rows, ["against", "MAE", "MSE", "RMSE", "R²"], "regression")
            + '<p class="note">the definition\'s own errors are the best any model can do on these noisy '
              'targets</p></article>')


def _evaluation_section(measurements, class_names):
    parts = [_measurement_html(m["title"], m["matrix"], class_names) if "matrix" in m
             else _regression_html(m, measurements["unit"]) for m in measurements["sets"]]
    if measurements["cube"] is not None:
        parts.append(_cube_html(measurements["cube"]))
    return ('<section id="evaluation"><h2>Evaluation</h2><p class="note">The final model, measured '
            'as <code>main_load.py</code> measures it (the same numbers): rows of a confusion matrix '
            'are the true classes, columns the predicted ones.</p>'
            f'<div class="panels">{"".join(parts)}</div></section>')


STYLE = """
:root { color-scheme: light; --ink: #222; --muted: #666; --line: #ddd; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
       margin: 0 auto; padding: 12px 16px 32px; max-width: 1280px; }
h1 { font-size: 1.5em; margin: 0.2em 0 0.4em; } h2 { font-size: 1.2em; margin: 1.2em 0 0.4em;
     border-bottom: 1px solid var(--line); } h3 { font-size: 1em; margin: 0.2em 0; word-break: break-word; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
.facts dt { color: var(--muted); } .facts dd { margin: 0; word-break: break-word; }
details { margin-top: 8px; } summary { cursor: pointer; color: var(--muted); }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 2px 8px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th[scope=row] { text-align: left; font-weight: normal; color: var(--muted); }
.runs td { text-align: left; white-space: normal; }
.settings { columns: 4 220px; column-gap: 24px; margin: 0; }
.settings div { break-inside: avoid; display: flex; gap: 8px; border-bottom: 1px solid var(--line); }
.settings dt { color: var(--muted); flex: 1; } .settings dd { margin: 0; text-align: right; }
.panels { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
figure { margin: 0; min-width: 0; } figcaption { color: var(--muted); font-size: 0.9em; }
.regions { flex: 0 1 auto; max-width: 100%; } .regions img { max-width: 100%; height: auto; display: block; }
.curves { flex: 1 1 340px; display: flex; flex-wrap: wrap; gap: 8px; }
.curves figcaption { flex-basis: 100%; }
.chart { flex: 1 1 260px; max-width: 480px; width: 100%; height: auto; }
.diagram { flex: 3 1 420px; } #network { width: 100%; height: auto; max-height: 80vh; }
.neuron-panel { flex: 1 1 220px; max-width: 440px; }
#neuron-map { display: block; width: 100%; max-width: 240px; height: auto; border: 1px solid #999; }
#neuron-map.strip { max-width: 440px; }
.measurement { flex: 1 1 320px; min-width: 0; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 10px; margin: 6px 0 10px; }
#epoch { flex: 1 1 240px; min-width: 160px; height: 28px; }
#epoch-label { font-weight: bold; min-width: 3em; }
.note { color: var(--muted); font-size: 0.9em; }
.legend-row { margin: 4px 0; } .legend-row .item { white-space: nowrap; } .swatch { display: inline-block; width: 11px; height: 11px;
    border: 1px solid #333; margin: 0 4px 0 8px; vertical-align: -1px; }
svg text { font: 11px system-ui, sans-serif; fill: #333; } .chart text { font-size: 12.5px; } #network text { font-size: 11px; } #network text.size2 { font-size: 20px; } svg .label { font-weight: bold; }
.grid { stroke: #e6e6e6; } .axis { stroke: #777; fill: none; }
.series { fill: none; stroke-width: 2; } .series.train { stroke: TRAINING; } .series.held { stroke: HELD_OUT; }
.legend.train { fill: TRAINING; } .legend.held { fill: HELD_OUT; }
.marker { stroke: #d62f2f; stroke-width: 2; }
.w.p { stroke: POSITIVE; } .w.n { stroke: NEGATIVE; }
.input { fill: #d7d7d7; stroke: #1e1e1e; } .neuron { stroke: #1e1e1e; stroke-width: 1; cursor: pointer; }
.neuron:hover, .neuron:focus { stroke: #d62f2f; stroke-width: 3; outline: none; }
.neuron.selected { stroke: #d62f2f; stroke-width: 3.5; }
@media (max-width: 600px) { body { padding: 8px; font-size: 14px; } .facts { grid-template-columns: 1fr; }
  .facts dt { margin-top: 4px; } }
"""

SCRIPT = """
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var snaps = data.snapshots, layout = data.layout, current = snaps.length - 1, chosen = null;
  var svg = "http://www.w3.org/2000/svg", group = document.querySelector("#network .edges");
  var edges = [], titles = [], labels = [], layerOf = [];
  for (var l = 1; l < layout.positions.length; l++) {
    layout.positions[l].forEach(function (to, i) {
      layout.positions[l - 1].forEach(function (from, j) {
        var edge = document.createElementNS(svg, "line"), title = document.createElementNS(svg, "title");
        edge.setAttribute("x1", from[0]); edge.setAttribute("y1", from[1]);
        edge.setAttribute("x2", to[0]); edge.setAttribute("y2", to[1]);
        edge.appendChild(title); group.appendChild(edge);
        edges.push(edge); titles.push(title); layerOf.push(l);
        labels.push(": " + layout.names[l - 1][j] + " to " + layout.names[l][i]);
      });
    });
  }
  var neurons = Array.prototype.slice.call(document.querySelectorAll("#network .neuron"));
  function fmt(v) { return String(Number(v.toPrecision(4))); }
  function epochText(e) { return Number.isInteger(e) ? String(e) : e.toFixed(2); }
  function showNetwork(snap) {
    edges.forEach(function (edge, k) {
      var v = snap.weights[k], faint = snap.faint.charAt(k) === "1";
      edge.setAttribute("class", v >= 0 ? "w p" : "w n");
      edge.setAttribute("stroke-width", snap.widths[k]);
      edge.setAttribute("stroke-opacity", faint ? snap.faint_opacity[layerOf[k] - 1] : layout.strong_opacity);
      titles[k].textContent = "weight " + fmt(v) + labels[k];
    });
    neurons.forEach(function (circle, k) {
      circle.setAttribute("fill", snap.fills[k]);
      circle.querySelector("title").textContent = circle.getAttribute("aria-label") + ", bias " + fmt(snap.biases[k]);
    });
    document.querySelector("#network .labels").innerHTML = snap.labels;
  }
  function showNeuron() {
    var img = document.getElementById("neuron-map"), snap = snaps[current];
    if (!img || !chosen) return;
    var l = +chosen.dataset.layer, n = +chosen.dataset.neuron, maps = snap.maps[l - 1];
    img.hidden = !maps;
    if (maps) { img.src = maps[n]; }
    img.dataset.layer = l; img.dataset.neuron = n; img.dataset.epoch = epochText(snap.epoch);
    document.getElementById("neuron-caption").textContent = chosen.getAttribute("aria-label") +
      ", bias " + fmt(snap.biases[neurons.indexOf(chosen)]) + ", epoch " + epochText(snap.epoch);
    document.getElementById("neuron-note").textContent = snap.notes[l - 1] || "no map for this layer";
  }
  function choose(circle) {
    if (chosen) chosen.classList.remove("selected");
    chosen = circle; chosen.classList.add("selected");
    showNeuron();
  }
  function show(index) {
    current = index;
    var snap = snaps[index], text = epochText(snap.epoch), regions = document.getElementById("regions");
    if (regions && snap.regions) {
      regions.src = snap.regions; regions.dataset.epoch = text;
      document.getElementById("regions-epoch").textContent = text;
    }
    var label = document.getElementById("epoch-label"), slider = document.getElementById("epoch");
    if (label) label.textContent = text;
    if (slider) slider.setAttribute("aria-valuetext", "epoch " + text);
    document.querySelectorAll("svg.chart").forEach(function (chart) {
      var left = +chart.dataset.left, right = +chart.dataset.right, last = +chart.dataset.lastEpoch;
      var x = (left + (right - left) * snap.epoch / last).toFixed(1), marker = chart.querySelector(".marker");
      marker.setAttribute("x1", x); marker.setAttribute("x2", x);
    });
    showNetwork(snap);
    showNeuron();
  }
  neurons.forEach(function (circle) {
    circle.addEventListener("mouseenter", function () { choose(circle); });
    circle.addEventListener("click", function () { choose(circle); });
    circle.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); choose(circle); }
    });
  });
  var slider = document.getElementById("epoch");
  if (slider) slider.addEventListener("input", function () { show(+slider.value); });
  var img = document.getElementById("neuron-map");
  chosen = img ? neurons.filter(function (c) {
    return c.dataset.layer === img.dataset.layer && c.dataset.neuron === img.dataset.neuron; })[0] : null;
  if (chosen) chosen.classList.add("selected");
  show(current);
})();
"""


def report_html(net, problem, measurements, snapshots, *, levels=None, settings=None, seconds=None,
                source="", slider=True):
    """The whole page as a string; ``snapshots`` from :meth:`Scene.render`, the last the final weights."""
    record = net.training_record if isinstance(net.training_record, dict) else {}
    history = [entry for entry in record.get("history", []) if isinstance(entry, dict)]
    final = dict(snapshots[-1], levels=levels)
    layout, network = _network_section(net, problem, final)
    payload = json.dumps({"snapshots": snapshots, "layout": layout},
                         separators=(",", ":")).replace("<", "\\u003c")
    style = STYLE
    for name, colour in (("POSITIVE", POSITIVE), ("NEGATIVE", NEGATIVE), ("TRAINING", TRAIN_COLOUR),
                         ("HELD_OUT", VALIDATION_COLOUR)):  # the pictures' colours
        style = style.replace(name, _hex(colour))
    return "".join([
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
        'style-src \'unsafe-inline\'; script-src \'unsafe-inline\'">',
        '<link rel="icon" href="data:,">',
        f"<title>{_esc(model_title(problem, net))}: training report</title>",
        f"<style>{style}</style></head><body>",
        _header(net, problem, record, settings, seconds, source),
        "<main>",
        _training_section(problem, snapshots, history, slider and len(snapshots) > 1),
        network,
        _evaluation_section(measurements, problem.class_names),
        "</main>",
        f'<script type="application/json" id="report-data">{payload}</script>',
        f"<script>{SCRIPT}</script></body></html>\n"])


def write_report(path, net, problem, measurements, snapshots=None, *, points=None, point_targets=None,
                 settings=None, seconds=None, source=""):
    """Write the report of ``net`` (the final weights) to ``path`` (atomically); returns its size in bytes.

    ``snapshots`` (a ``src.pictures.animation.Snapshots`` fed during the run
    that ended with ``net``'s weights) gives the slider; without it the page
    shows the final weights alone. At most :data:`MAX_SNAPSHOTS` are shown,
    fewer (evenly spread, the first and the last kept) until the page fits
    in :data:`PAGE_BUDGET`. ``points`` and ``point_targets`` are the data
    file's samples, drawn on 2-D maps.
    """
    record = net.training_record if isinstance(net.training_record, dict) else {}
    last_epoch = len(record.get("history", []))
    scene = Scene(net, problem, points, point_targets)
    items = list(range(len(snapshots.items))) if snapshots is not None else []
    if items and snapshots.items[-1].epoch == last_epoch:
        items = items[:-1]  # the last snapshot is the final network itself
    items.append(None)  # None: the final network
    rendered = {None: scene.render(net, last_epoch)}

    def page(count):
        """The page with ``count`` snapshots (each rendered once, however often the count changes)."""
        keep = _thin(items, count)
        for index in keep:
            if index not in rendered:
                rendered[index] = scene.render(snapshots.network(index), snapshots.items[index].epoch)
        return report_html(net, problem, measurements, [rendered[index] for index in keep],
                           levels=scene.levels, settings=settings, seconds=seconds, source=source,
                           slider=len(items) > 1)

    count = min(len(items), MAX_SNAPSHOTS)
    if count > 1:  # a first guess from the size of the final snapshot, then fewer until it fits
        alone = len(page(1).encode())
        per_snapshot = len(json.dumps(rendered[None], separators=(",", ":")))
        count = max(2, min(count, 1 + (PAGE_BUDGET - alone) // max(per_snapshot, 1)))
    text = page(count)
    while len(text.encode()) > PAGE_BUDGET and count > 2:
        count -= max(1, count // 8)
        text = page(count)
    atomic_write_text(path, text)
    return len(text.encode())


def report_argument(parser):
    """``--report FILE.html``, as the three scripts take it."""
    parser.add_argument("--report", type=path_argument, metavar="FILE.html",
                        help="write a self-contained HTML page about the model (open it in a browser)")


def check_report_argument(parser, args):
    if args.report is not None and not args.report.lower().endswith((".html", ".htm")):
        parser.error("--report writes an HTML page: give a name ending in .html")


def report_snapshots(net, settings, inputs, epochs):
    """The Snapshots a training script feeds for its report: the run of ``epochs`` about to start."""
    history = net.training_record.get("history", []) if isinstance(net.training_record, dict) else []
    return Snapshots(net, epochs, batches_per_epoch(len(inputs), settings["batch_size"]),
                     first_epoch=len(history))


def write_model_report(path, net, problem, data_path, *, snapshots=None, measurements=None, settings=None,
                       seconds=None, source=""):
    """Measure ``net`` as ``main_load.py`` does (unless ``measurements`` are given) and write its page.

    ``snapshots`` (from :func:`report_snapshots` or ``--animate``'s, fed
    during training) give the epoch slider; without them the page shows the
    final weights. Returns the page's size in bytes.
    """
    if measurements is None:
        measurements = measure_model(net, problem, data_path)
    points = point_targets = None
    if problem.n_inputs == 2 or problem.is_regression:
        points, point_targets = load_dataset(data_path, problem)
    return write_report(path, net, problem, measurements, snapshots, points=points,
                        point_targets=point_targets, settings=settings, seconds=seconds, source=source)
