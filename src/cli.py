"""What the three main scripts share: errors, arguments, data and the training record.

- :func:`run` calls a script's ``main`` so that any failure at run time (a bad
  file, a diverged training, Ctrl-C, a closed or full standard output,
  anything else) prints exactly one line on standard error, saying what was
  written by then, and exits with status 1: no traceback, no NumPy warnings.
  Command-line mistakes stay argparse's usage errors (exit 2).
- :func:`training_data` builds a problem's training set the same way for
  creating and for continuing: the samples of the data file plus, as the
  settings say, samples drawn from the problem's generator with a recorded
  seed (the seed's 500 samples alone are too few for the accuracy aimed at).
  :func:`held_out_data` gives the validation samples: fresh draws, or for a
  problem with fixed data (digits) a part of its training file set aside
  first; a problem's test file is never read here.
- :func:`train_and_record` trains, then appends the run and its per-epoch
  history to the model's training record, which is saved with the model.
- :func:`generator_main` is the command line of every data generator.
"""

import argparse
import errno
import inspect
import os
import signal
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np

from src import fileio
from src.arguments import non_negative_int, path_argument, positive_int
from src.costs import make_cost
from src.datasets import class_indices, load_dataset, model_targets, save_dataset, stratified_split, summary
from src.environment import numerical_environment
from src.evaluation import regression_metrics
from src.fileio import printable
from src.problems import ROOT
from src.training import DTYPES, Training, predicted_classes, recorded


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: ended from outside, handled like a Ctrl-C."""


def _stopper():
    """A signal handler: the first Ctrl-C (or SIGTERM, SIGHUP) stops the script, any more are ignored.

    Ignoring them in the handler itself, rather than by setting ``SIG_IGN``,
    also covers signals that arrived together with the first one.
    """
    stopping = []

    def stop(signum, frame):
        if not stopping:
            stopping.append(signum)
            raise KeyboardInterrupt if signum == signal.SIGINT else Terminated

    return stop


def _what_was_written(since):
    """'nothing was written', or 'wrote <the paths written since fileio.WRITTEN had ``since`` entries>'."""
    written = fileio.WRITTEN[since:]
    if not written:
        return "nothing was written"
    return "wrote " + ", ".join(dict.fromkeys(written))


# What writing to a closed pipe, a full disk or /dev/full raises. Errors of the
# project's own file writes name their file instead (src/fileio.py), so an error
# with an errno and no file name comes from standard output.
_OUTPUT_ERRORS = {errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG}


def _from_stdout(err):
    return (isinstance(err, OSError) and err.errno in _OUTPUT_ERRORS and err.filename is None
            and err.strerror is not None)


def run(main, argv=None):
    """Call ``main(argv)``; turn any failure into one line on stderr and exit status 1.

    The line says what went wrong and, when the script stops partway (an error,
    Ctrl-C, SIGTERM, standard output closed or full), what it had written by
    then. No traceback and no NumPy warnings reach the terminal, and control
    characters in a message are shown as escapes. A second Ctrl-C while the
    script ends is ignored. The signal handlers are put back as they were when
    ``run`` returns or exits.
    """
    program = Path(sys.argv[0]).name or "script"
    previous = {}
    if threading.current_thread() is threading.main_thread():
        stop = _stopper()
        previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        message = _failure_of(main, argv, since=len(fileio.WRITTEN))
        if message is not None:
            print(f"{program}: error: {printable(message)}", file=sys.stderr)
            sys.exit(1)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)


def _failure_of(main, argv, since):
    """Run ``main(argv)``: ``None`` if it ends well, else the one line that says what happened."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                main(argv)
        sys.stdout.flush()
        return None
    except KeyboardInterrupt as err:
        how = "terminated" if isinstance(err, Terminated) else "interrupted"
        return f"{how}; {_what_was_written(since)}"
    except Exception as err:  # every failure becomes one line, by design
        if _from_stdout(err):
            # Whatever is printed from now on goes nowhere, also the interpreter's last flush.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            reason = "it was closed" if isinstance(err, BrokenPipeError) else err.strerror
            return f"cannot write to standard output ({reason}); {_what_was_written(since)}"
        message = " ".join(str(err).split()) or type(err).__name__
        if isinstance(err, MemoryError):
            message = f"out of memory ({message})" if message != "MemoryError" else "out of memory"
        if fileio.WRITTEN[since:]:
            message += f" (before that, {_what_was_written(since)})"
        return message


