"""Tests of the pictures and terminal maps, with hand-written classifiers."""

import zlib

import numpy as np
import pytest

from src.plotting import (ERROR, class_colours, compose, cost_curve_image,
                          decision_map_image, legend_image, red_slices_image, save_plot,
                          terminal_map)
from src.png import PNG_SIGNATURE, read_png
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


def black_pixels(image):
    return int(np.all(image == ERROR, axis=2).sum())


def test_class_colours_are_distinct_with_lighter_tints():
    strong, tint = class_colours(4)
    assert strong.shape == tint.shape == (4, 3)
    assert strong.dtype == tint.dtype == np.uint8
    assert len({tuple(colour) for colour in strong}) == 4
    assert np.all(tint.astype(int).sum(axis=1) > strong.astype(int).sum(axis=1))
    assert strong[0, 0] > strong[0, 2] and strong[1, 2] > strong[1, 0]
    many, _ = class_colours(12)
    assert len({tuple(colour) for colour in many}) == 12
    with pytest.raises(ValueError):
        class_colours(0)


def test_decision_map_puts_each_class_on_its_side():
    image = decision_map_image(right_is_class_0, (0, 0), (1, 1), size=(40, 30))
    assert image.shape == (30, 40, 3) and image.dtype == np.uint8
    _, tint = class_colours(2)
    for row in (0, 15, 29):
        assert np.array_equal(image[row, 35], tint[0])
        assert np.array_equal(image[row, 5], tint[1])


def test_decision_map_y_axis_points_up():
    def upper_is_class_0(inputs):
        upper = inputs[:, 1] > 0
        return np.column_stack([upper, ~upper]).astype(float)

    image = decision_map_image(upper_is_class_0, (-1, -1), (1, 1), size=(20, 20))
    _, tint = class_colours(2)
    assert np.array_equal(image[2, 10], tint[0])
    assert np.array_equal(image[17, 10], tint[1])


def test_decision_map_draws_points_in_their_class_colour():
    points = np.array([[0.25, 0.5], [0.75, 0.5]])
    image = decision_map_image(right_is_class_0, (0, 0), (1, 1), size=(40, 40),
                               points=points, point_classes=np.array([[-1, 1], [1, -1]]))
    strong, _ = class_colours(2)
    assert np.array_equal(image[20, 10], strong[1])
    assert np.array_equal(image[20, 30], strong[0])


def test_decision_map_rejects_bad_predictions_and_domains():
    with pytest.raises(ValueError):
        decision_map_image(lambda x: x[:, 0], (0, 0), (1, 1), size=(4, 4))
    with pytest.raises(ValueError):
        decision_map_image(right_is_class_0, (1, 0), (0, 1), size=(4, 4))


def test_terminal_map_has_the_right_symbols_on_each_side():
    text = terminal_map(right_is_class_0, (0, -1), (1, 1), width=20, height=6,
                        class_names=("right", "left"))
    rows = [line.split("|")[1] for line in text.splitlines() if line.count("|") == 2]
    assert len(rows) == 6
    assert all(row == "." * 10 + "#" * 10 for row in rows)
    assert "# right" in text and ". left" in text
    assert text.isascii()


def test_terminal_map_custom_symbols_and_top_row_is_high_y():
    def upper(inputs):
        return np.column_stack([inputs[:, 1] > 0, inputs[:, 1] <= 0]).astype(float)

    text = terminal_map(upper, (0, 0), (1, 2), width=8, height=4, symbols="AB")
    rows = [line.split("|")[1] for line in text.splitlines() if line.count("|") == 2]
    assert rows[0] == "AAAAAAAA"
    with pytest.raises(ValueError):
        terminal_map(upper, (0, 0), (1, 2), width=8, height=4, symbols="A")


def test_red_slices_show_no_errors_for_the_exact_rule():
    image = red_slices_image(sphere_rule, true_label=sphere_rule, slice_size=32)
    assert image.dtype == np.uint8 and image.ndim == 3
    assert black_pixels(image) == 0


