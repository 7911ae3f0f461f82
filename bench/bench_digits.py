"""Handwritten digits: accuracy on the test file and training time, this library against
scikit-learn's MLPClassifier and PyTorch, on the same data with the same network.

The task is the shipped digits model's: ``SETTINGS["digits"]`` of
``main_create_and_train.py`` and the training data that script builds
(``src.cli.training_data``: the training file minus its validation part, plus
the shifted copies the settings draw), inputs mapped from 0..16 to [-1, 1] by
the library's input scaling. Every competitor trains on exactly those arrays,
from the same initial weights, for the same epochs with the same batch size,
Adam and learning-rate schedule, and is then measured on the 450 images of
``data/digits_test_data.json`` (never trained on):

- ``library``: ``src.cli.train_and_record``, the shipped path, without a
  validation set (its per-epoch checks are not training time);
- ``torch``: PyTorch eager on the CPU, one thread, float64, the same layers
  and weights (leaky ReLU 0.01, softmax with ``CrossEntropyLoss`` on the
  logits), ``torch.optim.Adam`` with the same rate per epoch and the same L2
  (``weight_decay`` on the weights, none on the biases), its own shuffling;
- ``sklearn``: ``MLPClassifier`` with the same hidden sizes, ReLU (it has no
  leaky ReLU), the same weights, one ``partial_fit`` per epoch. Its L2
  ``alpha`` is added to the summed gradient of a batch before dividing by
  the batch's size, so ``alpha = weight_decay * batch_size`` is the same
  penalty (exactly for full batches). Its Adam takes the epoch's rate
  through ``learning_rate_init`` of its optimiser (an attribute, not a
  public API: MLPClassifier's own schedules do not apply to Adam).

A setting the comparison cannot copy (L1, dropout) is named in the output. A last table trains ``MLPClassifier()`` with its defaults on the
1,347 images of the training file (pixels / 16), seeds 1 to 5: the figure
most users would start from.

Seeds 1..``--rounds`` give the initial weights and the shuffling; in each
round every competitor runs once, the order rotating. Figures are the median
with the range. Run from the repository root: ``python bench/bench_digits.py``
(``--quick``: 2 rounds of 5 epochs, to check that it runs).
"""

import argparse
import math
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402  (first: it pins BLAS threads before NumPy loads)

import numpy as np  # noqa: E402

import main_create_and_train  # noqa: E402
from src.cli import train_and_record, training_data  # noqa: E402
from src.datasets import load_dataset  # noqa: E402
from src.problems import get_problem  # noqa: E402

PROBLEM = get_problem("digits")


def epoch_rates(settings, epochs):
    """The learning rate of each epoch, as ``Training`` computes it for the settings' schedule."""
    lr = settings["learning_rate"]
    if settings["lr_schedule"] == "constant" or epochs <= 1:
        return [lr] * epochs
    if settings["lr_schedule"] != "cosine":
        raise ValueError(f"the benchmark copies the constant and cosine schedules, not {settings['lr_schedule']!r}")
    low = lr * settings["final_lr_fraction"]
    return [low + 0.5 * (lr - low) * (1.0 + math.cos(math.pi * e / (epochs - 1))) for e in range(epochs)]


class Task:
    """The training arrays main_create_and_train.py builds, and the test file."""

    def __init__(self, settings):
        self.settings = settings
        self.x, self.t = training_data(PROBLEM, settings, PROBLEM.data_path, "softmax")
        self.classes = np.argmax(self.t, axis=1)
        self.test_x, test_t = load_dataset(PROBLEM.test_data_path, PROBLEM, "softmax")
        self.test_classes = np.argmax(test_t, axis=1)

    def network(self, seed):
        return main_create_and_train.build_network(PROBLEM, self.settings, seed)


def run_library(task, seed, epochs):
    net = task.network(seed)
    net.training_record = {}
    started = time.perf_counter()
    train_and_record(net, task.settings, task.x, task.t, None, epochs=epochs,
                     learning_rate=task.settings["learning_rate"], seed=seed, run_info={}, verbose=False)
    seconds = time.perf_counter() - started
    return seconds, float(np.mean(np.argmax(net.predict(task.test_x), axis=1) == task.test_classes))


ACTIVATIONS = {"leaky_relu": lambda torch: torch.nn.LeakyReLU(0.01), "relu": lambda torch: torch.nn.ReLU(),
               "tanh": lambda torch: torch.nn.Tanh()}


def run_torch(task, seed, epochs):
    import torch

    torch.set_num_threads(1)
    net = task.network(seed)
    modules = []
    for layer in net.layers[1:]:
        linear = torch.nn.Linear(layer.previousLayer_size, layer.layer_size, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(layer.weights))
            linear.bias.copy_(torch.from_numpy(layer.biases))
        modules.append(linear)
        if layer.layer_type == "hidden":
            modules.append(ACTIVATIONS[layer.activation_func.title](torch))
    model = torch.nn.Sequential(*modules)
    weights = [module.weight for module in modules if isinstance(module, torch.nn.Linear)]
    biases = [module.bias for module in modules if isinstance(module, torch.nn.Linear)]
    optimizer = torch.optim.Adam([{"params": weights, "weight_decay": task.settings.get("weight_decay", 0.0)},
                                  {"params": biases, "weight_decay": 0.0}], lr=task.settings["learning_rate"])
    loss_function = torch.nn.CrossEntropyLoss()
    x = torch.from_numpy(net.scale_inputs(task.x))
    y = torch.from_numpy(task.classes)
    batch = task.settings["batch_size"]
    generator = torch.Generator().manual_seed(seed)
    started = time.perf_counter()
    for rate in epoch_rates(task.settings, epochs):
        for group in optimizer.param_groups:
            group["lr"] = rate
        order = torch.randperm(len(x), generator=generator)
        xs, ys = x[order], y[order]
        for start in range(0, len(xs), batch):
            optimizer.zero_grad()
            loss_function(model(xs[start:start + batch]), ys[start:start + batch]).backward()
            optimizer.step()
    seconds = time.perf_counter() - started
    with torch.no_grad():
        predicted = model(torch.from_numpy(net.scale_inputs(task.test_x))).argmax(dim=1).numpy()
    return seconds, float(np.mean(predicted == task.test_classes))


