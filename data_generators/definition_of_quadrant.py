"""Definition of the quadrant problem: which quadrant of the plane is a point in?

Inputs are points ``(x, y)``; there are four classes, one output neuron each,
in the order of the quadrants: quadrant 1 (``x > 0, y > 0``, target
``[1, -1, -1, -1]``), quadrant 2 (``x < 0, y > 0``), quadrant 3
(``x < 0, y < 0``) and quadrant 4 (``x > 0, y < 0``). On the axes, which
belong to no quadrant, a coordinate equal to zero (``0.0`` or ``-0.0``) counts
as positive: ``(0, 0)`` is quadrant 1, ``(0, -1)`` quadrant 4 and ``(-1, 0)``
quadrant 2. The data never contains such points; the rule only makes
``label`` answer every input the same way every time.

How the data is drawn, and why. ``x`` and ``y`` are uniform in ``[-5, 5]``
(on a grid of six decimals), and points with ``abs(x) < 0.1`` or
``abs(y) < 0.1`` are left out: a strip 0.1 wide on either side of each axis
keeps every sample clearly inside its quadrant, so the classes are separated
by a margin and no label depends on a rounding of the coordinates. Each
quadrant is drawn by keeping the uniform points that fall in it, so there are
exactly ``samples_per_class`` samples per quadrant (the seed's 125, 500 in
all), each uniform over its quadrant minus the strips.

The committed ``data/quadrant_data.json`` is ``generate(125, seed=0)``:
``python data_generators/definition_of_quadrant.py`` rewrites it byte for byte.
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
    check_samples_per_class,
    class_indices,
    grid_uniform,
    one_hot_pm1,
    sample_where,
    shuffled,
)
from src.cli import generator_main
from src.problems import Problem

PROBLEM = Problem(
    name="quadrant", data_filename="quadrant_data.json", input_key="Input_Values", output_key="Output_Values",
    input_names=("x", "y"), class_names=("quadrant 1", "quadrant 2", "quadrant 3", "quadrant 4"),
    input_low=(-5.0, -5.0), input_high=(5.0, 5.0),
)
DEFAULT_SAMPLES_PER_CLASS = 125
DEFAULT_SEED = 0
LIMIT = 5
GAP = 0.1
UNITS = (-LIMIT * GRID, LIMIT * GRID)


def label(inputs) -> np.ndarray:
    """Targets ``(n, 4)`` for points ``(n, 2)``: +1 at the point's quadrant, -1 elsewhere.

    A 1-D point ``(2,)`` gives 1-D targets ``(4,)``. Zero counts as positive.
    """
    batch, single = as_batch(inputs, PROBLEM.n_inputs)
    batch = np.asarray(batch, dtype=np.float64)
    right = batch[:, 0] >= 0
    up = batch[:, 1] >= 0
    quadrant = np.select([right & up, ~right & up, ~right & ~up], [0, 1, 2], default=3)
    targets = one_hot_pm1(quadrant, PROBLEM.n_classes)
    return targets[0] if single else targets


def _draw(rng, m):
    """``m`` points uniform on the six-decimal grid of ``[-5, 5] x [-5, 5]``: ``(m, 2)``."""
    return np.column_stack([grid_uniform(rng, *UNITS, m), grid_uniform(rng, *UNITS, m)])


def _in_quadrant(index):
    """An accept function: outside both strips and in quadrant ``index`` (0 to 3)."""
    def accept(points):
        outside_strips = (np.abs(points) >= GAP).all(axis=1)
        return outside_strips & (class_indices(label(points)) == index)
    return accept


def generate(samples_per_class=DEFAULT_SAMPLES_PER_CLASS, seed=DEFAULT_SEED):
    """A balanced, shuffled quadrant dataset: ``(inputs, targets)``.

    ``samples_per_class`` is the number of samples per quadrant. ``inputs`` is
    float64 of shape ``(4 * samples_per_class, 2)``, ``targets``
    ``(4 * samples_per_class, 4)`` in ±1. Every draw comes from
    ``np.random.default_rng(seed)`` (``seed`` may also be a
    ``np.random.Generator``, which is then used and advanced).
    """
    count = check_samples_per_class(samples_per_class)
    rng = np.random.default_rng(seed)
    inputs = np.concatenate([
        sample_where(rng, _draw, _in_quadrant(index), count)
        for index in range(PROBLEM.n_classes)
    ])
    return shuffled(rng, inputs, label(inputs))


def main(argv=None) -> None:
    """Write a quadrant dataset (the committed one by default) and print a summary."""
    generator_main(sys.modules[__name__], argv)


if __name__ == "__main__":
    main()