def test_red_slices_mark_errors_of_a_wrong_rule():
    image = red_slices_image(shifted_sphere, true_label=sphere_rule, slice_size=32)
    assert black_pixels(image) > 0


def test_red_slices_show_both_classes_at_blue_zero():
    image = red_slices_image(sphere_rule, levels=(0,), slice_size=32)
    _, tint = class_colours(2)
    colours = {tuple(pixel) for pixel in image.reshape(-1, 3)}
    assert tuple(tint[0]) in colours and tuple(tint[1]) in colours


def test_cost_curve_has_the_size_and_draws_something():
    costs = 0.5 * np.exp(-np.arange(50) / 10.0) + 0.001
    image = cost_curve_image(costs, size=(200, 150), validation=costs * 1.5)
    assert image.shape == (150, 200, 3) and image.dtype == np.uint8
    assert np.count_nonzero(np.any(image != 255, axis=2)) > 200


def test_cost_curve_survives_awkward_histories():
    for costs in ([0.3], [0.2, 0.2, 0.2], [1.0, np.nan, 0.5], [np.inf], [-1.0, 0.0, 1.0]):
        image = cost_curve_image(costs, size=(160, 120))
        assert image.shape == (120, 160, 3)
        assert np.any(image != 255)


def test_compose_places_panels_side_by_side_and_stacked():
    red = np.zeros((10, 20, 3), dtype=np.uint8)
    red[:] = (255, 0, 0)
    grey = np.full((5, 8), 100, dtype=np.uint8)
    wide = compose([red, grey], margin=4)
    assert wide.shape == (4 + 10 + 4, 4 + 20 + 4 + 8 + 4, 3)
    assert np.array_equal(wide[4, 4], [255, 0, 0])
    assert np.array_equal(wide[4, 28], [100, 100, 100])
    tall = compose([red, grey], margin=4, vertical=True, title="both")
    assert tall.shape[1] >= 28 and tall.shape[0] > 4 + 10 + 4 + 5 + 4
    with pytest.raises(ValueError):
        compose([])


def test_legend_has_a_swatch_per_class():
    strong, _ = class_colours(3)
    image = legend_image(["a", "b", "c"])
    colours = {tuple(pixel) for pixel in image.reshape(-1, 3)}
    assert all(tuple(colour) in colours for colour in strong)


def check_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    position = 8
    while position < len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        crc = int.from_bytes(data[position + 8 + length:position + 12 + length], "big")
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        position += 12 + length
    return read_png(path)


def test_save_plot_writes_a_png_for_a_2d_problem(tmp_path):
    problem = get_problem("xor")
    rng = np.random.default_rng(0)
    points = rng.uniform(-0.5, 1.5, (40, 2))
    classes = (points[:, 0] <= 0.5).astype(int)
    path = tmp_path / "xor.png"
    figure = save_plot(path, right_is_class_0, problem, points=points, point_classes=classes,
                       costs=np.linspace(1.0, 0.1, 20), val_costs=np.linspace(1.1, 0.2, 20))
    image = check_png(path)
    assert np.array_equal(image, figure)
    assert image.ndim == 3 and image.shape[0] > 300 and image.shape[1] > 600


def test_save_plot_writes_a_png_for_red(tmp_path):
    path = tmp_path / "red.png"
    figure = save_plot(path, shifted_sphere, get_problem("red"), costs=[1.0, 0.5, 0.25],
                       true_label=sphere_rule)
    image = check_png(path)
    assert np.array_equal(image, figure)
    assert black_pixels(image) > 0


def test_save_plot_without_costs_or_points(tmp_path):
    path = tmp_path / "quadrant.png"

    def quadrants(inputs):
        x, y = inputs[:, 0], inputs[:, 1]
        return np.column_stack([(x > 0) & (y > 0), (x < 0) & (y > 0),
                                (x < 0) & (y < 0), (x > 0) & (y < 0)]).astype(float)

    save_plot(path, quadrants, get_problem("quadrant"))
    assert check_png(path).shape[2] == 3
