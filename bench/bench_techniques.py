"""What the training techniques do on the checkerboard problem, measured.

Every run trains a network ``2-H-H-2`` (leaky-ReLU hidden layers, a softmax
output, cross-entropy, the library's input scaling) on samples drawn from
``data_generators/definition_of_checkerboard.generate(n, seed=s)``, with the
initial weights, the shuffling and the dropout masks from the same seed ``s``,
and judges it on 10,000 fresh samples per class (``seed=999``) with their true
labels. Each figure is the median over ``--seeds`` seeds, with the range in
brackets.

A. Regularisation on a small, noisy training set: 250 samples per class with
   20 % of the labels flipped (a seeded draw), a 2-256-256-2 network trained
   for 1,000 epochs with Adam: long enough to learn the flipped labels by
   heart. Without regularisation, with L2 (``weight_decay``), L1 (``l1``),
   dropout on both hidden layers, and AdamW's decoupled decay.
B. The optimisers race to 95 % held-out accuracy: 5,000 samples per class, a
   2-64-64-2 network, batches of 64, no clipping, a constant learning rate,
   at most 60 epochs. Every optimiser runs at each learning rate of its grid
   (seed after seed, the order of the runs rotating from seed to seed); the
   first table shows each one at its best (the fewest epochs in the median,
   ties broken by the mean); the second the whole grid. Seconds count training only (not the accuracy checks) and vary
   with the machine's load; epochs do not.
C. The schedules: the rate each gives per epoch, and the held-out accuracy
   after 30 epochs of Adam (5,000 samples per class, 2-64-64-2, batch 64).

Run from the repository root: ``python bench/bench_techniques.py [--quick] [--parts A B C]``.
The full run took 17 minutes on the machine of ``docs/BENCHMARKS.md`` while
other programs shared it (load average 2 to 3); each part prints its time.
``--quick`` (a minute) only shows that the script works: its runs are too
short for the figures to mean anything.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402  (first: it pins BLAS threads before NumPy loads)

import numpy as np  # noqa: E402

from src.datasets import targets_for_activation  # noqa: E402
from src.layer import Layer  # noqa: E402
from src.neural_network import NeuralNet  # noqa: E402
from src.problems import get_problem  # noqa: E402
from src.training import Training, TrainingDiverged, scheduled_learning_rate  # noqa: E402

PROBLEM = get_problem("checkerboard")
HELD_OUT_PER_CLASS = 10_000
HELD_OUT_SEED = 999

REGULARISATION = {"samples_per_class": 250, "label_noise": 0.2, "hidden": 256, "epochs": 1000,
                  "learning_rate": 0.003, "batch_size": 32}
VARIANTS = [  # (name, optimizer, Training options, dropout of the hidden layers)
    ("none", "adam", {}, 0.0),
    ("L2, weight_decay 1e-3", "adam", {"weight_decay": 1e-3}, 0.0),
    ("L1, l1 1e-4", "adam", {"l1": 1e-4}, 0.0),
    ("dropout 0.3", "adam", {}, 0.3),
    ("AdamW, weight_decay 0.03", "adamw", {"weight_decay": 0.03}, 0.0),
]

RACE = {"samples_per_class": 5000, "hidden": 64, "batch_size": 64, "target": 0.95, "max_epochs": 60}
GRID = {"sgd": [0.1, 0.3, 1.0, 3.0], "momentum": [0.01, 0.03, 0.1, 0.3], "nesterov": [0.01, 0.03, 0.1, 0.3],
        "adagrad": [0.03, 0.1, 0.3, 1.0], "rmsprop": [0.001, 0.003, 0.01, 0.03],
        "adam": [0.001, 0.003, 0.01, 0.03], "adamw": [0.001, 0.003, 0.01, 0.03]}
RACE_OPTIONS = {"adamw": {"weight_decay": 0.01}}

SCHEDULE_RUN = {"samples_per_class": 5000, "hidden": 64, "batch_size": 64, "epochs": 30, "learning_rate": 0.01}
SCHEDULES = [  # (name, Training options)
    ("constant", {"lr_schedule": "constant"}),
    ("cosine to 1 %", {"lr_schedule": "cosine", "final_lr_fraction": 0.01}),
    ("step: x0.3 every 10", {"lr_schedule": "step", "lr_step_epochs": 10, "lr_factor": 0.3}),
    ("exponential: x0.9", {"lr_schedule": "exponential", "lr_factor": 0.9}),
    ("inverse_time: decay 0.2", {"lr_schedule": "inverse_time", "lr_decay": 0.2}),
    ("cosine, 3 warm-up epochs", {"lr_schedule": "cosine", "final_lr_fraction": 0.01, "warmup_epochs": 3}),
]


def network(hidden, seed, dropout=0.0):
    rng = np.random.default_rng(seed)
    net = NeuralNet()
    net.add_layer(Layer(2, 2, "input"))
    net.add_layer(Layer(2, hidden, "hidden", "leaky_relu", rng=rng, dropout=dropout))
    net.add_layer(Layer(hidden, hidden, "hidden", "leaky_relu", rng=rng, dropout=dropout))
    net.add_layer(Layer(hidden, 2, "output", "softmax", rng=rng))
    net.set_input_scaling(PROBLEM.input_low, PROBLEM.input_high)
    return net


def draw(samples_per_class, seed):
    inputs, targets = PROBLEM.generator.generate(samples_per_class, seed)
    return inputs.astype(np.float64), targets_for_activation(targets, "softmax")


def with_flipped_labels(targets, fraction, seed):
    """The two-class targets with ``fraction`` of the rows swapped (seeded)."""
    flip = np.random.default_rng(seed + 100).random(len(targets)) < fraction
    noisy = targets.copy()
    noisy[flip] = noisy[flip][:, ::-1]
    return noisy


def cell(values, digits=1, percent=True):
    """'median [low–high]' of a list of numbers."""
    values = np.asarray(values, dtype=float)
    scale = 100.0 if percent else 1.0
    unit = " %" if percent else ""
    return (f"{scale * np.median(values):.{digits}f}{unit} "
            f"[{scale * values.min():.{digits}f}–{scale * values.max():.{digits}f}]")


# --- A ---

def part_a(seeds, quick, held_out):
    settings = dict(REGULARISATION)
    if quick:
        settings.update(hidden=32, epochs=40)
    print(f"## A. Regularisation: {settings['samples_per_class']} samples per class, "
          f"{100 * settings['label_noise']:.0f} % of the labels flipped\n")
    print(f"2-{settings['hidden']}-{settings['hidden']}-2, Adam at learning rate {settings['learning_rate']}, "
          f"batch {settings['batch_size']}, {settings['epochs']} epochs, {len(seeds)} seeds. Training accuracy "
          "is measured against the flipped labels it was trained on; held-out accuracy against the true "
          f"labels of {2 * HELD_OUT_PER_CLASS:,} fresh samples.\n")
    rows = []
    for name, optimizer, options, dropout in VARIANTS:
        held, trained, seconds = [], [], []
        for seed in seeds:
            x, t = draw(settings["samples_per_class"], seed)
            t = with_flipped_labels(t, settings["label_noise"], seed)
            net = network(settings["hidden"], seed, dropout)
            training = Training(net, settings["learning_rate"], None, "cross_entropy", optimizer,
                                seed=seed, **options)
            seconds.append(common.timed(lambda: training.train(x, t, settings["epochs"], settings["batch_size"],
                                                               verbose=False)))
            trained.append(training.evaluate(x, t)[1])
            held.append(training.evaluate(*held_out)[1])
        rows.append([name, cell(held), cell(trained), f"{np.median(seconds):.1f}"])
        print(f"  measured {name}", file=sys.stderr)
    print(common.markdown_table(["regularisation", "held-out accuracy", "training accuracy (noisy labels)",
                                 "seconds"], rows))
    print()


# --- B ---

def race(optimizer, learning_rate, seed, data, held_out, settings):
    """(epochs to the target or None, training seconds until then, whether it diverged)."""
    x, t = data
    net = network(settings["hidden"], seed)
    training = Training(net, learning_rate, None, "cross_entropy", optimizer, seed=seed,
                        **RACE_OPTIONS.get(optimizer, {}))
    seconds = 0.0
    for epoch in range(1, settings["max_epochs"] + 1):
        started = time.perf_counter()
        try:
            training.train(x, t, 1, settings["batch_size"], verbose=False)
        except TrainingDiverged:
            return None, seconds, True
        seconds += time.perf_counter() - started
        if training.evaluate(*held_out)[1] >= settings["target"]:
            return epoch, seconds, False
    return None, seconds, False


def median_epochs(runs):
    """The median of the epochs to the target, a run that never got there counting as infinitely many."""
    return float(np.median([epochs if epochs is not None else np.inf for epochs, _, _ in runs]))


def mean_epochs(runs, max_epochs):
    """The mean of the epochs to the target, a run that never got there counting as ``max_epochs + 1``."""
    return float(np.mean([epochs if epochs is not None else max_epochs + 1 for epochs, _, _ in runs]))


def part_b(seeds, quick, held_out):
    settings = dict(RACE)
    grid = GRID
    if quick:
        settings.update(samples_per_class=1000, target=0.8, max_epochs=10)
        grid = {name: values[1:2] for name, values in GRID.items()}
    print(f"## B. The optimisers race to {100 * settings['target']:g} % held-out accuracy\n")
    print(f"{settings['samples_per_class']:,} samples per class, 2-{settings['hidden']}-{settings['hidden']}-2, "
          f"batch {settings['batch_size']}, no clipping, constant learning rate, at most "
          f"{settings['max_epochs']} epochs, {len(seeds)} seeds; AdamW with weight_decay 0.01. "
          "Momentum and Nesterov use momentum 0.9, RMSprop rho 0.9, Adam and AdamW betas (0.9, 0.999).\n")
    # One seed after the other, every (optimiser, rate) once per seed in an order
    # that rotates from seed to seed: a busy spell slows every competitor alike.
    competitors = [(optimizer, rate) for optimizer, rates in grid.items() for rate in rates]
    results = {competitor: [] for competitor in competitors}
    for round_index, seed in enumerate(seeds):
        data = draw(settings["samples_per_class"], seed)
        shift = (round_index * len(competitors)) // len(seeds)
        for optimizer, rate in competitors[shift:] + competitors[:shift]:
            results[optimizer, rate].append(race(optimizer, rate, seed, data, held_out, settings))
        print(f"  measured seed {seed}", file=sys.stderr)

    best_rows = []
    for optimizer, rates in grid.items():
        best = min(rates, key=lambda lr: (median_epochs(results[optimizer, lr]),
                                          mean_epochs(results[optimizer, lr], settings["max_epochs"])))
        runs = results[optimizer, best]
        reached = sum(epochs is not None for epochs, _, _ in runs)
        if np.isfinite(median_epochs(runs)):
            epochs = [e if e is not None else settings["max_epochs"] + 1 for e, _, _ in runs]
            best_rows.append([optimizer, f"{best:g}", f"{np.median(epochs):g} [{min(epochs)}–{max(epochs)}]",
                              cell([s for _, s, _ in runs], digits=2, percent=False), f"{reached}/{len(runs)}"])
        else:
            best_rows.append([optimizer, f"{best:g}", f"> {settings['max_epochs']}", "–",
                              f"{reached}/{len(runs)}"])
    print(common.markdown_table(["optimizer", "best learning rate", "epochs to target", "seconds",
                                 "runs that got there"], best_rows))
    print()
    print("Median epochs to the target at each learning rate of the grid (–: the median run did not "
          f"get there in {settings['max_epochs']} epochs; runs that diverged are counted in brackets):\n")
    grid_rows = []
    for optimizer, rates in grid.items():
        cells = []
        for learning_rate in rates:
            runs = results[optimizer, learning_rate]
            value = median_epochs(runs)
            diverged = sum(flag for _, _, flag in runs)
            cells.append(f"{learning_rate:g}: " + (f"{value:g}" if np.isfinite(value) else "–")
                         + (f" ({diverged} diverged)" if diverged else ""))
        grid_rows.append([optimizer] + cells)
    print(common.markdown_table(["optimizer"] + [f"rate {i + 1}" for i in range(max(map(len, grid.values())))],
                                grid_rows))
    print()


# --- C ---

def part_c(seeds, quick, held_out):
    settings = dict(SCHEDULE_RUN)
    if quick:
        settings.update(samples_per_class=1000, epochs=8)
    epochs, lr = settings["epochs"], settings["learning_rate"]
    print(f"## C. Learning-rate schedules over {epochs} epochs of Adam from {lr:g}\n")
    shown = sorted({1, 2, 3, 4, 5, 10, 11, 15, 20, 21, 25, epochs} & set(range(1, epochs + 1)))
    rows = []
    for name, options in SCHEDULES:
        schedule = options["lr_schedule"]
        parameters = {key: value for key, value in options.items() if key != "lr_schedule"}
        rates = [scheduled_learning_rate(schedule, lr, e - 1, epochs, **parameters) for e in shown]
        rows.append([name] + [f"{rate:.2g}" for rate in rates])
    print("The learning rate in epoch (counted from 1):\n")
    print(common.markdown_table(["schedule"] + [str(e) for e in shown], rows))
    print()
    print(f"Held-out accuracy after {epochs} epochs ({settings['samples_per_class']:,} samples per class, "
          f"2-{settings['hidden']}-{settings['hidden']}-2, batch {settings['batch_size']}, {len(seeds)} seeds), "
          "and the held-out cost:\n")
    data = {seed: draw(settings["samples_per_class"], seed) for seed in seeds}
    rows = []
    for name, options in SCHEDULES:
        accuracies, costs = [], []
        for seed in seeds:
            net = network(settings["hidden"], seed)
            training = Training(net, lr, None, "cross_entropy", "adam", seed=seed, **options)
            training.train(*data[seed], epochs, settings["batch_size"], verbose=False)
            cost, accuracy = training.evaluate(*held_out)
            accuracies.append(accuracy)
            costs.append(cost)
        rows.append([name, cell(accuracies, digits=2), cell(costs, digits=4, percent=False)])
        print(f"  measured {name}", file=sys.stderr)
    print(common.markdown_table(["schedule", "held-out accuracy", "held-out cost"], rows))
    print()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny settings: checks that the script runs")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per figure (default 5; --quick 2)")
    parser.add_argument("--parts", nargs="+", choices=("A", "B", "C"), default=["A", "B", "C"])
    args = parser.parse_args(argv)
    seeds = list(range(1, 1 + (args.seeds or (2 if args.quick else 5))))
    started = time.perf_counter()
    common.header("Training techniques on checkerboard", args.quick)
    held_out = draw(HELD_OUT_PER_CLASS, HELD_OUT_SEED)
    for part, function in (("A", part_a), ("B", part_b), ("C", part_c)):
        if part in args.parts:
            part_started = time.perf_counter()
            function(seeds, args.quick, held_out)
            print(f"Part {part}: {time.perf_counter() - part_started:.0f} s.\n")
    print(f"Total time: {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
