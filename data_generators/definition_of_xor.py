"""Definition of XOR: points near the corners of the unit square, true on two of them.

Inputs are points ``(x1, x2)``. A point is *xor true* (first output neuron,
target ``[1, -1]``) when exactly one of ``x1 > 0.5`` and ``x2 > 0.5`` holds, and
*xor false* (``[-1, 1]``) otherwise; a coordinate of exactly 0.5 counts as not
above 0.5. This is XOR of two bits, each read from a coordinate with the
threshold 0.5, so it is defined on the whole plane.

How the data is drawn, and why. The classic XOR has four inputs,
``(0, 0)``, ``(0, 1)``, ``(1, 0)`` and ``(1, 1)``; a network that has seen only
those can draw its boundary anywhere between them. Each sample is one of the
four corners, chosen uniformly, plus Gaussian noise of standard deviation
``noise`` (0.1) in each coordinate, so the data covers a neighbourhood of
every corner and the network has to learn where the classes really change.
The noisy point is rounded to six decimals and then labelled by the
definition above: a point whose noise carries it across 0.5 (rare at
sigma 0.1) gets the label of where it lies, never the label of its corner.
Each class is drawn by keeping the labelled points of that class, so the two
classes have exactly ``samples_per_class`` samples each: xor true from around
``(0, 1)`` and ``(1, 0)``, xor false from around ``(0, 0)`` and ``(1, 1)``.

The committed ``data/xor_data.json`` is ``generate(250, seed=0)``:
``python data_generators/definition_of_xor.py`` rewrites it byte for byte.
"""

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import src.script_start  # noqa: E402,F401,I001  (first: a Ctrl-C from here on ends quietly)

import numpy as np

from src.datasets import (
    non_negative_argument,
    as_batch,
    balanced_sample,
    check_non_negative,
    check_samples_per_class,
    on_grid,
    one_hot_pm1,
)
from src.cli import generator_main
from src.problems import Problem

PROBLEM = Problem(
    name="xor", data_filename="xor_data.json", input_key="Input_Values", output_key="Output_Values",
    input_names=("x1", "x2"), class_names=("xor true", "xor false"),
    input_low=(-0.5, -0.5), input_high=(1.5, 1.5),
)
DEFAULT_SAMPLES_PER_CLASS = 250
DEFAULT_SEED = 0
DEFAULT_NOISE = 0.1
THRESHOLD = 0.5
CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def label(inputs) -> np.ndarray:
    """Targets ``(n, 2)`` for points ``(n, 2)``: ``[1, -1]`` xor true, ``[-1, 1]`` xor false.

    A 1-D point ``(2,)`` gives 1-D targets ``(2,)``.
    """
    batch, single = as_batch(inputs, PROBLEM.n_inputs)
    bits = np.asarray(batch, dtype=np.float64) > THRESHOLD
    is_true = bits[:, 0] != bits[:, 1]
    targets = one_hot_pm1(np.where(is_true, 0, 1), PROBLEM.n_classes)
    return targets[0] if single else targets


def generate(samples_per_class=DEFAULT_SAMPLES_PER_CLASS, seed=DEFAULT_SEED, noise=DEFAULT_NOISE):
    """A balanced, shuffled XOR dataset: ``(inputs, targets)``.

    ``inputs`` is float64 of shape ``(2 * samples_per_class, 2)`` (six
    decimals), ``targets`` ``(2 * samples_per_class, 2)`` in ±1. ``noise`` is
    the standard deviation of the Gaussian noise around the corners. Every draw
    comes from ``np.random.default_rng(seed)`` (``seed`` may also be a
    ``np.random.Generator``, which is then used and advanced).
    """
    count = check_samples_per_class(samples_per_class)
    sigma = check_non_negative(noise, "noise")
    rng = np.random.default_rng(seed)

    def draw(generator, m):
        corners = CORNERS[generator.integers(0, len(CORNERS), size=m)]
        return on_grid(corners + generator.normal(0.0, sigma, size=(m, 2)))

    return balanced_sample(rng, draw, label, count, PROBLEM.n_classes)


OPTIONS = {"noise": (non_negative_argument, "standard deviation of the Gaussian noise around the corners")}


def main(argv=None) -> None:
    """Write a xor dataset (the committed one by default) and print a summary."""
    generator_main(sys.modules[__name__], argv)


if __name__ == "__main__":
    main()
