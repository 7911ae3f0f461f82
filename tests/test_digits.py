"""The digits problem: its two data files, the rebuild from scikit-learn, the augmentation,
and that nothing which trains reads the test file."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import main_create_and_train
import src.cli
import src.datasets
import src.fileio
from data_generators import definition_of_digits as digits
from src.datasets import class_indices, load_dataset, stratified_split

PROBLEM = digits.PROBLEM
ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
HAVE_SKLEARN = importlib.util.find_spec("sklearn") is not None


@pytest.fixture(scope="module")
def files():
    """``{"training": (images, digits), "test": (images, digits)}`` through the one loader."""
    loaded = {}
    for name, path in (("training", PROBLEM.data_path), ("test", PROBLEM.test_data_path)):
        images, targets = load_dataset(path, PROBLEM)
        loaded[name] = (images.astype(np.int64), class_indices(targets))
    return loaded


def rows_of(images):
    return {bytes(row.astype(np.uint8)) for row in np.asarray(images)}


def test_the_files_load_as_64_whole_numbers_0_to_16_and_ten_digits(files):
    (train, train_digits), (test, test_digits) = files["training"], files["test"]
    assert train.shape == (1347, 64) and test.shape == (450, 64)
    for images, labels in files.values():
        assert images.min() == 0 and images.max() == 16
        assert set(labels.tolist()) == set(range(10))
    _, zero_one = load_dataset(PROBLEM.test_data_path, PROBLEM, output_activation="softmax")
    np.testing.assert_array_equal(zero_one, np.eye(10)[test_digits])


def test_the_files_are_disjoint_and_hold_each_of_the_1797_images_once(files):
    (train, train_digits), (test, test_digits) = files["training"], files["test"]
    assert not rows_of(train) & rows_of(test)
    assert len(rows_of(train)) == 1347 and len(rows_of(test)) == 450
    both = np.concatenate([train, test]), np.concatenate([train_digits, test_digits])
    assert digits.images_fingerprint(*both) == digits.SOURCE_SHA256


def test_every_digit_is_in_proportion_within_one_image(files):
    train_counts = np.bincount(files["training"][1], minlength=10)
    test_counts = np.bincount(files["test"][1], minlength=10)
    totals = train_counts + test_counts
    assert totals.sum() == 1797
    assert np.all(np.abs(test_counts - totals * 450 / 1797) < 1), test_counts
    assert np.all(np.abs(train_counts - totals * 1347 / 1797) < 1), train_counts


def test_the_fingerprint_ignores_order_but_not_content(files):
    images, labels = files["test"]
    order = np.random.default_rng(3).permutation(len(images))
    assert digits.images_fingerprint(images, labels) == digits.images_fingerprint(images[order], labels[order])
    changed = images.copy()
    changed[0, 0] += 1
    assert digits.images_fingerprint(changed, labels) != digits.images_fingerprint(images, labels)


@pytest.mark.skipif(not HAVE_SKLEARN, reason="the rebuild reads scikit-learn's copy of the digits; "
                                              "scikit-learn is not installed")
def test_the_rebuild_from_scikit_learn_writes_the_committed_files_byte_for_byte(tmp_path, capsys):
    training, test = tmp_path / "train.json", tmp_path / "test.json"
    digits.main(["--output", str(training), "--test-output", str(test)])
    assert training.read_bytes() == PROBLEM.data_path.read_bytes()
    assert test.read_bytes() == PROBLEM.test_data_path.read_bytes()
    assert "wrote 450 test images (split seed 0)" in capsys.readouterr().out


@pytest.mark.skipif(not HAVE_SKLEARN, reason="needs scikit-learn's copy of the digits")
def test_a_copy_that_differs_from_the_recorded_one_is_refused(monkeypatch):
    monkeypatch.setattr(digits, "SOURCE_SHA256", "0" * 64)
    with pytest.raises(ValueError, match="differs from the one the data files were made from"):
        digits.source_images()


def test_without_scikit_learn_the_rebuild_says_what_it_needs(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(ImportError, match="needs scikit-learn.*pip install scikit-learn"):
        digits.source_images()


def test_stratified_split_gives_each_class_its_share_within_one():
    classes = np.repeat(np.arange(4), [10, 7, 3, 1])
    for n_held in range(len(classes) + 1):
        kept, held = stratified_split(classes, n_held, np.random.default_rng(n_held))
        assert held.size == n_held and np.array_equal(np.sort(np.concatenate([kept, held])), np.arange(21))
        counts = np.bincount(classes[held], minlength=4)
        assert np.all(np.abs(counts - np.array([10, 7, 3, 1]) * n_held / 21) < 1), (n_held, counts)
    with pytest.raises(ValueError, match="from 0 to 21"):
        stratified_split(classes, 22, np.random.default_rng(0))


def moved(images, down, right):
    """Images (n, 64) moved by whole pixels, blank paper coming in: the reference for distort_images."""
    out = np.zeros_like(images).reshape(-1, 8, 8)
    for i, (image, d, r) in enumerate(zip(images.reshape(-1, 8, 8), down, right)):
        padded = np.pad(image, 2)
        out[i] = padded[2 - d:10 - d, 2 - r:10 - r]
    return out.reshape(-1, 64)


def test_distort_images_moves_whole_pixels_exactly(files):
    images = files["training"][0][:300]
    rng = np.random.default_rng(2)
    down, right = rng.integers(-2, 3, (2, 300))
    same = digits.distort_images(images, np.zeros(300), np.ones(300), down, right)
    np.testing.assert_array_equal(same, moved(images, down, right))
    image = np.arange(1, 65).reshape(1, 64) % 17
    down_one = digits.distort_images(image, [0], [1], [1], [0]).reshape(8, 8)
    assert (down_one[0] == 0).all() and np.array_equal(down_one[1:], image.reshape(8, 8)[:-1])


def test_distort_images_interpolates_turns_and_scales_about_the_centre():
    dot = np.zeros((1, 64))
    dot[0, 3 * 8 + 3] = 16                                  # row 3, column 3
    half = digits.distort_images(dot, [0], [1], [0], [0.5]).reshape(8, 8)
    assert half[3, 3] == 8 and half[3, 4] == 8 and half.sum() == 16
    ramp = np.arange(64).reshape(1, 64) % 17
    turned = digits.distort_images(ramp, [90], [1], [0], [0]).reshape(8, 8)
    np.testing.assert_array_equal(turned, np.rot90(ramp.reshape(8, 8), k=-1))  # clockwise
    np.testing.assert_array_equal(digits.distort_images(ramp, [360], [1], [0], [0]), ramp)
    grown = digits.distort_images(dot, [0], [2], [0], [0]).reshape(8, 8)
    assert grown[3, 3] > 0 and grown[0].sum() == 0 and grown[:, 7].sum() == 0


def test_generate_draws_balanced_distorted_copies_of_the_given_images_reproducibly(files):
    images, labels = files["training"]
    source = (images[:200], np.eye(10)[labels[:200]] * 2 - 1)
    inputs, targets = digits.generate(30, seed=4, source=source)
    assert inputs.shape == (300, 64) and np.issubdtype(inputs.dtype, np.integer)
    assert inputs.min() >= 0 and inputs.max() <= 16
    assert np.array_equal(np.bincount(class_indices(targets), minlength=10), np.full(10, 30))
    again = digits.generate(30, seed=4, source=source)
    assert np.array_equal(again[0], inputs) and np.array_equal(again[1], targets)
    assert not np.array_equal(digits.generate(30, seed=5, source=source)[0], inputs)
    # Without distortion the copies are source images of the right digit.
    copies, copy_targets = digits.generate(30, seed=4, source=source, max_shift=0, max_rotation=0, max_scale=0)
    of_digit = {digit: rows_of(images[:200][labels[:200] == digit]) for digit in range(10)}
    for row, digit in zip(copies, class_indices(copy_targets)):
        assert bytes(row.astype(np.uint8)) in of_digit[digit]


def test_label_knows_the_images_of_the_data_set_and_no_other(files):
    images, labels = files["test"]
    np.testing.assert_array_equal(class_indices(digits.label(images[:20])), labels[:20])
    assert digits.label(images[3]).shape == (10,)
    with pytest.raises(ValueError, match="not one of the 1797 images"):
        digits.label(np.zeros(64))


def test_no_training_path_reads_the_test_file_or_trains_on_a_test_image(files, monkeypatch, tmp_path):
    """main_create_and_train builds its data as for training, and main_continue_training the same way."""
    read = []
    real_read_json = src.fileio.read_json

    def spying(path, *args, **kwargs):
        read.append(str(path))
        return real_read_json(path, *args, **kwargs)

    monkeypatch.setattr(src.datasets, "read_json", spying)
    monkeypatch.setattr(src.fileio, "read_json", spying)
    captured = {}

    def instead_of_training(net, settings, inputs, targets, validation, **options):
        captured.update(inputs=inputs, targets=targets, validation=validation)
        raise RuntimeError("stop before training")

    monkeypatch.setattr(main_create_and_train, "train_and_record", instead_of_training)
    real_generate = digits.generate
    captured["sources"] = []

    def recording(*args, source=None, **options):
        captured["sources"].append(np.asarray(source[0]))
        return real_generate(*args, source=source, **options)

    monkeypatch.setattr(digits, "generate", recording)
    settings = dict(main_create_and_train.SETTINGS["digits"], generated_samples_per_class=200)
    with pytest.raises(RuntimeError, match="stop before training"):
        main_create_and_train.create_and_train(PROBLEM, settings, PROBLEM.data_path, tmp_path / "m.json",
                                               verbose=False)
    assert read and all(path == str(PROBLEM.data_path) for path in read), read

    test_rows = rows_of(files["test"][0])
    inputs, validation = captured["inputs"], captured["validation"][0]
    kept = 1347 - settings["validation_images"]
    assert inputs.shape[0] == kept + 2000
    assert not rows_of(inputs) & test_rows and not rows_of(validation) & test_rows
    assert not rows_of(inputs[:kept]) & rows_of(validation)
    # The copies are drawn from the training file's images outside the validation part.
    sources = captured["sources"]
    assert len(sources) == 1 and len(sources[0]) == kept
    assert rows_of(sources[0]) == rows_of(files["training"][0]) - rows_of(validation)
    # Continuing training builds the same data with the same calls.
    monkeypatch.setattr(digits, "generate", real_generate)
    again = src.cli.training_data(PROBLEM, settings, PROBLEM.data_path, "softmax")
    np.testing.assert_array_equal(again[0], inputs)
    np.testing.assert_array_equal(src.cli.held_out_data(PROBLEM, settings, "softmax", PROBLEM.data_path)[0],
                                  validation)


# --- the shipped model, as main_load.py measures it ---

def load_script(*args):
    return subprocess.run([sys.executable, str(ROOT / "main_load.py"), "--problem", "digits", *map(str, args)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT.parent)


@pytest.fixture(scope="module")
def measured():
    result = load_script()
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_shipped_model_gets_at_least_98_5_percent_of_the_test_file_right_as_the_readme_says(measured):
    line = next(line for line in measured.splitlines() if line.startswith("test data file "))
    accuracy = float(re.search(r"accuracy ([\d.]+) %", line).group(1))
    assert "digits_test_data.json" in line and "of 450 right" in line
    assert accuracy >= 98.5, line
    row = next(line for line in README.splitlines() if line.startswith("| digits"))
    assert f"**{accuracy:.2f} %**" in row, (row, accuracy)
    assert f"learned to\n{accuracy:.2f} % on 450 images" in README


def test_main_load_reports_both_files_with_a_10x10_confusion_matrix_and_scores(measured):
    assert measured.count("accuracy") >= 2 and "data file " in measured and "fresh samples" not in measured
    header = next(line for line in measured.splitlines() if line.split() == [str(d) for d in range(10)])
    assert header
    assert sum(line.strip().startswith("true ") for line in measured.splitlines()) == 20
    assert measured.count("precision") == 2


def test_predict_index_draws_the_test_image_and_gives_the_answer_and_the_true_digit(files):
    result = load_script("--predict-index", 0, 3)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "test image 0 (digits_test_data.json):"
    drawn = lines[2:10]
    image = files["test"][0][0].reshape(8, 8)
    for row, text in zip(image, drawn):
        assert text.strip().startswith("|") and len(text.strip()) == 18
        blank = [text.strip()[1 + 2 * c] == " " for c in range(8)]
        assert blank == [value == 0 for value in row]
    truth = files["test"][1][0]
    assert re.search(rf"-> \d \(confidence [\d.]+ %\); true digit: {truth}", result.stdout)
    assert "test image 3 (digits_test_data.json):" in result.stdout


def test_predict_with_64_numbers_looks_the_image_up(files):
    image = files["test"][0][5]
    result = load_script("--predict", *image.tolist())
    assert result.returncode == 0, result.stderr
    assert f"true digit: {files['test'][1][5]}" in result.stdout
    unknown = load_script("--predict", *([0] * 64))
    assert unknown.returncode == 0 and "true digit: unknown (not an image of the data set)" in unknown.stdout


def test_bad_indices_and_flags_are_one_line_errors_or_usage_errors():
    result = load_script("--predict-index", 450)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "450 images, numbered 0 to 449" in result.stderr and "Traceback" not in result.stderr
    both = load_script("--predict-index", 1, "--predict", *([0] * 64))
    assert both.returncode == 2 and "cannot go together" in both.stderr
    red = subprocess.run([sys.executable, str(ROOT / "main_load.py"), "--problem", "red", "--predict-index", "1"],
                         capture_output=True, text=True, timeout=300)
    assert red.returncode == 1 and "has none" in red.stderr
