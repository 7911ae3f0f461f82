"""The machine's own limits, and how close the library's loops come to them.

1. Matrix products: NumPy ``matmul`` GFLOP/s in float64 and float32, for the
   shapes the networks use (a 32-wide layer on a batch of 32, 256 and 4096
   rows, on a 65536-row chunk) and a large square product that shows the
   BLAS library's peak. One BLAS thread (``bench/common.py`` pins it, as
   importing ``src`` does).
   BLAS threads: one training epoch (2-64-64-2, Adam, batch 256, 100,000
   samples, the checkerboard problem's shape) in a fresh process with
   ``OPENBLAS_NUM_THREADS`` 1 and 2, interleaved; and, with threadpoolctl
   installed, three of the products above with one thread and with every
   core. Both as the machine is found and with one core kept busy by a
   spinning child process, which stands in for the other programs of a
   shared machine.
2. Memory bandwidth: a large array copy and add (256 MB arrays), and the same
   on arrays that fit in the L2 cache.
3. NumPy's fixed cost per call: a ufunc on a tiny array.
4. Training step, 3-32-32-2 at batch 32 and 256: the measured step time of
   ``Training.train``, the arithmetic in it (GFLOP/s and the fraction of the
   matmul peak for those shapes), the NumPy calls it makes, and a per-operation
   breakdown of one step (each NumPy operation timed on its own, in a loop).
   Then a cProfile of a training run: where the time goes per function.
5. Inference over the cube, 3-32-32-2: achieved GFLOP/s and the element
   traffic of its element-wise passes against the machine's bandwidth.

From these the report says what bounds each loop: arithmetic, memory, or the
fixed cost of Python and NumPy calls.

Run from the repository root: ``python bench/bench_machine.py [--quick]``.
"""

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import re
import subprocess
import sys
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402  (first: it pins BLAS threads before NumPy loads)

import numpy as np  # noqa: E402

from src.training import Training  # noqa: E402

SIZES = (3, 32, 32, 2)


def best_time(function, seconds):
    """The fastest of several repeats of ``function``, per call, each repeat lasting about ``seconds / 5``."""
    number = 1
    while timeit.timeit(function, number=number) < seconds / 20 and number < 1 << 20:
        number *= 4
    return min(timeit.repeat(function, number=number, repeat=5)) / number


def matmul_rates(seconds, threads_note):
    """GFLOP/s of ``a @ b`` for the shapes that matter, float64 and float32."""
    rng = np.random.default_rng(0)
    shapes = [((32, 32), (32, 32), "32x32 @ 32x32 (batch 32, hidden layer)"),
              ((256, 32), (32, 32), "256x32 @ 32x32 (batch 256, hidden layer)"),
              ((32, 256), (256, 32), "32x256 @ 256x32 (batch 256, weight gradient)"),
              ((4096, 32), (32, 32), "4096x32 @ 32x32 (inference chunk)"),
              ((65536, 32), (32, 32), "65536x32 @ 32x32 (large inference chunk)"),
              ((4096, 3), (3, 32), "4096x3 @ 3x32 (first layer, chunk)"),
              ((1024, 1024), (1024, 1024), "1024x1024 @ 1024x1024 (BLAS peak)"),
              # The weights as a layer holds them, (out, in), multiplied by their transposed view,
              # as training and predict do, instead of by a row-order copy.
              ((4096, 32), (32, 32), "4096x32 @ (32x32).T view (inference chunk, weights as stored)", True),
              ((4096, 3), (32, 3), "4096x3 @ (32x3).T view (first layer, weights as stored)", True)]
    rows, rates = [], {}
    for a_shape, b_shape, label, *transposed in shapes:
        row = [label]
        for dtype in (np.float64, np.float32):
            a = rng.standard_normal(a_shape).astype(dtype)
            b = rng.standard_normal(b_shape).astype(dtype)
            if transposed:
                b = b.T
            out = np.empty((a_shape[0], b.shape[1]), dtype)
            t = best_time(lambda: np.matmul(a, b, out=out), seconds)
            rate = 2.0 * a_shape[0] * a_shape[1] * b.shape[1] / t / 1e9
            rates[label, np.dtype(dtype).name] = rate
            row.append(f"{rate:.1f} ({t * 1e6:.1f} us)")
        rows.append(row)
    print(f"### Matrix products, GFLOP/s ({threads_note})")
    print()
    print(common.markdown_table(["product", "float64", "float32"], rows))
    print()
    return rates


