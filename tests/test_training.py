"""Training: exact gradients, the update rules, the loop, and what the seed could not do."""

import io

import numpy as np
import pytest

from src.activation_functions import ActivationFunction
from src.layer import Layer
from src.neural_network import NeuralNet
from src.training import Training, TrainingDiverged

HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "swish", "mish", "parametric_elu",
          "linear", "sign", "step")
PAIRINGS = [("tanh", "mse"), ("sigmoid", "mse"), ("softmax", "mse"), ("linear", "mse"),
            ("sigmoid", "cross_entropy"), ("softmax", "cross_entropy"), ("linear", "mae"), ("sigmoid", "mae")]
LATER_NAMES = {"sigmoid": "binary_crossentropy", "softmax": "categorical_crossentropy"}


def build(sizes, hidden="leaky_relu", output="tanh", seed=0, bias_std=0.0):
    rng = np.random.default_rng(seed)
    net = NeuralNet()
    net.add_layer(Layer(sizes[0], sizes[0], "input"))
    for prev, size in zip(sizes[:-2], sizes[1:-1]):
        net.add_layer(Layer(prev, size, "hidden", hidden, rng=rng))
    net.add_layer(Layer(sizes[-2], sizes[-1], "output", output, rng=rng))
    for layer in net.layers[1:]:
        layer.biases = rng.normal(0, bias_std, layer.layer_size)
    return net


def targets_for(output, n, rng):
    if output == "tanh":
        return rng.uniform(-0.9, 0.9, size=(n, 3))
    if output == "linear":
        return rng.normal(size=(n, 3))
    if output == "softmax":
        return rng.dirichlet(np.ones(3), size=n)
    return rng.uniform(0.05, 0.95, size=(n, 3))


@pytest.mark.parametrize("output,cost", PAIRINGS)
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("single", [False, True], ids=["batch", "sample"])
def test_backpropagation_matches_finite_differences(hidden, output, cost, single):
    rng = np.random.default_rng(11)
    net = build((4, 5, 6, 3), hidden, output, seed=3, bias_std=0.5)
    training = Training(net, 0.1, None, cost)
    inputs = rng.normal(size=(4,) if single else (7, 4))
    targets = targets_for(output, 1, rng)[0] if single else targets_for(output, 7, rng)
    for step in net.forward_trace(inputs)[1:-1]:
        assert np.min(np.abs(step["weighted_input"])) > 1e-3, "a kink too close for finite differences"
    if cost == "mae":
        # h = 1e-6 moves an output by far less than 1e-4: no difference quotient straddles the kink
        assert np.min(np.abs(net.forward_propagation(inputs) - targets)) > 1e-4, "too close to MAE's kink"

    gradients, predictions = training.backpropagation(inputs, targets)

    np.testing.assert_array_equal(predictions, net.forward_propagation(inputs))
    assert predictions.shape == np.shape(targets)
    for i, layer in enumerate(net.layers[1:], start=1):
        assert gradients[f"weights_{i}"].shape == layer.weights.shape
        assert gradients[f"biases_{i}"].shape == layer.biases.shape
    errors = training.check_gradients(inputs, targets)
    assert sorted(errors) == [1, 2, 3]
    assert max(errors.values()) < 1e-6, errors
    assert np.all(gradients["weights_0"] == 0) and gradients["weights_0"].shape == (4, 4)
    assert np.all(gradients["biases_0"] == 0) and gradients["biases_0"].shape == (4,)


@pytest.mark.parametrize("output", ["tanh", "linear", "relu", "elu"])
def test_cross_entropy_is_refused_after_other_output_activations(output):
    net = build((3, 4, 2), output=output)
    with pytest.raises(ValueError, match="cross_entropy needs a sigmoid .* or a softmax"):
        Training(net, 0.01, 1.0, "cross_entropy")
    for later in LATER_NAMES.values():
        with pytest.raises(ValueError, match=f"{later} needs a .* output layer, but this network's "
                                             f"output layer is {output}: use cost_function='mse' or 'mae'"):
            Training(net, 0.01, 1.0, later)


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_the_later_cross_entropy_names_give_the_same_costs_and_gradients(output):
    rng = np.random.default_rng(5)
    net = build((4, 6, 3), "tanh", output, seed=2, bias_std=0.3)
    inputs, targets = rng.normal(size=(9, 4)), targets_for(output, 9, rng)
    gradients, predictions = Training(net, 0.1, None, "cross_entropy").backpropagation(inputs, targets)
    later = Training(net, 0.1, None, LATER_NAMES[output])
    later_gradients, later_predictions = later.backpropagation(inputs, targets)
    np.testing.assert_array_equal(later_predictions, predictions)
    assert gradients.keys() == later_gradients.keys()
    for key in gradients:
        np.testing.assert_array_equal(later_gradients[key], gradients[key])
    assert later.cost(predictions, targets) == Training(net, 0.1, None, "cross_entropy").cost(predictions, targets)


