"""Create a network for a problem, train it, and save it.

    python main_create_and_train.py                   # the red problem
    python main_create_and_train.py --problem xor
    python main_create_and_train.py --all             # every problem in SETTINGS

The settings of each problem (network shape, activations, cost, optimiser,
epochs, how much data) are in SETTINGS below: edit them to experiment. A
problem is its file ``data_generators/definition_of_<name>.py`` plus its entry
here (see docs/TRAINING_GUIDE.md, "Adding a problem"). The training data is
the problem's data file plus ``generated_samples_per_class`` samples per class
(samples, for a regression) drawn from the problem's definition with ``data_seed``; a
further fresh draw (``data_seed + 1``) is held out to report accuracy on
samples the network never saw; a problem with fixed data (digits) holds out
``validation_images`` of its data file instead, and its generator draws only
from the rest. With the same settings and seeds, a run
rewrites the same model file byte for byte on the same machine with the same
NumPy and BLAS (the training record says which); elsewhere the held-out
figures agree within the tolerance the README gives. A model no better than
chance on the held-out samples (a classifier: not above the share of their
largest class; a regression: no better than their mean) is saved with a
warning line.

Optional settings: ``weight_init`` and ``bias_init`` choose how every hidden
and output layer starts (a scheme of src/initializers.py, e.g. "xavier_uniform"
or {"name": "normal", "std": 0.05}; by default the weights follow the layer's
activation and the biases are zeros). What each layer was drawn from is kept
in the model's training record under "initializers".

An entry may also set ``dropout`` (for every hidden layer) and any of the
options of ``Training`` named in ``src.cli.TRAINING_OPTIONS`` (``weight_decay``,
``l1``, ``momentum``, ``betas``, ``epsilon``, ``rho``, the schedule's
parameters, ``warmup_epochs``, ``dtype``); the training record keeps them all.
``dtype`` is "float64" for every problem here; "float32" (or ``--dtype
float32``) trains in single precision, about twice as fast on large layers.
"""

import src.script_start  # noqa: F401,I001  (first: one BLAS thread, see src/__init__.py; a quiet Ctrl-C)

import argparse
import sys

import numpy as np

from src.arguments import non_negative_int, path_argument, positive_float, positive_int
from src.cli import (add_dtype_argument, add_problem_argument, display_path, held_out_data, held_out_summary,
                     no_better_than_chance, run, train_and_record, training_data)
from src.fileio import check_writable
from src.layer import Layer
from src.neural_network import NeuralNet
from src.pictures import animation
from src.problems import get_problem
from src.report import check_report_argument, report_argument, report_snapshots, write_model_report

# Shared by every problem unless its own entry says otherwise.
COMMON = {
    "output_activation": "softmax",
    "cost_function": "cross_entropy",
    "optimizer": "adam",
    "clip_value": None,
    "lr_schedule": "cosine",
    "final_lr_fraction": 0.001,
    "batch_size": 256,
    "validation_samples_per_class": 10_000,
    "data_seed": 1,
    "seed": 1,
    "dtype": "float64",
}

SETTINGS = {
    "red": {**COMMON, "hidden_layers": [32, 32], "hidden_activation": "tanh",
            "learning_rate": 0.02, "epochs": 30,
            "generated_samples_per_class": 100_000, "generator_options": {"surface_fraction": 0.5}},
    "xor": {**COMMON, "hidden_layers": [8], "hidden_activation": "tanh",
            "learning_rate": 0.02, "epochs": 10, "batch_size": 64,
            "generated_samples_per_class": 5_000},
    "sine": {**COMMON, "hidden_layers": [32, 32], "hidden_activation": "elu",
             "learning_rate": 0.02, "epochs": 40, "generated_samples_per_class": 100_000},
    "checkerboard": {**COMMON, "hidden_layers": [64, 64], "hidden_activation": "leaky_relu",
                     "learning_rate": 0.01, "epochs": 30, "generated_samples_per_class": 50_000},
    "quadrant": {**COMMON, "hidden_layers": [8], "hidden_activation": "tanh",
                 "learning_rate": 0.02, "epochs": 10, "batch_size": 64,
                 "generated_samples_per_class": 5_000},
    "iris": {**COMMON, "hidden_layers": [8], "hidden_activation": "tanh",
             "learning_rate": 0.02, "epochs": 10, "batch_size": 64,
             "generated_samples_per_class": 5_000},
    # A regression: a linear output (scaled to the prices, see create_and_train) and MSE.
    "linear_regression": {**COMMON, "hidden_layers": [16], "hidden_activation": "leaky_relu",
                          "output_activation": "linear", "cost_function": "mse",
                          "learning_rate": 0.01, "epochs": 30,
                          "generated_samples_per_class": 100_000},
    # Real data: validation_images of the training file are held out for validation,
    # and the generator draws copies of the rest, each turned, scaled and moved a little.
    "digits": {**COMMON, "hidden_layers": [256], "hidden_activation": "leaky_relu",
               "learning_rate": 0.003, "epochs": 60, "batch_size": 128, "weight_decay": 1e-4,
               "generated_samples_per_class": 2_400, "validation_images": 135},
}


