"""Larger networks, float32, inference paths and peak memory: this library against the alternatives.

Everything runs single-threaded: ``bench/common.py`` pins BLAS to one thread
before NumPy loads, PyTorch gets ``torch.set_num_threads(1)``, and JAX is
imported with ``XLA_FLAGS=--xla_cpu_multi_thread_eigen=false
intra_op_parallelism_threads=1``. Four parts, chosen with ``--only``:

``train``: training throughput (samples/s) of networks larger than
``bench_training.py``'s, in float64 and float32: 784-128-64-10 (the shape of
MNIST: random inputs uniform in [0, 1), random labels) at batch 64 and 256,
and 2-256-256-256-2 (standard normal inputs, random labels) at batch 128.
Leaky ReLU (0.01) hidden layers, softmax output, cross-entropy, Adam with
learning rate 1e-3, no gradient clipping. One measurement is one epoch over
the first ``n`` samples, shuffled by a fresh index every epoch:

- ``library``: ``Training(..., dtype=...).train(x, t, epochs=1, batch_size=B,
  verbose=False)``, float64 and float32 (the float32 rows need the ``dtype``
  option of ``Training``; without it they are skipped with a note);
- ``sklearn``: ``MLPClassifier(solver='adam', activation='relu', alpha=0)``,
  one ``partial_fit`` epoch (it shuffles itself), on float64 and on float32
  input (recent scikit-learn keeps float32). Its ReLU is not leaky, and for
  two classes its output is one logistic unit instead of a softmax pair;
- ``torch``: PyTorch eager, the library's initial weights copied in,
  ``CrossEntropyLoss``, ``Adam(fused=True)`` (``foreach=True`` if the fused
  kernel is refused, with a note), float64 and float32;
- ``jax``: one ``jax.jit``-compiled step (the batch gathered from the whole
  data set by its slice of the shuffled index, forward pass, ``jax.grad`` of
  the cross-entropy, a hand-written Adam update; parameters a pytree, donated),
  called from a Python loop over the batches, float32 and float64
  (``jax_enable_x64`` is switched on; float32 arrays stay float32).

Every competitor's sample count is calibrated so that a measurement takes
about ``--seconds``, after a warm-up outside the timing (JAX compiles there).
All competitors of a configuration run interleaved, in rotating order, for
``--rounds`` rounds; figures are medians with the interquartile range, and
ratios divide this library's median throughput by the competitor's.

``small``: 3-32-32-2 as in ``bench_training.py`` (leaky ReLU, tanh output,
MSE, clip_value 1.0; SGD lr 0.01 and Adam lr 1e-3) at batch 1, 2, 4, 8, 32:
the library in float64 against the same step jit-compiled by JAX (float64
with x64 on, as here), where per-call overhead rather than arithmetic decides.

``predict``: ``net.predict(x)`` against ``net.forward_propagation(x)``, float64,
for 2-256-256-256-2 and 3-32-32-2 at batch 1, 8, 32, 128, 1024: calls per
second, interleaved, and their ratio.

``memory``: peak resident memory of one epoch of 784-128-64-10 on 60,000
samples (batch 64, Adam), each competitor and dtype in a fresh process: the
child imports only what it needs, builds its data in its dtype, sets up its
model, notes its resident memory, trains one epoch and reports its peak
(VmHWM from /proc/self/status; ``ru_maxrss`` where that is missing) and that
peak minus the memory held before training. MB here are 2^20 bytes.

Run from the repository root: ``python bench/bench_scale.py [--quick]``.
"""

import os

# XLA reads its flags when jax is first imported: set them before anything can import it.
_XLA_FLAGS = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
if _XLA_FLAGS not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " " + _XLA_FLAGS).strip()

import argparse  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402  (first: it pins BLAS threads before NumPy loads)

import numpy as np  # noqa: E402

from src.training import Training  # noqa: E402

PARTS = ("train", "small", "predict", "memory")
LIBRARY_HAS_DTYPE = "dtype" in inspect.signature(Training).parameters
DTYPES = ("float64", "float32")

