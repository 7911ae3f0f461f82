"""Tests of writing, loading and converting datasets (src/datasets.py)."""

import json
import types

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from src.datasets import (
    as_batch,
    balanced_sample,
    load_dataset,
    one_hot_pm1,
    sample_where,
    save_dataset,
    summary,
    targets_for_activation,
)
from src.problems import PROBLEMS, Problem, get_problem

XOR_TARGETS = [[1, -1], [-1, 1]]


def write(tmp_path, content, name="data.json"):
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def xor_file(inputs=None, targets=None, **extra):
    data = {
        "Input_Values": [[0.1, 0.9], [0.2, 0.2]] if inputs is None else inputs,
        "Output_Values": XOR_TARGETS if targets is None else targets,
    }
    data.update(extra)
    return data


def test_round_trip_of_a_two_input_file_is_exact(tmp_path):
    inputs = np.array([[0.1 + 0.2, -0.0], [1e-300, 5e-324], [123456.789012345, -2.5]])
    targets = np.array([[-1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]])  # as xor's definition labels them
    path = tmp_path / "xor.json"
    save_dataset(path, inputs, targets, "xor")
    loaded_inputs, loaded_targets = load_dataset(path, "xor")
    assert loaded_inputs.dtype == np.float64 and loaded_targets.dtype == np.float64
    np.testing.assert_array_equal(loaded_inputs, inputs)
    assert np.signbit(loaded_inputs[0, 1])
    np.testing.assert_array_equal(loaded_targets, targets)


@settings(deadline=None, max_examples=50)
@given(arrays(np.float64, st.tuples(st.integers(1, 8), st.just(2)),
              elements=st.floats(allow_nan=False, allow_infinity=False)),
       st.data())
def test_any_finite_floats_survive_a_round_trip(tmp_path_factory, inputs, data):
    targets = get_problem("quadrant").generator.label(inputs)  # a file is refused unless they agree
    path = tmp_path_factory.mktemp("round") / "quadrant.json"
    save_dataset(path, inputs, targets, get_problem("quadrant"))
    loaded_inputs, loaded_targets = load_dataset(path, "quadrant")
    assert loaded_inputs.tobytes() == inputs.tobytes()
    np.testing.assert_array_equal(loaded_targets, targets)


def test_red_file_has_the_seed_keys_and_integers(tmp_path):
    inputs = np.array([[255, 0, 0], [0, 0, 0], [138, 10, 20]], dtype=np.int64)
    targets = np.array([[1, -1], [-1, 1], [1, -1]])
    path = tmp_path / "red.json"
    save_dataset(path, inputs, targets, "red")
    data = json.loads(path.read_text())
    assert list(data) == ["RGB_Values", "Is_Red"]
    assert data["RGB_Values"] == [[255, 0, 0], [0, 0, 0], [138, 10, 20]]
    assert data["Is_Red"] == [[1, -1], [-1, 1], [1, -1]]
    assert all(type(value) is int for row in data["RGB_Values"] + data["Is_Red"] for value in row)
    assert "[255, 0, 0]" in path.read_text() and "[1, -1]" in path.read_text()
    loaded_inputs, loaded_targets = load_dataset(path, "red")
    np.testing.assert_array_equal(loaded_inputs, inputs)
    np.testing.assert_array_equal(loaded_targets, targets)


def test_red_whole_float_inputs_are_written_as_integers(tmp_path):
    path = tmp_path / "red.json"
    save_dataset(path, np.array([[200.0, 3.0, 4.0]]), np.array([[1.0, -1.0]]), "red")
    assert json.loads(path.read_text())["RGB_Values"] == [[200, 3, 4]]
    assert type(json.loads(path.read_text())["RGB_Values"][0][0]) is int


def test_other_problems_use_input_and_output_values(tmp_path):
    for name, problem in PROBLEMS.items():
        if name == "red":
            continue
        path = tmp_path / f"{name}.json"
        targets = np.zeros((1, 1)) if problem.is_regression else one_hot_pm1([0], problem.n_classes)
        save_dataset(path, np.zeros((1, problem.n_inputs)), targets, problem)
        assert list(json.loads(path.read_text())) == ["Input_Values", "Output_Values"]


def test_one_sample_per_line(tmp_path):
    path = tmp_path / "xor.json"
    save_dataset(path, np.array([[0.5, 0.25], [1.0, 0.0]]), np.array(XOR_TARGETS), "xor")
    lines = path.read_text().splitlines()
    assert "    [0.5, 0.25]," in lines and "    [1.0, 0.0]" in lines
    assert "    [1, -1]," in lines
    assert path.read_text().endswith("}\n")


