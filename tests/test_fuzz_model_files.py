"""Fuzzing the loaders: random mutations of valid model and data files.

A mutated file either loads into something valid or is refused with a
``ValueError`` that names the file; no other exception may escape, and loading
never warns. A model that loads must be exactly what the file says, give
outputs of the right shape (finite whenever its numbers are too small to
overflow), and survive a save and a load unchanged. A data file that loads
must give finite float64 arrays of the right shapes with one-hot targets.

Mutations work on the parsed JSON (keys dropped or renamed, values swapped for
other JSON types, numbers changed, lists shortened, lengthened, wrapped or
unwrapped, subtrees swapped) and on the bytes of the file (truncation, byte
flips, insertions, deletions, digits changed).
"""

import copy
import json
import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, event, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from src.activation_functions import ActivationFunction
from src.costs import COSTS
from src.datasets import dataset_text, load_dataset
from src.layer import Layer
from src.neural_network import NeuralNet
from src.problems import get_problem

FUZZ = settings(max_examples=2000, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FUZZ_SMALL = settings(FUZZ, max_examples=700)


def model_contents():
    """Valid model files' content: one with every optional key of a classifier, one as the seed wrote
    them, and a regression's with output scaling."""
    rng = np.random.default_rng(3)
    full = NeuralNet()
    full.add_layer(Layer(3, 3, "input"))
    full.add_layer(Layer(3, 4, "hidden", rng=rng, dropout=0.25))
    full.add_layer(Layer(4, 3, "hidden", "swish", {"beta": 1.5}, rng=rng))
    full.add_layer(Layer(3, 2, "output", "softmax", rng=rng))
    full.set_input_scaling([0, 0, 0], [255, 255, 255])
    full.cost_function = "cross_entropy"
    full.training_record = {"runs": [{"epochs": 2, "optimizer": "adam"}],
                            "history": [{"epoch": 1, "cost": 0.7}, {"epoch": 2, "cost": 0.4}]}
    seed = NeuralNet()
    seed.add_layer(Layer(2, 2, "input"))
    seed.add_layer(Layer(2, 3, "hidden", "elu", rng=rng))
    seed.add_layer(Layer(3, 2, "output", rng=rng))
    seed_content = seed.to_dict()
    del seed_content["format_version"]
    del seed_content["Layer_1"]["activation_params"]
    regression = NeuralNet()
    regression.add_layer(Layer(3, 3, "input"))
    regression.add_layer(Layer(3, 4, "hidden", "mish", rng=rng))
    regression.add_layer(Layer(4, 1, "output", "linear", rng=rng))
    regression.set_input_scaling([0, 0, 0], [1, 1, 1])
    regression.set_output_scaling([462.5], [126.0])
    regression.cost_function = "mae"
    return [full.to_dict(), seed_content, regression.to_dict()]


BASE_MODELS = model_contents()


def note(text):
    """Record a statistic (``--hypothesis-show-statistics``) when running under ``given``."""
    try:
        event(text)
    except InvalidArgument:
        pass


# --- mutating parsed JSON ---

def node_paths(tree):
    """Every path (a tuple of keys and indices) to a node of ``tree``, the root included."""
    paths, stack = [], [((), tree)]
    while stack:
        path, node = stack.pop()
        paths.append(path)
        if isinstance(node, dict):
            stack.extend((path + (key,), value) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((path + (i,), value) for i, value in enumerate(node))
    return sorted(paths, key=lambda p: (len(p), [str(k) for k in p]))


def get(tree, path):
    for key in path:
        tree = tree[key]
    return tree


def put(tree, path, value):
    """``tree`` with the node at ``path`` replaced by ``value`` (the root when ``path`` is empty)."""
    if not path:
        return value
    get(tree, path[:-1])[path[-1]] = value
    return tree


ODD_STRINGS = ["", "NaN", "Infinity", "-inf", "1e400", "3", "0.5", "tanh", "relu", "softmax", "eval",
               "__class__", "titles", "input", "hidden", "output", "mse", "Layer_0", "\u00e9\u00e8", "\x00",
               "x" * 300]
OVERFLOWING = "@1e400@"
"""Stands for the JSON number 1e400 (valid JSON that overflows a float): see ``to_json_bytes``."""
ODD_NUMBERS = [0, -1, 1, 2, 3, 4, 0.5, -0.0, 2.5, 1e-320, 1e300, -1e300, 1.7976931348623157e308,
               10 ** 30, -(10 ** 30), 2 ** 63, 10 ** 400, float("nan"), float("inf"), float("-inf"),
               OVERFLOWING]

scalars = st.one_of(
    st.none(), st.booleans(), st.sampled_from(ODD_STRINGS), st.sampled_from(ODD_NUMBERS),
    st.integers(-10, 10), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
)
keys = st.sampled_from(["a", "alpha", "beta", "offset", "scale", "Layer_0"]) | st.text(max_size=5)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=8,
)


NUMBER_CHANGES = [
    lambda v: 0, lambda v: -v, lambda v: v * 1e300, lambda v: v + 0.5, lambda v: v * 2, lambda v: 10 ** 30,
    lambda v: 10 ** 400, lambda v: -1, lambda v: 1e-320, lambda v: 2 ** 63, lambda v: "NaN",
    lambda v: "1e400", lambda v: float("nan"), lambda v: float("inf"), lambda v: 1.5, lambda v: round(v) + 1,
    lambda v: OVERFLOWING, lambda v: -(10 ** 400),
]


def changed_number(value, choice):
    """A number near, far from, or instead of ``value`` (10**400 where the change itself overflows)."""
    try:
        return NUMBER_CHANGES[choice % len(NUMBER_CHANGES)](value)
    except (OverflowError, ValueError):
        return 10 ** 400


def renamed(key, choice):
    if isinstance(key, int):
        return key
    options = [key + "x", key.upper(), key.lower(), key[:-1], "Layer_" + key[-1:], "Layer_0" + key[-1:],
               " " + key, key + "_", "Layer_4", "Layer_1", "layer_type", "weights", "activation_params",
               "Layer_99999999999999999999", "Layer_" + "9" * 5000, "Layer_\u0663"]
    return options[choice % len(options)]


@st.composite
def mutated_tree(draw, base):
    """``base`` after one to four random mutations."""
    tree = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        paths = node_paths(tree)
        # Half the time leave out the many numbers inside lists of lists, so
        # that sizes, names, parameters and top-level keys are hit as often.
        if draw(st.booleans()):
            paths = [p for p in paths if not (len(p) >= 2 and isinstance(p[-1], int))] or paths
        path = draw(st.sampled_from(paths))
        node = get(tree, path)
        parent = get(tree, path[:-1]) if path else None
        operation = draw(st.sampled_from(
            ["drop", "replace", "number", "resize", "wrap", "unwrap", "rename", "swap", "nest"]))
        note(f"mutation: {operation}")
        choice = draw(st.integers(0, 1000))
        if operation == "drop" and path:
            del parent[path[-1]]
        elif operation == "replace":
            tree = put(tree, path, draw(json_values))
        elif operation == "number" and isinstance(node, (int, float)) and not isinstance(node, bool):
            tree = put(tree, path, changed_number(node, choice))
        elif operation == "resize" and isinstance(node, list):
            if node and choice % 3 == 0:
                node.pop(choice % len(node))
            elif node and choice % 3 == 1:
                node.insert(choice % len(node), copy.deepcopy(node[choice % len(node)]))
            else:
                node.append(draw(scalars))
        elif operation == "wrap":
            tree = put(tree, path, [node])
        elif operation == "unwrap" and isinstance(node, (list, dict)) and node:
            values = list(node.values()) if isinstance(node, dict) else node
            tree = put(tree, path, values[choice % len(values)])
        elif operation == "rename" and path and isinstance(parent, dict):
            parent[renamed(path[-1], choice)] = parent.pop(path[-1])
        elif operation == "nest":
            depth = draw(st.sampled_from([2, 50, 98, 99, 100, 101, 150, 990, 3000]))
            kind = "[" if choice % 2 else "{"
            if depth > 150:
                # Too deep to build as Python lists here: written straight into the text.
                node = f"@DEEP{kind}{depth}@"
            else:
                for _ in range(depth):
                    node = [node] if kind == "[" else {"a": node}
            tree = put(tree, path, node)
        elif operation == "swap":
            other = draw(st.sampled_from(paths))
            if not (other[:len(path)] == path or path[:len(other)] == other):
                a, b = copy.deepcopy(node), copy.deepcopy(get(tree, other))
                tree = put(tree, path, b)
                tree = put(tree, other, a)
    return tree


# --- mutating bytes ---

@st.composite
def mutated_bytes(draw, base: bytes):
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 3))):
        operation = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "digit", "bracket"]))
        note(f"byte mutation: {operation}")
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        if operation == "truncate":
            del data[position:]
        elif operation == "flip" and data:
            data[position] ^= draw(st.integers(1, 255))
        elif operation == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=4)
                                           | st.sampled_from([b"[", b"]", b"{", b"}", b",", b'"', b"-", b"e9",
                                                              b"\xff", b"\xc3", b"NaN", b"1e400", b"0"]))
        elif operation == "delete":
            del data[position:position + draw(st.integers(1, 8))]
        elif operation in ("digit", "bracket"):
            wanted = b"0123456789" if operation == "digit" else b"[]{},:"
            spots = [i for i, byte in enumerate(data) if byte in wanted]
            if spots:
                spot = spots[position % len(spots)]
                data[spot] = draw(st.sampled_from(list(b"0123456789-.e[]{}")))
    return bytes(data)


