"""Tests of the pictures of an image problem: shaded text, the image grid, the confusion heat map."""

from itertools import combinations
from types import SimpleNamespace

import numpy as np
import pytest

from picture_checks import assert_text_is_clear, decode_independently
from src.layer import Layer
from src.neural_network import NeuralNet
from src.pictures.canvas import Canvas
from src.pictures.colours import POSITIVE, WHITE
from src.pictures.images import (INK, WRONG, confusion_heat_map, image_grid, image_plot_figure,
                                 save_image_plot, shaded_text)

DIGITS = SimpleNamespace(name="digits", class_names=tuple(str(d) for d in range(10)), image_shape=(8, 8),
                         input_high=(16,) * 64)


def test_shaded_text_puts_blank_and_ink_where_the_pixels_are():
    image = np.zeros(64)
    image[0] = 16          # row 0, column 0: full ink
    image[63] = 8          # row 7, column 7: half
    lines = shaded_text(image, (8, 8))
    assert len(lines) == 10 and lines[0] == lines[-1] == "+" + "-" * 16 + "+"
    assert lines[1] == "|@@" + " " * 14 + "|" and lines[8] == "|" + " " * 14 + "==|"
    assert all(line == "|" + " " * 16 + "|" for line in lines[2:8])
    with pytest.raises(ValueError, match="64 pixels"):
        shaded_text(np.zeros(63), (8, 8))


def test_the_image_grid_draws_ink_dark_and_frames_only_the_wrong_images_in_red():
    images = np.zeros((3, 64))
    images[:, 0] = 16      # the top-left pixel of each image inked
    grid = image_grid(images, (8, 8), predicted=[1, 2, 3], true=[1, 5, 3], class_names=DIGITS.class_names,
                      columns=3, pixel=3)
    red = np.all(grid.pixels == WRONG, axis=2)
    third = grid.width // 3
    assert not red[:, :third].any() and red[:, third:2 * third].any() and not red[:, 2 * third:].any()
    captions = [box.text for box in grid.texts]
    assert captions == ["1", "2/5", "3"]
    assert tuple(grid.texts[1].colour) == tuple(WRONG)
    # Each tile: its inked pixel (3 x 3 screen pixels) is ink, the one beside it paper.
    ink = np.argwhere(np.all(grid.pixels == INK, axis=2))
    assert len(ink) == 3 * 9
    row, col = ink[0]
    assert np.array_equal(grid.pixels[row, col + 3], WHITE)
    assert_text_is_clear(grid)


def test_the_confusion_heat_map_shades_each_cell_by_its_share_of_its_row():
    matrix = np.array([[4, 0, 0], [1, 3, 0], [0, 0, 0]])
    canvas = confusion_heat_map(matrix, ["a", "b", "c"], cell=20)
    # Find the cells from the row labels: the cell of (i, j) is a 20 x 20 square.
    label_a = next(box for box in canvas.texts if box.text == "a" and box.right < canvas.width // 2)
    top = label_a.top + 3 - 10                       # the label is centred on its cell
    left = next(box for box in canvas.texts if box.text == "a" and box.top < label_a.top).left + 3 - 10

    def inside(i, j):
        return tuple(canvas.pixels[top + 20 * i + 3, left + 20 * j + 3])

    assert inside(0, 0) == tuple(POSITIVE)                       # all of row a
    assert inside(0, 1) == inside(0, 2) == inside(2, 2) == (255, 255, 255)
    light, dark = np.mean(inside(1, 0)), np.mean(inside(1, 1))   # a quarter, three quarters of row b
    assert dark < light < 255
    counts = [box.text for box in canvas.texts if box.text.isdigit()]
    assert sorted(counts) == ["1", "3", "4"]
    for a, b in combinations(canvas.texts, 2):
        assert not a.overlaps(b), (a.text, b.text)
    with pytest.raises(ValueError, match="3x3"):
        confusion_heat_map(np.zeros((2, 2)), ["a", "b", "c"])


def small_digit_net():
    rng = np.random.default_rng(0)
    net = NeuralNet()
    net.add_layer(Layer(64, 64, "input"))
    net.add_layer(Layer(64, 12, "hidden", rng=rng))
    net.add_layer(Layer(12, 10, "output", "softmax", rng=rng))
    net.set_input_scaling([0] * 64, [16] * 64)
    return net


@pytest.mark.parametrize("scale", [1, 2])
def test_the_digits_plot_has_the_grid_the_weights_the_matrix_and_the_cost(tmp_path, scale):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 17, (25, 64))
    true = rng.integers(0, 10, 25)
    predicted = true.copy()
    predicted[:3] = (true[:3] + 1) % 10
    matrix = np.zeros((10, 10), dtype=int)
    np.add.at(matrix, (true, predicted), 1)
    figure = image_plot_figure(DIGITS, images, predicted, true, matrix, small_digit_net(),
                               costs=np.geomspace(1, 0.01, 20), val_costs=np.geomspace(1.1, 0.05, 20),
                               title="digits: 64-12-10", subtitle="measured", scale=scale)
    texts = " ".join(box.text for box in figure.texts)
    assert "25 test samples" in texts and "the 3 wrong ones" in texts
    assert "12 neurons, one 8 x 8 image each" in texts and "confusion matrix" in texts
    assert "cost per epoch" in texts and "digits: 64-12-10" in texts
    path = tmp_path / "digits.png"
    pixels = save_image_plot(path, DIGITS, images, predicted, true, matrix, small_digit_net(), scale=scale)
    frame = decode_independently(path.read_bytes())["frames"][0]
    assert np.array_equal(frame, pixels)
    assert np.all(pixels == WRONG, axis=2).sum() > 0
    # No label overlaps another, and nothing is drawn over one (numbers left out of the
    # second check: the counts of the heat map sit on its coloured cells by design).
    for a, b in combinations(figure.texts, 2):
        assert not a.overlaps(b), (a.text, b.text)
    words = Canvas(figure.width, figure.height, scale)
    words.pixels[...] = figure.pixels
    words.texts = [box for box in figure.texts if not box.text.isdigit()]
    assert_text_is_clear(words)
