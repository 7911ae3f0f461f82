"""Tests of the neuron maps and the first layer's weights as images."""

from types import SimpleNamespace

import numpy as np
import pytest

from picture_checks import assert_text_is_clear, decode_independently
from src.layer import Layer
from src.neural_network import NeuralNet
from src.pictures.colours import NEGATIVE, POSITIVE, luminance
from src.pictures.neurons import (neuron_figure, neuron_values, plane_tiles, save_neuron_figure,
                                  weight_images, weight_tiles)
from src.pictures.png import read_png
from src.problems import get_problem


def hand_set_net(activation="tanh"):
    """2 inputs -> one hidden neuron computing f(1 * x + 0 * y) -> 2 softmax outputs."""
    net = NeuralNet()
    net.add_layer(Layer(2, 2, "input"))
    net.add_layer(Layer(2, 1, "hidden", activation))
    net.add_layer(Layer(1, 2, "output", "softmax"))
    net.layers[1].weights = [[1.0, 0.0]]
    net.layers[1].biases = [0.0]
    net.layers[2].weights = [[2.0], [-2.0]]
    net.layers[2].biases = [0.0, 0.0]
    return net


def find_tile(image, tile):
    """(row, column) where ``tile`` appears in ``image``, or None."""
    height, width = tile.shape[:2]
    for row, col in np.argwhere(np.all(image == tile[0, 0], axis=2)):
        if np.array_equal(image[row:row + height, col:col + width], tile):
            return row, col
    return None


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_a_neuron_with_weights_1_0_is_dark_left_of_x_0_and_light_right_of_it(activation):
    net = hand_set_net(activation)
    tiles, _ = plane_tiles(net, 1, (-1, -1), (1, 1), 40)
    tile = luminance(tiles[0])
    assert tile.shape == (40, 40)
    left, right = tile[:, :20], tile[:, 20:]  # x < 0 and x > 0
    assert left.max() < right.min() and left.mean() < 100 and right.mean() > 120
    assert np.all(np.diff(tile.mean(axis=0)) >= 0)  # lighter and lighter to the right
    assert np.allclose(tile, tile[:1])  # the same on every row: y does not matter


def test_the_written_neuron_picture_holds_that_map(tmp_path):
    net = hand_set_net()
    problem = get_problem("xor")
    path = tmp_path / "neurons.png"
    pixels = save_neuron_figure(path, net, problem)
    image = read_png(path)
    assert np.array_equal(image, pixels)
    assert np.array_equal(decode_independently(path.read_bytes())["frames"][0], pixels)
    tiles, _ = plane_tiles(net, 1, problem.input_low, problem.input_high, 56)
    where = find_tile(image, tiles[0])
    assert where is not None
    row, col = where
    zero = col + round((0 - problem.input_low[0]) / 2.0 * 56)  # x runs from -0.5 to 1.5
    left = luminance(image[row:row + 56, col:zero - 1])
    right = luminance(image[row:row + 56, zero + 1:col + 56])
    assert left.max() < right.min() and left.mean() < 100 and right.mean() > 120


def test_neuron_values_are_the_forward_pass_layer_by_layer():
    net = NeuralNet().load(get_problem("xor").model_path)
    inputs = np.random.default_rng(3).uniform(-0.5, 1.5, (50, 2))
    values = neuron_values(net, inputs)
    assert [v.shape for v in values] == [(50, 8), (50, 2)]
    assert np.allclose(values[-1], net.predict(inputs))


def test_the_figure_of_a_shipped_model_has_a_map_for_every_neuron():
    problem = get_problem("xor")
    net = NeuralNet().load(problem.model_path)
    inputs = np.random.default_rng(0).uniform(-0.5, 1.5, (30, 2))
    figure = neuron_figure(net, problem, points=inputs, point_classes=np.zeros(30, int),
                           title="xor: 2-8-2 tanh/softmax")
    texts = [box.text for box in figure.texts]
    assert "hidden 1: 8 tanh" in texts and "output: 2 softmax" in texts
    assert [str(k) for k in range(1, 9)] == [t for t in texts if t.isdigit()]
    assert {"xor true", "xor false"} <= set(texts)
    tiles, _ = plane_tiles(net, 1, problem.input_low, problem.input_high, 56)
    assert len(tiles) == 8 and all(find_tile(figure.pixels, tile) is not None for tile in tiles)
    assert_text_is_clear(figure)


