"""The five problems: what every script needs to know about each, written once.

A problem's *definition* (which inputs belong to which class) lives in its
generator, ``data_generators/definition_of_<name>.py``, as ``label`` and
``generate`` functions. This module holds the rest of what the scripts share:
where the data and model files are, the JSON keys of the data file, the class
names (in the order of the output neurons) and the input domain.

The training settings (architecture, learning rate, epochs) are not here: they
stand at the top of ``main_create_and_train.py``, where a user edits them.
"""

import importlib
import math
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
MODELS_DIR = ROOT / "models"


@dataclass(frozen=True)
class Problem:
    """Metadata of one classification problem.

    ``input_low`` and ``input_high`` bound the input domain per input column
    (inclusive bounds of what the generator draws); the scripts use them for
    pictures and maps, and the models use them for input scaling.
    """

    name: str
    data_filename: str
    input_key: str
    output_key: str
    input_names: tuple
    class_names: tuple
    input_low: tuple
    input_high: tuple
    integer_inputs: bool = False

    @property
    def data_path(self) -> Path:
        return DATA_DIR / self.data_filename

    @property
    def model_path(self) -> Path:
        return MODELS_DIR / f"model_{self.name}.json"

    @property
    def n_inputs(self) -> int:
        return len(self.input_names)

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def generator(self):
        """The module ``data_generators.definition_of_<name>`` (label, generate)."""
        return importlib.import_module(f"data_generators.definition_of_{self.name}")


PROBLEMS = {
    p.name: p
    for p in (
        Problem("red", "color_data.json", "RGB_Values", "Is_Red",
                ("r", "g", "b"), ("red", "not red"),
                (0, 0, 0), (255, 255, 255), integer_inputs=True),
        Problem("xor", "xor_data.json", "Input_Values", "Output_Values",
                ("x1", "x2"), ("xor true", "xor false"),
                (-0.5, -0.5), (1.5, 1.5)),
        Problem("sine", "sine_data.json", "Input_Values", "Output_Values",
                ("x", "y"), ("above", "below"),
                (0.0, -1.5), (2 * math.pi, 1.5)),
        Problem("checkerboard", "checkerboard_data.json", "Input_Values", "Output_Values",
                ("x", "y"), ("black", "white"),
                (0.0, 0.0), (4.0, 4.0)),
        Problem("quadrant", "quadrant_data.json", "Input_Values", "Output_Values",
                ("x", "y"), ("quadrant 1", "quadrant 2", "quadrant 3", "quadrant 4"),
                (-5.0, -5.0), (5.0, 5.0)),
    )
}


def get_problem(name: str) -> Problem:
    """The problem called ``name``; a ``ValueError`` naming the known ones otherwise."""
    try:
        return PROBLEMS[name]
    except (KeyError, TypeError):
        known = ", ".join(PROBLEMS)
        raise ValueError(f"unknown problem {name!r}: choose one of {known}") from None