LEAKY_ALPHA = 0.01  # the library's leaky ReLU slope, used by every competitor
BETAS = (0.9, 0.999)
EPSILON = 1e-8

# Part "train": (layer sizes, batch size), Adam lr 1e-3, no clipping.
TRAIN_CONFIGS = (((784, 128, 64, 10), 64), ((784, 128, 64, 10), 256), ((2, 256, 256, 256, 2), 128))
TRAIN_LR = 1e-3
TRAIN_DATA = {784: 1 << 16, 2: 1 << 18}  # samples generated, by input width (a cap on n)

# Part "small": the settings of bench_training.py.
SMALL_SIZES = (3, 32, 32, 2)
SMALL_BATCHES = (1, 2, 4, 8, 32)
SMALL_LR = {"sgd": 0.01, "adam": 0.001}
SMALL_CLIP = 1.0
SMALL_DATA = 1 << 20

# Part "predict".
PREDICT_NETS = (((2, 256, 256, 256, 2), "softmax"), ((3, 32, 32, 2), "tanh"))
PREDICT_BATCHES = (1, 8, 32, 128, 1024)

# Part "memory".
MEMORY_SIZES = (784, 128, 64, 10)
MEMORY_SAMPLES = 60000
MEMORY_BATCH = 64
MEMORY_COMPETITORS = ("library", "sklearn", "torch")

NOTES = []
"""Things the tables should be read with (fallbacks, skipped rows); printed at the end."""


def note(text):
    """Record ``text`` for the notes section, once."""
    if text not in NOTES:
        NOTES.append(text)


# --- data and the library ---

def classification_data(n_inputs, n_classes, n, seed):
    """Random inputs and labels, in float64 and float32, for throughput only.

    Inputs are uniform in [0, 1) for the 784-input network (pixel-like) and
    standard normal otherwise; labels are uniform over the classes. Returns
    ``{'float64': (x, t), 'float32': (x, t), 'classes': labels}`` with ``x``
    (n, n_inputs), ``t`` the one-hot 0/1 targets (n, n_classes), labels (n,) int64.
    """
    rng = np.random.default_rng(seed)
    x = rng.random((n, n_inputs)) if n_inputs == 784 else rng.standard_normal((n, n_inputs))
    classes = rng.integers(0, n_classes, n)
    t = np.zeros((n, n_classes))
    t[np.arange(n), classes] = 1.0
    return {"float64": (x, t), "float32": (x.astype(np.float32), t.astype(np.float32)),
            "classes": classes}


def library_training(net, dtype, **options):
    """``Training(net, **options)``, passing ``dtype`` only when it is not float64.

    Without the ``dtype`` option (an older ``src/training.py``) float32 cannot
    be asked for: the caller checks ``LIBRARY_HAS_DTYPE`` first.
    """
    if np.dtype(dtype) != np.float64:
        options["dtype"] = np.dtype(dtype).type
    return Training(net, **options)


def library_available(dtype):
    if dtype == "float64" or LIBRARY_HAS_DTYPE:
        return True
    note("library float32: skipped, this copy of src/training.py has no dtype option in Training yet")
    return False


# --- competitors of part "train" ---
# Each factory returns ``run(n)``: the seconds one epoch over the first n
# samples takes (n a multiple of the batch size); the model keeps training
# from call to call.

def make_library(net, dtype, batch_size, data):
    x, t = data[dtype]
    training = library_training(net, dtype, learning_rate=TRAIN_LR, clip_value=None,
                                cost_function="cross_entropy", optimizer="adam", seed=1)
    return lambda n: common.timed(
        lambda: training.train(x[:n], t[:n], epochs=1, batch_size=batch_size, verbose=False))


