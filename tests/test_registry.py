"""The problem registry: a problem is its generator file plus its SETTINGS entry.

The last test adds a throwaway problem to a copy of the project in exactly the
two steps docs/TRAINING_GUIDE.md gives, and trains and measures it with the
unchanged scripts.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import main_create_and_train
from src.problems import GENERATORS_DIR, PROBLEMS, Problem, get_problem

ROOT = Path(__file__).resolve().parent.parent


def test_every_generator_file_is_a_registered_problem():
    files = sorted(path.stem[len("definition_of_"):] for path in GENERATORS_DIR.glob("definition_of_*.py"))
    assert files == sorted(PROBLEMS)
    for name, problem in PROBLEMS.items():
        assert isinstance(problem, Problem) and problem.name == name
        assert problem.generator.PROBLEM == problem
        assert problem.data_path.is_file(), problem.data_path


def test_settings_and_registry_name_the_same_problems():
    assert set(main_create_and_train.SETTINGS) == set(PROBLEMS)


def test_unknown_names_are_refused_naming_the_known_ones():
    with pytest.raises(ValueError, match="unknown problem 'no_such_problem': choose one of .*xor"):
        get_problem("no_such_problem")


CIRCLE = '''"""Definition of circle: a point of the square [-1, 1]^2 is inside when x^2 + y^2 < 0.5."""

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from src.cli import generator_main
from src.datasets import as_batch, balanced_sample, on_grid, one_hot_pm1
from src.problems import Problem

PROBLEM = Problem(
    name="circle", data_filename="circle_data.json", input_key="Input_Values",
    output_key="Output_Values", input_names=("x", "y"), class_names=("inside", "outside"),
    input_low=(-1.0, -1.0), input_high=(1.0, 1.0),
)


def label(inputs):
    batch, single = as_batch(inputs, 2)
    inside = (np.asarray(batch, dtype=np.float64) ** 2).sum(axis=1) < 0.5
    targets = one_hot_pm1(np.where(inside, 0, 1), 2)
    return targets[0] if single else targets


def generate(samples_per_class=100, seed=0):
    rng = np.random.default_rng(seed)
    return balanced_sample(rng, lambda g, m: on_grid(g.uniform(-1, 1, size=(m, 2))), label,
                           samples_per_class, 2)


def main(argv=None):
    generator_main(sys.modules[__name__], argv)


if __name__ == "__main__":
    main()
'''

CIRCLE_SETTINGS = '''
SETTINGS["circle"] = {**COMMON, "hidden_layers": [16], "hidden_activation": "tanh",
                      "learning_rate": 0.03, "epochs": 12, "batch_size": 32,
                      "generated_samples_per_class": 2_000, "validation_samples_per_class": 2_000}
'''


def run(folder, *arguments):
    result = subprocess.run([sys.executable, *map(str, arguments)], cwd=folder,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_new_problem_takes_its_file_and_its_settings_and_nothing_else(tmp_path):
    project = tmp_path / "project"
    for folder in ("src", "data_generators", "data"):
        shutil.copytree(ROOT / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (project / "models").mkdir()
    for script in ("main_create_and_train.py", "main_load.py", "main_continue_training.py"):
        shutil.copy(ROOT / script, project / script)
    # Step 1: the generator file, run once to write the data file.
    (project / "data_generators" / "definition_of_circle.py").write_text(CIRCLE)
    written = run(project, "data_generators/definition_of_circle.py")
    assert "wrote 200 circle samples (seed 0)" in written and "inside: 100" in written
    # Step 2: the SETTINGS entry.
    main_script = project / "main_create_and_train.py"
    text = main_script.read_text()
    marker = "\n\ndef settings_of("
    main_script.write_text(text.replace(marker, CIRCLE_SETTINGS + marker, 1))

    trained = run(project, "main_create_and_train.py", "--problem", "circle", "--quiet")
    accuracy = float(trained.split("circle: ")[1].split(" %")[0])
    assert accuracy > 95.0, trained
    assert (project / "models" / "model_circle.json").is_file()
    measured = run(project, "main_load.py", "--problem", "circle", "--fresh", "1000")
    assert "inside" in measured and "outside" in measured
    helped = run(project, "main_load.py", "--help")
    assert "circle" in helped
