"""Load a trained model, measure it, and show what it does.

    python main_load.py                          # the red model: data file, fresh colours, whole cube
    python main_load.py --problem sine           # a 2-D problem: also a map of its decision regions
    python main_load.py --predict 255 0 0        # classify one colour (raw units)
    python main_load.py --predict 200 30 40 --trace   # ... and show each layer's numbers
    python main_load.py --problem xor --plot xor.png  # a picture of the regions and the cost curve
    python main_load.py --problem xor --neurons n.png --network w.png  # every neuron; the weights
    python main_load.py --check-gradients        # backpropagation against finite differences
    python main_load.py --problem digits --predict-index 7    # a test image, drawn, and its digit

Accuracy is measured on the problem's data file and on samples drawn fresh
from the problem's definition (never seen in training), with the confusion
matrix and precision, recall and F1 per class. A problem with fixed data
(digits) is measured on its test file instead of fresh samples. For red,
every one of the 256^3 colours is checked too. A regression
(linear_regression) is measured by MAE, MSE, RMSE and R² on the same two sets, and against the noise-free
targets as well (what the network could at best learn); --predict prints the
predicted value and --plot shows predicted against true values, the residuals
and the cost curve. ``--check-gradients`` instead compares the model's backpropagation with
finite differences on a few samples of the data file
(``Training.check_gradients``, the check the test suite relies on) and prints
the worst relative error per layer.
"""

import src.script_start  # noqa: F401,I001  (first: one BLAS thread, see src/__init__.py; a quiet Ctrl-C)

import argparse
import dataclasses
import sys

import numpy as np

from src.arguments import finite_float, negative_numbers_as_values, non_negative_int, path_argument, positive_int
from src.cli import add_problem_argument, check_model_fits, display_path, run
from src.datasets import load_dataset
from src.evaluation import (FRESH_PER_CLASS, FRESH_SEED, confusion_matrix, measure_model, measurements_text,
                            output_classes, target_unit)
from src.fileio import check_writable
from src.neural_network import NeuralNet
from src.pictures.figures import save_plot
from src.pictures.images import save_image_plot, shaded_text
from src.pictures.network import save_network_figure
from src.pictures.neurons import save_neuron_figure
from src.pictures.regression import save_regression_plot
from src.pictures.terminal import terminal_map
from src.pictures.titles import cost_of, measure, measured_line, model_title
from src.problems import get_problem
from src.report import check_report_argument, report_argument, write_model_report
from src.training import Training

GRADIENT_TOLERANCE = 1e-6


def confidence(outputs, activation):
    """How sure the network is of its answer, in [0, 1]: the winning probability
    for softmax, the winning output for sigmoid, and (a + 1) / 2 for tanh-like outputs."""
    best = float(np.max(outputs))
    if activation in ("softmax", "sigmoid"):
        return best
    return min(1.0, max(0.0, (best + 1.0) / 2.0))


def predict_samples(net, problem, values, trace):
    samples = np.array(values, dtype=np.float64).reshape(-1, problem.n_inputs)
    if problem.image_shape is not None:
        names = [f"image {i} given" for i in range(len(samples))]
        return predict_images(net, problem, samples, names, [known_class(problem, s) for s in samples], trace)
    activation = net.output_activation.title
    truth = problem.generator.label(samples)
    unit = unit_of(problem)
    for sample, true in zip(samples, truth):
        outputs = net.forward_propagation(sample)
        shown = ", ".join(f"{v:g}" for v in sample)
        if problem.is_regression:
            values = "; ".join(f"{name} {value:.4f}{unit}" for name, value in zip(problem.target_names, outputs))
            clean = "; ".join(f"{value:.4f}{unit}" for value in true)
            print(f"({shown}) -> {values} (by the definition, without noise: {clean})")
            if trace:
                print_trace(net, sample)
            continue
        winner = int(np.argmax(outputs))
        print(f"({shown}) -> {problem.class_names[winner]} (confidence {100 * confidence(outputs, activation):.2f} %; "
              f"by the definition: {problem.class_names[int(np.argmax(true))]})")
        print("  outputs: " + ", ".join(f"{name} {v:.6f}" for name, v in zip(problem.class_names, outputs)))
        if trace:
            print_trace(net, sample)


def known_class(problem, image):
    """The class of ``image`` if the data set holds it (digits' ``label`` looks it up), else ``None``."""
    try:
        return int(np.argmax(problem.generator.label(image)))
    except ValueError:
        return None


