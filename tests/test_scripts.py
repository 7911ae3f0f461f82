"""The three main scripts end to end, as a user runs them: in a temporary folder, as subprocesses."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import main_create_and_train
from src.datasets import save_dataset
from src.layer import Layer
from src.neural_network import NeuralNet
from picture_checks import check_apng, find_text
from src.pictures.colours import TEXT, class_colours
from src.pictures.png import read_apng, read_png
from src.problems import get_problem

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ("main_create_and_train.py", "main_load.py", "main_continue_training.py")


def script(name, *args, cwd):
    """Run a script from ``cwd`` (not the project root); returns the completed process."""
    return subprocess.run([sys.executable, str(ROOT / name), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def one_line_error(result, *fragments):
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "Warning" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A small xor data file and a model trained on it by main_create_and_train.py."""
    folder = tmp_path_factory.mktemp("scripts")
    generator = get_problem("xor").generator
    save_dataset(folder / "xor.json", *generator.generate(40, seed=5), get_problem("xor"))
    result = script("main_create_and_train.py", "--problem", "xor", "--data", folder / "xor.json",
                    "--model", folder / "model.json", "--epochs", 3, cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder, result.stdout


@pytest.mark.parametrize("name", SCRIPTS)
def test_help(name, tmp_path):
    result = script(name, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "usage:" in result.stdout and "--problem" in result.stdout and "--model" in result.stdout


def test_create_trains_reports_and_saves_with_a_training_record(workspace):
    folder, stdout = workspace
    assert stdout.count("epoch ") == 3 and "val_accuracy" in stdout
    assert "held-out samples after 3 epochs" in stdout and "model.json" in stdout
    content = json.loads((folder / "model.json").read_text())
    record = content["training_record"]
    assert record["problem"] == "xor" and len(record["history"]) == 3
    assert record["runs"][0]["script"] == "main_create_and_train.py"
    assert record["runs"][0]["training_samples"] == 80 + 2 * main_create_and_train.SETTINGS["xor"][
        "generated_samples_per_class"]
    assert content["Layer_0"]["layer_type"] == "input" and content["cost_function"] == "cross_entropy"
    assert record["initializers"] == [{"layer": 1, "weights": {"name": "xavier_normal"}, "biases": {"name": "zeros"}},
                                      {"layer": 2, "weights": {"name": "xavier_normal"}, "biases": {"name": "zeros"}}]
    settings = main_create_and_train.SETTINGS["xor"]
    training = record["runs"][0]["training"]
    assert training["optimizer"] == settings["optimizer"] == "adam"
    assert training["betas"] == [0.9, 0.999] and training["epsilon"] == 1e-8
    assert training["lr_schedule"] == "cosine" and training["final_lr_fraction"] == settings["final_lr_fraction"]


def test_same_settings_rewrite_the_same_bytes(workspace, tmp_path):
    folder, _ = workspace
    again = script("main_create_and_train.py", "--problem", "xor", "--data", folder / "xor.json",
                   "--model", tmp_path / "again.json", "--epochs", 3, "--quiet", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again.json").read_bytes() == (folder / "model.json").read_bytes()


def test_load_reports_accuracy_confusion_scores_and_a_map(workspace):
    folder, _ = workspace
    result = script("main_load.py", "--problem", "xor", "--model", folder / "model.json",
                    "--data", folder / "xor.json", "--fresh", 500, cwd=folder)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "data file" in out and "fresh samples" in out and "accuracy" in out
    assert "true xor true" in out and "precision" in out and "recall" in out and "F1" in out
    assert "# xor true" in out and "|" in out
    fresh_line = next(line for line in out.splitlines() if line.startswith("fresh samples"))
    assert "of 1,000 right" in fresh_line


def test_predict_and_trace(workspace):
    folder, _ = workspace
    result = script("main_load.py", "--problem", "xor", "--model", folder / "model.json",
                    "--predict", 0, 1, 1, 1, "--trace", cwd=folder)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("(0, 1) -> xor true (confidence")
    assert any(line.startswith("(1, 1) -> xor false") for line in lines)
    assert sum("z = W @ a + b" in line for line in lines) == 4


def test_check_gradients_prints_a_table_of_small_errors(workspace, tmp_path):
    folder, _ = workspace
    result = script("main_load.py", "--problem", "xor", "--model", folder / "model.json",
                    "--data", folder / "xor.json", "--check-gradients", 5, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "the 5 samples of" in result.stdout and "with the highest cost" in result.stdout
    rows = [line.split() for line in lines if line.split()[:1] in (["1"], ["2"])]
    assert [row[1] for row in rows] == ["hidden", "output"] and all(row[-1] == "ok" for row in rows)
    assert all(float(row[-2]) < 1e-6 for row in rows)
    assert lines[-1] == "backpropagation agrees with the finite differences in every layer."

    content = json.loads((folder / "model.json").read_text())
    content["Layer_1"]["dropout"] = 0.5
    (tmp_path / "dropout.json").write_text(json.dumps(content))
    dropped = script("main_load.py", "--problem", "xor", "--model", tmp_path / "dropout.json",
                     "--data", folder / "xor.json", "--check-gradients", cwd=tmp_path)
    assert dropped.returncode == 0, dropped.stderr
    assert "with one fixed set of dropout masks" in dropped.stdout and "the 8 samples" in dropped.stdout


def test_check_gradients_fails_in_one_line_when_backpropagation_is_wrong(workspace, monkeypatch, capsys):
    import main_load
    from src.training import Training
    folder, _ = workspace
    original = Training.backpropagation

    def wrong(self, *args, **kwargs):
        gradients, predictions = original(self, *args, **kwargs)
        gradients["biases_1"] *= 1.01
        return gradients, predictions

    monkeypatch.setattr(Training, "backpropagation", wrong)
    with pytest.raises(SystemExit) as exit_info:
        main_load.run(main_load.main, ["--problem", "xor", "--model", str(folder / "model.json"),
                                       "--data", str(folder / "xor.json"), "--check-gradients"])
    assert exit_info.value.code == 1
    out, err = capsys.readouterr()
    assert "TOO LARGE" in out.splitlines()[4] and "ok" in out.splitlines()[5]
    assert err.count("\n") == 1 and "gradient check failed in layer(s) 1:" in err


def test_predict_on_the_shipped_red_model(tmp_path):
    result = script("main_load.py", "--predict", 255, 0, 0, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("(255, 0, 0) -> red (confidence")


def test_plot_writes_a_png_with_the_regions(workspace, tmp_path):
    folder, _ = workspace
    picture = tmp_path / "xor.png"
    result = script("main_load.py", "--problem", "xor", "--model", folder / "model.json",
                    "--data", folder / "xor.json", "--predict", 0, 0, "--plot", picture,
                    "--fresh", 500, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = read_png(picture)
    height, width, _ = image.shape
    assert width > 500 and 300 < height < width
    assert tuple(image[0, 0]) == (255, 255, 255)
    strong, _ = class_colours(get_problem("xor").class_names)
    for colour in strong:
        assert np.any(np.all(image == colour, axis=-1)), "a class colour is missing"


def test_pictures_are_titled_with_the_network_cost_and_accuracy(workspace, tmp_path):
    """A picture that names only the problem cannot be told from another model's."""
    folder, _ = workspace
    paths = {flag: tmp_path / f"{flag}.png" for flag in ("plot", "neurons", "network")}
    args = [item for flag, path in paths.items() for item in (f"--{flag}", path)]
    result = script("main_load.py", "--problem", "xor", "--model", folder / "model.json",
                    "--data", folder / "xor.json", "--fresh", 500, *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    fresh_line = next(line for line in result.stdout.splitlines() if line.startswith("fresh samples"))
    accuracy = fresh_line.split("accuracy ")[1].split(" %")[0]
    for path in paths.values():
        image = read_png(path)
        assert find_text(image, "xor: 2-8-2 tanh/softmax", TEXT, scale=2), path.name
        assert find_text(image, f"{float(accuracy):.2f} % right on 1,000 fresh samples (seed 2024)",
                         TEXT), path.name
    scaled = tmp_path / "scaled.png"
    result = script("main_load.py", "--problem", "xor", "--model", folder / "model.json",
                    "--data", folder / "xor.json", "--fresh", 500, "--predict", 0, 0,
                    "--network", scaled, "--scale", 2, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert abs(read_png(scaled).shape[0] - 2 * read_png(paths["network"]).shape[0]) <= 4


def test_animate_leaves_the_model_byte_identical(workspace, tmp_path):
    folder, _ = workspace
    animation = tmp_path / "training.png"
    result = script("main_create_and_train.py", "--problem", "xor", "--data", folder / "xor.json",
                    "--model", tmp_path / "animated.json", "--epochs", 3, "--quiet",
                    "--animate", animation, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "animated.json").read_bytes() == (folder / "model.json").read_bytes()
    frames = check_apng(animation)
    assert len(frames) >= 31 and f"animation of {len(frames)} frames" in result.stdout
    assert all(np.array_equal(a, b) for a, b in zip(read_apng(animation)[0], frames))

    plain = script("main_continue_training.py", "--problem", "xor", "--model", folder / "model.json",
                   "--data", folder / "xor.json", "--epochs", 1, "--quiet",
                   "--output", tmp_path / "plain.json", cwd=tmp_path)
    animated = script("main_continue_training.py", "--problem", "xor", "--model", folder / "model.json",
                      "--data", folder / "xor.json", "--epochs", 1, "--quiet",
                      "--output", tmp_path / "more.json", "--animate", tmp_path / "more.png",
                      cwd=tmp_path)
    assert plain.returncode == 0 and animated.returncode == 0, animated.stderr
    assert (tmp_path / "more.json").read_bytes() == (tmp_path / "plain.json").read_bytes()
    assert len(check_apng(tmp_path / "more.png")) >= 31


def test_continue_appends_to_the_record_and_writes_the_output(workspace, tmp_path):
    folder, _ = workspace
    before = (folder / "model.json").read_bytes()
    result = script("main_continue_training.py", "--problem", "xor", "--model", folder / "model.json",
                    "--data", folder / "xor.json", "--epochs", 2, "--output", tmp_path / "more.json",
                    cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (folder / "model.json").read_bytes() == before
    record = json.loads((tmp_path / "more.json").read_text())["training_record"]
    assert len(record["runs"]) == 2 and record["runs"][1]["script"] == "main_continue_training.py"
    assert [entry["epoch"] for entry in record["history"]] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("name,args", [
    ("main_create_and_train.py", ["--problem", "nope"]),
    ("main_create_and_train.py", ["--epochs", "-3"]),
    ("main_create_and_train.py", ["--learning-rate", "fast"]),
    ("main_create_and_train.py", ["--all", "--model", "x.json"]),
    ("main_create_and_train.py", ["--all", "--checkpoint", "x.json"]),
    ("main_create_and_train.py", ["--checkpoint", ""]),
    ("main_continue_training.py", ["--checkpoint", ""]),
    ("main_continue_training.py", ["--model", "m.json", "--checkpoint", "./m.json"]),
    ("main_load.py", ["--predict"]),
    ("main_load.py", ["--trace"]),
    ("main_load.py", ["--plot", "picture.jpg"]),
    ("main_load.py", ["--neurons", "neurons.svg"]),
    ("main_load.py", ["--network", "net.png", "--scale", "0"]),
    ("main_create_and_train.py", ["--all", "--animate", "a.png"]),
    ("main_create_and_train.py", ["--animate", "a.gif"]),
    ("main_continue_training.py", ["--animate", "a.apng"]),
    ("main_load.py", ["--problem", "xor", "--predict", "1", "2", "3"]),
    ("main_load.py", ["--check-gradients", "0"]),
    ("main_load.py", ["--check-gradients", "--predict", "1", "2", "3"]),
    ("main_continue_training.py", ["--epochs", "0"]),
    ("main_continue_training.py", ["--unknown"]),
])
def test_bad_command_lines_are_usage_errors(name, args, tmp_path):
    result = script(name, *args, cwd=tmp_path)
    assert result.returncode == 2
    assert "usage:" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_and_broken_files_give_one_line(workspace, tmp_path):
    folder, _ = workspace
    missing = script("main_load.py", "--model", tmp_path / "none.json", cwd=tmp_path)
    one_line_error(missing, "none.json", "does not exist")
    broken = tmp_path / "broken.json"
    broken.write_text('{"Layer_0": {"weights": [[0, 0], [0')
    one_line_error(script("main_load.py", "--problem", "xor", "--model", broken, cwd=tmp_path),
                   "broken.json", "not valid JSON")
    bad_data = tmp_path / "bad_data.json"
    bad_data.write_text('{"Input_Values": [[1, 2]], "Output_Values": [[1, 1]]}')
    one_line_error(script("main_load.py", "--problem", "xor", "--model", folder / "model.json",
                          "--data", bad_data, cwd=tmp_path), "bad_data.json")
    one_line_error(script("main_load.py", "--problem", "red", "--model", folder / "model.json", cwd=tmp_path),
                   "model.json", "not for red")
    before = broken.read_bytes()
    result = script("main_continue_training.py", "--problem", "xor", "--model", broken, cwd=tmp_path)
    one_line_error(result, "broken.json")
    assert broken.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad_data.json", "broken.json"]


def linear_xor_model(path):
    rng = np.random.default_rng(0)
    net = NeuralNet()
    net.add_layer(Layer(2, 2, "input"))
    net.add_layer(Layer(2, 8, "hidden", rng=rng))
    net.add_layer(Layer(8, 2, "output", "linear", rng=rng))
    net.cost_function = "mse"
    net.save(path)


def test_runaway_continue_training_leaves_the_model_and_writes_no_output(workspace, tmp_path):
    folder, _ = workspace
    model = tmp_path / "linear.json"
    linear_xor_model(model)
    before = model.read_bytes()
    result = script("main_continue_training.py", "--problem", "xor", "--model", model,
                    "--data", folder / "xor.json", "--learning-rate", "1e200", "--output",
                    tmp_path / "out.json", cwd=tmp_path)
    one_line_error(result, "diverged")
    assert model.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["linear.json"]
    in_place = script("main_continue_training.py", "--problem", "xor", "--model", model,
                      "--data", folder / "xor.json", "--learning-rate", "1e200", cwd=tmp_path)
    one_line_error(in_place, "diverged")
    assert model.read_bytes() == before


def test_runaway_create_writes_nothing(workspace, tmp_path, monkeypatch, capsys):
    folder, _ = workspace
    settings = dict(main_create_and_train.SETTINGS["xor"], output_activation="linear", cost_function="mse")
    monkeypatch.setitem(main_create_and_train.SETTINGS, "xor", settings)
    target = tmp_path / "never.json"
    with pytest.raises(SystemExit) as exited:
        main_create_and_train.run(main_create_and_train.main,
                                  ["--problem", "xor", "--data", str(folder / "xor.json"), "--model",
                                   str(target), "--learning-rate", "1e200", "--quiet"])
    assert exited.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "diverged" in err[0]
    assert list(tmp_path.iterdir()) == []


def test_checkpoint_option_of_both_training_scripts(workspace, tmp_path):
    folder, _ = workspace
    created = script("main_create_and_train.py", "--problem", "xor", "--data", folder / "xor.json",
                     "--model", tmp_path / "model.json", "--epochs", 3, "--quiet",
                     "--checkpoint", tmp_path / "best.json", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    final = json.loads((tmp_path / "model.json").read_text())
    best = json.loads((tmp_path / "best.json").read_text())
    history = final["training_record"]["history"]
    chosen = min(history, key=lambda entry: entry["val_cost"])
    assert best["training_record"]["checkpoint"] == {"epoch": chosen["epoch"], "monitored": "val_cost",
                                                     "value": chosen["val_cost"]}
    assert best["training_record"]["history"] == history[:chosen["epoch"]]
    assert best["cost_function"] == "cross_entropy"
    if chosen["epoch"] == len(history):
        assert [best[f"Layer_{i}"] for i in range(3)] == [final[f"Layer_{i}"] for i in range(3)]

    before = (tmp_path / "model.json").read_bytes()
    continued = script("main_continue_training.py", "--problem", "xor", "--model", tmp_path / "model.json",
                       "--data", folder / "xor.json", "--epochs", 2, "--quiet", "--output", tmp_path / "more.json",
                       "--checkpoint", tmp_path / "best_more.json", cwd=tmp_path)
    assert continued.returncode == 0, continued.stderr
    assert (tmp_path / "model.json").read_bytes() == before
    record = NeuralNet().load(tmp_path / "best_more.json").training_record
    assert record["checkpoint"]["epoch"] in (4, 5) and record["history"][:3] == history


def test_settings_choose_the_initialisers_and_the_record_keeps_them():
    problem = get_problem("xor")
    settings = dict(main_create_and_train.SETTINGS["xor"], hidden_layers=[6, 5], weight_init="lecun_uniform",
                    bias_init={"name": "constant", "value": 0.125})
    net = main_create_and_train.build_network(problem, settings, seed=4)
    for layer in net.layers[1:]:
        assert np.max(np.abs(layer.weights)) <= np.sqrt(3 / layer.previousLayer_size)
        assert np.all(layer.biases == 0.125)
    assert main_create_and_train.initializers_record(net) == [
        {"layer": i, "weights": {"name": "lecun_uniform"}, "biases": {"name": "constant", "value": 0.125}}
        for i in (1, 2, 3)]
    again = main_create_and_train.build_network(problem, settings, seed=4)
    assert all(np.array_equal(a.weights, b.weights) for a, b in zip(net.layers, again.layers))


def test_settings_pass_dropout_and_the_training_options_on_and_the_record_keeps_them(workspace, tmp_path):
    folder, _ = workspace
    problem = get_problem("xor")
    settings = dict(main_create_and_train.SETTINGS["xor"], epochs=2, generated_samples_per_class=100,
                    validation_samples_per_class=100, dropout=0.25, optimizer="rmsprop", rho=0.95, l1=1e-4,
                    lr_schedule="step", lr_step_epochs=1, lr_factor=0.5)
    main_create_and_train.create_and_train(problem, settings, folder / "xor.json", tmp_path / "m.json",
                                           verbose=False)
    content = json.loads((tmp_path / "m.json").read_text())
    assert content["Layer_1"]["dropout"] == 0.25 and "dropout" not in content["Layer_2"]
    run = content["training_record"]["runs"][0]
    assert {key: run["training"][key] for key in ("optimizer", "rho", "l1", "lr_step_epochs", "lr_factor")} \
        == {"optimizer": "rmsprop", "rho": 0.95, "l1": 1e-4, "lr_step_epochs": 1, "lr_factor": 0.5}
    assert [entry["learning_rate"] for entry in content["training_record"]["history"]] == [0.02, 0.01]


@pytest.fixture(scope="module")
def regression_workspace(tmp_path_factory):
    """A small house-price data file and a model trained on it for 3 epochs."""
    folder = tmp_path_factory.mktemp("regression")
    problem = get_problem("linear_regression")
    save_dataset(folder / "houses.json", *problem.generator.generate(200, seed=5), problem)
    result = script("main_create_and_train.py", "--problem", "linear_regression", "--data", folder / "houses.json",
                    "--model", folder / "model.json", "--epochs", 3, cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder, result.stdout


def test_create_trains_a_regression_and_reports_rmse(regression_workspace):
    folder, stdout = regression_workspace
    assert stdout.count("epoch ") == 3 and "val_cost" in stdout and "accuracy" not in stdout
    last = stdout.strip().splitlines()[-1]
    assert last.startswith("linear_regression: RMSE ") and "against the noise-free price" in last
    content = json.loads((folder / "model.json").read_text())
    assert content["Layer_2"]["activation_func"] == "linear" and content["cost_function"] == "mse"
    assert set(content["output_scaling"]) == {"offset", "scale"}
    assert 300 < content["output_scaling"]["offset"][0] < 600 and 100 < content["output_scaling"]["scale"][0] < 160
    record = content["training_record"]
    assert "held_out_rmse" in record["runs"][0] and "held_out_accuracy" not in record["runs"][0]
    assert all("accuracy" not in entry and "val_accuracy" not in entry for entry in record["history"])


def test_load_reports_regression_metrics_on_the_file_and_fresh_samples(regression_workspace):
    folder, _ = regression_workspace
    result = script("main_load.py", "--problem", "linear_regression", "--model", folder / "model.json",
                    "--data", folder / "houses.json", "--fresh", 2000, cwd=folder)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    file_line = next(line for line in lines if line.startswith("data file"))
    fresh_line = next(line for line in lines if line.startswith("fresh samples"))
    for line in (file_line, fresh_line):
        for name in ("MAE", "MSE", "RMSE", "R²", "k$"):
            assert name in line, line
    assert "2,000" in fresh_line
    assert sum(line.strip().startswith("against the noise-free targets: MAE") for line in lines) == 2
    assert sum("the definition itself scores: RMSE" in line for line in lines) == 2


def test_predict_prints_the_price_and_the_trace_shows_the_output_scaling(regression_workspace):
    folder, _ = regression_workspace
    result = script("main_load.py", "--problem", "linear_regression", "--model", folder / "model.json",
                    "--predict", 0.5, 0.5, 0.5, 1, 1, 0, "--trace", cwd=folder)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    first = next(line for line in lines if line.startswith("(0.5, 0.5, 0.5) -> price "))
    assert first.endswith("k$ (by the definition, without noise: 462.5000 k$)")
    assert any(line.startswith("(1, 1, 0) -> price ") and "800.0000 k$" in line for line in lines)
    assert sum("output = offset + scale * a" in line for line in lines) == 2


def test_plot_of_a_regression_writes_its_three_panels(regression_workspace, tmp_path):
    folder, _ = regression_workspace
    picture = tmp_path / "houses.png"
    result = script("main_load.py", "--problem", "linear_regression", "--model", folder / "model.json",
                    "--data", folder / "houses.json", "--plot", picture, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    image = read_png(picture)
    assert image.shape[1] > 900 and image.shape[0] > 250


def test_continue_training_a_regression(regression_workspace, tmp_path):
    folder, _ = regression_workspace
    result = script("main_continue_training.py", "--problem", "linear_regression", "--model",
                    folder / "model.json", "--data", folder / "houses.json", "--epochs", 1, "--quiet",
                    "--output", tmp_path / "more.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "RMSE" in result.stdout and "noise-free price" in result.stdout
    content = json.loads((tmp_path / "more.json").read_text())
    assert content["output_scaling"] == json.loads((folder / "model.json").read_text())["output_scaling"]
    assert len(content["training_record"]["history"]) == 4


def test_iris_predicts_a_species_and_draws_the_petal_plane(tmp_path):
    result = script("main_load.py", "--problem", "iris", "--predict", 0.3, 0.7, 0.2, 0.15, "--plot",
                    tmp_path / "iris.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("(0.3, 0.7, 0.2, 0.15) -> setosa (confidence")
    assert "plane of petal length and petal width" in result.stdout
    image = read_png(tmp_path / "iris.png")
    strong, _ = class_colours(3)
    for colour in strong:
        assert np.any(np.all(image == colour, axis=-1)), "a species' colour is missing"