def settings_of(problem):
    """The SETTINGS entry of ``problem``, or a ``ValueError`` saying where to add one."""
    if problem.name not in SETTINGS:
        raise ValueError(f"problem {problem.name} has no entry in SETTINGS at the top of "
                         "main_create_and_train.py: add one to train it")
    return SETTINGS[problem.name]


def build_network(problem, settings, seed):
    """input -> hidden layers -> output, as the settings say, with scaled raw inputs.

    The settings' optional ``weight_init`` and ``bias_init`` apply to every
    layer but the input layer.
    """
    rng = np.random.default_rng(seed)
    init = {"weight_init": settings.get("weight_init"), "bias_init": settings.get("bias_init", "zeros"), "rng": rng}
    net = NeuralNet()
    net.add_layer(Layer(problem.n_inputs, problem.n_inputs, "input"))
    previous = problem.n_inputs
    for size in settings["hidden_layers"]:
        net.add_layer(Layer(previous, size, "hidden", settings["hidden_activation"],
                            dropout=settings.get("dropout", 0.0), **init))
        previous = size
    net.add_layer(Layer(previous, problem.n_outputs, "output", settings["output_activation"], **init))
    net.set_input_scaling(problem.input_low, problem.input_high)
    return net


def initializers_record(net):
    """What each trainable layer's weights and biases were drawn from, for the training record."""
    return [{"layer": i, "weights": layer.weight_init, "biases": layer.bias_init}
            for i, layer in enumerate(net.layers) if layer.trainable]


