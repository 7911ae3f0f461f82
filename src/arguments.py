"""Argument types for the command lines: paths, whole numbers, positive and finite numbers.

argparse calls them on the text of an option; a bad value becomes its usage
error (exit status 2) with the message given here.
"""

import argparse
import math
import re
from decimal import Decimal


def path_argument(text):
    """A file name that is not empty or only spaces.

    An unset shell variable (``--model "$MODEL"``) gives an empty name; taking
    that as "the default file" would overwrite the shipped model, so it is a
    usage error instead.
    """
    if not text.strip():
        raise argparse.ArgumentTypeError(f"expected a file name, got {text!r}")
    if "\0" in text:
        raise argparse.ArgumentTypeError("a file name cannot contain a NUL character")
    return text


def _whole_number(text, minimum):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, got {text!r}")
    return value


def positive_int(text):
    """A whole number >= 1 (sample counts, epochs)."""
    return _whole_number(text, 1)


def non_negative_int(text):
    """A whole number >= 0 (seeds)."""
    return _whole_number(text, 0)


def finite_float(text):
    """Any finite number (the inputs of ``--predict``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text}")
    return value


def positive_float(text):
    """A finite number > 0 (learning rates)."""
    value = finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text}")
    return value


_NEGATIVE_NUMBER = re.compile(r"-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_ARGPARSE_NEGATIVE_NUMBER = re.compile(r"-\d+|-\d*\.\d+")


def negative_numbers_as_values(argv):
    """``argv`` with every negative number written so that argparse takes it as a value.

    argparse takes ``-0.5`` as a value but ``-1e-3`` or ``-5.`` for an
    unknown option; written out in plain decimals (``-0.001``, ``-5``), they
    mean exactly the same number and parse as values.
    """
    return [format(Decimal(arg), "f") if _NEGATIVE_NUMBER.fullmatch(arg)
            and not _ARGPARSE_NEGATIVE_NUMBER.fullmatch(arg) else arg for arg in argv]
