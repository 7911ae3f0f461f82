"""The model file: its format, and the one set of rules that loading and saving both apply.

A model file keeps the seed's format, one block per layer::

    {"Layer_0": {"weights": ..., "biases": ..., "previousLayer_size": 3, "layer_size": 3,
                 "activation_func": "leaky_relu", "activation_params": {"alpha": 0.01},
                 "layer_type": "input"},
     "Layer_1": {...}, ...}

A layer block may also hold ``dropout``, the probability with which training
drops each of the layer's outputs (0 to below 1; not on the output layer); a
block without it has none, and a layer without dropout is written without it.
The file then adds a few top-level keys that it may lack (then it behaves as
the seed's did):

- ``format_version``: 2 for files written here;
- ``input_scaling``: ``{"offset": [...], "scale": [...]}``; the network sees
  ``(x - offset) * scale``, so it takes inputs in the data file's raw units
  (RGB 0-255 as-is) while its layers work on numbers near [-1, 1];
- ``output_scaling``: ``{"offset": [...], "scale": [...]}``, for a linear
  output layer only (a regression); the network's output is
  ``offset + scale * a``, so it predicts in the targets' units (a price in k$)
  while its last layer works on numbers of order 1;
- ``cost_function``: the cost it was trained with, a name from the cost
  table of ``src/costs.py`` that fits the output layer;
- ``training_record``: an object with settings and per-epoch history of the
  training runs. The parts the scripts read are checked: ``problem`` (a
  name), ``history`` (a list of objects whose ``epoch`` is a whole number and
  whose costs, accuracies and learning rates are numbers) and ``runs`` (a
  list of objects). Anything else in it is kept as it is.

:func:`parse_model` checks everything and raises ``ValueError`` saying where
and what is wrong; it looks activations up in a fixed table and never calls
anything else a file names. :func:`model_text` is what saving writes: the
content serialised, then parsed back with exactly the rules of loading (and
the same size and nesting limits, ``src/fileio.py``), so a network that
loading would refuse is refused before any file is touched.

What it leaves out: other formats (NumPy's ``.npz``, pickles) and
compression; the files stay plain JSON a person can read.
"""

import json
import math
import re

import numpy as np

from src.activation_functions import ActivationFunction
from src.costs import COSTS, make_cost
from src import fileio
from src.fileio import describe_json, parse_json_text, printable, read_json
from src.layer import LAYER_TYPES, Layer

FORMAT_VERSION = 2
_LAYER_KEY = re.compile(r"Layer_(0|[1-9][0-9]*)")
_LAYER_FIELDS = ("weights", "biases", "previousLayer_size", "layer_size",
                 "activation_func", "layer_type")
_HISTORY_NUMBERS = ("cost", "accuracy", "val_cost", "val_accuracy", "learning_rate")


def model_content(net) -> dict:
    """A network's model file content: the seed's layer blocks, then this project's keys."""
    content = {f"Layer_{i}": layer.to_dict() for i, layer in enumerate(net.layers)}
    content["format_version"] = FORMAT_VERSION
    if net.input_offset is not None:
        content["input_scaling"] = {"offset": net.input_offset.tolist(),
                                    "scale": net.input_scale.tolist()}
    if net.output_offset is not None:
        content["output_scaling"] = {"offset": net.output_offset.tolist(),
                                     "scale": net.output_scale.tolist()}
    if net.cost_function is not None:
        content["cost_function"] = net.cost_function
    if net.training_record:
        content["training_record"] = net.training_record
    return content


def model_text(net, filename) -> str:
    """The text that saving ``net`` to ``filename`` writes, checked as loading would check it.

    ``ValueError`` starting "refusing to save to <filename>" for a network
    without layers, with non-finite weights, with anything ``parse_model``
    refuses (a last layer that is not an output layer, an unknown cost, a
    training record the scripts could not read, ...) or too large to be read.
    """
    where = f"refusing to save to {filename}"
    if not net.layers:
        raise ValueError(f"{where}: the network has no layers")
    for i, layer in enumerate(net.layers):
        if not (np.all(np.isfinite(layer.weights)) and np.all(np.isfinite(layer.biases))):
            raise ValueError(f"{where}: layer {i} has non-finite weights or biases (the training diverged)")
    try:
        text = json.dumps(model_content(net), indent=1, allow_nan=False) + "\n"
    except (ValueError, TypeError, RecursionError) as err:
        raise ValueError(f"{where}: the model cannot be written as finite JSON ({err})") from None
    if len(text) > fileio.MAX_FILE_BYTES or len(text.encode("utf-8")) > fileio.MAX_FILE_BYTES:
        raise ValueError(f"{where}: the file would be larger than {fileio.MAX_FILE_BYTES / 2**20:g} MiB, "
                         "the most a model file may be (src/fileio.py, MAX_FILE_BYTES)")
    parse_model(parse_json_text(text, where), where)
    return text


