"""Model files: what NeuralNet.load rejects, that it never runs anything a file
names, and that NeuralNet.save never leaves a broken or half-written file.

Every rejection is checked for the exception type, for the file's path in the
message and for a phrase saying what is wrong; it runs with warnings turned into
errors and NumPy floating-point errors raising, prints nothing, and leaves the
network it was called on exactly as it was.
"""

import builtins
import copy
import errno
import json
import os
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import src.activation_functions as activation_functions_module
import src.fileio as fileio
import src.model_format as model_format_module
import src.neural_network as neural_network_module
from src.activation_functions import ActivationFunction
from src.datasets import load_dataset
from src.layer import Layer
from src.neural_network import NeuralNet


def build_net():
    """A small trained-looking network: 3 inputs, hidden 4 (leaky ReLU) and 3 (ELU), 2 tanh outputs."""
    rng = np.random.default_rng(11)
    net = NeuralNet()
    net.add_layer(Layer(3, 3, "input"))
    net.add_layer(Layer(3, 4, "hidden", rng=rng))
    net.add_layer(Layer(4, 3, "hidden", "elu", {"alpha": 0.5}, rng=rng))
    net.add_layer(Layer(3, 2, "output", rng=rng))
    for layer in net.layers[1:]:
        layer.biases = rng.normal(0.0, 0.1, layer.layer_size)
    net.set_input_scaling([0, 0, 0], [255, 255, 255])
    net.cost_function = "mse"
    net.training_record = {"runs": [{"epochs": 2, "learning_rate": 0.01}],
                           "history": [{"epoch": 1, "cost": 0.5}, {"epoch": 2, "cost": 0.25}]}
    return net


def valid_content():
    """The parsed content of a valid model file (a fresh copy each call)."""
    return copy.deepcopy(build_net().to_dict())


def write(path, content):
    """Write ``content`` to ``path``: bytes and str as they are, anything else as JSON."""
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_text(json.dumps(content), encoding="utf-8")
    return path


def snapshot(net):
    return (json.dumps(net.to_dict()), list(net.layers), net.input_offset, net.cost_function)


@pytest.fixture
def loaded_net(tmp_path):
    """A network loaded from a valid file, to check that a failed load changes nothing."""
    return NeuralNet().load(write(tmp_path / "good.json", valid_content()))


def assert_rejected(net, path, phrase, capsys):
    """``net.load(path)`` is a ValueError naming ``path`` and containing ``phrase``; ``net`` is unchanged."""
    before = snapshot(net)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=re.escape(str(path))) as info:
            net.load(path)
    assert phrase in str(info.value), f"{phrase!r} not in {str(info.value)!r}"
    after = snapshot(net)
    assert after[0] == before[0]
    assert all(a is b for a, b in zip(after[1], before[1])) and len(after[1]) == len(before[1])
    assert after[2] is before[2] and after[3] == before[3]
    assert capsys.readouterr() == ("", "")
    return str(info.value)


# --- what a model file may be wrong in ---

def mutate(function):
    """A case built from the valid content, which ``function(content)`` changes in place."""
    def build():
        content = valid_content()
        function(content)
        return content
    return build


def rebuild(function):
    """A case whose content is ``function(valid content)``."""
    return lambda: function(valid_content())


def text(value):
    return lambda: value


def set_at(keys, value):
    def change(content):
        target = content
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return change


def drop(layer, key):
    return lambda content: content[f"Layer_{layer}"].pop(key)


def rename(old, new):
    def change(content):
        content[new] = content.pop(old)
    return change


def replace_text(old, new):
    """Change the JSON text of the valid content (for things json.dumps cannot write)."""
    def build():
        dumped = json.dumps(valid_content())
        assert old in dumped
        return dumped.replace(old, new, 1)
    return build


def with_placeholder(keys, raw):
    """Put the raw JSON text ``raw`` at ``keys`` (for NaN, Infinity, 1e400, deep nesting)."""
    def build():
        content = valid_content()
        set_at(keys, "@PLACEHOLDER@")(content)
        return json.dumps(content).replace('"@PLACEHOLDER@"', raw)
    return build


def chain_broken(content):
    """Layer_2 expects 5 inputs (with weights of that width) but Layer_1 has 4 neurons."""
    block = content["Layer_2"]
    block["previousLayer_size"] = 5
    block["weights"] = [row + [0.0] for row in block["weights"]]


def swap_layers(a, b):
    def change(content):
        content[f"Layer_{a}"], content[f"Layer_{b}"] = content[f"Layer_{b}"], content[f"Layer_{a}"]
    return change


BAD_SIZES = [0, -1, 2.5, True, "3", None, [3], 3.0]
NOT_NUMBERS = ["0.5", True, None, {"x": 1}, [0.5]]
MISSING_KEYS = ["weights", "biases", "previousLayer_size", "layer_size", "activation_func", "layer_type"]
BUILTIN_NAMES = ["eval", "exec", "print", "__import__", "open", "compile", "getattr", "exit"]
HELPER_NAMES = ["get_activation_function", "titles", "__class__", "__init__", "__dict__", "__call__",
                "resolve_params", "forward", "derivative", "_forward", "Activation", "_REGISTRY", ""]