def make_sklearn(net, dtype, batch_size, data):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    x, _ = data[dtype]
    classes = data["classes"]
    all_classes = np.arange(net.n_outputs)
    hidden = tuple(layer.layer_size for layer in net.layers[1:-1])
    model = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="adam",
                          alpha=0.0, batch_size=batch_size, learning_rate_init=TRAIN_LR,
                          beta_1=BETAS[0], beta_2=BETAS[1], epsilon=EPSILON, shuffle=True,
                          random_state=0, max_iter=1)

    def run(n):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return common.timed(lambda: model.partial_fit(x[:n], classes[:n], classes=all_classes))
    run(batch_size)  # creates the weights
    kept = model.coefs_[0].dtype
    note(f"sklearn on {dtype} input trains in {kept}" + ("" if kept == np.dtype(dtype) else " (it converts)"))
    if net.n_outputs == 2:
        note("sklearn, two classes: its output layer is one logistic unit, not a softmax pair")
    return run


def torch_adam(torch, parameters, learning_rate):
    """``torch.optim.Adam`` with the fused kernel, or the foreach one if fused is refused."""
    try:
        optimizer = torch.optim.Adam(parameters, lr=learning_rate, betas=BETAS, eps=EPSILON, fused=True)
        note("torch: Adam(fused=True) accepted on the CPU")
        return optimizer
    except (RuntimeError, ValueError, TypeError) as error:
        note(f"torch: Adam(fused=True) refused ({error}); foreach=True used instead")
        return torch.optim.Adam(parameters, lr=learning_rate, betas=BETAS, eps=EPSILON, foreach=True)


def torch_model(torch, net, dtype):
    """The library's network as a ``torch.nn.Sequential`` of Linear and LeakyReLU, its weights copied.

    The output layer has no activation: ``CrossEntropyLoss`` applies the
    log-softmax itself. ``layer.weights`` is (out, in), as ``Linear.weight``.
    """
    torch_dtype = getattr(torch, dtype)
    modules = []
    for layer in net.layers[1:]:
        linear = torch.nn.Linear(layer.previousLayer_size, layer.layer_size, dtype=torch_dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(layer.weights.astype(dtype)))
            linear.bias.copy_(torch.from_numpy(layer.biases.astype(dtype)))
        modules.append(linear)
        if layer.layer_type != "output":
            modules.append(torch.nn.LeakyReLU(LEAKY_ALPHA))
    return torch.nn.Sequential(*modules)


def torch_epoch(torch, model, optimizer, inputs, labels, batch_size, generator):
    """``epoch(n)``: one shuffled epoch over the first n rows of ``inputs`` (n, m) and ``labels`` (n,)."""
    loss_function = torch.nn.CrossEntropyLoss()

    def epoch(n):
        order = torch.randperm(n, generator=generator)
        xs, ys = inputs[:n][order], labels[:n][order]
        for start in range(0, n, batch_size):
            optimizer.zero_grad(set_to_none=True)
            loss = loss_function(model(xs[start:start + batch_size]), ys[start:start + batch_size])
            loss.backward()
            optimizer.step()
    return epoch


def make_torch(net, dtype, batch_size, data):
    import torch

    x, _ = data[dtype]
    model = torch_model(torch, net, dtype)
    optimizer = torch_adam(torch, list(model.parameters()), TRAIN_LR)
    epoch = torch_epoch(torch, model, optimizer, torch.from_numpy(x), torch.from_numpy(data["classes"]),
                        batch_size, torch.Generator().manual_seed(1))
    return lambda n: common.timed(lambda: epoch(n))


