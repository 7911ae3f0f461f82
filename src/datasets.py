"""Datasets: drawing balanced samples, writing data files and loading them.

A dataset is a pair of arrays: ``inputs`` of shape ``(n, d)`` (one row per
sample, in the problem's raw units) and ``targets`` of shape ``(n, k)``. For a
classifier they are one-hot in ±1: the output neuron of the sample's class is
``+1``, every other is ``-1``, and the first neuron is the problem's "positive"
class (see ``src.problems``). For a regression they are the real numbers to
predict.

Data files keep the seed's layout and keys, ``{"RGB_Values": [[r, g, b], ...],
"Is_Red": [[1, -1], ...]}`` for red and ``{"Input_Values": [...],
"Output_Values": [...]}`` for the other problems, written one sample per line so
that a change shows up as a readable diff. Integers (red's inputs, every target)
are written as integers and floats in Python's shortest round-trip form, so a
file loads back to exactly the arrays that were saved and a generator run with
the same seed rewrites the same bytes.

The generators put their float inputs on a grid of ``10**-DECIMALS`` (six
decimals) *before* labelling them. That keeps the files small and readable, and
because the label is computed from the stored number itself, every label in a
file is exactly right for the value written next to it, even a hair away from
a class boundary.

``load_dataset`` is the one loader every script and test uses. It checks the
structure of a file strictly (a bad file is a ``ValueError`` that names the file
and says what is wrong) and converts the targets to the model's output range
in the one place where that happens: ``model_targets``. Targets in a file
may be one-hot in ±1 (the seed's files), one-hot in 0/1 (the seed's later
files) or, for a regression problem, real numbers.
"""

import argparse
import itertools
import json
import math
import numbers
import operator
from pathlib import Path

import numpy as np

from src.activation_functions import ActivationFunction
from src import fileio
from src.fileio import atomic_write_text, describe_json, read_json
from src.problems import Problem, get_problem

DECIMALS = 6
GRID = 10 ** DECIMALS
ZERO_ONE_ACTIVATIONS = ("sigmoid", "softmax")
_MAX_BATCH = 4_000_000
_GIVE_UP_AFTER = 20_000_000
MAX_MISLABELLED = 0.01
"""The largest share of a classifier's data file whose labels may differ from the definition."""
MIN_DEFINITION_R2 = 0.5
"""The least share of a regression data file's target variance its definition must explain."""


def resolve_problem(problem) -> Problem:
    """A ``Problem`` from a ``Problem`` or a problem name (``ValueError`` if unknown)."""
    return problem if isinstance(problem, Problem) else get_problem(problem)


def as_batch(inputs, n_inputs: int):
    """``(batch, single)``: ``inputs`` as an array of shape ``(n, n_inputs)``.

    A 1-D ``inputs`` of length ``n_inputs`` is one sample; ``single`` is then
    ``True`` and the caller returns row 0 of its result. The dtype is kept, so
    integer inputs stay integers.
    """
    array = np.asarray(inputs)
    single = array.ndim == 1
    batch = array[np.newaxis, :] if single else array
    if batch.ndim != 2 or batch.shape[1] != n_inputs:
        raise ValueError(
            f"expected one sample of {n_inputs} numbers or an array of shape "
            f"(n, {n_inputs}), got shape {array.shape}"
        )
    return batch, single


def one_hot_pm1(classes, n_classes: int) -> np.ndarray:
    """Targets of shape ``(n, n_classes)``: +1 at each row's class index, -1 elsewhere."""
    classes = np.asarray(classes, dtype=np.int64)
    targets = np.full((classes.shape[0], n_classes), -1.0)
    targets[np.arange(classes.shape[0]), classes] = 1.0
    return targets


def class_indices(targets) -> np.ndarray:
    """The class index (position of the +1) of each row of one-hot targets, shape ``(n,)``."""
    return np.argmax(np.asarray(targets), axis=1)


