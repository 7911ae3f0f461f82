"""Argument types for the command lines: whole numbers, positive numbers, file paths.

argparse calls them on the text of an option; a bad value becomes its usage
error (exit status 2) with the message given here.
"""

import argparse
import math


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


def positive_float(text):
    """A finite number > 0 (learning rates)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text}")
    return value


def file_path(text):
    """A path that is not empty (an empty one would silently mean the current folder)."""
    if not text:
        raise argparse.ArgumentTypeError("expected a file path, got an empty one")
    return text
