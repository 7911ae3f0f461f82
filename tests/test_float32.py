"""Training in float32, the data gathered batch by batch, and the inference plan a network keeps.

- ``Training(..., dtype=np.float32)`` keeps everything in float32, and its
  gradients agree with float64 ones to float32 precision (the finite-difference
  checks stay in float64, where they can resolve the gradient);
- a float32 network trains as well as a float64 one on fresh samples, and its
  model file loads into a network that predicts the same numbers;
- training never copies the data set: its memory grows by far less than the data;
- gathering a few batches at a time gives exactly the numbers of gathering one;
- ``predict`` keeps its buffers between calls but always sees the weights as they are now.
"""

import json
import subprocess
import sys
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest

from src import training as training_module
from src.activation_functions import ActivationFunction
from src.layer import Layer
from src.neural_network import NeuralNet
from src.training import Training

ROOT = Path(__file__).resolve().parent.parent


def build(sizes, hidden="leaky_relu", output="tanh", seed=0, dropout=0.0):
    rng = np.random.default_rng(seed)
    net = NeuralNet()
    net.add_layer(Layer(sizes[0], sizes[0], "input"))
    for i in range(1, len(sizes)):
        last = i == len(sizes) - 1
        net.add_layer(Layer(sizes[i - 1], sizes[i], "output" if last else "hidden",
                            activation_func=output if last else hidden, rng=rng,
                            bias_init={"name": "normal", "std": 0.1},
                            dropout=0.0 if last else dropout))
    return net


def copy_of(net):
    other = NeuralNet()
    for layer in net.layers:
        other.add_layer(Layer(layer.previousLayer_size, layer.layer_size, layer.layer_type,
                              layer.activation_func, layer.activation_params,
                              weights=layer.weights, biases=layer.biases, dropout=layer.dropout))
    return other


def two_blobs(n, seed):
    """Two Gaussian blobs in 2-D with one-hot 0/1 targets: learnable, and separable for any seed."""
    rng = np.random.default_rng(seed)
    classes = rng.integers(0, 2, n)
    x = rng.normal(size=(n, 2)) * 0.5 + np.where(classes[:, None] == 1, 1.0, -1.0)
    return x, np.eye(2)[classes], classes


# --- dtype end to end ---

@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"])
def test_a_float32_training_keeps_parameters_gradients_state_and_outputs_in_float32(optimizer):
    net = build((2, 8, 2), output="softmax", dropout=0.0)
    training = Training(net, 0.01, 1.0, "cross_entropy", optimizer, weight_decay=1e-3, dtype=np.float32)
    x, t, _ = two_blobs(64, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        training.train(x, t, 2, 16, verbose=False)
    assert training._params.dtype == np.float32 and training._grads.dtype == np.float32
    for layer in net.layers[1:]:  # the input layer's zeros are not trained
        assert layer.weights.dtype == np.float32 and layer.biases.dtype == np.float32
    state = [value for value in vars(training.optimizer).values() if isinstance(value, np.ndarray)]
    assert state and all(array.dtype == np.float32 for array in state)
    gradients, predictions = training.backpropagation(x[:5], t[:5])
    assert predictions.dtype == np.float32
    assert all(gradient.dtype == np.float32 for key, gradient in gradients.items() if not key.endswith("_0"))
    assert training.settings_record()["dtype"] == "float32"


ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "swish", "mish", "linear"]


@pytest.mark.parametrize("hidden", ACTIVATIONS)
@pytest.mark.parametrize("output, cost", [("tanh", "mse"), ("sigmoid", "cross_entropy"),
                                          ("softmax", "cross_entropy"), ("linear", "mae"), ("softmax", "mse")])
def test_float32_gradients_agree_with_float64_ones_to_float32_precision(hidden, output, cost):
    net64 = build((3, 6, 5, 3), hidden=hidden, output=output, seed=3, dropout=0.2)
    net32 = copy_of(net64)
    t64 = Training(net64, 0.01, 1.0, cost, seed=5)
    t32 = Training(net32, 0.01, 1.0, cost, seed=5, dtype="float32")
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (7, 3))
    t = np.eye(3)[rng.integers(0, 3, 7)]
    if output == "tanh":
        t = 2 * t - 1
    masks = t64.draw_dropout_masks(7)
    g64, p64 = t64.backpropagation(x, t, dropout_masks=masks)
    g32, p32 = t32.backpropagation(x, t, dropout_masks=masks)
    np.testing.assert_allclose(p32, p64, rtol=1e-5, atol=1e-6)
    for key in g64:
        scale = max(float(np.max(np.abs(g64[key]))), 1e-3)
        assert np.max(np.abs(g32[key] - g64[key])) <= 2e-5 * scale, key