# --- what a loaded model must be ---

def as_content(raw: bytes):
    return json.loads(raw.decode("utf-8"))


def output_bound(net):
    """An upper bound on the size of any number the forward pass of inputs in [-2, 2] computes."""
    bound = 2.0
    if net.input_offset is not None:
        bound = (2.0 + float(np.max(np.abs(net.input_offset)))) * float(np.max(np.abs(net.input_scale)))
    for layer in net.layers[1:]:
        factor = max([1.1] + [abs(v) for v in layer.activation_params.values()])
        weights = float(np.max(np.abs(layer.weights))) if layer.weights.size else 0.0
        biases = float(np.max(np.abs(layer.biases)))
        bound = factor * factor * (layer.previousLayer_size * weights * bound + biases)
        if not bound < 1e300:
            return math.inf
    if net.output_offset is not None:
        bound = bound * float(np.max(np.abs(net.output_scale))) + float(np.max(np.abs(net.output_offset)))
    return bound if bound < 1e300 else math.inf


def check_loaded_model(net, raw, tmp):
    """``net`` was loaded from the bytes ``raw``: it is valid and it is what the file says."""
    content = as_content(raw)
    count = len(net.layers)
    assert count >= 2
    assert [layer.layer_type for layer in net.layers] == ["input"] + ["hidden"] * (count - 2) + ["output"]
    for i, layer in enumerate(net.layers):
        block = content[f"Layer_{i}"]
        assert layer.weights.shape == (layer.layer_size, layer.previousLayer_size)
        assert layer.biases.shape == (layer.layer_size,)
        assert np.isfinite(layer.weights).all() and np.isfinite(layer.biases).all()
        assert np.array_equal(layer.weights, np.array(block["weights"], dtype=np.float64))
        assert np.array_equal(layer.biases, np.array(block["biases"], dtype=np.float64))
        assert layer.activation_func is ActivationFunction.get_activation_function(block["activation_func"])
        assert layer.previousLayer_size == block["previousLayer_size"]
        assert layer.layer_size == block["layer_size"]
        assert layer.dropout == block.get("dropout", 0) and 0 <= layer.dropout < 1
        if i > 0:
            assert layer.previousLayer_size == net.layers[i - 1].layer_size
    assert f"Layer_{count}" not in content
    assert (net.input_offset is None) == ("input_scaling" not in content)
    if net.input_offset is not None:
        assert net.input_offset.shape == net.input_scale.shape == (net.n_inputs,)
        assert np.isfinite(net.input_offset).all() and np.isfinite(net.input_scale).all()
        assert (net.input_scale != 0).all()
    assert (net.output_offset is None) == ("output_scaling" not in content)
    if net.output_offset is not None:
        assert net.output_activation is ActivationFunction.linear
        assert net.output_offset.shape == net.output_scale.shape == (net.n_outputs,)
        assert np.isfinite(net.output_offset).all() and (net.output_scale != 0).all()
    assert net.cost_function is None or net.cost_function in COSTS
    assert isinstance(net.training_record, dict)

    samples = np.random.default_rng(0).uniform(-2.0, 2.0, size=(4, net.n_inputs))
    finite_expected = output_bound(net) < 1e300
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore") if finite_expected \
            else np.errstate(all="ignore"):
        batch = net.forward_propagation(samples)
        single = net.forward_propagation(samples[1])
    assert batch.shape == (4, net.n_outputs) and batch.dtype == np.float64
    assert single.shape == (net.n_outputs,)
    if finite_expected:
        note("loaded: finite outputs checked")
        assert np.isfinite(batch).all() and np.isfinite(single).all()
        np.testing.assert_allclose(single, batch[1], rtol=1e-12, atol=1e-300)
    else:
        note("loaded: numbers large enough to overflow")

    copy_path = tmp / "copy.json"
    net.save(copy_path)
    again = NeuralNet().load(copy_path)
    assert json.dumps(again.to_dict()) == json.dumps(net.to_dict())
    with np.errstate(all="ignore"):
        assert np.array_equal(again.forward_propagation(samples), batch, equal_nan=True)