def check_samples_per_class(samples_per_class) -> int:
    """``samples_per_class`` as an int, or a ``ValueError`` unless it is a whole number >= 1."""
    count = None
    if not isinstance(samples_per_class, (bool, np.bool_)):
        try:
            count = operator.index(samples_per_class)
        except TypeError:
            pass
    if count is None or count < 1:
        raise ValueError(f"samples_per_class must be a whole number >= 1, got {samples_per_class!r}")
    return count


def _real(value, name: str, requirement: str) -> float:
    is_number = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    if not (is_number and math.isfinite(value)):
        raise ValueError(f"{name} must be {requirement}, got {value!r}")
    return float(value)


def check_fraction(value, name: str) -> float:
    """``value`` as a float, or a ``ValueError`` unless it is a number in [0, 1]."""
    requirement = "a number between 0 and 1"
    fraction = _real(value, name, requirement)
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"{name} must be {requirement}, got {value!r}")
    return fraction


def check_non_negative(value, name: str) -> float:
    """``value`` as a float, or a ``ValueError`` unless it is a finite number >= 0."""
    requirement = "a finite number >= 0"
    number = _real(value, name, requirement)
    if number < 0.0:
        raise ValueError(f"{name} must be {requirement}, got {value!r}")
    return number


def on_grid(values) -> np.ndarray:
    """``values`` rounded to ``DECIMALS`` decimals, with -0.0 written as 0.0."""
    return np.round(np.asarray(values, dtype=np.float64), DECIMALS) + 0.0


def grid_uniform(rng, low_units: int, high_units: int, size) -> np.ndarray:
    """Uniform over the numbers ``k / GRID``, ``k`` whole from ``low_units`` to ``high_units``.

    Drawing on the grid directly keeps a domain's bounds exact: ``[0, 4)`` is
    ``grid_uniform(rng, 0, 4 * GRID - 1, size)`` and never yields 4.0, which
    rounding a continuous draw could. Both bounds are included. ``k / GRID``
    is the float nearest the decimal, so it is written with at most
    ``DECIMALS`` decimals.
    """
    return rng.integers(low_units, high_units, size=size, endpoint=True) / GRID


def sample_where(rng, draw, accept, n: int) -> np.ndarray:
    """``n`` samples from ``draw`` that ``accept`` keeps, in the order drawn.

    ``draw(rng, m)`` returns ``m`` candidate samples, shape ``(m, d)``;
    ``accept(candidates)`` returns a boolean mask of shape ``(m,)``. Candidates
    are drawn in vectorised batches sized from the acceptance rate seen so far,
    so the result is uniform over the accepted region of the draw and depends
    only on the state of ``rng``. Shape of the result: ``(n, d)``. A draw that
    ``accept`` never keeps is a ``ValueError`` rather than an endless loop.
    """
    chunks, found, tried = [draw(rng, 0)], 0, 0
    batch = n + 64
    while found < n:
        candidates = draw(rng, batch)
        kept = candidates[accept(candidates)]
        chunks.append(kept)
        found += kept.shape[0]
        tried += batch
        if found == 0 and tried >= _GIVE_UP_AFTER:
            raise ValueError(f"no sample accepted in {tried} draws: the region is empty or too small")
        rate = max(found / tried, 1e-3)
        batch = min(int(math.ceil((n - found) / rate * 1.1)) + 64, _MAX_BATCH)
    return np.concatenate(chunks)[:n]


def shuffled(rng, inputs, targets):
    """``(inputs, targets)`` with their rows in one random order drawn from ``rng``."""
    order = rng.permutation(inputs.shape[0])
    return inputs[order], targets[order]


def balanced_sample(rng, draw, label, samples_per_class: int, n_classes: int):
    """``samples_per_class`` samples of every class, shuffled: ``(inputs, targets)``.

    Each class is drawn by rejection from the same ``draw`` (see ``sample_where``),
    keeping the candidates that ``label`` puts in that class, so a class's samples
    are uniform over its part of the domain. Shapes ``(n_classes *
    samples_per_class, d)`` and ``(n_classes * samples_per_class, n_classes)``.
    """
    parts = [
        sample_where(rng, draw, lambda x, c=c: class_indices(label(x)) == c, samples_per_class)
        for c in range(n_classes)
    ]
    inputs = np.concatenate(parts)
    return shuffled(rng, inputs, label(inputs))