def predict_images(net, problem, samples, names, truths, trace=False):
    """Each image drawn in shaded characters, the network's answer with its confidence, the true class."""
    activation = net.output_activation.title
    high = float(max(problem.input_high))
    for sample, name, truth in zip(samples, names, truths):
        outputs = net.forward_propagation(sample)
        winner = int(np.argmax(outputs))
        print(f"{name}:")
        for line in shaded_text(sample, problem.image_shape, high):
            print("  " + line)
        true = "unknown (not an image of the data set)" if truth is None else problem.class_names[truth]
        verdict = "" if truth is None else ("  right" if truth == winner else "  WRONG")
        print(f"  -> {problem.class_names[winner]} (confidence {100 * confidence(outputs, activation):.2f} %); "
              f"true digit: {true}{verdict}")
        print("  outputs: " + ", ".join(f"{n} {v:.4f}" for n, v in zip(problem.class_names, outputs)))
        if trace:
            print_trace(net, sample)


def predict_test_images(net, problem, indices, trace):
    """``--predict-index``: images of the problem's test file, by their index in it."""
    if problem.test_data_path is None:
        raise ValueError(f"--predict-index picks images of a test file, and problem {problem.name} has none")
    images, targets = load_dataset(problem.test_data_path, problem)
    for index in indices:
        if index >= len(images):
            raise ValueError(f"--predict-index {index}: the test file {problem.test_data_filename} has "
                             f"{len(images)} images, numbered 0 to {len(images) - 1}")
    names = [f"test image {i} ({problem.test_data_filename})" for i in indices]
    predict_images(net, problem, images[indices], names, output_classes(targets[indices]).tolist(), trace)


def wrong_test_images(net, problem):
    """Indices of the test file's samples that ``net`` gets wrong (a classifier with a test file)."""
    images, targets = load_dataset(problem.test_data_path, problem)
    return np.flatnonzero(output_classes(net.predict(images)) != output_classes(targets))


def print_trace(net, sample):
    np.set_printoptions(precision=5, suppress=True, linewidth=100)
    for step in net.forward_trace(sample):
        layer = net.layers[step["layer"]]
        if step["layer"] == 0:
            scaled = "" if net.input_offset is None else " (scaled to about -1..1)"
            print(f"  layer 0, input{scaled}: {step['activation']}")
            continue
        name = layer.activation_func.title
        params = "".join(f", {k}={v:g}" for k, v in layer.activation_params.items())
        print(f"  layer {step['layer']}, {layer.layer_type}, {layer.layer_size} neurons, "
              f"{name}{params}:")
        print(f"    z = W @ a + b: {step['weighted_input']}")
        print(f"    a = {name}(z):   {step['activation']}")
    if net.output_offset is not None:
        print(f"  output = offset + scale * a (output scaling): {net.forward_propagation(sample)}")


def unit_of(problem):
    """' k$' for a problem whose generator names a UNIT for its targets, else ''."""
    unit = target_unit(problem)
    return f" {unit}" if unit else ""


def plane_view(problem, predict, inputs, targets):
    """A 2-D view of a problem with more than 3 inputs, for its picture: ``(problem, predict, points, note)``.

    The plane is that of the two inputs whose class means differ most (as a
    share of the domain), for iris the petal length and width; the other inputs
    are held at the mean of the data points. ``predict`` of the view takes
    points of that plane; ``points`` are the data points projected onto it.
    """
    classes = np.argmax(targets, axis=1)
    width = np.asarray(problem.input_high) - np.asarray(problem.input_low)
    means = np.array([inputs[classes == c].mean(axis=0) for c in np.unique(classes)])
    axes = sorted(np.argsort(-(means.std(axis=0) / width), kind="stable")[:2])
    fixed = inputs.mean(axis=0)

    def predict_in_plane(points):
        full = np.tile(fixed, (len(points), 1))
        full[:, axes] = points
        return predict(full)

    pick = lambda values: tuple(values[i] for i in axes)  # noqa: E731
    view = dataclasses.replace(problem, input_names=pick(problem.input_names),
                               input_low=pick(problem.input_low), input_high=pick(problem.input_high))
    held = ", ".join(f"{problem.input_names[i]} {fixed[i]:.3g}" for i in range(problem.n_inputs)
                     if i not in axes)
    return view, predict_in_plane, inputs[:, axes], f"the other inputs at the data's mean: {held}"


