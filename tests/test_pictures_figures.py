"""Tests of the figures: class colours, decision maps, slices, cost curves, layout and titles."""

import numpy as np
import pytest

from picture_checks import assert_text_is_clear, decode_independently, find_text
from src.layer import Layer
from src.neural_network import NeuralNet
from src.pictures.canvas import Canvas
from src.pictures.colours import ERROR, TEXT, class_colours, luminance
from src.pictures.figures import (boundary_levels, cost_axis, cost_figure, decision_map,
                                  framed_map, legend, plot_figure, save_plot, slices_figure,
                                  stack, titled)
from src.pictures.png import read_png
from src.pictures.titles import measured_line, model_title, network_summary
from src.problems import get_problem


def right_is_class_0(inputs):
    """Class 0 where x > 0.5, class 1 elsewhere, as one-hot probabilities (n, 2)."""
    right = inputs[:, 0] > 0.5
    return np.column_stack([right, ~right]).astype(float)


def sphere_rule(inputs):
    """The red definition: within 127 of (255, 0, 0); tanh-like scores (n, 2)."""
    red = np.linalg.norm(inputs - np.array([255.0, 0.0, 0.0]), axis=1) <= 127
    return np.column_stack([np.where(red, 1.0, -1.0), np.where(red, -1.0, 1.0)])


def shifted_sphere(inputs):
    """A wrong red rule: the sphere centred at (200, 40, 0)."""
    return sphere_rule(inputs - np.array([-55.0, 40.0, 0.0]))


def checkerboard_rule(inputs):
    black = (np.floor(inputs[:, 0]) + np.floor(inputs[:, 1])) % 2 == 0
    return np.column_stack([black, ~black]).astype(float)


def black_pixels(image):
    return int(np.all(image == ERROR, axis=2).sum())


# --- colours ---


def test_a_class_named_after_a_colour_gets_that_colour():
    strong, fill = class_colours(["black", "white"])
    assert strong.tolist() == [[0, 0, 0], [255, 255, 255]]
    assert luminance(fill[0]) < 80 and luminance(fill[1]) > 250
    strong, _ = class_colours(["red", "not red"])
    assert strong[0, 0] > 200 and strong[0, 2] < 60  # red
    assert strong[1, 2] > strong[1, 0]  # the next free palette colour: blue
    strong, _ = class_colours(["Green", "blue", "other"])
    assert strong[0, 1] > strong[0, 0] and strong[1, 2] > strong[1, 1]
    assert strong[2].tolist() not in strong[:2].tolist()


def test_class_colours_are_distinct_with_lighter_fills():
    strong, fill = class_colours(4)
    assert strong.shape == fill.shape == (4, 3) and strong.dtype == np.uint8
    assert len({tuple(colour) for colour in strong}) == 4
    assert np.all(luminance(fill) > luminance(strong))
    assert len({tuple(colour) for colour in class_colours(12)[0]}) == 12
    with pytest.raises(ValueError):
        class_colours(0)


# --- maps ---


def test_decision_map_puts_each_class_on_its_side():
    image = decision_map(right_is_class_0, (0, 0), (1, 1), size=(40, 30), shade=False)
    assert image.shape == (30, 40, 3) and image.dtype == np.uint8
    _, fill = class_colours(2)
    for row in (0, 15, 29):
        assert np.array_equal(image[row, 35], fill[0])
        assert np.array_equal(image[row, 5], fill[1])


def test_decision_map_y_axis_points_up():
    def upper_is_class_0(inputs):
        upper = inputs[:, 1] > 0
        return np.column_stack([upper, ~upper]).astype(float)

    image = decision_map(upper_is_class_0, (-1, -1), (1, 1), size=(20, 20), shade=False)
    _, fill = class_colours(2)
    assert np.array_equal(image[2, 10], fill[0])
    assert np.array_equal(image[17, 10], fill[1])


