"""Tests of the data generators: definitions, sampling, files and command lines.

Every expected label here is computed from the problem's definition (SPEC §4)
in plain Python, independently of the generators' ``label`` functions.
"""

import importlib
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from src.datasets import load_dataset
from src.problems import PROBLEMS, get_problem

ROOT = Path(__file__).resolve().parent.parent
# Every classifier in the registry that draws from a definition; each needs an
# independent reference definition in expected_class below.
NAMES = [name for name, problem in PROBLEMS.items() if problem.can_generate and not problem.is_regression]
RADIUS_SQUARED = 127 ** 2
# SPEC §4: the later version's iris boxes, (low, high) of sepal length, sepal width,
# petal length, petal width, for setosa, versicolor, virginica
IRIS_BOXES = [
    [(0.2, 0.4), (0.6, 0.8), (0.1, 0.3), (0.05, 0.25)],
    [(0.5, 0.7), (0.4, 0.6), (0.4, 0.6), (0.4, 0.6)],
    [(0.7, 0.9), (0.3, 0.5), (0.7, 0.9), (0.7, 0.9)],
]


def iris_species(sample):
    """The species whose box is nearest (distance 0 inside it; ties to the first)."""
    distances = [math.sqrt(sum(max(low - v, 0.0, v - high) ** 2 for v, (low, high) in zip(sample, box)))
                 for box in IRIS_BOXES]
    return distances.index(min(distances))


def generator(name):
    return importlib.import_module(f"data_generators.definition_of_{name}")


def expected_class(name, sample):
    """The class index of one sample by the definition in SPEC §4."""
    if name == "red":
        r, g, b = sample
        return 0 if (r - 255) ** 2 + g ** 2 + b ** 2 <= RADIUS_SQUARED else 1
    if name == "iris":
        return iris_species([float(value) for value in sample])
    x, y = (float(value) for value in sample)
    if name == "xor":
        return 0 if (x > 0.5) != (y > 0.5) else 1
    if name == "sine":
        return 0 if y > math.sin(x) else 1
    if name == "checkerboard":
        return 0 if (math.floor(x) + math.floor(y)) % 2 == 0 else 1
    if name != "quadrant":
        raise AssertionError(f"no reference definition of problem {name!r} in this test")
    if x > 0 and y > 0:
        return 0
    if x < 0 < y:
        return 1
    if x < 0 and y < 0:
        return 2
    if x > 0 > y:
        return 3
    raise AssertionError(f"quadrant sample on an axis: {sample}")


def expected_targets(name, inputs):
    n_classes = get_problem(name).n_classes
    rows = []
    for sample in inputs.tolist():
        row = [-1.0] * n_classes
        row[expected_class(name, sample)] = 1.0
        rows.append(row)
    return np.array(rows)


def class_of(targets):
    return np.argmax(targets, axis=1)


