"""Measuring a model: a classifier's accuracy, confusion matrix, per-class scores, the whole cube,
and a regression's errors.

The classifier measures work on class indices (argmax of the outputs or of the
one-hot targets), so they do not care whether a model's outputs are tanh
values, sigmoid or softmax probabilities. A regression is measured by
``regression_metrics``: MAE, MSE, RMSE and R². The reports are plain text for
the scripts to print.

:func:`measure_model` takes the measurements ``main_load.py`` prints and the
HTML report (``src/report.py``) shows, so that both show the same numbers.
"""

import numpy as np

from src.datasets import load_dataset, model_targets

FRESH_PER_CLASS = 10_000  # fresh samples per class drawn for a measurement
FRESH_SEED = 2024


def confusion_matrix(true_classes, predicted_classes, n_classes):
    """(n_classes, n_classes) counts: row = true class, column = predicted class."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (true_classes, predicted_classes), 1)
    return matrix


def per_class_scores(matrix):
    """Precision, recall and F1 per class from a confusion matrix (0 where undefined)."""
    true_positive = np.diag(matrix).astype(float)
    predicted = matrix.sum(axis=0)
    actual = matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(predicted > 0, true_positive / predicted, 0.0)
        recall = np.where(actual > 0, true_positive / actual, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return precision, recall, f1


def output_classes(outputs):
    """Class index per row of network outputs or one-hot targets (n, k) -> (n,)."""
    return np.argmax(outputs, axis=1)


def report(title, matrix, class_names):
    """Accuracy, confusion matrix and precision/recall/F1 per class, as text."""
    total = int(matrix.sum())
    correct = int(np.trace(matrix))
    lines = [f"{title}: accuracy {100 * correct / total:.4f} % ({correct:,} of {total:,} right, "
             f"{total - correct:,} wrong)"]
    width = max(len(name) for name in class_names) + 2
    cell = max(10, len(f"{matrix.max():,}") + 2, width)  # every column header in full
    lines.append(" " * (width + 14) + "predicted")
    lines.append(f"{'':{width}}{'':>14}" + "".join(f"{name:>{cell}}" for name in class_names))
    for i, name in enumerate(class_names):
        label = "true " + name
        lines.append(f"{label:>{width + 14}}" + "".join(f"{count:>{cell},}" for count in matrix[i]))
    precision, recall, f1 = per_class_scores(matrix)
    lines.append(f"{'class':>{width + 14}}{'precision':>11}{'recall':>11}{'F1':>11}")
    for i, name in enumerate(class_names):
        lines.append(f"{name:>{width + 14}}{precision[i]:>11.5f}{recall[i]:>11.5f}{f1[i]:>11.5f}")
    return "\n".join(lines)


def evaluate(predict, inputs, targets, n_classes):
    """Confusion matrix of ``predict(inputs)`` against one-hot ``targets`` (n, k)."""
    return confusion_matrix(output_classes(targets), output_classes(predict(inputs)), n_classes)


def whole_cube_check(predict, squared_distance, label, chunk_rows=16):
    """Classify all 256^3 colours, ``chunk_rows`` values of r at a time.

    ``squared_distance(colours)`` gives each colour's squared distance from pure
    red and ``label(colours)`` the true ±1 targets. Returns a dict with the
    number of wrong colours, the distances from the sphere (|d - 127|) of the
    wrong ones, and the wrong counts within 40 of black and of white.
    """
    g, b = np.meshgrid(np.arange(256), np.arange(256), indexing="ij")
    plane = np.stack([g.ravel(), b.ravel()], axis=1)
    wrong, near_black, near_white, total_black, total_white = 0, 0, 0, 0, 0
    distances = []
    for r0 in range(0, 256, chunk_rows):
        rs = np.arange(r0, min(256, r0 + chunk_rows))
        colours = np.concatenate([np.column_stack([np.full(len(plane), r), plane]) for r in rs])
        bad = output_classes(predict(colours.astype(np.float64))) != output_classes(label(colours))
        wrong += int(np.count_nonzero(bad))
        black = np.sum(colours.astype(np.int64) ** 2, axis=1) <= 40 ** 2
        white = np.sum((colours.astype(np.int64) - 255) ** 2, axis=1) <= 40 ** 2
        near_black += int(np.count_nonzero(bad & black))
        near_white += int(np.count_nonzero(bad & white))
        total_black += int(np.count_nonzero(black))
        total_white += int(np.count_nonzero(white))
        if np.any(bad):
            distances.append(np.abs(np.sqrt(squared_distance(colours[bad])) - 127.0))
    distances = np.concatenate(distances) if distances else np.zeros(0)
    return {"total": 256 ** 3, "wrong": wrong, "distances": distances,
            "near_black": (near_black, total_black), "near_white": (near_white, total_white)}


def cube_summary(result):
    """The whole-cube check's counts as lines: all colours, then those near black and near white."""
    total, wrong = result["total"], result["wrong"]
    lines = [f"{total - wrong:,} of {total:,} colours right ({100 * (total - wrong) / total:.4f} %), "
             f"{wrong:,} wrong"]
    for name in ("black", "white"):
        bad, count = result[f"near_{name}"]
        lines.append(f"within 40 of {name}: {100 * (count - bad) / count:.4f} % right "
                     f"({bad:,} wrong of {count:,})")
    return lines