def stratified_split(classes, n_held: int, rng):
    """``(kept, held)``: sorted row indices, ``n_held`` of them held out in proportion to each class.

    ``classes`` ``(n,)`` holds each row's class index. Class ``c`` with ``n_c``
    rows gives ``floor(n_c * n_held / n)`` rows to ``held``, and the rows still
    missing go one each to the classes with the largest remainders (ties to
    the lower class index), so every class is within one row of its exact
    share. Which rows of a class are held is a permutation drawn from ``rng``
    (a ``np.random.Generator``), class by class in index order.
    """
    classes = np.asarray(classes, dtype=np.int64)
    n = classes.shape[0]
    if isinstance(n_held, bool) or not isinstance(n_held, (int, np.integer)) or not 0 <= n_held <= n:
        raise ValueError(f"the number of rows to hold out must be a whole number from 0 to {n}, got {n_held!r}")
    labels, counts = np.unique(classes, return_counts=True)
    quota = counts * n_held // max(n, 1)
    remainders = counts * n_held % max(n, 1)
    for position in sorted(range(labels.size), key=lambda i: (-remainders[i], i))[:n_held - quota.sum()]:
        quota[position] += 1
    held = np.concatenate([np.zeros(0, dtype=np.int64)] + [
        rng.permutation(np.flatnonzero(classes == c))[:q] for c, q in zip(labels, quota)])
    held = np.sort(held)
    return np.setdiff1d(np.arange(n), held), held


def targets_for_activation(targets_pm1, output_activation="tanh") -> np.ndarray:
    """One-hot targets in ±1 moved into the range of a model's output activation, as float64.

    ±1 is the range of tanh (the seed's output activation). A ``'sigmoid'`` or
    ``'softmax'`` output produces values in (0, 1), so its targets become 0/1
    by ``(t + 1) / 2``; ``'tanh'``, ``'linear'`` and every other activation keep
    ±1. ``output_activation`` is an activation's title or an object with a
    ``.title``. ``model_targets`` calls this for every classifier's targets.
    """
    title = output_activation
    if not isinstance(title, str):
        title = getattr(output_activation, "title", None)
    if not isinstance(title, str) or title not in ActivationFunction.titles():
        raise ValueError(
            f"output_activation must be an activation or its title "
            f"({', '.join(ActivationFunction.titles())}), got {output_activation!r}"
        )
    targets = np.array(targets_pm1, dtype=np.float64)
    if not np.isin(targets, (-1.0, 1.0)).all():
        raise ValueError("targets to convert must be -1 or 1")
    if title in ZERO_ONE_ACTIVATIONS:
        return (targets + 1.0) / 2.0
    return targets


def _pm1_one_hot_rows(targets: np.ndarray) -> np.ndarray:
    """Boolean mask, shape ``(n,)``: which rows are one-hot in ±1."""
    return np.isin(targets, (-1.0, 1.0)).all(axis=1) & ((targets == 1.0).sum(axis=1) == 1)


def _zero_one_hot_rows(targets: np.ndarray) -> np.ndarray:
    """Boolean mask, shape ``(n,)``: which rows are one-hot in 0/1."""
    return np.isin(targets, (0.0, 1.0)).all(axis=1) & ((targets == 1.0).sum(axis=1) == 1)


def as_pm1(targets) -> np.ndarray:
    """One-hot targets ``(n, k)`` given in ±1 or in 0/1, as ±1 float64.

    The seed's data files hold ±1 and its later files 0/1; a file must use one
    of the two throughout. Anything else is a ``ValueError`` that names the
    first sample that fits neither (``where`` is then added by the caller).
    """
    targets = np.asarray(targets, dtype=np.float64)
    pm1 = _pm1_one_hot_rows(targets)
    if pm1.all():
        return targets.copy()
    zero_one = _zero_one_hot_rows(targets)
    if zero_one.all():
        return 2.0 * targets - 1.0
    index = int(np.argmin(pm1 if pm1.sum() >= zero_one.sum() else zero_one))
    raise _TargetError(index)