CASES = [
    ("empty file", text(""), "is empty"),
    ("whitespace only", text(" \n\t \r\n"), "is empty"),
    ("truncated JSON", lambda: json.dumps(valid_content())[:200], "is not valid JSON"),
    ("truncated after the last brace", lambda: json.dumps(valid_content())[:-1], "is not valid JSON"),
    ("a list", text("[1, 2, 3]"), "expected a JSON object"),
    ("a number", text("42"), "expected a JSON object"),
    ("a string", text('"Layer_0"'), "expected a JSON object"),
    ("null", text("null"), "expected a JSON object"),
    ("true", text("true"), "expected a JSON object"),
    ("an empty object", text("{}"), "no layers"),
    ("only top-level keys", text('{"format_version": 2, "cost_function": "mse"}'), "no layers"),
    ("a lower-case layer key only", text('{"layer_0": {}}'), "no layers"),
    ("only an input layer", lambda: {"Layer_0": valid_content()["Layer_0"]}, "at least one more layer"),
    ("gap: Layer_0, Layer_2", rebuild(lambda c: {"Layer_0": c["Layer_0"], "Layer_2": c["Layer_3"]}),
     "missing Layer_1"),
    ("gap: no Layer_0", rebuild(lambda c: {f"Layer_{i + 1}": c[f"Layer_{i}"] for i in range(4)}),
     "missing Layer_0"),
    ("gap at a huge index", mutate(rename("Layer_3", "Layer_1000000000000000000000")), "missing Layer_3"),
    ("a key with thousands of digits", mutate(rename("Layer_3", "Layer_" + "7" * 5000)), "missing Layer_3"),
    ("Layer_01", mutate(rename("Layer_1", "Layer_01")), "unexpected key 'Layer_01'"),
    ("Layer_-1", mutate(rename("Layer_3", "Layer_-1")), "unexpected key 'Layer_-1'"),
    ("Layer_ with spaces", mutate(rename("Layer_3", "Layer_3 ")), "unexpected key 'Layer_3 '"),
    ("a layer that is not an object", mutate(set_at(["Layer_2"], [1, 2])), "Layer_2 must be a JSON object"),
    ("a layer that is null", mutate(set_at(["Layer_1"], None)), "Layer_1 must be a JSON object"),
    *[(f"missing {key}", mutate(drop(1, key)), f"Layer_1 is missing {key}") for key in MISSING_KEYS],
    ("weights: too few rows", mutate(lambda c: c["Layer_1"]["weights"].pop()),
     "weights must have shape (4, 3)"),
    ("weights: a row too short", mutate(lambda c: c["Layer_1"]["weights"][2].pop()),
     "weights must have shape"),
    ("weights: ragged rows", mutate(lambda c: c["Layer_2"]["weights"][0].append(0.1)),
     "weights must have shape"),
    ("weights: a scalar", mutate(set_at(["Layer_1", "weights"], 0.5)), "weights must have shape"),
    ("weights: flat", mutate(set_at(["Layer_1", "weights"], [0.1] * 12)), "weights must have shape"),
    ("weights: 3-D", mutate(lambda c: c["Layer_1"].update(
        weights=[[[w] for w in row] for row in c["Layer_1"]["weights"]])),
     "weights must have shape"),
    ("weights: transposed", mutate(lambda c: c["Layer_1"].update(
        weights=np.array(c["Layer_1"]["weights"]).T.tolist())),
     "weights must have shape (4, 3)"),
    ("weights: an object", mutate(set_at(["Layer_1", "weights"], {"0": [1, 2, 3]})),
     "weights must have shape"),
    ("biases: too short", mutate(lambda c: c["Layer_3"]["biases"].pop()), "biases must have shape (2,)"),
    ("biases: a scalar", mutate(set_at(["Layer_3", "biases"], 0.0)), "biases must have shape (2,)"),
    ("biases: 2-D", mutate(lambda c: c["Layer_3"].update(biases=[[b] for b in c["Layer_3"]["biases"]])),
     "biases must have shape (2,)"),
    ("sizes that do not chain", mutate(chain_broken), "Layer_2 expects 5 inputs but Layer_1 has 4 neurons"),
    ("input layer wider than it is fed", mutate(lambda c: c["Layer_0"].update(
        layer_size=4, weights=[[0.0] * 3] * 4, biases=[0.0] * 4)), "must equal layer_size"),
    *[(f"previousLayer_size {value!r}", mutate(set_at(["Layer_2", "previousLayer_size"], value)),
       "previousLayer_size must be a positive whole number") for value in BAD_SIZES],
    *[(f"layer_size {value!r}", mutate(set_at(["Layer_3", "layer_size"], value)),
       "layer_size must be a positive whole number") for value in BAD_SIZES],
    ("layer_size 10**400", mutate(set_at(["Layer_3", "layer_size"], 10 ** 400)), "weights must have shape"),
    *[(f"weights holding {value!r}", mutate(set_at(["Layer_1", "weights", 1, 2], value)),
       "weights must contain only numbers") for value in NOT_NUMBERS[:-1]],
    ("weights holding a list", mutate(set_at(["Layer_1", "weights", 1, 2], [0.5])),
     "weights must have shape"),
    *[(f"biases holding {value!r}", mutate(set_at(["Layer_2", "biases", 0], value)),
       "biases must contain only numbers") for value in NOT_NUMBERS[:-1]],
    ("weights: NaN", with_placeholder(["Layer_1", "weights", 0, 0], "NaN"), "non-finite number NaN"),
    ("weights: Infinity", with_placeholder(["Layer_1", "weights", 0, 0], "Infinity"),
     "non-finite number Infinity"),
    ("biases: -Infinity", with_placeholder(["Layer_3", "biases", 1], "-Infinity"),
     "non-finite number -Infinity"),
    ("weights: 1e400", with_placeholder(["Layer_1", "weights", 0, 0], "1e400"),
     "weights must contain only finite"),
    ("biases: -1e400", with_placeholder(["Layer_2", "biases", 0], "-1e400"),
     "biases must contain only finite"),
    ("weights: 10**400", with_placeholder(["Layer_1", "weights", 3, 1], str(10 ** 400)),
     "weights must contain only finite"),
    ("weights: an integer of 5000 digits", with_placeholder(["Layer_1", "weights", 0, 0], "9" * 5000),
     "too many digits"),
    ("NaN in activation_params", with_placeholder(["Layer_1", "activation_params", "alpha"], "NaN"),
     "non-finite number NaN"),
    ("1e400 in activation_params", with_placeholder(["Layer_1", "activation_params", "alpha"], "1e400"),
     "activation parameter 'alpha' must be a finite number"),
    ("10**400 in activation_params",
     with_placeholder(["Layer_2", "activation_params", "alpha"], str(10 ** 400)),
     "activation parameter 'alpha' must be a finite number"),
    ("1e400 in input_scaling", with_placeholder(["input_scaling", "scale", 1], "1e400"),
     "input_scaling scale must contain only finite"),
    ("1e400 in training_record", with_placeholder(["training_record", "history", 0, "cost"], "1e400"),
     "training_record holds a number that is not finite"),
    ("Infinity in training_record", with_placeholder(["training_record", "history", 0, "cost"], "Infinity"),
     "non-finite number Infinity"),
    ("unknown layer_type", mutate(set_at(["Layer_2", "layer_type"], "convolution")),
     "layer_type must be one of"),
    ("layer_type not a string", mutate(set_at(["Layer_2", "layer_type"], ["hidden"])),
     "layer_type must be one of"),
    ("layer_type in capitals", mutate(set_at(["Layer_2", "layer_type"], "Hidden")),
     "layer_type must be one of"),
    ("input layer not first", mutate(set_at(["Layer_0", "layer_type"], "hidden")),
     "Layer_0 has layer_type 'hidden', expected 'input'"),
    ("a second input layer", mutate(lambda c: c["Layer_1"].update(
        layer_type="input", previousLayer_size=3, layer_size=3, weights=[[0.0] * 3] * 3, biases=[0.0] * 3)),
     "Layer_1 has layer_type 'input', expected 'hidden'"),
    ("output layer not last", mutate(set_at(["Layer_2", "layer_type"], "output")),
     "Layer_2 has layer_type 'output', expected 'hidden'"),
    ("last layer hidden", mutate(set_at(["Layer_3", "layer_type"], "hidden")),
     "Layer_3 has layer_type 'hidden', expected 'output'"),
    ("input and output swapped", mutate(swap_layers(0, 3)),
     "Layer_0 has layer_type 'output', expected 'input'"),
    ("unknown activation", mutate(set_at(["Layer_1", "activation_func"], "swish2")),
     "unknown activation function 'swish2'"),
    ("activation in capitals", mutate(set_at(["Layer_1", "activation_func"], "Tanh")),
     "unknown activation function 'Tanh'"),
    ("activation with a space", mutate(set_at(["Layer_1", "activation_func"], "tanh ")),
     "unknown activation function 'tanh '"),
    ("activation not a string", mutate(set_at(["Layer_1", "activation_func"], ["tanh"])),
     "activation_func must be the name of an activation function"),
    ("activation null", mutate(set_at(["Layer_1", "activation_func"], None)),
     "activation_func must be the name of an activation function"),
    ("activation a megabyte long", mutate(set_at(["Layer_1", "activation_func"], "tanh" * 250_000)),
     "activation_func must be the name of an activation function"),
    *[(f"activation named {name!r}", mutate(set_at(["Layer_3", "activation_func"], name)),
       f"unknown activation function {name!r}") for name in BUILTIN_NAMES + HELPER_NAMES],
    ("unknown parameter beta for leaky_relu", mutate(set_at(["Layer_1", "activation_params"], {"beta": 1})),
     "unknown parameter(s) beta for leaky_relu"),
    ("a parameter for tanh", mutate(set_at(["Layer_3", "activation_params"], {"alpha": 0.1})),
     "unknown parameter(s) alpha for tanh"),
    ("parameter named __class__", mutate(set_at(["Layer_1", "activation_params"], {"__class__": 1})),
     "unknown parameter(s) __class__"),
    ("parameter alpha 'x'", mutate(set_at(["Layer_1", "activation_params"], {"alpha": "x"})),
     "activation parameter 'alpha' must be a finite number, got 'x'"),
    ("parameter alpha true", mutate(set_at(["Layer_1", "activation_params"], {"alpha": True})),
     "activation parameter 'alpha' must be a finite number, got true"),
    ("parameter alpha null", mutate(set_at(["Layer_2", "activation_params"], {"alpha": None})),
     "activation parameter 'alpha' must be a finite number, got null"),
    ("parameter alpha a list", mutate(set_at(["Layer_2", "activation_params"], {"alpha": [1.0]})),
     "activation parameter 'alpha' must be a finite number"),
    *[(f"activation_params {value!r}", mutate(set_at(["Layer_1", "activation_params"], value)),
       "activation_params must be a JSON object") for value in [[0.01], "alpha=0.01", 0.01, None, True]],
    *[(f"dropout {value!r}", mutate(set_at(["Layer_2", "dropout"], value)),
       "Layer_2: dropout must be a number in [0, 1)")
      for value in [1, 1.5, -0.1, "0.5", None, True, [0.5], {"p": 0.5}, 10 ** 400]],
    ("dropout on the output layer", mutate(set_at(["Layer_3", "dropout"], 0.5)),
     "Layer_3: dropout must be 0 for an output layer"),
    ("input_scaling: offset too short", mutate(lambda c: c["input_scaling"]["offset"].pop()),
     "input_scaling offset must have shape (3,)"),
    ("input_scaling: scale too long", mutate(lambda c: c["input_scaling"]["scale"].append(1.0)),
     "input_scaling scale must have shape (3,)"),
    ("input_scaling: zero scale", mutate(set_at(["input_scaling", "scale", 1], 0)),
     "scale must not contain zeros"),
    ("input_scaling: text in offset", mutate(set_at(["input_scaling", "offset", 0], "127.5")),
     "input_scaling offset must contain only numbers"),
    ("input_scaling: a list", mutate(set_at(["input_scaling"], [[0, 0, 0], [1, 1, 1]])),
     "input_scaling must be an object"),
    ("input_scaling: null", mutate(set_at(["input_scaling"], None)), "input_scaling must be an object"),
    ("input_scaling: missing scale", mutate(lambda c: c["input_scaling"].pop("scale")),
     "input_scaling must be an object with exactly the keys"),
    ("input_scaling: an extra key", mutate(set_at(["input_scaling", "low"], [0, 0, 0])),
     "input_scaling must be an object with exactly the keys"),
    *[(f"format_version {value!r}", mutate(set_at(["format_version"], value)), "format_version must be")
      for value in [3, 0, -2, "2", 2.0, True, None, [2], 10 ** 30]],
    *[(f"cost_function {value!r}", mutate(set_at(["cost_function"], value)), "cost_function must be one of")
      for value in ["hinge", "MSE", "", 1, None, ["mse"], {"mse": 1}, "eval"]],
    *[(f"training_record {value!r}", mutate(set_at(["training_record"], value)),
       "training_record must be a JSON object") for value in [[], "history", 3, None, True]],
    ("100000 brackets in weights", with_placeholder(["Layer_1", "weights"], "[" * 100_000 + "]" * 100_000),
     "nested more than"),
    ("100000 unclosed brackets in weights", replace_text('"weights": [', '"weights": ' + "[" * 100_000),
     "nested more than"),
    ("100000 nested objects", with_placeholder(["training_record"], '{"a":' * 100_000 + "1" + "}" * 100_000),
     "nested more than"),
    ("nesting 150 deep in weights", with_placeholder(["Layer_1", "weights", 0, 0], "[" * 150 + "]" * 150),
     "nested more than 100 levels"),
    ("nesting 150 deep in training_record", with_placeholder(["training_record", "history"],
                                                             '{"a":' * 150 + "1" + "}" * 150),
     "nested more than 100 levels"),
    ("nesting 90 deep in weights", with_placeholder(["Layer_1", "weights", 0, 0], "[" * 90 + "]" * 90),
     "weights must have shape"),
    ("nesting 90 deep as an activation title", with_placeholder(["Layer_1", "activation_func"],
                                                                "[" * 90 + "]" * 90),
     "activation_func must be the name of an activation function, got a list of 1 item"),
    ("a UTF-8 byte order mark", lambda: b"\xef\xbb\xbf" + json.dumps(valid_content()).encode(),
     "not valid JSON"),
    ("Latin-1 text", lambda: json.dumps(valid_content()).replace('"mse"', '"m\u00e9e"').encode("latin-1"),
     "is not UTF-8 text"),
    ("binary bytes", text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"), "is not UTF-8 text"),
    ("NUL bytes", text(b"\x00" * 64), "is not valid JSON"),
    ("two JSON values", lambda: json.dumps(valid_content()) + " {}", "is not valid JSON"),
    ("JavaScript comments", lambda: "// model\n" + json.dumps(valid_content()), "is not valid JSON"),
    ("single quotes", text("{'Layer_0': {}}"), "is not valid JSON"),
]


@pytest.mark.parametrize("build, phrase", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_load_rejects_a_malformed_file_naming_it_and_the_problem(tmp_path, loaded_net, capsys, build, phrase):
    path = write(tmp_path / "model.json", build())
    assert_rejected(loaded_net, path, phrase, capsys)


def test_the_cases_start_from_a_file_that_loads(tmp_path):
    """The rejections above are variations of this file, which loads and predicts."""
    net = NeuralNet().load(write(tmp_path / "m.json", valid_content()))
    assert [layer.layer_size for layer in net.layers] == [3, 4, 3, 2]
    original = build_net()
    x = np.array([[10.0, 200.0, 30.0], [255.0, 0.0, 0.0]])
    assert np.array_equal(net.forward_propagation(x), original.forward_propagation(x))
    assert net.training_record == original.training_record


def test_dropout_is_saved_per_layer_and_files_without_it_have_none(tmp_path):
    net = build_net()
    net.layers[0].dropout = 0.1
    net.layers[2].dropout = 0.25
    net.save(tmp_path / "dropout.json")
    content = json.loads((tmp_path / "dropout.json").read_text())
    assert [content[f"Layer_{i}"].get("dropout") for i in range(4)] == [0.1, None, 0.25, None]
    again = NeuralNet().load(tmp_path / "dropout.json")
    assert [layer.dropout for layer in again.layers] == [0.1, 0.0, 0.25, 0.0]
    assert json.dumps(again.to_dict()) == json.dumps(net.to_dict())
    assert "dropout" not in json.dumps(build_net().to_dict())
    plain = NeuralNet().load(write(tmp_path / "plain.json", valid_content()))
    assert all(layer.dropout == 0.0 for layer in plain.layers)
    explicit = valid_content()
    explicit["Layer_1"]["dropout"] = 0
    assert NeuralNet().load(write(tmp_path / "zero.json", explicit)).layers[1].dropout == 0.0


def test_a_gap_before_the_last_layer_is_named(tmp_path, loaded_net, capsys):
    content = valid_content()
    content["Layer_4"] = content.pop("Layer_3")
    message = assert_rejected(loaded_net, write(tmp_path / "gap.json", content), "missing Layer_3", capsys)
    assert "without gaps" in message


def test_a_long_bad_value_is_shortened_in_the_message(tmp_path, loaded_net, capsys):
    content = valid_content()
    content["Layer_1"]["layer_type"] = "x" * 100_000
    path = write(tmp_path / "long.json", content)
    message = assert_rejected(loaded_net, path, "layer_type must be one of", capsys)
    assert len(message) < 400
    content = valid_content()
    content["Layer_1"]["weights"][0][0] = list(range(100_000))
    path = write(tmp_path / "long.json", content)
    message = assert_rejected(loaded_net, path, "weights must have shape", capsys)
    assert len(message) < 400


def test_a_missing_file_is_file_not_found_naming_it(tmp_path, loaded_net):
    path = tmp_path / "no such model.json"
    before = snapshot(loaded_net)
    with pytest.raises(FileNotFoundError, match=re.escape(str(path))):
        loaded_net.load(path)
    assert snapshot(loaded_net)[0] == before[0]


def test_a_missing_folder_is_file_not_found_naming_the_file(tmp_path):
    path = tmp_path / "nowhere" / "model.json"
    with pytest.raises(FileNotFoundError, match=re.escape(str(path))):
        NeuralNet().load(path)


def test_a_folder_is_a_value_error_naming_it(tmp_path, loaded_net, capsys):
    folder = tmp_path / "model.json"
    folder.mkdir()
    assert_rejected(loaded_net, folder, "is a folder, not a file", capsys)


def test_load_accepts_a_str_path_and_names_it_in_errors(tmp_path, loaded_net, capsys):
    path = write(tmp_path / "m.json", "[]")
    assert_rejected(loaded_net, str(path), "expected a JSON object", capsys)
    assert NeuralNet().load(str(write(tmp_path / "ok.json", valid_content()))).n_outputs == 2


def test_activation_params_may_be_absent_as_in_the_seeds_files(tmp_path):
    content = valid_content()
    for i in range(4):
        del content[f"Layer_{i}"]["activation_params"]
    net = NeuralNet().load(write(tmp_path / "seed.json", content))
    assert net.layers[1].activation_params == {"alpha": 0.01}
    assert net.layers[2].activation_params == {"alpha": 1.0}
    assert net.layers[3].activation_params == {}


def test_big_integers_are_accepted_where_they_are_finite_numbers(tmp_path):
    """An integer beyond int64 but within float64 is a finite number like any other."""
    content = valid_content()
    content["Layer_1"]["weights"][0][0] = 10 ** 30
    content["training_record"]["seed"] = 10 ** 40
    net = NeuralNet().load(write(tmp_path / "big.json", content))
    assert net.layers[1].weights[0, 0] == 1e30
    assert net.training_record["seed"] == 10 ** 40


DATA_FILE_CASES = [
    ("empty", "", "is empty"),
    ("100000 brackets", "[" * 100_000 + "]" * 100_000, "nested more than"),
    ("nesting 150 deep in a sample", '{"Input_Values": [[0.1, ' + "[" * 150 + "]" * 150
     + '], [0.1, 0.2]], "Output_Values": [[1, -1], [-1, 1]]}', "nested more than 100 levels"),
    ("nesting 150 deep in another key", '{"notes": ' + '{"a":' * 150 + "0" + "}" * 150
     + ', "Input_Values": [[0.1, 0.2]], "Output_Values": [[1, -1]]}', "nested more than 100 levels"),
    ("truncated", '{"Input_Values": [[0.1, 0.2]], "Output_Val', "is not valid JSON"),
    ("Latin-1", '{"Input_Values": [[0.1, 0.2]], "Output_Values": [[1, -1]], "n": "\u00e9"}'.encode("latin-1"),
     "is not UTF-8 text"),
    ("NaN", '{"Input_Values": [[NaN, 0.2]], "Output_Values": [[1, -1]]}', "non-finite number NaN"),
    ("an integer of 5000 digits", '{"Input_Values": [[' + "9" * 5000 + ', 0.2]], "Output_Values": [[1, -1]]}',
     "too many digits"),
]


@pytest.mark.parametrize("content, phrase", [case[1:] for case in DATA_FILE_CASES],
                         ids=[case[0] for case in DATA_FILE_CASES])
def test_data_files_are_read_as_strictly(tmp_path, capsys, content, phrase):
    """Data files go through the same reader: the same faults give the same clear errors."""
    path = write(tmp_path / "xor_data.json", content)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=re.escape(str(path))) as info:
            load_dataset(path, "xor")
    assert phrase in str(info.value)
    assert capsys.readouterr() == ("", "")


def test_a_missing_or_folder_data_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / "none.json"))):
        load_dataset(tmp_path / "none.json", "xor")
    with pytest.raises(ValueError, match=re.escape(str(tmp_path)) + ".*is a folder"):
        load_dataset(tmp_path, "xor")