def jax_step(batch_size, cost, optimizer, learning_rate, clip_value):
    """One jit-compiled training step, ``step(params, state, x_all, t_all, index) -> (params, state)``.

    ``params`` is a list of ``(W (in, out), b (out,))`` pairs; ``state`` is
    ``(m, v, count)`` for Adam (m and v shaped like params, count a scalar of
    the parameters' dtype, so float32 stays float32 with x64 on) and ``()`` for
    SGD. ``x_all`` (N, m) and ``t_all`` (N, k) are the whole data set on the
    device; ``index`` (batch_size,) picks the batch's rows, a slice of the
    epoch's shuffled order. ``cost`` is 'cross_entropy' (softmax output,
    one-hot targets) or 'mse' (tanh output, mean over samples and outputs).
    Gradients are clipped elementwise to ±clip_value unless it is None.
    ``params`` and ``state`` are donated: the step updates them in place.
    """
    import jax
    import jax.numpy as jnp

    tree_map = jax.tree_util.tree_map
    beta1, beta2 = BETAS

    def weighted_output(params, x):
        for w, b in params[:-1]:
            x = jax.nn.leaky_relu(x @ w + b, LEAKY_ALPHA)
        w, b = params[-1]
        return x @ w + b

    def loss(params, x, t):
        z = weighted_output(params, x)
        if cost == "cross_entropy":
            return -jnp.mean(jnp.sum(t * jax.nn.log_softmax(z, axis=1), axis=1))
        return jnp.mean((jnp.tanh(z) - t) ** 2)

    def step(params, state, x_all, t_all, index):
        grads = jax.grad(loss)(params, x_all[index], t_all[index])
        if clip_value is not None:
            grads = tree_map(lambda g: jnp.clip(g, -clip_value, clip_value), grads)
        if optimizer == "sgd":
            return tree_map(lambda p, g: p - learning_rate * g, params, grads), state
        m, v, count = state
        count = count + 1
        m = tree_map(lambda m_, g: beta1 * m_ + (1 - beta1) * g, m, grads)
        v = tree_map(lambda v_, g: beta2 * v_ + (1 - beta2) * g * g, v, grads)
        correction1, correction2 = 1 - beta1 ** count, 1 - beta2 ** count
        params = tree_map(lambda p, m_, v_: p - learning_rate * (m_ / correction1)
                          / (jnp.sqrt(v_ / correction2) + EPSILON), params, m, v)
        return params, (m, v, count)

    return jax.jit(step, donate_argnums=(0, 1))


def jax_trainer(net, dtype, batch_size, x, t, cost, optimizer, learning_rate, clip_value):
    """``run(n)``: seconds for one shuffled epoch of the jitted JAX step over the first n samples.

    The data (x (N, m), t (N, k) in ``dtype``) is copied to the device once;
    each epoch draws a permutation of range(n) in NumPy and each step is given
    its batch's slice of it, so every call has the same shapes and the step is
    compiled once. The parameters start from the library net's weights.
    """
    import jax
    import jax.numpy as jnp

    params = [(jnp.array(layer.weights.T, dtype=dtype), jnp.array(layer.biases, dtype=dtype))
              for layer in net.layers[1:]]
    if optimizer == "adam":
        zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
        state = (zeros, jax.tree_util.tree_map(jnp.zeros_like, params), jnp.zeros((), dtype=dtype))
    else:
        state = ()
    step = jax_step(batch_size, cost, optimizer, learning_rate, clip_value)
    x_all, t_all = jnp.array(x, dtype=dtype), jnp.array(t, dtype=dtype)
    rng = np.random.default_rng(1)
    current = [params, state]

    def epoch(n):
        order = rng.permutation(n)
        params, state = current
        for start in range(0, n, batch_size):
            params, state = step(params, state, x_all, t_all, order[start:start + batch_size])
        jax.block_until_ready(params)  # dispatch is asynchronous: wait for the last step
        current[:] = params, state

    def run(n):
        return common.timed(lambda: epoch(n))

    run(batch_size)  # compiles
    kept = current[0][0][0].dtype
    if kept != np.dtype(dtype):
        raise RuntimeError(f"the JAX {dtype} parameters came back as {kept}")
    return run


def make_jax(net, dtype, batch_size, data):
    x, t = data[dtype]
    return jax_trainer(net, dtype, batch_size, x, t, "cross_entropy", "adam", TRAIN_LR, None)


TRAIN_FACTORIES = {"library": make_library, "sklearn": make_sklearn, "torch": make_torch, "jax": make_jax}


# --- measuring ---