class _TargetError(ValueError):
    """A target row that is one-hot neither in ±1 nor in 0/1 (``index`` counts from 0)."""

    def __init__(self, index):
        super().__init__(f"sample {index} is not one-hot in ±1 or in 0/1")
        self.index = index


def model_targets(targets, problem, output_activation="tanh") -> np.ndarray:
    """The targets a model of ``problem`` trains on and is measured against, float64 ``(n, k)``.

    This is the one place where targets are converted. A classifier's targets
    (one-hot, ±1 as the seed wrote them or 0/1 as its later files do) go into
    the range of the output activation (``targets_for_activation``): ±1 for
    tanh and the like, 0/1 for sigmoid and softmax. A regression's targets are
    real numbers in the problem's own units and are returned unchanged: its
    model has a linear output and scales its outputs itself.
    """
    problem = resolve_problem(problem)
    if problem.is_regression:
        return np.array(targets, dtype=np.float64)
    return targets_for_activation(as_pm1(targets), output_activation)


def _rows_json(rows) -> str:
    """The rows of a JSON list of lists of numbers, one row per line, indented."""
    return "    " + json.dumps(rows)[1:-1].replace("], [", "],\n    [")


def dataset_text(inputs, targets, problem) -> str:
    """The text of a data file holding ``inputs`` ``(n, d)`` and ``targets`` ``(n, k)``.

    A classifier's targets are written one-hot in ±1 (the seed's format), a
    regression's as the real numbers they are.
    """
    problem = resolve_problem(problem)
    inputs = np.asarray(inputs)
    targets = np.asarray(targets, dtype=np.float64)
    n = inputs.shape[0] if inputs.ndim == 2 else -1
    if inputs.shape != (n, problem.n_inputs) or n < 1:
        raise ValueError(
            f"{problem.name} inputs must have shape (n >= 1, {problem.n_inputs}), "
            f"got {inputs.shape}"
        )
    if targets.shape != (n, problem.n_outputs):
        raise ValueError(
            f"{problem.name} targets must have shape ({n}, {problem.n_outputs}), "
            f"got {targets.shape}"
        )
    as_float = inputs.astype(np.float64)
    if not np.isfinite(as_float).all():
        raise ValueError(f"{problem.name} inputs must be finite numbers")
    if problem.is_regression:
        if not np.isfinite(targets).all():
            raise ValueError(f"{problem.name} targets must be finite numbers")
    elif not _pm1_one_hot_rows(targets).all():
        raise ValueError(f"{problem.name} targets must be one-hot in ±1 (one 1 per row, -1 elsewhere)")
    if problem.integer_inputs:
        if not (as_float == np.floor(as_float)).all():
            raise ValueError(f"{problem.name} inputs must be whole numbers")
        if np.issubdtype(inputs.dtype, np.integer):
            input_rows = inputs.astype(np.int64).tolist()
        else:
            input_rows = [[int(value) for value in row] for row in as_float.tolist()]
    else:
        input_rows = as_float.tolist()
    target_rows = targets.tolist() if problem.is_regression else targets.astype(np.int64).tolist()
    return (
        "{\n"
        f"  {json.dumps(problem.input_key)}: [\n{_rows_json(input_rows)}\n  ],\n"
        f"  {json.dumps(problem.output_key)}: [\n{_rows_json(target_rows)}\n  ]\n"
        "}\n"
    )


def save_dataset(path, inputs, targets, problem) -> None:
    """Write a data file atomically, creating its folder if needed.

    ``inputs`` has shape ``(n, problem.n_inputs)`` and ``targets`` shape
    ``(n, problem.n_outputs)`` (±1 one-hot for a classifier); ``problem`` is a
    ``Problem`` or its name.
    The values are written exactly as given (see the module docstring).
    """
    text = dataset_text(inputs, targets, problem)
    if len(text) > fileio.MAX_FILE_BYTES:
        raise ValueError(f"refusing to write {path}: the file would be larger than "
                         f"{fileio.MAX_FILE_BYTES / 2**20:g} MiB, the most a data file may be read with")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, text)


