"""Training throughput (samples per second): this library against the alternatives.

For each network (3-10-5-2, 3-32-32-2, 2-64-64-4), optimiser (SGD, Adam) and
batch size (1, 32, 256), one epoch of training on pre-generated data is timed
for each competitor:

- ``library``: ``Training.train(x, t, epochs=1, batch_size=..., verbose=False)``
  (leaky ReLU hidden layers, tanh output, MSE, clip_value 1.0, float64);
- ``bare``: the same NumPy operations written out as a plain loop
  (``bench/bare_numpy.py``); ``library / bare`` is the library's own overhead;
- ``seed``: the seed's algorithm (``bench/seed_reference.py``): one sample at
  a time in the data's order, outer products, an update of every layer after
  every sample; batch size does not apply to it;
- ``sklearn``: ``MLPClassifier`` with the same hidden sizes, solver and batch
  size, one ``partial_fit`` epoch per measurement (it has no leaky ReLU, so
  ReLU; its output is a logistic unit or softmax with log-loss; no clipping);
- ``torch``: PyTorch eager on the CPU, one thread, float64, the same network
  and initial weights, ``MSELoss``, ``clip_grad_value_(1.0)``, the same
  optimiser.

Every competitor trains on the same data from the same starting weights (where
the library allows it) and keeps training from round to round. The number of
samples a measurement uses is calibrated per competitor so that it takes about
``--seconds``; competitors run interleaved (rotating order) for ``--rounds``
rounds, and each figure is the median, with the interquartile range. Ratios
are this library's median over the competitor's.

Run from the repository root: ``python bench/bench_training.py [--quick]``.
"""

import argparse
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402  (first: it pins BLAS threads before NumPy loads)
from bench.bare_numpy import BareTrainer  # noqa: E402
from bench.seed_reference import SeedNet, SeedTraining  # noqa: E402

import numpy as np  # noqa: E402

from src.training import Training  # noqa: E402

LEARNING_RATE = {"sgd": 0.01, "adam": 0.001}
CLIP = 1.0
DATA_SIZE = 1 << 18


def make_library(net, optimizer, batch_size, x, t, classes):
    training = Training(net, LEARNING_RATE[optimizer], CLIP, optimizer=optimizer, seed=1)
    return lambda n: common.timed(
        lambda: training.train(x[:n], t[:n], 1, batch_size=batch_size, verbose=False))


def make_bare(net, optimizer, batch_size, x, t, classes):
    trainer = BareTrainer(net, LEARNING_RATE[optimizer], CLIP, optimizer)
    rng = np.random.default_rng(1)
    return lambda n: common.timed(lambda: trainer.epoch(x[:n], t[:n], batch_size, rng))


def make_seed(net, optimizer, batch_size, x, t, classes):
    training = SeedTraining(SeedNet(net), LEARNING_RATE[optimizer], CLIP, optimizer)
    return lambda n: common.timed(lambda: training.train(x[:n], t[:n], 1))


def make_sklearn(net, optimizer, batch_size, x, t, classes):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    hidden = tuple(layer.layer_size for layer in net.layers[1:-1])
    model = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver=optimizer,
                          batch_size=batch_size, learning_rate_init=LEARNING_RATE[optimizer],
                          alpha=0.0, momentum=0.0, nesterovs_momentum=False, shuffle=True,
                          random_state=0, max_iter=1)
    all_classes = np.arange(t.shape[1])

    def run(n):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return common.timed(lambda: model.partial_fit(x[:n], classes[:n], classes=all_classes))
    run(batch_size)
    return run


def make_torch(net, optimizer, batch_size, x, t, classes):
    import torch

    torch.set_num_threads(1)
    modules = []
    for layer in net.layers[1:]:
        linear = torch.nn.Linear(layer.previousLayer_size, layer.layer_size, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(layer.weights))
            linear.bias.copy_(torch.from_numpy(layer.biases))
        modules.append(linear)
        modules.append(torch.nn.Tanh() if layer.layer_type == "output" else torch.nn.LeakyReLU(0.01))
    model = torch.nn.Sequential(*modules)
    parameters = list(model.parameters())
    if optimizer == "sgd":
        step = torch.optim.SGD(parameters, lr=LEARNING_RATE[optimizer])
    else:
        step = torch.optim.Adam(parameters, lr=LEARNING_RATE[optimizer])
    inputs, targets = torch.from_numpy(x), torch.from_numpy(t)
    generator = torch.Generator().manual_seed(1)
    loss_function = torch.nn.MSELoss()

    def epoch(n):
        order = torch.randperm(n, generator=generator)
        xs, ts = inputs[:n][order], targets[:n][order]
        for start in range(0, n, batch_size):
            step.zero_grad()
            loss = loss_function(model(xs[start:start + batch_size]), ts[start:start + batch_size])
            loss.backward()
            torch.nn.utils.clip_grad_value_(parameters, CLIP)
            step.step()

    return lambda n: common.timed(lambda: epoch(n))


FACTORIES = {"library": make_library, "bare": make_bare, "seed": make_seed,
             "sklearn": make_sklearn, "torch": make_torch}