def load_or_refuse(raw, tmp):
    """Write ``raw`` and load it: the model, or None when it is refused with a proper ValueError."""
    path = tmp / "fuzzed.json"
    path.write_bytes(raw)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        try:
            net = NeuralNet().load(path)
        except ValueError as err:
            assert str(path) in str(err)
            note("refused")
            return None
    note("loaded")
    check_loaded_model(net, raw, tmp)
    return net


@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def deep_text(match):
    kind, depth = match.group(1), int(match.group(2))
    return "[" * depth + "]" * depth if kind == "[" else '{"a":' * depth + "0" + "}" * depth


def to_json_bytes(tree):
    """JSON text as a careless editor could write it: NaN, Infinity, 1e400 and deep nesting included."""
    text = json.dumps(tree, allow_nan=True).replace(f'"{OVERFLOWING}"', "1e400")
    return re.sub(r'"@DEEP([\[{])(\d+)@"', deep_text, text).encode("utf-8")


@FUZZ
@given(st.data())
def test_mutated_model_files_load_validly_or_are_refused(tmp, data):
    base = data.draw(st.sampled_from(BASE_MODELS))
    load_or_refuse(to_json_bytes(data.draw(mutated_tree(base))), tmp)


@FUZZ_SMALL
@given(st.data())
def test_byte_mutations_of_model_files_load_validly_or_are_refused(tmp, data):
    base = data.draw(st.sampled_from(BASE_MODELS))
    text = json.dumps(base, indent=data.draw(st.sampled_from([None, 1]))).encode("utf-8")
    load_or_refuse(data.draw(mutated_bytes(text)), tmp)


