"""Definition of digits: handwritten digits 0..9 as 8x8 images, real data rather than a rule.

The data is the UCI "Optical Recognition of Handwritten Digits" set (E.
Alpaydin and C. Kaynak, 1998, https://doi.org/10.24432/C50P49, licence CC BY
4.0) in the copy scikit-learn ships inside its package (``load_digits``,
read from ``sklearn/datasets/data/digits.csv.gz``): 1,797 images, about 180
of each digit. Each image is 8x8 pixels, each pixel a whole number 0..16
(the count of inked pixels in a 4x4 block of the original 32x32 bitmap),
given row by row as 64 inputs. There are ten classes, one output neuron each,
in the order of the digits: "0" (target ``[1, -1, ..., -1]``) to "9". The
class names are the digits themselves, so that a confusion matrix, a report
and a picture label a row or an image with the digit it stands for.

The data is fixed, so the problem has no rule to draw fresh samples from
(``can_generate=False``). Instead it comes as two files, made once and
committed:

- ``data/digits_test_data.json``: 450 images, a stratified draw (each digit
  within one image of its share) with ``SPLIT_SEED``. They stand in for fresh
  samples when a model is measured, and nothing that trains reads them.
- ``data/digits_data.json``: the other 1,347 images, the training file.
  Validation during training is a part of it held out.

Both keep the images in scikit-learn's order. ``python
data_generators/definition_of_digits.py`` rebuilds both byte for byte. It is
the one part of the project that needs scikit-learn (``pip install
scikit-learn``): it reads scikit-learn's copy, checks it against
``SOURCE_SHA256`` and stops with an error if the copy differs.

``generate`` is the data augmentation: copies of training images, each
turned by up to ``MAX_ROTATION`` degrees, scaled by up to ``MAX_SCALE`` and
moved by up to ``MAX_SHIFT`` pixels, the ways real handwriting varies (at
8x8 a whole pixel is a large move, so the moves are fractions of one). The
training settings draw them from the training file minus its validation
part; ``docs/TRAINING_GUIDE.md`` says what they buy. ``label`` knows only
the 1,797 images of the data set.
"""

import argparse
import hashlib
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import src.script_start  # noqa: E402,F401,I001  (first: a Ctrl-C from here on ends quietly)

import numpy as np

from src.arguments import non_negative_int
from src.cli import display_path, run
from src.datasets import (
    as_batch,
    check_samples_per_class,
    class_indices,
    load_dataset,
    one_hot_pm1,
    save_dataset,
    shuffled,
    stratified_split,
)
from src.problems import Problem

SIDE = 8
PROBLEM = Problem(
    name="digits", data_filename="digits_data.json", test_data_filename="digits_test_data.json",
    input_key="Input_Values", output_key="Output_Values",
    input_names=tuple(f"r{row}c{col}" for row in range(SIDE) for col in range(SIDE)),
    class_names=tuple(str(digit) for digit in range(10)),
    input_low=(0,) * SIDE ** 2, input_high=(16,) * SIDE ** 2, integer_inputs=True,
    can_generate=False, image_shape=(SIDE, SIDE),
)
SOURCE_IMAGES = 1797
TEST_IMAGES = 450
SPLIT_SEED = 0
# SHA-256 of the 1,797 images with their digits, whatever their order: what
# ``images_fingerprint`` computes. The two data files together give it too.
SOURCE_SHA256 = "f67d6a29d0e1f70e7f0cd9dcf25816b694881f4b8f27f5cc1db59551f0499fb8"
MAX_SHIFT = 0.7
MAX_ROTATION = 15.0
MAX_SCALE = 0.15
DEFAULT_SAMPLES_PER_CLASS = 2400  # about 20 copies of each training image
DEFAULT_SEED = 0


def images_fingerprint(images, digits) -> str:
    """SHA-256 (hex) of a set of images ``(n, 64)`` with their digits ``(n,)``, in any order.

    Each image becomes 65 bytes (its pixels as uint8, row by row, then its
    digit); the rows are sorted and hashed one after the other, so the same
    images give the same fingerprint however they are ordered or split.
    """
    rows = np.column_stack([np.asarray(images), np.asarray(digits)]).astype(np.uint8)
    rows = rows[np.lexsort(rows.T[::-1])]
    return hashlib.sha256(rows.tobytes()).hexdigest()


