"""Claims of the README that are not about one module: set-up, the API example, the results."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from src.cli import held_out_result
from src.datasets import model_targets
from src.neural_network import NeuralNet
from src.problems import get_problem

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_block_after(marker, language="bash"):
    start = README.index(marker)
    match = re.compile(rf"```{language}\n(.*?)```", re.S).search(README, start)
    return match.group(1)


def test_setup_commands_make_the_virtual_environment_first():
    for marker in ("Train the default problem", "Run the tests:"):
        command = code_block_after(marker).strip()
        assert command.startswith("python3 -m venv .venv && .venv/bin/python -m pip install -r requirements.txt")
        assert "\n" not in command and " python3 " not in command.split("&&", 1)[1]


def test_ci_runs_the_readme_test_command_as_it_stands():
    command = code_block_after("Run the tests:").strip()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command in ci.splitlines()
    assert command.endswith("-m pytest -q")


def test_the_api_example_runs_from_another_folder_when_saved_beside_main_load(tmp_path):
    """The example, as a script in the repository's folder, run from a temporary folder."""
    code = code_block_after("## The Python API", "python")
    script = ROOT / "my_red.py"  # where the README says to save it (run here without writing it there)
    runner = (f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n__file__ = {str(script)!r}\n"
              f"exec(compile({code!r}, __file__, 'exec'))\n")
    result = subprocess.run([sys.executable, "-c", runner], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my_red.json"]
    assert NeuralNet().load(tmp_path / "my_red.json").n_outputs == 2
    assert not script.exists()


TABLE_ROW = re.compile(r"^\| (\w+) \| [^|]* \| \*\*([0-9.]+) %\*\* \|", re.M)


def test_the_results_table_is_what_fresh_100000_seed_7_gives():
    """The figures of the two-input problems, from the samples the README's command draws."""
    rows = {name: figure for name, figure in TABLE_ROW.findall(README)}
    checked = []
    for name in ("xor", "sine", "checkerboard", "quadrant"):
        problem = get_problem(name)
        net = NeuralNet().load(problem.model_path)
        inputs, targets = problem.generator.generate(100_000, 7)
        right = np.argmax(net.predict(inputs.astype(np.float64)), axis=1) == np.argmax(targets, axis=1)
        figure = rows[name]
        decimals = len(figure.split(".")[1]) if "." in figure else 0
        assert f"{100 * right.mean():.{decimals}f}" == figure, name
        checked.append(name)
    assert checked == ["xor", "sine", "checkerboard", "quadrant"]


def test_reds_held_out_cost_is_below_its_training_cost_because_of_the_surface_heavy_training_set():
    problem = get_problem("red")
    net = NeuralNet().load(problem.model_path)

    def cost(surface_fraction):
        inputs, targets = problem.generator.generate(10_000, 11, surface_fraction=surface_fraction)
        return held_out_result(net, "cross_entropy",
                               (inputs.astype(np.float64), model_targets(targets, problem, "softmax")))[1]

    surface, whole = cost(1.0), cost(0.0)
    last = json.loads(problem.model_path.read_text())["training_record"]["history"][-1]
    assert surface > 10 * whole  # README: 0.037 against 0.0018
    assert last["cost"] > 5 * last["val_cost"]  # README: 0.019 against 0.0018
    assert last["cost"] == pytest.approx((surface + whole) / 2, rel=0.2)  # half and half
    assert last["val_cost"] == pytest.approx(whole, rel=0.3)
    assert f"0.{round(1000 * surface):03d}" in README and "0.0018" in README and "0.019" in README


def test_the_shipped_models_weights_lie_far_within_the_divergence_bound():
    from src.training import MAX_PARAMETER

    assert "biases all lie within ±11" in README and MAX_PARAMETER == 1e6 and "beyond ±1e6" in README
    for path in sorted((ROOT / "models").glob("model_*.json")):
        net = NeuralNet().load(path)
        largest = max(max(np.abs(layer.weights).max(), np.abs(layer.biases).max()) for layer in net.layers)
        assert largest <= 11, path.name
