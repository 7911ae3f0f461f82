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


FAN_IN, FAN_OUT = 200, 300


@pytest.mark.parametrize("spec,kind,spread", [
    ("he_normal", "normal", math.sqrt(2 / FAN_IN)),
    ("xavier_normal", "normal", math.sqrt(2 / (FAN_IN + FAN_OUT))),
    ("glorot_normal", "normal", math.sqrt(2 / (FAN_IN + FAN_OUT))),
    ("lecun_normal", "normal", math.sqrt(1 / FAN_IN)),
    ({"name": "normal", "std": 0.03}, "normal", 0.03),
    ("normal", "normal", 0.1),
    ("xavier_uniform", "uniform", math.sqrt(6 / (FAN_IN + FAN_OUT))),
    ("glorot_uniform", "uniform", math.sqrt(6 / (FAN_IN + FAN_OUT))),
    ("lecun_uniform", "uniform", math.sqrt(3 / FAN_IN)),
    ({"name": "uniform", "limit": 0.02}, "uniform", 0.02),
    ("uniform", "uniform", 0.1),
])
def test_weight_initialisers_draw_from_their_distributions(spec, kind, spread):
    """Normal schemes: the sample std (spread = σ); uniform ones: the range and variance l²/3 (spread = l)."""
    w = Layer(FAN_IN, FAN_OUT, "hidden", weight_init=spec, rng=5).weights.ravel()
    assert abs(w.mean()) < 0.01 * spread
    if kind == "normal":
        assert w.std() == pytest.approx(spread, rel=0.01)
        assert np.max(np.abs(w)) > 3.5 * spread  # tails: 60,000 normal draws reach beyond 3.5 σ
    else:
        assert np.max(np.abs(w)) <= spread and np.max(np.abs(w)) > 0.999 * spread
        assert w.var() == pytest.approx(spread ** 2 / 3, rel=0.02)


def test_initialisers_are_seeded_and_aliases_draw_the_same_numbers():
    for a, b in (("he", "he_normal"), ("xavier", "glorot_normal"), ("glorot_uniform", "xavier_uniform"),
                 ("lecun", "lecun_normal"), ("normal", {"name": "normal", "std": 0.1})):
        np.testing.assert_array_equal(Layer(5, 7, "hidden", weight_init=a, rng=3).weights,
                                      Layer(5, 7, "hidden", weight_init=b, rng=3).weights)
    spec = {"weight_init": "lecun_uniform", "bias_init": {"name": "normal", "std": 0.2}}
    first, again, other = (Layer(5, 7, "hidden", **spec, rng=seed) for seed in (3, 3, 4))
    np.testing.assert_array_equal(first.weights, again.weights)
    np.testing.assert_array_equal(first.biases, again.biases)
    assert not np.array_equal(first.weights, other.weights) and not np.array_equal(first.biases, other.biases)
    # weights and biases come one after the other from the same generator
    rng = np.random.default_rng(3)
    limit = math.sqrt(3 / 5)
    np.testing.assert_array_equal(first.weights, rng.uniform(-limit, limit, size=(7, 5)))
    np.testing.assert_array_equal(first.biases, rng.normal(0.0, 0.2, size=7))


def test_default_initialisation_draws_what_it_always_drew():
    """By activation, N(0, σ²) from the layer's generator and zero biases: the shipped models' start."""
    for activation, std in (("tanh", math.sqrt(2 / 7)), ("elu", math.sqrt(2 / 3)), ("selu", math.sqrt(1 / 3)),
                            ("mish", math.sqrt(2 / 3)), ("parametric_elu", math.sqrt(2 / 3))):
        layer = Layer(3, 4, "hidden", activation, rng=1)
        np.testing.assert_array_equal(layer.weights, np.random.default_rng(1).normal(0.0, std, size=(4, 3)))
        assert np.all(layer.biases == 0)


@pytest.mark.parametrize("spec,value", [("zeros", 0.0), ("ones", 1.0), ({"name": "constant", "value": -0.25}, -0.25),
                                        ("constant", 0.0)])
def test_constant_bias_initialisers(spec, value):
    layer = Layer(4, 6, "hidden", bias_init=spec, rng=0)
    np.testing.assert_array_equal(layer.biases, np.full(6, value))
    assert layer.bias_init["name"] == (spec if isinstance(spec, str) else spec["name"])


def test_normal_bias_initialiser_and_what_a_layer_records():
    layer = Layer(50, 4000, "output", "linear", weight_init={"name": "uniform", "limit": 0.5},
                  bias_init={"name": "normal", "std": 0.3}, rng=2)
    assert layer.biases.std() == pytest.approx(0.3, rel=0.05) and abs(layer.biases.mean()) < 0.03
    assert layer.weight_init == {"name": "uniform", "limit": 0.5}
    assert layer.bias_init == {"name": "normal", "std": 0.3}
    assert Layer(3, 4, "hidden", weight_init="glorot_uniform").weight_init == {"name": "xavier_uniform"}
    assert Layer(3, 4, "hidden", weight_init="normal", init_std=0.25).weight_init == {"name": "normal", "std": 0.25}
    assert Layer(3, 4, "hidden").weight_init == {"name": "he_normal"}
    assert Layer(3, 4, "hidden").bias_init == {"name": "zeros"}
    given = Layer(2, 2, "hidden", weights=np.eye(2), biases=[1.0, 2.0])
    assert given.weight_init is None and given.bias_init is None
    inp = Layer(3, 3, "input", weight_init="ones", bias_init="ones")  # an input layer stays zeros
    assert np.all(inp.weights == 0) and np.all(inp.biases == 0)


@pytest.mark.parametrize("kwargs,match", [
    ({"weight_init": "ones"}, "weight_init must be one of"),
    ({"weight_init": {"std": 0.1}}, "must be a name or a dict with a 'name'"),
    ({"weight_init": 3}, "must be a name or a dict"),
    ({"weight_init": {"name": "he_normal", "std": 0.1}}, "'he_normal' takes no parameter, got std"),
    ({"weight_init": {"name": "uniform", "std": 0.1}}, "'uniform' takes limit, got std"),
    ({"weight_init": {"name": "normal", "std": -0.1}}, "std must be a finite number >= 0"),
    ({"weight_init": {"name": "uniform", "limit": float("inf")}}, "limit must be a finite number >= 0"),
    ({"weight_init": "normal", "init_std": "0.1"}, "std must be a finite number >= 0"),
    ({"weight_init": {"name": "normal", "std": True}}, "std must be a finite number >= 0"),
    ({"bias_init": "he_normal"}, "bias_init must be one of zeros, ones, constant, normal"),
    ({"bias_init": {"name": "constant", "value": float("nan")}}, "value must be a finite number"),
    ({"bias_init": {"name": "constant", "std": 1.0}}, "'constant' takes value, got std"),
])
def test_bad_initialisers_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Layer(3, 4, "hidden", rng=0, **kwargs)


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
