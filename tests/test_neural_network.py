"""NeuralNet: building, the forward pass, and the seed's model file format."""

import json

import numpy as np
import pytest

from src.activation_functions import ActivationFunction
from src.layer import Layer
from src.neural_network import NeuralNet


def seed_forward(model, x):
    """The seed's forward pass, written independently: f(W @ x + b) layer by layer."""
    a = np.asarray(x, dtype=float)
    for i in range(1, sum(key.startswith("Layer_") for key in model)):
        block = model[f"Layer_{i}"]
        f = ActivationFunction.get_activation_function(block["activation_func"])
        a = f(np.array(block["weights"]) @ a + np.array(block["biases"]), **block.get("activation_params", {}))
    return a


def seed_style_model(with_params=True):
    rng = np.random.default_rng(5)
    blocks = {}
    spec = [(3, 3, "input", "leaky_relu"), (3, 10, "hidden", "leaky_relu"),
            (10, 5, "hidden", "elu"), (5, 2, "output", "tanh")]
    for i, (prev, size, kind, act) in enumerate(spec):
        weights = np.zeros((size, prev)) if kind == "input" else rng.normal(0, 0.3, (size, prev))
        block = {"weights": weights.tolist(),
                 "biases": (np.zeros(size) if kind == "input" else rng.normal(0, 0.1, size)).tolist(),
                 "previousLayer_size": prev, "layer_size": size, "activation_func": act,
                 "layer_type": kind}
        if with_params:
            block["activation_params"] = {"leaky_relu": {"alpha": 0.01}, "elu": {"alpha": 0.8}}.get(act, {})
        blocks[f"Layer_{i}"] = block
    return blocks


def build(sizes=(3, 8, 6, 2), output="tanh", seed=0):
    rng = np.random.default_rng(seed)
    net = NeuralNet()
    net.add_layer(Layer(sizes[0], sizes[0], "input"))
    for prev, size in zip(sizes[:-2], sizes[1:-1]):
        net.add_layer(Layer(prev, size, "hidden", rng=rng))
    net.add_layer(Layer(sizes[-2], sizes[-1], "output", output, rng=rng))
    return net


