"""Regression: the metrics, the pictures, and the shipped models of the two later problems.

The metrics are checked against their formulas written out in plain Python;
the pictures by where their dots land; the shipped models (iris,
linear_regression) against the bars of the issue that added them, on samples
drawn fresh from their definitions.
"""

import math

import numpy as np
import pytest

from src.evaluation import regression_metrics, regression_report
from src.neural_network import NeuralNet
from src.pictures.colours import DARK_OUTLINE
from src.pictures.png import read_png
from src.pictures.regression import DOT_COLOUR, LINE_COLOUR, regression_figure, save_regression_plot, scatter_figure
from src.problems import get_problem


def test_metrics_follow_their_formulas():
    rng = np.random.default_rng(2)
    targets = rng.normal(300, 50, size=(40, 1))
    predictions = targets + rng.normal(0, 10, size=(40, 1))
    errors = [p - t for p, t in zip(predictions[:, 0].tolist(), targets[:, 0].tolist())]
    mean = sum(targets[:, 0].tolist()) / 40
    expected_mse = sum(e * e for e in errors) / 40
    expected_r2 = 1 - sum(e * e for e in errors) / sum((t - mean) ** 2 for t in targets[:, 0].tolist())
    metrics = regression_metrics(predictions, targets)
    assert metrics["mae"] == pytest.approx(sum(abs(e) for e in errors) / 40, rel=1e-12)
    assert metrics["mse"] == pytest.approx(expected_mse, rel=1e-12)
    assert metrics["rmse"] == pytest.approx(math.sqrt(expected_mse), rel=1e-12)
    assert metrics["r2"] == pytest.approx(expected_r2, rel=1e-12)
    perfect = regression_metrics(targets, targets)
    assert perfect == {"mae": 0.0, "mse": 0.0, "rmse": 0.0, "r2": 1.0}
    assert regression_metrics(np.full_like(targets, mean), targets)["r2"] == pytest.approx(0.0, abs=1e-12)
    # two columns: R² per column (0 and 1 - 400 / 800), then their mean
    two = regression_metrics(np.array([[1.0, 10.0], [3.0, 30.0]]), np.array([[2.0, 10.0], [4.0, 50.0]]))
    assert two["r2"] == pytest.approx(0.25, rel=1e-12)
    assert two["mse"] == pytest.approx((1 + 0 + 1 + 400) / 4)
    line = regression_report("fresh", metrics, "k$")
    assert line.startswith("fresh: MAE ") and "RMSE" in line and "k$" in line and "R²" in line
    with pytest.raises(ValueError, match="equal shapes"):
        regression_metrics(np.zeros((3, 1)), np.zeros((3, 2)))


def colour_at(image, colour):
    """(rows, cols) of the pixels of exactly ``colour``."""
    return np.nonzero(np.all(image == np.asarray(colour, dtype=np.uint8), axis=-1))


def test_scatter_puts_dots_where_their_values_are():
    xs = np.array([0.0, 10.0, 0.0, 10.0])
    ys = np.array([0.0, 0.0, 10.0, 10.0])
    image = scatter_figure(xs, ys, size=(300, 260)).pixels
    assert image.shape == (260, 300, 3)
    rows, cols = colour_at(image, DOT_COLOUR)
    left, right, top, bottom = cols.min(), cols.max(), rows.min(), rows.max()
    assert right - left > 200 and bottom - top > 150  # the dots span the plot area
    middle_row, middle_col = (top + bottom) / 2, (left + right) / 2
    for up in (True, False):  # a dot in each corner, none in the middle; (10, 10) top right: y points up
        for to_the_right in (True, False):
            corner = ((rows < middle_row) == up) & ((cols > middle_col) == to_the_right)
            assert np.count_nonzero(corner) >= 5
    assert not np.any((np.abs(rows - middle_row) < 40) & (np.abs(cols - middle_col) < 40))


def test_identity_line_runs_through_perfect_predictions():
    values = np.linspace(100, 800, 50)
    image = scatter_figure(values, values, line="identity").pixels
    rows, cols = colour_at(image, LINE_COLOUR)
    assert np.polyfit(cols, rows, 1)[0] < -0.5  # it rises to the right (row 0 is the top)
    dot_rows, dot_cols = colour_at(image, DOT_COLOUR)
    assert np.max(np.abs(np.polyval(np.polyfit(cols, rows, 1), dot_cols) - dot_rows)) < 5  # dots on the line


def test_regression_figure_and_file(tmp_path):
    problem = get_problem("linear_regression")
    rng = np.random.default_rng(0)
    targets = rng.uniform(125, 800, size=(300, 1))
    predictions = targets + rng.normal(0, 20, size=(300, 1))
    figure = regression_figure(predictions, targets, "price", "k$", costs=[900.0, 420.0, 401.0],
                               val_costs=[500.0, 410.0, 400.0]).pixels
    three_panels = figure.shape[1]
    assert figure.shape[1] > 900 and np.any(np.all(figure == DARK_OUTLINE, axis=-1))
    assert regression_figure(predictions, targets).pixels.shape[1] < three_panels  # no costs, no cost panel
    path = tmp_path / "r.png"
    saved = save_regression_plot(path, predictions, targets, problem, costs=[1.0, 0.5])
    np.testing.assert_array_equal(read_png(path), saved)
    with pytest.raises(ValueError):
        scatter_figure([1.0, np.nan], [1.0, 2.0])


# --- the shipped models, on fresh samples ---

def test_shipped_iris_model_is_right_on_99_9_percent_of_fresh_flowers():
    problem = get_problem("iris")
    net = NeuralNet().load(problem.model_path)
    inputs, targets = problem.generator.generate(20_000, seed=123)
    accuracy = np.mean(np.argmax(net.predict(inputs), axis=1) == np.argmax(targets, axis=1))
    assert accuracy >= 0.999


def test_shipped_linear_regression_model_learned_the_formula_not_the_noise():
    problem = get_problem("linear_regression")
    net = NeuralNet().load(problem.model_path)
    assert net.output_activation.title == "linear" and net.cost_function == "mse"
    inputs, targets = problem.generator.generate(50_000, seed=123)
    predictions = net.predict(inputs)
    against_definition = regression_metrics(predictions, problem.generator.label(inputs))
    assert against_definition["rmse"] <= 1.0  # k$; the noise alone is 20
    best = regression_metrics(problem.generator.label(inputs), targets)["r2"]
    assert regression_metrics(predictions, targets)["r2"] >= best - 0.002