def test_save_creates_the_folder(tmp_path):
    path = tmp_path / "new" / "deeper" / "xor.json"
    save_dataset(path, np.array([[0.0, 1.0]]), np.array([[1, -1]]), "xor")
    assert load_dataset(path, "xor")[0].tolist() == [[0.0, 1.0]]


@pytest.mark.parametrize("name, inputs, targets", [
    ("xor", np.zeros((2, 3)), np.array(XOR_TARGETS)),
    ("xor", np.zeros((2, 2)), np.array([[1, -1]])),
    ("xor", np.zeros((0, 2)), np.zeros((0, 2))),
    ("xor", np.zeros(2), np.array([1, -1])),
    ("xor", np.array([[np.nan, 0.0], [0.0, 0.0]]), np.array(XOR_TARGETS)),
    ("xor", np.zeros((2, 2)), np.array([[1, 1], [-1, 1]])),
    ("xor", np.zeros((2, 2)), np.array([[1, 0], [0, 1]])),
    ("red", np.array([[1.5, 0.0, 0.0]]), np.array([[-1, 1]])),
    ("quadrant", np.zeros((1, 2)), np.array([[1, -1]])),
])
def test_save_rejects_bad_arrays_and_writes_nothing(tmp_path, name, inputs, targets):
    path = tmp_path / "data.json"
    with pytest.raises(ValueError):
        save_dataset(path, inputs, targets, name)
    assert list(tmp_path.iterdir()) == []


def test_save_keeps_the_old_file_when_the_new_data_is_bad(tmp_path):
    path = tmp_path / "xor.json"
    save_dataset(path, np.array([[0.0, 1.0]]), np.array([[1, -1]]), "xor")
    before = path.read_bytes()
    with pytest.raises(ValueError):
        save_dataset(path, np.array([[np.inf, 1.0]]), np.array([[1, -1]]), "xor")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["xor.json"]


BAD_FILES = [
    ("", "is empty"),
    ("  \n", "is empty"),
    ("{not json", "is not valid JSON"),
    ('{"Input_Values": [[0.1, 0.2]], "Output_Values": [[1, -1]]', "is not valid JSON"),
    ("[[0.1, 0.2]]", "holds a list, expected a JSON object"),
    ('"text"', "holds a string, expected a JSON object"),
    ("3", "holds a number, expected a JSON object"),
    ("null", "holds null, expected a JSON object"),
    ({"Output_Values": XOR_TARGETS}, "has no 'Input_Values' key"),
    ({"Input_Values": [[0.1, 0.2]]}, "has no 'Output_Values' key"),
    ({"RGB_Values": [[1, 2, 3]], "Is_Red": [[1, -1]]}, "has no 'Input_Values' key (keys found: 'RGB_Values', 'Is_Red')"),
    (xor_file(inputs={"a": 1}), "'Input_Values' is {\"a\": 1}, expected a list of samples"),
    (xor_file(inputs=None, targets="[[1, -1]]"), "'Output_Values' is '[[1, -1]]', expected a list of samples"),
    (xor_file(inputs=[], targets=[]), "'Input_Values' is empty, expected at least one sample"),
    (xor_file(inputs=[[0.1, 0.2]], targets=[]), "'Output_Values' is empty"),
    (xor_file(inputs=[[0.1, 0.2]]), "'Input_Values' has 1 samples but 'Output_Values' has 2"),
    (xor_file(inputs=[[0.1, 0.2], [0.1, 0.2, 0.3]]), "sample 1 of 'Input_Values' has 3 numbers, expected 2"),
    (xor_file(inputs=[[0.1], [0.1, 0.2]]), "sample 0 of 'Input_Values' has 1 numbers, expected 2"),
    (xor_file(targets=[[1, -1], [-1, 1, -1]]), "sample 1 of 'Output_Values' has 3 numbers, expected 2"),
    (xor_file(inputs=[0.1, 0.2]), "sample 0 of 'Input_Values' is 0.1, expected a list of 2 numbers"),
    ('{"Input_Values": [[NaN, 0.2], [0.1, 0.2]], "Output_Values": [[1, -1], [-1, 1]]}', "NaN"),
    ('{"Input_Values": [[Infinity, 0.2], [0.1, 0.2]], "Output_Values": [[1, -1], [-1, 1]]}', "Infinity"),
    ('{"Input_Values": [[0.1, -Infinity], [0.1, 0.2]], "Output_Values": [[1, -1], [-1, 1]]}', "Infinity"),
    ('{"Input_Values": [[0.1, 0.2], [1e400, 0.2]], "Output_Values": [[1, -1], [-1, 1]]}',
     "sample 1 of 'Input_Values' holds a number that is not finite"),
    ('{"Input_Values": [[0.1, 0.2], [1' + "0" * 400 + ', 0.2]], "Output_Values": [[1, -1], [-1, 1]]}',
     "sample 1 of 'Input_Values' holds a number that is not finite"),
    (xor_file(inputs=[[0.1, "0.2"], [0.1, 0.2]]), "sample 0 of 'Input_Values' holds '0.2', which is not a number"),
    (xor_file(inputs=[[0.1, 0.2], [True, 0.2]]), "sample 1 of 'Input_Values' holds true, which is not a number"),
    (xor_file(inputs=[[0.1, 0.2], [0.1, None]]), "sample 1 of 'Input_Values' holds null, which is not a number"),
    (xor_file(inputs=[[0.1, [0.2]], [0.1, 0.2]]), "sample 0 of 'Input_Values' holds [0.2], which is not a number"),
    (xor_file(inputs=[[0.1, {"x": 1}], [0.1, 0.2]]), "sample 0 of 'Input_Values' holds {\"x\": 1}, which is not a number"),
    (xor_file(targets=[[1, -1], [False, 1]]), "sample 1 of 'Output_Values' holds false, which is not a number"),
    (xor_file(targets=[[1, -1], [0, 1]]), "sample 1 of 'Output_Values' is [0, 1], expected one-hot targets, all in ±1"),
    (xor_file(targets=[[1, 1], [-1, 1]]), "sample 0 of 'Output_Values' is [1, 1], expected one-hot targets, all in ±1"),
    (xor_file(targets=[[1, -1], [-1, -1]]), "sample 1 of 'Output_Values' is [-1, -1], expected one-hot"),
    (xor_file(targets=[[0.5, -1], [-1, 1]]), "sample 0 of 'Output_Values' is [0.5, -1], expected one-hot"),
    (xor_file(targets=[[2, -1], [-1, 1]]), "sample 0 of 'Output_Values' is [2, -1], expected one-hot"),
]


