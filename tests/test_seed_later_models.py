"""Model files in the format of the seed's later version load unchanged and predict what they define.

Those files have only the seed's layer blocks (no format_version, no input
scaling, no cost), with the later version's activations and parameter names:
swish with ``alpha``, selu with ``alpha`` and ``scale`` (stored rounded to 8
decimals), mish, parametric_elu, and softmax or linear outputs. The files here
are written by hand with random weights, and the expected outputs come from
the formulas below, written out per neuron in plain Python: a forward pass of
``f(W @ a + b)`` per layer, independent of the library's code.
"""

import json
import math

import numpy as np
import pytest

from src.neural_network import NeuralNet


def swish(z, alpha=1.0):
    if alpha * z >= 0:
        return z / (1.0 + math.exp(-alpha * z))
    return z * math.exp(alpha * z) / (1.0 + math.exp(alpha * z))


def selu(z, alpha=1.6732632423543772, scale=1.0507009873554805):
    return scale * z if z > 0 else scale * alpha * (math.exp(z) - 1.0)


def mish(z):
    softplus = z + math.log1p(math.exp(-z)) if z > 0 else math.log1p(math.exp(z))
    return z * math.tanh(softplus)


def parametric_elu(z, alpha=1.0, beta=1.0):
    return alpha * z if z > 0 else beta * (math.exp(z) - 1.0)


ELEMENTWISE = {
    "swish": swish, "selu": selu, "mish": mish, "parametric_elu": parametric_elu,
    "tanh": math.tanh, "linear": lambda z: z, "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)),
    "leaky_relu": lambda z, alpha=0.01: z if z > 0 else alpha * z,
}


def softmax(zs):
    top = max(zs)
    exps = [math.exp(z - top) for z in zs]
    total = math.fsum(exps)
    return [e / total for e in exps]


def reference_forward(content, x):
    """The output for one sample x (a list), layer by layer from the file's parsed content."""
    a = list(x)
    for i in range(1, sum(key.startswith("Layer_") for key in content)):
        block = content[f"Layer_{i}"]
        z = [math.fsum([w * v for w, v in zip(row, a)]) + b for row, b in zip(block["weights"], block["biases"])]
        params = block.get("activation_params", {})
        if block["activation_func"] == "softmax":
            a = softmax(z)
        else:
            f = ELEMENTWISE[block["activation_func"]]
            a = [f(value, **params) for value in z]
    return a


def later_file(rng, sizes, activations, params, input_activation=("leaky_relu", {"alpha": 0.01})):
    """The layer blocks of a later-version model file; ``params[i]`` None leaves activation_params out."""
    content = {"Layer_0": {"weights": np.zeros((sizes[0], sizes[0])).tolist(), "biases": [0.0] * sizes[0],
                           "previousLayer_size": sizes[0], "layer_size": sizes[0],
                           "activation_func": input_activation[0], "activation_params": input_activation[1],
                           "layer_type": "input"}}
    for i, (previous, size) in enumerate(zip(sizes, sizes[1:]), start=1):
        block = {"weights": rng.normal(0.0, 1.2, size=(size, previous)).tolist(),
                 "biases": rng.normal(0.0, 0.5, size=size).tolist(),
                 "previousLayer_size": previous, "layer_size": size,
                 "activation_func": activations[i - 1],
                 "layer_type": "output" if i == len(sizes) - 1 else "hidden"}
        if params[i - 1] is not None:
            block["activation_params"] = params[i - 1]
        content[f"Layer_{i}"] = block
    return content


ROUNDED_SELU = {"alpha": 1.67326324, "scale": 1.05070098}

FILES = {
    "every later activation, softmax output": (
        (4, 6, 5, 5, 4, 3),
        ("swish", "selu", "mish", "parametric_elu", "softmax"),
        ({"alpha": 1.3}, ROUNDED_SELU, {}, {"alpha": 0.7, "beta": 1.4}, {})),
    "regression, linear output": (
        (3, 8, 6, 1),
        ("parametric_elu", "swish", "linear"),
        ({"alpha": 1.0, "beta": 1.0}, {"alpha": 1.0}, {})),
    "defaults left out, tanh output": (
        (2, 5, 4, 2),
        ("selu", "mish", "tanh"),
        (None, None, None)),
    "selu with the exact constants, sigmoid output": (
        (3, 4, 2),
        ("selu", "sigmoid"),
        ({"alpha": 1.6732632423543772, "scale": 1.0507009873554805}, {})),
}