# --- nothing a file names is ever looked up or called ---

class Sentinel:
    """An object that records every attribute lookup and call made on it."""

    def __init__(self, name):
        self.name = name
        self.touched = []

    def __call__(self, *args, **kwargs):
        self.touched.append(("call", args, kwargs))
        return np.zeros(1)

    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        self.__dict__.setdefault("touched", []).append(("getattr", attribute))
        return self


NAMES_FROM_A_FILE = ["planted_name", "eval", "exec", "print", "compile", "exit", "__import__", "open", "os",
                     "sys", "get_activation_function", "titles", "__class__", "__init__", "__dict__",
                     "__subclasses__", "__builtins__", "_REGISTRY", "Activation", "np", "json"]


def load_under_sentinels(monkeypatch, paths):
    """Load each of ``paths`` with sentinels planted and dangerous builtins replaced.

    Returns (errors, records): the ValueError message of each load, and what the
    sentinels and recorders saw. The patches are undone before returning, also
    when a load does not fail as expected.
    """
    dangerous = {name: Sentinel(name) for name in ("eval", "exec", "print", "compile", "exit", "breakpoint")}
    planted = Sentinel("planted")
    titles_sentinel = Sentinel("titles")
    imported, opened, lookups, errors = [], [], [], []
    real_import, real_open = builtins.__import__, builtins.open
    real_lookup = ActivationFunction.get_activation_function

    def recording_import(name, *args, **kwargs):
        imported.append(name)
        return real_import(name, *args, **kwargs)

    def recording_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    def recording_lookup(*args, **kwargs):
        lookups.append((args, kwargs))
        return real_lookup(*args, **kwargs)

    with monkeypatch.context() as patch:
        for name, sentinel in dangerous.items():
            patch.setattr(builtins, name, sentinel)
        patch.setattr(builtins, "__import__", recording_import)
        patch.setattr(builtins, "open", recording_open)
        for namespace in (builtins, ActivationFunction, activation_functions_module, neural_network_module,
                          model_format_module):
            patch.setattr(namespace, "planted_name", planted, raising=False)
        patch.setattr(ActivationFunction, "titles", titles_sentinel)
        patch.setattr(ActivationFunction, "get_activation_function", staticmethod(recording_lookup))
        for path in paths:
            lookups.append("next file")
            with warnings.catch_warnings(), np.errstate(all="raise"):
                warnings.simplefilter("error")
                try:
                    NeuralNet().load(path)
                except ValueError as err:
                    errors.append(str(err))
    records = {"touched": [s.touched for s in [planted, titles_sentinel, *dangerous.values()]],
               "imported": imported, "opened": opened, "lookups": lookups}
    return errors, records