def source_images():
    """scikit-learn's copy of the data, checked: ``(images, digits)``, int64 ``(1797, 64)`` and ``(1797,)``.

    Needs scikit-learn; without it, an ``ImportError`` that says how to get it.
    A copy that is not the recorded one is a ``ValueError``.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError("rebuilding the digits files needs scikit-learn, which holds the "
                          "original data: pip install scikit-learn") from None
    bunch = load_digits()
    images = np.asarray(bunch.data)
    digits = np.asarray(bunch.target)
    if images.shape != (SOURCE_IMAGES, SIDE ** 2) or not np.array_equal(images, np.round(images)) \
            or images.min() < 0 or images.max() > 16:
        raise ValueError(f"scikit-learn's digits are not the {SOURCE_IMAGES} images of 64 whole "
                         f"numbers 0..16 this project was made from (shape {images.shape})")
    images, digits = images.astype(np.int64), digits.astype(np.int64)
    found = images_fingerprint(images, digits)
    if found != SOURCE_SHA256:
        raise ValueError(f"scikit-learn's digits have SHA-256 {found}, not the recorded "
                         f"{SOURCE_SHA256}: this copy differs from the one the data files were made from")
    return images, digits


def split(digits, seed=SPLIT_SEED):
    """``(training, test)``: sorted indices into the source, ``TEST_IMAGES`` stratified ones for testing."""
    return stratified_split(digits, TEST_IMAGES, np.random.default_rng(seed))


def distort_images(images, rotation, scale, down, right) -> np.ndarray:
    """Images ``(n, 64)`` turned, scaled and moved about their centre, as whole numbers 0..16.

    Image ``i`` is turned by ``rotation[i]`` degrees (clockwise as seen, row
    0 at the top), scaled by ``scale[i]`` and moved by ``down[i]``,
    ``right[i]`` pixels (fractions allowed). Each new pixel takes the value at the point it
    comes from by bilinear interpolation between the four pixels around it
    (blank paper outside the frame), rounded to a whole number; with no turn,
    scale 1 and whole-pixel moves, pixels simply move and blank paper comes in.
    All parameters have shape ``(n,)``; returns int64 ``(n, 64)``.
    """
    images = np.asarray(images, dtype=np.float64)
    n = images.shape[0]
    angle = np.deg2rad(np.asarray(rotation, dtype=np.float64))[:, None, None]
    scale = np.asarray(scale, dtype=np.float64)[:, None, None]
    centre = (SIDE - 1) / 2
    row, col = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64)
    y = row[None] - centre - np.asarray(down, dtype=np.float64)[:, None, None]
    x = col[None] - centre - np.asarray(right, dtype=np.float64)[:, None, None]
    # Where each new pixel comes from: the inverse of the turn and the scaling.
    source_y = np.clip((np.cos(angle) * y - np.sin(angle) * x) / scale + centre, -1.0, SIDE)
    source_x = np.clip((np.sin(angle) * y + np.cos(angle) * x) / scale + centre, -1.0, SIDE)
    padded = np.pad(images.reshape(n, SIDE, SIDE), ((0, 0), (1, 1), (1, 1)))
    top = np.minimum(np.floor(source_y).astype(np.int64), SIDE - 1)
    left = np.minimum(np.floor(source_x).astype(np.int64), SIDE - 1)
    down_share, right_share = source_y - top, source_x - left
    which = np.arange(n)[:, None, None]

    def at(r, c):
        return padded[which, r + 1, c + 1]

    values = ((1 - down_share) * ((1 - right_share) * at(top, left) + right_share * at(top, left + 1))
              + down_share * ((1 - right_share) * at(top + 1, left) + right_share * at(top + 1, left + 1)))
    return np.clip(np.rint(values), 0, 16).astype(np.int64).reshape(n, SIDE ** 2)


def generate(samples_per_class=DEFAULT_SAMPLES_PER_CLASS, seed=DEFAULT_SEED, source=None,
             max_shift=MAX_SHIFT, max_rotation=MAX_ROTATION, max_scale=MAX_SCALE):
    """Distorted copies of training images, ``samples_per_class`` of each digit, shuffled.

    ``source`` is ``(inputs, targets)`` to draw from (targets one-hot, ±1 or
    0/1), by default the training file ``data/digits_data.json``; never the
    test file. For each digit, images of that digit are picked uniformly with
    replacement, and each is turned by up to ``max_rotation`` degrees, scaled
    by a factor within ``1 ± max_scale`` and moved by up to ``max_shift``
    pixels down and right, all drawn uniformly (see ``distort_images``).
    Returns int64 inputs ``(10 * samples_per_class, 64)`` and ±1 targets
    ``(10 * samples_per_class, 10)``; every draw comes from
    ``np.random.default_rng(seed)``.
    """
    count = check_samples_per_class(samples_per_class)
    if source is None:
        source = load_dataset(PROBLEM.data_path, PROBLEM)
    images = np.asarray(source[0]).astype(np.int64)
    digits = class_indices(source[1])
    rng = np.random.default_rng(seed)
    picked = []
    for digit in range(PROBLEM.n_classes):
        of_digit = np.flatnonzero(digits == digit)
        if of_digit.size == 0:
            raise ValueError(f"no image of the digit {digit} to draw distorted copies from")
        picked.append(of_digit[rng.integers(0, of_digit.size, count)])
    picked = np.concatenate(picked)
    m = picked.size
    rotation = rng.uniform(-max_rotation, max_rotation, m)
    scale = rng.uniform(1.0 - max_scale, 1.0 + max_scale, m)
    down, right = rng.uniform(-max_shift, max_shift, (2, m))
    inputs = distort_images(images[picked], rotation, scale, down, right)
    return shuffled(rng, inputs, one_hot_pm1(digits[picked], PROBLEM.n_classes))


_KNOWN = {}


def label(inputs) -> np.ndarray:
    """Targets ``(n, 10)`` of images ``(n, 64)`` that are in the data set (either file).

    There is no rule that says which digit an image shows, so this looks the
    images up in the two data files; an image that is in neither is a
    ``ValueError``. A 1-D image ``(64,)`` gives 1-D targets ``(10,)``.
    """
    batch, single = as_batch(inputs, PROBLEM.n_inputs)
    if not _KNOWN:
        for path in (PROBLEM.data_path, PROBLEM.test_data_path):
            images, targets = load_dataset(path, PROBLEM)
            _KNOWN.update(zip(map(bytes, images.astype(np.uint8)), class_indices(targets).tolist()))
    batch = np.asarray(batch, dtype=np.float64)
    whole = np.all((batch == np.round(batch)) & (batch >= 0) & (batch <= 16), axis=1)
    digits = []
    for index, image in enumerate(batch):
        digit = _KNOWN.get(bytes(image.astype(np.uint8))) if whole[index] else None
        if digit is None:
            raise ValueError(f"image {index} is not one of the {SOURCE_IMAGES} images of the digits "
                             "data set, so its digit is unknown")
        digits.append(digit)
    targets = one_hot_pm1(digits, PROBLEM.n_classes)
    return targets[0] if single else targets


def rebuild(training_path, test_path, seed=SPLIT_SEED):
    """Write the training and test files from scikit-learn's copy.

    Returns ``(training, test, digits)``: the source indices in each file and
    the digit of every source image.
    """
    images, digits = source_images()
    training, test = split(digits, seed)
    for path, rows in ((training_path, training), (test_path, test)):
        save_dataset(path, images[rows], one_hot_pm1(digits[rows], PROBLEM.n_classes), PROBLEM)
    return training, test, digits


def main(argv=None) -> None:
    """Rebuild data/digits_data.json and data/digits_test_data.json (needs scikit-learn)."""
    def write(argv):
        parser = argparse.ArgumentParser(
            description="Rebuild the digits training and test files from scikit-learn's copy "
                        "of the UCI digits (needs scikit-learn).")
        parser.add_argument("--seed", type=non_negative_int, default=SPLIT_SEED, metavar="S",
                            help=f"seed of the stratified split (default {SPLIT_SEED}, the committed files)")
        parser.add_argument("--output", type=Path, default=PROBLEM.data_path, metavar="P",
                            help=f"training file to write (default {display_path(PROBLEM.data_path)})")
        parser.add_argument("--test-output", type=Path, default=PROBLEM.test_data_path, metavar="P",
                            help=f"test file to write (default {display_path(PROBLEM.test_data_path)})")
        args = parser.parse_args(argv)
        if args.output.resolve() == args.test_output.resolve():
            parser.error("--output and --test-output must be different files")
        try:
            training, test, digits = rebuild(args.output, args.test_output, args.seed)
        except OSError as err:
            raise OSError(f"cannot write the digits files: {err}") from None
        for path, rows, what in ((args.output, training, "training"), (args.test_output, test, "test")):
            counts = np.bincount(digits[rows], minlength=PROBLEM.n_classes)
            print(f"wrote {rows.size} {what} images (split seed {args.seed}) to {display_path(path)}; per digit: "
                  + ", ".join(f"{d}: {c}" for d, c in enumerate(counts)))

    return run(write, argv)


if __name__ == "__main__":
    main()