def test_red_neurons_are_shown_on_the_slices():
    problem = get_problem("red")
    net = NeuralNet().load(problem.model_path)
    figure = neuron_figure(net, problem)
    texts = " ".join(box.text for box in figure.texts)
    assert "each neuron on slices at b = 0, 30, 60, 90, 120" in texts
    assert "hidden 1: 32 tanh" in texts and "hidden 2: 32 tanh" in texts
    assert_text_is_clear(figure)


def test_weights_as_images_show_where_a_neuron_looks():
    weights = np.zeros((3, 64))
    image = np.zeros((8, 8))
    image[:, :4] = 1.0  # positive on the left half of the image
    image[:, 4:] = -0.5  # negative, half as strong, on the right
    weights[0] = image.ravel()
    weights[1, 0] = 0.25
    tiles, strongest = weight_tiles(weights, (8, 8), block=4)
    assert strongest == 1.0 and tiles[0].shape == (32, 32, 3)
    assert np.array_equal(tiles[0][5, 5], POSITIVE)
    right = tiles[0][5, 25]
    assert np.all(right >= np.minimum(NEGATIVE, 255)) and right[0] > right[2]  # orange, lighter
    assert np.array_equal(tiles[2][10, 10], [255, 255, 255])
    canvas = weight_images(weights, (8, 8))
    assert all(find_tile(canvas.pixels, tile) is not None for tile in tiles)
    with pytest.raises(ValueError, match="shape"):
        weight_tiles(np.zeros((3, 63)), (8, 8))


def test_an_image_problem_shows_its_first_layer_as_images():
    rng = np.random.default_rng(0)
    net = NeuralNet()
    net.add_layer(Layer(64, 64, "input"))
    net.add_layer(Layer(64, 16, "hidden", "relu", rng=rng))
    net.add_layer(Layer(16, 10, "output", "softmax", rng=rng))
    digits = SimpleNamespace(name="digits", input_names=tuple(f"p{i}" for i in range(64)),
                             class_names=tuple(str(d) for d in range(10)), image_shape=(8, 8),
                             input_low=(0,) * 64, input_high=(16,) * 64)
    figure = neuron_figure(net, digits)
    tiles, _ = weight_tiles(net.layers[1].weights, (8, 8))
    assert all(find_tile(figure.pixels, tile) is not None for tile in tiles)
    assert any("the first layer's weights" in box.text for box in figure.texts)
    assert_text_is_clear(figure)


def test_problems_it_cannot_draw_are_refused():
    net = NeuralNet()
    net.add_layer(Layer(4, 4, "input"))
    net.add_layer(Layer(4, 3, "output", "softmax"))
    iris = SimpleNamespace(name="iris", input_names=("a", "b", "c", "d"), class_names=("x", "y", "z"),
                           input_low=(0,) * 4, input_high=(1,) * 4)
    with pytest.raises(ValueError, match="2 or 3 inputs or image inputs"):
        neuron_figure(net, iris)


def test_scale_2_draws_the_neurons_twice_as_big_with_nothing_over_the_text():
    problem = get_problem("xor")
    net = NeuralNet().load(problem.model_path)
    one, two = neuron_figure(net, problem), neuron_figure(net, problem, scale=2)
    assert abs(two.pixels.shape[0] - 2 * one.pixels.shape[0]) <= 4
    tiles, _ = plane_tiles(net, 1, problem.input_low, problem.input_high, 112)
    assert find_tile(two.pixels, tiles[0]) is not None
    assert_text_is_clear(two)
