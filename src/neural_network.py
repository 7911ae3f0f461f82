"""NeuralNet: a stack of layers, its forward pass, and its model file.

The network is a list of :class:`~src.layer.Layer` objects, the input layer
first and the output layer last. A forward pass feeds each layer's output to
the next. Optional input scaling lets the network take inputs in the data
file's raw units (RGB 0-255 as-is) while its layers work on numbers near
[-1, 1]; optional output scaling (a linear output layer only, for a
regression) lets it predict in the targets' units. ``save`` and ``load`` read
and write the seed's model file format; the format and its validation are in
``src/model_format.py``.
"""

import numbers

import numpy as np

from src import model_format
from src.fileio import atomic_write_text
from src.layer import Layer


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
        self._plan = None

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
        self._plan = None

    def set_input_scaling(self, low, high):
        """Map inputs from [low, high] (per column, raw units) to [-1, 1] before the first layer."""
        low, high = _real_vector(low, "input scaling: low"), _real_vector(high, "input scaling: high")
        if low.shape != (self.n_inputs,) or high.shape != (self.n_inputs,):
            raise ValueError(f"input scaling needs {self.n_inputs} lows and highs")
        if not np.all(np.isfinite(low)) or not np.all(np.isfinite(high)) or np.any(high <= low):
            raise ValueError("input scaling needs finite bounds with high > low in every column")
        with np.errstate(over="ignore"):
            offset = (low + high) / 2.0
            scale = 2.0 / (high - low)
        if not (np.all(np.isfinite(offset)) and np.all(np.isfinite(scale)) and np.all(scale > 0)):
            raise ValueError("input scaling: low and high are too far apart or too close together "
                             "for a finite, non-zero scale (high - low must be within float64's range)")
        self.input_offset = offset
        self.input_scale = scale

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
        offset = _real_vector(offset, "output scaling: offset")
        scale = _real_vector(scale, "output scaling: scale")
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

    def parameter_vector(self, dtype=None):
        """All trainable weights and biases in one contiguous vector.

        The layers' ``weights`` and ``biases`` become views into it, so an
        optimiser can update every parameter with a few whole-vector operations.
        Built on first use and again after the layers change. ``dtype``
        (float64 or float32) converts the parameters to that precision; None
        keeps the one they have (float64 unless a float32 training made them so).
        """
        trainable = [layer for layer in self.layers if layer.trainable]
        if dtype is None:
            dtype = trainable[0].weights.dtype if trainable else np.float64
        if self._flat is not None and self._flat.dtype == dtype and all(
                layer.weights.base is self._flat and layer.biases.base is self._flat
                for layer in trainable):
            return self._flat
        total = sum(layer.weights.size + layer.biases.size for layer in trainable)
        flat = np.empty(total, dtype)
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

    def scale_inputs(self, inputs, in_place=False):
        """Raw inputs (n, n_inputs) -> what the first layer sees.

        Float32 inputs are scaled in float32, any others in float64.
        ``in_place`` overwrites ``inputs`` (a float array) and returns it.
        """
        if self.input_offset is None:
            return inputs
        offset, scale = _in_precision_of(inputs, self.input_offset, self.input_scale)
        if not in_place:
            return (inputs - offset) * scale
        inputs -= offset
        inputs *= scale
        return inputs

    def scale_outputs(self, outputs, in_place=False):
        """What the last layer gives (n, n_outputs) -> the network's output (see output_scaling).

        Float32 outputs are scaled in float32, any others in float64;
        ``in_place`` overwrites ``outputs`` and returns it.
        """
        if self.output_offset is None:
            return outputs
        offset, scale = _in_precision_of(outputs, self.output_offset, self.output_scale)
        if not in_place:
            return outputs * scale + offset
        outputs *= scale
        outputs += offset
        return outputs

    def _as_batch(self, input_data, convert=True):
        x = np.asarray(input_data)
        if x.dtype.kind not in "fiub":  # float, signed or unsigned integer, bool
            if x.dtype.kind == "c":
                raise ValueError("input_data must be real numbers, got complex ones")
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

        The work buffers are kept for the next call (see ``_InferencePlan``),
        so one network should not predict in two threads at once.
        """
        batch, single = self._as_batch(input_data, convert=False)
        if type(chunk_size) is not int or chunk_size < 1:
            chunk_size = _positive_chunk_size(chunk_size)
        rows = batch.shape[0]
        capacity = rows if rows < chunk_size else chunk_size
        plan = self._plan  # kept from the last call while it fits (see _InferencePlan)
        if plan is None or not plan.fits(self, dtype, capacity):
            plan = self._plan = _InferencePlan(self, dtype, capacity)
        weights = plan.weights()
        if rows <= chunk_size:
            out = plan.run(batch, weights)
        else:
            out = np.empty((rows, self.n_outputs), dtype=plan.dtype)
            for start in range(0, rows, chunk_size):
                plan.run(batch[start:start + chunk_size], weights, out[start:start + chunk_size])
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
        plan = weights = None
        for chunk in chunks:
            batch, _ = self._as_batch(chunk, convert=False)
            if plan is None or batch.shape[0] > plan.capacity:
                plan = _InferencePlan(self, dtype, batch.shape[0])
                weights = plan.weights()
            yield plan.run(batch, weights)

    # --- files ---

    def to_dict(self) -> dict:
        """The model file's content (see ``src/model_format.py``)."""
        self._require_layers()
        return model_format.model_content(self)

    def save(self, filename):
        """Write the model to ``filename`` atomically (``src/fileio.py``).

        What is written is first checked with the rules ``load`` applies: a
        network that cannot be written as a valid model file (no layers,
        non-finite weights, a last layer that is not an output layer, a cost
        that does not fit it, a training record the scripts cannot read) is a
        ``ValueError`` naming the file; a missing folder is a
        ``FileNotFoundError``. In every case an existing file is left as it was.
        """
        atomic_write_text(filename, model_format.model_text(self, filename))

    def load(self, filename):
        """Replace this network with the one in ``filename``; returns ``self``.

        ``FileNotFoundError`` for a missing file; ``ValueError`` naming the file
        and the fault for anything malformed. On an error the network is unchanged.
        Activations are looked up by name in ActivationFunction's table only:
        nothing else a file names is ever looked up or called.
        """
        self.__dict__.update(model_format.read_model(filename).__dict__)
        return self


