"""Definition of iris: which of three species is a flower, from four measurements in [0, 1]?

This is the synthetic iris of the seed's later version, not Fisher's data: the
inputs are the sepal length, sepal width, petal length and petal width of a
flower, each scaled to [0, 1], and every species fills a box of its own:

=============  ============  ============  ============  ============
species        sepal length  sepal width   petal length  petal width
=============  ============  ============  ============  ============
setosa         0.2 - 0.4     0.6 - 0.8     0.1 - 0.3     0.05 - 0.25
versicolor     0.5 - 0.7     0.4 - 0.6     0.4 - 0.6     0.4 - 0.6
virginica      0.7 - 0.9     0.3 - 0.5     0.7 - 0.9     0.7 - 0.9
=============  ============  ============  ============  ============

The three outputs are setosa (target ``[1, -1, -1]``), versicolor and
virginica. The boxes do not overlap (their petal lengths are 0.1 apart), so a
flower in a box is that box's species. The definition holds everywhere: a
flower belongs to the species whose box is nearest (Euclidean distance to the
box, 0 inside it; on a tie the species listed first). Between the boxes that
is only a convention, and the data never goes there.

How the data is drawn. Each species' measurements are uniform in its box, as
the seed's later version drew them, on a grid of six decimals, ``samples_per_class``
flowers per species (300 by default), shuffled together.

The committed ``data/iris_data.json`` is ``generate(300, seed=0)``:
``python data_generators/definition_of_iris.py`` rewrites it byte for byte.
"""

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import src.script_start  # noqa: E402,F401,I001  (first: a Ctrl-C from here on ends quietly)

import numpy as np

from src.cli import generator_main
from src.datasets import GRID, as_batch, check_samples_per_class, grid_uniform, one_hot_pm1, shuffled
from src.problems import Problem

PROBLEM = Problem(
    name="iris", data_filename="iris_data.json", input_key="Input_Values", output_key="Output_Values",
    input_names=("sepal length", "sepal width", "petal length", "petal width"),
    class_names=("setosa", "versicolor", "virginica"),
    input_low=(0.0, 0.0, 0.0, 0.0), input_high=(1.0, 1.0, 1.0, 1.0),
)
DEFAULT_SAMPLES_PER_CLASS = 300
DEFAULT_SEED = 0
# (low, high) per species, per measurement, in the order of PROBLEM.input_names
BOXES = np.array([
    [(0.2, 0.4), (0.6, 0.8), (0.1, 0.3), (0.05, 0.25)],   # setosa
    [(0.5, 0.7), (0.4, 0.6), (0.4, 0.6), (0.4, 0.6)],     # versicolor
    [(0.7, 0.9), (0.3, 0.5), (0.7, 0.9), (0.7, 0.9)],     # virginica
])


def distances_to_boxes(inputs) -> np.ndarray:
    """Euclidean distance of each flower ``(n, 4)`` to each species' box, ``(n, 3)``; 0 inside."""
    batch = np.asarray(inputs, dtype=np.float64)[:, None, :]
    low, high = BOXES[None, :, :, 0], BOXES[None, :, :, 1]
    outside = np.maximum(np.maximum(low - batch, batch - high), 0.0)
    return np.sqrt((outside * outside).sum(axis=2))


def label(inputs) -> np.ndarray:
    """Targets ``(n, 3)`` for flowers ``(n, 4)``: +1 at the species of the nearest box, -1 elsewhere.

    A 1-D flower ``(4,)`` gives 1-D targets ``(3,)``.
    """
    batch, single = as_batch(inputs, PROBLEM.n_inputs)
    species = np.argmin(distances_to_boxes(batch), axis=1)
    targets = one_hot_pm1(species, PROBLEM.n_classes)
    return targets[0] if single else targets


def generate(samples_per_class=DEFAULT_SAMPLES_PER_CLASS, seed=DEFAULT_SEED):
    """A balanced, shuffled iris dataset: ``(inputs, targets)``.

    ``inputs`` is float64 of shape ``(3 * samples_per_class, 4)``, ``targets``
    ``(3 * samples_per_class, 3)`` in ±1. Every draw comes from
    ``np.random.default_rng(seed)`` (``seed`` may also be a
    ``np.random.Generator``, which is then used and advanced).
    """
    count = check_samples_per_class(samples_per_class)
    rng = np.random.default_rng(seed)
    units = np.rint(BOXES * GRID).astype(np.int64)
    flowers = [np.column_stack([grid_uniform(rng, low, high, count) for low, high in box]) for box in units]
    inputs = np.concatenate(flowers)
    return shuffled(rng, inputs, label(inputs))


def main(argv=None) -> None:
    """Write an iris dataset (the committed one by default) and print a summary."""
    generator_main(sys.modules[__name__], argv)


if __name__ == "__main__":
    main()
