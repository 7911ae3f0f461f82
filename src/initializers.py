"""Initial weights and biases of a layer: the named schemes, each drawn from a seeded Generator.

A scheme is given by its name, or by a dict with the name and its parameter:
``'he_normal'``, ``{'name': 'normal', 'std': 0.05}``, ``{'name': 'constant',
'value': 0.1}``. :func:`resolve` checks it and fills in the default parameter;
the resolved dict is what a layer keeps and what the training record stores,
so a run can be read back and repeated.

Weights, shape ``(fan_out, fan_in)`` with ``fan_in = previousLayer_size`` and
``fan_out = layer_size``:

- ``he_normal`` (also ``he``): N(0, 2 / fan_in), for ReLU-like activations;
- ``xavier_normal`` (also ``xavier``, ``glorot_normal``): N(0, 2 / (fan_in + fan_out));
- ``xavier_uniform`` (also ``glorot_uniform``): U(-l, l), l = sqrt(6 / (fan_in + fan_out));
- ``lecun_normal`` (also ``lecun``): N(0, 1 / fan_in), what SELU needs;
- ``lecun_uniform``: U(-l, l), l = sqrt(3 / fan_in);
- ``normal``: N(0, std²), std 0.1 unless given (the seed's kind of start);
- ``uniform``: U(-limit, limit), limit 0.1 unless given;
- ``zeros``.

The uniform variants have the same variance as their normal namesakes
(l² / 3). Biases, shape ``(layer_size,)``: ``zeros`` (the default), ``ones``,
``constant`` (value 0.0 unless given), ``normal`` (std 0.1 unless given).

What it leaves out: orthogonal and sparse schemes, and truncated normals.
"""

import math
import numbers

import numpy as np

# name -> (the parameter it takes and its default, or None)
WEIGHT_INITS = {
    "he_normal": None, "xavier_normal": None, "xavier_uniform": None,
    "lecun_normal": None, "lecun_uniform": None,
    "normal": ("std", 0.1), "uniform": ("limit", 0.1), "zeros": None,
}
BIAS_INITS = {"zeros": None, "ones": None, "constant": ("value", 0.0), "normal": ("std", 0.1)}
ALIASES = {"he": "he_normal", "xavier": "xavier_normal", "glorot_normal": "xavier_normal",
           "glorot_uniform": "xavier_uniform", "lecun": "lecun_normal"}


def resolve(spec, kind="weight", defaults=None):
    """The scheme ``spec`` as a dict ``{'name': ..., <its parameter>: value}``.

    ``kind`` is ``'weight'`` or ``'bias'``. ``defaults`` (a dict such as
    ``{'std': 0.3}``, Layer's ``init_std``) replaces the table's default of a
    parameter that ``spec`` does not give. ``ValueError`` for an unknown name
    or parameter, or a parameter that is not a finite number (a negative std
    or limit too).
    """
    table = WEIGHT_INITS if kind == "weight" else BIAS_INITS
    option = f"{kind}_init"
    if isinstance(spec, str):
        name, given = spec, {}
    elif isinstance(spec, dict) and isinstance(spec.get("name"), str):
        name, given = spec["name"], {k: v for k, v in spec.items() if k != "name"}
    else:
        raise ValueError(f"{option} must be a name or a dict with a 'name', got {spec!r}")
    name = ALIASES.get(name, name) if kind == "weight" else name
    if name not in table:
        known = ", ".join(list(table) + (list(ALIASES) if kind == "weight" else []))
        raise ValueError(f"{option} must be one of {known}, got {spec!r}")
    parameter = table[name]
    allowed = set() if parameter is None else {parameter[0]}
    if set(given) - allowed:
        takes = parameter[0] if parameter else "no parameter"
        raise ValueError(f"{option} {name!r} takes {takes}, got {', '.join(sorted(map(str, given)))}")
    resolved = {"name": name}
    if parameter is not None:
        key, default = parameter
        value = given.get(key, (defaults or {}).get(key, default))
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) \
                or (key != "value" and value < 0):
            need = "a finite number" if key == "value" else "a finite number >= 0"
            raise ValueError(f"{option} {name!r}: {key} must be {need}, got {value!r}")
        resolved[key] = float(value)
    return resolved


def initial_weights(spec, shape, rng):
    """An array of ``shape`` (fan_out, fan_in) drawn as the resolved ``spec`` says."""
    fan_out, fan_in = shape
    name = spec["name"]
    if name == "zeros":
        return np.zeros(shape)
    if name == "uniform":
        return rng.uniform(-spec["limit"], spec["limit"], size=shape)
    if name.endswith("_uniform"):
        fan = fan_in + fan_out if name == "xavier_uniform" else fan_in
        limit = math.sqrt((6.0 if name == "xavier_uniform" else 3.0) / fan)
        return rng.uniform(-limit, limit, size=shape)
    if name == "he_normal":
        std = math.sqrt(2.0 / fan_in)
    elif name == "xavier_normal":
        std = math.sqrt(2.0 / (fan_in + fan_out))
    elif name == "lecun_normal":
        std = math.sqrt(1.0 / fan_in)
    else:
        std = spec["std"]
    return rng.normal(0.0, std, size=shape)


def initial_biases(spec, size, rng):
    """A vector of ``size`` biases as the resolved ``spec`` says."""
    name = spec["name"]
    if name == "normal":
        return rng.normal(0.0, spec["std"], size=size)
    value = {"zeros": 0.0, "ones": 1.0}.get(name, spec.get("value"))
    return np.full(size, value)