@pytest.mark.parametrize("output,name,other", [("softmax", "binary_crossentropy", "categorical_crossentropy"),
                                               ("sigmoid", "categorical_crossentropy", "binary_crossentropy")])
def test_a_later_cross_entropy_name_with_the_other_output_says_which_to_use(output, name, other):
    with pytest.raises(ValueError, match=f"{name} needs a .* output layer, but this network's output layer "
                                         f"is {output}: use cost_function='{other}'"):
        Training(build((3, 4, 2), output=output), 0.01, 1.0, name)


def test_mae_is_the_mean_absolute_error_with_subgradient_zero_where_exact():
    net = build((2, 3, 2), output="linear", seed=1)
    training = Training(net, 0.1, None, "mae")
    predictions = np.array([[0.5, -0.5], [1.0, 2.0]])
    targets = np.array([[1.0, -1.0], [-1.0, 2.0]])
    assert training.cost(predictions, targets) == pytest.approx((0.5 + 0.5 + 2.0 + 0.0) / 4)
    inputs = np.array([[0.3, -0.7], [1.1, 0.4]])
    exact = net.forward_propagation(inputs)
    gradients, _ = training.backpropagation(inputs, exact)  # every output exactly on target
    for key, value in gradients.items():
        assert np.all(value == 0), key
    half = exact.copy()
    half[:, 1] += 1.0  # output 0 exact (subgradient 0), output 1 too low: sign -1 per sample
    gradients, _ = training.backpropagation(inputs, half)
    hidden = net.layers[1].forward_propagation(net.scale_inputs(inputs))
    np.testing.assert_allclose(gradients["weights_2"], np.array([np.zeros(3), -hidden.sum(axis=0) / 4]),
                               rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(gradients["biases_2"], [0.0, -2 / 4])


@pytest.mark.parametrize("kwargs", [{"cost_function": "hinge"}, {"optimizer": "lbfgs"},
                                    {"learning_rate": 0}, {"learning_rate": float("nan")},
                                    {"clip_value": -1}, {"weight_decay": -0.1},
                                    {"lr_schedule": "linear"}])
def test_bad_settings_are_rejected(kwargs):
    settings = {"learning_rate": 0.01, "clip_value": 1.0, **kwargs}
    with pytest.raises(ValueError):
        Training(build((3, 4, 2)), **settings)


def test_cost_is_the_mean_over_samples():
    training = Training(build((2, 3, 2)), 0.1, None, "mse")
    predictions = np.array([[0.5, -0.5], [1.0, 1.0]])
    targets = np.array([[1.0, -1.0], [-1.0, 1.0]])
    per_sample = [np.mean((predictions[i] - targets[i]) ** 2) for i in range(2)]
    assert training.cost(predictions, targets) == pytest.approx(np.mean(per_sample))

    ce = Training(build((2, 3, 2), output="softmax"), 0.1, None, "cross_entropy")
    probabilities = np.array([[0.8, 0.2], [0.3, 0.7]])
    one_hot = np.array([[1.0, 0.0], [1.0, 0.0]])
    assert ce.cost(probabilities, one_hot) == pytest.approx(-(np.log(0.8) + np.log(0.3)) / 2)

    bce = Training(build((2, 3, 2), output="sigmoid"), 0.1, None, "cross_entropy")
    expected = -np.mean([np.log(0.8) + np.log(0.8), np.log(0.3) + np.log(0.3)])
    assert bce.cost(probabilities, one_hot) == pytest.approx(expected)
    assert np.isfinite(bce.cost(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])))


def test_input_layer_gets_zero_gradients_and_never_changes():
    net = build((3, 6, 2), output="softmax")
    before = (net.layers[0].weights.copy(), net.layers[0].biases.copy())
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3))
    t = np.eye(2)[rng.integers(0, 2, 64)]
    Training(net, 0.05, 1.0, "cross_entropy", "adam").train(x, t, 3, 8, verbose=False)
    assert np.array_equal(net.layers[0].weights, before[0]) and np.all(before[0] == 0)
    assert np.array_equal(net.layers[0].biases, before[1])