@pytest.mark.parametrize("block, field", [("Layer_1", "activation_func"), ("Layer_3", "activation_func"),
                                          ("Layer_2", "layer_type"), (None, "cost_function")])
def test_load_never_calls_or_looks_up_anything_a_file_names(tmp_path, monkeypatch, capsys, block, field):
    """Plant sentinels under the names a file gives, in every namespace a careless
    loader could reach (builtins, the activation module, ActivationFunction, the
    loader's own module), and replace the dangerous builtins: loading a file that
    names them must raise ValueError without touching any of them."""
    paths = []
    for i, name in enumerate(NAMES_FROM_A_FILE):
        content = valid_content()
        (content[block] if block else content)[field] = name
        paths.append(write(tmp_path / f"model_{i}.json", content))
    errors, records = load_under_sentinels(monkeypatch, paths)
    assert len(errors) == len(paths)
    for path, name, message in zip(paths, NAMES_FROM_A_FILE, errors):
        assert str(path) in message and repr(name) in message
    assert records["touched"] == [[]] * 8
    assert not set(records["imported"]) & set(NAMES_FROM_A_FILE)
    assert records["opened"] == []
    # The one use of a name from a file: a lookup in the table, with the name as it
    # is, once per file when it names an activation, never when it names anything else.
    per_file = " ".join(str(item) for item in records["lookups"]).split("next file")[1:]
    assert len(per_file) == len(NAMES_FROM_A_FILE)
    for name, calls in zip(NAMES_FROM_A_FILE, per_file):
        assert calls.count(repr(((name,), {}))) == (1 if field == "activation_func" else 0)
    for call in records["lookups"]:
        if call != "next file":
            args, kwargs = call
            assert kwargs == {} and len(args) == 1 and isinstance(args[0], str)
            assert args[0] in NAMES_FROM_A_FILE or args[0] in ("leaky_relu", "elu", "tanh")
    assert capsys.readouterr() == ("", "")