def rate_cell(values):
    median = common.summary(values)[0]
    return common.si(median), f"{common.iqr_percent(values):.0f}"


def ratio(numerator, denominator):
    return f"{numerator / denominator:.2f}x" if numerator and denominator else "-"


# --- part "train" ---

def train_competitors(backends):
    """(name, dtype) pairs of part "train", in the order they are listed."""
    pairs = []
    for name in ("library", "sklearn", "torch", "jax"):
        if name != "library" and backends.get(name) is None:
            continue
        for dtype in DTYPES:
            if name == "library" and not library_available(dtype):
                continue
            pairs.append((name, dtype))
    return pairs


def part_train(backends, seconds, rounds):
    print("## Training throughput: larger networks, float64 and float32")
    print()
    print("Softmax output, cross-entropy, Adam lr 1e-3, no clipping; samples/s median, "
          f"IQR as % of the median; {rounds} interleaved rounds of about {seconds:g} s each. "
          "Ratios: this library's median throughput over the competitor's (above 1: the library is faster).")
    print()
    pairs = train_competitors(backends)
    datasets = {}
    for sizes, batch_size in TRAIN_CONFIGS:
        if sizes not in datasets:
            datasets.clear()  # one data set at a time: the 784-input ones are large
            datasets[sizes] = classification_data(sizes[0], sizes[-1], TRAIN_DATA[sizes[0]], seed=42)
        data = datasets[sizes]
        functions = {}
        for name, dtype in pairs:
            net = common.build_net(sizes, seed=0, hidden="leaky_relu", output="softmax")
            run = TRAIN_FACTORIES[name](net, dtype, batch_size, data)
            run(batch_size)  # warm-up outside the timing
            functions[name, dtype] = common.calibrated(run, batch_size, seconds, len(data["classes"]))
        results = common.interleaved(functions, rounds)
        print(f"  measured {common.net_name(sizes)} batch {batch_size}", file=sys.stderr, flush=True)
        del functions
        medians = {key: common.summary(values)[0] for key, values in results.items()}
        library64, library32 = medians.get(("library", "float64")), medians.get(("library", "float32"))
        rows = []
        for (name, dtype), values in results.items():
            rate, spread = rate_cell(values)
            rows.append([name, dtype, rate, spread, ratio(library32, medians[name, dtype]),
                         ratio(library64, medians[name, dtype])])
        print(f"### {common.net_name(sizes)}, batch {batch_size}")
        print()
        print(common.markdown_table(["competitor", "dtype", "samples/s", "IQR %", "library float32 / this",
                                     "library float64 / this"], rows))
        print()
        if library32:
            print(f"library float32 / library float64: {library32 / library64:.2f}x")
        else:
            print("library float32 / library float64: - (no library float32 rows)")
        print()


# --- part "small" ---

def part_small(backends, seconds, rounds):
    print("## Small network 3-32-32-2, small batches: library against a jit-compiled JAX step")
    print()
    jax = backends.get("jax")
    jax_dtype = "float64" if jax is not None and jax.config.jax_enable_x64 else "float32"
    against = f"JAX {jax_dtype}" if jax is not None else "JAX not installed: library only"
    print("Leaky ReLU hidden, tanh output, MSE, clip_value 1.0; SGD lr 0.01, Adam lr 1e-3. "
          f"Library float64; {against}. samples/s median [IQR %]; "
          "ratio: library / JAX (above 1: the library is faster).")
    print()
    x, t, _ = common.toy_data(SMALL_SIZES[0], SMALL_SIZES[-1], SMALL_DATA, seed=42)
    rows = []
    for optimizer in ("sgd", "adam"):
        for batch_size in SMALL_BATCHES:
            functions = {}
            net = common.build_net(SMALL_SIZES, seed=0)
            training = Training(net, SMALL_LR[optimizer], SMALL_CLIP, cost_function="mse",
                                optimizer=optimizer, seed=1)

            def run_library(n, training=training, batch_size=batch_size):
                return common.timed(lambda: training.train(x[:n], t[:n], epochs=1, batch_size=batch_size,
                                                           verbose=False, accuracy=False))
            run_library(batch_size)
            functions["library"] = common.calibrated(run_library, batch_size, seconds, len(x))
            if jax is not None:
                run_jax = jax_trainer(common.build_net(SMALL_SIZES, seed=0), jax_dtype, batch_size, x, t,
                                      "mse", optimizer, SMALL_LR[optimizer], SMALL_CLIP)
                functions["jax"] = common.calibrated(run_jax, batch_size, seconds, len(x))
            results = common.interleaved(functions, rounds)
            print(f"  measured 3-32-32-2 {optimizer} batch {batch_size}", file=sys.stderr, flush=True)
            row = [optimizer, batch_size]
            for name in ("library", "jax"):
                if name in results:
                    rate, spread = rate_cell(results[name])
                    row.append(f"{rate} [{spread} %]")
                else:
                    row.append("-")
            row.append(ratio(common.summary(results["library"])[0], common.summary(results["jax"])[0])
                       if "jax" in results else "-")
            rows.append(row)
    print(common.markdown_table(["optimizer", "batch", "library float64", f"jax {jax_dtype}",
                                 "library / jax"], rows))
    print()