def test_check_gradients_asks_for_float64_and_runs_there():
    net = build((2, 4, 2), hidden="tanh")
    x, t = np.array([[0.3, -0.2]]), np.array([[1.0, -1.0]])
    with pytest.raises(ValueError, match="check_gradients needs a float64 training"):
        Training(net, dtype=np.float32).check_gradients(x, t)
    errors = Training(net).check_gradients(x, t)  # the same network, back in float64
    assert max(errors.values()) < 1e-7


@pytest.mark.parametrize("dtype", [np.float16, np.int32, "int64", None, "float128", object])
def test_other_dtypes_are_refused_with_a_message_naming_the_argument(dtype):
    with pytest.raises(ValueError, match="dtype must be np.float64 or np.float32"):
        Training(build((2, 3, 2)), dtype=dtype)


def test_a_float32_network_learns_as_well_as_a_float64_one_on_fresh_samples():
    x, t, _ = two_blobs(2000, 0)
    fresh_x, _, fresh_classes = two_blobs(20000, 99)
    accuracies = {}
    for dtype in (np.float64, np.float32):
        net = build((2, 16, 16, 2), output="softmax", seed=1)
        Training(net, 0.01, None, "cross_entropy", "adam", dtype=dtype).train(x, t, 10, 32, verbose=False)
        accuracies[dtype] = float(np.mean(np.argmax(net.predict(fresh_x), axis=1) == fresh_classes))
    assert accuracies[np.float32] > 0.95
    assert abs(accuracies[np.float32] - accuracies[np.float64]) < 0.005


def test_a_float32_model_saved_and_loaded_predicts_the_same_numbers(tmp_path):
    net = build((2, 8, 2), output="softmax")
    x, t, _ = two_blobs(200, 0)
    Training(net, 0.01, None, "cross_entropy", "adam", dtype=np.float32).train(x, t, 3, 32, verbose=False)
    path = tmp_path / "model.json"
    net.training_record = {"training": Training(net, dtype=np.float32).settings_record()}
    net.save(path)
    loaded = NeuralNet().load(path)
    assert loaded.layers[1].weights.dtype == np.float64
    assert json.loads(path.read_text())["training_record"]["training"]["dtype"] == "float32"
    fresh = np.random.default_rng(7).normal(size=(500, 2))
    for dtype in (np.float32, np.float64):
        np.testing.assert_array_equal(loaded.predict(fresh, dtype=dtype), net.predict(fresh, dtype=dtype))


def test_float64_data_trains_a_float32_network_the_same_as_the_same_data_given_in_float32():
    x, t, _ = two_blobs(300, 2)
    results = []
    for data in (x.astype(np.float32).astype(np.float64), x.astype(np.float32)):
        net = build((2, 8, 2), output="softmax", seed=4)
        net.set_input_scaling([-3, -3], [3, 3])
        Training(net, 0.01, 1.0, "cross_entropy", "adam", dtype=np.float32).train(data, t, 2, 16, verbose=False)
        results.append(net.parameter_vector().copy())
    np.testing.assert_array_equal(results[0], results[1])


# --- the data is gathered, not copied ---