def test_the_table_lookup_resolves_only_registered_titles():
    for name in BUILTIN_NAMES + HELPER_NAMES + ["planted_name", "mro", "__getattribute__"]:
        with pytest.raises(ValueError, match="unknown activation function"):
            ActivationFunction.get_activation_function(name)
    assert ActivationFunction.get_activation_function("tanh") is ActivationFunction.tanh


# --- saving: atomic, finite, clear about what is wrong ---

def folder_names(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def saved(tmp_path):
    """A folder with one saved model: (net, path, its bytes)."""
    net = build_net()
    path = tmp_path / "model.json"
    net.save(path)
    return net, path, path.read_bytes()


def test_a_write_that_fails_midway_leaves_the_old_file_and_no_temporary_file(saved, monkeypatch):
    """The disk fills up after half the new text is written."""
    net, path, before = saved
    real_fdopen = os.fdopen
    written = []

    class HalfWriter:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            self.handle.write(data[:len(data) // 2])
            self.handle.flush()
            written.append(os.fstat(self.handle.fileno()).st_size)
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.handle, name)

    monkeypatch.setattr(fileio.os, "fdopen", lambda *a, **k: HalfWriter(real_fdopen(*a, **k)))
    net.layers[1].weights = net.layers[1].weights * 2.0
    with pytest.raises(OSError, match="No space left"):
        net.save(path)
    assert written and written[0] > 0
    assert path.read_bytes() == before
    assert folder_names(path.parent) == ["model.json"]


@pytest.mark.parametrize("failure", [OSError(errno.EIO, "I/O error"), KeyboardInterrupt()])
def test_a_failure_before_the_rename_leaves_the_old_file_and_no_temporary_file(saved, monkeypatch, failure):
    """The whole new text is written and flushed, then fsync (or the user) interrupts."""
    net, path, before = saved
    seen = []

    def failing_fsync(fd):
        seen.append(os.fstat(fd).st_size)
        raise failure

    monkeypatch.setattr(fileio.os, "fsync", failing_fsync)
    net.cost_function = None
    with pytest.raises(type(failure)):
        net.save(path)
    assert seen and seen[0] > len(before) // 2
    assert path.read_bytes() == before
    assert folder_names(path.parent) == ["model.json"]


def test_a_failing_rename_leaves_the_old_file_and_no_temporary_file(saved, monkeypatch):
    net, path, before = saved

    def failing_replace(source, target):
        assert os.path.exists(source) and os.path.basename(source).startswith(".model.json.")
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(fileio.os, "replace", failing_replace)
    net.layers[3].biases = [5.0, -5.0]
    with pytest.raises(PermissionError):
        net.save(path)
    assert path.read_bytes() == before
    assert folder_names(path.parent) == ["model.json"]


def test_a_serializer_that_fails_midway_leaves_the_old_file(saved):
    """An object json cannot write, deep inside the training record, after the layers."""
    net, path, before = saved

    class Unserializable:
        pass

    net.training_record = {"history": [{"epoch": 1, "cost": 0.1}, {"epoch": 2, "cost": Unserializable()}]}
    with pytest.raises(ValueError, match=re.escape(str(path))) as info:
        net.save(path)
    assert "cannot be written as finite JSON" in str(info.value)
    assert path.read_bytes() == before
    assert folder_names(path.parent) == ["model.json"]


def test_json_failing_partway_leaves_the_old_file(saved, monkeypatch):
    """json.dumps itself raising (as it would on running out of memory)."""
    net, path, before = saved

    def failing_dumps(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(model_format_module.json, "dumps", failing_dumps)
    with pytest.raises(MemoryError):
        net.save(path)
    assert path.read_bytes() == before
    assert folder_names(path.parent) == ["model.json"]


@pytest.mark.parametrize("where", ["weights", "biases"])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_save_refuses_non_finite_parameters_naming_the_file(saved, where, value):
    net, path, before = saved
    getattr(net.layers[2], "_" + where)[0, ...] = value
    with pytest.raises(ValueError, match=re.escape(str(path))) as info:
        net.save(path)
    assert "layer 2 has non-finite weights or biases" in str(info.value)
    assert path.read_bytes() == before
    assert folder_names(path.parent) == ["model.json"]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), np.float64("-inf")])