@pytest.mark.parametrize("with_params", [True, False])
def test_seed_format_file_loads_and_predicts_as_the_seed_did(tmp_path, with_params):
    model = seed_style_model(with_params)
    path = tmp_path / "seed_model.json"
    path.write_text(json.dumps(model))
    net = NeuralNet().load(path)
    samples = np.random.default_rng(1).uniform(-2, 2, size=(20, 3))
    expected = np.array([seed_forward(model, x) for x in samples])
    if not with_params:
        assert net.layers[2].activation_params == {"alpha": 1.0}
        model_with_defaults = seed_style_model(True)
        model_with_defaults["Layer_2"]["activation_params"] = {"alpha": 1.0}
        expected = np.array([seed_forward(model_with_defaults, x) for x in samples])
    np.testing.assert_allclose(net.forward_propagation(samples), expected, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(net.forward_propagation(samples[3]), expected[3], rtol=1e-13, atol=1e-15)
    assert net.input_offset is None and net.cost_function is None


def test_save_load_round_trips_bit_identically(tmp_path):
    net = build()
    net.set_input_scaling([0, 0, 0], [255, 255, 255])
    net.cost_function = "mse"
    net.training_record = {"runs": [{"epochs": 3}], "history": [{"epoch": 1, "cost": 0.1}]}
    first = tmp_path / "a.json"
    second = tmp_path / "b.json"
    net.save(first)
    loaded = NeuralNet().load(first)
    for original, copy in zip(net.layers, loaded.layers):
        assert np.array_equal(original.weights, copy.weights)
        assert np.array_equal(original.biases, copy.biases)
        assert original.activation_func is copy.activation_func
        assert original.activation_params == copy.activation_params
        assert original.layer_type == copy.layer_type
    assert np.array_equal(loaded.input_offset, net.input_offset)
    assert np.array_equal(loaded.input_scale, net.input_scale)
    assert loaded.training_record == net.training_record
    loaded.save(second)
    assert first.read_bytes() == second.read_bytes()
    x = np.random.default_rng(2).uniform(0, 255, size=(50, 3))
    assert np.array_equal(net.forward_propagation(x), loaded.forward_propagation(x))


def test_saved_file_keeps_the_seeds_layer_blocks(tmp_path):
    net = build()
    path = tmp_path / "m.json"
    net.save(path)
    content = json.loads(path.read_text())
    assert [k for k in content if k.startswith("Layer_")] == ["Layer_0", "Layer_1", "Layer_2", "Layer_3"]
    assert content["Layer_0"]["layer_type"] == "input"
    assert content["Layer_3"]["activation_func"] == "tanh"
    assert content["Layer_1"]["activation_params"] == {"alpha": 0.01}
    assert np.array(content["Layer_1"]["weights"]).shape == (8, 3)
    assert content["format_version"] == 2
    samples = np.random.default_rng(3).normal(size=(10, 3))
    np.testing.assert_allclose(net.forward_propagation(samples),
                               np.array([seed_forward(content, x) for x in samples]), rtol=1e-13)


def test_input_scaling_maps_the_raw_range_to_minus_one_one():
    net = build()
    net.set_input_scaling([0, 0, 0], [255, 255, 255])
    np.testing.assert_allclose(net.scale_inputs(np.array([[0.0, 127.5, 255.0]])), [[-1.0, 0.0, 1.0]])
    plain = build()
    raw = np.array([[255.0, 0.0, 127.5]])
    np.testing.assert_allclose(net.forward_propagation(raw), plain.forward_propagation(raw / 127.5 - 1))


def test_add_layer_checks_the_chain():
    net = NeuralNet()
    with pytest.raises(ValueError, match="first layer"):
        net.add_layer(Layer(3, 5, "hidden"))
    net.add_layer(Layer(3, 3, "input"))
    with pytest.raises(ValueError, match="expects 4 inputs"):
        net.add_layer(Layer(4, 5, "hidden"))
    net.add_layer(Layer(3, 5, "hidden"))
    with pytest.raises(ValueError, match="input layer"):
        net.add_layer(Layer(5, 5, "input"))
    net.add_layer(Layer(5, 2, "output"))
    with pytest.raises(ValueError, match="output layer"):
        net.add_layer(Layer(2, 2, "hidden"))
    with pytest.raises(ValueError):
        net.add_layer("not a layer")


def test_forward_rejects_inputs_of_the_wrong_width():
    net = build()
    with pytest.raises(ValueError, match="3 numbers per sample"):
        net.forward_propagation(np.zeros((4, 2)))
    with pytest.raises(ValueError):
        net.forward_propagation(np.array(["a", "b", "c"]))


def test_predict_in_chunks_and_float32_agree_with_the_forward_pass():
    net = build((3, 32, 32, 2), output="softmax")
    net.set_input_scaling([0] * 3, [255] * 3)
    x = np.random.default_rng(4).uniform(0, 255, size=(1000, 3))
    full = net.forward_propagation(x)
    np.testing.assert_allclose(net.predict(x, chunk_size=64), full, rtol=1e-13, atol=1e-15)
    single = net.predict(x, dtype=np.float32, chunk_size=100)
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, full, atol=1e-5)
    with pytest.raises(ValueError):
        net.predict(x, dtype=np.int32)
    with pytest.raises(ValueError):
        net.predict(x, chunk_size=0)


def test_save_refuses_non_finite_weights_and_keeps_the_old_file(tmp_path):
    net = build()
    path = tmp_path / "m.json"
    net.save(path)
    before = path.read_bytes()
    net.layers[1]._weights[0, 0] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        net.save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


def test_trace_shows_every_layer():
    net = build()
    trace = net.forward_trace(np.array([0.1, 0.2, 0.3]))
    assert [step["layer"] for step in trace] == [0, 1, 2, 3]
    np.testing.assert_allclose(trace[-1]["activation"], net.forward_propagation(np.array([0.1, 0.2, 0.3])))
    layer = net.layers[1]
    np.testing.assert_allclose(trace[1]["weighted_input"], layer.weights @ [0.1, 0.2, 0.3] + layer.biases)