def add_problem_argument(parser):
    from src.problems import PROBLEMS

    parser.add_argument("--problem", choices=list(PROBLEMS), default="red",
                        help="which problem (default: red)")


def add_dtype_argument(parser, default_help):
    parser.add_argument("--dtype", choices=DTYPES,
                        help=f"precision of the training: float32 halves the memory traffic (default: {default_help})")


def display_path(path):
    """``path`` relative to the project root when it lies inside it (for records and messages)."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def check_model_fits(net, problem, model_path):
    """Refuse a model of another problem: by its training record, and by its numbers of inputs and outputs."""
    trained_for = net.training_record.get("problem")
    if trained_for is not None and trained_for != problem.name:
        raise ValueError(f"model file {model_path} was trained for problem {trained_for} (its training "
                         f"record says so), not for {problem.name}: give --problem {trained_for}")
    if net.n_inputs != problem.n_inputs or net.n_outputs != problem.n_outputs:
        kind = "targets" if problem.is_regression else "classes"
        raise ValueError(f"model file {model_path} takes {net.n_inputs} inputs and gives {net.n_outputs} "
                         f"outputs, but problem {problem.name} has {problem.n_inputs} inputs and "
                         f"{problem.n_outputs} {kind}")


def generated(problem, samples, seed, output_activation, options=None):
    """Samples drawn from the problem's definition, targets in the model's range."""
    inputs, targets = problem.generator.generate(samples, seed, **(options or {}))
    return inputs.astype(np.float64), model_targets(targets, problem, output_activation)


def training_data(problem, settings, data_path, output_activation):
    """What a model of ``problem`` trains on: ``(inputs, targets)``.

    The data file's samples plus ``settings['generated_samples_per_class']``
    (samples, for a regression) drawn from the problem's generator with
    ``settings['data_seed']``. A problem with fixed data (``can_generate``
    false: digits) first sets aside its validation part of the data file (see
    :func:`held_out_data`); the generator then draws only from the rest.
    """
    if problem.can_generate:
        inputs, targets = load_dataset(data_path, problem, output_activation)
        options = settings.get("generator_options")
    else:
        (inputs, targets), _ = _fixed_data_split(problem, settings, data_path, output_activation)
        options = {**settings.get("generator_options", {}), "source": (inputs, targets)}
    extra = settings.get("generated_samples_per_class", 0)
    if extra:
        more_inputs, more_targets = generated(problem, extra, settings["data_seed"], output_activation, options)
        inputs = np.concatenate([inputs, more_inputs])
        targets = np.concatenate([targets, more_targets])
    return inputs, targets


def held_out_data(problem, settings, output_activation, data_path=None):
    """Samples never trained on: the validation set and the final check, ``(inputs, targets)``.

    Fresh samples drawn from the definition with ``data_seed + 1``; for a
    problem with fixed data, ``settings['validation_images']`` samples of the
    data file (``data_path``, by default the problem's), a stratified draw with
    ``data_seed``. A problem's test file is never read here.
    """
    if problem.can_generate:
        return generated(problem, settings["validation_samples_per_class"], settings["data_seed"] + 1,
                         output_activation)
    _, validation = _fixed_data_split(problem, settings, data_path or problem.data_path, output_activation)
    return validation


def _fixed_data_split(problem, settings, data_path, output_activation):
    """The data file of a fixed-data problem as ``(training part, validation part)``."""
    inputs, targets = load_dataset(data_path, problem, output_activation)
    kept, held = stratified_split(class_indices(targets), settings["validation_images"],
                                  np.random.default_rng(settings["data_seed"]))
    if held.size == 0 or kept.size == 0:
        raise ValueError(f"validation_images of {problem.name} must leave samples on both sides of "
                         f"{display_path(data_path)} ({inputs.shape[0]} samples)")
    return (inputs[kept], targets[kept]), (inputs[held], targets[held])


# Settings a problem's entry may add, passed on to Training as they are.
TRAINING_OPTIONS = ("weight_decay", "l1", "momentum", "betas", "epsilon", "rho",
                    "lr_step_epochs", "lr_factor", "lr_decay", "warmup_epochs", "dtype")


def train_and_record(net, settings, inputs, targets, validation, *, epochs, learning_rate, seed,
                     run_info, verbose=True, checkpoint=None, regression=False, snapshots=None):
    """Train ``net`` as ``settings`` say and append the run to ``net.training_record``.

    Returns ``(history, seconds)``. Raises ``TrainingDiverged`` with the weights
    left at the last good epoch; the caller then saves nothing. ``checkpoint``
    is a path where the best model so far is saved during the training. A
    ``regression`` reports no accuracy; its run records the held-out RMSE.
    ``snapshots`` (a ``src.pictures.animation.Snapshots``) is fed by the
    training's callbacks.
    """
    options = {key: settings[key] for key in TRAINING_OPTIONS if key in settings}
    training = Training(net, learning_rate, settings["clip_value"], settings["cost_function"],
                        settings["optimizer"], lr_schedule=settings["lr_schedule"],
                        final_lr_fraction=settings["final_lr_fraction"], seed=seed, **options)
    record = net.training_record
    history_so_far = record.setdefault("history", [])
    training.epochs_done = len(history_so_far)
    started = time.perf_counter()
    history = training.train(inputs, targets, epochs, settings["batch_size"], validation_data=validation,
                             verbose=verbose, checkpoint=checkpoint, accuracy=not regression,
                             callback=snapshots.after_epoch if snapshots else None,
                             batch_callback=snapshots.after_batch if snapshots else None)
    seconds = time.perf_counter() - started
    net.cost_function = settings["cost_function"]
    for entry in history:
        history_so_far.append(recorded(entry))
    run = dict(run_info)
    run.update({"epochs": len(history), "learning_rate": learning_rate, "seed": seed,
                "training_samples": int(inputs.shape[0]), "environment": numerical_environment(),
                "training": training.settings_record()})
    if history and "val_accuracy" in history[-1]:
        run["held_out_accuracy"] = history[-1]["val_accuracy"]
    if regression and validation is not None:
        run["held_out_rmse"] = regression_metrics(net.predict(validation[0]), validation[1])["rmse"]
    record.setdefault("runs", []).append(run)
    return history, seconds



def held_out_summary(net, problem, history, validation):
    """``(phrase, figure)``: how the model does on the held-out samples, for the scripts' last line.

    A classifier: the accuracy of the last epoch. A regression: the RMSE against
    the noisy held-out targets and, the figure, against the noise-free ones
    (``problem.generator.label``), what the network could at best learn.
    """
    inputs, targets = validation
    samples = f"{inputs.shape[0]:,} held-out samples"
    if not problem.is_regression:
        accuracy = history[-1]["val_accuracy"]
        return f"{100 * accuracy:.4f} % right on {samples}", f"{100 * accuracy:.4f} %"
    predictions = net.predict(inputs)
    noisy = regression_metrics(predictions, targets)["rmse"]
    clean = regression_metrics(predictions, problem.generator.label(inputs))["rmse"]
    target = problem.target_names[0] if len(problem.target_names) == 1 else "targets"
    return (f"RMSE {noisy:.4f} on {samples} ({clean:.4f} against the noise-free {target})",
            f"RMSE {clean:.4f}")


def generator_main(module, argv=None):
    """The command line of a data generator ``module`` (a ``definition_of_<name>.py``).

    Every generator takes ``--samples-per-class N`` (``--samples N`` for a
    regression), ``--seed S`` and ``--output P``, with the defaults of the
    module's ``generate``; each entry of the module's optional ``OPTIONS``
    (``{parameter: (argparse type, help)}``) adds ``--<parameter>`` for that
    keyword of ``generate``. It writes the data file atomically and prints
    what it wrote; a failure is one line on standard error and exit status 1.
    """
    problem = module.PROBLEM
    signature = inspect.signature(module.generate)
    defaults = {name: p.default for name, p in signature.parameters.items()
                if p.default is not inspect.Parameter.empty}
    count_name = next(iter(signature.parameters))
    count_flag = "--samples" if problem.is_regression else "--samples-per-class"

    def write(argv):
        parser = argparse.ArgumentParser(description=(module.__doc__ or "").splitlines()[0])
        parser.add_argument(count_flag, dest="count", type=positive_int, default=defaults[count_name],
                            metavar="N", help=f"samples{'' if problem.is_regression else ' of each class'} "
                                              f"(default {defaults[count_name]})")
        parser.add_argument("--seed", type=non_negative_int, default=defaults["seed"], metavar="S",
                            help=f"seed of the random generator (default {defaults['seed']})")
        parser.add_argument("--output", type=path_argument, default=problem.data_path, metavar="P",
                            help=f"data file to write (default {display_path(problem.data_path)})")
        for name, (kind, text) in getattr(module, "OPTIONS", {}).items():
            parser.add_argument("--" + name.replace("_", "-"), dest=name, type=kind, default=defaults[name],
                                metavar="V", help=f"{text} (default {defaults[name]})")
        args = vars(parser.parse_args(argv))
        count, seed, output = args.pop("count"), args.pop("seed"), args.pop("output")
        inputs, targets = module.generate(count, seed, **args)
        try:
            save_dataset(output, inputs, targets, problem)
        except (OSError, ValueError) as err:
            if str(output) in str(err):
                raise
            raise OSError(f"cannot write {output}: {err}") from None
        print(f"wrote {inputs.shape[0]} {problem.name} samples (seed {seed}) to {output}")
        print(summary(inputs, targets, problem))

    return run(write, argv)


def held_out_result(net, cost_function, validation, regression=False):
    """``(accuracy, cost)`` of ``net`` on the held-out ``validation = (inputs, targets)``.

    ``accuracy`` is None for a regression. Computed the same way before and
    after a training, so that the two can be compared.
    """
    inputs, targets = validation
    output = net.layers[-1]
    outputs = net.predict(inputs)
    cost = make_cost(cost_function, output.activation_func, output.activation_params).value(outputs, targets)
    if regression:
        return None, cost
    right = predicted_classes(outputs, output.activation_func) == predicted_classes(targets, output.activation_func)
    return float(np.mean(right)), cost


def not_worse(after, before):
    """Whether the held-out result ``after`` is at least as good as ``before`` (both ``(accuracy, cost)``).

    A higher accuracy is better; at equal accuracy (or for a regression), a cost that is not higher.
    """
    if after[0] is not None and after[0] != before[0]:
        return after[0] > before[0]
    return after[1] <= before[1]


def no_better_than_chance(net, validation, regression=False):
    """A description when ``net`` does no better on the held-out samples than a constant answer, else ''.

    A classifier: an accuracy not above the share of the samples' largest class
    (what always answering that class gets). A regression: a mean squared
    error not below that of always answering the samples' mean (R² <= 0).
    """
    inputs, targets = validation
    outputs = net.predict(inputs)
    if regression:
        error, spread = np.mean((outputs - targets) ** 2), np.mean((targets - targets.mean(axis=0)) ** 2)
        if error < spread:
            return ""
        return (f"its mean squared error on held-out samples is {error:.4g}, and always answering their "
                f"mean gets {spread:.4g}")
    activation = net.output_activation
    classes = predicted_classes(targets, activation)
    accuracy = np.mean(predicted_classes(outputs, activation) == classes)
    chance = np.bincount(classes).max() / classes.size
    if accuracy > chance:
        return ""
    return (f"{100 * accuracy:.2f} % right on held-out samples, and always answering their largest "
            f"class gets {100 * chance:.2f} %")
