"""The scripts never lose a good model and say one honest line when they stop.

Command-line slips are usage errors before anything runs; continuing a
training never replaces a model with a worse one; a model or data file of
another problem is refused; Ctrl-C, SIGTERM and a closed or full standard
output end a script with one line saying what it wrote. Most scripts run as
subprocesses from a temporary folder, as a user runs them.
"""

import argparse
import functools
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import main_continue_training
import main_create_and_train
import main_load
import src.fileio as fileio
from src.arguments import path_argument
from src.problems import PROBLEMS, get_problem

ROOT = Path(__file__).resolve().parent.parent
MAIN_SCRIPTS = {"main_create_and_train.py": main_create_and_train, "main_load.py": main_load,
                "main_continue_training.py": main_continue_training}


def script(name, *args, cwd, **kwargs):
    if "stdout" not in kwargs:
        kwargs.setdefault("capture_output", True)
    return subprocess.run([sys.executable, str(ROOT / name), *map(str, args)], cwd=cwd, text=True,
                          timeout=300, **kwargs)


def one_line(stderr, *fragments):
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "Warning" not in stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def names(folder):
    return sorted(p.name for p in Path(folder).iterdir())


@pytest.fixture(scope="module")
def xor_model(tmp_path_factory):
    """A good xor model (the default settings, 100 % on the held-out samples) in its own folder."""
    folder = tmp_path_factory.mktemp("xor")
    result = script("main_create_and_train.py", "--problem", "xor", "--model", folder / "model.json",
                    "--quiet", cwd=folder)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return folder / "model.json"


@pytest.fixture
def good_model(xor_model, tmp_path):
    path = tmp_path / "model.json"
    path.write_bytes(xor_model.read_bytes())
    return path, path.read_bytes()


# --- every path argument of every script: an empty name is a usage error ---

class _Parsed(BaseException):
    """Raised in place of parsing, to hand the test a script's parser."""

    def __init__(self, parser):
        super().__init__()
        self.parser = parser


def parser_of(main, monkeypatch):
    with monkeypatch.context() as patch:
        def capture(parser, args=None, namespace=None):
            raise _Parsed(parser)
        patch.setattr(argparse.ArgumentParser, "parse_args", capture)
        with pytest.raises(_Parsed) as info:
            main([])
    return info.value.parser


def every_parser(monkeypatch):
    for name, module in MAIN_SCRIPTS.items():
        yield name, parser_of(module.main, monkeypatch)
    for problem in PROBLEMS.values():
        if problem.can_generate:
            yield f"definition_of_{problem.name}.py", parser_of(problem.generator.main, monkeypatch)


def text_options(parser):
    """The options that take free text: every one of them names a file."""
    return [action for action in parser._actions
            if action.option_strings and action.nargs is None and action.const is None
            and action.choices is None and action.type in (None, str, Path, path_argument)]


def test_every_path_argument_of_every_script_refuses_an_empty_name(monkeypatch, capsys):
    checked = []
    for name, parser in every_parser(monkeypatch):
        options = text_options(parser)
        assert options, f"{name} has no path options?"
        for action in options:
            assert action.type is path_argument, f"{name} {action.option_strings[0]} is not a path_argument"
            option = action.option_strings[-1]
            for empty in ("", " ", "\t \n"):
                with pytest.raises(SystemExit) as exited:
                    parser.parse_args([option, empty])
                assert exited.value.code == 2
                assert "expected a file name" in capsys.readouterr().err
            checked.append(f"{name} {option}")
    for expected in ("main_create_and_train.py --model", "main_create_and_train.py --data",
                     "main_load.py --model", "main_load.py --data", "main_load.py --plot",
                     "main_continue_training.py --model", "main_continue_training.py --data",
                     "main_continue_training.py --output", "definition_of_xor.py --output"):
        assert expected in checked


def test_all_with_problem_is_a_usage_error_before_any_training(capsys):
    with pytest.raises(SystemExit) as exited:
        main_create_and_train.main(["--all", "--problem", "xor"])
    assert exited.value.code == 2 and "cannot go with --problem" in capsys.readouterr().err


# --- continuing never replaces a model with a worse one ---

def test_a_runaway_learning_rate_is_divergence_and_the_model_stays(good_model):
    path, before = good_model
    result = script("main_continue_training.py", "--problem", "xor", "--model", path,
                    "--learning-rate", "1e300", "--force", cwd=path.parent)
    assert result.returncode == 1
    one_line(result.stderr, "diverged", "weights grew beyond ±1e+06")
    assert path.read_bytes() == before and names(path.parent) == ["model.json"]