@pytest.mark.parametrize("content, message", BAD_FILES)
def test_loader_rejects_bad_files_naming_the_file_and_the_fault(tmp_path, content, message):
    path = write(tmp_path, content)
    with pytest.raises(ValueError) as caught:
        load_dataset(path, "xor")
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_loader_rejects_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "data.json"
    path.write_bytes(b'{"Input_Values": [[0.1, 0.2]], "Output_Values": [[1, -1]], "x": "\xff"}')
    with pytest.raises(ValueError, match="not UTF-8"):
        load_dataset(path, "xor")


def test_loader_rejects_a_folder(tmp_path):
    with pytest.raises(ValueError, match="folder"):
        load_dataset(tmp_path, "xor")


def test_loader_reports_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.json"):
        load_dataset(tmp_path / "missing.json", "xor")


def test_loader_rejects_an_unknown_problem(tmp_path):
    path = write(tmp_path, xor_file())
    with pytest.raises(ValueError, match="unknown problem"):
        load_dataset(path, "no_such_problem")


def test_red_loader_checks_three_inputs(tmp_path):
    path = write(tmp_path, {"RGB_Values": [[255, 0]], "Is_Red": [[1, -1]]})
    with pytest.raises(ValueError, match=r"sample 0 of 'RGB_Values' has 2 numbers, expected 3"):
        load_dataset(path, "red")


def test_quadrant_loader_checks_four_outputs(tmp_path):
    path = write(tmp_path, {"Input_Values": [[1.0, 1.0]], "Output_Values": [[1, -1]]})
    with pytest.raises(ValueError, match=r"sample 0 of 'Output_Values' has 2 numbers, expected 4"):
        load_dataset(path, "quadrant")


def test_loader_accepts_floats_for_targets_ints_for_inputs_and_extra_keys(tmp_path):
    path = write(tmp_path, xor_file(inputs=[[0, 1], [1, 1]], targets=[[1.0, -1.0], [-1, 1.0]], seed=3))
    inputs, targets = load_dataset(path, get_problem("xor"))
    assert inputs.tolist() == [[0.0, 1.0], [1.0, 1.0]]
    assert targets.tolist() == [[1.0, -1.0], [-1.0, 1.0]]