# --- part "predict" ---

def part_predict(seconds, rounds):
    print("## Inference: predict against forward_propagation (float64)")
    print()
    print("Calls per second, median [IQR %]; ratio: predict / forward_propagation "
          "(above 1: predict is faster).")
    print()
    rows = []
    for sizes, output in PREDICT_NETS:
        net = common.build_net(sizes, seed=0, hidden="leaky_relu", output=output)
        for batch_size in PREDICT_BATCHES:
            x = np.random.default_rng(7).uniform(-1.0, 1.0, (batch_size, sizes[0]))

            def calls(method):
                def run(k):
                    def loop():
                        for _ in range(k):
                            method(x)
                    return common.timed(loop)
                run(10)  # warm-up
                return common.calibrated(run, 1, seconds, 1 << 24)
            functions = {"predict": calls(net.predict), "forward": calls(net.forward_propagation)}
            results = common.interleaved(functions, rounds)
            medians = {name: common.summary(values)[0] for name, values in results.items()}
            row = [common.net_name(sizes), batch_size]
            for name in ("predict", "forward"):
                rate, spread = rate_cell(results[name])
                row.append(f"{rate} [{spread} %]")
            row.append(ratio(medians["predict"], medians["forward"]))
            rows.append(row)
        print(f"  measured predict {common.net_name(sizes)}", file=sys.stderr, flush=True)
    print(common.markdown_table(["network", "batch", "predict calls/s", "forward_propagation calls/s",
                                 "predict / forward"], rows))
    print()


# --- part "memory" ---

def status_kib(field):
    """A memory figure of this process from /proc/self/status in KiB ('VmRSS', 'VmHWM'), or None."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def resident_kib():
    """The process's resident memory now, in KiB (VmRSS; the peak so far where /proc is missing)."""
    now = status_kib("VmRSS")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss if now is None else now


def peak_kib():
    """The process's peak resident memory so far, in KiB.

    VmHWM, the high-water mark of this process's own address space, where
    /proc has it. ``ru_maxrss`` (KiB on Linux) is the fallback only: Linux
    carries it over from the parent through fork and exec, so a child started
    by a parent holding 2 GB reports at least 2 GB whatever it does itself.
    """
    peak = status_kib("VmHWM")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss if peak is None else peak