def test_clipping_applies_to_the_update_not_to_backpropagation():
    net = build((2, 3, 1), hidden="linear", output="linear", seed=4)
    training = Training(net, 0.5, 0.01, "mse", "sgd")
    x = np.array([[30.0, -40.0]])
    t = np.array([[100.0]])
    gradients, _ = training.backpropagation(x, t)
    assert np.max(np.abs(gradients["weights_1"])) > 0.01
    before = [layer.weights.copy() for layer in net.layers[1:]]
    training.train(x, t, 1, 1, verbose=False)
    for layer, old, key in zip(net.layers[1:], before, ("weights_1", "weights_2")):
        np.testing.assert_allclose(layer.weights, old - 0.5 * np.clip(gradients[key], -0.01, 0.01))


def test_cosine_schedule_runs_from_the_rate_to_the_final_fraction():
    net = build((2, 3, 2))
    x = np.random.default_rng(0).normal(size=(16, 2))
    t = np.tanh(x)
    history = Training(net, 0.1, 1.0, "mse", "adam", lr_schedule="cosine",
                       final_lr_fraction=0.01).train(x, t, 5, 4, verbose=False)
    rates = [entry["learning_rate"] for entry in history]
    assert rates[0] == pytest.approx(0.1) and rates[-1] == pytest.approx(0.001)
    assert all(a > b for a, b in zip(rates, rates[1:]))


def red_data(samples_per_class, seed):
    from data_generators import definition_of_red
    inputs, targets = definition_of_red.generate(samples_per_class, seed)
    return inputs.astype(float), (targets + 1) / 2


def red_network(seed=1):
    rng = np.random.default_rng(seed)
    net = NeuralNet()
    net.add_layer(Layer(3, 3, "input"))
    net.add_layer(Layer(3, 32, "hidden", rng=rng))
    net.add_layer(Layer(32, 32, "hidden", rng=rng))
    net.add_layer(Layer(32, 2, "output", ActivationFunction.softmax, rng=rng))
    net.set_input_scaling([0, 0, 0], [255, 255, 255])
    return net


def fresh_red_accuracy(net, n=100_000, seed=12345):
    from data_generators import definition_of_red
    colours = np.random.default_rng(seed).integers(0, 256, size=(n, 3))
    truth = np.argmax(definition_of_red.label(colours), axis=1)
    return float(np.mean(np.argmax(net.predict(colours.astype(float)), axis=1) == truth))


def test_red_reaches_99_5_percent_on_fresh_colours_within_30_epochs():
    x, t = red_data(10_000, seed=0)
    net = red_network()
    history = Training(net, 0.01, 1.0, "cross_entropy", "adam", lr_schedule="cosine",
                       seed=2).train(x, t, 30, 32, verbose=False)
    assert len(history) == 30
    assert fresh_red_accuracy(net) >= 0.995


@pytest.mark.parametrize("learning_rate", [1e-4, 1e-3, 1e-2, 1e-1])
def test_red_training_does_not_diverge_at_learning_rates_up_to_0_1(learning_rate):
    x, t = red_data(2_000, seed=1)
    net = red_network()
    history = Training(net, learning_rate, 1.0, "cross_entropy", "adam", seed=3).train(
        x, t, 5, 32, verbose=False)
    costs = [entry["cost"] for entry in history]
    assert all(np.isfinite(costs)) and costs[-1] < costs[0]
    assert all(np.all(np.isfinite(layer.weights)) for layer in net.layers)
    balanced_x, balanced_t = red_data(5_000, seed=99)
    accuracy = np.mean(np.argmax(net.predict(balanced_x), 1) == np.argmax(balanced_t, 1))
    assert accuracy > 0.9


def test_same_seed_same_data_gives_bit_identical_weights():
    x, t = red_data(500, seed=4)
    results = []
    for _ in range(2):
        net = red_network(seed=7)
        Training(net, 0.01, 1.0, "cross_entropy", "adam", seed=9).train(
            x, t, 3, 16, samples_per_epoch=600, validation_split=0.1, verbose=False)
        results.append(np.concatenate([np.concatenate([l.weights.ravel(), l.biases]) for l in net.layers]))
    assert np.array_equal(results[0], results[1])
    other = red_network(seed=7)
    Training(other, 0.01, 1.0, "cross_entropy", "adam", seed=10).train(
        x, t, 3, 16, samples_per_epoch=600, validation_split=0.1, verbose=False)
    assert not np.array_equal(results[0], np.concatenate(
        [np.concatenate([l.weights.ravel(), l.biases]) for l in other.layers]))


