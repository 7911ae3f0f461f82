"""NeuralNet: a stack of layers, its forward pass, and its model file.

The network is a list of :class:`~src.layer.Layer` objects, the input layer
first and the output layer last. A forward pass feeds each layer's output to
the next. The model file keeps the seed's format, one block per layer::

    {"Layer_0": {"weights": ..., "biases": ..., "previousLayer_size": 3, "layer_size": 3,
                 "activation_func": "leaky_relu", "activation_params": {"alpha": 0.01},
                 "layer_type": "input"},
     "Layer_1": {...}, ...}

and adds a few top-level keys that a file may lack (then it behaves as the
seed's did):

- ``format_version``: 2 for files written here;
- ``input_scaling``: ``{"offset": [...], "scale": [...]}``; the network sees
  ``(x - offset) * scale``, so it takes inputs in the data file's raw units
  (RGB 0-255 as-is) while its layers work on numbers near [-1, 1];
- ``output_scaling``: ``{"offset": [...], "scale": [...]}``, for a linear
  output layer only (a regression); the network's output is
  ``offset + scale * a``, so it predicts in the targets' units (a price in k$)
  while its last layer works on numbers of order 1;
- ``cost_function``: the cost it was trained with (a name of ``src.costs.COSTS``);
- ``training_record``: settings and per-epoch history of the training runs.

Loading validates everything and raises ``ValueError`` naming the file and
what is wrong; it looks activations up in a fixed table and never calls
anything else a file names. Saving is atomic and refuses non-finite weights.
"""

import json
import math
import numbers
import re

import numpy as np

from src.activation_functions import ActivationFunction
from src.costs import COSTS
from src.fileio import atomic_write_text, describe_json, read_json
from src.layer import LAYER_TYPES, Layer

FORMAT_VERSION = 2
COST_FUNCTIONS = tuple(COSTS)
_LAYER_KEY = re.compile(r"Layer_(0|[1-9][0-9]*)")
_LAYER_FIELDS = ("weights", "biases", "previousLayer_size", "layer_size",
                 "activation_func", "layer_type")