def test_decision_map_draws_points_in_their_class_colour():
    points = np.array([[0.25, 0.5], [0.75, 0.5]])
    image = decision_map(right_is_class_0, (0, 0), (1, 1), size=(40, 40),
                         points=points, point_classes=np.array([[-1, 1], [1, -1]]))
    strong, _ = class_colours(2)
    assert np.array_equal(image[20, 10], strong[1])
    assert np.array_equal(image[20, 30], strong[0])


def test_decision_map_rejects_bad_predictions_and_domains():
    with pytest.raises(ValueError):
        decision_map(lambda x: x[:, 0], (0, 0), (1, 1), size=(4, 4))
    with pytest.raises(ValueError):
        decision_map(right_is_class_0, (1, 0), (0, 1), size=(4, 4))


@pytest.mark.parametrize("predict", ["rule", "shipped model"])
def test_checkerboards_black_class_region_is_dark_and_white_is_light(predict):
    problem = get_problem("checkerboard")
    if predict == "rule":
        predict = checkerboard_rule
    else:
        predict = NeuralNet().load(problem.model_path).predict
    image = decision_map(predict, (0, 0), (4, 4), (80, 80), problem.class_names)
    for x in range(4):
        for y in range(4):
            pixel = image[79 - (20 * y + 10), 20 * x + 10]  # the centre of square (x, y)
            if (x + y) % 2 == 0:
                assert luminance(pixel) < 80, (x, y, pixel)
            else:
                assert luminance(pixel) > 240, (x, y, pixel)


# --- the red cube ---


def test_red_slices_are_taken_where_the_boundary_is():
    """Levels 0, 64, 128, 192, 255 put three of five slices where nothing is red."""
    levels, found = boundary_levels(sphere_rule, (0, 0, 0), (255, 255, 255))
    assert found and levels == [0, 30, 60, 90, 120]
    for level in levels:
        grid = np.stack(np.meshgrid(np.linspace(0, 255, 50), np.linspace(0, 255, 50)), -1)
        inputs = np.column_stack([grid.reshape(-1, 2), np.full(2500, level)])
        classes = np.argmax(sphere_rule(inputs), axis=1)
        assert 0 in classes and 1 in classes, level


def test_boundary_levels_without_a_boundary_spread_over_the_range():
    levels, found = boundary_levels(lambda x: np.column_stack([np.ones(len(x)), np.zeros(len(x))]),
                                    (0, 0, 0), (255, 255, 255))
    assert not found and levels[0] == 0 and levels[-1] == 250 and len(levels) == 5


def test_red_slices_show_no_errors_for_the_exact_rule_and_errors_for_a_wrong_one():
    exact = slices_figure(sphere_rule, (0, 0, 0), (255, 255, 255), [0, 60, 120],
                          class_names=("red", "not red"), true_label=sphere_rule, slice_size=32)
    assert black_pixels(exact.pixels) == 0
    assert {"b = 0", "b = 60", "b = 120"} <= {box.text for box in exact.texts}
    wrong = slices_figure(shifted_sphere, (0, 0, 0), (255, 255, 255), [0, 60, 120],
                          class_names=("red", "not red"), true_label=sphere_rule, slice_size=32)
    assert black_pixels(wrong.pixels) > 0
    assert_text_is_clear(exact)


def test_the_red_figure_names_its_slices():
    figure = plot_figure(sphere_rule, get_problem("red"), costs=[1.0, 0.5, 0.25],
                         true_label=sphere_rule)
    texts = " ".join(box.text for box in figure.texts)
    assert "slices at b = 0, 30, 60, 90, 120 (where the model's boundary lies)" in texts


# --- cost curves ---


def test_a_log_cost_axis_labels_every_power_of_ten_it_spans():
    """The old axis labelled two decades of a curve that spanned three."""
    costs = 0.5 * np.exp(-np.arange(60) / 8.0) + 4e-4
    log, low, high, ticks, labels = cost_axis(costs.min(), costs.max())
    assert log and (low, high) == (-4, 0)
    assert labels == ["0.0001", "0.001", "0.01", "0.1", "1"]
    figure = cost_figure(costs, size=(320, 240))
    drawn = {box.text for box in figure.texts}
    assert set(labels) <= drawn and "cost (log scale)" in drawn
    assert_text_is_clear(figure)