def test_samples_per_epoch_draws_a_subset_each_epoch():
    net = build((2, 4, 2), output="softmax")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1000, 2))
    t = np.eye(2)[(x[:, 0] > 0).astype(int)]
    seen = []
    training = Training(net, 0.01, 1.0, "cross_entropy", "sgd")
    original = training._backprop

    def spy(xb, tb, views, *rest):
        seen.append(len(xb))
        return original(xb, tb, views, *rest)

    training._backprop = spy
    training.train(x, t, 2, 50, samples_per_epoch=120, verbose=False)
    assert sum(seen) == 240 and max(seen) == 50


def test_early_stopping_restores_the_best_weights():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2))
    t = np.eye(2)[rng.integers(0, 2, 40)]
    val_x = rng.normal(size=(200, 2))
    val_t = np.eye(2)[(val_x[:, 0] > 0).astype(int)]
    net = build((2, 32, 2), output="softmax")
    training = Training(net, 0.05, 1.0, "cross_entropy", "adam")
    history = training.train(x, t, 200, 8, validation_data=(val_x, val_t), patience=5, verbose=False)
    assert len(history) < 200
    best = min(entry["val_cost"] for entry in history)
    assert history[-6]["val_cost"] == best
    assert training.evaluate(val_x, val_t)[0] == pytest.approx(best, rel=1e-12)


def test_divergence_stops_training_and_keeps_the_last_good_weights():
    net = build((2, 8, 1), output="linear")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 2))
    t = x[:, :1] * 3
    training = Training(net, 1e200, None, "mse", "sgd")
    before = training._params.copy()
    with pytest.raises(TrainingDiverged, match="diverged in epoch 1") as caught:
        training.train(x, t, 5, 8, verbose=False)
    assert caught.value.history == []
    assert np.array_equal(training._params, before)
    assert all(np.all(np.isfinite(layer.weights)) for layer in net.layers)


def test_progress_lines_and_quiet_mode():
    net = build((2, 3, 2))
    x = np.random.default_rng(0).normal(size=(20, 2))
    t = np.tanh(x)
    stream = io.StringIO()
    Training(net, 0.01, 1.0).train(x, t, 3, 5, validation_split=0.2, stream=stream)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch") and "val_accuracy" in lines[0]
    quiet = io.StringIO()
    Training(net, 0.01, 1.0).train(x, t, 2, 5, verbose=False, stream=quiet)
    assert quiet.getvalue() == ""


def test_targets_outside_the_output_range_are_refused():
    net = build((2, 3, 2), output="sigmoid")
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 1\]"):
        Training(net, 0.01, 1.0, "cross_entropy").train(np.zeros((4, 2)), -np.ones((4, 2)), 1, verbose=False)


@pytest.mark.parametrize("cost", ["mse", "mae"])
def test_backpropagation_through_output_scaling_matches_finite_differences(cost):
    rng = np.random.default_rng(8)
    net = build((3, 5, 2), "tanh", "linear", seed=2, bias_std=0.3)
    net.set_output_scaling([450.0, -3.0], [120.0, 0.5])
    training = Training(net, 0.1, None, cost)
    inputs = rng.normal(size=(6, 3))
    targets = rng.normal([450.0, -3.0], [100.0, 1.0], size=(6, 2))
    _, predictions = training.backpropagation(inputs, targets)
    np.testing.assert_array_equal(predictions, net.forward_propagation(inputs))
    errors = training.check_gradients(inputs, targets)
    assert max(errors.values()) < 1e-6, errors