def check_gradients(net, problem, data_path, n_samples):
    """Print the gradient check of ``net`` on ``n_samples`` samples of the data file; fail if it does not hold."""
    activation = net.output_activation.title
    inputs, targets = load_dataset(data_path, problem, activation)
    cost = net.cost_function or ("cross_entropy" if activation in ("sigmoid", "softmax") else "mse")
    training = Training(net, cost_function=cost, seed=0)
    # The samples the model gets most wrong: where a trained model is confident
    # the gradients are tiny and finite differences see mostly rounding noise.
    outputs = net.predict(inputs)
    per_sample = [training.cost(outputs[i:i + 1], targets[i:i + 1]) for i in range(len(inputs))]
    chosen = np.argsort(per_sample, kind="stable")[::-1][:n_samples]
    errors = training.check_gradients(inputs[chosen], targets[chosen], h=1e-6)
    dropout = any(layer.dropout for layer in net.layers)
    print(f"gradient check: backpropagation against central finite differences (h = 1e-6) of the {cost} "
          f"cost,\non the {len(chosen)} samples of {display_path(data_path)} with the highest cost"
          + (", with one fixed set of dropout masks" if dropout else ""))
    print()
    print(f"{'layer':>5}  {'type':<6}  {'neurons':>7}  {'activation':<12}  {'parameters':>10}  "
          f"{'worst relative error':>20}")
    for i, error in errors.items():
        layer = net.layers[i]
        verdict = "ok" if error < GRADIENT_TOLERANCE else "TOO LARGE"
        print(f"{i:>5}  {layer.layer_type:<6}  {layer.layer_size:>7}  {layer.activation_func.title:<12}  "
              f"{layer.weights.size + layer.biases.size:>10,}  {error:>20.1e}  {verdict}")
    print()
    print("worst relative error: max |backpropagation - finite difference| over the layer's weights,")
    print("divided by the largest of those gradients (the same for its biases; the larger of the two).")
    print(f"Float64 rounding leaves about 1e-10 to 1e-7 where backpropagation is right; the bar is "
          f"{GRADIENT_TOLERANCE:g}.")
    bad = [i for i, error in errors.items() if not error < GRADIENT_TOLERANCE]
    if bad:
        raise ValueError(f"gradient check failed in layer(s) {', '.join(map(str, bad))}: backpropagation "
                         "disagrees with finite differences (unless a weighted input lies within h of a "
                         "kink, such as ReLU's at 0: try other samples with --check-gradients N)")
    print("backpropagation agrees with the finite differences in every layer.")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:10]))
    add_problem_argument(parser)
    parser.add_argument("--model", type=path_argument, help="model file (default: models/model_<problem>.json)")
    parser.add_argument("--data", type=path_argument, help="data file (default: the problem's file in data/)")
    parser.add_argument("--predict", nargs="+", type=finite_float, metavar="V",
                        help="classify these inputs, or predict their value for a regression "
                             "(raw units; several samples one after the other)")
    parser.add_argument("--predict-index", nargs="+", type=non_negative_int, metavar="N",
                        help="classify these images of the test file (problems with a test file: digits)")
    parser.add_argument("--trace", action="store_true",
                        help="with --predict: print every layer's weighted input and activation")
    parser.add_argument("--plot", type=path_argument, metavar="FILE.png",
                        help="write a picture of the decision regions "
                             "(a regression: predicted against true values and the residuals)")
    parser.add_argument("--neurons", type=path_argument, metavar="FILE.png",
                        help="write a picture of every neuron's output over the inputs")
    parser.add_argument("--network", type=path_argument, metavar="FILE.png",
                        help="write a diagram of the network with its weights")
    parser.add_argument("--scale", type=int, choices=(1, 2, 3), default=1,
                        help="pixels per picture pixel: 2 for high-resolution screens (default: 1)")
    parser.add_argument("--fresh", type=positive_int, default=FRESH_PER_CLASS, metavar="N",
                        help="fresh samples per class (for a regression: in all) drawn from the "
                             f"definition (default: {FRESH_PER_CLASS})")
    parser.add_argument("--fresh-seed", type=non_negative_int, default=FRESH_SEED,
                        help=f"seed of the fresh samples (default: {FRESH_SEED})")
    parser.add_argument("--no-cube", action="store_true", help="red: skip the check of all 256^3 colours")
    parser.add_argument("--check-gradients", type=positive_int, nargs="?", const=8, metavar="N",
                        help="instead of measuring accuracy, check backpropagation against finite "
                             "differences on N samples of the data file (default N: 8)")
    report_argument(parser)
    args = parser.parse_args(negative_numbers_as_values(sys.argv[1:] if argv is None else argv))
    if args.predict and len(args.predict) % get_problem(args.problem).n_inputs:
        problem = get_problem(args.problem)
        parser.error(f"--predict needs {problem.n_inputs} numbers per sample "
                     f"({', '.join(problem.input_names)}), got {len(args.predict)}")
    if args.trace and not (args.predict or args.predict_index):
        parser.error("--trace goes with --predict or --predict-index")
    if args.predict and args.predict_index:
        parser.error("--predict and --predict-index cannot go together")
    if args.check_gradients and args.predict_index:
        parser.error("--check-gradients and --predict-index cannot go together")
    if args.check_gradients and args.predict:
        parser.error("--check-gradients and --predict cannot go together")
    for flag in ("plot", "neurons", "network"):
        if getattr(args, flag) and not getattr(args, flag).lower().endswith(".png"):
            parser.error(f"--{flag} writes a PNG file: give a name ending in .png")
    check_report_argument(parser, args)

    problem = get_problem(args.problem)
    model_path = args.model or problem.model_path
    net = NeuralNet().load(model_path)
    check_model_fits(net, problem, model_path)
    for path in (args.plot, args.neurons, args.network, args.report):  # found before the long measurements
        if path:
            check_writable(path)
    data_path = args.data or problem.data_path
    measurements = None

    if args.predict:
        predict_samples(net, problem, args.predict, args.trace)
    elif args.predict_index:
        predict_test_images(net, problem, args.predict_index, args.trace)
    elif args.check_gradients:
        check_gradients(net, problem, data_path, args.check_gradients)
    else:
        print(f"model {model_path}: "
              + " -> ".join([str(net.n_inputs)] + [f"{l.layer_size} {l.activation_func.title}"
                                                    for l in net.layers[1:]]))
        measurements = measure_model(net, problem, data_path, args.fresh, args.fresh_seed,
                                     whole_cube=not args.no_cube)
        print(measurements_text(measurements, problem.class_names))
        if not problem.can_generate and problem.test_data_path is not None and not problem.is_regression:
            wrong = wrong_test_images(net, problem)
            if wrong.size:
                print(f"wrong test images (see them with --predict-index): {' '.join(map(str, wrong))}")
        if problem.n_inputs == 2 and not problem.is_regression:
            print(terminal_map(net.predict, problem.input_low, problem.input_high, width=64,
                               class_names=problem.class_names, axis_names=problem.input_names))

    if args.plot or args.neurons or args.network:
        write_pictures(args, net, problem)

    if args.report:
        if measurements is None:
            measurements = measure_model(net, problem, data_path, args.fresh, args.fresh_seed,
                                         whole_cube=not args.no_cube)
        size = write_model_report(args.report, net, problem, data_path, measurements=measurements,
                                  source="main_load.py")
        print(f"report written to {args.report} ({size / 1e6:.2f} MB)")