def test_save_refuses_a_non_finite_training_record_naming_the_file(saved, value):
    """A diverged run records a NaN cost: the file would not be valid JSON."""
    net, path, before = saved
    net.training_record["history"].append({"epoch": 3, "cost": value})
    with pytest.raises(ValueError, match=re.escape(str(path))) as info:
        net.save(path)
    assert "cannot be written as finite JSON" in str(info.value)
    assert path.read_bytes() == before
    assert folder_names(path.parent) == ["model.json"]


def test_save_of_a_network_without_layers_is_a_value_error_naming_the_file(saved):
    _, path, before = saved
    with pytest.raises(ValueError, match=re.escape(str(path)) + ".*no layers"):
        NeuralNet().save(path)
    assert path.read_bytes() == before


def test_save_into_a_missing_folder_is_file_not_found_naming_the_path(tmp_path):
    path = tmp_path / "missing" / "model.json"
    with pytest.raises(FileNotFoundError, match=re.escape(str(path))) as info:
        build_net().save(path)
    assert "does not exist" in str(info.value)
    assert folder_names(tmp_path) == []


def test_save_over_a_folder_fails_and_leaves_no_temporary_file(tmp_path):
    folder = tmp_path / "model.json"
    folder.mkdir()
    with pytest.raises(IsADirectoryError):
        build_net().save(folder)
    assert folder_names(tmp_path) == ["model.json"] and folder.is_dir()


