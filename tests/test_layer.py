"""Layer: shapes, defaults, initialisation, validation and live parameters."""

import math

import numpy as np
import pytest

from src.activation_functions import ActivationFunction
from src.layer import Layer


def test_shapes_and_defaults_per_layer_type():
    hidden = Layer(3, 10, "hidden")
    assert hidden.weights.shape == (10, 3) and hidden.biases.shape == (10,)
    assert hidden.activation_func is ActivationFunction.leaky_relu
    assert hidden.activation_params == {"alpha": 0.01}
    output = Layer(10, 2, "output")
    assert output.activation_func is ActivationFunction.tanh
    assert output.activation_params == {}
    inp = Layer(3, 3, "input")
    assert np.all(inp.weights == 0) and np.all(inp.biases == 0)


def test_the_seeds_usage_examples_work():
    elu = Layer(3, 10, "hidden", activation_func=ActivationFunction.elu, activation_params={"alpha": 0.8})
    assert elu.activation_params == {"alpha": 0.8}
    leaky = Layer(10, 5, "hidden", activation_func=ActivationFunction.leaky_relu,
                  activation_params={"alpha": 0.05})
    assert leaky.activation_params == {"alpha": 0.05}
    for title in ("sigmoid", "softmax", "linear", "relu"):
        assert Layer(5, 2, "output", activation_func=title).activation_func.title == title


@pytest.mark.parametrize("layer_type", ["Hidden", "conv", "", None, 1])
def test_unknown_layer_type_is_rejected(layer_type):
    with pytest.raises(ValueError, match="layer_type"):
        Layer(3, 4, layer_type)


@pytest.mark.parametrize("sizes", [(0, 3), (3, 0), (-1, 2), (2.5, 3), (True, 3), ("3", 3)])
def test_bad_sizes_are_rejected(sizes):
    with pytest.raises(ValueError):
        Layer(*sizes, "hidden")


def test_input_layer_must_pass_its_input_on():
    with pytest.raises(ValueError, match="input layer"):
        Layer(3, 4, "input")


def test_layers_without_an_rng_differ_but_a_fresh_process_repeats_them():
    import subprocess
    import sys
    from pathlib import Path
    assert not np.array_equal(Layer(16, 16, "hidden").weights, Layer(16, 16, "hidden").weights)
    code = "from src.layer import Layer; print(Layer(4, 3, 'hidden').weights.tolist())"
    root = Path(__file__).resolve().parent.parent
    runs = [subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True).stdout
            for _ in range(2)]
    assert runs[0] == runs[1] and runs[0].startswith("[[")


def test_same_seed_same_weights_other_seed_other_weights():
    a = Layer(4, 6, "hidden", rng=np.random.default_rng(7))
    b = Layer(4, 6, "hidden", rng=np.random.default_rng(7))
    c = Layer(4, 6, "hidden", rng=8)
    np.testing.assert_array_equal(a.weights, b.weights)
    assert not np.array_equal(a.weights, c.weights)


@pytest.mark.parametrize("activation,init,expected_std", [
    ("leaky_relu", None, math.sqrt(2 / 200)),
    ("relu", None, math.sqrt(2 / 200)),
    ("tanh", None, math.sqrt(2 / 500)),
    ("sigmoid", None, math.sqrt(2 / 500)),
    ("selu", None, math.sqrt(1 / 200)),
    ("tanh", "he", math.sqrt(2 / 200)),
    ("leaky_relu", "normal", 0.25),
])
def test_initialisation_scale(activation, init, expected_std):
    layer = Layer(200, 300, "hidden", activation, weight_init=init, init_std=0.25, rng=1)
    assert abs(layer.weights.mean()) < 0.05 * expected_std * 10
    assert layer.weights.std() == pytest.approx(expected_std, rel=0.02)


def test_unknown_init_is_rejected():
    with pytest.raises(ValueError, match="weight_init"):
        Layer(3, 4, "hidden", weight_init="glorot-ish")


def test_weights_are_live_and_assignment_copies_in_place():
    layer = Layer(2, 2, "hidden", ActivationFunction.linear, rng=0)
    x = np.array([1.0, 2.0])
    weights_array = layer.weights
    layer.weights[0, 0] += 1.0
    np.testing.assert_allclose(layer.forward_propagation(x), weights_array @ x + layer.biases)
    layer.weights = [[1.0, 0.0], [0.0, 1.0]]
    assert layer.weights is weights_array
    layer.biases = [0.5, -0.5]
    np.testing.assert_allclose(layer.forward_propagation(x), [1.5, 1.5])
    with pytest.raises(ValueError, match="shape"):
        layer.weights = np.zeros((3, 2))
    with pytest.raises(ValueError, match="finite"):
        layer.biases = [np.nan, 0.0]


def test_forward_is_f_of_wx_plus_b_for_a_sample_and_a_batch():
    layer = Layer(3, 4, "hidden", ActivationFunction.elu, {"alpha": 0.5}, rng=2)
    batch = np.random.default_rng(0).normal(size=(5, 3))
    expected = np.array([ActivationFunction.elu(layer.weights @ x + layer.biases, alpha=0.5) for x in batch])
    np.testing.assert_allclose(layer.forward_propagation(batch), expected, rtol=1e-14)
    np.testing.assert_allclose(layer.forward_propagation(batch[1]), expected[1], rtol=1e-14)
    assert Layer(3, 3, "input").forward_propagation(batch) is not None
    np.testing.assert_array_equal(Layer(3, 3, "input").forward_propagation(batch), batch)