def _json_kind(value) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    return "a number"


def _first_bad_sample(where: str, key: str, rows: list, width: int) -> str:
    """The message for the first sample of ``rows`` that is not ``width`` finite numbers."""
    for index, row in enumerate(rows):
        sample = f"{where}: sample {index} of {key!r}"
        if not isinstance(row, list):
            return f"{sample} is {describe_json(row)}, expected a list of {width} numbers"
        if len(row) != width:
            return f"{sample} has {len(row)} numbers, expected {width}"
        for value in row:
            if type(value) not in (int, float):
                return f"{sample} holds {describe_json(value)}, which is not a number"
            try:
                finite = math.isfinite(float(value))
            except OverflowError:
                finite = False
            if not finite:
                return f"{sample} holds a number that is not finite"
    return f"{where}: {key!r} is not a list of samples of {width} numbers"


def _matrix(where: str, key: str, rows: list, width: int) -> np.ndarray:
    """``rows`` (a JSON list of samples) as a float64 array ``(n, width)``, strictly checked."""
    shaped = all(type(row) is list and len(row) == width for row in rows)
    if not (shaped and set(map(type, itertools.chain.from_iterable(rows))) <= {int, float}):
        raise ValueError(_first_bad_sample(where, key, rows, width))
    try:
        matrix = np.array(rows, dtype=np.float64)
    except OverflowError:
        raise ValueError(_first_bad_sample(where, key, rows, width)) from None
    if not np.isfinite(matrix).all():
        raise ValueError(_first_bad_sample(where, key, rows, width))
    return matrix.reshape(len(rows), width)


def _samples_list(where: str, data: dict, key: str) -> list:
    if key not in data:
        keys = list(data)
        found = ", ".join(repr(k[:40]) for k in keys[:5]) or "none"
        if len(keys) > 5:
            found += f" and {len(keys) - 5} more"
        raise ValueError(f"{where}: has no {key!r} key (keys found: {found})")
    rows = data[key]
    if not isinstance(rows, list):
        raise ValueError(f"{where}: {key!r} is {describe_json(rows)}, expected a list of samples")
    if not rows:
        raise ValueError(f"{where}: {key!r} is empty, expected at least one sample")
    return rows


def load_dataset(path, problem, output_activation="tanh"):
    """Read a data file: ``(inputs, targets)``, float64, shapes ``(n, d)`` and ``(n, k)``.

    ``problem`` (a ``Problem`` or its name) gives the keys, ``d = n_inputs`` and
    ``k = n_outputs``. The file must be a JSON object whose two lists have the
    same number of samples (at least one), every sample a list of ``d`` (or
    ``k``) finite numbers (``true``/``false`` are not numbers). A classifier's
    targets are one-hot, all in ±1 (the seed's files) or all in 0/1 (its later
    files); a regression's are any finite numbers. A problem with whole-number
    inputs (red, digits) needs whole numbers within its domain. A missing file
    is a ``FileNotFoundError``; anything else wrong is a ``ValueError`` naming
    the file and the first problem found (samples are counted from 0). Other
    keys are ignored. The targets are returned by ``model_targets``, converted
    for ``output_activation``.
    """
    problem = resolve_problem(problem)
    where = f"data file {path}"
    data = read_json(path, what="data file")
    if not isinstance(data, dict):
        raise ValueError(
            f"{where}: holds {_json_kind(data)}, expected a JSON object "
            f"with the keys {problem.input_key!r} and {problem.output_key!r}"
        )
    input_rows = _samples_list(where, data, problem.input_key)
    target_rows = _samples_list(where, data, problem.output_key)
    if len(input_rows) != len(target_rows):
        raise ValueError(
            f"{where}: {problem.input_key!r} has {len(input_rows)} samples but "
            f"{problem.output_key!r} has {len(target_rows)}"
        )
    inputs = _matrix(where, problem.input_key, input_rows, problem.n_inputs)
    targets = _matrix(where, problem.output_key, target_rows, problem.n_outputs)
    if not problem.is_regression:
        try:
            as_pm1(targets)
        except _TargetError as err:
            raise ValueError(
                f"{where}: sample {err.index} of {problem.output_key!r} is "
                f"{describe_json(target_rows[err.index])}, expected one-hot targets, all in ±1 "
                "(exactly one 1, every other value -1) or all in 0/1 (one 1, every other 0)"
            ) from None
    if problem.integer_inputs:
        low, high = np.asarray(problem.input_low), np.asarray(problem.input_high)
        good = np.all((inputs == np.round(inputs)) & (inputs >= low) & (inputs <= high), axis=1)
        if not good.all():
            index = int(np.argmin(good))
            raise ValueError(
                f"{where}: sample {index} of {problem.input_key!r} is {describe_json(input_rows[index])}, "
                f"expected whole numbers from {low.min():g} to {high.max():g}"
            )
    _check_against_definition(where, inputs, targets, problem)
    return inputs, model_targets(targets, problem, output_activation)