def write_pictures(args, net, problem):
    """--plot, --neurons and --network, titled with the network, its cost and its accuracy."""
    inputs, targets = load_dataset(args.data or problem.data_path, problem)
    if problem.can_generate:
        fresh_inputs, fresh_targets = problem.generator.generate(args.fresh, args.fresh_seed)
        what = f"fresh samples (seed {args.fresh_seed})"
    else:
        fresh_inputs, fresh_targets = load_dataset(problem.test_data_path, problem)
        what = f"test samples ({problem.test_data_filename})"
    cost_function = cost_of(net)
    cost, accuracy = measure(net, problem, cost_function, fresh_inputs, fresh_targets)
    options = {"title": model_title(problem, net), "scale": args.scale,
               "subtitle": measured_line(cost_function, cost, accuracy, len(fresh_inputs), what)}
    if args.plot:
        history = net.training_record.get("history", []) if isinstance(net.training_record, dict) else []
        costs = [entry.get("cost") for entry in history if isinstance(entry, dict)]
        val_costs = [entry.get("val_cost") for entry in history if isinstance(entry, dict)]
        val_costs = val_costs if any(v is not None for v in val_costs) else None
        if problem.image_shape is not None:
            predicted, true = output_classes(net.predict(fresh_inputs)), output_classes(fresh_targets)
            save_image_plot(args.plot, problem, fresh_inputs, predicted, true,
                            confusion_matrix(true, predicted, problem.n_classes), net, costs=costs or None,
                            val_costs=val_costs, what=what, **options)
        elif problem.is_regression:
            save_regression_plot(args.plot, net.predict(inputs), targets, problem, costs=costs or None,
                                 val_costs=val_costs, unit=unit_of(problem).strip(), **options)
        elif problem.n_inputs > 3:
            view, predict_in_plane, points, note = plane_view(problem, net.predict, inputs, targets)
            save_plot(args.plot, predict_in_plane, view, points=points, point_classes=targets,
                      costs=costs or None, val_costs=val_costs, **options)
            print(f"the picture shows the plane of {view.input_names[0]} and {view.input_names[1]}, {note}")
        else:
            save_plot(args.plot, net.predict, problem, points=inputs, point_classes=targets,
                      costs=costs or None, val_costs=val_costs, true_label=problem.generator.label,
                      **options)
        print(f"picture written to {args.plot}")
    if args.neurons:
        save_neuron_figure(args.neurons, net, problem, points=inputs, point_classes=targets, **options)
        print(f"neuron maps written to {args.neurons}")
    if args.network:
        save_network_figure(args.network, net, input_names=problem.input_names,
                            output_names=problem.class_names or problem.target_names, **options)
        print(f"network diagram written to {args.network}")


if __name__ == "__main__":
    run(main)
