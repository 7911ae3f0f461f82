"""Instructions per training step and per prediction, counted by valgrind: repeatable on a busy machine.

Timing small steps on a shared machine resolves differences of 10 %, not
of 2 %. ``valgrind --tool=callgrind`` counts the instructions a process
executes instead, which does not depend on what else the machine is doing.
Each figure here is the difference between a run doing 2N steps (or calls)
and one doing N, divided by N: the cost of one step, without Python's start-up
and imports.

Measured:

- ``train``: one training step of 3-32-32-2 (leaky ReLU hidden layers, tanh
  output, MSE, clip 1.0; SGD lr 0.01 or Adam lr 0.001, float64) at batch 1,
  2, 4, 8 and 32, for this checkout and for ``--baseline`` (a commit, checked
  out into a temporary git worktree), side by side;
- ``predict``: one call of ``NeuralNet.predict`` and one of
  ``NeuralNet.forward_propagation`` (float64) on 3-32-32-2 and
  2-256-256-256-2 at batch 1, 8, 32 and 128.

Instructions are not seconds (a cache miss costs more than an addition), but
at these sizes a step is Python and NumPy call overhead, for which they
track time closely. Needs valgrind (Debian: ``apt-get install valgrind``) and
git. Run from the repository root:
``python bench/bench_instructions.py [--baseline 95be864] [--quick]``
(about 10 minutes; ``--quick``: a few configurations).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What one child process runs: set-up, then ``n`` steps or calls.
CHILD = r"""
import os, sys
os.environ["OPENBLAS_NUM_THREADS"] = "1"
root, mode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, root)
import numpy as np
from bench import common
from src.training import Training
kind, first, batch = mode.split(":")
batch = int(batch)
if kind == "train":
    net = common.build_net((3, 32, 32, 2), 0)
    x, t, _ = common.toy_data(3, 2, batch * 400, 0)
    training = Training(net, 0.01 if first == "sgd" else 0.001, 1.0, optimizer=first, seed=1)
    training.train(x[:batch * 8], t[:batch * 8], 1, batch_size=batch, verbose=False)
    training.train(x[:batch * n], t[:batch * n], 1, batch_size=batch, verbose=False)
else:
    net = common.build_net(common.parse_sizes(first), 0)
    inputs = np.random.default_rng(0).uniform(-1, 1, (batch, net.n_inputs))
    call = net.predict if kind == "predict" else net.forward_propagation
    call(inputs)
    for _ in range(n):
        call(inputs)
"""


def instructions(python, script, root, mode, n):
    """Instructions callgrind counts for one child process doing ``n`` steps or calls."""
    result = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                             python, script, str(root), mode, str(n)],
                            capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONHASHSEED": "0"})  # the same dict layouts every run
    found = re.search(r"Collected : (\d+)", result.stderr)
    if not found:
        raise RuntimeError(f"no instruction count in valgrind's output for {mode}:\n{result.stderr[-2000:]}")
    return int(found.group(1))


def per_step(python, script, root, mode, n):
    return (instructions(python, script, root, mode, 2 * n) - instructions(python, script, root, mode, n)) / n


def real_python():
    """The interpreter's own executable (not a shell shim, which valgrind would count instead)."""
    return os.path.realpath(sys.executable)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="95be864",
                        help="the commit to compare training steps with (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="a few configurations, fewer steps")
    parser.add_argument("--only", choices=("train", "predict"), help="one part only")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        sys.exit("bench_instructions.py needs valgrind (Debian: apt-get install valgrind)")
    python = real_python()
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "child.py"
        script.write_text(CHILD)
        print("# Instructions per step and per call (valgrind --tool=callgrind)")
        print()
        if args.only in (None, "train"):
            baseline = Path(folder) / "baseline"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(baseline), args.baseline],
                           check=True, capture_output=True)
            try:
                print(f"## One training step, 3-32-32-2, float64: this checkout against {args.baseline}")
                print()
                print("| optimizer | batch | baseline | now | now / baseline |")
                print("|---|---:|---:|---:|---:|")
                batches = (1, 8) if args.quick else (1, 2, 4, 8, 32)
                for optimizer in ("sgd", "adam"):
                    for batch in batches:
                        mode = f"train:{optimizer}:{batch}"
                        old = per_step(python, script, baseline, mode, 50 if args.quick else 100)
                        new = per_step(python, script, ROOT, mode, 50 if args.quick else 100)
                        print(f"| {optimizer} | {batch} | {old:,.0f} | {new:,.0f} | {new / old:.3f} |", flush=True)
            finally:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(baseline)],
                               capture_output=True)
            print()
        if args.only in (None, "predict"):
            print("## One call, float64: predict against forward_propagation")
            print()
            print("| network | batch | forward_propagation | predict | predict / forward |")
            print("|---|---:|---:|---:|---:|")
            for sizes in ("3-32-32-2", "2-256-256-256-2"):
                for batch in ((1, 32) if args.quick else (1, 8, 32, 128)):
                    n = 100 if sizes == "3-32-32-2" else 20
                    forward = per_step(python, script, ROOT, f"forward:{sizes}:{batch}", n)
                    predict = per_step(python, script, ROOT, f"predict:{sizes}:{batch}", n)
                    print(f"| {sizes} | {batch} | {forward:,.0f} | {predict:,.0f} | {predict / forward:.3f} |",
                          flush=True)


if __name__ == "__main__":
    main()