def read_model(filename):
    """The network in ``filename`` (see ``parse_model``); errors name the file.

    Messages show any control character a file holds as an escape (``\\x1b``),
    so printing one cannot send a terminal a control sequence.
    """
    try:
        return parse_model(read_json(filename, "model file"), f"model file {filename}")
    except ValueError as err:
        raise ValueError(printable(str(err))) from None


def _is_finite_number(value):
    """True for a JSON number (not true/false) that is a finite float64."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _first_non_finite(value):
    """The first float in a parsed JSON value that is not finite (``1e400`` parses to inf), or None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, float) and not math.isfinite(item):
            return item
    return None


def parse_model(content, where):
    """The :class:`~src.neural_network.NeuralNet` a model file's parsed JSON describes, validated throughout.

    ``where`` starts every error message. The network is built with its own
    methods (``add_layer``, ``set_output_scaling``), so their rules apply too.
    """
    from src.neural_network import NeuralNet  # here: neural_network imports this module

    if not isinstance(content, dict):
        raise ValueError(f"{where}: expected a JSON object with Layer_0, Layer_1, ..., "
                         f"got {describe_json(content)}")
    layer_keys = [key for key in content if key.startswith("Layer_")]
    for key in layer_keys:
        if not _LAYER_KEY.fullmatch(key):
            raise ValueError(f"{where}: unexpected key {describe_json(key)} "
                             "(layers are Layer_0, Layer_1, ... without leading zeros)")
    if not layer_keys:
        raise ValueError(f"{where}: no layers (expected keys Layer_0, Layer_1, ...)")
    count = len(layer_keys)
    for i in range(count):
        if f"Layer_{i}" not in content:
            raise ValueError(f"{where}: layers must be numbered Layer_0, Layer_1, ... without gaps; "
                             f"missing Layer_{i}")
    if count < 2:
        raise ValueError(f"{where}: a network needs an input layer and at least one more layer")

    layers = []
    for i in range(count):
        layer = _parse_layer(content[f"Layer_{i}"], f"{where}: Layer_{i}")
        expected = "input" if i == 0 else ("output" if i == count - 1 else "hidden")
        if layer.layer_type != expected:
            raise ValueError(f"{where}: Layer_{i} has layer_type {layer.layer_type!r}, expected {expected!r}"
                             " (the first layer is the input layer, the last the output layer)")
        if i > 0 and layer.previousLayer_size != layers[-1].layer_size:
            raise ValueError(f"{where}: Layer_{i} expects {layer.previousLayer_size} inputs but "
                             f"Layer_{i - 1} has {layers[-1].layer_size} neurons")
        layers.append(layer)
    net = NeuralNet()
    for layer in layers:
        net.add_layer(layer)

    version = content.get("format_version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise ValueError(f"{where}: format_version must be a whole number from 1 to {FORMAT_VERSION}, "
                         f"got {describe_json(version)}")
    if "input_scaling" in content:
        net.input_offset, net.input_scale = _parse_scaling(content["input_scaling"], "input_scaling",
                                                           net.n_inputs, where)
        if np.any(net.input_scale == 0):
            raise ValueError(f"{where}: input_scaling scale must not contain zeros")
    if "output_scaling" in content:
        offset, scale = _parse_scaling(content["output_scaling"], "output_scaling", net.n_outputs, where)
        try:
            net.set_output_scaling(offset, scale)
        except ValueError as err:
            raise ValueError(f"{where}: {err}") from None
    if "cost_function" in content:
        net.cost_function = _parse_cost(content["cost_function"], layers[-1], where)
    if "training_record" in content:
        net.training_record = _parse_record(content["training_record"], where)
    return net