def run_sklearn(task, seed, epochs):
    from sklearn.neural_network import MLPClassifier

    net = task.network(seed)
    x, test_x = net.scale_inputs(task.x), net.scale_inputs(task.test_x)
    hidden = tuple(layer.layer_size for layer in net.layers[1:-1])
    model = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="adam",
                          batch_size=task.settings["batch_size"], learning_rate_init=task.settings["learning_rate"],
                          alpha=task.settings.get("weight_decay", 0.0) * task.settings["batch_size"],
                          shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.partial_fit(x[:10], task.classes[:10], classes=np.arange(10))
    for i, layer in enumerate(net.layers[1:]):
        model.coefs_[i][...] = layer.weights.T
        model.intercepts_[i][...] = layer.biases
    del model._optimizer  # start Adam afresh from the library's weights
    started = time.perf_counter()
    for rate in epoch_rates(task.settings, epochs):
        model.learning_rate_init = rate
        if hasattr(model, "_optimizer"):
            model._optimizer.learning_rate_init = rate
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.partial_fit(x, task.classes)
    seconds = time.perf_counter() - started
    return seconds, float(np.mean(model.predict(test_x) == task.test_classes))


def sklearn_defaults(seeds):
    """``MLPClassifier()`` on the training file's 1,347 images (pixels / 16): accuracies and seconds."""
    from sklearn.neural_network import MLPClassifier

    images, targets = load_dataset(PROBLEM.data_path, PROBLEM, "softmax")
    test_x, test_t = load_dataset(PROBLEM.test_data_path, PROBLEM, "softmax")
    rows = []
    for seed in seeds:
        model = MLPClassifier(random_state=seed)
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(images / 16.0, np.argmax(targets, axis=1))
        seconds = time.perf_counter() - started
        rows.append((seed, float(np.mean(model.predict(test_x / 16.0) == np.argmax(test_t, axis=1))),
                     seconds, model.n_iter_))
    return rows


RUNNERS = {"library": run_library, "torch": run_torch, "sklearn": run_sklearn}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds of 5 epochs: checks that it runs")
    parser.add_argument("--rounds", type=int, help="seeds, one round each (default 3; quick 2)")
    parser.add_argument("--epochs", type=int, help="epochs (default: the setting; quick 5)")
    args = parser.parse_args(argv)
    settings = dict(main_create_and_train.SETTINGS["digits"])
    rounds = args.rounds or (2 if args.quick else 3)
    epochs = args.epochs or (5 if args.quick else settings["epochs"])

    competitors = ["library"] + [name for name in ("torch", "sklearn") if common.optional_module(name)]
    common.header("Digits: test accuracy and training time, same network, data and epochs", args.quick)
    task = Task(settings)
    shape = "-".join(str(n) for n in [PROBLEM.n_inputs, *settings["hidden_layers"], PROBLEM.n_outputs])
    uncopied = [f"{key}={settings[key]}" for key in ("l1", "dropout") if settings.get(key)]
    print(f"{shape} {settings['hidden_activation']}, softmax, cross-entropy, Adam lr {settings['learning_rate']:g} "
          f"({settings['lr_schedule']}), L2 {settings.get('weight_decay', 0.0):g}, batch {settings['batch_size']}, "
          f"{epochs} epochs, "
          f"{len(task.x):,} training samples (the training file minus {settings['validation_images']} validation "
          f"images, plus {10 * settings['generated_samples_per_class']:,} distorted copies), "
          f"{len(task.test_x)} test images; seeds 1..{rounds}")
    if uncopied:
        print(f"note: the library's {', '.join(uncopied)} is not copied to the other competitors")
    print()

    results = {name: [] for name in competitors}
    for seed in range(1, rounds + 1):
        shift = seed % len(competitors)
        for name in competitors[shift:] + competitors[:shift]:
            results[name].append(RUNNERS[name](task, seed, epochs))
            print(f"  seed {seed}: {name} done", file=sys.stderr, flush=True)
    rows = []
    for name in competitors:
        seconds = [r[0] for r in results[name]]
        accuracy = [100 * r[1] for r in results[name]]
        rows.append([name, f"{np.median(accuracy):.2f} [{min(accuracy):.2f}-{max(accuracy):.2f}]",
                     " ".join(f"{a:.2f}" for a in accuracy),
                     f"{np.median(seconds):.1f} [{min(seconds):.1f}-{max(seconds):.1f}]"])
    print(common.markdown_table(["competitor", "test accuracy %, median [range]", "per seed",
                                 "training seconds, median [range]"], rows))
    if "sklearn" in competitors:
        print()
        print("MLPClassifier() with its defaults (100 ReLU, Adam 0.001, alpha 1e-4, batch 200, up to 200 "
              "epochs with early stopping on the training loss), trained on the 1,347 images of the training "
              "file (pixels / 16), no shifted copies:")
        print()
        defaults = sklearn_defaults(range(1, 3 if args.quick else 6))
        print(common.markdown_table(["random_state", "test accuracy %", "training seconds", "epochs"],
                                    [[seed, f"{100 * a:.2f}", f"{s:.1f}", n] for seed, a, s, n in defaults]))


if __name__ == "__main__":
    main()