def test_predict_chunks_matches_predict_for_chunks_of_any_size():
    net = build((3, 16, 8, 2), output="softmax")
    net.set_input_scaling([0] * 3, [255] * 3)
    rng = np.random.default_rng(6)
    chunks = [rng.integers(0, 256, size=(m, 3)) for m in (5, 300, 1, 4097)]
    expected = [net.forward_propagation(chunk.astype(float)) for chunk in chunks]
    for got, want in zip(net.predict_chunks(iter(chunks)), expected):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)
    for got, want in zip(net.predict_chunks(chunks, dtype=np.float32), expected):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, atol=1e-5)
    with pytest.raises(ValueError, match="3 numbers per sample"):
        list(net.predict_chunks([np.zeros((2, 4))]))


def scaled_regression_net():
    net = build((3, 6, 2), output="linear", seed=4)
    net.set_output_scaling([450.0, -2.0], [120.0, 0.25])
    return net


def test_output_scaling_maps_the_last_layer_to_the_targets_units(tmp_path):
    net = scaled_regression_net()
    x = np.random.default_rng(1).normal(size=(9, 3))
    a = x
    for layer in net.layers[1:]:
        a = layer.activation_func(a @ layer.weights.T + layer.biases, **layer.activation_params)
    expected = np.array([450.0, -2.0]) + a * np.array([120.0, 0.25])
    np.testing.assert_allclose(net.forward_propagation(x), expected, rtol=1e-14)
    np.testing.assert_allclose(net.forward_propagation(x[0]), expected[0], rtol=1e-14)
    np.testing.assert_allclose(net.predict(x, chunk_size=4), expected, rtol=1e-14)
    np.testing.assert_allclose(np.concatenate(list(net.predict_chunks([x[:2], x[2:]]))), expected, rtol=1e-14)
    np.testing.assert_allclose(net.predict(x, dtype=np.float32), expected, rtol=1e-5)
    np.testing.assert_array_equal(net.forward_trace(x)[-1]["activation"], a)  # before the scaling

    net.save(tmp_path / "m.json")
    content = json.loads((tmp_path / "m.json").read_text())
    assert content["output_scaling"] == {"offset": [450.0, -2.0], "scale": [120.0, 0.25]}
    again = NeuralNet().load(tmp_path / "m.json")
    np.testing.assert_array_equal(again.forward_propagation(x), net.forward_propagation(x))
    np.testing.assert_array_equal(again.output_scale, [120.0, 0.25])


@pytest.mark.parametrize("offset,scale,match", [
    ([1.0], [1.0, 1.0], "2 offsets and scales"),
    ([1.0, 2.0], [1.0, 0.0], "non-zero scales"),
    ([1.0, float("nan")], [1.0, 1.0], "finite offsets"),
])
def test_bad_output_scaling_is_refused(offset, scale, match):
    with pytest.raises(ValueError, match=match):
        build((3, 4, 2), output="linear").set_output_scaling(offset, scale)


def test_output_scaling_needs_a_linear_output_also_in_a_file(tmp_path):
    with pytest.raises(ValueError, match="output scaling needs a linear output layer, not tanh"):
        build((3, 4, 2)).set_output_scaling([0.0, 0.0], [1.0, 1.0])
    content = scaled_regression_net().to_dict()
    content["Layer_2"]["activation_func"] = "tanh"
    content["Layer_2"]["activation_params"] = {}
    (tmp_path / "tanh.json").write_text(json.dumps(content))
    with pytest.raises(ValueError, match="tanh.json: output scaling needs a linear output layer"):
        NeuralNet().load(tmp_path / "tanh.json")
    for bad, match in (({"offset": [1.0, 2.0]}, "exactly the keys"), ({"offset": [1.0], "scale": [1.0]}, "shape"),
                       ({"offset": [1.0, 2.0], "scale": [1.0, 0]}, "non-zero"), ([1, 2], "exactly the keys")):
        content = scaled_regression_net().to_dict()
        content["output_scaling"] = bad
        (tmp_path / "bad.json").write_text(json.dumps(content))
        with pytest.raises(ValueError, match=match):
            NeuralNet().load(tmp_path / "bad.json")
