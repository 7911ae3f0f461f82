"""Continue training an existing model (fine-tuning) and save it.

    python main_continue_training.py --output my_red.json    # red, 5 more epochs, into a new file
    python main_continue_training.py --problem sine --epochs 10 --learning-rate 0.001 --output my_sine.json
    python main_continue_training.py --problem xor           # over models/model_xor.json, if not worse

The model keeps its architecture; training uses the problem's data as
main_create_and_train.py does (the data file plus the samples its settings
draw from the definition) with the cost the model was trained with. The run
and its epochs are appended to the model's training record.

The result is written (atomically, by default over the --model file) only
when it is not worse on the held-out samples than the model was before: a
higher accuracy, or the same accuracy and a held-out cost that is not higher
(a regression: a cost that is not higher). Otherwise nothing is written, the
old model stays as it was, one line says so and the exit status is 1; --force
writes it anyway. A training that diverges (a non-finite cost, or weights
beyond ±1e6) is never written, not even with --force.
``--checkpoint PATH`` also saves the best model so far to PATH (which must not
be the model being continued) after every epoch that lowers the held-out cost.
The training runs in the precision the model was last trained in (its
record's ``dtype``), unless ``--dtype`` says otherwise.
"""

import src.script_start  # noqa: F401,I001  (first: one BLAS thread, see src/__init__.py; a quiet Ctrl-C)

import argparse
from pathlib import Path

from main_create_and_train import settings_of
from src import fileio
from src.arguments import non_negative_int, path_argument, positive_float, positive_int
from src.cli import (add_dtype_argument, add_problem_argument, check_model_fits, display_path, held_out_data, held_out_result,
                     held_out_summary, not_worse, run, train_and_record, training_data)
from src.fileio import check_writable
from src.neural_network import NeuralNet
from src.pictures import animation
from src.problems import get_problem
from src.report import check_report_argument, report_argument, report_snapshots, write_model_report

DEFAULT_EPOCHS = 5
DEFAULT_LR_FRACTION = 0.1  # fine-tuning starts at a tenth of the problem's learning rate


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:6]))
    add_problem_argument(parser)
    parser.add_argument("--model", type=path_argument,
                        help="model to continue (default: models/model_<problem>.json)")
    parser.add_argument("--data", type=path_argument, help="data file (default: the problem's file in data/)")
    parser.add_argument("--epochs", type=positive_int, default=DEFAULT_EPOCHS,
                        help=f"epochs to add (default: {DEFAULT_EPOCHS})")
    parser.add_argument("--learning-rate", type=positive_float,
                        help="learning rate (default: a tenth of the problem's setting)")
    parser.add_argument("--seed", type=non_negative_int, help="seed of the shuffling (default: the setting + "
                        "the number of runs so far)")
    parser.add_argument("--output", type=path_argument,
                        help="where to write the result (default: the --model file)")
    parser.add_argument("--force", action="store_true",
                        help="write the result even when it is worse on the held-out samples than before")
    parser.add_argument("--checkpoint", type=path_argument, metavar="PATH",
                        help="save the best model so far here after every epoch that improves the "
                             "held-out cost (not the --model file)")
    add_dtype_argument(parser, "the one the model was last trained in, else the setting")
    parser.add_argument("--quiet", action="store_true", help="no per-epoch progress lines")
    animation.add_arguments(parser)
    report_argument(parser)
    args = parser.parse_args(argv)
    animation.check_arguments(parser, args)
    check_report_argument(parser, args)

    problem = get_problem(args.problem)
    model_path = args.model or problem.model_path
    output_path = args.output or model_path
    if args.checkpoint and Path(args.checkpoint).resolve() == Path(model_path).resolve():
        parser.error(f"--checkpoint {args.checkpoint} is the model being continued: its first "
                     "checkpoint would replace it before the training is done; name another file")
    net = NeuralNet().load(model_path)
    check_model_fits(net, problem, model_path)
    for path in (output_path, args.checkpoint, args.animate, args.report):  # found before the training, not after it
        if path:
            check_writable(path)
    settings = dict(settings_of(problem))
    activation = net.output_activation.title
    settings["cost_function"] = net.cost_function or ("cross_entropy" if activation in ("sigmoid", "softmax")
                                                      else "mse")
    learning_rate = args.learning_rate or settings["learning_rate"] * DEFAULT_LR_FRACTION
    runs = net.training_record.get("runs", [])
    last_training = runs[-1].get("training", {}) if runs else {}
    settings["dtype"] = args.dtype or last_training.get("dtype") or settings["dtype"]
    runs_so_far = len(runs)
    seed = args.seed if args.seed is not None else settings["seed"] + runs_so_far
    data_path = args.data or problem.data_path

    inputs, targets = training_data(problem, settings, data_path, activation)
    validation = held_out_data(problem, settings, activation, data_path)
    epochs_so_far = len(net.training_record.get("history", []))
    before = held_out_result(net, settings["cost_function"], validation, problem.is_regression)
    if not args.quiet:
        print(f"{problem.name}: continuing {display_path(model_path)} (trained {epochs_so_far} epochs so far, "
              f"{_result(before)} on held-out samples) for {args.epochs} epochs at learning rate "
              f"{learning_rate:g}")
    written_before = len(fileio.WRITTEN)
    snapshots = animation.start(net, problem, settings, inputs, args.epochs) if args.animate else None
    if args.report and snapshots is None:
        snapshots = report_snapshots(net, settings, inputs, args.epochs)
    history, seconds = train_and_record(
        net, settings, inputs, targets, validation, epochs=args.epochs, learning_rate=learning_rate,
        seed=seed, verbose=not args.quiet, checkpoint=args.checkpoint, regression=problem.is_regression,
        snapshots=snapshots,
        run_info={"script": "main_continue_training.py", "data_file": display_path(data_path),
                  "continued_from": display_path(model_path)})
    after = held_out_result(net, settings["cost_function"], validation, problem.is_regression)
    if not not_worse(after, before) and not args.force:
        checkpoints = ", ".join(dict.fromkeys(fileio.WRITTEN[written_before:]))
        written = f"only the checkpoint {checkpoints} was written" if checkpoints else "nothing was written"
        raise RuntimeError(f"after {len(history)} more epochs the model is worse on the held-out samples "
                           f"({_result(after)}; before: {_result(before)}): {written} and "
                           f"{display_path(model_path)} is as it was (--force writes the result anyway)")
    net.save(output_path)
    if args.animate:
        animation.finish(args.animate, snapshots, problem, settings, inputs, targets, validation, args.scale)
    if args.report:
        write_model_report(args.report, net, problem, data_path, snapshots=snapshots,
                           settings={**settings, "learning_rate": learning_rate, "epochs": args.epochs,
                                     "seed": seed},
                           seconds=seconds, source="main_continue_training.py")
    phrase, _ = held_out_summary(net, problem, history, validation)
    print(f"{problem.name}: {phrase} after {len(history)} more epochs in {seconds:.1f} s "
          f"(before: {_result(before)}, after: {_result(after)}); saved {display_path(output_path)}"
          + (f"; report {args.report}" if args.report else ""))


def _result(accuracy_and_cost):
    accuracy, cost = accuracy_and_cost
    return f"cost {cost:.6g}" if accuracy is None else f"{100 * accuracy:.4f} % right, cost {cost:.6g}"


if __name__ == "__main__":
    run(main)
