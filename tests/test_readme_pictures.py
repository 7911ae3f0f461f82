"""The pictures the README shows: they exist, decode, and show the shipped models as they are now."""

import re
from pathlib import Path

import pytest

from picture_checks import check_apng, find_text
from src.datasets import load_dataset
from src.neural_network import NeuralNet
from src.pictures.colours import TEXT
from src.pictures.figures import boundary_levels
from src.pictures.png import read_png
from src.pictures.titles import cost_of, measure, measured_line, model_title
from src.problems import get_problem

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
PICTURES = {"docs/pictures/red_plot.png": "red", "docs/pictures/xor_neurons.png": "xor",
            "docs/pictures/xor_network.png": "xor",
            "docs/pictures/checkerboard_training.png": "checkerboard", "docs/pictures/digits_plot.png": "digits"}
FIX = "; remake the README's pictures with the commands it gives"


def test_the_readme_shows_each_picture_and_gives_the_command_that_makes_it():
    shown = set(re.findall(r"!\[[^\]]*\]\((docs/pictures/[^)]+)\)", README))
    assert shown == set(PICTURES)
    commands = [line.split() for line in README.splitlines() if line.startswith("python3 main_")]
    for path in PICTURES:
        assert any(path in command for command in commands), f"no command writes {path}"


def test_the_animation_has_at_least_31_frames():
    frames = check_apng(ROOT / "docs/pictures/checkerboard_training.png")
    assert len(frames) >= 31
    net = NeuralNet().load(get_problem("checkerboard").model_path)
    assert find_text(frames[-1], model_title(get_problem("checkerboard"), net), TEXT, scale=2), FIX


@pytest.mark.parametrize("path", [p for p in PICTURES if "training" not in p])
def test_a_readme_picture_is_titled_with_the_shipped_model_as_measured_now(path):
    problem = get_problem(PICTURES[path])
    net = NeuralNet().load(problem.model_path)
    image = read_png(ROOT / path)
    assert find_text(image, model_title(problem, net), TEXT, scale=2), path + FIX
    if problem.can_generate:
        inputs, targets = problem.generator.generate(10_000, 2024)  # main_load.py's defaults
        what = "fresh samples (seed 2024)"
    else:
        inputs, targets = load_dataset(problem.test_data_path, problem)
        what = f"test samples ({problem.test_data_filename})"
    cost, accuracy = measure(net, problem, cost_of(net), inputs, targets)
    line = measured_line(cost_of(net), cost, accuracy, len(inputs), what)
    assert find_text(image, line, TEXT), f"{path} should say {line!r}{FIX}"


def test_the_red_slices_are_where_the_readme_says():
    problem = get_problem("red")
    net = NeuralNet().load(problem.model_path)
    levels, found = boundary_levels(net.predict, problem.input_low, problem.input_high)
    assert found and levels == [0, 30, 60, 90, 120]
    assert "b = 0, 30, 60, 90, 120" in README