def _check_against_definition(where, inputs, targets, problem):
    """Refuse a data file whose targets do not follow the problem's definition.

    A data file of another problem with the same number of inputs and outputs
    (sine's points given as xor) has the right shape but labels that disagree
    with this problem's ``label`` about half the time. A classifier's file may
    disagree on at most ``MAX_MISLABELLED`` of its samples; a regression's
    noise-free definition must explain at least ``MIN_DEFINITION_R2`` of the
    variance of its targets. Problems without a definition to draw from
    (``can_generate=False``) and problems outside the registry are not checked.
    """
    if not problem.can_generate or _registered(problem) is not problem:
        return
    expected = np.asarray(problem.generator.label(inputs), dtype=np.float64)
    if problem.is_regression:
        spread = np.sum((targets - targets.mean(axis=0)) ** 2)
        explained = 1.0 - np.sum((targets - expected) ** 2) / spread if spread > 0 else 1.0
        if explained < MIN_DEFINITION_R2:
            raise ValueError(
                f"{where}: its targets do not follow problem {problem.name}'s definition (it explains "
                f"{100 * max(explained, -9.99):.0f} % of their variance, at least "
                f"{100 * MIN_DEFINITION_R2:.0f} % expected): is it a data file of another problem?")
        return
    wrong = class_indices(as_pm1(targets)) != class_indices(expected)
    if wrong.mean() > MAX_MISLABELLED:
        first = int(np.argmax(wrong))
        raise ValueError(
            f"{where}: {int(wrong.sum()):,} of its {wrong.size:,} samples ({100 * wrong.mean():.1f} %) are "
            f"labelled otherwise than problem {problem.name}'s definition says (the first: sample {first}); "
            "is it a data file of another problem?")


def _registered(problem):
    """The registry's problem of that name (None for one made up outside ``data_generators/``)."""
    from src.problems import PROBLEMS

    return PROBLEMS.get(problem.name)


def fraction_argument(text: str) -> float:
    """An argparse type: a number in [0, 1]."""
    try:
        return check_fraction(float(text), "the fraction")
    except ValueError:
        message = f"expected a number between 0 and 1, got {text!r}"
        raise argparse.ArgumentTypeError(message) from None


def non_negative_argument(text: str) -> float:
    """An argparse type: a finite number >= 0."""
    try:
        return check_non_negative(float(text), "the value")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text!r}") from None


def summary(inputs, targets, problem) -> str:
    """A few lines describing a dataset: samples per class (or the target range) and each input's range."""
    problem = resolve_problem(problem)
    if problem.is_regression:
        lines = [f"  {name} from {targets[:, column].min():g} to {targets[:, column].max():g}"
                 for column, name in enumerate(problem.target_names)]
    else:
        counts = np.bincount(class_indices(targets), minlength=problem.n_classes)
        lines = [f"  {name}: {count}" for name, count in zip(problem.class_names, counts)]
    for column, name in enumerate(problem.input_names):
        values = inputs[:, column]
        lines.append(f"  {name} from {values.min():g} to {values.max():g}")
    return "\n".join(lines)