def test_a_narrow_cost_range_uses_a_linear_axis():
    log, low, high, ticks, labels = cost_axis(0.2, 0.3)
    assert not log and low < 0.2 and high > 0.3
    assert all(low <= t <= high for t in ticks) and len(ticks) >= 3


def test_cost_curve_has_the_size_and_draws_something():
    costs = 0.5 * np.exp(-np.arange(50) / 10.0) + 0.001
    figure = cost_figure(costs, size=(200, 150), validation=costs * 1.5)
    assert figure.pixels.shape == (150, 200, 3)
    assert np.count_nonzero(np.any(figure.pixels != 255, axis=2)) > 200
    assert {"training", "validation"} <= {box.text for box in figure.texts}
    assert_text_is_clear(figure)


def test_cost_curve_survives_awkward_histories():
    for costs in ([0.3], [0.2, 0.2, 0.2], [1.0, np.nan, 0.5], [np.inf], [-1.0, 0.0, 1.0]):
        figure = cost_figure(costs, size=(160, 120))
        assert figure.pixels.shape == (120, 160, 3)
        assert np.any(figure.pixels != 255)


def test_cost_curve_with_fixed_axes_for_animations():
    figure = cost_figure([0.7, 0.4], positions=[0.0, 0.5], x_limits=(0, 10), y_limits=(0.01, 0.7))
    drawn = {box.text for box in figure.texts}
    assert {"0", "10", "0.01", "0.1", "1"} <= drawn


# --- layout ---


@pytest.mark.parametrize("scale", [1, 2])
@pytest.mark.parametrize("name", ["xor", "red", "quadrant"])
def test_no_label_overlaps_another_or_is_drawn_over(name, scale):
    problem = get_problem(name)
    if name == "red":
        figure = plot_figure(shifted_sphere, problem, costs=np.geomspace(1, 0.001, 30),
                             val_costs=np.geomspace(1.2, 0.002, 30), true_label=sphere_rule,
                             title="red: 3-32-32-2 tanh/softmax", subtitle="a subtitle", scale=scale)
    else:
        rng = np.random.default_rng(0)
        points = rng.uniform(problem.input_low, problem.input_high, (40, 2))
        figure = plot_figure(right_is_class_0, problem, points=points,
                             point_classes=rng.integers(0, 2, 40),
                             costs=None if name == "quadrant" else np.linspace(1.0, 0.1, 20),
                             scale=scale)
    assert_text_is_clear(figure)
    names = " ".join(box.text for box in figure.texts)
    assert all(name in names for name in problem.input_names[:2])


def test_framed_map_keeps_axis_names_clear_of_tick_labels():
    for scale in (1, 2):
        framed = framed_map(np.zeros((100 * scale, 150 * scale, 3), np.uint8), (0, -1.5),
                            (6.283, 1.5), ("quite a long x name", "y name"), scale=scale)
        assert_text_is_clear(framed)
        x_name = next(box for box in framed.texts if box.text == "quite a long x name")
        y_name = next(box for box in framed.texts if box.text == "y name")
        ticks = [box for box in framed.texts if box not in (x_name, y_name)]
        assert all(x_name.top >= tick.bottom for tick in ticks)
        assert all(y_name.bottom <= tick.top for tick in ticks)


def test_scale_2_doubles_the_picture_and_its_text():
    problem = get_problem("xor")
    one = plot_figure(right_is_class_0, problem, costs=[0.5, 0.2])
    two = plot_figure(right_is_class_0, problem, costs=[0.5, 0.2], scale=2)
    assert abs(two.pixels.shape[0] - 2 * one.pixels.shape[0]) <= 4
    assert abs(two.pixels.shape[1] - 2 * one.pixels.shape[1]) <= 4
    heights = {box.bottom - box.top for box in two.texts}
    assert heights == {18, 36}  # body text and the double-size title, at scale 2