class NeuralNet:
    """A multilayer perceptron: ``layers[0]`` is the input layer, ``layers[-1]`` the output layer."""

    def __init__(self):
        self.layers = []
        self.input_offset = None
        self.input_scale = None
        self.output_offset = None
        self.output_scale = None
        self.cost_function = None
        self.training_record = {}
        self._flat = None

    # --- building ---

    def add_layer(self, layer):
        """Append ``layer``; its input size must equal the previous layer's size."""
        if not isinstance(layer, Layer):
            raise ValueError(f"add_layer takes a Layer, got {type(layer).__name__}")
        if not self.layers:
            if layer.layer_type != "input":
                raise ValueError(f"the first layer must be an input layer, got a {layer.layer_type} layer")
        else:
            previous = self.layers[-1]
            if layer.layer_type == "input":
                raise ValueError("only the first layer can be an input layer")
            if previous.layer_type == "output":
                raise ValueError("the network already ends in an output layer")
            if layer.previousLayer_size != previous.layer_size:
                raise ValueError(f"layer {len(self.layers)} expects {layer.previousLayer_size} inputs "
                                 f"but the layer before it has {previous.layer_size} neurons")
        self.layers.append(layer)
        self._flat = None

    def set_input_scaling(self, low, high):
        """Map inputs from [low, high] (per column, raw units) to [-1, 1] before the first layer."""
        low = np.asarray(low, dtype=np.float64)
        high = np.asarray(high, dtype=np.float64)
        if low.shape != (self.n_inputs,) or high.shape != (self.n_inputs,):
            raise ValueError(f"input scaling needs {self.n_inputs} lows and highs")
        if not np.all(np.isfinite(low)) or not np.all(np.isfinite(high)) or np.any(high <= low):
            raise ValueError("input scaling needs finite bounds with high > low in every column")
        self.input_offset = (low + high) / 2.0
        self.input_scale = 2.0 / (high - low)

    def set_output_scaling(self, offset, scale):
        """Make the output ``offset + scale * a`` (per column), ``a`` the last layer's; linear outputs only.

        For a regression: with ``offset`` and ``scale`` the mean and standard
        deviation of the targets, the last layer learns numbers of order 1
        whatever the targets' units, the way input scaling does for the inputs.
        (For a linear layer this is the same function as weights ``scale * W``
        and biases ``scale * b + offset``, but training moves it in steps that
        fit the targets' size.)
        """
        if self.output_activation.title != "linear":
            raise ValueError("output scaling needs a linear output layer, "
                             f"not {self.output_activation.title}")
        offset = np.asarray(offset, dtype=np.float64)
        scale = np.asarray(scale, dtype=np.float64)
        if offset.shape != (self.n_outputs,) or scale.shape != (self.n_outputs,):
            raise ValueError(f"output scaling needs {self.n_outputs} offsets and scales")
        if not np.all(np.isfinite(offset)) or not np.all(np.isfinite(scale)) or np.any(scale == 0):
            raise ValueError("output scaling needs finite offsets and finite, non-zero scales")
        self.output_offset, self.output_scale = offset, scale

    @property
    def n_inputs(self) -> int:
        self._require_layers()
        return self.layers[0].previousLayer_size

    @property
    def n_outputs(self) -> int:
        self._require_layers()
        return self.layers[-1].layer_size

    @property
    def output_activation(self):
        self._require_layers()
        return self.layers[-1].activation_func

    def _require_layers(self):
        if not self.layers:
            raise ValueError("the network has no layers yet")

    def parameter_vector(self):
        """All trainable weights and biases in one contiguous float64 vector.

        The layers' ``weights`` and ``biases`` become views into it, so an
        optimiser can update every parameter with a few whole-vector operations.
        Built on first use and again after the layers change.
        """
        trainable = [layer for layer in self.layers if layer.trainable]
        if self._flat is not None and all(
                layer.weights.base is self._flat and layer.biases.base is self._flat
                for layer in trainable):
            return self._flat
        total = sum(layer.weights.size + layer.biases.size for layer in trainable)
        flat = np.empty(total)
        for layer, (weights_view, biases_view) in zip(trainable, self.parameter_views(flat)):
            layer._bind(weights_view, biases_view)
        self._flat = flat
        return flat

    def parameter_views(self, flat):
        """(weights, biases) views into ``flat``, one pair per trainable layer.

        The layout is that of :meth:`parameter_vector`, so a gradient vector of
        the same size splits into arrays shaped like each layer's parameters.
        """
        views, start = [], 0
        for layer in (layer for layer in self.layers if layer.trainable):
            w_end = start + layer.weights.size
            b_end = w_end + layer.biases.size
            views.append((flat[start:w_end].reshape(layer.weights.shape), flat[w_end:b_end]))
            start = b_end
        return views

    # --- forward pass ---

    def scale_inputs(self, inputs):
        """Raw inputs (n, n_inputs) -> what the first layer sees."""
        if self.input_offset is None:
            return inputs
        return (inputs - self.input_offset) * self.input_scale

    def scale_outputs(self, outputs):
        """What the last layer gives (n, n_outputs) -> the network's output (see output_scaling)."""
        if self.output_offset is None:
            return outputs
        return outputs * self.output_scale + self.output_offset

    def _as_batch(self, input_data, convert=True):
        x = np.asarray(input_data)
        if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
            raise ValueError("input_data must be numbers")
        single = x.ndim == 1
        batch = x.reshape(1, -1) if single else x
        if batch.ndim != 2 or batch.shape[1] != self.n_inputs:
            raise ValueError(f"input_data must have {self.n_inputs} numbers per sample, "
                             f"got shape {x.shape}")
        return (batch.astype(np.float64, copy=False) if convert else batch), single

    def forward_propagation(self, input_data):
        """The network's output: one sample (n_inputs,) -> (n_outputs,); a batch (n, n_inputs) -> (n, n_outputs)."""
        self._require_layers()
        batch, single = self._as_batch(input_data)
        a = self.scale_inputs(batch)
        for layer in self.layers[1:]:
            a = layer.activation_func.forward(a @ layer.weights.T + layer.biases, layer.activation_params)
        a = self.scale_outputs(a)
        return a[0] if single else a

    def forward_trace(self, input_data):
        """Each layer's weighted input and output for one sample, for showing the forward pass.

        Returns a list with one dict per layer: ``{'layer': i, 'weighted_input': z or None,
        'activation': a}``; layer 0 reports the (scaled) input it passes on. The last
        layer's ``activation`` is before any output scaling.
        """
        self._require_layers()
        batch, single = self._as_batch(input_data)
        a = self.scale_inputs(batch)
        trace = [{"layer": 0, "weighted_input": None, "activation": a[0] if single else a}]
        for i, layer in enumerate(self.layers[1:], start=1):
            z = a @ layer.weights.T + layer.biases
            a = layer.activation_func.forward(z, layer.activation_params)
            trace.append({"layer": i, "weighted_input": z[0] if single else z,
                          "activation": a[0] if single else a})
        return trace

    def predict(self, input_data, dtype=np.float64, chunk_size=4096):
        """Outputs for many samples, computed ``chunk_size`` rows at a time.

        Chunks whose intermediate results stay in the processor's cache are
        faster than one huge matrix product (a few thousand rows: see
        docs/BENCHMARKS.md) and keep memory bounded; ``dtype=np.float32``
        halves the memory traffic again for inference over millions of
        inputs. The input is converted chunk by chunk, never as a whole. For
        more inputs than fit in memory at once, use :meth:`predict_chunks`.
        """
        batch, single = self._as_batch(input_data, convert=False)
        chunk_size = _positive_chunk_size(chunk_size)
        plan = _InferencePlan(self, dtype, min(chunk_size, batch.shape[0]))
        out = np.empty((batch.shape[0], self.n_outputs), dtype=plan.dtype)
        for start in range(0, batch.shape[0], chunk_size):
            plan.run(batch[start:start + chunk_size], out[start:start + chunk_size])
        return out[0] if single else out

    def predict_chunks(self, chunks, dtype=np.float64):
        """Outputs for an iterable of input chunks, yielded one chunk at a time.

        Each chunk is an array ``(m, n_inputs)`` in raw units (m may vary from
        chunk to chunk); for each, a new ``(m, n_outputs)`` array of ``dtype``
        is yielded. The weights are cast and the work buffers allocated once
        for all chunks, so memory stays bounded by the largest chunk however
        many chunks there are: the way to classify all 16.7 million colours of
        the RGB cube without holding them at once.
        """
        plan = None
        for chunk in chunks:
            batch, _ = self._as_batch(chunk, convert=False)
            if plan is None or batch.shape[0] > plan.capacity:
                plan = _InferencePlan(self, dtype, batch.shape[0])
            out = np.empty((batch.shape[0], self.n_outputs), dtype=plan.dtype)
            plan.run(batch, out)
            yield out

    # --- files ---

    def to_dict(self) -> dict:
        """The model file's content: the seed's layer blocks, then this project's keys."""
        self._require_layers()
        content = {f"Layer_{i}": layer.to_dict() for i, layer in enumerate(self.layers)}
        content["format_version"] = FORMAT_VERSION
        if self.input_offset is not None:
            content["input_scaling"] = {"offset": self.input_offset.tolist(),
                                        "scale": self.input_scale.tolist()}
        if self.output_offset is not None:
            content["output_scaling"] = {"offset": self.output_offset.tolist(),
                                         "scale": self.output_scale.tolist()}
        if self.cost_function is not None:
            content["cost_function"] = self.cost_function
        if self.training_record:
            content["training_record"] = self.training_record
        return content

    def save(self, filename):
        """Write the model to ``filename`` atomically.

        A network that cannot be written as a valid model file (no layers,
        non-finite weights, a training record that is not plain finite JSON)
        is a ``ValueError`` naming the file; a missing folder is a
        ``FileNotFoundError``. In every case an existing file is left as it was.
        """
        if not self.layers:
            raise ValueError(f"refusing to save to {filename}: the network has no layers")
        for i, layer in enumerate(self.layers):
            if not (np.all(np.isfinite(layer.weights)) and np.all(np.isfinite(layer.biases))):
                raise ValueError(f"refusing to save to {filename}: layer {i} has non-finite "
                                 "weights or biases (the training diverged)")
        try:
            text = json.dumps(self.to_dict(), indent=1, allow_nan=False)
        except (ValueError, TypeError, RecursionError) as err:
            raise ValueError(f"refusing to save to {filename}: the model cannot be written as "
                             f"finite JSON ({err})") from None
        atomic_write_text(filename, text + "\n")

    def load(self, filename):
        """Replace this network with the one in ``filename``; returns ``self``.

        ``FileNotFoundError`` for a missing file; ``ValueError`` naming the file
        and the fault for anything malformed. On an error the network is unchanged.
        Activations are looked up by name in ActivationFunction's table only:
        nothing else a file names is ever looked up or called.
        """
        content = read_json(filename, "model file")
        loaded = _parse_model(content, f"model file {filename}")
        self.__dict__.update(loaded.__dict__)
        return self


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