def measure_config(sizes, optimizer, batch_size, competitors, data, seconds, rounds):
    x, t, classes = data
    functions = {}
    for name in competitors:
        net = common.build_net(sizes, seed=0)
        run = FACTORIES[name](net, optimizer, batch_size, x, t, classes)
        functions[name] = common.calibrated(run, batch_size, seconds, len(x))
    return common.interleaved(functions, rounds)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one network, few rounds: a few seconds")
    parser.add_argument("--rounds", type=int, help="interleaved rounds per configuration (default 7, quick 3)")
    parser.add_argument("--seconds", type=float, help="target seconds per measurement (default 0.15, quick 0.04)")
    parser.add_argument("--nets", nargs="+", help="layer sizes such as 3-32-32-2")
    parser.add_argument("--batch-sizes", nargs="+", type=int)
    parser.add_argument("--optimizers", nargs="+", choices=("sgd", "adam"))
    args = parser.parse_args(argv)

    quick = args.quick
    rounds = args.rounds or (3 if quick else 7)
    seconds = args.seconds or (0.04 if quick else 0.15)
    nets = [common.parse_sizes(n) for n in (args.nets or (["3-32-32-2"] if quick
                                                          else ["3-10-5-2", "3-32-32-2", "2-64-64-4"]))]
    batch_sizes = args.batch_sizes or [1, 32, 256]
    optimizers = args.optimizers or ["sgd", "adam"]

    competitors = ["library", "bare", "seed"]
    for module, name in (("sklearn", "sklearn"), ("torch", "torch")):
        if common.optional_module(module) is not None:
            competitors.append(name)

    common.header("Training throughput (samples/s, float64)", quick)
    print(f"{rounds} interleaved rounds of about {seconds} s per competitor and configuration; "
          "median [interquartile range]")
    print()

    results = {}
    for sizes in nets:
        data = common.toy_data(sizes[0], sizes[-1], DATA_SIZE, seed=42)
        for optimizer in optimizers:
            for batch_size in batch_sizes:
                results[sizes, optimizer, batch_size] = measure_config(
                    sizes, optimizer, batch_size, competitors, data, seconds, rounds)
                print(f"  measured {common.net_name(sizes)} {optimizer} batch {batch_size}",
                      file=sys.stderr, flush=True)

    rows, ratio_rows = [], []
    for (sizes, optimizer, batch_size), result in results.items():
        medians = {name: common.summary(values)[0] for name, values in result.items()}
        row = [common.net_name(sizes), optimizer, batch_size]
        for name in competitors:
            median, q1, q3 = common.summary(result[name])
            row.append(f"{common.si(median)} [{common.si(q1)}-{common.si(q3)}]")
        rows.append(row)
        ratio_row = [common.net_name(sizes), optimizer, batch_size,
                     f"{100 * (medians['bare'] / medians['library'] - 1):+.0f} %"]
        for name in competitors[2:]:
            ratio_row.append(f"{medians['library'] / medians[name]:.1f}x")
        ratio_rows.append(ratio_row)

    print("## Throughput, samples/s")
    print()
    print(common.markdown_table(["network", "optimizer", "batch"] + competitors, rows))
    print()
    print("## This library relative to the others")
    print()
    print("overhead = library time / bare NumPy time - 1; the rest: library throughput / competitor's")
    print()
    print(common.markdown_table(["network", "optimizer", "batch", "overhead"]
                                + [f"vs {name}" for name in competitors[2:]], ratio_rows))
    print()
    report_targets(results, competitors)


TARGETS = (  # (batch size, competitor, minimum ratio of library throughput to it)
    (32, "seed", 40.0), (32, "sklearn", 2.5), (32, "torch", 6.0),
    (256, "sklearn", 1.5), (256, "torch", 2.5),
)


def report_targets(results, competitors):
    """The targets for 3-32-32-2, float64, met or missed."""
    sizes = (3, 32, 32, 2)
    lines = []
    for optimizer in ("sgd", "adam"):
        for batch_size, name, minimum in TARGETS:
            result = results.get((sizes, optimizer, batch_size))
            if result is None or name not in competitors:
                continue
            ratio = common.summary(result["library"])[0] / common.summary(result[name])[0]
            verdict = "met" if ratio >= minimum else "MISSED"
            lines.append(f"- {optimizer}, batch {batch_size}: {ratio:.1f}x {name} "
                         f"(target >= {minimum:g}x): {verdict}")
        result = results.get((sizes, optimizer, 32))
        if result is not None:
            rate = common.summary(result["library"])[0]
            lines.append(f"- {optimizer}, batch 32: {common.si(rate)} samples/s "
                         f"(target >= 500k): {'met' if rate >= 5e5 else 'MISSED'}")
    for (net_sizes, optimizer, batch_size), result in results.items():
        # throughputs: bare / library = library time / bare time
        overhead = common.summary(result["bare"])[0] / common.summary(result["library"])[0] - 1
        if batch_size > 1 and net_sizes == sizes:
            lines.append(f"- overhead {common.net_name(net_sizes)} {optimizer} batch {batch_size}: "
                         f"{100 * overhead:+.0f} % (target <= 15 %): "
                         f"{'met' if overhead <= 0.15 else 'MISSED'}")
    if lines:
        print("## Targets (3-32-32-2)")
        print()
        print("\n".join(lines))


if __name__ == "__main__":
    main()
