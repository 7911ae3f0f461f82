"""Inference over the whole RGB cube (256^3 = 16,777,216 colours): seconds and peak memory.

For each configuration a fresh Python process (so that peak memories do not
mix) builds the network, then classifies every colour of the cube: the colours
are generated chunk by chunk in index order (r, g, b = i >> 16, (i >> 8) & 255,
i & 255), never all at once, and each chunk's outputs are turned into a class
per colour, stored in one uint8 array of 16.7 MB for the whole cube. Measured:

- seconds for the whole cube (chunk generation and classification included;
  the first chunk is run once beforehand as a warm-up);
- peak resident memory of the process (``ru_maxrss``), and the part of it above
  what the process held before inference started (the interpreter, NumPy and
  the library take a few tens of MB);
- minor page faults per chunk during the timed part (``ru_minflt``): memory
  that is handed back to the system and mapped in again chunk after chunk.

Methods:

- ``predict per chunk``: ``NeuralNet.predict(chunk, dtype=..., chunk_size=len(chunk))``
  called once per generated chunk of raw (float64) colours;
- ``predict_chunks``: ``NeuralNet.predict_chunks(chunks, dtype=...)`` given a
  generator of those chunks;
- ``predict, materialised``: the cube built as one (16.7M, 3) array first and
  handed to ``predict`` whole (its default ``chunk_size``, 4096);
- ``lean NumPy``: a hand-written loop with preallocated per-chunk buffers and
  in-place operations: the yardstick for what NumPy can do.

Networks: the shipped red model (``models/model_red.json``: 3-32-32-2, tanh
hidden layers, softmax output; skipped with a note if it is not there) and a
3-32-32-2 network (leaky ReLU, tanh output) with random weights and the red
problem's input scaling. ``float64`` and ``float32``; chunk sizes 1k to 1M
rows. Configurations run in rotating order for ``--rounds`` rounds; the tables
give medians and ranges. ``--quick`` times an eighth of the cube (scaled up)
for fewer configurations.

Run from the repository root: ``python bench/bench_inference.py [--quick]``.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402  (first: it pins BLAS threads before NumPy loads)

import numpy as np  # noqa: E402

from src.neural_network import NeuralNet  # noqa: E402

CUBE = 256 ** 3
RED_MODEL = common.ROOT / "models" / "model_red.json"
TARGET_SECONDS = {"float64": 4.0, "float32": 1.5}
TARGET_MB = 300


def page_faults():
    """Minor page faults of the process so far (memory the kernel had to map in)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def peak_rss_mb():
    """The process's peak resident set so far, in MB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_network(name):
    if name == "red-model":
        return NeuralNet().load(RED_MODEL)
    net = common.build_net(common.parse_sizes(name), seed=0)
    net.set_input_scaling([0, 0, 0], [255, 255, 255])
    return net


def chunk_offsets(chunk_size):
    """The colours of cube indices 0..chunk_size-1, as int64 (chunk_size, 3).

    With a power-of-two chunk size every chunk start is a multiple of it, so a
    chunk's colours are these plus the colour of its first index: no carries.
    """
    index = np.arange(chunk_size, dtype=np.int64)
    return np.stack([index >> 16, (index >> 8) & 255, index & 255], axis=1)


def colour_of(index):
    return np.array([index >> 16, (index >> 8) & 255, index & 255])


def classify_into(outputs, classes):
    """Class per row; for two outputs a comparison (ties to class 0, as argmax) is far cheaper."""
    if outputs.shape[1] == 2:
        np.greater(outputs[:, 1], outputs[:, 0], out=classes.view(bool))
    else:
        classes[...] = np.argmax(outputs, axis=1)


def run_predict(net, dtype, chunk_size, classes):
    base = chunk_offsets(chunk_size).astype(np.float64)
    colours = np.empty_like(base)

    def run(starts):
        for start in starts:
            np.add(base, colour_of(start), out=colours)
            classify_into(net.predict(colours, dtype=dtype, chunk_size=chunk_size),
                          classes[start:start + chunk_size])
    return run


def run_chunks(net, dtype, chunk_size, classes):
    """``NeuralNet.predict_chunks`` over a generator of chunks."""
    base = chunk_offsets(chunk_size).astype(np.float64)
    colours = np.empty_like(base)

    def generate(starts):
        for start in starts:
            np.add(base, colour_of(start), out=colours)
            yield colours  # one buffer, refilled: predict_chunks is done with a chunk before the next

    def run(starts):
        for start, outputs in zip(starts, net.predict_chunks(generate(starts), dtype=dtype)):
            classify_into(outputs, classes[start:start + chunk_size])
    return run


def run_materialised(net, dtype, chunk_size, classes):
    def run(starts):
        cube = chunk_offsets(CUBE).astype(np.float64)
        classify_into(net.predict(cube, dtype=dtype, chunk_size=chunk_size), classes)
    return run


def run_lean(net, dtype, chunk_size, classes):
    """Bare NumPy with preallocated buffers; the input scaling folded into the first layer."""
    layers = net.layers[1:]
    weights = [layer.weights.T.astype(dtype) for layer in layers]
    biases = [layer.biases.astype(dtype) for layer in layers]
    if net.input_scale is not None:
        # (x - offset) * scale @ W.T + b == x @ (scale[:, None] * W.T) + (b - (offset * scale) @ W.T)
        first = layers[0].weights.T
        weights[0] = (net.input_scale[:, None] * first).astype(dtype)
        biases[0] = (layers[0].biases - (net.input_offset * net.input_scale) @ first).astype(dtype)
    buffers = [np.empty((chunk_size, layer.layer_size), dtype) for layer in layers]
    scratch = [np.empty((chunk_size, layer.layer_size), dtype) for layer in layers]
    base = chunk_offsets(chunk_size).astype(dtype)
    colours = np.empty_like(base)

    def chunk(start):
        np.add(base, colour_of(start).astype(dtype), out=colours)
        a = colours
        for w, b, z, tmp, layer in zip(weights, biases, buffers, scratch, layers):
            kind, alpha = layer.activation_func.title, layer.activation_params.get("alpha", 0.0)
            np.matmul(a, w, out=z)
            z += b
            if kind == "leaky_relu" and 0.0 <= alpha <= 1.0:
                np.multiply(z, alpha, out=tmp)
                np.maximum(z, tmp, out=z)
            elif kind == "relu":
                np.maximum(z, 0.0, out=z)
            elif kind == "tanh":
                np.tanh(z, out=z)
            elif kind == "linear":
                pass
            elif kind == "softmax" and z.shape[1] == 2:
                # row maximum and sum from the two columns: far cheaper than a reduction along axis 1
                np.maximum(z[:, 0], z[:, 1], out=tmp[:, 0])
                z -= tmp[:, :1]
                np.exp(z, out=z)
                np.add(z[:, 0], z[:, 1], out=tmp[:, 0])
                z /= tmp[:, :1]
            elif kind == "softmax":
                z -= z.max(axis=1, keepdims=True)
                np.exp(z, out=z)
                z /= z.sum(axis=1, keepdims=True)
            else:
                z[...] = layer.activation_func(z, **layer.activation_params)
            a = z
        classify_into(a, classes[start:start + chunk_size])

    def run(starts):
        for start in starts:
            chunk(start)
    return run


METHODS = {"predict": run_predict, "chunks": run_chunks, "materialised": run_materialised,
           "lean": run_lean}


def worker(network, method, dtype, chunk_size, fraction):
    """One configuration, in this (fresh) process: prints a JSON line with the results."""
    dtype = np.dtype(dtype)
    if method == "materialised":
        fraction = 1.0  # it classifies the whole cube in one call whatever the fraction
    net = load_network(network)
    classes = np.zeros(CUBE, dtype=np.uint8)
    classes[::4096] = 1  # touch the pages, so the result array counts before the start
    before = peak_rss_mb()
    run = METHODS[method](net, dtype, chunk_size, classes)
    if method != "materialised":
        run([0])  # warm-up
    starts = range(0, int(CUBE * fraction), chunk_size)
    faults = page_faults()
    started = time.perf_counter()
    run(starts)
    seconds = (time.perf_counter() - started) / fraction
    faults_per_chunk = (page_faults() - faults) / len(starts)
    print(json.dumps({"seconds": seconds, "peak_mb": peak_rss_mb(), "before_mb": before,
                      "faults_per_chunk": faults_per_chunk,
                      "class0": int(CUBE * fraction - np.count_nonzero(classes[:int(CUBE * fraction)])),
                      "fraction": fraction}))


def spawn(config, fraction):
    network, method, dtype, chunk_size = config
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", network, method,
               dtype, str(chunk_size), str(fraction)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"worker {config} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def configurations(quick, networks):
    """(network, method, dtype, chunk size) tuples: predict per chunk, predict_chunks, lean NumPy."""
    if quick:
        per_method = {"predict": [4096], "chunks": [4096, 65536], "lean": [4096]}
        per_method_model = {"predict": [], "chunks": [4096], "lean": []}
    else:
        per_method = {"predict": [1024, 4096, 65536],
                      "chunks": [1024, 4096, 16384, 65536, 262144, 1048576],
                      "lean": [1024, 4096, 65536]}
        per_method_model = {"predict": [4096], "chunks": [1024, 4096], "lean": [1024, 4096]}
    configs = []
    for network in networks:
        for dtype in ("float64", "float32"):
            methods = per_method if network == "3-32-32-2" else per_method_model
            for method, chunks in methods.items():
                configs += [(network, method, dtype, chunk) for chunk in chunks]
    if not quick:
        configs.append(("3-32-32-2", "materialised", "float32", 4096))
    return configs


LABELS = {"predict": "predict per chunk", "chunks": "predict_chunks", "materialised":
          "predict, materialised", "lean": "lean NumPy"}


def main(argv=None):
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--worker":
        network, method, dtype, chunk_size, fraction = sys.argv[2:7]
        worker(network, method, dtype, int(chunk_size), float(fraction))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="two chunk sizes, one round, an eighth of the cube (times scaled up)")
    parser.add_argument("--rounds", type=int, help="rounds over all configurations (default 2, quick 1)")
    parser.add_argument("--fraction", type=float,
                        help="part of the cube to classify, times scaled to the whole (default 1, quick 1/8)")
    args = parser.parse_args(argv)
    rounds = args.rounds or (1 if args.quick else 2)
    fraction = args.fraction or (0.125 if args.quick else 1.0)

    networks = ["3-32-32-2"]
    if RED_MODEL.exists():
        networks.insert(0, "red-model")
    else:
        print(f"note: {RED_MODEL.relative_to(common.ROOT)} does not exist yet; "
              "the shipped red model is skipped", file=sys.stderr)
    configs = configurations(args.quick, networks)

    common.header("Inference over the whole RGB cube (16,777,216 colours)", args.quick)
    scope = "the whole cube" if fraction == 1 else f"{fraction:g} of the cube, seconds scaled to the whole"
    print(f"{rounds} round(s) over {len(configs)} configurations, each in a fresh process, "
          f"{scope}; median [min-max]")
    print()
    results = {config: [] for config in configs}
    for round_index in range(rounds):
        shift = round_index % len(configs)
        for config in configs[shift:] + configs[:shift]:
            results[config].append(spawn(config, fraction))
        print(f"  round {round_index + 1} done", file=sys.stderr, flush=True)

    rows, verdicts = [], []
    for config, runs in results.items():
        network, method, dtype, chunk_size = config
        seconds = [r["seconds"] for r in runs]
        peaks = [r["peak_mb"] for r in runs]
        above = [r["peak_mb"] - r["before_mb"] for r in runs]
        median = float(np.median(seconds))
        rows.append([network, LABELS[method], dtype, common.si(chunk_size),
                     f"{median:.2f} [{min(seconds):.2f}-{max(seconds):.2f}]",
                     f"{np.median(peaks):.0f}", f"{np.median(above):.0f}",
                     "-" if method == "materialised"  # one call, no chunks of its own to count
                     else f"{np.median([r['faults_per_chunk'] for r in runs]):.0f}",
                     f"{100 * runs[0]['class0'] / (CUBE * runs[0]['fraction']):.2f}"])
        if method in ("predict", "chunks"):
            verdicts.append((network, LABELS[method], dtype, chunk_size, median, float(np.median(peaks))))

    print(common.markdown_table(["network", "method", "dtype", "chunk", "seconds", "peak RSS MB",
                                 "above start MB", "page faults per chunk", "class 0 %"], rows))
    print()
    print(f"Targets: < {TARGET_SECONDS['float64']:g} s in float64, < {TARGET_SECONDS['float32']:g} s "
          f"in float32, peak RSS < {TARGET_MB} MB")
    for key in sorted({v[:3] for v in verdicts}):
        best = min((v for v in verdicts if v[:3] == key), key=lambda v: v[4])
        met = best[4] < TARGET_SECONDS[best[2]] and best[5] < TARGET_MB
        print(f"- {' '.join(key)}: fastest at chunk {common.si(best[3])}: {best[4]:.2f} s, "
              f"{best[5]:.0f} MB: {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