def _parse_layer(block, where):
    if not isinstance(block, dict):
        raise ValueError(f"{where} must be a JSON object, got {describe_json(block)}")
    missing = [field for field in _LAYER_FIELDS if field not in block]
    if missing:
        raise ValueError(f"{where} is missing {', '.join(missing)}")
    sizes = []
    for field in ("previousLayer_size", "layer_size"):
        value = block[field]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{where}: {field} must be a positive whole number, got {describe_json(value)}")
        sizes.append(value)
    layer_type = block["layer_type"]
    if not isinstance(layer_type, str) or layer_type not in LAYER_TYPES:
        raise ValueError(f"{where}: layer_type must be one of {', '.join(LAYER_TYPES)}, "
                         f"got {describe_json(layer_type)}")
    title = block["activation_func"]
    if not isinstance(title, str) or len(title) > 100:
        raise ValueError(f"{where}: activation_func must be the name of an activation function, "
                         f"got {describe_json(title)}")
    params = block.get("activation_params", {})
    if not isinstance(params, dict):
        raise ValueError(f"{where}: activation_params must be a JSON object, got {describe_json(params)}")
    for key, value in params.items():
        if not _is_finite_number(value):
            raise ValueError(f"{where}: activation parameter {describe_json(key)} must be a finite number, "
                             f"got {describe_json(value)}")
    try:
        activation = ActivationFunction.get_activation_function(title)
        params = activation.resolve_params(params)
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from None
    weights = _numbers(block["weights"], (sizes[1], sizes[0]), f"{where}: weights")
    biases = _numbers(block["biases"], (sizes[1],), f"{where}: biases")
    dropout = block.get("dropout", 0.0)  # optional: a block without it has no dropout
    if not _is_finite_number(dropout):
        raise ValueError(f"{where}: dropout must be a number in [0, 1), got {describe_json(dropout)}")
    try:
        return Layer(sizes[0], sizes[1], layer_type, activation, params, weights=weights, biases=biases,
                     dropout=dropout)
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from None


def _parse_scaling(scaling, key, size, where):
    """The finite (offset, scale) arrays, ``size`` numbers each, of ``input_scaling`` or ``output_scaling``."""
    if not isinstance(scaling, dict) or set(scaling) != {"offset", "scale"}:
        raise ValueError(f"{where}: {key} must be an object with exactly the keys 'offset' and 'scale'")
    return (_numbers(scaling["offset"], (size,), f"{where}: {key} offset"),
            _numbers(scaling["scale"], (size,), f"{where}: {key} scale"))


def _parse_cost(cost, output_layer, where):
    """The cost's name, when it is in the cost table and fits the output layer's activation."""
    if not isinstance(cost, str) or cost not in COSTS:
        raise ValueError(f"{where}: cost_function must be one of {', '.join(COSTS)}, "
                         f"got {describe_json(cost)}")
    try:
        make_cost(cost, output_layer.activation_func, output_layer.activation_params)
    except ValueError as err:
        raise ValueError(f"{where}: cost_function {cost!r} does not fit the output layer: {err}") from None
    return cost


def _parse_record(record, where):
    """The training record, with the parts the scripts read checked."""
    if not isinstance(record, dict):
        raise ValueError(f"{where}: training_record must be a JSON object, got {describe_json(record)}")
    bad = _first_non_finite(record)
    if bad is not None:
        raise ValueError(f"{where}: training_record holds a number that is not finite "
                         f"({describe_json(bad)})")
    where = f"{where}: training_record"
    if "problem" in record:
        problem = record["problem"]
        if not isinstance(problem, str) or not problem.isidentifier() or len(problem) > 100:
            raise ValueError(f"{where}: problem must be the name of a problem, got {describe_json(problem)}")
    for key in ("history", "runs"):
        entries = record.get(key, [])
        if not isinstance(entries, list):
            raise ValueError(f"{where}: {key} must be a list, got {describe_json(entries)}")
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise ValueError(f"{where}: {key} entry {index} must be a JSON object, "
                                 f"got {describe_json(entry)}")
    for index, entry in enumerate(record.get("history", [])):
        epoch = entry.get("epoch", 1)
        if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 1:
            raise ValueError(f"{where}: history entry {index}: epoch must be a whole number >= 1, "
                             f"got {describe_json(epoch)}")
        for key in _HISTORY_NUMBERS:
            if key in entry and not _is_finite_number(entry[key]):
                raise ValueError(f"{where}: history entry {index}: {key} must be a number, "
                                 f"got {describe_json(entry[key])}")
    return record


def _numbers(value, shape, where):
    """A float64 array of exactly ``shape`` from nested JSON lists of finite numbers."""
    def check(item, depth):
        if depth == len(shape):
            if isinstance(item, list):
                raise ValueError(f"{where} must have shape {shape}: found a list where a number "
                                 f"belongs (at depth {depth})")
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                raise ValueError(f"{where} must contain only numbers, found {describe_json(item)}")
            return
        if not isinstance(item, list) or len(item) != shape[depth]:
            raise ValueError(f"{where} must have shape {shape}: expected a list of {shape[depth]} "
                             f"at depth {depth}, found {describe_json(item)}")
        for element in item:
            check(element, depth + 1)

    check(value, 0)
    try:
        array = np.array(value, dtype=np.float64)
    except OverflowError:
        array = np.full(shape, math.inf)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{where} must contain only finite numbers (a number is too large or not finite)")
    return array