def create_and_train(problem, settings, data_path, model_path, verbose=True, checkpoint=None,
                     animate=None, scale=1, report_path=None):
    """Train one problem's model and save it; returns a summary dict.

    ``checkpoint``: a path where the best model so far is saved during the training.
    ``animate``: also write the training as an animated PNG there (see src/pictures/animation.py).
    ``report_path``: also write the HTML report there (see src/report.py).
    """
    net = build_network(problem, settings, settings["seed"])
    activation = settings["output_activation"]
    inputs, targets = training_data(problem, settings, data_path, activation)
    validation = held_out_data(problem, settings, activation, data_path)
    if problem.is_regression:  # the last layer learns (price - mean) / std, numbers of order 1
        net.set_output_scaling(targets.mean(axis=0), targets.std(axis=0))
    snapshots = animation.start(net, problem, settings, inputs, settings["epochs"]) if animate else None
    if report_path and snapshots is None:
        snapshots = report_snapshots(net, settings, inputs, settings["epochs"])
    shape = "-".join(str(n) for n in [problem.n_inputs, *settings["hidden_layers"], problem.n_outputs])
    if verbose:
        print(f"{problem.name}: training a {shape} network on {inputs.shape[0]:,} samples "
              f"for {settings['epochs']} epochs")
    net.training_record = {"problem": problem.name, "initializers": initializers_record(net)}
    run_info = {"script": "main_create_and_train.py", "settings": settings,
                "data_file": display_path(data_path)}
    history, seconds = train_and_record(net, settings, inputs, targets, validation,
                                        epochs=settings["epochs"], learning_rate=settings["learning_rate"],
                                        seed=settings["seed"], run_info=run_info, verbose=verbose,
                                        checkpoint=checkpoint, regression=problem.is_regression,
                                        snapshots=snapshots)
    net.save(model_path)
    if animate:
        animation.finish(animate, snapshots, problem, settings, inputs, targets, validation, scale)
    if report_path:
        write_model_report(report_path, net, problem, data_path, snapshots=snapshots, settings=settings,
                           seconds=seconds, source="main_create_and_train.py")
    phrase, figure = held_out_summary(net, problem, history, validation)
    return {"problem": problem.name, "network": shape, "epochs": len(history), "seconds": seconds,
            "held_out": phrase, "held_out_figure": figure, "model": display_path(model_path),
            "chance": no_better_than_chance(net, validation, problem.is_regression)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="The settings of every problem stand at the top of this file.")
    add_problem_argument(parser)
    parser.add_argument("--all", action="store_true", help="train every problem in SETTINGS, one after the other")
    parser.set_defaults(problem=None)  # so that --problem with --all can be told apart
    parser.add_argument("--data", type=path_argument, help="data file (default: the problem's file in data/)")
    parser.add_argument("--model", type=path_argument,
                        help="where to save the model (default: models/model_<problem>.json)")
    parser.add_argument("--epochs", type=positive_int, help="epochs (default: the problem's setting)")
    parser.add_argument("--learning-rate", type=positive_float, help="learning rate (default: the setting)")
    parser.add_argument("--seed", type=non_negative_int,
                        help="seed of the initial weights and the shuffling (default: the setting)")
    parser.add_argument("--checkpoint", type=path_argument, metavar="PATH",
                        help="save the best model so far here after every epoch that improves the "
                             "held-out cost")
    add_dtype_argument(parser, "the setting, float64")
    parser.add_argument("--quiet", action="store_true", help="no per-epoch progress lines")
    animation.add_arguments(parser)
    report_argument(parser)
    args = parser.parse_args(argv)
    if args.all and (args.data or args.model or args.checkpoint or args.animate or args.report):
        parser.error("--data, --model, --checkpoint, --animate and --report name one problem's files: "
                     "they cannot go with --all")
    animation.check_arguments(parser, args)
    check_report_argument(parser, args)
    if args.all and args.problem:
        parser.error("--all trains every problem: it cannot go with --problem")

    names = list(SETTINGS) if args.all else [args.problem or "red"]
    outputs = [args.model or get_problem(name).model_path for name in names]
    for path in outputs + [args.checkpoint, args.animate, args.report]:
        if path:  # a wrong output path is found before any training, not after it
            check_writable(path)
    summaries = []
    for name in names:
        problem = get_problem(name)
        settings = dict(settings_of(problem))
        for key, value in (("epochs", args.epochs), ("learning_rate", args.learning_rate), ("seed", args.seed),
                           ("dtype", args.dtype)):
            if value is not None:
                settings[key] = value
        summary = create_and_train(problem, settings, args.data or problem.data_path,
                                   args.model or problem.model_path, verbose=not args.quiet,
                                   checkpoint=args.checkpoint, animate=args.animate, scale=args.scale,
                                   report_path=args.report)
        summaries.append(summary)
        print(f"{name}: {summary['held_out']} after {summary['epochs']} epochs in {summary['seconds']:.1f} s; "
              f"saved {summary['model']}" + (f"; report {args.report}" if args.report else ""))
        if summary["chance"]:
            print(f"warning: {name}: the model is no better than chance ({summary['chance']}); "
                  f"it was saved to {summary['model']} all the same", file=sys.stderr)
    if len(summaries) > 1:
        print(f"\n{'problem':<19}{'network':<12}{'held-out':>15}{'seconds':>10}")
        for s in summaries:
            print(f"{s['problem']:<19}{s['network']:<12}{s['held_out_figure']:>15}{s['seconds']:>10.1f}")
        print(f"{'total':<19}{'':<12}{'':>15}{sum(s['seconds'] for s in summaries):>10.1f}")
        print("held-out: the accuracy of a classifier; for a regression, the RMSE against the noise-free target")


if __name__ == "__main__":
    run(main)