def test_stack_and_titled_place_pictures():
    red = Canvas(20, 10)
    red.pixels[:] = (255, 0, 0)
    grey = np.full((5, 8), 100, dtype=np.uint8)
    wide = stack([red, grey], gap=4)
    assert wide.pixels.shape == (10, 20 + 4 + 8, 3)
    assert np.array_equal(wide.pixels[0, 0], [255, 0, 0])
    assert np.array_equal(wide.pixels[0, 24], [100, 100, 100])
    tall = stack([red, grey], vertical=True, gap=4, titles=["one", None])
    assert tall.pixels.shape[0] == (9 + 6) + 10 + 4 + (9 + 6) + 5  # every part gets room for a title
    page = titled(tall, "a title", "a subtitle")
    assert {"one", "a title", "a subtitle"} <= {box.text for box in page.texts}
    assert_text_is_clear(page)
    with pytest.raises(ValueError):
        stack([])


def test_legend_has_a_swatch_per_class():
    strong, _ = class_colours(["red", "b", "c"])
    image = legend(["red", "b", "c"]).pixels
    colours = {tuple(pixel) for pixel in image.reshape(-1, 3)}
    assert all(tuple(colour) in colours for colour in strong)


# --- titles and files ---


def small_net(hidden=("tanh",), sizes=(2, 4, 2), output="softmax"):
    rng = np.random.default_rng(0)
    net = NeuralNet()
    net.add_layer(Layer(sizes[0], sizes[0], "input"))
    for size_in, size, activation in zip(sizes, sizes[1:-1], hidden):
        net.add_layer(Layer(size_in, size, "hidden", activation, rng=rng))
    net.add_layer(Layer(sizes[-2], sizes[-1], "output", output, rng=rng))
    return net


def test_titles_name_the_network_its_cost_and_its_accuracy():
    red = NeuralNet().load(get_problem("red").model_path)
    assert network_summary(red) == "3-32-32-2 tanh/softmax"
    assert model_title(get_problem("red"), red) == "red: 3-32-32-2 tanh/softmax"
    mixed = small_net(("tanh", "relu"), (2, 4, 3, 2), "sigmoid")
    assert network_summary(mixed) == "2-4-3-2 tanh,relu/sigmoid"
    assert network_summary(small_net((), (2, 2), "softmax")) == "2-2 softmax"
    assert measured_line("cross_entropy", 0.0123456, 0.998, 20000, "fresh samples") == \
        "cross-entropy 0.01235, 99.80 % right on 20,000 fresh samples"


def test_save_plot_writes_the_figure_with_its_title(tmp_path):
    problem = get_problem("xor")
    rng = np.random.default_rng(0)
    points = rng.uniform(-0.5, 1.5, (40, 2))
    classes = (points[:, 0] <= 0.5).astype(int)
    path = tmp_path / "xor.png"
    pixels = save_plot(path, right_is_class_0, problem, points=points, point_classes=classes,
                       costs=np.linspace(1.0, 0.1, 20), val_costs=np.linspace(1.1, 0.2, 20),
                       title="xor: 2-8-2 tanh/softmax", subtitle="cross-entropy 0.01, 99.00 % right")
    image = read_png(path)
    assert np.array_equal(image, pixels)
    assert np.array_equal(decode_independently(path.read_bytes())["frames"][0], pixels)
    assert find_text(image, "xor: 2-8-2 tanh/softmax", TEXT, scale=2)
    assert find_text(image, "cross-entropy 0.01, 99.00 % right", TEXT)


def test_save_plot_writes_a_png_for_red(tmp_path):
    path = tmp_path / "red.png"
    pixels = save_plot(path, shifted_sphere, get_problem("red"), costs=[1.0, 0.5, 0.25],
                       true_label=sphere_rule)
    assert np.array_equal(read_png(path), pixels)
    assert black_pixels(pixels) > 0


def test_plot_figure_refuses_problems_it_cannot_draw():
    class FourInputs:
        name, input_names, class_names = "four", ("a", "b", "c", "d"), ("x", "y")
        input_low, input_high = (0, 0, 0, 0), (1, 1, 1, 1)

    with pytest.raises(ValueError, match="2 or 3 inputs"):
        plot_figure(right_is_class_0, FourInputs())