def _positive_chunk_size(chunk_size):
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, numbers.Integral) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    return int(chunk_size)


class _InferencePlan:
    """A network's forward pass for inference: weights cast once, buffers reused.

    Each layer's weighted input goes into a preallocated buffer (``matmul``
    with ``out=``, the bias added in place) and its activation overwrites it,
    so a chunk allocates almost nothing. Fresh large temporaries for every
    chunk cost more than the arithmetic: the allocator hands their memory back
    to the system, and every chunk page-faults it in again.
    """

    def __init__(self, net, dtype, capacity):
        net._require_layers()
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype}")
        self.capacity = max(1, capacity)
        self.layers = [(np.ascontiguousarray(layer.weights.T, dtype=self.dtype),
                        layer.biases.astype(self.dtype), layer.activation_func,
                        layer.activation_params) for layer in net.layers[1:]]
        self.inputs = np.empty((self.capacity, net.n_inputs), dtype=self.dtype)
        self.buffers = [np.empty((self.capacity, layer.layer_size), dtype=self.dtype)
                        for layer in net.layers[1:]]
        self.offset = None if net.input_offset is None else net.input_offset.astype(self.dtype)
        self.scale = None if net.input_scale is None else net.input_scale.astype(self.dtype)
        self.output_offset = None if net.output_offset is None else net.output_offset.astype(self.dtype)
        self.output_scale = None if net.output_scale is None else net.output_scale.astype(self.dtype)

    def run(self, batch, out):
        """The outputs for ``batch`` (m, n_inputs), m <= capacity, written into ``out``."""
        m = batch.shape[0]
        a = self.inputs[:m]
        a[...] = batch
        if self.offset is not None:
            a -= self.offset
            a *= self.scale
        for (weights_t, biases, activation, params), buffer in zip(self.layers, self.buffers):
            z = np.matmul(a, weights_t, out=buffer[:m])
            z += biases
            a = activation.forward_in_place(z, params)
        if self.output_offset is not None:
            a *= self.output_scale
            a += self.output_offset
        out[...] = a