def memory_child(name, dtype):
    """In a fresh process: one epoch of 784-128-64-10 on 60,000 samples; prints a JSON line.

    The data (60000, 784) is drawn directly in ``dtype`` (no float64 copy on
    the way to float32); labels (60000,) and one-hot targets (60000, 10). The
    resident memory is read after the imports, the data and the model's set-up,
    just before the epoch starts.
    """
    import time

    rng = np.random.default_rng(0)
    x = rng.random((MEMORY_SAMPLES, MEMORY_SIZES[0]), dtype=np.dtype(dtype).type)
    classes = rng.integers(0, MEMORY_SIZES[-1], MEMORY_SAMPLES)
    t = np.zeros((MEMORY_SAMPLES, MEMORY_SIZES[-1]), dtype=dtype)
    t[np.arange(MEMORY_SAMPLES), classes] = 1.0
    net = common.build_net(MEMORY_SIZES, seed=0, hidden="leaky_relu", output="softmax")
    if name == "library":
        training = library_training(net, dtype, learning_rate=TRAIN_LR, clip_value=None,
                                    cost_function="cross_entropy", optimizer="adam", seed=1)

        def epoch():
            training.train(x, t, epochs=1, batch_size=MEMORY_BATCH, verbose=False)
    elif name == "sklearn":
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier

        model = MLPClassifier(hidden_layer_sizes=MEMORY_SIZES[1:-1], activation="relu", solver="adam",
                              alpha=0.0, batch_size=MEMORY_BATCH, learning_rate_init=TRAIN_LR,
                              shuffle=True, random_state=0, max_iter=1)

        def epoch():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.partial_fit(x, classes, classes=np.arange(MEMORY_SIZES[-1]))
    elif name == "torch":
        import torch

        torch.set_num_threads(1)
        model = torch_model(torch, net, dtype)
        optimizer = torch_adam(torch, list(model.parameters()), TRAIN_LR)
        run = torch_epoch(torch, model, optimizer, torch.from_numpy(x), torch.from_numpy(classes),
                          MEMORY_BATCH, torch.Generator().manual_seed(1))

        def epoch():
            run(MEMORY_SAMPLES)
    else:
        raise ValueError(f"unknown memory competitor {name!r}")
    before, peak_before = resident_kib(), peak_kib()
    started = time.perf_counter()
    epoch()
    seconds = time.perf_counter() - started
    print(json.dumps({"peak_kib": peak_kib(), "before_kib": before, "peak_before_kib": peak_before,
                      "seconds": seconds, "notes": NOTES}))


def spawn_memory_child(name, dtype):
    command = [sys.executable, str(Path(__file__).resolve()), "--memory-child", name, dtype]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=common.ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"memory child {name} {dtype} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def part_memory(backends):
    print(f"## Peak memory: one epoch of {common.net_name(MEMORY_SIZES)} on {MEMORY_SAMPLES:,} samples "
          f"(batch {MEMORY_BATCH}, Adam)")
    print()
    print("Each row a fresh process. peak: VmHWM of the whole process (interpreter, imports, data "
          "included); before: resident just before the epoch (after imports, data, set-up); added: peak "
          "minus before. The data alone is "
          + ", ".join(f"{MEMORY_SAMPLES * MEMORY_SIZES[0] * np.dtype(d).itemsize / 2**20:.0f} MB in {d}"
                      for d in DTYPES)
          + ". Ratios: the library's figure over this row's, same dtype. One run each; seconds for information.")
    print()
    results = {}
    for name in MEMORY_COMPETITORS:
        if name != "library" and backends.get(name) is None:
            continue
        for dtype in DTYPES:
            if name == "library" and not library_available(dtype):
                continue
            results[name, dtype] = spawn_memory_child(name, dtype)
            for text in results[name, dtype]["notes"]:
                note(text)
            print(f"  measured memory {name} {dtype}", file=sys.stderr, flush=True)
    rows = []
    for (name, dtype), result in results.items():
        peak, before = result["peak_kib"] / 1024, result["before_kib"] / 1024
        added = peak - before
        if result["peak_kib"] <= result["peak_before_kib"]:
            note(f"memory {name} {dtype}: the epoch did not raise the process's peak; 'added' is an upper bound")
        library = results.get(("library", dtype))
        if library is None or name == "library":
            peak_ratio = added_ratio = "-"
        else:
            library_peak = library["peak_kib"] / 1024
            library_added = library_peak - library["before_kib"] / 1024
            peak_ratio, added_ratio = ratio(library_peak, peak), ratio(library_added, added)
        rows.append([name, dtype, f"{peak:.0f}", f"{before:.0f}", f"{added:.0f}", peak_ratio, added_ratio,
                     f"{result['seconds']:.1f}"])
    print(common.markdown_table(["competitor", "dtype", "peak MB", "before MB", "added MB",
                                 "library / this, peak", "library / this, added", "epoch s"], rows))
    print()