@pytest.mark.parametrize("name", FILES)
def test_a_later_model_file_loads_unchanged_and_predicts_its_definition(name, tmp_path):
    sizes, activations, params = FILES[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    content = later_file(rng, sizes, activations, params)
    path = tmp_path / "later.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    before = path.read_bytes()

    net = NeuralNet().load(path)

    assert path.read_bytes() == before
    assert [layer.activation_func.title for layer in net.layers[1:]] == list(activations)
    assert net.input_offset is None and net.cost_function is None and net.training_record == {}
    x = rng.uniform(-2.5, 2.5, size=(40, sizes[0]))
    expected = np.array([reference_forward(content, sample) for sample in x.tolist()])
    batch = net.forward_propagation(x)
    np.testing.assert_allclose(batch, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(net.predict(x, chunk_size=7), expected, rtol=1e-12, atol=1e-12)
    for sample, row in zip(x[:5], expected[:5]):
        np.testing.assert_allclose(net.forward_propagation(sample), row, rtol=1e-12, atol=1e-12)
    zs = np.concatenate([step["weighted_input"].ravel() for step in net.forward_trace(x)[1:-1]])
    assert np.any(zs < -0.5) and np.any(zs > 0.5), "both sides of every kink should be exercised"

    net.save(tmp_path / "again.json")  # saved here and loaded again: still the same function
    np.testing.assert_array_equal(NeuralNet().load(tmp_path / "again.json").forward_propagation(x), batch)


def test_rounded_selu_constants_give_what_those_numbers_give(tmp_path):
    sizes, activations = (3, 4, 2), ("selu", "linear")
    rng = np.random.default_rng(7)
    content = later_file(rng, sizes, activations, (ROUNDED_SELU, {}))
    (tmp_path / "rounded.json").write_text(json.dumps(content), encoding="utf-8")
    exact = json.loads(json.dumps(content))
    exact["Layer_1"]["activation_params"] = {"alpha": 1.6732632423543772, "scale": 1.0507009873554805}
    (tmp_path / "exact.json").write_text(json.dumps(exact), encoding="utf-8")
    x = rng.uniform(-3, 0, size=(30, 3))  # mostly negative weighted inputs, where alpha matters

    rounded_net = NeuralNet().load(tmp_path / "rounded.json")
    assert rounded_net.layers[1].activation_params == ROUNDED_SELU
    rounded = rounded_net.forward_propagation(x)
    exact_out = NeuralNet().load(tmp_path / "exact.json").forward_propagation(x)
    np.testing.assert_allclose(rounded, [reference_forward(content, s) for s in x.tolist()], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(exact_out, [reference_forward(exact, s) for s in x.tolist()], rtol=1e-12, atol=1e-12)
    difference = np.max(np.abs(rounded - exact_out))
    assert 1e-10 < difference < 1e-6  # the rounding shows, by about what 8 decimals leave


def test_swish_files_written_here_with_beta_keep_their_meaning(tmp_path):
    rng = np.random.default_rng(3)
    content = later_file(rng, (3, 5, 2), ("swish", "softmax"), ({"alpha": 0.6}, {}))
    older = json.loads(json.dumps(content))
    older["Layer_1"]["activation_params"] = {"beta": 0.6}
    older["format_version"] = 2
    (tmp_path / "alpha.json").write_text(json.dumps(content), encoding="utf-8")
    (tmp_path / "beta.json").write_text(json.dumps(older), encoding="utf-8")
    x = rng.uniform(-3, 3, size=(25, 3))
    with_alpha = NeuralNet().load(tmp_path / "alpha.json")
    with_beta = NeuralNet().load(tmp_path / "beta.json")
    np.testing.assert_array_equal(with_beta.forward_propagation(x), with_alpha.forward_propagation(x))
    np.testing.assert_allclose(with_alpha.forward_propagation(x), [reference_forward(content, s) for s in x.tolist()],
                               rtol=1e-12, atol=1e-12)
    assert with_beta.layers[1].activation_params == {"alpha": 0.6}
    with_beta.save(tmp_path / "resaved.json")
    resaved = json.loads((tmp_path / "resaved.json").read_text())
    assert resaved["Layer_1"]["activation_params"] == {"alpha": 0.6}


@pytest.mark.parametrize("cost", ["mse", "mae", "cross_entropy", "binary_crossentropy", "categorical_crossentropy"])
def test_model_files_may_record_every_cost_name(tmp_path, cost):
    """Each with an output layer it fits (a cost that does not fit is refused: tests/test_model_files.py)."""
    rng = np.random.default_rng(1)
    output = "sigmoid" if cost == "binary_crossentropy" else "softmax"
    content = later_file(rng, (2, 3, 2), ("tanh", output), ({}, {}))
    content["cost_function"] = cost
    (tmp_path / "m.json").write_text(json.dumps(content), encoding="utf-8")
    assert NeuralNet().load(tmp_path / "m.json").cost_function == cost