def test_the_mutations_reach_both_outcomes(tmp):
    """The fuzzer is not only producing garbage: some mutations change a model that still loads."""
    base = BASE_MODELS[0]
    base_text = json.dumps(load_or_refuse(to_json_bytes(base), tmp).to_dict())

    def loads_and_differs(tree):
        net = load_or_refuse(to_json_bytes(tree), tmp)
        return net is not None and json.dumps(net.to_dict()) != base_text

    changed = find(mutated_tree(base), loads_and_differs, settings=settings(database=None, max_examples=2000))
    assert load_or_refuse(to_json_bytes(changed), tmp) is not None
    refused = find(mutated_tree(base), lambda tree: load_or_refuse(to_json_bytes(tree), tmp) is None,
                   settings=settings(database=None, max_examples=2000))
    assert load_or_refuse(to_json_bytes(refused), tmp) is None


# --- data files ---

def dataset_base(name):
    problem = get_problem(name)
    rng = np.random.default_rng(1)
    n = 2 * problem.n_classes
    if problem.integer_inputs:
        inputs = rng.integers(0, 256, size=(n, problem.n_inputs))
    else:
        inputs = np.round(rng.uniform(-3, 3, size=(n, problem.n_inputs)), 6)
    targets = -np.ones((n, problem.n_classes))
    targets[np.arange(n), np.arange(n) % problem.n_classes] = 1
    return json.loads(dataset_text(inputs, targets, problem))


DATASET_PROBLEMS = ["red", "xor", "quadrant"]
BASE_DATASETS = {name: dataset_base(name) for name in DATASET_PROBLEMS}


def load_dataset_or_refuse(raw, tmp, name, activation):
    path = tmp / f"fuzzed_{name}.json"
    path.write_bytes(raw)
    problem = get_problem(name)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        try:
            inputs, targets = load_dataset(path, name, activation)
        except ValueError as err:
            assert str(path) in str(err)
            note("refused")
            return None
    note("loaded")
    content = as_content(raw)
    n = len(content[problem.input_key])
    assert n >= 1
    assert inputs.dtype == targets.dtype == np.float64
    assert inputs.shape == (n, problem.n_inputs) and targets.shape == (n, problem.n_classes)
    assert np.isfinite(inputs).all()
    assert np.array_equal(inputs, np.array(content[problem.input_key], dtype=np.float64))
    low = 0.0 if activation == "sigmoid" else -1.0
    assert np.isin(targets, (low, 1.0)).all() and ((targets == 1.0).sum(axis=1) == 1).all()
    file_targets = np.array(content[problem.output_key], dtype=np.float64)
    assert np.array_equal(targets, file_targets if low == -1.0 else (file_targets + 1) / 2)
    return inputs, targets


@FUZZ_SMALL
@given(st.data())
def test_mutated_data_files_load_validly_or_are_refused(tmp, data):
    name = data.draw(st.sampled_from(DATASET_PROBLEMS))
    activation = data.draw(st.sampled_from(["tanh", "sigmoid"]))
    tree = data.draw(mutated_tree(BASE_DATASETS[name]))
    load_dataset_or_refuse(to_json_bytes(tree), tmp, name, activation)


@FUZZ_SMALL
@given(st.data())
def test_byte_mutations_of_data_files_load_validly_or_are_refused(tmp, data):
    name = data.draw(st.sampled_from(DATASET_PROBLEMS))
    text = dataset_text(*[np.array(BASE_DATASETS[name][key]) for key in
                          (get_problem(name).input_key, get_problem(name).output_key)], name).encode("utf-8")
    load_dataset_or_refuse(data.draw(mutated_bytes(text)), tmp, name, "tanh")
