"""Definition of linear_regression: the price of a house from its size, bedrooms and age.

A regression, the seed's later version's house prices. The three inputs are
numbers u1, u2, u3 in [0, 1] that stand for

- the floor area, sqft = 500 + 2500 u1 square feet,
- the bedrooms, bedrooms = 1 + 4 u2,
- the age, age = 50 u3 years,

and the one output is the price in thousands of dollars (k$):

    price = 100 + 0.15 sqft + 50 bedrooms - 2 age
          = 225 + 375 u1 + 200 u2 - 100 u3        (from 125 to 800 k$)

That noise-free price is the definition (``label``): what a model is judged
against besides the noisy samples, because it is the most any model can
learn from them. The data adds Gaussian noise of σ = 20 k$ (``noise``) to each
price, as the seed's later version did. The noise alone gives a root mean
squared error of 20 k$ against the noisy prices and caps R² on them at
1 - 20² / Var(price) = 0.9748 (Var(price) = (375² + 200² + 100²) / 12 = 15,885.4).

How the data is drawn. u1, u2 and u3 are uniform in [0, 1] on a grid of six
decimals; the prices are rounded to six decimals too (a thousandth of a
dollar), so a file holds exactly what ``generate`` returns.

The committed ``data/linear_regression_data.json`` is ``generate(1000, seed=0)``:
``python data_generators/definition_of_linear_regression.py`` rewrites it byte for byte.
"""

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import src.script_start  # noqa: E402,F401,I001  (first: a Ctrl-C from here on ends quietly)

import numpy as np

from src.cli import generator_main
from src.datasets import (
    GRID,
    as_batch,
    check_non_negative,
    check_samples_per_class,
    grid_uniform,
    non_negative_argument,
    on_grid,
)
from src.problems import Problem

PROBLEM = Problem(
    name="linear_regression", data_filename="linear_regression_data.json", input_key="Input_Values",
    output_key="Output_Values", input_names=("u1 (floor area)", "u2 (bedrooms)", "u3 (age)"),
    class_names=(), target_names=("price",),
    input_low=(0.0, 0.0, 0.0), input_high=(1.0, 1.0, 1.0),
)
DEFAULT_SAMPLES = 1000
DEFAULT_SEED = 0
NOISE = 20.0
UNIT = "k$"
OPTIONS = {"noise": (non_negative_argument, "standard deviation of the Gaussian noise added to each price, in k$")}


def house(inputs):
    """``(sqft, bedrooms, age)``, each ``(n,)``, of the houses ``inputs`` ``(n, 3)`` stand for."""
    u = np.asarray(inputs, dtype=np.float64)
    return 500.0 + 2500.0 * u[:, 0], 1.0 + 4.0 * u[:, 1], 50.0 * u[:, 2]


def label(inputs) -> np.ndarray:
    """The noise-free prices in k$, ``(n, 1)``, of houses ``(n, 3)``; a 1-D house ``(3,)`` gives ``(1,)``."""
    batch, single = as_batch(inputs, PROBLEM.n_inputs)
    sqft, bedrooms, age = house(batch)
    price = (100.0 + 0.15 * sqft + 50.0 * bedrooms - 2.0 * age)[:, None]
    return price[0] if single else price


def generate(samples=DEFAULT_SAMPLES, seed=DEFAULT_SEED, noise=NOISE):
    """A house-price dataset: ``(inputs, targets)``, float64 ``(samples, 3)`` and ``(samples, 1)``.

    The targets are the noise-free prices plus N(0, ``noise``²) (k$), rounded
    to six decimals; ``noise=0`` gives the definition itself. Every draw comes
    from ``np.random.default_rng(seed)`` (``seed`` may also be a
    ``np.random.Generator``, which is then used and advanced).
    """
    count = check_samples_per_class(samples)
    noise = check_non_negative(noise, "noise")
    rng = np.random.default_rng(seed)
    inputs = grid_uniform(rng, 0, GRID, (count, PROBLEM.n_inputs))
    targets = on_grid(label(inputs) + noise * rng.standard_normal((count, 1)))
    return inputs, targets


def main(argv=None) -> None:
    """Write a house-price dataset (the committed one by default) and print a summary."""
    generator_main(sys.modules[__name__], argv)


if __name__ == "__main__":
    main()
