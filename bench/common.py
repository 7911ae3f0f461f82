"""Shared helpers for the benchmarks in ``bench/``: threads, networks, timing, tables.

Importing this module first (before NumPy) pins the BLAS library to one
thread unless the environment already says otherwise, as importing the
library's package ``src`` does. The benchmarks compare single-threaded work:
PyTorch is run with one thread too, and on a small machine that other
programs share, a second BLAS thread that has to wait for a busy core makes
small matrix products many times slower, not faster (``bench_machine.py``
shows it). Set ``OPENBLAS_NUM_THREADS`` to measure otherwise.

Measurements follow one pattern, ``interleaved``: every competitor runs once
per round, the order rotating from round to round (A B C, B C A, ...), for
several rounds; each competitor's figure is the median over the rounds and its
spread the interquartile range. A shared, noisy machine then slows every
competitor alike instead of whichever happened to run during a busy spell.
"""

import os
import sys
from pathlib import Path

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from src.layer import Layer  # noqa: E402
from src.neural_network import NeuralNet  # noqa: E402


def build_net(sizes, seed=0, hidden="leaky_relu", output="tanh"):
    """A NeuralNet with layer sizes ``sizes`` (input first), weights from ``seed``."""
    rng = np.random.default_rng(seed)
    net = NeuralNet()
    net.add_layer(Layer(sizes[0], sizes[0], "input"))
    for i in range(1, len(sizes)):
        last = i == len(sizes) - 1
        net.add_layer(Layer(sizes[i - 1], sizes[i], "output" if last else "hidden",
                            activation_func=output if last else hidden, rng=rng))
    return net


def net_name(sizes):
    return "-".join(str(size) for size in sizes)


def parse_sizes(text):
    """'3-32-32-2' -> (3, 32, 32, 2)."""
    return tuple(int(part) for part in text.split("-"))


def toy_data(n_inputs, n_outputs, n, seed):
    """``n`` inputs uniform in [-1, 1] and one-hot ±1 targets from a fixed rule.

    The class of a sample is given by the signs of its first two inputs (two or
    four classes), so the data is learnable; throughput does not depend on it.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, n_inputs))
    if n_outputs == 2:
        classes = (x[:, 0] * x[:, 1 % n_inputs] < 0).astype(np.int64)
    else:
        classes = (2 * (x[:, 0] < 0) + (x[:, 1 % n_inputs] < 0)).astype(np.int64) % n_outputs
    t = np.full((n, n_outputs), -1.0)
    t[np.arange(n), classes] = 1.0
    return x, t, classes


# --- timing ---

def timed(function):
    """Seconds one call of ``function()`` takes (perf_counter)."""
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def interleaved(competitors, rounds):
    """Run each competitor once per round in rotating order; its list of results.

    ``competitors`` maps a name to a function that runs one measurement and
    returns a number (a rate or a time). Returns ``{name: [result per round]}``.
    """
    names = list(competitors)
    results = {name: [] for name in names}
    for round_index in range(rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].append(competitors[name]())
    return results


def calibrated(run, unit, seconds, limit):
    """A measurement function returning units per second, its count taking about ``seconds``.

    ``run(n)`` returns the seconds for ``n`` units (samples, or calls); ``n``
    is always a multiple of ``unit`` (the batch size) and at most ``limit``.
    The count grows fourfold until a run takes a tenth of ``seconds``, then is
    scaled to ``seconds``.
    """
    limit = max(unit, limit // unit * unit)
    n = min(limit, unit * max(1, 64 // unit))
    elapsed = run(n)
    while elapsed < seconds / 10 and n < limit:
        n = min(limit, n * 4)
        elapsed = run(n)
    n = int(min(limit, max(unit, n * seconds / elapsed)))
    n = max(unit, n // unit * unit)
    return lambda: n / run(n)


def summary(values):
    """(median, first quartile, third quartile) of a list of numbers."""
    q1, median, q3 = np.percentile(np.asarray(values, dtype=float), [25, 50, 75])
    return float(median), float(q1), float(q3)


def iqr_percent(values):
    """The interquartile range as a percentage of the median."""
    median, q1, q3 = summary(values)
    return 100.0 * (q3 - q1) / median if median else float("nan")


# --- reporting ---

def markdown_table(header, rows):
    """A GitHub-flavoured Markdown table (first column left-aligned, the rest right)."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]

    def line(cells):
        return "| " + " | ".join(str(cell).ljust(width) if i == 0 else str(cell).rjust(width)
                                 for i, (cell, width) in enumerate(zip(cells, widths))) + " |"
    separator = "|" + "|".join(("-" * (w + 1) + ("-" if i == 0 else ":")) for i, w in enumerate(widths)) + "|"
    return "\n".join([line(header), separator] + [line(row) for row in rows])


def si(value, unit=""):
    """1234567 -> '1.23M'."""
    for factor, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:.3g}{prefix}{unit}"
    return f"{value:.3g}{unit}"


def optional_module(name):
    """The module ``name``, or None with a note on standard error if it is not installed."""
    try:
        return __import__(name)
    except ImportError:
        print(f"note: {name} is not installed; its comparison is skipped "
              f"(pip install -r requirements-bench.txt)", file=sys.stderr)
        return None


def blas_threads():
    """The number of threads the BLAS library will use, as far as can be told."""
    try:
        from threadpoolctl import threadpool_info
        counts = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
        if counts:
            return counts[0]
    except ImportError:
        pass
    return os.environ.get("OPENBLAS_NUM_THREADS", "default")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas_name():
    """The BLAS NumPy was built against, from ``np.show_config``."""
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older NumPy: no dict mode
        return "unknown"


def machine_line():
    """One line describing the machine and software the figures come from."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (f"{os.cpu_count()} CPUs, {cpu_model()}; Python {platform.python_version()}, "
            f"NumPy {np.__version__} with {blas_name()} ({blas_threads()} BLAS thread(s)); "
            f"load average {load}")


def header(title, quick):
    print(f"# {title}{' (quick run)' if quick else ''}")
    print(machine_line())
    print()