def _real_vector(values, name):
    array = np.asarray(values)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool) \
            or np.issubdtype(array.dtype, np.complexfloating):
        raise ValueError(f"{name} must be real numbers, got {values!r}")
    return array.astype(np.float64)


def _in_precision_of(array, *vectors):
    """``vectors`` (float64) in float32 when ``array`` is float32, else as they are."""
    if array.dtype == np.float32:
        return tuple(vector.astype(np.float32) for vector in vectors)
    return vectors


def _positive_chunk_size(chunk_size):
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, numbers.Integral) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    return int(chunk_size)


class _InferencePlan:
    """A network's forward pass for inference, with work buffers reused from call to call.

    Each layer's weighted input goes into a preallocated buffer (``matmul``
    with ``out=``, the bias added in place) and its activation overwrites it,
    so a chunk allocates almost nothing. Fresh large temporaries for every
    chunk cost more than the arithmetic: the allocator hands their memory back
    to the system, and every chunk page-faults it in again.

    A network keeps its plan (``NeuralNet._plan``) for the next ``predict``
    while its layers are the same objects and the dtype and capacity fit.
    Weights of the plan's dtype are used where they live (views, no copy), so
    a weight changed in place is seen by the next prediction; weights of
    another dtype are cast anew for every call. A layer's parameters moved
    into a training's vector are found by their identity; the activations,
    their parameters and the scaling are read from the network on every call.
    """

    def __init__(self, net, dtype, capacity):
        net._require_layers()
        self.requested = dtype  # as the caller gave it: the next call's is usually the same object
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype}")
        self.net = net
        self.layers = tuple(net.layers)
        self.capacity = max(1, capacity)
        self.inputs = np.empty((self.capacity, net.n_inputs), dtype=self.dtype)
        # The last layer writes into the caller's output array, the others into these.
        self.steps = [(layer, np.empty((self.capacity, layer.layer_size), dtype=self.dtype))
                      for layer in net.layers[1:-1]] + [(layer, None) for layer in net.layers[1:][-1:]]
        self._live = self._bound_to = None
        self._rows = self._views = None

    def fits(self, net, dtype, rows):
        return (self.net is net and (dtype is self.requested or dtype == self.dtype) and rows <= self.capacity
                and tuple(net.layers) == self.layers)

    def weights(self):
        """Each layer's (W.T, b) in the plan's dtype: views of the live arrays if they have it, else casts."""
        # The layers' arrays are replaced only when parameter_vector moves them
        # into a new vector, which then becomes the network's ``_flat``.
        if self._live is not None and self.net._flat is self._bound_to:
            return self._live
        layers = self.layers[1:]
        if all(layer.weights.dtype == self.dtype and layer.biases.dtype == self.dtype for layer in layers):
            self._bound_to = self.net._flat
            self._live = [(layer.weights.T, layer.biases) for layer in layers]
            return self._live
        return [(layer.weights.T.astype(self.dtype), layer.biases.astype(self.dtype)) for layer in layers]

    def run(self, batch, weights, out=None):
        """The outputs for ``batch`` (m, n_inputs), m <= capacity, written into ``out`` (m, n_outputs) or a new array."""
        net = self.net
        m = batch.shape[0]
        if net.input_offset is None and batch.dtype == self.dtype:
            a = batch
        else:
            a = self.inputs[:m]
            a[...] = batch
            net.scale_inputs(a, in_place=True)
        if m != self._rows:  # the buffers' first m rows, kept for the next call with m rows
            self._rows = m
            self._views = [(layer, None if buffer is None else buffer[:m]) for layer, buffer in self.steps]
        for (layer, view), (weights_t, biases) in zip(self._views, weights):
            z = np.matmul(a, weights_t, out if view is None else view)
            np.add(z, biases, z)
            a = layer.activation_func.forward_in_place(z, layer.activation_params)
        if not self.steps:  # an input layer alone: its (scaled) input is the output
            if out is None:
                out = a.copy()
            else:
                out[...] = a
            a = out
        return net.scale_outputs(a, in_place=True)