def test_a_successful_save_replaces_the_file_and_leaves_no_temporary_file(saved):
    net, path, before = saved
    net.layers[1].weights = net.layers[1].weights + 1.0
    net.save(path)
    assert path.read_bytes() != before
    assert folder_names(path.parent) == ["model.json"]
    again = NeuralNet().load(path)
    assert np.array_equal(again.layers[1].weights, net.layers[1].weights)


# --- saving writes only what loading accepts: one set of rules ---

def output_less_net():
    """A network whose last layer is a hidden one (add_layer allows it while it is being built)."""
    net = NeuralNet()
    net.add_layer(Layer(3, 3, "input"))
    net.add_layer(Layer(3, 4, "hidden", rng=np.random.default_rng(0)))
    return net


def input_only_net():
    net = NeuralNet()
    net.add_layer(Layer(3, 3, "input"))
    return net


def with_changes(**attributes):
    def build():
        net = build_net()
        for name, value in attributes.items():
            setattr(net, name, value)
        return net
    return build


SAVE_REFUSALS = [
    ("last layer not an output layer", output_less_net, "Layer_1 has layer_type 'hidden', expected 'output'"),
    ("only an input layer", input_only_net, "a network needs an input layer and at least one more layer"),
    ("unknown cost_function", with_changes(cost_function="hinge"), "cost_function must be one of"),
    ("cost_function not a string", with_changes(cost_function=["mse"]), "cost_function must be one of"),
    ("cross_entropy after tanh", with_changes(cost_function="cross_entropy"),
     "cost_function 'cross_entropy' does not fit the output layer"),
    ("training record a list", with_changes(training_record=[{"epoch": 1}]),
     "training_record must be a JSON object"),
    ("training record nested 150 deep", with_changes(training_record=json.loads('{"a":' * 150 + "1" + "}" * 150)),
     "nested more than 100 levels"),
    ("history not a list", with_changes(training_record={"history": 5}), "history must be a list"),
    ("history entry not an object", with_changes(training_record={"history": [1, 2]}),
     "history entry 0 must be a JSON object"),
    ("epoch a string", with_changes(training_record={"history": [{"epoch": "1"}]}),
     "history entry 0: epoch must be a whole number"),
    ("cost a string", with_changes(training_record={"history": [{"epoch": 1, "cost": "low"}]}),
     "history entry 0: cost must be a number"),
    ("runs not a list", with_changes(training_record={"runs": {"a": 1}}), "runs must be a list"),
    ("problem not a name", with_changes(training_record={"problem": 7}), "problem must be the name of a problem"),
    ("a zero input scale", with_changes(input_scale=np.array([1.0, 0.0, 1.0])),
     "input_scaling scale must not contain zeros"),
    ("an infinite input scale", with_changes(input_scale=np.array([1.0, np.inf, 1.0])),
     "cannot be written as finite JSON"),
]