def test_loader_does_not_check_the_domain_of_real_valued_inputs(tmp_path):
    path = write(tmp_path, {"Input_Values": [[-5.0, 300.0]], "Output_Values": [[1, -1]]})
    inputs, _ = load_dataset(path, "xor")
    assert inputs.tolist() == [[-5.0, 300.0]]


@pytest.mark.parametrize("activation, expected", [
    ("tanh", [[1.0, -1.0], [-1.0, 1.0]]),
    ("linear", [[1.0, -1.0], [-1.0, 1.0]]),
    ("leaky_relu", [[1.0, -1.0], [-1.0, 1.0]]),
    ("sigmoid", [[1.0, 0.0], [0.0, 1.0]]),
    ("softmax", [[1.0, 0.0], [0.0, 1.0]]),
])
def test_loader_converts_targets_for_the_output_activation(tmp_path, activation, expected):
    path = write(tmp_path, xor_file())
    _, targets = load_dataset(path, "xor", output_activation=activation)
    assert targets.tolist() == expected
    assert targets.dtype == np.float64


def test_targets_for_activation_takes_titles_or_activations():
    targets = np.array([[1, -1, -1, -1], [-1, -1, 1, -1]])
    softmax = types.SimpleNamespace(title="softmax")
    tanh = types.SimpleNamespace(title="tanh")
    assert targets_for_activation(targets, softmax).tolist() == [[1, 0, 0, 0], [0, 0, 1, 0]]
    assert targets_for_activation(targets, tanh).tolist() == targets.tolist()
    assert targets_for_activation(targets[0], "sigmoid").tolist() == [1, 0, 0, 0]


def test_targets_for_activation_does_not_change_its_input():
    targets = np.array([[1.0, -1.0]])
    converted = targets_for_activation(targets, "tanh")
    converted[0, 0] = 5.0
    assert targets.tolist() == [[1.0, -1.0]]


@pytest.mark.parametrize("bad_activation", [None, 3, object()])
def test_targets_for_activation_rejects_what_is_no_activation(bad_activation):
    with pytest.raises(ValueError):
        targets_for_activation(np.array([[1, -1]]), bad_activation)


def test_targets_for_activation_rejects_targets_not_in_plus_minus_one():
    with pytest.raises(ValueError):
        targets_for_activation(np.array([[1.0, 0.0]]), "sigmoid")


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_committed_data_files_load(name):
    problem = get_problem(name)
    inputs, targets = load_dataset(problem.data_path, problem)
    assert inputs.shape[1] == problem.n_inputs and inputs.shape[0] >= 100
    assert targets.shape == (inputs.shape[0], problem.n_outputs)
    if not problem.is_regression:
        _, zero_one = load_dataset(problem.data_path, problem, output_activation="softmax")
        np.testing.assert_array_equal(zero_one, (targets + 1) / 2)
        assert (zero_one.sum(axis=1) == 1).all()