@contextlib.contextmanager
def busy_core():
    """A child process spinning on one core while the block runs (killed after it, by its id)."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True:\n    pass\n"])
    try:
        time.sleep(0.3)
        yield
    finally:
        spinner.kill()
        spinner.wait()


CONDITIONS = (("as found", contextlib.nullcontext), ("one core kept busy", busy_core))
EPOCH_NET = (2, 64, 64, 2)
EPOCH_SAMPLES = 100_000
EPOCH_BATCH = 256


def epoch_worker():
    """In a fresh process: seconds of one training epoch, with the BLAS threads the environment sets."""
    x, t, _ = common.toy_data(EPOCH_NET[0], EPOCH_NET[-1], EPOCH_SAMPLES, seed=42)
    training = Training(common.build_net(EPOCH_NET, seed=0), 0.001, 1.0, optimizer="adam", seed=1)
    training.train(x[:4096], t[:4096], 1, batch_size=EPOCH_BATCH, verbose=False)  # warm-up
    seconds = common.timed(lambda: training.train(x, t, 1, batch_size=EPOCH_BATCH, verbose=False))
    print(json.dumps({"seconds": seconds, "threads": str(common.blas_threads())}))


def epoch_in_subprocess(threads):
    environment = dict(os.environ)
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        environment[variable] = str(threads)
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--epoch-worker"],
                          env=environment, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["threads"] not in (str(threads), "default"):
        raise RuntimeError(f"asked for {threads} BLAS threads, the worker had {result['threads']}")
    return result["seconds"]


def threads_training(rounds):
    """One training epoch with OPENBLAS_NUM_THREADS=1 and =2, each run in a fresh process."""
    rows = []
    for condition, context in CONDITIONS:
        with context():
            load = os.getloadavg()[0]
            results = common.interleaved({threads: (lambda threads=threads: epoch_in_subprocess(threads))
                                          for threads in (1, 2)}, rounds)
        one, two = (float(np.median(results[n])) for n in (1, 2))
        rows.append([condition, f"{load:.2f}",
                     f"{one:.3f} [{min(results[1]):.3f}-{max(results[1]):.3f}]",
                     f"{two:.3f} [{min(results[2]):.3f}-{max(results[2]):.3f}]",
                     f"{two / one:.2f}x"])
    print(f"### BLAS threads: one training epoch, {common.net_name(EPOCH_NET)}, Adam, batch {EPOCH_BATCH}, "
          f"{EPOCH_SAMPLES:,} samples")
    print()
    print(f"Each run a fresh process with OPENBLAS_NUM_THREADS (and OMP_, MKL_) set; {rounds} interleaved "
          "rounds; seconds, median [min-max]; 'one core kept busy': a spinning child process runs "
          "meanwhile. The package's default is one thread.")
    print()
    print(common.markdown_table(["machine", "load average", "1 thread, s", "2 threads, s",
                                 "2 threads / 1 thread"], rows))
    print()


def threads_comparison(seconds):
    """The same products with one BLAS thread and with every core (needs threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        print("(threadpoolctl is not installed: the multi-thread comparison is skipped)\n")
        return
    rng = np.random.default_rng(1)
    shapes = (((256, 32), (32, 32)), ((65536, 32), (32, 32)), ((1024, 1024), (1024, 1024)))
    rates = {}
    for condition, context in CONDITIONS:
        with context():
            for a_shape, b_shape in shapes:
                a = rng.standard_normal(a_shape)
                b = rng.standard_normal(b_shape)
                flops = 2.0 * a_shape[0] * a_shape[1] * b_shape[1]
                for threads in (1, os.cpu_count()):
                    with threadpool_limits(limits=threads, user_api="blas"):
                        t = best_time(lambda: a @ b, seconds)
                    rates[condition, a_shape, threads] = flops / t / 1e9
    rows = [[f"{a[0]}x{a[1]} @ {b[0]}x{b[1]}"]
            + [f"{rates[condition, a, threads]:.1f}" for condition, _ in CONDITIONS
               for threads in (1, os.cpu_count())] for a, b in shapes]
    print("### One BLAS thread against every core (float64 matmul, GFLOP/s)")
    print()
    print(common.markdown_table(["product"] + [f"{condition}: {threads} thread(s)"
                                               for condition, _ in CONDITIONS
                                               for threads in (1, os.cpu_count())], rows))
    print()


def bandwidth(seconds):
    """GB/s of a copy and an add, on large arrays and on L2-sized ones."""
    rows, rates = [], {}
    for label, n in (("256 MB arrays (memory)", 32 * 1024 * 1024), ("512 kB arrays (cache)", 64 * 1024)):
        a = np.ones(n)
        b = np.ones(n)
        out = np.empty(n)
        t_copy = best_time(lambda: np.copyto(out, a), seconds)
        t_add = best_time(lambda: np.add(a, b, out=out), seconds)
        copy_rate = 2 * a.nbytes / t_copy / 1e9
        add_rate = 3 * a.nbytes / t_add / 1e9
        rates[label] = (copy_rate, add_rate)
        rows.append([label, f"{copy_rate:.1f}", f"{add_rate:.1f}"])
    print("### Memory bandwidth, GB/s (bytes read + written)")
    print()
    print(common.markdown_table(["arrays", "copy", "add"], rows))
    print()
    return rates


def call_overhead(seconds):
    """Seconds of one ufunc call on a 4-element array, and of one tiny matmul."""
    a = np.ones(4)
    out = np.empty(4)
    m = np.ones((2, 2))
    ufunc = best_time(lambda: np.add(a, a, out=out), seconds)
    small_matmul = best_time(lambda: m @ m, seconds)
    print("### Fixed cost of a NumPy call")
    print()
    print(f"- ufunc on 4 elements: {ufunc * 1e6:.2f} us; 2x2 matmul: {small_matmul * 1e6:.2f} us")
    print()
    return ufunc


def step_operations(batch_size, rng):
    """The NumPy operations of one 3-32-32-2 training step (SGD, tanh output, MSE).

    Returns (name, calls, function, counted): the operations of the bare loop
    in ``bench/bare_numpy.py`` (counted in the step's sum; ``src/training.py``
    uses the same forms), and, not counted, slower forms of two of them, for
    comparison.
    """
    n0, n1, n2, n3 = SIZES
    x = rng.uniform(-1, 1, (batch_size, n0))
    t = np.where(rng.uniform(size=(batch_size, n3)) > 0.5, 1.0, -1.0)
    w1, w2, w3 = (rng.normal(0, 0.3, (n1, n0)), rng.normal(0, 0.2, (n2, n1)), rng.normal(0, 0.2, (n3, n2)))
    b1, b2, b3 = np.zeros(n1), np.zeros(n2), np.zeros(n3)
    z1 = x @ w1.T + b1
    a1 = np.maximum(z1, 0.01 * z1)
    z2 = a1 @ w2.T + b2
    a2 = np.maximum(z2, 0.01 * z2)
    z3 = a2 @ w3.T + b3
    a3 = np.tanh(z3)
    d3 = (a3 - t) * (2.0 / a3.size) * (1.0 - a3 * a3)
    g2 = d3 @ w3
    d2 = np.where(z2 > 0, g2, 0.01 * g2)
    g1 = d2 @ w2
    d1 = np.where(z1 > 0, g1, 0.01 * g1)
    grads = np.zeros(n1 * n0 + n1 + n2 * n1 + n2 + n3 * n2 + n3)
    params = np.zeros_like(grads)
    scratch = np.empty_like(grads)
    gw1, gw2, gw3 = np.empty_like(w1), np.empty_like(w2), np.empty_like(w3)
    gb1, gb2, gb3 = np.empty(n1), np.empty(n2), np.empty(n3)
    ones = np.ones(batch_size)
    back2, back1 = np.empty_like(g2), np.empty_like(g1)
    return [
        ("forward: matmuls", 3, lambda: (x @ w1.T, a1 @ w2.T, a2 @ w3.T), True),
        ("forward: bias adds", 3, lambda: (np.add(z1, b1, out=z1), np.add(z2, b2, out=z2),
                                           np.add(z3, b3, out=z3)), True),
        ("forward: leaky ReLU x2 (2 ops each)", 4, lambda: (np.maximum(z1, 0.01 * z1),
                                                            np.maximum(z2, 0.01 * z2)), True),
        ("forward: tanh", 1, lambda: np.tanh(z3), True),
        ("output delta (MSE, tanh)", 5, lambda: (a3 - t) * (2.0 / a3.size) * (1.0 - a3 * a3), True),
        ("weight gradients: matmuls", 3, lambda: (np.matmul(d3.T, a2, out=gw3), np.matmul(d2.T, a1, out=gw2),
                                                  np.matmul(d1.T, x, out=gw1)), True),
        ("bias gradients: ones @ delta", 3, lambda: (np.matmul(ones, d3, out=gb3), np.matmul(ones, d2, out=gb2),
                                                     np.matmul(ones, d1, out=gb1)), True),
        ("delta back: matmuls", 2, lambda: (d3 @ w3, d2 @ w2), True),
        ("delta back: where(z > 0, g, alpha g) x2 (3 ops each)", 6,
         lambda: (np.where(z2 > 0, g2, 0.01 * g2), np.where(z1 > 0, g1, 0.01 * g1)), True),
        ("clip + SGD update (4 ops)", 4,
         lambda: (np.minimum(grads, 1.0, out=grads), np.maximum(grads, -1.0, out=grads),
                  np.multiply(grads, 0.01, out=scratch), np.subtract(params, scratch, out=params)), True),
        ("(not used, slower) bias gradients: delta.sum(axis=0)", 3,
         lambda: (d3.sum(axis=0, out=gb3), d2.sum(axis=0, out=gb2), d1.sum(axis=0, out=gb1)), False),
        ("(the library's form) delta back: g *= where(z > 0, 1, alpha) x2, into a buffer", 6,
         lambda: (np.multiply(g2, np.where(z2 > 0, 1.0, 0.01), out=back2),
                  np.multiply(g1, np.where(z1 > 0, 1.0, 0.01), out=back1)), False),
    ]


def step_flops(batch_size):
    """Multiply-adds x 2 in the matrix products of one step: forward, weight gradients, delta back."""
    pairs = list(zip(SIZES[:-1], SIZES[1:]))
    forward = sum(2 * batch_size * i * o for i, o in pairs)
    weight_gradients = forward
    delta_back = sum(2 * batch_size * i * o for i, o in pairs[1:])
    return forward + weight_gradients + delta_back


def step_time(trainer_epoch, n, batch_size, repeats=5):
    """Median seconds per step of ``trainer_epoch(n, batch_size)`` (one epoch over n samples)."""
    runs = [common.timed(lambda: trainer_epoch(n, batch_size)) for _ in range(repeats)]
    return float(np.median(runs)) / (n / batch_size)


def training_analysis(seconds, rates, ufunc_cost):
    from bench.bare_numpy import BareTrainer
    rng = np.random.default_rng(0)
    x, t, _ = common.toy_data(3, 2, 1 << 15, seed=42)
    bare = BareTrainer(common.build_net(SIZES, seed=0), 0.01, 1.0, "sgd")
    library = Training(common.build_net(SIZES, seed=0), 0.01, 1.0, optimizer="sgd", seed=1)
    bare_rng = np.random.default_rng(1)
    fixed_bare = step_time(lambda n, b: bare.epoch(x[:n], t[:n], b, bare_rng), 4096, 1)
    fixed_library = step_time(lambda n, b: library.train(x[:n], t[:n], 1, batch_size=b, verbose=False), 4096, 1)
    print("### Fixed cost of one training step (batch 1, 3-32-32-2, SGD)")
    print()
    print(f"- bare NumPy loop: {fixed_bare * 1e6:.1f} us per step; Training.train: {fixed_library * 1e6:.1f} us. "
          "At batch 1 the arrays are tiny, so this is the cost of the calls themselves, paid once per "
          "step whatever the batch size.")
    print()
    rows = []
    for batch_size in (32, 256):
        net = common.build_net(SIZES, seed=0)
        training = Training(net, 0.01, 1.0, optimizer="sgd", seed=1)
        runs = [common.timed(lambda: training.train(x, t, 1, batch_size=batch_size, verbose=False))
                for _ in range(5)]
        step = float(np.median(runs)) / (len(x) / batch_size)
        operations = step_operations(batch_size, rng)
        timed_ops = [(name, calls, best_time(function, seconds / 4), counted)
                     for name, calls, function, counted in operations]
        op_total = sum(t_op for _, _, t_op, counted in timed_ops if counted)
        calls = sum(c for _, c, _, counted in timed_ops if counted)
        flops = step_flops(batch_size)
        label = "256x32 @ 32x32 (batch 256, hidden layer)" if batch_size == 256 \
            else "32x32 @ 32x32 (batch 32, hidden layer)"
        peak_shape = rates[label, "float64"]
        peak = rates["1024x1024 @ 1024x1024 (BLAS peak)", "float64"]
        print(f"### One training step, 3-32-32-2, batch {batch_size}, SGD, float64")
        print()
        print(common.markdown_table(
            ["operation", "NumPy calls", "us", "share of step"],
            [[name, c, f"{t_op * 1e6:.1f}", f"{100 * t_op / step:.0f} %"]
             for name, c, t_op, counted in timed_ops if counted]
            + [["sum of the operations alone", calls, f"{op_total * 1e6:.1f}", f"{100 * op_total / step:.0f} %"],
               ["measured step in Training.train", "", f"{step * 1e6:.1f}", "100 %"]]
            + [[name, c, f"{t_op * 1e6:.1f}", f"{100 * t_op / step:.0f} %"]
               for name, c, t_op, counted in timed_ops if not counted]))
        print()
        achieved = flops / step / 1e9
        print(f"- {flops / 1e3:.1f} kFLOP per step: {achieved:.2f} GFLOP/s achieved, "
              f"{100 * achieved / peak_shape:.0f} % of what matmul reaches on this layer's shape "
              f"({peak_shape:.1f}) and {100 * achieved / peak:.1f} % of the BLAS peak ({peak:.1f})")
        print(f"- {calls} NumPy calls x {ufunc_cost * 1e6:.2f} us fixed cost = "
              f"{calls * ufunc_cost * 1e6:.0f} us, {100 * calls * ufunc_cost / step:.0f} % of the step")
        matmul_time = sum(t_op for name, _, t_op, counted in timed_ops
                          if counted and ("matmul" in name or "ones @" in name))
        print(f"- timed alone, the matrix products take {100 * matmul_time / step:.0f} % of the step and "
              f"the element-wise operations {100 * (op_total - matmul_time) / step:.0f} %; the other "
              f"{100 * (1 - op_total / step):.0f} % is what they cost in sequence beyond that: the Python "
              "between them, allocating their results, and cache misses; the fixed cost per step "
              f"(batch 1, above) is {100 * fixed_library / step:.0f} % of this step")
        print()
        rows.append((batch_size, step, achieved, calls))
    return rows


def profile_training(quick):
    x, t, _ = common.toy_data(3, 2, 1 << (13 if quick else 15), seed=42)
    net = common.build_net(SIZES, seed=0)
    training = Training(net, 0.01, 1.0, optimizer="adam", seed=1)
    profiler = cProfile.Profile()
    profiler.enable()
    training.train(x, t, 2, batch_size=32, verbose=False)
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(15)
    lines = [line for line in text.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    print(f"### cProfile of Training.train, 3-32-32-2, Adam, batch 32, 2 epochs of {len(x)} samples")
    print()
    print("The top 15 functions by cumulative time; cProfile's own cost inflates the many")
    print("small calls, so read it for the shares, not the absolute seconds:")
    print()
    print("```")
    for line in lines[start - 1:]:
        print(re.sub(r"\S*site-packages/", "", line.replace(str(common.ROOT) + "/", "")))
    print("```")
    print()


def inference_analysis(rates, bandwidths, quick):
    """Whole-cube inference with the library, and the element traffic it implies."""
    from bench.bench_inference import CUBE, load_network, METHODS
    net = load_network("3-32-32-2")
    flops_per_colour = sum(2 * i * o for i, o in zip(SIZES[:-1], SIZES[1:]))
    fraction = 0.125 if quick else 0.5
    method = "chunks"
    print(f"### Inference over the cube, 3-32-32-2 (predict_chunks, {fraction:g} of the cube timed, scaled)")
    print()
    rows = []
    for dtype in ("float64", "float32"):
        for chunk_size in (4096, 65536):
            classes = np.zeros(CUBE, dtype=np.uint8)
            run = METHODS[method](net, np.dtype(dtype), chunk_size, classes)
            run([0])
            seconds = common.timed(lambda: run(range(0, int(CUBE * fraction), chunk_size))) / fraction
            gflops = CUBE * flops_per_colour / seconds / 1e9
            item = np.dtype(dtype).itemsize
            # element-wise passes over the two 32-wide hidden layers: matmul output write,
            # bias add (read + write), leaky ReLU (read, temporary write, two reads, write)
            traffic = CUBE * 2 * 32 * item * (1 + 2 + 5) / seconds / 1e9
            rows.append([dtype, common.si(chunk_size), f"{seconds:.2f}", f"{gflops:.1f}",
                         f"{100 * gflops / rates['4096x32 @ 32x32 (inference chunk)', dtype]:.0f} %",
                         f"{traffic:.0f}"])
    memory_copy = bandwidths["256 MB arrays (memory)"][0]
    cache_copy = bandwidths["512 kB arrays (cache)"][0]
    print(common.markdown_table(["dtype", "chunk", "seconds", "GFLOP/s", "of matmul on 4096x32",
                                 "element-wise traffic GB/s"], rows))
    print()
    print(f"- {flops_per_colour} FLOP per colour in the matrix products; the element-wise passes read "
          f"and write about {2 * 32 * 8} values per colour. This machine copies memory at "
          f"{memory_copy:.0f} GB/s and L2-resident arrays at {cache_copy:.0f} GB/s: with small chunks the "
          "passes run from the cache, and the loop is bound by them (bandwidth of the element-wise "
          "passes, not arithmetic: the products reach only a fraction of the matmul rate); with large "
          "chunks they spill to memory and it slows down.")
    print()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter timings")
    parser.add_argument("--epoch-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.epoch_worker:
        epoch_worker()
        return
    seconds = 0.2 if args.quick else 1.0
    common.header("The machine's limits, and the library against them", args.quick)
    rates = matmul_rates(seconds, f"{common.blas_threads()} BLAS thread")
    threads_training(3 if args.quick else 7)
    threads_comparison(seconds)
    bandwidths = bandwidth(seconds)
    ufunc_cost = call_overhead(seconds)
    training_analysis(seconds, rates, ufunc_cost)
    profile_training(args.quick)
    inference_analysis(rates, bandwidths, args.quick)


if __name__ == "__main__":
    main()