def cube_report(result):
    """The whole-cube check as text."""
    first, *near = cube_summary(result)
    lines = [f"whole cube: {first}"] + [f"  {line}" for line in near]
    distances = result["distances"]
    if distances.size:
        edges = [0, 0.25, 0.5, 1, 2, 4, np.inf]
        counts = np.histogram(distances, bins=edges)[0]
        parts = [f"{lo:g}-{hi:g}: {c:,}" if np.isfinite(hi) else f">{lo:g}: {c:,}"
                 for lo, hi, c in zip(edges[:-1], edges[1:], counts)]
        lines.append(f"  distance of the wrong colours from the sphere of radius 127: "
                     f"median {np.median(distances):.3f}, max {distances.max():.3f}")
        lines.append("  by distance: " + ", ".join(parts))
    return "\n".join(lines)


def regression_metrics(predictions, targets):
    """MAE, MSE, RMSE and R² of ``predictions`` against ``targets``, both (n, k), over all entries.

    R² = 1 - (sum of squared errors) / (sum of squared deviations of the
    targets from their mean), per column, averaged over the k columns: 1 for
    a perfect fit, 0 for always predicting the mean. Returns a dict of floats.
    """
    predictions = np.asarray(predictions, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    if predictions.shape != targets.shape or predictions.ndim != 2 or len(targets) < 2:
        raise ValueError(f"predictions {predictions.shape} and targets {targets.shape} must be "
                         "equal shapes (n >= 2, k)")
    errors = predictions - targets
    mse = float(np.mean(errors * errors))
    spread = ((targets - targets.mean(axis=0)) ** 2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = 1.0 - (errors * errors).sum(axis=0) / spread
    return {"mae": float(np.mean(np.abs(errors))), "mse": mse, "rmse": float(np.sqrt(mse)),
            "r2": float(np.mean(r2))}


def regression_report(title, metrics, unit=""):
    """One line of ``regression_metrics``, e.g. ``title: MAE 15.9, MSE 399, RMSE 20.0 k$, R² 0.9749``."""
    unit = f" {unit}" if unit else ""
    return (f"{title}: MAE {metrics['mae']:.4f}{unit}, MSE {metrics['mse']:.4f}, "
            f"RMSE {metrics['rmse']:.4f}{unit}, R² {metrics['r2']:.6f}")


def target_unit(problem):
    """The unit of a regression's targets (``'k$'``), named by its generator's ``UNIT``; else ``''``."""
    return getattr(problem.generator, "UNIT", "")


def measure_model(net, problem, data_path, fresh=FRESH_PER_CLASS, fresh_seed=FRESH_SEED, whole_cube=True):
    """The measurements of ``net`` on ``problem``: a dict for printing or showing.

    ``sets`` lists one dict per set of samples: the data file at
    ``data_path``, then ``fresh`` samples per class (in all, for a
    regression) drawn from the problem's definition with ``fresh_seed``, or
    the problem's test data file when it has no definition to draw from.
    Each has a ``title`` and, for a classifier, ``matrix``, its confusion
    matrix; for a regression ``metrics`` (:func:`regression_metrics`) against
    the targets, ``noise_free`` against the definition's noise-free targets,
    and ``definition``, the definition's own metrics against the targets (the
    best any model can do on noisy targets). ``cube`` holds the result of
    :func:`whole_cube_check` for red (when ``whole_cube``), else ``None``.
    """
    activation = net.output_activation.title
    samples = [(f"data file {data_path}", *load_dataset(data_path, problem, activation))]
    if problem.can_generate:
        inputs, targets = problem.generator.generate(fresh, fresh_seed)
        title = f"fresh samples (seed {fresh_seed}, {fresh:,})" if problem.is_regression \
            else f"fresh samples (seed {fresh_seed})"
        samples.append((title, inputs.astype(np.float64), model_targets(targets, problem, activation)))
    elif problem.test_data_path is not None:
        path = problem.test_data_path
        samples.append((f"test data file {path}", *load_dataset(path, problem, activation)))
    sets = []
    for title, inputs, targets in samples:
        if problem.is_regression:
            predictions, clean = net.predict(inputs), problem.generator.label(inputs)
            sets.append({"title": title, "metrics": regression_metrics(predictions, targets),
                         "noise_free": regression_metrics(predictions, clean),
                         "definition": regression_metrics(clean, targets)})
        else:
            sets.append({"title": title, "matrix": evaluate(net.predict, inputs, targets, problem.n_classes)})
    cube = None
    if problem.name == "red" and whole_cube:
        generator = problem.generator
        cube = whole_cube_check(net.predict, generator.squared_distance_from_red, generator.label)
    return {"sets": sets, "cube": cube, "unit": target_unit(problem) if problem.is_regression else ""}


def measurements_text(measurements, class_names):
    """What :func:`measure_model` found, as the text ``main_load.py`` prints."""
    unit, parts = measurements["unit"], []
    for found in measurements["sets"]:
        if "matrix" in found:
            parts.append(report(found["title"], found["matrix"], class_names))
            continue
        best = found["definition"]
        parts += [regression_report(found["title"], found["metrics"], unit),
                  regression_report("  against the noise-free targets", found["noise_free"], unit),
                  f"  the definition itself scores: RMSE {best['rmse']:.4f} {unit}, R² {best['r2']:.6f} "
                  "(the best any model can do on these noisy targets)"]
    if measurements["cube"] is not None:
        parts.append(cube_report(measurements["cube"]))
    return "\n".join(parts)