@pytest.fixture(scope="module")
def large_sets():
    """Each problem's dataset with 2000 samples per class, seed 7."""
    return {name: generator(name).generate(2000, seed=7) for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_every_generated_sample_is_labelled_by_the_definition(large_sets, name):
    inputs, targets = large_sets[name]
    np.testing.assert_array_equal(targets, expected_targets(name, inputs))


@pytest.mark.parametrize("name", NAMES)
def test_classes_are_balanced_and_interleaved(large_sets, name):
    inputs, targets = large_sets[name]
    n_classes = get_problem(name).n_classes
    assert inputs.shape == (2000 * n_classes, get_problem(name).n_inputs)
    assert targets.shape == (2000 * n_classes, n_classes)
    assert np.bincount(class_of(targets), minlength=n_classes).tolist() == [2000] * n_classes
    changes = np.count_nonzero(np.diff(class_of(targets)))
    assert changes > len(targets) // 3
    first_rows = class_of(targets[:50])
    assert len(set(first_rows.tolist())) == n_classes


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("count", [1, 3])
def test_small_counts_are_exact(name, count):
    inputs, targets = generator(name).generate(count, seed=1)
    n_classes = get_problem(name).n_classes
    assert np.bincount(class_of(targets), minlength=n_classes).tolist() == [count] * n_classes
    np.testing.assert_array_equal(targets, expected_targets(name, inputs))


def test_red_inputs_are_integers_in_the_cube(large_sets):
    inputs, _ = large_sets["red"]
    assert inputs.dtype == np.int64
    assert inputs.min() >= 0 and inputs.max() <= 255


def test_red_covers_the_dark_and_light_corners(large_sets):
    inputs, targets = large_sets["red"]
    not_red = inputs[class_of(targets) == 1]
    assert np.count_nonzero((not_red < 64).all(axis=1)) >= 10
    assert np.count_nonzero((not_red > 191).all(axis=1)) >= 10


def test_red_classes_are_uniform_over_their_regions(large_sets):
    inputs, targets = large_sets["red"]
    axis = np.arange(256)
    r, g, b = np.meshgrid(axis, axis, axis, indexing="ij", sparse=True)
    is_red = (r - 255) ** 2 + g ** 2 + b ** 2 <= RADIUS_SQUARED
    full = np.broadcast_arrays(r, g, b)
    for index, region in ((0, is_red), (1, ~is_red)):
        exact_mean = np.array([component[region].mean() for component in full])
        drawn_mean = inputs[class_of(targets) == index].mean(axis=0)
        assert np.abs(drawn_mean - exact_mean).max() < 4.0


def squared_distances(inputs):
    return [(r - 255) ** 2 + g ** 2 + b ** 2 for r, g, b in inputs.tolist()]


def test_red_surface_fraction_one_draws_only_the_shells():
    inputs, targets = generator("red").generate(1000, seed=2, surface_fraction=1.0)
    distances = np.array(squared_distances(inputs))
    red = class_of(targets) == 0
    assert np.count_nonzero(red) == 1000
    assert ((distances[red] > 123 ** 2) & (distances[red] <= 127 ** 2)).all()
    assert ((distances[~red] > 127 ** 2) & (distances[~red] <= 131 ** 2)).all()
    assert inputs.min() >= 0 and inputs.max() <= 255
    np.testing.assert_array_equal(targets, expected_targets("red", inputs))


def test_red_surface_fraction_sets_the_share_near_the_sphere():
    near = []
    for fraction in (0.0, 0.5):
        inputs, targets = generator("red").generate(1000, seed=2, surface_fraction=fraction)
        distances = np.array(squared_distances(inputs))
        near.append(np.count_nonzero((distances > 123 ** 2) & (distances <= 131 ** 2)))
        np.testing.assert_array_equal(targets, expected_targets("red", inputs))
    assert near[0] < 150
    assert near[1] >= 1000


def test_float_inputs_have_at_most_six_decimals(large_sets):
    for name in (name for name in NAMES if not get_problem(name).integer_inputs):
        values = large_sets[name][0].ravel().tolist()
        assert all(value == round(value, 6) for value in values), name


def test_xor_points_lie_around_their_corners(large_sets):
    inputs, targets = large_sets["xor"]
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    distances = np.linalg.norm(inputs[:, None, :] - corners[None, :, :], axis=2)
    assert distances.min(axis=1).max() < 0.7
    nearest = distances.argmin(axis=1)
    for index, own_corners in ((0, (1, 2)), (1, (0, 3))):
        counts = np.bincount(nearest[class_of(targets) == index], minlength=4)
        assert counts[list(own_corners)].sum() >= 1995
        assert min(counts[list(own_corners)]) > 800
    assert 0.07 < np.std(inputs - np.round(inputs)) < 0.13


def test_xor_noise_zero_gives_the_four_corners_exactly():
    inputs, targets = generator("xor").generate(50, seed=3, noise=0.0)
    assert {tuple(row) for row in inputs.tolist()} == {(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)}
    np.testing.assert_array_equal(targets, expected_targets("xor", inputs))


def test_sine_domain(large_sets):
    inputs, _ = large_sets["sine"]
    assert inputs[:, 0].min() >= 0 and inputs[:, 0].max() <= 2 * math.pi
    assert inputs[:, 1].min() >= -1.5 and inputs[:, 1].max() <= 1.5
    assert inputs[:, 0].max() > 6.2 and inputs[:, 1].min() < -1.45 and inputs[:, 1].max() > 1.45


def test_checkerboard_domain_and_every_square_used(large_sets):
    inputs, _ = large_sets["checkerboard"]
    assert inputs.min() >= 0 and inputs.max() < 4
    squares = {(math.floor(x), math.floor(y)) for x, y in inputs.tolist()}
    assert squares == {(i, j) for i in range(4) for j in range(4)}


def test_quadrant_domain_leaves_out_the_strips(large_sets):
    inputs, targets = large_sets["quadrant"]
    assert np.abs(inputs).max() <= 5
    assert np.abs(inputs).min() >= 0.1
    assert np.abs(inputs).max() > 4.95 and np.abs(inputs).min() < 0.11
    assert np.bincount(class_of(targets)).tolist() == [2000] * 4


@pytest.mark.parametrize("colour, is_red", [
    ((255, 127, 0), True),
    ((255, 0, 127), True),
    ((128, 0, 0), True),
    ((127, 0, 0), False),
    ((255, 127, 1), False),
    ((255, 128, 0), False),
    ((255, 0, 0), True),
    ((0, 0, 0), False),
    ((255, 255, 255), False),
    ((128.01, 0.0, 0.0), True),
    ((127.99, 0.0, 0.0), False),
    ((128.0, 0.0, 0.0), True),
    ((255.0, 126.99, 0.0), True),
    ((255.0, 0.0, 127.01), False),
])
def test_red_boundary(colour, is_red):
    expected = [1.0, -1.0] if is_red else [-1.0, 1.0]
    assert generator("red").label(np.array(colour)).tolist() == expected
    assert generator("red").label(np.array([colour])).tolist() == [expected]


def test_red_is_exact_on_every_integer_point_near_the_sphere():
    axis = np.arange(256)
    r, g, b = (grid.ravel() for grid in np.meshgrid(axis, axis, axis, indexing="ij"))
    distance = (r - 255) ** 2 + g ** 2 + b ** 2
    near = np.abs(distance - RADIUS_SQUARED) <= 400
    colours = np.column_stack([r[near], g[near], b[near]])
    assert np.count_nonzero(distance[near] == RADIUS_SQUARED) > 0
    targets = generator("red").label(colours)
    np.testing.assert_array_equal(class_of(targets), np.where(distance[near] <= RADIUS_SQUARED, 0, 1))
    np.testing.assert_array_equal(generator("red").label(colours.astype(np.uint8)), targets)
    np.testing.assert_array_equal(generator("red").label(colours.astype(np.float64)), targets)


def test_red_uint8_input_does_not_wrap_around():
    assert generator("red").label(np.array([0, 0, 0], dtype=np.uint8)).tolist() == [-1.0, 1.0]
    assert generator("red").label(np.array([200, 10, 10], dtype=np.uint8)).tolist() == [1.0, -1.0]


@pytest.mark.parametrize("point, is_true", [
    ((0.5, 0.9), True),
    ((0.5, 0.5), False),
    ((0.500001, 0.5), True),
    ((float(np.nextafter(0.5, 1.0)), 0.2), True),
    ((0.9, 0.9), False),
    ((-3.0, 7.0), True),
])
def test_xor_boundary(point, is_true):
    expected = [1.0, -1.0] if is_true else [-1.0, 1.0]
    assert generator("xor").label(np.array(point)).tolist() == expected


def test_sine_points_exactly_on_the_curve_are_below():
    x = np.linspace(0.0, 2 * math.pi, 1001)
    on_curve = np.sin(x)
    label = generator("sine").label
    assert (class_of(label(np.column_stack([x, on_curve]))) == 1).all()
    assert (class_of(label(np.column_stack([x, np.nextafter(on_curve, np.inf)]))) == 0).all()
    assert (class_of(label(np.column_stack([x, np.nextafter(on_curve, -np.inf)]))) == 1).all()


@pytest.mark.parametrize("point, is_above", [
    ((0.0, 0.0), False),
    ((0.0, 5e-324), True),
    ((math.pi / 2, 1.0), False),
    ((math.pi / 2, float(np.nextafter(1.0, 2.0))), True),
    ((3 * math.pi / 2, -1.0), False),
    ((3 * math.pi / 2, float(np.nextafter(-1.0, 0.0))), True),
    ((1.0, 1.5), True),
    ((1.0, -1.5), False),
])
def test_sine_boundary(point, is_above):
    expected = [1.0, -1.0] if is_above else [-1.0, 1.0]
    assert generator("sine").label(np.array(point)).tolist() == expected


@pytest.mark.parametrize("point, is_black", [
    ((1.0, 0.0), False),
    ((float(np.nextafter(1.0, 0.0)), 0.0), True),
    ((0.999999, 0.5), True),
    ((1.0, 1.0), True),
    ((2.0, 3.0), False),
    ((3.999999, 3.999999), True),
    ((4.0, 0.0), True),
    ((-0.5, 0.5), False),
    ((0.0, 0.0), True),
])
def test_checkerboard_boundary(point, is_black):
    expected = [1.0, -1.0] if is_black else [-1.0, 1.0]
    assert generator("checkerboard").label(np.array(point)).tolist() == expected


@pytest.mark.parametrize("point, quadrant", [
    ((1.0, 1.0), 0),
    ((-1.0, 1.0), 1),
    ((-1.0, -1.0), 2),
    ((1.0, -1.0), 3),
    ((0.0, 0.0), 0),
    ((-0.0, 1.0), 0),
    ((-1.0, 0.0), 1),
    ((-1.0, -0.0), 1),
    ((0.0, -1.0), 3),
    ((5e-324, -5e-324), 3),
])
def test_quadrant_boundary(point, quadrant):
    expected = [-1.0] * 4
    expected[quadrant] = 1.0
    assert generator("quadrant").label(np.array(point)).tolist() == expected


@pytest.mark.parametrize("name", NAMES)
def test_label_of_one_sample_is_the_row_of_the_batch(large_sets, name):
    inputs, targets = large_sets[name]
    label = generator(name).label
    for index in (0, 1, 2, 500):
        single = label(inputs[index])
        assert single.shape == (get_problem(name).n_classes,)
        np.testing.assert_array_equal(single, targets[index])


@pytest.mark.parametrize("name", NAMES)
def test_label_rejects_the_wrong_width(name):
    width = get_problem(name).n_inputs
    with pytest.raises(ValueError):
        generator(name).label(np.zeros((4, width + 1)))
    with pytest.raises(ValueError):
        generator(name).label(np.zeros(width - 1))
    with pytest.raises(ValueError):
        generator(name).label(np.zeros((2, 2, width)))


channel = st.integers(min_value=0, max_value=255)
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@settings(deadline=None)
@given(channel, channel, channel)
def test_red_matches_the_integer_definition_and_is_symmetric_in_g_and_b(r, g, b):
    label = generator("red").label
    expected = [1.0, -1.0] if (r - 255) ** 2 + g * g + b * b <= 16129 else [-1.0, 1.0]
    assert label(np.array([r, g, b])).tolist() == expected
    assert label(np.array([r, b, g])).tolist() == expected


@settings(deadline=None)
@given(st.tuples(*[st.floats(min_value=0, max_value=255, allow_nan=False)] * 3))
def test_red_float_labels_are_symmetric_in_g_and_b(colour):
    r, g, b = colour
    label = generator("red").label
    assert label(np.array([r, g, b])).tolist() == label(np.array([r, b, g])).tolist()


dyadic = st.builds(lambda whole, part: whole + part / 1024, st.integers(0, 2), st.integers(0, 1023))


@settings(deadline=None)
@given(dyadic, st.builds(lambda whole, part: whole + part / 1024, st.integers(0, 3), st.integers(0, 1023)))
def test_checkerboard_flips_when_x_or_y_moves_by_one(x, y):
    label = generator("checkerboard").label
    here = label(np.array([x, y]))
    assert label(np.array([x + 1.0, y])).tolist() == (-here).tolist()
    assert label(np.array([y, x + 1.0])).tolist() == (-label(np.array([y, x]))).tolist()
    assert label(np.array([x + 2.0, y])).tolist() == here.tolist()
    assert here.tolist() == ([1.0, -1.0] if (math.floor(x) + math.floor(y)) % 2 == 0 else [-1.0, 1.0])


@settings(deadline=None)
@given(finite.filter(lambda v: v != 0), finite.filter(lambda v: v != 0))
def test_quadrant_labels_follow_the_signs(x, y):
    expected = [-1.0] * 4
    expected[{(True, True): 0, (False, True): 1, (False, False): 2, (True, False): 3}[(x > 0, y > 0)]] = 1.0
    assert generator("quadrant").label(np.array([x, y])).tolist() == expected


@settings(deadline=None)
@given(st.floats(min_value=-20, max_value=20, allow_nan=False), st.floats(min_value=-2, max_value=2, allow_nan=False))
def test_sine_label_follows_the_sign_of_y_minus_sin_x(x, y):
    expected = [1.0, -1.0] if y - math.sin(x) > 0 else [-1.0, 1.0]
    assert generator("sine").label(np.array([x, y])).tolist() == expected


@settings(deadline=None)
@given(st.sampled_from(NAMES), st.lists(st.tuples(finite, finite, finite, finite), min_size=1, max_size=20))
def test_labels_are_one_hot_in_plus_minus_one(name, rows):
    width = get_problem(name).n_inputs
    inputs = np.array([row[:width] for row in rows])
    targets = generator(name).label(inputs)
    assert targets.shape == (len(rows), get_problem(name).n_classes)
    assert targets.dtype == np.float64
    assert np.isin(targets, (-1.0, 1.0)).all()
    assert ((targets == 1.0).sum(axis=1) == 1).all()


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_data_other_seed_other_data(name):
    first = generator(name).generate(30, seed=11)
    again = generator(name).generate(30, seed=11)
    other = generator(name).generate(30, seed=12)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize("name", NAMES)
def test_a_generator_object_can_be_passed_as_the_seed(name):
    rng = np.random.default_rng(5)
    first = generator(name).generate(10, seed=rng)
    second = generator(name).generate(10, seed=rng)
    np.testing.assert_array_equal(first[0], generator(name).generate(10, seed=np.random.default_rng(5))[0])
    assert not np.array_equal(first[0], second[0])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "10", None])
