"""The Python API refuses arguments that would train or predict nonsense: an error naming the argument."""

import math
import re

import numpy as np
import pytest

from src.datasets import load_dataset, targets_for_activation
from src.layer import Layer
from src.neural_network import NeuralNet
from src.problems import get_problem
from src.training import MAX_PARAMETER, Training, TrainingDiverged


def net():
    rng = np.random.default_rng(0)
    network = NeuralNet()
    network.add_layer(Layer(2, 2, "input"))
    network.add_layer(Layer(2, 4, "hidden", rng=rng))
    network.add_layer(Layer(4, 2, "output", "softmax", rng=rng))
    return network


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 2))
    t = np.zeros((n, 2))
    t[np.arange(n), (x[:, 0] > 0).astype(int)] = 1.0
    return x, t


@pytest.mark.parametrize("value", ["net", None, 3, [Layer(2, 2, "input")]])
def test_training_needs_a_network(value):
    with pytest.raises(TypeError, match="neural_net must be a NeuralNet"):
        Training(value)


@pytest.mark.parametrize("value", [-1, 0, math.nan, "3", 2.5, True])
def test_patience_must_be_a_whole_number_of_epochs(value):
    x, t = data()
    training = Training(net(), 0.01, None, "cross_entropy")
    with pytest.raises(ValueError, match="patience must be an integer >= 1"):
        training.train(x, t, 3, validation_data=data(10, 1), patience=value, verbose=False)


@pytest.mark.parametrize("value", [1.5, 2, math.inf, math.nan, 0, -0.1])
def test_final_lr_fraction_must_be_in_zero_to_one(value):
    with pytest.raises(ValueError, match="final_lr_fraction"):
        Training(net(), 0.01, None, "cross_entropy", lr_schedule="cosine", final_lr_fraction=value)
    Training(net(), 0.01, None, "cross_entropy", lr_schedule="cosine", final_lr_fraction=1)


def test_complex_inputs_targets_and_weights_are_refused():
    x, t = data()
    network = net()
    with pytest.raises(ValueError, match="input_data must be real numbers"):
        network.forward_propagation(x + 1j)
    with pytest.raises(ValueError, match="input_data must be real numbers"):
        network.predict(x.astype(complex))
    training = Training(network, 0.01, None, "cross_entropy")
    with pytest.raises(ValueError, match="input_data must be real numbers"):
        training.train(x * (1 + 0j), t, 1, verbose=False)
    with pytest.raises(ValueError, match="target_values must be real numbers"):
        training.backpropagation(x, t + 0j)
    with pytest.raises(ValueError, match="weights must be real numbers"):
        network.layers[1].weights = np.ones((4, 2)) * 1j
    with pytest.raises(ValueError, match="biases must be real numbers"):
        Layer(2, 3, "hidden", biases=np.zeros(3, dtype=complex))


@pytest.mark.parametrize("low, high", [([0, 0], [np.inf, 1]), ([-1e308, 0], [1e308, 1]), ([0, 0], [5e-324, 1])])
def test_input_scaling_must_give_a_finite_non_zero_scale(low, high):
    network = net()
    with pytest.raises(ValueError, match="input scaling"):
        network.set_input_scaling(low, high)
    assert network.input_scale is None


def test_empty_validation_data_is_refused():
    x, t = data()
    training = Training(net(), 0.01, None, "cross_entropy")
    with pytest.raises(ValueError, match="validation_data holds no samples"):
        training.train(x, t, 1, validation_data=(np.zeros((0, 2)), np.zeros((0, 2))), verbose=False)
    with pytest.raises(ValueError, match="validation_data must be a pair"):
        training.train(x, t, 1, validation_data=x, verbose=False)


def test_zero_samples_are_refused():
    training = Training(net(), 0.01, None, "cross_entropy")
    empty_x, empty_t = np.zeros((0, 2)), np.zeros((0, 2))
    with pytest.raises(ValueError, match="input_data holds no samples"):
        training.train(empty_x, empty_t, 1, verbose=False)
    with pytest.raises(ValueError, match="input_data holds no samples"):
        training.backpropagation(empty_x, empty_t)
    with pytest.raises(ValueError, match="input_data holds no samples"):
        training.evaluate(empty_x, empty_t)


@pytest.mark.parametrize("name", ["softmaxx", "Softmax", "", "eval"])
def test_an_unknown_output_activation_name_is_refused_when_loading_data(name):
    with pytest.raises(ValueError, match="output_activation must be an activation or its title"):
        load_dataset(get_problem("xor").data_path, "xor", output_activation=name)
    with pytest.raises(ValueError, match="output_activation"):
        targets_for_activation([[1.0, -1.0]], name)


def test_weights_beyond_the_bound_count_as_divergence_and_are_put_back():
    """A learning rate of 1e300 gives finite but absurd weights: that is divergence too."""
    x, t = data()
    network = net()
    before = network.layers[1].weights.copy()
    training = Training(network, 1e300, None, "cross_entropy", optimizer="sgd")
    with pytest.raises(TrainingDiverged, match=re.escape(f"weights grew beyond ±{MAX_PARAMETER:g}")):
        training.train(x, t, 3, batch_size=40, verbose=False)  # one step: the cost is still finite
    assert np.array_equal(network.layers[1].weights, before)


def test_weights_within_the_bound_train_as_before():
    x, t = data()
    training = Training(net(), 0.05, None, "cross_entropy", optimizer="adam")
    history = training.train(x, t, 20, batch_size=8, verbose=False)
    assert history[-1]["accuracy"] > 0.9
    assert all(np.abs(layer.weights).max() < MAX_PARAMETER for layer in training.neural_net.layers)