@pytest.mark.parametrize("activation", ["tanh", "linear", "sigmoid", "softmax"])
def test_zero_one_targets_load_as_the_same_targets_as_plus_minus_one(tmp_path, activation):
    pm1 = [[1, -1, -1, -1], [-1, -1, 1, -1], [-1, 1, -1, -1]]
    inputs = [[1.5, 2.0], [-1.0, -3.0], [-2.0, 4.0]]
    zero_one = [[(value + 1) // 2 for value in row] for row in pm1]
    a = write(tmp_path / "a", {"Input_Values": inputs, "Output_Values": pm1})
    b = write(tmp_path / "b", {"Input_Values": inputs, "Output_Values": zero_one})
    first, second = load_dataset(a, "quadrant", activation), load_dataset(b, "quadrant", activation)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    expected = np.array(zero_one if activation in ("sigmoid", "softmax") else pm1, dtype=np.float64)
    np.testing.assert_array_equal(second[1], expected)


def test_a_file_mixing_zero_one_and_plus_minus_one_targets_is_refused(tmp_path):
    path = write(tmp_path, xor_file(inputs=[[0.1, 0.9], [0.9, 0.1], [0.2, 0.9]], targets=[[1, 0], [0, 1], [-1, 1]]))
    with pytest.raises(ValueError, match="sample 2 of 'Output_Values' is \\[-1, 1\\]"):
        load_dataset(path, "xor")


PRICE = Problem(name="price", data_filename="price.json", input_key="Input_Values",
                output_key="Output_Values", input_names=("u",), class_names=(),
                target_names=("price",), input_low=(0.0,), input_high=(1.0,))


def test_regression_targets_are_real_numbers_kept_as_they_are(tmp_path):
    path = tmp_path / "price.json"
    inputs, targets = np.array([[0.25], [0.5], [1.0]]), np.array([[123.456], [-7.0], [1e-3]])
    save_dataset(path, inputs, targets, PRICE)
    for activation in ("linear", "softmax", "tanh"):
        loaded_inputs, loaded_targets = load_dataset(path, PRICE, activation)
        np.testing.assert_array_equal(loaded_inputs, inputs)
        np.testing.assert_array_equal(loaded_targets, targets)
    assert json.loads(path.read_text())["Output_Values"] == [[123.456], [-7.0], [0.001]]
    assert "price from -7 to 123.456" in summary(inputs, targets, PRICE)


def test_regression_files_must_hold_one_finite_number_per_target(tmp_path):
    path = write(tmp_path, {"Input_Values": [[0.5], [0.25]], "Output_Values": [[1.0], [2.0, 3.0]]})
    with pytest.raises(ValueError, match="sample 1 of 'Output_Values' has 2 numbers, expected 1"):
        load_dataset(path, PRICE)
    with pytest.raises(ValueError, match="finite"):
        save_dataset(tmp_path / "x.json", np.array([[0.5]]), np.array([[np.nan]]), PRICE)


def test_a_problem_is_a_classifier_or_a_regression():
    assert PRICE.is_regression and PRICE.n_outputs == 1 and PRICE.n_classes == 0
    assert not get_problem("quadrant").is_regression and get_problem("quadrant").n_outputs == 4
    with pytest.raises(ValueError, match="either class_names"):
        Problem(name="both", data_filename="x.json", input_key="a", output_key="b", input_names=("u",),
                class_names=("a", "b"), target_names=("price",), input_low=(0,), input_high=(1,))


def test_as_batch_keeps_the_dtype_and_reports_single_samples():
    batch, single = as_batch(np.array([1, 2, 3], dtype=np.uint8), 3)
    assert single and batch.shape == (1, 3) and batch.dtype == np.uint8
    batch, single = as_batch([[1.0, 2.0]], 2)
    assert not single and batch.shape == (1, 2)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        as_batch(np.zeros((3, 3)), 2)


def test_one_hot_pm1():
    assert one_hot_pm1([2, 0], 3).tolist() == [[-1, -1, 1], [1, -1, -1]]


def test_sample_where_keeps_accepted_draws_in_order():
    def draw(rng, m):
        return rng.integers(0, 100, size=(m, 1))

    kept = sample_where(np.random.default_rng(4), draw, lambda x: x[:, 0] % 7 == 0, 300)
    assert kept.shape == (300, 1)
    assert (kept % 7 == 0).all()
    assert len(np.unique(kept)) == 15
    assert sample_where(np.random.default_rng(4), draw, lambda x: x[:, 0] < 0, 0).shape == (0, 1)


def test_balanced_sample_draws_each_class_equally():
    def draw(rng, m):
        return rng.uniform(0, 1, size=(m, 1))

    def label(points):
        return one_hot_pm1((points[:, 0] > 0.9).astype(int), 2)

    inputs, targets = balanced_sample(np.random.default_rng(0), draw, label, 40, 2)
    assert inputs.shape == (80, 1) and targets.shape == (80, 2)
    assert (targets[:, 0] == 1).sum() == 40
    np.testing.assert_array_equal(targets, label(inputs))


@pytest.mark.parametrize("colour", [[300, 0, 0], [-1, 0, 0], [12.5, 0, 0], [0, 0, 1e300]])
def test_red_inputs_must_be_whole_numbers_in_the_cube(tmp_path, colour):
    path = tmp_path / "red.json"
    path.write_text(json.dumps({"RGB_Values": [[255, 0, 0], colour], "Is_Red": [[1, -1], [-1, 1]]}))
    with pytest.raises(ValueError, match=r"sample 1 of 'RGB_Values' .*whole numbers from 0 to 255") as caught:
        load_dataset(path, "red")
    assert str(path) in str(caught.value)


def test_a_missing_key_message_stays_short_however_many_keys_the_file_has(tmp_path):
    path = tmp_path / "many.json"
    content = {f"key{i}": 0 for i in range(100_000)}
    content["Input_Values"] = [[0.1, 0.2]]
    path.write_text(json.dumps(content))
    with pytest.raises(ValueError, match="has no 'Output_Values' key") as caught:
        load_dataset(path, "xor")
    assert len(str(caught.value)) < 500 and "and 99996 more" in str(caught.value)