def test_generate_rejects_bad_sample_counts(name, bad):
    with pytest.raises(ValueError):
        generator(name).generate(bad)


@pytest.mark.parametrize("bad", [-0.1, 1.1, float("nan"), "0.5", None])
def test_red_rejects_bad_surface_fractions(bad):
    with pytest.raises(ValueError):
        generator("red").generate(10, surface_fraction=bad)


@pytest.mark.parametrize("bad", [-0.1, float("inf"), float("nan"), "0.1"])
def test_xor_rejects_bad_noise(bad):
    with pytest.raises(ValueError):
        generator("xor").generate(10, noise=bad)


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_writes_the_same_bytes(tmp_path, capsys, name):
    paths = [tmp_path / f"{label}.json" for label in ("a", "b", "c")]
    for path, seed in zip(paths, ("3", "3", "4")):
        generator(name).main(["--samples-per-class", "20", "--seed", seed, "--output", str(path)])
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize("name", NAMES)
def test_written_file_holds_what_generate_returns(tmp_path, capsys, name):
    path = tmp_path / "data.json"
    generator(name).main(["--samples-per-class", "15", "--seed", "9", "--output", str(path)])
    inputs, targets = generator(name).generate(15, seed=9)
    loaded_inputs, loaded_targets = load_dataset(path, name)
    np.testing.assert_array_equal(loaded_inputs, inputs)
    np.testing.assert_array_equal(loaded_targets, targets)
    problem = get_problem(name)
    assert set(json.loads(path.read_text())) == {problem.input_key, problem.output_key}
    output = capsys.readouterr().out
    assert str(path) in output
    for class_name in problem.class_names:
        assert f"{class_name}: 15" in output