@pytest.mark.parametrize("learning_rate", ["5", "100"])
def test_a_worse_result_is_not_written_unless_forced(good_model, learning_rate):
    path, before = good_model
    args = ("--problem", "xor", "--model", path, "--learning-rate", learning_rate, "--quiet")
    refused = script("main_continue_training.py", *args, cwd=path.parent)
    assert refused.returncode == 1 and refused.stdout == ""
    one_line(refused.stderr, "worse on the held-out samples", "nothing was written",
             f"{path} is as it was", "--force")
    assert path.read_bytes() == before and names(path.parent) == ["model.json"]
    into_another = script("main_continue_training.py", *args, "--output", path.parent / "other.json",
                          cwd=path.parent)
    assert into_another.returncode == 1 and names(path.parent) == ["model.json"]
    forced = script("main_continue_training.py", *args, "--force", cwd=path.parent)
    assert forced.returncode == 0, forced.stderr
    assert path.read_bytes() != before
    assert len(json.loads(path.read_text())["training_record"]["runs"]) == 2


def test_a_result_that_is_not_worse_is_written_over_the_model(tmp_path):
    model = tmp_path / "weak.json"
    created = script("main_create_and_train.py", "--problem", "xor", "--epochs", 1, "--learning-rate", "0.001",
                     "--model", model, "--quiet", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    before = model.read_bytes()
    result = script("main_continue_training.py", "--problem", "xor", "--model", model, "--learning-rate",
                    "0.02", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert model.read_bytes() != before and "(before: " in result.stdout
    record = json.loads(model.read_text())["training_record"]
    assert record["runs"][1]["script"] == "main_continue_training.py"
    assert record["runs"][1]["held_out_accuracy"] >= record["runs"][0]["held_out_accuracy"]


def test_a_wrong_output_path_is_found_before_training(good_model, tmp_path):
    path, before = good_model
    missing = tmp_path / "missing" / "m.json"
    for name, args in [("main_create_and_train.py", ["--problem", "xor", "--model", missing]),
                       ("main_continue_training.py", ["--problem", "xor", "--model", path, "--output", missing]),
                       ("main_create_and_train.py", ["--problem", "xor", "--model", tmp_path])]:
        result = script(name, *args, cwd=tmp_path)
        assert result.returncode == 1 and "epoch" not in result.stdout
        line = one_line(result.stderr)
        assert (str(missing) in line and "does not exist" in line) or \
            f"cannot write {tmp_path}: it is a folder" in line
        assert ".tmp" not in line
    assert path.read_bytes() == before


def test_a_model_no_better_than_chance_is_saved_with_a_warning(tmp_path, monkeypatch, capsys):
    """A network whose output weights are all zero answers the first class for every input."""
    real_build = main_create_and_train.build_network

    def untrainable(problem, settings, seed):
        net = real_build(problem, settings, seed)
        net.layers[-1].weights = np.zeros_like(net.layers[-1].weights)
        return net

    monkeypatch.setattr(main_create_and_train, "build_network", untrainable)
    target = tmp_path / "chance.json"
    main_create_and_train.run(main_create_and_train.main, ["--problem", "xor", "--model", str(target), "--epochs",
                                                           "1", "--learning-rate", "1e-300", "--quiet"])
    err = capsys.readouterr().err
    one_line(err, "warning: xor: the model is no better than chance", "50.00 %", f"saved to {target}")
    assert target.is_file()


# --- a model or data file of another problem ---

def test_a_model_of_another_problem_is_refused(tmp_path):
    sine_model = get_problem("xor").model_path
    for name in ("main_load.py", "main_continue_training.py"):
        result = script(name, "--problem", "sine", "--model", sine_model, "--quiet" if "continue" in name else
                        "--no-cube", cwd=tmp_path)
        assert result.returncode == 1
        one_line(result.stderr, "was trained for problem xor", "not for sine", "--problem xor")
    assert names(tmp_path) == []


def test_a_data_file_of_another_problem_is_refused(xor_model, tmp_path):
    sine_data = get_problem("sine").data_path
    result = script("main_load.py", "--problem", "xor", "--model", xor_model, "--data", sine_data, cwd=tmp_path)
    assert result.returncode == 1
    one_line(result.stderr, str(sine_data), "labelled otherwise than problem xor's definition")
    created = script("main_create_and_train.py", "--problem", "xor", "--data", sine_data,
                     "--model", tmp_path / "m.json", cwd=tmp_path)
    assert created.returncode == 1 and names(tmp_path) == []


# --- --predict ---

def test_predict_takes_negative_numbers_in_any_notation(xor_model, tmp_path):
    result = script("main_load.py", "--problem", "xor", "--model", xor_model,
                    "--predict", "1", "-1e-3", "-5.", "-.25", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("(1, -0.001) -> xor true") and lines[2].startswith("(-5, -0.25) -> xor false")


@pytest.mark.parametrize("values", [["1", "2", "3"], ["1"], ["1", "nan"], ["1", "-1e400"], ["1", "x"]])
def test_predict_mistakes_are_usage_errors(values, capsys):
    with pytest.raises(SystemExit) as exited:
        main_load.main(["--problem", "xor", "--predict", *values])
    assert exited.value.code == 2 and "usage:" in capsys.readouterr().err


# --- one honest line when a script stops ---

def test_standard_output_full_or_closed_is_one_line(xor_model, tmp_path):
    args = ("--problem", "xor", "--model", xor_model, "--fresh", 10)
    with open("/dev/full", "w") as full:
        result = script("main_load.py", *args, cwd=tmp_path, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 1
    one_line(result.stderr, "cannot write to standard output (No space left on device); nothing was written")
    read_end, write_end = os.pipe()
    os.close(read_end)  # closed before the script writes anything
    try:
        result = script("main_load.py", *args, cwd=tmp_path, stdout=write_end, stderr=subprocess.PIPE)
    finally:
        os.close(write_end)
    assert result.returncode == 1
    one_line(result.stderr, "cannot write to standard output (it was closed); nothing was written")


def test_ctrl_c_during_all_after_a_model_was_saved_says_what_was_written(tmp_path, monkeypatch, capsys):
    calls = []

    def create_and_train(problem, settings, data_path, model_path, verbose=True, **options):
        if calls:
            raise KeyboardInterrupt
        calls.append(problem.name)
        fileio.atomic_write_text(tmp_path / f"{problem.name}.json", "{}")
        return {"problem": problem.name, "network": "2-2", "epochs": 1, "seconds": 0.0, "held_out": "100 % right",
                "held_out_figure": "100 %", "model": str(tmp_path / f"{problem.name}.json"), "chance": ""}

    monkeypatch.setattr(main_create_and_train, "create_and_train", create_and_train)
    with pytest.raises(SystemExit) as exited:
        main_create_and_train.run(main_create_and_train.main, ["--all", "--quiet"])
    assert exited.value.code == 1
    first = next(iter(main_create_and_train.SETTINGS))
    one_line(capsys.readouterr().err, f"interrupted; wrote {tmp_path / (first + '.json')}")


def fake_numpy(folder):
    """A ``numpy`` that is interrupted by Ctrl-C while it is being imported."""
    package = folder / "numpy"
    package.mkdir()
    (package / "__init__.py").write_text("import os, signal, time\nos.kill(os.getpid(), signal.SIGINT)\n"
                                         "time.sleep(30)\n")
    return {**os.environ, "PYTHONPATH": str(folder)}


@pytest.mark.parametrize("name", ["main_load.py", "main_create_and_train.py", "main_continue_training.py",
                                  "data_generators/definition_of_xor.py"])
def test_ctrl_c_while_the_script_is_starting_is_one_line(name, tmp_path):
    result = script(name, cwd=tmp_path, env=fake_numpy(tmp_path))
    assert result.returncode == 1
    one_line(result.stderr, f"{Path(name).name}: error: interrupted; nothing was written")
    assert names(tmp_path) == ["numpy"]


def start_training(tmp_path, *extra):
    """main_create_and_train.py on xor for many epochs; returns once the first epoch is printed."""
    child = subprocess.Popen([sys.executable, str(ROOT / "main_create_and_train.py"), "--problem", "xor",
                              "--epochs", "100000", "--model", str(tmp_path / "m.json"), *extra],
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in child.stdout:
        if line.startswith("epoch"):
            return child
    raise AssertionError(child.stderr.read())


@pytest.mark.parametrize("signals, said", [([signal.SIGINT, signal.SIGINT], "interrupted"),
                                           ([signal.SIGTERM], "terminated"),
                                           ([signal.SIGTERM, signal.SIGTERM], "terminated")])
def test_ctrl_c_twice_or_sigterm_during_training_is_one_line(tmp_path, signals, said):
    child = start_training(tmp_path)
    for number in signals:
        child.send_signal(number)
    _, stderr = child.communicate(timeout=120)
    assert child.returncode == 1
    one_line(stderr, f"error: {said}; nothing was written")
    assert names(tmp_path) == []


@pytest.mark.parametrize("failure, said", [(MemoryError("Unable to allocate 7.45 GiB"), "out of memory (Unable"),
                                           (MemoryError(), "out of memory"),
                                           (KeyboardInterrupt(), "interrupted; nothing was written")])
def test_a_generator_that_runs_out_of_memory_or_is_interrupted_says_one_line(tmp_path, monkeypatch, capsys,
                                                                             failure, said):
    generator = get_problem("xor").generator

    @functools.wraps(generator.generate)  # the command line is built from its signature
    def failing(*args, **kwargs):
        raise failure

    monkeypatch.setattr(generator, "generate", failing)
    with pytest.raises(SystemExit) as exited:
        generator.main(["--output", str(tmp_path / "x.json")])
    assert exited.value.code == 1
    one_line(capsys.readouterr().err, said)
    assert names(tmp_path) == []


def test_control_characters_from_files_and_arguments_never_reach_the_terminal(xor_model, tmp_path):
    content = json.loads(xor_model.read_text())
    content["Layer_1"]["activation_params"] = {"\x1b]0;owned\x07\x1b[2J": 1}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(content))
    for model in (bad, tmp_path / "\x1b[31mred.json"):
        result = script("main_load.py", "--problem", "xor", "--model", model, cwd=tmp_path)
        assert result.returncode == 1
        line = one_line(result.stderr)
        assert line.isprintable() and "\\x1b" in line


def test_the_training_record_says_what_the_numbers_depend_on(xor_model):
    from src.environment import numerical_environment

    run = json.loads(xor_model.read_text())["training_record"]["runs"][-1]
    assert run["environment"] == numerical_environment()
    assert run["environment"]["numpy"] == np.__version__
    assert set(run["environment"]) == {"python", "numpy", "blas", "blas_kernel", "machine"}


def test_the_rules_for_not_worse_and_for_chance():
    from src.cli import no_better_than_chance, not_worse
    from src.layer import Layer
    from src.neural_network import NeuralNet

    assert not_worse((1.0, 0.5), (1.0, 0.5)) and not_worse((0.99, 9.0), (0.98, 0.1))
    assert not not_worse((0.98, 0.0), (0.99, 9.0)) and not not_worse((1.0, 0.51), (1.0, 0.5))
    assert not_worse((None, 0.5), (None, 0.6)) and not not_worse((None, 0.7), (None, 0.6))
    net = NeuralNet()
    net.add_layer(Layer(1, 1, "input"))
    net.add_layer(Layer(1, 1, "output", "linear", weights=[[2.0]], biases=[0.0]))
    x = np.linspace(-1, 1, 11).reshape(-1, 1)
    assert no_better_than_chance(net, (x, 2 * x), regression=True) == ""
    assert "always answering their mean" in no_better_than_chance(net, (x, -2 * x), regression=True)
    classifier = NeuralNet()
    classifier.add_layer(Layer(1, 1, "input"))
    classifier.add_layer(Layer(1, 2, "output", "softmax", weights=[[1.0], [-1.0]], biases=[0.0, 0.0]))
    targets = np.where(x > 0, [1.0, 0.0], [0.0, 1.0])
    assert no_better_than_chance(classifier, (x, targets)) == ""
    assert "largest class gets" in no_better_than_chance(classifier, (x, targets[:, ::-1]))


def test_every_script_imports_the_quiet_start_before_anything_heavy():
    """What makes a Ctrl-C while a script starts one line: ``src.script_start`` comes before NumPy."""
    import ast

    scripts = [ROOT / name for name in MAIN_SCRIPTS] + sorted((ROOT / "data_generators").glob("definition_of_*.py"))
    assert len(scripts) == len(MAIN_SCRIPTS) + len([p for p in PROBLEMS.values()])
    for path in scripts:
        imported = []
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                imported += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                imported.append(node.module)
        first = next(name for name in imported if name.split(".")[0] not in sys.stdlib_module_names)
        assert first == "src.script_start", f"{path.name} imports {first} before src.script_start"