# --- the header and main ---

def load_backends(parts):
    """The optional modules the chosen parts use: {'sklearn': module or None, 'torch': ..., 'jax': ...}."""
    backends = {}
    if {"train", "memory"} & parts:
        backends["sklearn"] = common.optional_module("sklearn")
        torch = common.optional_module("torch")
        if torch is not None:
            torch.set_num_threads(1)
        backends["torch"] = torch
    if {"train", "small"} & parts:
        jax = common.optional_module("jax")
        if jax is not None:
            jax.config.update("jax_enable_x64", True)
        backends["jax"] = jax
    return backends


def print_thread_pools(backends):
    """The loaded BLAS and OpenMP libraries with their threads (threadpoolctl), and each backend's version."""
    versions = [f"NumPy {np.__version__}"]
    for name, module in backends.items():
        if module is not None:
            versions.append(f"{name} {module.__version__}")
    if backends.get("torch") is not None:
        versions.append(f"torch threads {backends['torch'].get_num_threads()}")
    if backends.get("jax") is not None:
        import jaxlib
        versions.append(f"jaxlib {jaxlib.__version__}, devices {backends['jax'].devices()}")
    print("Versions: " + "; ".join(versions) + f"; XLA_FLAGS={os.environ['XLA_FLAGS']!r}")
    if common.optional_module("threadpoolctl") is None:
        print()
        return
    from threadpoolctl import threadpool_info

    print()
    print("Thread pools loaded (threadpoolctl):")
    print()
    for info in threadpool_info():
        print(f"- {info.get('user_api')}: {info.get('internal_api')} {info.get('version') or ''} "
              f"({info.get('prefix')}), architecture {info.get('architecture', '-')}, "
              f"{info.get('num_threads')} thread(s), {Path(info.get('filepath', '')).parent.name}")
    print()


def parse_parts(values):
    """``--only`` values (repeatable, each possibly a comma list) -> the set of parts; all when none."""
    if not values:
        return set(PARTS)
    parts = {part.strip() for value in values for part in value.split(",") if part.strip()}
    unknown = parts - set(PARTS)
    if unknown:
        raise SystemExit(f"--only: unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    return parts


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--memory-child"]:
        memory_child(*argv[1:3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds of 0.1 s: a smoke test of a few minutes")
    parser.add_argument("--rounds", type=int, help="interleaved rounds per configuration (default 7, quick 3)")
    parser.add_argument("--seconds", type=float, help="target seconds per measurement (default 0.5, quick 0.1)")
    parser.add_argument("--only", action="append", metavar="PART",
                        help=f"run only these parts ({', '.join(PARTS)}); repeatable or a comma list")
    args = parser.parse_args(argv)
    parts = parse_parts(args.only)
    rounds = args.rounds or (3 if args.quick else 7)
    seconds = args.seconds or (0.1 if args.quick else 0.5)

    backends = load_backends(parts)
    common.header("Training and inference at scale, float32, peak memory (single-threaded)", args.quick)
    print_thread_pools(backends)
    if "train" in parts:
        part_train(backends, seconds, rounds)
    if "small" in parts:
        part_small(backends, seconds, rounds)
    if "predict" in parts:
        part_predict(seconds, rounds)
    if "memory" in parts:
        part_memory(backends)
    if NOTES:
        print("## Notes")
        print()
        print("\n".join(f"- {text}" for text in NOTES))
    for text in NOTES:
        if "skipped" in text:
            print(f"note: {text}", file=sys.stderr)


if __name__ == "__main__":
    main()