@pytest.mark.parametrize("name", NAMES)
def test_committed_data_files_regenerate_byte_for_byte(tmp_path, capsys, name):
    path = tmp_path / "regenerated.json"
    generator(name).main(["--output", str(path)])
    committed = get_problem(name).data_path
    assert path.read_bytes() == committed.read_bytes()
    inputs, targets = load_dataset(committed, name)
    per_class = generator(name).DEFAULT_SAMPLES_PER_CLASS
    assert per_class == {"quadrant": 125, "iris": 300}.get(name, 250)
    assert np.bincount(class_of(targets)).tolist() == [per_class] * get_problem(name).n_classes
    np.testing.assert_array_equal(targets, expected_targets(name, inputs))


def run_script(arguments, cwd):
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([sys.executable, *arguments], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("name", NAMES)
def test_script_runs_from_another_folder(tmp_path, name):
    script = ROOT / "data_generators" / f"definition_of_{name}.py"
    result = run_script([str(script), "--output", "out.json", "--samples-per-class", "5"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    inputs, targets = load_dataset(tmp_path / "out.json", name)
    assert len(inputs) == 5 * get_problem(name).n_classes


@pytest.mark.parametrize("name", NAMES)
def test_script_help_and_usage_errors(tmp_path, name):
    script = str(ROOT / "data_generators" / f"definition_of_{name}.py")
    helped = run_script([script, "--help"], tmp_path)
    assert helped.returncode == 0
    assert "--samples-per-class" in helped.stdout and "--seed" in helped.stdout and "--output" in helped.stdout
    negative = run_script([script, "--samples-per-class", "-3", "--output", "x.json"], tmp_path)
    assert negative.returncode == 2
    assert "usage:" in negative.stderr
    assert not (tmp_path / "x.json").exists()


def test_module_form_and_red_options(tmp_path):
    result = run_script(["-m", "data_generators.definition_of_red", "--samples-per-class", "40",
                         "--surface-fraction", "1", "--output", str(tmp_path / "red.json")], ROOT)
    assert result.returncode == 0, result.stderr
    inputs, targets = load_dataset(tmp_path / "red.json", "red")
    distances = np.array(squared_distances(inputs.astype(np.int64)))
    assert ((distances > 123 ** 2) & (distances <= 131 ** 2)).all()
    for bad in ("1.5", "-0.1", "nan", "half"):
        rejected = run_script(["-m", "data_generators.definition_of_red", "--surface-fraction", bad,
                               "--output", str(tmp_path / "bad.json")], ROOT)
        assert rejected.returncode == 2, bad
    assert not (tmp_path / "bad.json").exists()


def test_unwritable_output_is_one_line_and_exit_1(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    script = str(ROOT / "data_generators" / "definition_of_xor.py")
    result = run_script([script, "--output", str(blocker / "x.json")], tmp_path)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


# --- iris: the later version's boxes ---

def test_iris_species_fill_their_own_boxes(large_sets):
    inputs, targets = large_sets["iris"]
    for species, box in enumerate(IRIS_BOXES):
        flowers = inputs[class_of(targets) == species]
        for column, (low, high) in enumerate(box):
            values = flowers[:, column]
            assert values.min() >= low and values.max() <= high
            assert values.min() < low + 0.002 and values.max() > high - 0.002
            assert abs(values.mean() - (low + high) / 2) < 0.005  # uniform: the middle on average


@pytest.mark.parametrize("flower, species", [
    ((0.3, 0.7, 0.2, 0.15), 0),
    ((0.6, 0.5, 0.5, 0.5), 1),
    ((0.8, 0.4, 0.8, 0.8), 2),
    ((0.7, 0.45, 0.6, 0.6), 1),     # on versicolor's corner, inside its box
    ((0.7, 0.45, 0.7, 0.7), 2),     # on virginica's corner
    ((0.0, 1.0, 0.0, 0.0), 0),      # outside every box: nearest is setosa's
    ((1.0, 0.0, 1.0, 1.0), 2),
    ((0.6, 0.5, 0.35, 0.3), 1),     # petals between setosa's and versicolor's boxes, sepals in versicolor's
])
def test_iris_boundary(flower, species):
    expected = [-1.0] * 3
    expected[species] = 1.0
    assert iris_species(flower) == species
    assert generator("iris").label(np.array(flower)).tolist() == expected


# --- linear_regression: a formula plus Gaussian noise ---

def house_price(u1, u2, u3):
    """SPEC §4, written out: the noise-free price in k$."""
    sqft, bedrooms, age = 500 + 2500 * u1, 1 + 4 * u2, 50 * u3
    return 100 + 0.15 * sqft + 50 * bedrooms - 2 * age


def test_linear_regression_label_is_the_price_formula():
    rng = np.random.default_rng(3)
    houses = rng.uniform(0, 1, size=(200, 3))
    expected = np.array([[house_price(*row)] for row in houses.tolist()])
    prices = generator("linear_regression").label(houses)
    assert prices.shape == (200, 1)
    np.testing.assert_allclose(prices, expected, rtol=1e-13)
    assert generator("linear_regression").label(np.array([0.0, 0.0, 1.0])).tolist() == [125.0]
    assert generator("linear_regression").label(np.array([1.0, 1.0, 0.0])).tolist() == [800.0]
    with pytest.raises(ValueError):
        generator("linear_regression").label(np.zeros((2, 4)))


def test_linear_regression_samples_are_the_formula_plus_noise_of_20():
    module = generator("linear_regression")
    inputs, targets = module.generate(40_000, seed=5)
    assert inputs.shape == (40_000, 3) and targets.shape == (40_000, 1)
    assert inputs.min() >= 0 and inputs.max() <= 1 and inputs.min() < 1e-3 and inputs.max() > 0.999
    assert all(value == round(value, 6) for value in inputs[:500].ravel().tolist() + targets[:500].ravel().tolist())
    noise = targets[:, 0] - np.array([house_price(*row) for row in inputs.tolist()])
    assert abs(noise.mean()) < 0.3 and abs(noise.std() - 20.0) < 0.3
    assert abs(np.corrcoef(noise, inputs[:, 0])[0, 1]) < 0.02  # independent of the house
    clean_inputs, clean = module.generate(50, seed=5, noise=0.0)
    np.testing.assert_allclose(clean, [[house_price(*row)] for row in clean_inputs.tolist()], atol=5e-7)
    np.testing.assert_array_equal(clean_inputs, inputs[:50])
    for bad in (-1.0, float("nan"), "20"):
        with pytest.raises(ValueError):
            module.generate(10, noise=bad)
    with pytest.raises(ValueError):
        module.generate(0)


def test_linear_regression_file_regenerates_and_the_command_line(tmp_path, capsys):
    module = generator("linear_regression")
    module.main(["--output", str(tmp_path / "default.json")])
    assert (tmp_path / "default.json").read_bytes() == get_problem("linear_regression").data_path.read_bytes()
    inputs, targets = load_dataset(get_problem("linear_regression").data_path, "linear_regression")
    expected_inputs, expected_targets = module.generate(1000, seed=0)
    np.testing.assert_array_equal(inputs, expected_inputs)
    np.testing.assert_array_equal(targets, expected_targets)
    module.main(["--samples", "7", "--seed", "3", "--noise", "0", "--output", str(tmp_path / "small.json")])
    small_inputs, small_targets = load_dataset(tmp_path / "small.json", "linear_regression")
    assert small_inputs.shape == (7, 3)
    np.testing.assert_allclose(small_targets, module.label(small_inputs), atol=5e-7)
    assert "price from" in capsys.readouterr().out
    result = run_script([str(ROOT / "data_generators" / "definition_of_linear_regression.py"), "--noise", "-2",
                         "--output", "x.json"], tmp_path)
    assert result.returncode == 2 and "usage:" in result.stderr and not (tmp_path / "x.json").exists()