def _parse_model(content, where):
    """A NeuralNet built from a model file's parsed JSON, validated throughout."""
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

    net = NeuralNet()
    for i in range(count):
        layer = _parse_layer(content[f"Layer_{i}"], f"{where}: Layer_{i}")
        expected = "input" if i == 0 else ("output" if i == count - 1 else "hidden")
        if layer.layer_type != expected:
            raise ValueError(f"{where}: Layer_{i} has layer_type {layer.layer_type!r}, expected {expected!r}"
                             " (the first layer is the input layer, the last the output layer)")
        if i > 0 and layer.previousLayer_size != net.layers[-1].layer_size:
            raise ValueError(f"{where}: Layer_{i} expects {layer.previousLayer_size} inputs but "
                             f"Layer_{i - 1} has {net.layers[-1].layer_size} neurons")
        net.add_layer(layer)

    version = content.get("format_version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise ValueError(f"{where}: format_version must be a whole number from 1 to {FORMAT_VERSION}, "
                         f"got {describe_json(version)}")
    if "input_scaling" in content:
        scaling = content["input_scaling"]
        if not isinstance(scaling, dict) or set(scaling) != {"offset", "scale"}:
            raise ValueError(f"{where}: input_scaling must be an object with exactly the keys "
                             "'offset' and 'scale'")
        net.input_offset = _numbers(scaling["offset"], (net.n_inputs,), f"{where}: input_scaling offset")
        net.input_scale = _numbers(scaling["scale"], (net.n_inputs,), f"{where}: input_scaling scale")
        if np.any(net.input_scale == 0):
            raise ValueError(f"{where}: input_scaling scale must not contain zeros")
    if "output_scaling" in content:
        scaling = content["output_scaling"]
        if not isinstance(scaling, dict) or set(scaling) != {"offset", "scale"}:
            raise ValueError(f"{where}: output_scaling must be an object with exactly the keys "
                             "'offset' and 'scale'")
        offset = _numbers(scaling["offset"], (net.n_outputs,), f"{where}: output_scaling offset")
        scale = _numbers(scaling["scale"], (net.n_outputs,), f"{where}: output_scaling scale")
        try:
            net.set_output_scaling(offset, scale)
        except ValueError as err:
            raise ValueError(f"{where}: {err}") from None
    if "cost_function" in content:
        cost = content["cost_function"]
        if not isinstance(cost, str) or cost not in COST_FUNCTIONS:
            raise ValueError(f"{where}: cost_function must be one of {', '.join(COST_FUNCTIONS)}, "
                             f"got {describe_json(cost)}")
        net.cost_function = cost
    if "training_record" in content:
        record = content["training_record"]
        if not isinstance(record, dict):
            raise ValueError(f"{where}: training_record must be a JSON object, got {describe_json(record)}")
        bad = _first_non_finite(record)
        if bad is not None:
            raise ValueError(f"{where}: training_record holds a number that is not finite "
                             f"({describe_json(bad)})")
        net.training_record = record
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
    try:
        return Layer(sizes[0], sizes[1], layer_type, activation, params, weights=weights, biases=biases)
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from None


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