@pytest.mark.parametrize("build, phrase", [case[1:] for case in SAVE_REFUSALS],
                         ids=[case[0] for case in SAVE_REFUSALS])
def test_save_refuses_what_load_would_refuse_and_leaves_the_file(saved, build, phrase):
    _, path, before = saved
    with pytest.raises(ValueError, match=re.escape(f"refusing to save to {path}")) as info:
        build().save(path)
    assert phrase in str(info.value)
    assert path.read_bytes() == before
    assert folder_names(path.parent) == ["model.json"]


@pytest.mark.parametrize("build, phrase", [case[1:] for case in SAVE_REFUSALS[2:13]],
                         ids=[case[0] for case in SAVE_REFUSALS[2:13]])
def test_load_refuses_the_same_faults_in_a_file(tmp_path, loaded_net, capsys, build, phrase):
    """The faults save refuses, written by hand: load names them the same way."""
    net = build()
    content = {f"Layer_{i}": layer.to_dict() for i, layer in enumerate(net.layers)}
    content.update(input_scaling={"offset": net.input_offset.tolist(), "scale": net.input_scale.tolist()},
                   cost_function=net.cost_function, training_record=net.training_record)
    assert_rejected(loaded_net, write(tmp_path / "model.json", content), phrase, capsys)


def test_the_cost_names_come_from_the_cost_table(tmp_path, monkeypatch):
    """A cost added to src/costs.py is known to the model files without another list of names."""
    import src.costs as costs

    class Hinge(costs.MSE):
        name = "hinge"

    monkeypatch.setitem(costs.COSTS, "hinge", Hinge)
    net = build_net()
    net.cost_function = "hinge"
    net.save(tmp_path / "m.json")
    assert NeuralNet().load(tmp_path / "m.json").cost_function == "hinge"


def test_set_input_scaling_refuses_bounds_that_give_a_zero_or_infinite_scale():
    net = build_net()
    for low, high in [([-1e308, 0, 0], [1e308, 1, 1]), ([0, 0, 0], [5e-324, 1, 1]),
                      ([1e308, 0, 0], [1.7e308, 1, 1])]:
        with pytest.raises(ValueError, match="input scaling"):
            net.set_input_scaling(low, high)
    with pytest.raises(ValueError, match="input scaling: low must be real numbers"):
        net.set_input_scaling([0j, 0, 0], [1, 1, 1])


JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 20, 10 ** 20),
                        st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=5))
JSON_VALUES = st.recursive(JSON_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)), max_leaves=12)
RECORD_KEYS = st.sampled_from(["problem", "history", "runs", "epoch", "cost", "val_cost", "accuracy",
                               "learning_rate", "notes"])
RECORDS = st.recursive(JSON_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(RECORD_KEYS, inner, max_size=4)), max_leaves=15)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cost=st.one_of(st.sampled_from(["mse", "cross_entropy", "hinge", "", None]), JSON_VALUES),
       output=st.sampled_from(["tanh", "sigmoid", "softmax", "linear"]),
       record=st.one_of(RECORDS, st.dictionaries(RECORD_KEYS, RECORDS, max_size=4)),
       hidden_last=st.booleans())
def test_whatever_save_writes_load_reads_back(tmp_path_factory, cost, output, record, hidden_last):
    """Networks with random costs, output activations and training records: save either refuses
    them (leaving the old file) or writes a file that loads back to the same content."""
    folder = tmp_path_factory.mktemp("save")
    path = folder / "model.json"
    build_net().save(path)
    before = path.read_bytes()
    rng = np.random.default_rng(0)
    net = NeuralNet()
    net.add_layer(Layer(3, 3, "input"))
    net.add_layer(Layer(3, 4, "hidden", rng=rng))
    if not hidden_last:
        net.add_layer(Layer(4, 2, "output", output, rng=rng))
    net.cost_function = cost
    net.training_record = record
    try:
        net.save(path)
    except ValueError as err:
        assert str(path) in str(err)
        assert path.read_bytes() == before
        return
    again = NeuralNet().load(path)
    assert json.dumps(again.to_dict()) == json.dumps(net.to_dict())
