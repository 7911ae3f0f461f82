"""Time to 99.5 % accuracy on the red problem, for this library, PyTorch and scikit-learn.

The task: a 3-32-32-2 network (leaky ReLU hidden layers, a softmax output,
cross-entropy) trained with Adam on a balanced set from
``data_generators/definition_of_red.generate`` (``--samples-per-class`` of
each class), inputs mapped from 0..255 to [-1, 1] by the library's input
scaling. After every epoch, the network classifies 100,000 fresh colours
drawn uniformly from the whole RGB cube (a fixed seed), and the clock stops
when at least 99.5 % are right. Only the training counts: the time of the
accuracy checks is left out.

Competitors, from the same initial weights:

- ``library``: ``Training(net, lr, 1.0, 'cross_entropy', 'adam').train(x, t, 1, batch)`` per epoch;
- ``torch``: PyTorch eager, one thread, float64, the same layers and weights,
  ``CrossEntropyLoss`` on the logits (softmax + cross-entropy), the same
  gradient clipping and Adam;
- ``sklearn``: ``MLPClassifier`` (ReLU, its only leaky-ReLU-free choice), one
  ``partial_fit`` per epoch; the same hidden weights, and for its single
  logistic output unit the weights that give the same initial probabilities
  as the two-way softmax (``w = w_1 - w_0``). It does not clip gradients.

Each initial-weight seed is run by every competitor in turn (the order
rotating), for ``--seeds`` seeds; the tables give the median, the range, and
the number of epochs.

Run from the repository root: ``python bench/bench_time_to_accuracy.py [--quick]``.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402  (first: it pins BLAS threads before NumPy loads)

import numpy as np  # noqa: E402

from data_generators import definition_of_red  # noqa: E402
from src.activation_functions import ActivationFunction  # noqa: E402
from src.datasets import targets_for_activation  # noqa: E402
from src.layer import Layer  # noqa: E402
from src.neural_network import NeuralNet  # noqa: E402
from src.training import Training  # noqa: E402

GOAL = 0.995
CLIP = 1.0
FRESH_COLOURS = 100_000
FRESH_SEED = 12345


def red_net(seed):
    rng = np.random.default_rng(seed)
    net = NeuralNet()
    net.add_layer(Layer(3, 3, "input"))
    net.add_layer(Layer(3, 32, "hidden", rng=rng))
    net.add_layer(Layer(32, 32, "hidden", rng=rng))
    net.add_layer(Layer(32, 2, "output", ActivationFunction.softmax, rng=rng))
    net.set_input_scaling([0, 0, 0], [255, 255, 255])
    return net


class Task:
    """The training set, the fresh colours and their true classes."""

    def __init__(self, samples_per_class, data_seed):
        colours, targets = definition_of_red.generate(samples_per_class, data_seed)
        self.x = colours.astype(np.float64)
        self.t = targets_for_activation(targets, "softmax")
        self.classes = np.argmax(targets, axis=1)
        fresh = np.random.default_rng(FRESH_SEED).integers(0, 256, size=(FRESH_COLOURS, 3))
        self.fresh = fresh.astype(np.float64)
        self.fresh_classes = np.argmax(definition_of_red.label(fresh), axis=1)


def run_library(task, seed, batch_size, learning_rate, max_epochs):
    net = red_net(seed)
    training = Training(net, learning_rate, CLIP, "cross_entropy", "adam", seed=seed + 1000)

    def epoch():
        training.train(task.x, task.t, 1, batch_size, verbose=False)

    def accuracy():
        return np.mean(np.argmax(net.predict(task.fresh), axis=1) == task.fresh_classes)
    return race(epoch, accuracy, max_epochs)


def run_torch(task, seed, batch_size, learning_rate, max_epochs):
    import torch

    torch.set_num_threads(1)
    net = red_net(seed)
    linears = []
    for layer in net.layers[1:]:
        linear = torch.nn.Linear(layer.previousLayer_size, layer.layer_size, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(layer.weights))
            linear.bias.copy_(torch.from_numpy(layer.biases))
        linears.append(linear)
    model = torch.nn.Sequential(linears[0], torch.nn.LeakyReLU(0.01),
                                linears[1], torch.nn.LeakyReLU(0.01), linears[2])
    parameters = list(model.parameters())
    optimizer = torch.optim.Adam(parameters, lr=learning_rate)
    loss_function = torch.nn.CrossEntropyLoss()
    x = torch.from_numpy(net.scale_inputs(task.x))
    y = torch.from_numpy(task.classes)
    fresh = torch.from_numpy(net.scale_inputs(task.fresh))
    fresh_classes = torch.from_numpy(task.fresh_classes)
    generator = torch.Generator().manual_seed(seed + 1000)

    def epoch():
        order = torch.randperm(len(x), generator=generator)
        xs, ys = x[order], y[order]
        for start in range(0, len(xs), batch_size):
            optimizer.zero_grad()
            loss = loss_function(model(xs[start:start + batch_size]), ys[start:start + batch_size])
            loss.backward()
            torch.nn.utils.clip_grad_value_(parameters, CLIP)
            optimizer.step()

    def accuracy():
        with torch.no_grad():
            return float((model(fresh).argmax(dim=1) == fresh_classes).double().mean())
    return race(epoch, accuracy, max_epochs)


def run_sklearn(task, seed, batch_size, learning_rate, max_epochs):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    net = red_net(seed)
    x = net.scale_inputs(task.x)
    fresh = net.scale_inputs(task.fresh)
    model = MLPClassifier(hidden_layer_sizes=(32, 32), activation="relu", solver="adam",
                          batch_size=batch_size, learning_rate_init=learning_rate, alpha=0.0,
                          shuffle=True, random_state=seed + 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a one-sample batch: it warns that batch_size is clipped
        model.partial_fit(x[:1], task.classes[:1], classes=np.array([0, 1]))
    # Put in the library's initial weights and start Adam afresh. Setting the
    # weights of an MLPClassifier has no public API: this uses its attributes.
    layers = net.layers[1:]
    for i, layer in enumerate(layers[:-1]):
        model.coefs_[i][...] = layer.weights.T
        model.intercepts_[i][...] = layer.biases
    output = layers[-1]
    model.coefs_[-1][...] = (output.weights[1] - output.weights[0])[:, None]
    model.intercepts_[-1][...] = output.biases[1] - output.biases[0]
    if hasattr(model, "_optimizer"):
        del model._optimizer

    def epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.partial_fit(x, task.classes)

    def accuracy():
        return np.mean(model.predict(fresh) == task.fresh_classes)
    return race(epoch, accuracy, max_epochs)


def race(epoch, accuracy, max_epochs):
    """Train epoch by epoch until ``accuracy() >= GOAL``; (training seconds, epochs, accuracy).

    The epochs count is None when the goal was not reached within ``max_epochs``.
    """
    seconds = 0.0
    reached = 0.0
    for done in range(1, max_epochs + 1):
        started = time.perf_counter()
        epoch()
        seconds += time.perf_counter() - started
        reached = accuracy()
        if reached >= GOAL:
            return seconds, done, reached
    return seconds, None, reached


RUNNERS = {"library": run_library, "torch": run_torch, "sklearn": run_sklearn}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one setting, two seeds: a few seconds")
    parser.add_argument("--seeds", type=int, help="initial-weight seeds per setting (default 5, quick 2)")
    parser.add_argument("--samples-per-class", type=int, default=10_000)
    parser.add_argument("--max-epochs", type=int, default=50)
    parser.add_argument("--settings", nargs="+", metavar="BATCH:LR",
                        help="batch size and learning rate pairs (default 32:0.003 128:0.01)")
    args = parser.parse_args(argv)
    seeds = args.seeds or (2 if args.quick else 5)
    settings = args.settings or (["128:0.01"] if args.quick else ["32:0.003", "128:0.01"])
    settings = [(int(b), float(lr)) for b, lr in (s.split(":") for s in settings)]

    competitors = ["library"]
    for module in ("torch", "sklearn"):
        if common.optional_module(module) is not None:
            competitors.append(module)

    common.header("Time to 99.5 % on 100,000 fresh colours (red, 3-32-32-2, Adam)", args.quick)
    task = Task(args.samples_per_class, data_seed=0)
    print(f"{len(task.x)} training samples (definition_of_red.generate({args.samples_per_class}, 0)); "
          f"seeds 1..{seeds} for the initial weights; at most {args.max_epochs} epochs; "
          "training seconds only, median [min-max]")
    print()

    rows, ratios = [], []
    for batch_size, learning_rate in settings:
        results = {name: [] for name in competitors}
        for seed in range(1, seeds + 1):
            shift = seed % len(competitors)
            for name in competitors[shift:] + competitors[:shift]:
                results[name].append(RUNNERS[name](task, seed, batch_size, learning_rate,
                                                   args.max_epochs))
            print(f"  batch {batch_size} lr {learning_rate}: seed {seed} done", file=sys.stderr, flush=True)
        medians = {}
        for name in competitors:
            runs = results[name]
            seconds = [r[0] for r in runs if r[1] is not None]
            epochs = [r[1] for r in runs if r[1] is not None]
            failed = len(runs) - len(seconds)
            if seconds:
                medians[name] = float(np.median(seconds))
                cell = f"{medians[name]:.3f} [{min(seconds):.3f}-{max(seconds):.3f}]"
                epoch_cell = f"{np.median(epochs):g} [{min(epochs)}-{max(epochs)}]"
            else:
                cell, epoch_cell = "not reached", "-"
            note = f"{failed} of {len(runs)} runs did not reach it" if failed else ""
            rows.append([f"batch {batch_size}, lr {learning_rate:g}", name, cell, epoch_cell,
                         f"{100 * np.median([r[2] for r in runs]):.2f}", note])
        for name in competitors[1:]:
            if name in medians and "library" in medians:
                ratios.append(f"- batch {batch_size}, lr {learning_rate:g}: the library reaches 99.5 % "
                              f"{medians[name] / medians['library']:.1f}x faster than {name}")
        if "library" in medians:
            verdict = "met" if medians["library"] < 0.5 else "MISSED"
            ratios.append(f"- batch {batch_size}, lr {learning_rate:g}: library {medians['library']:.3f} s "
                          f"(target < 0.5 s): {verdict}")

    print(common.markdown_table(["setting", "competitor", "training seconds", "epochs",
                                 "final accuracy %", "note"], rows))
    print()
    print("\n".join(ratios))


if __name__ == "__main__":
    main()
