"""Definition of sine: is a point above or below the curve y = sin(x)?

Inputs are points ``(x, y)``. A point is *above* (first output neuron, target
``[1, -1]``) when ``y > sin(x)`` and *below* (``[-1, 1]``) otherwise, so a point
exactly on the curve is below. The definition holds on the whole plane; the
data covers one period.

How the data is drawn, and why. ``x`` is uniform in ``[0, 2*pi]`` (one full
period, where the boundary bends both ways) and ``y`` uniform in
``[-1.5, 1.5]`` (a margin of 0.5 beyond the curve's range, so both classes
surround every part of the curve). Both are drawn on a grid of six decimals
and labelled after that, so every stored label is exact for the stored
point. The two regions have equal areas, and each class is drawn by keeping
the uniform points of that class, so there are exactly ``samples_per_class``
of each and each is uniform over its own region.

The committed ``data/sine_data.json`` is ``generate(250, seed=0)``:
``python data_generators/definition_of_sine.py`` rewrites it byte for byte.
"""

import math
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import src.script_start  # noqa: E402,F401,I001  (first: a Ctrl-C from here on ends quietly)

import numpy as np

from src.datasets import (
    GRID,
    as_batch,
    balanced_sample,
    check_samples_per_class,
    grid_uniform,
    one_hot_pm1,
)
from src.cli import generator_main
from src.problems import Problem

PROBLEM = Problem(
    name="sine", data_filename="sine_data.json", input_key="Input_Values", output_key="Output_Values",
    input_names=("x", "y"), class_names=("above", "below"),
    input_low=(0.0, -1.5), input_high=(2 * math.pi, 1.5),
)
DEFAULT_SAMPLES_PER_CLASS = 250
DEFAULT_SEED = 0
X_UNITS = (0, math.floor(2 * math.pi * GRID))
Y_UNITS = (-3 * GRID // 2, 3 * GRID // 2)


def label(inputs) -> np.ndarray:
    """Targets ``(n, 2)`` for points ``(n, 2)``: ``[1, -1]`` above, ``[-1, 1]`` below.

    A 1-D point ``(2,)`` gives 1-D targets ``(2,)``.
    """
    batch, single = as_batch(inputs, PROBLEM.n_inputs)
    batch = np.asarray(batch, dtype=np.float64)
    is_above = batch[:, 1] > np.sin(np.ascontiguousarray(batch[:, 0]))
    targets = one_hot_pm1(np.where(is_above, 0, 1), PROBLEM.n_classes)
    return targets[0] if single else targets


def _draw(rng, m):
    """``m`` points uniform on the six-decimal grid of ``[0, 2*pi] x [-1.5, 1.5]``: ``(m, 2)``."""
    return np.column_stack([grid_uniform(rng, *X_UNITS, m), grid_uniform(rng, *Y_UNITS, m)])


def generate(samples_per_class=DEFAULT_SAMPLES_PER_CLASS, seed=DEFAULT_SEED):
    """A balanced, shuffled sine dataset: ``(inputs, targets)``.

    ``inputs`` is float64 of shape ``(2 * samples_per_class, 2)``, ``targets``
    ``(2 * samples_per_class, 2)`` in ±1. Every draw comes from
    ``np.random.default_rng(seed)`` (``seed`` may also be a
    ``np.random.Generator``, which is then used and advanced).
    """
    count = check_samples_per_class(samples_per_class)
    rng = np.random.default_rng(seed)
    return balanced_sample(rng, _draw, label, count, PROBLEM.n_classes)


def main(argv=None) -> None:
    """Write a sine dataset (the committed one by default) and print a summary."""
    generator_main(sys.modules[__name__], argv)


if __name__ == "__main__":
    main()
