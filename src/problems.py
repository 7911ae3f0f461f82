"""The problem registry: every problem the scripts know, found in ``data_generators/``.

A problem is one file, ``data_generators/definition_of_<name>.py``, plus its
entry in ``SETTINGS`` at the top of ``main_create_and_train.py``. The file
holds everything the scripts need to know about the problem:

- ``PROBLEM``, a :class:`Problem`: the data file and its JSON keys, the input
  names and domain, and the class names (in the order of the output neurons)
  or, for a regression, the target names;
- ``label(inputs)``, the definition: one-hot targets in ±1 for a classifier,
  the noise-free targets for a regression;
- ``generate(samples, seed, ...)``, which draws a seeded dataset from it.

Nothing else names the list of problems: ``PROBLEMS`` is built by scanning
that folder the first time it is asked for, so adding a problem is adding its
file (and its settings). The training settings (architecture, learning rate,
epochs) are not here: they stand in ``main_create_and_train.py``, where a user
edits them.
"""

import importlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
MODELS_DIR = ROOT / "models"
GENERATORS_DIR = ROOT / "data_generators"
GENERATOR_PREFIX = "definition_of_"


@dataclass(frozen=True)
class Problem:
    """What the scripts need to know about one problem.

    ``input_low`` and ``input_high`` bound the input domain per input column
    (inclusive bounds of what the generator draws); the scripts use them for
    pictures and maps, and the models use them for input scaling.

    A classifier names its classes in ``class_names`` (one output neuron
    each, the first the "positive" class). A regression leaves
    ``class_names`` empty and names its real-valued outputs in
    ``target_names``. A problem whose data is fixed rather than drawn from a
    definition (handwritten digits) sets ``can_generate=False`` and keeps its
    held-out samples in ``test_data_filename``, which takes the place of fresh
    samples and is never trained on. ``image_shape`` says that the inputs are
    the pixels of an image of that shape, row by row (for pictures).
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
    target_names: tuple = ()
    test_data_filename: str = None
    can_generate: bool = True
    image_shape: tuple = None

    def __post_init__(self):
        if bool(self.class_names) == bool(self.target_names):
            raise ValueError(f"problem {self.name!r} needs either class_names (a classifier) "
                             "or target_names (a regression), not both")
        for bounds in (self.input_low, self.input_high):
            if len(bounds) != len(self.input_names):
                raise ValueError(f"problem {self.name!r}: input_low and input_high need one "
                                 f"bound per input ({len(self.input_names)})")

    @property
    def data_path(self) -> Path:
        return DATA_DIR / self.data_filename

    @property
    def test_data_path(self):
        """The held-out data file (``None`` for problems that draw fresh samples instead)."""
        return DATA_DIR / self.test_data_filename if self.test_data_filename else None

    @property
    def model_path(self) -> Path:
        return MODELS_DIR / f"model_{self.name}.json"

    @property
    def n_inputs(self) -> int:
        return len(self.input_names)

    @property
    def n_classes(self) -> int:
        """Number of classes (0 for a regression)."""
        return len(self.class_names)

    @property
    def is_regression(self) -> bool:
        return bool(self.target_names)

    @property
    def n_outputs(self) -> int:
        """Output neurons of a model for this problem: one per class or per target."""
        return len(self.target_names) if self.is_regression else len(self.class_names)

    @property
    def generator(self):
        """The module ``data_generators.definition_of_<name>`` (``label``, ``generate``)."""
        return importlib.import_module(f"data_generators.{GENERATOR_PREFIX}{self.name}")


def _discover() -> dict:
    """``{name: Problem}`` of every ``definition_of_<name>.py``, in name order."""
    found = {}
    for path in sorted(GENERATORS_DIR.glob(f"{GENERATOR_PREFIX}*.py")):
        name = path.stem[len(GENERATOR_PREFIX):]
        module = importlib.import_module(f"data_generators.{path.stem}")
        problem = getattr(module, "PROBLEM", None)
        if not isinstance(problem, Problem) or problem.name != name:
            raise ValueError(f"{path} must define PROBLEM = Problem(name={name!r}, ...)")
        for function in ("label", "generate"):
            if not callable(getattr(module, function, None)):
                raise ValueError(f"{path} must define a function {function}()")
        found[name] = problem
    return found


_REGISTRY = {}


def __getattr__(attribute):
    """``PROBLEMS``, built on first use (the generator files import this module)."""
    if attribute == "PROBLEMS":
        if not _REGISTRY:
            _REGISTRY.update(_discover())
        return _REGISTRY
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")


def get_problem(name: str) -> Problem:
    """The problem called ``name``; a ``ValueError`` naming the known ones otherwise."""
    problems = __getattr__("PROBLEMS")
    try:
        return problems[name]
    except (KeyError, TypeError):
        known = ", ".join(problems)
        raise ValueError(f"unknown problem {name!r}: choose one of {known}") from None