def test_output_scaling_lets_adam_fit_targets_in_the_hundreds():
    """Without it the last layer would have to grow weights of order 100 in steps of the learning rate."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(2000, 2))
    t = 450.0 + 150.0 * x[:, :1] - 80.0 * x[:, 1:]
    results = []
    for scaled in (True, False):
        net = build((2, 8, 1), "tanh", "linear", seed=1)
        if scaled:
            net.set_output_scaling(t.mean(axis=0), t.std(axis=0))
        history = Training(net, 0.01, None, "mse", "adam", seed=1).train(x, t, 20, 32, verbose=False,
                                                                         accuracy=False)
        results.append(history[-1]["cost"])
        assert "accuracy" not in history[-1] and "val_accuracy" not in history[-1]
    assert results[0] < 10.0 < 1000.0 < results[1]


def test_a_regression_history_and_progress_line_have_no_accuracy():
    x, t = noisy_regression()
    stream = io.StringIO()
    history = Training(build((2, 4, 1), output="linear"), 0.01, None, "mse", "adam").train(
        x, t, 2, 8, validation_split=0.25, stream=stream, accuracy=False)
    assert set(history[0]) == {"epoch", "learning_rate", "cost", "val_cost", "seconds"}
    assert "accuracy" not in stream.getvalue() and "val_cost" in stream.getvalue()


# --- checkpoints ---

def noisy_regression(seed=0, n=64):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    return x, x[:, :1] * 2 - x[:, 1:] + rng.normal(0, 0.5, size=(n, 1))


def improving_epochs(history, key):
    best, epochs = np.inf, []
    for entry in history:
        if entry[key] < best:
            best = entry[key]
            epochs.append(entry["epoch"])
    return epochs


@pytest.mark.parametrize("with_validation", [False, True], ids=["training-cost", "validation-cost"])
def test_checkpoint_holds_the_best_epoch_saved_after_each_improvement(tmp_path, with_validation):
    x, t = noisy_regression()
    validation = noisy_regression(seed=1) if with_validation else None
    net = build((2, 16, 1), output="linear", seed=3)
    net.training_record = {"history": [{"epoch": 1, "cost": 9.0}]}
    training = Training(net, 0.1, None, "mse", "adam", seed=4)
    training.epochs_done = 1
    path = tmp_path / "best.json"
    snapshots, saved = {}, []
    original = training.save_checkpoint

    def spy(*args, **kwargs):
        saved.append(training.epochs_done)
        original(*args, **kwargs)

    training.save_checkpoint = spy
    history = training.train(x, t, 12, 8, validation_data=validation, verbose=False, checkpoint=path,
                             callback=lambda entry: snapshots.update({entry["epoch"]: training._params.copy()}))
    key = "val_cost" if with_validation else "cost"
    improving = improving_epochs(history, key)
    assert saved == improving and len(improving) < len(history), "the run should not improve every epoch"
    best = min(history, key=lambda entry: entry[key])
    loaded = NeuralNet().load(path)
    np.testing.assert_array_equal(loaded.parameter_vector(), snapshots[best["epoch"]])
    assert loaded.cost_function == "mse"
    record = loaded.training_record
    assert record["checkpoint"] == {"epoch": best["epoch"], "monitored": key, "value": best[key]}
    assert [entry["epoch"] for entry in record["history"]] == list(range(1, best["epoch"] + 1))
    assert "seconds" not in record["history"][-1]
    assert net.training_record == {"history": [{"epoch": 1, "cost": 9.0}]} and net.cost_function is None


def test_checkpoint_is_never_a_diverged_epoch(tmp_path):
    x, t = noisy_regression()
    net = build((2, 8, 1), output="linear", seed=3)
    training = Training(net, 0.01, None, "mse", "sgd")
    path = tmp_path / "best.json"

    def blow_up(entry):
        if entry["epoch"] == 3:
            training.learning_rate = 1e200

    with pytest.raises(TrainingDiverged, match="diverged in epoch 4"):
        training.train(x, t, 10, 8, verbose=False, checkpoint=path, callback=blow_up)
    loaded = NeuralNet().load(path)
    assert loaded.training_record["checkpoint"]["epoch"] <= 3
    assert np.all(np.isfinite(loaded.parameter_vector()))

    before = path.read_bytes()
    with pytest.raises(TrainingDiverged, match="diverged in epoch 1"):
        Training(build((2, 8, 1), output="linear"), 1e200, None, "mse", "sgd").train(
            x, t, 3, 8, verbose=False, checkpoint=path)
    assert path.read_bytes() == before


def test_checkpoint_in_a_missing_folder_is_refused_before_training(tmp_path):
    x, t = noisy_regression()
    training = Training(build((2, 4, 1), output="linear"), 0.01, None, "mse")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        training.train(x, t, 2, 8, verbose=False, checkpoint=tmp_path / "no" / "best.json")
    assert training.epochs_done == 0