def test_training_adds_far_less_memory_than_a_copy_of_the_data():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (100_000, 40))  # 32 MB
    t = np.eye(2)[rng.integers(0, 2, 100_000)]
    net = build((40, 16, 2), output="softmax")
    net.set_input_scaling(np.full(40, -1.0), np.full(40, 1.0))
    training = Training(net, 0.01, 1.0, "cross_entropy", "adam")
    tracemalloc.start()
    try:
        training.train(x, t, 2, 64, verbose=False, samples_per_epoch=90_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < x.nbytes / 4, f"training took {peak / 1e6:.1f} MB for {x.nbytes / 1e6:.1f} MB of data"


@pytest.mark.parametrize("gather_bytes", [1, 200, 10 ** 9])
def test_gathering_few_or_many_batches_at_a_time_gives_the_same_numbers(monkeypatch, gather_bytes):
    x, t, _ = two_blobs(301, 3)

    def run():
        net = build((2, 8, 8, 2), output="softmax", seed=2, dropout=0.1)
        net.set_input_scaling([-3, -3], [3, 3])
        history = Training(net, 0.01, 1.0, "cross_entropy", "adam", seed=9).train(
            x, t, 3, 16, samples_per_epoch=250, verbose=False)
        return net.parameter_vector().copy(), [entry["cost"] for entry in history]

    expected = run()
    monkeypatch.setattr(training_module, "GATHER_BYTES", gather_bytes)
    got = run()
    np.testing.assert_array_equal(got[0], expected[0])
    assert got[1] == expected[1]


# --- the inference plan a network keeps ---

@pytest.mark.parametrize("rows", [6, 3000])
def test_predict_sees_a_weight_changed_in_place(rows):
    net = build((2, 8, 2), hidden="tanh")
    x = np.random.default_rng(0).normal(size=(rows, 2))
    for dtype in (np.float64, np.float32):
        before = net.predict(x, dtype=dtype)
        net.layers[1].weights[0, 0] += 0.5
        net.layers[2].biases[1] -= 0.25
        after = net.predict(x, dtype=dtype)
        assert not np.allclose(after, before)
        close = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12}
        np.testing.assert_allclose(after, net.forward_propagation(x), **close)


def test_predict_sees_new_layers_scaling_and_a_training_moving_the_weights():
    net = build((2, 8, 2), hidden="tanh")
    x = np.random.default_rng(0).normal(size=(6, 2))
    first = net.predict(x)
    net.set_input_scaling([-2, -2], [2, 2])
    np.testing.assert_allclose(net.predict(x), net.forward_propagation(x), rtol=1e-12)
    assert not np.allclose(net.predict(x), first)
    x_train, t, _ = two_blobs(64, 0)
    Training(net, 0.05, 1.0, "mse", dtype=np.float32).train(x_train, 2 * t - 1, 1, 8, verbose=False)
    np.testing.assert_allclose(net.predict(x), net.forward_propagation(x), rtol=1e-12)
    net.layers[1].weights = np.zeros((8, 2))  # assignment copies into the float32 vector the training holds
    np.testing.assert_allclose(net.predict(x), net.forward_propagation(x), rtol=1e-12)
    other = NeuralNet()
    other.add_layer(Layer(2, 2, "input"))
    other.add_layer(Layer(2, 3, "output", ActivationFunction.sigmoid, rng=1))
    net.__dict__.update(other.__dict__)  # what load does
    assert net.predict(x).shape == (6, 3)


def test_predictions_of_two_calls_are_separate_arrays():
    net = build((2, 4, 2))
    x = np.random.default_rng(0).normal(size=(5, 2))
    first = net.predict(x)
    kept = first.copy()
    net.predict(-x)
    np.testing.assert_array_equal(first, kept)


# --- the scripts ---

def run_script(script, *args, cwd):
    result = subprocess.run([sys.executable, str(ROOT / script), *args, "--quiet"], cwd=cwd,
                            capture_output=True, text=True, timeout=300)
    return result


def test_the_scripts_train_in_float32_on_request_and_continue_in_the_precision_of_the_model(tmp_path):
    created = run_script("main_create_and_train.py", "--problem", "xor", "--model", "x.json", "--dtype", "float32",
                         cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    run = json.loads((tmp_path / "x.json").read_text())["training_record"]["runs"][-1]
    assert run["training"]["dtype"] == "float32" and run["held_out_accuracy"] > 0.99
    continued = run_script("main_continue_training.py", "--problem", "xor", "--model", "x.json", "--epochs", "1",
                           cwd=tmp_path)
    assert continued.returncode == 0, continued.stderr
    runs = json.loads((tmp_path / "x.json").read_text())["training_record"]["runs"]
    assert [r["training"]["dtype"] for r in runs] == ["float32", "float32"]
    refused = run_script("main_create_and_train.py", "--problem", "xor", "--model", "y.json", "--dtype", "float16",
                         cwd=tmp_path)
    assert refused.returncode == 2 and "--dtype: invalid choice: 'float16'" in refused.stderr
    assert not (tmp_path / "y.json").exists()
