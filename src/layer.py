"""One fully connected layer: weights, biases and an activation.

A layer of ``layer_size`` neurons fed by ``previousLayer_size`` inputs holds

- ``weights``, shape ``(layer_size, previousLayer_size)``: row j feeds neuron j;
- ``biases``, shape ``(layer_size,)``;
- ``activation_func`` (an :class:`~src.activation_functions.Activation`) and
  ``activation_params`` (its parameters, defaults filled in).

For one sample ``x`` it computes ``f(W @ x + b)``; for a batch ``X`` with one
row per sample, ``f(X @ W.T + b)``. An ``'input'`` layer passes its input on
unchanged: its weights and biases are zeros and are never trained (it is kept
because the seed's model files have one).

``dropout`` is the probability with which a training step zeroes each of the
layer's outputs (the others are scaled by ``1 / (1 - dropout)``, so their
expected value is unchanged). ``Training`` draws the masks and applies them;
the layer's own forward pass, which inference uses, never drops anything. An
input layer may drop inputs; an output layer has no dropout.

``weights`` and ``biases`` are the live arrays the forward pass uses. Assigning
to them copies the new values into those arrays, so a trainer that holds them
(as views into one flat parameter vector) sees the change too.
"""

import numbers

import numpy as np

from src import initializers
from src.activation_functions import Activation, ActivationFunction

LAYER_TYPES = ("input", "hidden", "output")

DEFAULT_ACTIVATION = {
    "input": ActivationFunction.leaky_relu,
    "hidden": ActivationFunction.leaky_relu,
    "output": ActivationFunction.tanh,
}

# He initialisation keeps the variance of ReLU-like outputs constant through
# the layers; Xavier (Glorot) does the same for functions that are linear
# around zero (tanh, sigmoid, softmax, linear); LeCun is the one SELU needs.
_INIT_FOR_ACTIVATION = {
    "relu": "he_normal", "leaky_relu": "he_normal", "elu": "he_normal", "parametric_elu": "he_normal",
    "gelu": "he_normal", "swish": "he_normal", "mish": "he_normal", "selu": "lecun_normal",
}


