"""Tests of the network diagram: the layout (what an SVG would draw too) and its rasterising."""

import numpy as np

from picture_checks import assert_text_is_clear, decode_independently
from src.layer import Layer
from src.neural_network import NeuralNet
from src.pictures.colours import NEGATIVE, POSITIVE
from src.pictures.network import (STRONG_PER_NEURON, THICK, THIN, draw_network, faint_threshold,
                                  network_layout, save_network_figure)
from src.pictures.png import read_png
from src.problems import get_problem


def net_of(sizes, seed=0, activation="tanh"):
    rng = np.random.default_rng(seed)
    net = NeuralNet()
    net.add_layer(Layer(sizes[0], sizes[0], "input"))
    for before, size in zip(sizes, sizes[1:-1]):
        net.add_layer(Layer(before, size, "hidden", activation, rng=rng))
    net.add_layer(Layer(sizes[-2], sizes[-1], "output", "softmax", rng=rng))
    return net


def test_layout_puts_layers_in_columns_and_every_weight_on_a_line():
    net = net_of([2, 3, 2])
    net.layers[1].weights = [[1.0, -0.5], [0.1, 0.0], [-2.0, 0.3]]
    layout = network_layout(net, ("x", "y"), ("a", "b"))
    assert len(layout.neurons) == 7 and len(layout.connections) == 6 + 6
    columns = [sorted({n.x for n in layout.neurons if n.layer == j}) for j in range(3)]
    assert all(len(c) == 1 for c in columns) and columns[0][0] < columns[1][0] < columns[2][0]
    middle = [n.y for n in layout.neurons if n.layer == 1]
    assert abs(np.mean([n.y for n in layout.neurons if n.layer == 0]) - np.mean(middle)) < 1e-9
    by_weight = {(c.layer, c.source, c.target): c for c in layout.connections}
    assert by_weight[(1, 0, 0)].colour == tuple(POSITIVE)
    assert by_weight[(1, 1, 0)].colour == tuple(NEGATIVE)
    assert by_weight[(1, 0, 2)].width > by_weight[(1, 0, 0)].width > by_weight[(1, 0, 1)].width
    strongest = max(abs(c.weight) for c in layout.connections)
    assert layout.strongest == strongest
    assert max(c.width for c in layout.connections) == THICK
    assert min(c.width for c in layout.connections) >= THIN
    assert layout.thresholds == (0.0, 0.0) and not any(c.faint for c in layout.connections)
    ends = {(c.x0, c.y0) for c in layout.connections if c.layer == 1}
    assert ends == {(n.x, n.y) for n in layout.neurons if n.layer == 0}
    labels = {label.text for label in layout.labels}
    assert {"x", "y", "a", "b", "input", "hidden 1", "output", "3 tanh", "2 softmax"} <= labels


def test_wide_layers_keep_only_the_strongest_lines_and_show_the_threshold():
    net = net_of([2, 64, 64, 2])
    layout = network_layout(net)
    threshold = layout.thresholds[1]
    weights = np.abs(net.layers[2].weights)
    assert threshold > 0 and layout.thresholds[0] == 0 and layout.thresholds[2] == 0
    strong = [c for c in layout.connections if c.layer == 2 and not c.faint]
    assert STRONG_PER_NEURON * 64 <= len(strong) <= 1.2 * STRONG_PER_NEURON * 64  # threshold rounded down
    assert all(abs(c.weight) >= threshold for c in strong)
    assert np.count_nonzero(weights >= threshold) == len(strong)
    assert all(c.opacity < 0.2 for c in layout.connections if c.faint)
    shown = [label.text for label in layout.labels]
    assert f"faint: |w| < {threshold:g}" in shown
    assert faint_threshold(np.ones((2, 3))) == 0.0  # few lines: none faint


def test_drawn_lines_have_the_colour_of_their_sign():
    net = net_of([1, 1, 1])
    net.layers[1].weights = [[2.0]]
    net.layers[2].weights = [[-2.0]]
    layout = network_layout(net)
    canvas = draw_network(layout)
    for c in layout.connections:
        x, y = round((c.x0 + c.x1) / 2), round((c.y0 + c.y1) / 2)
        pixel = canvas.pixels[y, x].astype(int)
        if c.weight > 0:
            assert pixel[2] > pixel[0] + 60  # blue
        else:
            assert pixel[0] > pixel[2] + 60  # orange
    assert_text_is_clear(canvas)


def test_a_scaled_drawing_is_the_same_layout_twice_as_big():
    net = net_of([3, 5, 2])
    layout = network_layout(net, ("r", "g", "b"), ("red", "not red"))
    one, two = draw_network(layout, 1), draw_network(layout, 2)
    assert abs(two.pixels.shape[0] - 2 * one.pixels.shape[0]) <= 2
    assert abs(two.pixels.shape[1] - 2 * one.pixels.shape[1]) <= 2
    assert_text_is_clear(two)


def test_the_network_picture_of_a_shipped_model(tmp_path):
    problem = get_problem("checkerboard")
    net = NeuralNet().load(problem.model_path)
    path = tmp_path / "network.png"
    pixels = save_network_figure(path, net, input_names=problem.input_names,
                                 output_names=problem.class_names,
                                 title="checkerboard: 2-64-64-2 leaky_relu/softmax")
    assert np.array_equal(read_png(path), pixels)
    assert np.array_equal(decode_independently(path.read_bytes())["frames"][0], pixels)
    assert pixels.shape[0] < 900 and pixels.shape[1] < 1000
