"""Definition of the checkerboard: black and white unit squares.

Inputs are points ``(x, y)``. A point is *black* (first output neuron, target
``[1, -1]``) when ``floor(x) + floor(y)`` is even and *white* (``[-1, 1]``) when
it is odd. Each square includes its lower and left edges: ``x = 1.0`` lies in
the column ``floor(x) = 1``. The definition holds on the whole plane (negative
coordinates included); the data covers a board of 4 by 4 squares.

How the data is drawn, and why. ``x`` and ``y`` are uniform in ``[0, 4)``, the
16 squares of the board, with a boundary between neighbouring squares every
unit in both directions: the network has to learn a pattern it cannot get from
any single straight cut. The points are drawn on a grid of six decimals (the
upper bound 4 itself never occurs, as ``[0, 4)`` says) and labelled after that.
Black and white cover equal areas, and each class is drawn by keeping the
uniform points of that class, so there are exactly ``samples_per_class`` of
each and each is uniform over its own squares.

The committed ``data/checkerboard_data.json`` is ``generate(250, seed=0)``:
``python data_generators/definition_of_checkerboard.py`` rewrites it byte for
byte.
"""

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
    name="checkerboard", data_filename="checkerboard_data.json",
    input_key="Input_Values", output_key="Output_Values",
    input_names=("x", "y"), class_names=("black", "white"),
    input_low=(0.0, 0.0), input_high=(4.0, 4.0),
)
DEFAULT_SAMPLES_PER_CLASS = 250
DEFAULT_SEED = 0
BOARD_SIZE = 4
UNITS = (0, BOARD_SIZE * GRID - 1)


def label(inputs) -> np.ndarray:
    """Targets ``(n, 2)`` for points ``(n, 2)``: ``[1, -1]`` black, ``[-1, 1]`` white.

    A 1-D point ``(2,)`` gives 1-D targets ``(2,)``.
    """
    batch, single = as_batch(inputs, PROBLEM.n_inputs)
    squares = np.floor(np.asarray(batch, dtype=np.float64))
    is_black = (squares[:, 0] + squares[:, 1]) % 2 == 0
    targets = one_hot_pm1(np.where(is_black, 0, 1), PROBLEM.n_classes)
    return targets[0] if single else targets


def _draw(rng, m):
    """``m`` points uniform on the six-decimal grid of ``[0, 4) x [0, 4)``: ``(m, 2)``."""
    return np.column_stack([grid_uniform(rng, *UNITS, m), grid_uniform(rng, *UNITS, m)])


def generate(samples_per_class=DEFAULT_SAMPLES_PER_CLASS, seed=DEFAULT_SEED):
    """A balanced, shuffled checkerboard dataset: ``(inputs, targets)``.

    ``inputs`` is float64 of shape ``(2 * samples_per_class, 2)``, ``targets``
    ``(2 * samples_per_class, 2)`` in ±1. Every draw comes from
    ``np.random.default_rng(seed)`` (``seed`` may also be a
    ``np.random.Generator``, which is then used and advanced).
    """
    count = check_samples_per_class(samples_per_class)
    rng = np.random.default_rng(seed)
    return balanced_sample(rng, _draw, label, count, PROBLEM.n_classes)


def main(argv=None) -> None:
    """Write a checkerboard dataset (the committed one by default) and print a summary."""
    generator_main(sys.modules[__name__], argv)


if __name__ == "__main__":
    main()