def _check_size(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


# Layers built without an ``rng`` draw from this one generator, seeded once, so
# a script that builds its layers in the same order gets the same weights on
# every run, while two layers of the same shape still start differently.
_DEFAULT_RNG = np.random.default_rng(0)


def _as_generator(rng):
    """A NumPy Generator from a Generator, an int seed, or None (the module's seeded default)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return _DEFAULT_RNG
    if isinstance(rng, bool) or not isinstance(rng, numbers.Integral):
        raise ValueError(f"rng must be a numpy Generator or an integer seed, got {rng!r}")
    return np.random.default_rng(int(rng))


class Layer:
    """A fully connected layer.

    Parameters
    ----------
    previousLayer_size, layer_size : int
        Inputs and neurons. An input layer has both equal.
    layer_type : {'input', 'hidden', 'output'}
    activation_func : Activation, str or None
        None gives the type's default: leaky ReLU (alpha 0.01) for hidden
        layers, tanh for output layers.
    activation_params : dict or None
        Parameters of the activation; defaults are filled in.
    weight_init : str, dict or None
        A scheme of ``src/initializers.py``: 'he_normal', 'xavier_normal',
        'xavier_uniform', 'lecun_normal', 'lecun_uniform', 'normal' (std),
        'uniform' (limit), 'zeros', or a dict such as ``{'name': 'uniform',
        'limit': 0.05}``. None picks by activation: 'he_normal' for the ReLU
        family, 'lecun_normal' for SELU, 'xavier_normal' otherwise. 'normal'
        draws from N(0, init_std^2), as the seed did.
    init_std : float
        Standard deviation for ``weight_init='normal'`` (default 0.1).
    bias_init : str or dict
        'zeros' (the default), 'ones', 'constant' (value), 'normal' (std).
    rng : numpy.random.Generator, int or None
        Where the initial weights and biases come from; an int is a seed. None draws from
        one generator shared by all layers, seeded with 0 at import, so a
        program that builds its layers in the same order is reproducible.
    weights, biases : array-like, optional
        Start from these values instead of drawing new ones (used by loading).
    dropout : float
        Probability in [0, 1) that a training step zeroes each output of this
        layer (0, the default, turns dropout off). Not for output layers.
    """

    def __init__(self, previousLayer_size, layer_size, layer_type, activation_func=None,
                 activation_params=None, *, weight_init=None, init_std=0.1, bias_init="zeros",
                 rng=None, weights=None, biases=None, dropout=0.0):
        self.previousLayer_size = _check_size("previousLayer_size", previousLayer_size)
        self.layer_size = _check_size("layer_size", layer_size)
        if layer_type not in LAYER_TYPES:
            raise ValueError(f"layer_type must be one of {', '.join(LAYER_TYPES)}, "
                             f"got {layer_type!r}")
        self.layer_type = layer_type
        if layer_type == "input" and self.previousLayer_size != self.layer_size:
            raise ValueError("an input layer passes its input on, so previousLayer_size "
                             f"({self.previousLayer_size}) must equal layer_size ({self.layer_size})")

        if activation_func is None:
            activation_func = DEFAULT_ACTIVATION[layer_type]
        elif isinstance(activation_func, str):
            activation_func = ActivationFunction.get_activation_function(activation_func)
        elif not isinstance(activation_func, Activation):
            raise ValueError("activation_func must be one of ActivationFunction's functions "
                             f"or its title, got {activation_func!r}")
        self.activation_func = activation_func
        self.activation_params = activation_func.resolve_params(activation_params)
        self.dropout = dropout

        # What the weights and biases were drawn from (resolved specs), or None
        # for values given by the caller; an input layer's are zeros.
        self.weight_init = self.bias_init = None
        generator = _as_generator(rng)
        shape = (self.layer_size, self.previousLayer_size)
        if weights is None:
            if layer_type == "input":
                weight_init = "zeros"
            elif weight_init is None:
                weight_init = _INIT_FOR_ACTIVATION.get(activation_func.title, "xavier_normal")
            self.weight_init = initializers.resolve(weight_init, "weight", {"std": init_std})
            weights = initializers.initial_weights(self.weight_init, shape, generator)
        if biases is None:
            self.bias_init = initializers.resolve("zeros" if layer_type == "input" else bias_init, "bias")
            biases = initializers.initial_biases(self.bias_init, self.layer_size, generator)
        self._weights = np.zeros(shape)
        self._biases = np.zeros(self.layer_size)
        self.weights = weights
        self.biases = biases

    @property
    def weights(self):
        """The live weight matrix, shape (layer_size, previousLayer_size)."""
        return self._weights

    @weights.setter
    def weights(self, value):
        self._weights[...] = self._checked(value, self._weights.shape, "weights")

    @property
    def biases(self):
        """The live bias vector, shape (layer_size,)."""
        return self._biases

    @biases.setter
    def biases(self, value):
        self._biases[...] = self._checked(value, self._biases.shape, "biases")

    @staticmethod
    def _checked(value, shape, name):
        raw = np.asarray(value)
        if np.issubdtype(raw.dtype, np.complexfloating):
            raise ValueError(f"{name} must be real numbers, got complex ones")
        array = raw.astype(np.float64)
        if array.shape != shape:
            raise ValueError(f"{name} must have shape {shape}, got {array.shape}")
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} must be finite numbers")
        return array

    @property
    def dropout(self):
        """Probability in [0, 1) that training zeroes each output of this layer."""
        return self._dropout

    @dropout.setter
    def dropout(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
            raise ValueError(f"dropout must be a number in [0, 1), got {value!r}")
        if value and self.layer_type == "output":
            raise ValueError(f"dropout must be 0 for an output layer (it would drop the network's "
                             f"answers), got {value!r}")
        self._dropout = float(value)

    @property
    def trainable(self) -> bool:
        return self.layer_type != "input"

    def _bind(self, weights_view, biases_view):
        """Move this layer's parameters into the given views of a flat vector."""
        weights_view[...] = self._weights
        biases_view[...] = self._biases
        self._weights = weights_view
        self._biases = biases_view

    def forward_propagation(self, inputs):
        """The layer's output for one sample (1-D) or a batch (2-D, one row per sample)."""
        inputs = np.asarray(inputs, dtype=np.float64)
        if self.layer_type == "input":
            return inputs
        z = inputs @ self._weights.T + self._biases
        return self.activation_func.forward(z, self.activation_params)

    def to_dict(self) -> dict:
        """The seed's per-layer block of a model file (plus ``dropout`` when it is on)."""
        return {
            "weights": self._weights.tolist(),
            "biases": self._biases.tolist(),
            "previousLayer_size": self.previousLayer_size,
            "layer_size": self.layer_size,
            "activation_func": self.activation_func.title,
            "activation_params": dict(self.activation_params),
            "layer_type": self.layer_type,
            **({"dropout": self._dropout} if self._dropout else {}),
        }

    def __repr__(self):
        return (f"Layer({self.previousLayer_size}, {self.layer_size}, {self.layer_type!r}, "
                f"activation_func=ActivationFunction.{self.activation_func.title}, "
                f"activation_params={self.activation_params!r}"
                + (f", dropout={self._dropout!r})" if self._dropout else ")"))
