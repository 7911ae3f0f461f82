"""Gradient analysis of the red problem: saturation, divergence and exactness.

The seed's README reports three troubles with its red-colour network: it
diverges when the learning rate is above 0.001 (unless gradients are clipped),
it diverges when the initial weights are drawn from N(0, 1), and, trained
longer, it "gets stuck at some fixed cost". This script redoes that
investigation with this library and prints the measured tables in Markdown,
as they appear in ``docs/GRADIENT_ANALYSIS.md``.

Run from the repository root::

    python bench/gradient_analysis.py           # full run, 1 to 2 minutes on 2 cores
    python bench/gradient_analysis.py --quick   # fewer settings and seeds, under 30 s

The network is shaped like the seed's examples: 3 inputs, hidden layers of 10
and 5 leaky-ReLU units (alpha 0.01), 2 outputs. The inputs are the raw colour
components 0..255 (what the seed fed its network) or the same colours mapped
to [-1, 1] by the library's ``net.set_input_scaling([0] * 3, [255] * 3)``.
Every random number comes from a seeded ``np.random.Generator``: the data from
``definition_of_red.generate(samples_per_class, seed)``, the weights from
``Layer(..., rng=...)``, the shuffling from ``Training(..., seed=...)``. The
figures are therefore the same on every run on one machine; another machine's
floating-point library may change the last digits and, for a run on the edge
of diverging, occasionally its outcome.

Sections:

A. Initialisation scale vs saturation: weighted inputs, saturated tanh units
   and gradient norms at initialisation, raw vs scaled inputs, and what each
   initialisation does to a short training run.
B. Learning rate vs divergence: the seed's per-sample SGD on raw inputs; a
   grid of learning rate x optimiser x clipping x inputs x output/cost; the
   cost per epoch that shows the seed's plateau and what removes it; where
   the remaining errors are.
C. Gradient exactness: backpropagation against central finite differences.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from data_generators.definition_of_red import generate, label  # noqa: E402
from src.datasets import targets_for_activation  # noqa: E402
from src.layer import Layer  # noqa: E402
from src.neural_network import NeuralNet  # noqa: E402
from src.training import Training, TrainingDiverged, predicted_classes  # noqa: E402

HIDDEN = (10, 5)
SATURATED = 0.99      # |tanh(z)| > 0.99, that is |z| > atanh(0.99) = 2.65
TRAIN_SEED = 1        # generate(..., seed=1): training colours
TEST_SEED = 2         # generate(..., seed=2): fresh colours for accuracy
PROBE_SEED = 3        # generate(..., seed=3): colours for section A
REGION_SEED = 4       # colours near black and white, and from the whole cube

# Initialisations: (label, weight_init, init_std). weight_init=None is the
# library's default: He for the leaky-ReLU hidden layers, Xavier for a tanh,
# sigmoid or softmax output layer.
INITS = (
    ("N(0, 0.01²)", "normal", 0.01),
    ("N(0, 0.1²)", "normal", 0.1),
    ("N(0, 0.3²)", "normal", 0.3),
    ("N(0, 1²)", "normal", 1.0),
    ("he", "he", None),
    ("xavier", "xavier", None),
    ("library default", None, None),
)
SEED_INIT = INITS[1]
DEFAULT_INIT = INITS[-1]

# Output layer and cost: (label, output activation, cost_function).
TANH_MSE = ("tanh + MSE", "tanh", "mse")
SOFTMAX_CE = ("softmax + CE", "softmax", "cross_entropy")
PAIRINGS = (TANH_MSE, SOFTMAX_CE)

# Settings followed epoch by epoch in B3 and B4:
# (name, init, scaled inputs, pairing, optimizer, learning rate, batch size).
SEED_SETTING = ("seed: tanh + MSE, raw, SGD 0.001, batch 1", SEED_INIT, False, TANH_MSE,
                "sgd", 1e-3, 1)
SCALED_SGD = ("tanh + MSE, scaled, SGD 0.001, batch 1", DEFAULT_INIT, True, TANH_MSE,
              "sgd", 1e-3, 1)
SCALED_ADAM_CE = ("softmax + CE, scaled, Adam 0.01, batch 32", DEFAULT_INIT, True, SOFTMAX_CE,
                  "adam", 1e-2, 32)


# --- building blocks ---

def build_net(init, scaled, output="tanh", hidden="leaky_relu", seed=0):
    """A 3-10-5-2 network; ``init`` is one of INITS; ``scaled`` adds input scaling."""
    _, weight_init, init_std = init
    options = {"weight_init": weight_init, "rng": np.random.default_rng(seed)}
    if init_std is not None:
        options["init_std"] = init_std
    net = NeuralNet()
    net.add_layer(Layer(3, 3, "input"))
    sizes = (3,) + HIDDEN
    for previous, size in zip(sizes, sizes[1:]):
        net.add_layer(Layer(previous, size, "hidden", activation_func=hidden, **options))
    net.add_layer(Layer(sizes[-1], 2, "output", activation_func=output, **options))
    if scaled:
        net.set_input_scaling([0] * 3, [255] * 3)
    return net


def red_data(samples_per_class, seed):
    """Balanced red / not-red colours as float64 (n, 3) and their ±1 targets (n, 2)."""
    inputs, targets = generate(samples_per_class, seed=seed)
    return inputs.astype(np.float64), targets


def output_saturated(outputs, activation_title):
    """Boolean mask of units at the flat ends of their activation (tanh, sigmoid, softmax)."""
    if activation_title == "tanh":
        return np.abs(outputs) > SATURATED
    return np.abs(outputs - 0.5) > SATURATED - 0.5      # below 0.01 or above 0.99


def wrong_and_saturated(net, inputs, targets_pm1):
    """(fraction misclassified, fraction of those with every output saturated)."""
    activation = net.output_activation
    targets = targets_for_activation(targets_pm1, activation)
    outputs = net.predict(inputs)
    wrong = predicted_classes(outputs, activation) != predicted_classes(targets, activation)
    if not wrong.any():
        return 0.0, 0.0
    saturated = output_saturated(outputs[wrong], activation.title).all(axis=1)
    return float(wrong.mean()), float(saturated.mean())


def flat_gradient(gradients, n_layers):
    """The gradient dict of ``Training.backpropagation`` as one vector (layers 1..L-1)."""
    return np.concatenate([np.concatenate([gradients[f"weights_{i}"].ravel(),
                                           gradients[f"biases_{i}"].ravel()])
                           for i in range(1, n_layers)])


def colours_near(rng, centre, radius, n):
    """``n`` integer colours drawn uniformly from those within ``radius`` of ``centre``."""
    centre = np.asarray(centre)
    found, total = [], 0
    while total < n:
        candidates = rng.integers(0, 256, size=(20 * n, 3))
        kept = candidates[np.sum((candidates - centre) ** 2, axis=1) <= radius ** 2]
        found.append(kept)
        total += len(kept)
    return np.concatenate(found)[:n]


# --- table formatting ---

def fmt(value, digits=3):
    """``digits`` significant digits; an exponent only below 0.001 or from 10^5 on."""
    if value is None or not math.isfinite(value):
        return "NaN"
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        return f"{value:.{digits - 1}e}"
    return np.format_float_positional(value, precision=digits, fractional=False, trim="-")


def pct(fraction, digits=1):
    """A fraction as a percentage with ``digits`` decimals."""
    return f"{100 * fraction:.{digits}f}"


def seeds_text(seeds):
    return ", ".join(map(str, seeds))


def table(header, rows):
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# --- training runs ---

def run(init, scaled, pairing, optimizer, clip, lr, seed, train, test, epochs, batch_size,
        callback=None):
    """Train one network and judge it on the fresh colours ``test``.

    Returns a dict: ``outcome`` ('ok', 'stuck' or 'NaN'), ``cost`` and
    ``accuracy`` on the fresh colours, ``saturated`` (fraction of fresh colours
    with every output saturated), and the trained ``net`` and ``training``.
    ``callback(net, training)`` runs after every epoch.
    """
    _, output, cost_function = pairing
    net = build_net(init, scaled, output=output, seed=seed)
    training = Training(net, lr, clip, cost_function=cost_function, optimizer=optimizer,
                        seed=seed)
    inputs, targets = train
    test_inputs, test_targets = test
    after_epoch = None if callback is None else (lambda entry: callback(net, training))
    try:
        training.train(inputs, targets_for_activation(targets, output), epochs,
                       batch_size=batch_size, verbose=False, callback=after_epoch)
    except TrainingDiverged as err:
        return {"outcome": "NaN", "epoch": len(err.history) + 1,
                "cost": math.nan, "accuracy": math.nan}
    cost, accuracy = training.evaluate(test_inputs, targets_for_activation(test_targets, output))
    saturated = output_saturated(net.predict(test_inputs), output).all(axis=1).mean()
    # Stuck: (nearly) every colour gets a saturated answer, and no better than guessing.
    outcome = "stuck" if accuracy <= 0.55 and saturated >= 0.9 else "ok"
    return {"outcome": outcome, "cost": cost, "accuracy": accuracy, "saturated": saturated,
            "net": net, "training": training}


def summarize(results):
    """One table cell from the runs of several seeds: median accuracy (cost), failures."""
    n = len(results)
    nan = sum(r["outcome"] == "NaN" for r in results)
    stuck = sum(r["outcome"] == "stuck" for r in results)
    finite = [r for r in results if r["outcome"] != "NaN"]
    failures = []
    if nan:
        failures.append(f"{nan}/{n} NaN")
    if stuck:
        failures.append(f"{stuck}/{n} stuck")
    if not finite:
        return ", ".join(failures)
    accuracy = float(np.median([r["accuracy"] for r in finite]))
    cost = float(np.median([r["cost"] for r in finite]))
    cell = f"{pct(accuracy)} ({cost:.3f})"
    return cell + (" " + ", ".join(failures) if failures else "")


CELL_LEGEND = (
    "A cell is the median over the seeds of the accuracy % on the {n:,} fresh colours, "
    "with the median cost on them in brackets. 'k/n stuck': k of the n runs ended with at "
    "least 90 % of the fresh colours getting saturated outputs and at most 55 % right (for "
    "tanh + MSE a cost near 2.000: every colour gets the same answer). 'k/n NaN': the cost "
    "became non-finite and training stopped with TrainingDiverged; the median is over the "
    "other runs.\n")


# --- A. initialisation scale vs saturation ---

def section_a(quick):
    """Weighted inputs, saturation and gradients at initialisation."""
    inputs, targets = red_data(250 if quick else 500, PROBE_SEED)
    per_sample = 50 if quick else 200
    mean_square = float(np.mean(np.sum(inputs ** 2, axis=1)))
    scaled_square = float(np.mean(np.sum(((inputs - 127.5) / 127.5) ** 2, axis=1)))
    print("## A. Initialisation scale vs saturation\n")
    print(f"Probe: {len(inputs)} balanced colours (generate(seed={PROBE_SEED})). Raw inputs "
          f"have mean |x|² = {mean_square:,.0f}, so a first-layer weighted input z = w·x with "
          f"w ~ N(0, σ²) has a standard deviation of σ·{math.sqrt(mean_square):.1f}; scaled "
          f"inputs (in [-1, 1]) have mean |x|² = {scaled_square:.2f}.\n")

    header = ["init", "inputs", "median abs z₁", "median abs z₂", "median abs z₃",
              "outputs saturated %", "initial cost", "‖∇W₁‖", "‖∇W₂‖", "‖∇W₃‖",
              "‖∇W₁‖ / ‖∇b₁‖", f"per-sample gradient elements beyond ±1 % ({per_sample} colours)"]
    rows = []
    for init in INITS:
        for scaled in (False, True):
            net = build_net(init, scaled)
            training = Training(net, 0.001, 1.0)
            trace = net.forward_trace(inputs)
            gradients, predictions = training.backpropagation(inputs, targets)
            z = [np.median(np.abs(step["weighted_input"])) for step in trace[1:]]
            saturated = output_saturated(trace[-1]["activation"], "tanh").mean()
            norms = [np.linalg.norm(gradients[f"weights_{i}"]) for i in (1, 2, 3)]
            ratio = norms[0] / max(np.linalg.norm(gradients["biases_1"]), 1e-300)
            beyond = 0
            for k in range(per_sample):
                sample_gradients, _ = training.backpropagation(inputs[k], targets[k])
                flat = flat_gradient(sample_gradients, len(net.layers))
                beyond += np.count_nonzero(np.abs(flat) > 1.0)
            share = beyond / (per_sample * net.parameter_vector().size)
            rows.append([init[0], "scaled" if scaled else "raw"] + [fmt(v) for v in z]
                        + [pct(saturated), f"{training.cost(predictions, targets):.3f}"]
                        + [fmt(v) for v in norms] + [fmt(ratio), pct(share)])
    print("### A1. Leaky-ReLU hidden layers, tanh output (the seed's network), "
          "at initialisation\n")
    print(f"Gradients of the mean cost over the {len(inputs)} colours; the last column is over "
          "the gradients of single colours, as the seed's per-sample updates saw them.\n")
    print(table(header, rows))
    print()

    header = ["init", "inputs", "hidden 1 saturated %", "hidden 2 saturated %",
              "outputs saturated %", "‖∇W₁‖", "‖∇W₂‖", "‖∇W₃‖"]
    rows = []
    for init in INITS:
        for scaled in (False, True):
            net = build_net(init, scaled, hidden="tanh")
            training = Training(net, 0.001, 1.0)
            trace = net.forward_trace(inputs)
            gradients, _ = training.backpropagation(inputs, targets)
            saturated = [output_saturated(step["activation"], "tanh").mean()
                         for step in trace[1:]]
            norms = [np.linalg.norm(gradients[f"weights_{i}"]) for i in (1, 2, 3)]
            rows.append([init[0], "scaled" if scaled else "raw"] + [pct(s) for s in saturated]
                        + [fmt(v) for v in norms])
    print("### A2. The same network with tanh hidden layers, at initialisation\n")
    print(table(header, rows))
    print()


def section_a3(quick, test):
    """What each initialisation does to a short training run."""
    per_class = 1000 if quick else 2000
    epochs = 3 if quick else 5
    seeds = (0,) if quick else (0, 1, 2)
    train = red_data(per_class, TRAIN_SEED)
    optimizers = (("sgd", 1e-3), ("adam", 1e-2))
    print(f"### A3. Training from each initialisation: tanh + MSE, {epochs} epochs over "
          f"{2 * per_class:,} colours, batch 32, clip ±1, seeds {seeds_text(seeds)}\n")
    print(CELL_LEGEND.format(n=len(test[0])))
    header = ["init"] + [f"{inputs}, {name} {lr:g}"
                         for name, lr in optimizers for inputs in ("raw", "scaled")]
    rows = []
    for init in INITS:
        cells = []
        for optimizer, lr in optimizers:
            for scaled in (False, True):
                results = [run(init, scaled, TANH_MSE, optimizer, 1.0, lr, seed, train, test,
                               epochs, 32) for seed in seeds]
                cells.append(summarize(results))
        rows.append([init[0]] + cells)
    print(table(header, rows))
    print()


# --- B. learning rate vs divergence ---

def section_b1(quick, test):
    """The seed's loop: one sample per update, plain SGD, tanh + MSE."""
    per_class = 500 if quick else 1000
    epochs = 3 if quick else 5
    train = red_data(per_class, TRAIN_SEED)
    lrs = (1e-3, 1e-2, 1e-1) if quick else (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
    seeds = (0,) if quick else (0, 1, 2)
    print("## B. Learning rate vs divergence\n")
    print("### B1. The seed's loop: one sample per update, plain SGD, tanh + MSE\n")
    print(f"{epochs} epochs over {2 * per_class:,} balanced colours (batch size 1, "
          f"{epochs * 2 * per_class:,} updates), seeds {seeds_text(seeds)}. "
          + CELL_LEGEND.format(n=len(test[0])))
    rows = []
    for inputs, init, scaled in (("raw", SEED_INIT, False), ("scaled", DEFAULT_INIT, True)):
        for clip in (None, 1.0):
            cells = []
            for lr in lrs:
                results = [run(init, scaled, TANH_MSE, "sgd", clip, lr, seed, train, test,
                               epochs, 1) for seed in seeds]
                cells.append(summarize(results))
            rows.append([inputs, init[0], "none" if clip is None else f"±{clip:g}"] + cells)
    print(table(["inputs", "init", "clip"] + [f"lr {lr:g}" for lr in lrs], rows))
    print()


def section_b2(quick, test):
    """Grid: learning rate x optimiser x clipping x inputs/init x output/cost, batch 32."""
    per_class = 1000 if quick else 2000
    epochs = 3 if quick else 5
    train = red_data(per_class, TRAIN_SEED)
    lrs = (1e-4, 1e-2, 1e0) if quick else (1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1)
    seeds = (0,) if quick else (0, 1, 2)
    setups = (("raw", SEED_INIT, False), ("raw", DEFAULT_INIT, False),
              ("scaled", DEFAULT_INIT, True))
    print(f"### B2. Grid: {epochs} epochs over {2 * per_class:,} balanced colours, "
          f"batch size 32, seeds {seeds_text(seeds)}\n")
    print(CELL_LEGEND.format(n=len(test[0])))
    print("The cost is MSE after tanh and cross-entropy after softmax: compare accuracies "
          "between the two tables, not costs.\n")
    windows = []
    for pairing in PAIRINGS:
        rows = []
        for inputs, init, scaled in setups:
            for optimizer in ("sgd", "momentum", "adam"):
                for clip in (None, 1.0):
                    cells, working = [], []
                    for lr in lrs:
                        results = [run(init, scaled, pairing, optimizer, clip, lr, seed, train,
                                       test, epochs, 32) for seed in seeds]
                        cells.append(summarize(results))
                        if all(r["outcome"] == "ok" and r["accuracy"] >= 0.95 for r in results):
                            working.append(f"{lr:g}")
                    clip_text = "none" if clip is None else f"±{clip:g}"
                    rows.append([inputs, init[0], optimizer, clip_text] + cells)
                    windows.append([pairing[0], inputs, init[0], optimizer, clip_text,
                                    ", ".join(working) or "none"])
        print(f"#### {pairing[0]}\n")
        print(table(["inputs", "init", "optimizer", "clip"] + [f"lr {lr:g}" for lr in lrs],
                    rows))
        print()
    print("#### Summary: the learning rates at which every seed stays finite, is not stuck, "
          "and reaches ≥ 95 % on the fresh colours\n")
    print(table(["output + cost", "inputs", "init", "optimizer", "clip",
                 "working learning rates"], windows))
    print()


def section_b3(quick, test):
    """Cost per epoch: the seed's plateau, what removes it, and why it happens."""
    per_class = 1000 if quick else 2000
    epochs = 5 if quick else 30
    train = red_data(per_class, TRAIN_SEED)
    settings = (
        SEED_SETTING,
        SCALED_SGD,
        ("softmax + CE, raw, SGD 0.001, batch 1", SEED_INIT, False, SOFTMAX_CE, "sgd", 1e-3, 1),
        ("softmax + CE, scaled, SGD 0.001, batch 1", DEFAULT_INIT, True, SOFTMAX_CE,
         "sgd", 1e-3, 1),
        ("tanh + MSE, raw, Adam 0.001, batch 32", SEED_INIT, False, TANH_MSE, "adam", 1e-3, 32),
        ("tanh + MSE, scaled, Adam 0.01, batch 32", DEFAULT_INIT, True, TANH_MSE,
         "adam", 1e-2, 32),
        SCALED_ADAM_CE,
    )
    shown = [e for e in (1, 2, 3, 5, 10, 15, 20, 25, 30) if e <= epochs]
    width = max(1, epochs // 6)
    early = range(epochs // 3 - width + 1, epochs // 3 + 1)      # epochs 6-10 of 30
    late = range(epochs - width + 1, epochs + 1)                 # epochs 26-30 of 30
    test_inputs, test_targets = test
    print(f"### B3. Cost per epoch on the {len(test_inputs):,} fresh colours "
          f"({2 * per_class:,} training colours, clip ±1, seed 0)\n")
    cost_rows, accuracy_rows, diagnosis_rows = [], [], []
    for name, init, scaled, pairing, optimizer, lr, batch_size in settings:
        targets = targets_for_activation(test_targets, pairing[1])
        costs, accuracies = [], []

        def record(net, training):
            cost, accuracy = training.evaluate(test_inputs, targets)
            costs.append(cost)
            accuracies.append(accuracy)

        result = run(init, scaled, pairing, optimizer, 1.0, lr, 0, train, test, epochs,
                     batch_size, callback=record)
        if result["outcome"] == "NaN":
            for rows in (cost_rows, accuracy_rows, diagnosis_rows):
                rows.append([name, f"NaN in epoch {result['epoch']}"])
            continue
        means = [float(np.mean([costs[e - 1] for e in window])) for window in (early, late)]
        cost_rows.append([name] + [f"{costs[e - 1]:.4f}" for e in shown]
                         + [f"{means[0]:.4f}", f"{means[1]:.4f}",
                            pct((means[0] - means[1]) / means[0])])
        accuracy_rows.append([name] + [pct(accuracies[e - 1], 2) for e in shown])
        net, training = result["net"], result["training"]
        wrong, saturated = wrong_and_saturated(net, test_inputs, test_targets)
        gradients, _ = training.backpropagation(test_inputs, targets)
        first = net.layers[1]
        diagnosis_rows.append([name, pct(wrong, 2), pct(saturated),
                               fmt(np.linalg.norm(gradients["weights_1"])),
                               fmt(np.linalg.norm(gradients["biases_1"])),
                               fmt(float(np.median(np.abs(first.weights)))),
                               fmt(float(np.median(np.abs(first.biases))))])

    def span(window):
        return f"{window[0]}–{window[-1]}" if len(window) > 1 else f"{window[0]}"

    print(table(["setting"] + [f"epoch {e}" for e in shown]
                + [f"mean {span(early)}", f"mean {span(late)}", "drop %"], cost_rows))
    print()
    print("Accuracy % on the same fresh colours:\n")
    print(table(["setting"] + [f"epoch {e}" for e in shown], accuracy_rows))
    print()
    print(f"After the {epochs} epochs, on the fresh colours: the share misclassified; of "
          "those, the share with every output saturated (|tanh| > 0.99, softmax below 0.01 or "
          "above 0.99); the gradient of the mean cost with respect to the first layer's "
          "weights and biases; and the size of those weights and biases:\n")
    print(table(["setting", "misclassified %", "of those, saturated %", "‖∇W₁‖", "‖∇b₁‖",
                 "median abs W₁", "median abs b₁"], diagnosis_rows))
    print()


def section_b4(quick, test):
    """The seed's other known issue: wrong answers near black; and the whole cube."""
    per_class = 1000 if quick else 2000
    epochs = 3 if quick else 10
    seeds = (0,) if quick else (0, 1, 2)
    train = red_data(per_class, TRAIN_SEED)
    rng = np.random.default_rng(REGION_SEED)
    regions = (("within 40 of black", colours_near(rng, (0, 0, 0), 40, 5000)),
               ("within 40 of white", colours_near(rng, (255, 255, 255), 40, 5000)),
               ("whole cube (uniform sample)", rng.integers(0, 256, size=(200_000, 3))))
    red_share = float(np.mean(label(regions[2][1])[:, 0] > 0))
    print(f"### B4. Where the errors are: {epochs} epochs over {2 * per_class:,} colours, "
          f"clip ±1, seeds {seeds_text(seeds)}\n")
    print("Accuracy % (lowest … highest over the seeds) on 5,000 colours drawn uniformly "
          "from those within 40 of black (0, 0, 0) and of white (255, 255, 255), none of "
          "them red, and on 200,000 colours drawn uniformly from the whole cube "
          f"({pct(red_share)} % of them red); the mean of the misclassified colours near "
          "black over all seeds; the median over seeds of the median abs b₁.\n")
    rows = []
    for setting in (SEED_SETTING, SCALED_SGD, SCALED_ADAM_CE):
        name, init, scaled, pairing, optimizer, lr, batch_size = setting
        scores = [[] for _ in regions]
        biases, wrong_dark = [], []
        for seed in seeds:
            result = run(init, scaled, pairing, optimizer, 1.0, lr, seed, train, test, epochs,
                         batch_size)
            if result["outcome"] == "NaN":
                continue
            net = result["net"]
            activation = net.output_activation
            for k, (_, colours) in enumerate(regions):
                truth = predicted_classes(targets_for_activation(label(colours), activation),
                                          activation)
                guess = predicted_classes(net.predict(colours.astype(np.float64)), activation)
                scores[k].append(float(np.mean(guess == truth)))
                if k == 0:
                    wrong_dark.append(colours[guess != truth])
            biases.append(float(np.median(np.abs(net.layers[1].biases))))
        cells = [f"{pct(min(s), 2)} … {pct(max(s), 2)}" if s else "NaN" for s in scores]
        wrong_dark = np.concatenate(wrong_dark) if wrong_dark else np.zeros((0, 3))
        mean_wrong = ("none" if len(wrong_dark) == 0 else
                      "(" + ", ".join(f"{v:.0f}" for v in wrong_dark.mean(axis=0)) + ")")
        rows.append([name] + cells
                    + [mean_wrong, fmt(float(np.median(biases))) if biases else "NaN"])
    print(table(["setting"] + [region for region, _ in regions]
                + ["mean misclassified colour near black", "median abs b₁"], rows))
    print()


# --- C. gradient exactness ---

def finite_difference_check(hidden, output, cost_function, seed=0, h=1e-5):
    """Largest relative error of backpropagation vs central differences, 3-4-3-3 network."""
    rng = np.random.default_rng(seed)
    k = 3
    hidden_title, hidden_params = hidden
    net = NeuralNet()
    net.add_layer(Layer(3, 3, "input"))
    net.add_layer(Layer(3, 4, "hidden", activation_func=hidden_title,
                        activation_params=hidden_params, rng=rng))
    net.add_layer(Layer(4, 3, "hidden", activation_func=hidden_title,
                        activation_params=hidden_params, rng=rng))
    net.add_layer(Layer(3, k, "output", activation_func=output, rng=rng))
    for layer in net.layers[1:]:
        layer.biases = rng.normal(0.0, 0.5, layer.biases.shape)
    training = Training(net, 0.001, 1.0, cost_function=cost_function)
    inputs = rng.uniform(-1.5, 1.5, (8, 3))
    targets_pm1 = -np.ones((8, k))
    targets_pm1[np.arange(8), rng.integers(0, k, 8)] = 1.0
    targets = targets_for_activation(targets_pm1, output)
    gradients, _ = training.backpropagation(inputs, targets)
    analytic = flat_gradient(gradients, len(net.layers))
    params = net.parameter_vector()
    numeric = np.empty_like(params)
    for i in range(params.size):
        saved = params[i]
        params[i] = saved + h
        plus = training.cost(net.forward_propagation(inputs), targets)
        params[i] = saved - h
        minus = training.cost(net.forward_propagation(inputs), targets)
        params[i] = saved
        numeric[i] = (plus - minus) / (2 * h)
    denominator = np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)
    return float(np.max(np.abs(analytic - numeric) / denominator))


def section_c():
    """Backpropagation against central finite differences for every output/cost pairing."""
    pairings = (("tanh", "mse"), ("sigmoid", "mse"), ("sigmoid", "cross_entropy"),
                ("softmax", "mse"), ("softmax", "cross_entropy"), ("linear", "mse"))
    hiddens = (("leaky_relu", {"alpha": 0.02}), ("elu", {"alpha": 0.8}), ("tanh", {}),
               ("sigmoid", {}), ("gelu", {}), ("swish", {}), ("selu", {}))
    print("## C. Gradient exactness: backpropagation vs central finite differences\n")
    print("A 3-4-3-3 network (two hidden layers of the column's activation), 8 samples with "
          "inputs uniform in [-1.5, 1.5], random weights and biases, a step of h = 1e-5 on "
          "each parameter in turn. A cell is the largest |backprop − numeric| / "
          "(|backprop| + |numeric|) over all 43 parameters.\n")
    rows = []
    for output, cost_function in pairings:
        cells = [f"{finite_difference_check(hidden, output, cost_function):.1e}"
                 for hidden in hiddens]
        cost_name = "MSE" if cost_function == "mse" else "cross-entropy"
        rows.append([f"{output} + {cost_name}"] + cells)
    header = ["output + cost"] + [title + (f" α={params['alpha']:g}" if params else "")
                                  for title, params in hiddens]
    print(table(header, rows))
    print()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer learning rates, seeds and epochs (under 30 s)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    test = red_data(2500, TEST_SEED)
    print(f"# Gradient analysis ({'quick' if args.quick else 'full'} run)\n")
    print(f"Fresh colours for every accuracy: {len(test[0]):,} balanced colours "
          f"(generate(2500, seed={TEST_SEED})); training colours from generate(..., "
          f"seed={TRAIN_SEED}). Network 3-{HIDDEN[0]}-{HIDDEN[1]}-2, leaky-ReLU hidden layers "
          "(alpha 0.01) unless a table says otherwise.\n")
    section_a(args.quick)
    section_a3(args.quick, test)
    section_b1(args.quick, test)
    section_b2(args.quick, test)
    section_b3(args.quick, test)
    section_b4(args.quick, test)
    section_c()
    print(f"Total time: {time.perf_counter() - started:.0f} s "
          f"(NumPy {np.__version__}, Python {sys.version.split()[0]}).")


if __name__ == "__main__":
    main()
